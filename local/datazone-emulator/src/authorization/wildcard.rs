//! IAM's wildcards.

/// IAM's wildcard match on the whole value: `*` any run of characters,
/// `?` any one character.
pub fn glob(pattern: &str, value: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let value: Vec<char> = value.chars().collect();
    let (mut p, mut v) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while v < value.len() {
        match pattern.get(p) {
            Some('*') => {
                backtrack = Some((p, v));
                p += 1;
            }
            Some(&c) if c == '?' || c == value[v] => {
                p += 1;
                v += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    p = star + 1;
                    v = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_whole_values() {
        assert!(glob("*", ""));
        assert!(glob("datazone:*", "datazone:StartDataSourceRun"));
        assert!(glob("datazone:Get*Run", "datazone:GetDataSourceRun"));
        assert!(glob(
            "datazone:Get?ataSourceRun",
            "datazone:GetDataSourceRun"
        ));
        assert!(!glob("datazone:Get", "datazone:GetDataSourceRun"));
        assert!(!glob("arn:aws:datazone:*", "*"));
        assert!(glob("a*b*c", "aXbYbc"));
        assert!(!glob("a*b*c", "aXbYb"));
    }
}
