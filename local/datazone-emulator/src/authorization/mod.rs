//! Who is calling, and whether they may: DataZone authorizes every request
//! twice.
//!
//! 1. IAM. The request's access key names a principal; its identity-based
//!    policy must allow `datazone:<Operation>` on the resource the Service
//!    Authorization Reference gives the action. For every operation the
//!    emulator serves that reference lists no resource type, so the policy
//!    must allow it on `*`: a statement naming a domain ARN matches nothing
//!    ("Actions, resources, and condition keys for Amazon DataZone").
//! 2. DataZone itself. Within a project, the caller's membership
//!    designation decides what it may do ("Manage user permissions in the
//!    Amazon DataZone data portal"; "Authorization in Amazon DataZone").
//!    Reading a project's data sources, runs and metadata generation runs
//!    takes any membership; starting or cancelling them takes owner or
//!    contributor (the designations that may change a project's inventory).

mod condition;
mod policy;
mod signature;
mod wildcard;

use std::collections::HashMap;

use clap::ValueEnum;

pub use policy::{Decision, Policy, RequestContext};
pub use signature::Signature;

use crate::api_error::{ApiError, ApiResult, ErrorShape};
use crate::seed::PrincipalSeed;

/// `--authorization`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Requests need a principal of the seed, its IAM policy and its
    /// project memberships, as in AWS.
    Enforce,
    /// Any signed request may do anything.
    Off,
}

/// `UserDesignation` in the service model.
pub const DESIGNATIONS: &[&str] = &[
    "PROJECT_OWNER",
    "PROJECT_CONTRIBUTOR",
    "PROJECT_CATALOG_VIEWER",
    "PROJECT_CATALOG_CONSUMER",
    "PROJECT_CATALOG_STEWARD",
    "USER_CREATED_DESIGNATION",
];

/// Designations that may start and cancel runs in a project.
const CHANGING_DESIGNATIONS: &[&str] = &["PROJECT_OWNER", "PROJECT_CONTRIBUTOR"];

/// What an operation does to the project it touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Change,
}

/// A principal of the seed: an access key, who it is, what IAM lets it do,
/// and the projects it belongs to.
#[derive(Debug, Clone)]
pub struct Principal {
    pub arn: String,
    policy: Policy,
    /// Designation by project id.
    memberships: HashMap<String, String>,
}

/// The principals of the seed, by access key id.
#[derive(Debug, Clone, Default)]
pub struct Principals(HashMap<String, Principal>);

impl Principals {
    pub fn from_seed(seeds: &[PrincipalSeed]) -> Result<Self, String> {
        let mut principals = HashMap::new();
        for seed in seeds {
            let policy = Policy::from_document(&seed.policy)
                .map_err(|error| format!("seed: principal {:?}: {error}", seed.access_key_id))?;
            let mut memberships = HashMap::new();
            for membership in &seed.memberships {
                if !DESIGNATIONS.contains(&membership.designation.as_str()) {
                    return Err(format!(
                        "seed: principal {:?}: designation {:?} is not one of {}",
                        seed.access_key_id,
                        membership.designation,
                        DESIGNATIONS.join(", ")
                    ));
                }
                memberships.insert(
                    membership.project_id.clone(),
                    membership.designation.clone(),
                );
            }
            let principal = Principal {
                arn: seed.arn.clone(),
                policy,
                memberships,
            };
            if principals
                .insert(seed.access_key_id.clone(), principal)
                .is_some()
            {
                return Err(format!(
                    "seed: access key {:?} belongs to two principals",
                    seed.access_key_id
                ));
            }
        }
        Ok(Self(principals))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The IAM half: the principal behind the signature, allowed to call
    /// `operation` by its policy. `resource_arn` names the domain in a
    /// denial's message, as DataZone's own messages do.
    pub fn authorize(
        &self,
        signature: &Signature,
        operation: &str,
        resource_arn: &str,
    ) -> ApiResult<&Principal> {
        let principal = self.0.get(&signature.access_key_id).ok_or_else(|| {
            ApiError::new(
                ErrorShape::UnrecognizedClient,
                "The security token included in the request is invalid.",
            )
        })?;
        let action = format!("datazone:{operation}");
        let request = RequestContext {
            action: &action,
            resource: "*",
            region: &signature.region,
            principal_arn: &principal.arn,
        };
        // Message shapes: "Troubleshoot access denied error messages", IAM User Guide.
        let why = match principal.policy.evaluate(&request) {
            Decision::Allow => return Ok(principal),
            Decision::ImplicitDeny => {
                format!("because no identity-based policy allows the {action} action")
            }
            Decision::ExplicitDeny => "with an explicit deny in an identity-based policy".into(),
        };
        Err(ApiError::new(
            ErrorShape::AccessDenied,
            format!(
                "User: {} is not authorized to perform: {action} on resource: {resource_arn} {why}",
                principal.arn
            ),
        ))
    }
}

/// Who an operation runs for, for DataZone's own authorization.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    /// `--authorization off`.
    Anyone,
    Principal(&'a Principal),
}

impl Caller<'_> {
    /// Whether the caller belongs to `project` at all.
    pub fn is_member(&self, project: &str) -> bool {
        match self {
            Self::Anyone => true,
            Self::Principal(principal) => principal.memberships.contains_key(project),
        }
    }

    /// The DataZone half: the caller's membership of `project` allows
    /// `access`. DataZone answers a refusal with this message.
    pub fn require(&self, project: &str, operation: &str, access: Access) -> ApiResult<()> {
        let allowed = match self {
            Self::Anyone => true,
            Self::Principal(principal) => {
                principal
                    .memberships
                    .get(project)
                    .is_some_and(|designation| {
                        access == Access::Read
                            || CHANGING_DESIGNATIONS.contains(&designation.as_str())
                    })
            }
        };
        if allowed {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorShape::AccessDenied,
                format!("User is not permitted to perform operation: {operation}"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::seed::MembershipSeed;

    fn principals() -> Principals {
        Principals::from_seed(&[PrincipalSeed {
            access_key_id: "AKIDREADER".into(),
            arn: "arn:aws:iam::123456789012:role/reader".into(),
            policy: json!({"Statement": [{"Effect": "Allow", "Action": "datazone:Get*", "Resource": "*"}]}),
            memberships: vec![
                MembershipSeed {
                    project_id: "prj_viewed".into(),
                    designation: "PROJECT_CATALOG_VIEWER".into(),
                },
                MembershipSeed {
                    project_id: "prj_owned".into(),
                    designation: "PROJECT_OWNER".into(),
                },
            ],
        }])
        .unwrap()
    }

    fn signed(key: &str, region: &str) -> Signature {
        Signature {
            access_key_id: key.into(),
            region: region.into(),
        }
    }

    #[test]
    fn an_unknown_access_key_is_an_unrecognized_client() {
        let error = principals()
            .authorize(&signed("AKIDNOBODY", "us-east-1"), "GetDataSourceRun", "*")
            .unwrap_err();
        assert_eq!(error.shape, ErrorShape::UnrecognizedClient);
        assert_eq!(
            error.message,
            "The security token included in the request is invalid."
        );
    }

    #[test]
    fn an_action_the_policy_lacks_is_denied_in_iams_words() {
        let principals = principals();
        let key = signed("AKIDREADER", "us-east-1");
        assert!(
            principals
                .authorize(&key, "GetDataSourceRun", "arn:d")
                .is_ok()
        );
        let error = principals
            .authorize(
                &key,
                "StartDataSourceRun",
                "arn:aws:datazone:us-east-1:123456789012:domain/dzd_a",
            )
            .unwrap_err();
        assert_eq!(error.shape, ErrorShape::AccessDenied);
        assert_eq!(
            error.message,
            "User: arn:aws:iam::123456789012:role/reader is not authorized to perform: \
             datazone:StartDataSourceRun on resource: arn:aws:datazone:us-east-1:123456789012:domain/dzd_a \
             because no identity-based policy allows the datazone:StartDataSourceRun action"
        );
    }

    #[test]
    fn memberships_decide_reads_and_changes() {
        let principals = principals();
        let principal = principals
            .authorize(&signed("AKIDREADER", "us-east-1"), "GetDataSourceRun", "*")
            .unwrap();
        let caller = Caller::Principal(principal);
        assert!(
            caller
                .require("prj_viewed", "GetDataSourceRun", Access::Read)
                .is_ok()
        );
        assert!(
            caller
                .require("prj_owned", "StartDataSourceRun", Access::Change)
                .is_ok()
        );
        let error = caller
            .require("prj_viewed", "StartDataSourceRun", Access::Change)
            .unwrap_err();
        assert_eq!(
            (error.shape, error.message.as_str()),
            (
                ErrorShape::AccessDenied,
                "User is not permitted to perform operation: StartDataSourceRun"
            )
        );
        assert!(
            caller
                .require("prj_other", "GetDataSourceRun", Access::Read)
                .is_err()
        );
        assert!(!caller.is_member("prj_other") && caller.is_member("prj_viewed"));
        assert!(
            Caller::Anyone
                .require("prj_other", "StartDataSourceRun", Access::Change)
                .is_ok()
        );
    }

    #[test]
    fn seeds_with_unknown_designations_or_shared_keys_are_refused() {
        let principal = |key: &str, designation: &str| PrincipalSeed {
            access_key_id: key.into(),
            arn: "arn:aws:iam::1:user/u".into(),
            policy: json!({"Statement": []}),
            memberships: vec![MembershipSeed {
                project_id: "p".into(),
                designation: designation.into(),
            }],
        };
        let error = Principals::from_seed(&[principal("A", "PROJECT_ADMIN")]).unwrap_err();
        assert!(error.contains("PROJECT_ADMIN"), "{error}");
        let error = Principals::from_seed(&[
            principal("A", "PROJECT_OWNER"),
            principal("A", "PROJECT_OWNER"),
        ])
        .unwrap_err();
        assert!(error.contains("two principals"), "{error}");
    }
}
