//! Client tokens that make starts idempotent across duplicate deliveries
//! and retried tasks.

use uuid::Uuid;

use crate::model::ids::{DataSourceId, DomainId};
use crate::model::metadata_run::MetadataGenerationType;

/// Fixed namespace for this project's name-based (v5) UUIDs.
const CLIENT_TOKEN_NAMESPACE: Uuid = Uuid::from_u128(0x6f1d_2b0c_8e4a_4f7e_9a35_0d2c_51b7_e9a1);

/// The same purpose, trigger and parts always give the same token, so
/// DataZone starts at most one run for them.
fn derive(purpose: &str, trigger_id: &str, parts: &[&str]) -> String {
    let name = [purpose, trigger_id]
        .iter()
        .chain(parts)
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    Uuid::new_v5(&CLIENT_TOKEN_NAMESPACE, name.as_bytes()).to_string()
}

/// The clientToken for starting `data_source` on behalf of one trigger (an
/// EventBridge event id or a Step Functions execution id).
pub fn client_token(trigger_id: &str, domain: &DomainId, data_source: &DataSourceId) -> String {
    derive(
        "start-data-source-run",
        trigger_id,
        &[domain.as_str(), data_source.as_str()],
    )
}

/// The clientToken for generating `types` for `asset_id` on behalf of one trigger.
pub fn metadata_generation_token(
    trigger_id: &str,
    domain: &DomainId,
    asset_id: &str,
    types: &[MetadataGenerationType],
) -> String {
    let types: Vec<&str> = types.iter().map(MetadataGenerationType::as_str).collect();
    derive(
        "start-metadata-generation-run",
        trigger_id,
        &[domain.as_str(), asset_id, &types.join(",")],
    )
}

/// The clientToken of `operation` (`accept-predictions` or
/// `reject-predictions`) for `asset_id` on behalf of one trigger: a retried
/// step decides nothing twice.
pub fn predictions_token(
    trigger_id: &str,
    domain: &DomainId,
    asset_id: &str,
    operation: &str,
) -> String {
    derive(operation, trigger_id, &[domain.as_str(), asset_id])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(domain: &str, source: &str) -> (DomainId, DataSourceId) {
        (
            DomainId::parse("d", domain).unwrap(),
            DataSourceId::parse("s", source).unwrap(),
        )
    }

    #[test]
    fn same_trigger_and_source_give_the_same_token() {
        let (d, s) = ids("dzd_abc", "src1");
        assert_eq!(
            client_token("exec-1", &d, &s),
            client_token("exec-1", &d, &s)
        );
    }

    #[test]
    fn any_difference_gives_another_token() {
        let (d, s) = ids("dzd_abc", "src1");
        let (d2, s2) = ids("dzd_abd", "src2");
        let base = client_token("exec-1", &d, &s);
        assert_ne!(base, client_token("exec-2", &d, &s));
        assert_ne!(base, client_token("exec-1", &d2, &s));
        assert_ne!(base, client_token("exec-1", &d, &s2));
        let descriptions = [MetadataGenerationType::BusinessDescriptions];
        let names = [MetadataGenerationType::BusinessNames];
        assert_ne!(
            base,
            metadata_generation_token("exec-1", &d, "src1", &descriptions)
        );
        assert_ne!(
            metadata_generation_token("exec-1", &d, "a", &descriptions),
            metadata_generation_token("exec-1", &d, "a", &names)
        );
    }

    /// Tokens must not change across versions: a redeployed starter must
    /// reuse the tokens of the runs an earlier version started for the same
    /// trigger. These values were computed apart from this code (UUIDv5 of
    /// the namespace and the newline-joined name).
    #[test]
    fn tokens_are_pinned() {
        let (d, s) = ids("dzd_abc", "src1");
        assert_eq!(
            client_token("exec-1", &d, &s),
            "8e81c478-41c9-5b9a-8211-98cf29a0dece"
        );
        assert_eq!(
            metadata_generation_token(
                "exec-1",
                &d,
                "ast_1",
                &[
                    MetadataGenerationType::BusinessDescriptions,
                    MetadataGenerationType::BusinessNames
                ]
            ),
            "16b388b5-cfeb-5940-a406-8f88b6548a58"
        );
    }

    #[test]
    fn tokens_fit_the_model_client_token_pattern() {
        let (d, s) = ids("dzd_abc", "src1");
        let token = client_token("arn:aws:states:us-east-1:1:execution:sm:x", &d, &s);
        assert!((1..=128).contains(&token.len()));
        assert!(token.bytes().all(|b| (0x21..=0x7e).contains(&b)));
    }
}
