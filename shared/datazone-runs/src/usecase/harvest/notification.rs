//! What a harvest's end tells the notification topic's subscribers: one
//! message per protocol, published with `MessageStructure` `json`
//! ("Publish", Amazon SNS API Reference: the message is a JSON object with
//! a `default` string for every protocol it does not name, and one string
//! per protocol it names). Email subscribers get plain text a person reads;
//! every other protocol (SQS, Lambda, HTTP) gets the summary's JSON, as a
//! program reads it.

use serde::Serialize;

use crate::model::harvest::Outcome;
use crate::usecase::harvest::summary::Summary;

/// SNS takes a subject of fewer than 100 characters, with no line breaks
/// or control characters ("Publish", Amazon SNS API Reference).
pub const SUBJECT_CHARACTERS: usize = 99;

/// A notification ready to publish: `message` is the per-protocol JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub subject: String,
    pub message: String,
}

/// The execution's page in the Step Functions console, when `execution_id`
/// is an execution ARN (`arn:aws:states:<region>:<account>:execution:…`).
pub fn console_link(execution_id: &str) -> Option<String> {
    let parts: Vec<&str> = execution_id.split(':').collect();
    match parts.as_slice() {
        ["arn", partition, "states", region, _, "execution", _, _] if !region.is_empty() => {
            let host = match *partition {
                "aws-cn" => "console.amazonaws.cn".to_owned(),
                "aws-us-gov" => "console.amazonaws-us-gov.com".to_owned(),
                _ => format!("{region}.console.aws.amazon.com"),
            };
            Some(format!(
                "https://{host}/states/home?region={region}#/v2/executions/details/{execution_id}"
            ))
        }
        _ => None,
    }
}

/// `count WORD, …`: counts in the words the report uses.
pub fn counted(counts: &[(&str, usize)]) -> String {
    counts
        .iter()
        .map(|(word, count)| format!("{count} {word}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Notification {
    /// The notification of a harvest that came to `summary`, run by the
    /// execution `execution_id`.
    pub fn of(summary: &Summary, execution_id: &str) -> Self {
        let ending = if summary.any_failed {
            "data source runs failed"
        } else if summary.any_warning {
            "partly succeeded or skipped"
        } else {
            "succeeded"
        };
        // A domain id is at most 40 characters of [a-zA-Z0-9_-]: the
        // longest subject fits SNS's limit (a test holds it).
        let subject = format!("DataZone harvest in {}: {ending}", summary.domain_id);
        let email = email_text(summary, execution_id, ending);
        let default = serde_json::to_string(summary).expect("a summary serializes");
        let message = serde_json::json!({"default": default, "email": email}).to_string();
        Self { subject, message }
    }
}

fn email_text(summary: &Summary, execution_id: &str, ending: &str) -> String {
    let mut lines = vec![
        format!(
            "The DataZone harvest {} in domain {}: {ending}.",
            summary.trigger_id, summary.domain_id
        ),
        String::new(),
        format!(
            "{} data sources: {}",
            summary.sources.selected,
            counted(&summary.sources.by_outcome())
        ),
    ];
    let metadata = &summary.metadata_generation;
    if metadata.assets > 0 {
        lines.push(format!(
            "Metadata generation, {} assets: {}",
            metadata.assets,
            counted(&metadata.by_outcome())
        ));
    }
    if let Some(predictions) = &metadata.predictions {
        lines.push(format!(
            "Generated metadata, by the deployment's rule: {}",
            counted(&predictions.by_decision())
        ));
    }
    if !summary.failures.is_empty() {
        lines.push(String::new());
        lines.push("Failures:".to_owned());
        for failure in &summary.failures {
            lines.push(format!("  {failure}"));
        }
        if let Some(more) = summary.more_failures_line() {
            lines.push(format!("  {more} (the full report lists them)"));
        }
    }
    let skipped = summary.sources.quota_exhausted;
    if skipped > 0 {
        lines.push(String::new());
        lines.push(format!(
            "{skipped} data sources skipped: {} (their runs of the day are spent)",
            Outcome::QuotaExhausted
        ));
    }
    if let Some(left_out) = summary.projects_left_out() {
        lines.push(String::new());
        lines.push(left_out);
    }
    lines.push(String::new());
    if let Some(page) = &summary.page {
        lines.push(format!("Report page: {page}"));
    }
    lines.push(format!("Full report: {}", summary.report));
    if let Some(link) = console_link(execution_id) {
        lines.push(format!("Execution: {link}"));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::error::ErrorReport;
    use crate::model::harvest::Harvest;
    use crate::model::ids::{DomainId, ProjectId};

    const EXECUTION: &str =
        "arn:aws:states:eu-west-1:123456789012:execution:Ingestion:nightly-2026-11-21";

    fn summary(outcomes: &[Outcome]) -> Summary {
        let mut sources = crate::testing::sources_ended(outcomes);
        for source in &mut sources {
            if source.tracking.outcome.is_some_and(Outcome::is_failure) {
                source.tracking.error = Some(ErrorReport {
                    name: "DataZone.AccessDeniedException".into(),
                    message: "not a member".into(),
                });
            }
        }
        let mut harvest = Harvest::new(
            "nightly".into(),
            DomainId::parse("domainId", "dzd_sales2026").unwrap(),
            sources,
        );
        harvest.denied_projects = vec![ProjectId::parse("p", "prj_hr").unwrap()];
        Summary::of(
            &harvest,
            "s3://reports/harvests/dzd_sales2026/nightly.json".into(),
        )
    }

    fn parts(notification: &Notification) -> (Value, String) {
        let message: Value = serde_json::from_str(&notification.message).unwrap();
        let email = message["email"].as_str().unwrap().to_owned();
        (message, email)
    }

    #[test]
    fn email_reads_as_text_and_every_other_protocol_gets_the_summary() {
        let summary = summary(&[Outcome::Succeeded, Outcome::NotStarted]);
        let notification = Notification::of(&summary, EXECUTION);
        assert_eq!(
            notification.subject,
            "DataZone harvest in dzd_sales2026: data source runs failed"
        );
        let (message, email) = parts(&notification);
        let default: Value = serde_json::from_str(message["default"].as_str().unwrap()).unwrap();
        assert_eq!(default, serde_json::to_value(&summary).unwrap());
        assert_eq!(
            email,
            "The DataZone harvest nightly in domain dzd_sales2026: data source runs failed.\n\
             \n\
             2 data sources: 1 SUCCEEDED, 1 NOT_STARTED\n\
             \n\
             Failures:\n  \
             ds_1 NOT_STARTED: DataZone.AccessDeniedException: not a member\n\
             \n\
             Projects left out (their data sources cannot be listed): prj_hr\n\
             \n\
             Full report: s3://reports/harvests/dzd_sales2026/nightly.json\n\
             Execution: https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:123456789012:execution:Ingestion:nightly-2026-11-21"
        );
    }

    #[test]
    fn a_warning_names_itself_and_a_skip_says_why() {
        let notification = Notification::of(
            &summary(&[Outcome::PartiallySucceeded, Outcome::QuotaExhausted]),
            "nightly",
        );
        assert_eq!(
            notification.subject,
            "DataZone harvest in dzd_sales2026: partly succeeded or skipped"
        );
        let (_, email) = parts(&notification);
        assert!(
            email.contains("1 data sources skipped: QUOTA_EXHAUSTED"),
            "{email}"
        );
        assert!(!email.contains("Failures:"), "{email}");
        assert!(
            !email.contains("Execution:"),
            "no link without an execution ARN: {email}"
        );
    }

    #[test]
    fn many_failures_are_counted_past_the_listed_ones_and_assets_are_counted() {
        let mut summary = summary(&[Outcome::Failed; 23]);
        summary.metadata_generation.assets = 2;
        summary.metadata_generation.succeeded = 1;
        summary.metadata_generation.failed = 1;
        let (_, email) = parts(&Notification::of(&summary, EXECUTION));
        assert_eq!(
            email
                .matches(" FAILED: DataZone.AccessDeniedException")
                .count(),
            20
        );
        assert!(
            email.contains("  … and 3 more failures (the full report lists them)"),
            "{email}"
        );
        assert!(
            email.contains("Metadata generation, 2 assets: 1 SUCCEEDED, 1 FAILED"),
            "{email}"
        );
        assert!(
            !email.contains("Generated metadata"),
            "no rule, no line: {email}"
        );
        summary.metadata_generation.predictions =
            Some(crate::usecase::harvest::summary::PredictionCounts {
                accepted: 1,
                suggested: 1,
                ..Default::default()
            });
        let (_, email) = parts(&Notification::of(&summary, EXECUTION));
        assert!(
            email.contains("Generated metadata, by the deployment's rule: 1 ACCEPTED, 1 SUGGESTED"),
            "{email}"
        );
        let few = summary_without_more(&[Outcome::Failed; 20]);
        let (_, email) = parts(&Notification::of(&few, EXECUTION));
        assert!(!email.contains("more failures"), "{email}");
        assert!(
            !email.contains("Metadata generation"),
            "no assets, no line: {email}"
        );
    }

    fn summary_without_more(outcomes: &[Outcome]) -> Summary {
        let summary = summary(outcomes);
        assert_eq!(summary.more_failures, 0);
        summary
    }

    #[test]
    fn only_an_execution_arn_has_a_console_link() {
        assert_eq!(
            console_link("arn:aws-us-gov:states:us-gov-west-1:1:execution:M:n").as_deref(),
            Some(
                "https://console.amazonaws-us-gov.com/states/home?region=us-gov-west-1#/v2/executions/details/arn:aws-us-gov:states:us-gov-west-1:1:execution:M:n"
            )
        );
        assert_eq!(
            console_link("arn:aws-cn:states:cn-north-1:1:execution:M:n").as_deref(),
            Some(
                "https://console.amazonaws.cn/states/home?region=cn-north-1#/v2/executions/details/arn:aws-cn:states:cn-north-1:1:execution:M:n"
            )
        );
        for not_an_execution in [
            "nightly",
            "arn:aws:states:eu-west-1:1:stateMachine:M",
            "arn:aws:states::1:execution:M:n",
            "arn:aws:lambda:eu-west-1:1:execution:M:n",
        ] {
            assert_eq!(console_link(not_an_execution), None, "{not_an_execution}");
        }
    }

    #[test]
    fn the_longest_subject_is_short_and_on_one_line() {
        let mut summary = summary(&[Outcome::Succeeded]);
        summary.domain_id = DomainId::parse("d", format!("dzd_{}", "a".repeat(36))).unwrap();
        let notification = Notification::of(&summary, EXECUTION);
        assert!(notification.subject.chars().count() <= SUBJECT_CHARACTERS);
        assert!(!notification.subject.chars().any(char::is_control));
        summary.any_warning = false;
        let quiet = Notification::of(&summary, EXECUTION);
        assert_eq!(
            quiet.subject,
            format!("DataZone harvest in {}: succeeded", summary.domain_id)
        );
    }
}
