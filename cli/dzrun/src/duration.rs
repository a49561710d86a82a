//! Durations as people write them: `90s`, `30m`, `2h`, `1h30m`.

use std::time::Duration;

/// Parses `text`: one or more numbers each followed by `h`, `m` or `s`.
pub fn parse(text: &str) -> Result<Duration, String> {
    let mut total = 0_u64;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return Err(format!("{text:?}: {c:?} is not h, m or s")),
        };
        let value: u64 = number
            .parse()
            .map_err(|_| format!("{text:?}: a number must come before {c:?}"))?;
        total = total.saturating_add(value.saturating_mul(unit));
        number.clear();
    }
    if !number.is_empty() || text.is_empty() {
        return Err(format!(
            "{text:?} is not a duration like 90s, 30m, 2h or 1h30m"
        ));
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_add_their_parts() {
        assert_eq!(parse("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("2h"), Ok(Duration::from_secs(7200)));
        for bad in ["", "10", "m", "5d", "1.5h"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
