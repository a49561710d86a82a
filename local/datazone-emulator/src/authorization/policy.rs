//! IAM identity-based policies, evaluated as IAM evaluates them for one
//! request: an explicit `Deny` wins, then any `Allow`, else the request is
//! implicitly denied ("Policy evaluation logic", IAM User Guide).
//!
//! What a policy may say is checked when the seed is read: an element,
//! condition operator or condition key this evaluator does not implement
//! is refused there, never ignored, so a policy can only be stricter here
//! than it would be in AWS if the seed says so explicitly.

use serde::Deserialize;
use serde_json::Value;

use super::condition::{Condition, conditions};
use super::wildcard::glob;

/// The request facts a policy is evaluated against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext<'a> {
    /// `datazone:<Operation>`.
    pub action: &'a str,
    /// The resource the action is authorized on: `*` for actions the
    /// Service Authorization Reference lists without a resource type.
    pub resource: &'a str,
    /// `aws:RequestedRegion`: the region the request was signed for.
    pub region: &'a str,
    /// `aws:PrincipalArn`.
    pub principal_arn: &'a str,
}

impl RequestContext<'_> {
    fn value(&self, key: &str) -> Option<&str> {
        match key {
            "aws:RequestedRegion" => Some(self.region),
            "aws:PrincipalArn" => Some(self.principal_arn),
            _ => None,
        }
    }
}

/// What the policy decides for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// No statement allows the request.
    ImplicitDeny,
    /// A `Deny` statement matches the request.
    ExplicitDeny,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
enum Effect {
    Allow,
    Deny,
}

/// A string or a list of strings, as IAM accepts for most elements.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn values(&self) -> &[String] {
        match self {
            Self::One(value) => std::slice::from_ref(value),
            Self::Many(values) => values,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatementDocument {
    #[serde(rename = "Sid", default)]
    _sid: Option<String>,
    #[serde(rename = "Effect")]
    effect: Effect,
    #[serde(rename = "Action", default)]
    action: Option<OneOrMany>,
    #[serde(rename = "NotAction", default)]
    not_action: Option<OneOrMany>,
    #[serde(rename = "Resource", default)]
    resource: Option<OneOrMany>,
    #[serde(rename = "NotResource", default)]
    not_resource: Option<OneOrMany>,
    #[serde(rename = "Condition", default)]
    condition: Option<serde_json::Map<String, Value>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyDocument {
    #[serde(rename = "Version", default)]
    _version: Option<String>,
    #[serde(rename = "Id", default)]
    _id: Option<String>,
    #[serde(rename = "Statement")]
    statement: StatementList,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
enum StatementList {
    One(Box<StatementDocument>),
    Many(Vec<StatementDocument>),
}

/// `Action` or `NotAction`; `Resource` or `NotResource`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Listed(Vec<String>),
    AllBut(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Statement {
    effect: Effect,
    actions: Target,
    resources: Target,
    conditions: Vec<Condition>,
}

/// One principal's identity-based policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    statements: Vec<Statement>,
}

fn target(
    element: &str,
    listed: Option<OneOrMany>,
    all_but: Option<OneOrMany>,
) -> Result<Target, String> {
    match (listed, all_but) {
        (Some(values), None) => Ok(Target::Listed(values.values().to_vec())),
        (None, Some(values)) => Ok(Target::AllBut(values.values().to_vec())),
        (Some(_), Some(_)) => Err(format!("a statement has both {element} and Not{element}")),
        (None, None) => Err(format!(
            "a statement has neither {element} nor Not{element}"
        )),
    }
}

impl Policy {
    /// Reads an IAM policy document (`{"Version", "Statement": [...]}`).
    pub fn from_document(document: &Value) -> Result<Self, String> {
        let document: PolicyDocument = serde_json::from_value(document.clone())
            .map_err(|error| format!("not an IAM policy document: {error}"))?;
        let statements = match document.statement {
            StatementList::One(statement) => vec![*statement],
            StatementList::Many(statements) => statements,
        };
        let statements = statements
            .into_iter()
            .map(|statement| {
                Ok(Statement {
                    effect: statement.effect,
                    actions: target("Action", statement.action, statement.not_action)?,
                    resources: target("Resource", statement.resource, statement.not_resource)?,
                    conditions: conditions(statement.condition.unwrap_or_default())?,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Self { statements })
    }

    pub fn evaluate(&self, request: &RequestContext) -> Decision {
        let applies = |statement: &&Statement| {
            matches_target(&statement.actions, |pattern| {
                // Action names are case-insensitive.
                glob(
                    &pattern.to_ascii_lowercase(),
                    &request.action.to_ascii_lowercase(),
                )
            }) && matches_target(&statement.resources, |pattern| {
                glob(pattern, request.resource)
            }) && statement.conditions.iter().all(|condition| {
                condition
                    .operator
                    .holds(request.value(&condition.key), &condition.values)
            })
        };
        let applicable: Vec<&Statement> = self.statements.iter().filter(applies).collect();
        if applicable.iter().any(|s| s.effect == Effect::Deny) {
            Decision::ExplicitDeny
        } else if applicable.iter().any(|s| s.effect == Effect::Allow) {
            Decision::Allow
        } else {
            Decision::ImplicitDeny
        }
    }
}

fn matches_target(target: &Target, matches: impl Fn(&str) -> bool) -> bool {
    match target {
        Target::Listed(patterns) => patterns.iter().any(|pattern| matches(pattern)),
        Target::AllBut(patterns) => !patterns.iter().any(|pattern| matches(pattern)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn request(action: &str) -> RequestContext<'_> {
        RequestContext {
            action,
            resource: "*",
            region: "us-east-1",
            principal_arn: "arn:aws:sts::123456789012:assumed-role/r/f",
        }
    }

    fn policy(statements: Value) -> Policy {
        Policy::from_document(&json!({"Version": "2012-10-17", "Statement": statements})).unwrap()
    }

    #[test]
    fn an_allow_for_the_action_on_star_allows() {
        let policy = policy(
            json!([{"Effect": "Allow", "Action": ["datazone:GetDataSourceRun"], "Resource": "*"}]),
        );
        assert_eq!(
            policy.evaluate(&request("datazone:GetDataSourceRun")),
            Decision::Allow
        );
        assert_eq!(
            policy.evaluate(&request("datazone:StartDataSourceRun")),
            Decision::ImplicitDeny
        );
        let lowercase = Policy::from_document(&json!({"Statement": {"Effect": "Allow", "Action": "DataZone:getdatasourcerun", "Resource": "*"}})).unwrap();
        assert_eq!(
            lowercase.evaluate(&request("datazone:GetDataSourceRun")),
            Decision::Allow
        );
    }

    #[test]
    fn a_domain_arn_does_not_match_an_action_without_resource_types() {
        let policy = policy(json!([{"Effect": "Allow", "Action": "datazone:*",
            "Resource": "arn:aws:datazone:us-east-1:123456789012:domain/dzd_sales2026"}]));
        assert_eq!(
            policy.evaluate(&request("datazone:StartDataSourceRun")),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn an_explicit_deny_wins_over_any_allow() {
        let policy = policy(json!([
            {"Effect": "Allow", "Action": "datazone:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "datazone:Start*", "Resource": "*"}
        ]));
        assert_eq!(
            policy.evaluate(&request("datazone:StartDataSourceRun")),
            Decision::ExplicitDeny
        );
        assert_eq!(
            policy.evaluate(&request("datazone:GetDataSourceRun")),
            Decision::Allow
        );
    }

    #[test]
    fn not_action_and_not_resource_invert_the_match() {
        let policy = policy(
            json!([{"Effect": "Allow", "NotAction": "datazone:Start*", "NotResource": "arn:aws:s3:::*"}]),
        );
        assert_eq!(
            policy.evaluate(&request("datazone:GetDataSourceRun")),
            Decision::Allow
        );
        assert_eq!(
            policy.evaluate(&request("datazone:StartDataSourceRun")),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn conditions_narrow_by_requested_region_and_principal() {
        let policy = policy(
            json!([{"Effect": "Allow", "Action": "datazone:*", "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]},
                          "StringLike": {"aws:PrincipalArn": "arn:aws:sts::*:assumed-role/r/*"}}}]),
        );
        assert_eq!(
            policy.evaluate(&request("datazone:ListDomains")),
            Decision::Allow
        );
        let elsewhere = RequestContext {
            region: "ap-south-1",
            ..request("datazone:ListDomains")
        };
        assert_eq!(policy.evaluate(&elsewhere), Decision::ImplicitDeny);
        let someone_else = RequestContext {
            principal_arn: "arn:aws:iam::123456789012:user/u",
            ..request("datazone:ListDomains")
        };
        assert_eq!(policy.evaluate(&someone_else), Decision::ImplicitDeny);
        let not_here =
            policy_with_condition(json!({"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}));
        assert_eq!(
            not_here.evaluate(&request("datazone:ListDomains")),
            Decision::ImplicitDeny
        );
        assert_eq!(not_here.evaluate(&elsewhere), Decision::Allow);
    }

    fn policy_with_condition(condition: Value) -> Policy {
        policy(
            json!([{"Effect": "Allow", "Action": "datazone:*", "Resource": "*", "Condition": condition}]),
        )
    }

    #[test]
    fn what_the_emulator_cannot_evaluate_is_refused_not_ignored() {
        for (document, problem) in [
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}),
                "IpAddress",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}}}]}),
                "aws:SourceVpc",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "x", "Resource": "*"}]}),
                "NotAction",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Resource": "*"}]}),
                "neither Action",
            ),
            (
                json!({"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}),
                "not an IAM policy",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "*"}]}),
                "not an IAM policy",
            ),
        ] {
            let error = Policy::from_document(&document).unwrap_err();
            assert!(error.contains(problem), "{document}: {error}");
        }
    }
}
