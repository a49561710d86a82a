//! Where a harvest's documents are kept in the report store: its record
//! (named after its execution), its page beside it, the ends recorded for
//! it on DataZone's events, and its waiting note.

use crate::model::ids::DomainId;

/// Characters an execution name may keep in a record key.
fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// The longest name a record key keeps whole.
const LONGEST_NAME: usize = 200;

/// Where the record of the harvest `execution_id` of `domain` is kept:
/// `<prefix><domain>/<name>.json`. The name is the execution's name for a
/// Step Functions execution ARN (`arn:…:states:…:execution:<machine>:<name>`),
/// else the whole id; characters other than letters, digits, `-`, `_` and
/// `.` become `_`, and a name longer than 200 characters is cut and ends
/// with a digest of the whole id, so two ids never share a key.
pub fn record_key(prefix: &str, domain: &DomainId, execution_id: &str) -> String {
    let parts: Vec<&str> = execution_id.split(':').collect();
    let name = match parts.as_slice() {
        ["arn", _, "states", _, _, "execution", _, name] => name,
        _ => execution_id,
    };
    let mut name: String = name
        .chars()
        .map(|c| if is_key_char(c) { c } else { '_' })
        .collect();
    if name.len() > LONGEST_NAME {
        let digest = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, execution_id.as_bytes());
        name.truncate(LONGEST_NAME - 37);
        name = format!("{name}-{digest}");
    }
    format!("{prefix}{domain}/{name}.json")
}

/// Which harvest a step advances: the execution's, in its domain, its
/// record kept under [`record_key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HarvestRecord<'a> {
    /// Key prefix of harvest records in the report store.
    pub report_prefix: &'a str,
    pub domain: &'a DomainId,
    pub execution_id: &'a str,
}

impl HarvestRecord<'_> {
    /// Where the record is kept.
    pub fn key(&self) -> String {
        record_key(self.report_prefix, self.domain, self.execution_id)
    }

    /// Where the harvest's page is kept: beside the record, `.html`.
    pub fn page_key(&self) -> String {
        format!("{}.html", self.stem())
    }

    /// Where ends recorded on DataZone's events are kept, one document per
    /// run: beside the record, under `.ended/`.
    pub fn ended_prefix(&self) -> String {
        format!("{}.ended/", self.stem())
    }

    /// Where the harvest's waiting note is kept while it waits:
    /// `<prefix><domain>/waiting/<name>.json`.
    pub fn waiting_key(&self) -> String {
        let key = self.key();
        let name = key.rsplit('/').next().unwrap_or(&key);
        format!("{}{name}", waiting_prefix(self.report_prefix, self.domain))
    }

    /// The record's key without `.json`.
    fn stem(&self) -> String {
        let key = self.key();
        key.strip_suffix(".json").unwrap_or(&key).to_owned()
    }
}

/// Where the waiting notes of `domain`'s harvests are.
pub fn waiting_prefix(report_prefix: &str, domain: &DomainId) -> String {
    format!("{report_prefix}{domain}/waiting/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_kept_beside_its_record() {
        let domain = DomainId::parse("domainId", "dzd_sales2026").unwrap();
        let record = HarvestRecord {
            report_prefix: "harvests/",
            domain: &domain,
            execution_id: "arn:aws:states:eu-west-1:123456789012:execution:Ingestion:nightly",
        };
        assert_eq!(record.key(), "harvests/dzd_sales2026/nightly.json");
        assert_eq!(record.page_key(), "harvests/dzd_sales2026/nightly.html");
    }

    #[test]
    fn a_record_key_is_named_after_the_execution() {
        let domain = DomainId::parse("domainId", "dzd_sales2026").unwrap();
        assert_eq!(
            record_key(
                "harvests/",
                &domain,
                "arn:aws:states:eu-west-1:123456789012:execution:Ingestion:nightly-2026"
            ),
            "harvests/dzd_sales2026/nightly-2026.json"
        );
        assert_eq!(
            record_key("", &domain, "nightly-2026-11-21T02:00:00Z"),
            "dzd_sales2026/nightly-2026-11-21T02_00_00Z.json"
        );
        let scheduled = "arn:aws:scheduler:eu-west-1:123456789012:schedule/default/nightly@2026-11-21T02:00:00Z";
        assert_eq!(
            record_key("", &domain, scheduled),
            "dzd_sales2026/arn_aws_scheduler_eu-west-1_123456789012_schedule_default_nightly_2026-11-21T02_00_00Z.json"
        );
        let long = |last: char| format!("{}{last}", "x".repeat(300));
        let (a, b) = (
            record_key("", &domain, &long('a')),
            record_key("", &domain, &long('b')),
        );
        assert_ne!(a, b, "cut names keep apart by their digest");
        assert_eq!(
            a.len(),
            "dzd_sales2026/".len() + LONGEST_NAME + ".json".len()
        ); // A name of exactly the longest length is kept whole.
        let longest = "y".repeat(LONGEST_NAME);
        assert_eq!(
            record_key("", &domain, &longest),
            format!("dzd_sales2026/{longest}.json")
        );
    }
}
