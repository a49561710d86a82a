//! The one paginator: every List operation's pages, with the paginator's
//! controls (a cap on items across pages, a token to start from, a resume
//! token when the cap cut the listing short) and a guard against a service
//! that hands back the token it was given.
//!
//! A resume token can point into the middle of a page, so it carries the
//! service's token for that page and how many of its items were already
//! handed out.

use std::future::Future;

use aws_smithy_types::base64;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::model::ids::{DataSourceId, DataSourceRunId, DomainId, PageSize};
use crate::model::run::{DataSourceRun, DataSourceRunStatus};
use crate::port::{ActivitiesPageRequest, AssetActivity, DataZone, Page, RunsPageRequest};

/// How much of a listing to hand out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits {
    /// At most this many items over all pages; `None` lists them all.
    pub max_items: Option<usize>,
    /// A resume token from an earlier, capped listing.
    pub starting_token: Option<String>,
}

/// What a listing handed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed<T> {
    pub items: Vec<T>,
    /// Present when `max_items` stopped the listing before its end.
    pub resume_token: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
struct ResumePoint {
    #[serde(rename = "nextToken", skip_serializing_if = "Option::is_none")]
    page_token: Option<String>,
    #[serde(rename = "skip")]
    items_to_skip: usize,
}

impl ResumePoint {
    fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::encode(json)
    }

    fn decode(token: &str) -> Result<Self, Error> {
        let bad =
            || Error::invalid_input("startingToken", "is not a token this listing handed out");
        let json = base64::decode(token).map_err(|_| bad())?;
        serde_json::from_slice(&json).map_err(|_| bad())
    }
}

/// Lists the pages `fetch` returns for each service token (`None` first),
/// within `limits`. `operation` names the List operation in errors.
pub async fn list_pages<T, F, Fut>(
    operation: &str,
    limits: &Limits,
    mut fetch: F,
) -> Result<Listed<T>, Error>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    if limits.max_items == Some(0) {
        return Err(Error::invalid_input("maxItems", "must be at least 1"));
    }
    let mut position = match &limits.starting_token {
        Some(token) => ResumePoint::decode(token)?,
        None => ResumePoint::default(),
    };
    let mut items = Vec::new();
    loop {
        let page = fetch(position.page_token.clone()).await?;
        for (index, item) in page
            .items
            .into_iter()
            .enumerate()
            .skip(position.items_to_skip)
        {
            if limits.max_items == Some(items.len()) {
                let resume = ResumePoint {
                    page_token: position.page_token,
                    items_to_skip: index,
                };
                return Ok(Listed {
                    items,
                    resume_token: Some(resume.encode()),
                });
            }
            items.push(item);
        }
        let Some(next_token) = page.next_token else {
            return Ok(Listed {
                items,
                resume_token: None,
            });
        };
        if position.page_token.as_deref() == Some(next_token.as_str()) {
            return Err(Error::UnexpectedResponse(format!(
                "{operation} returned the token it was given; stopping instead of looping"
            )));
        }
        position = ResumePoint {
            page_token: Some(next_token),
            items_to_skip: 0,
        };
        if limits.max_items == Some(items.len()) {
            return Ok(Listed {
                items,
                resume_token: Some(position.encode()),
            });
        }
    }
}

/// ListDataSourceRuns: which runs, in pages of what size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRunsRequest {
    pub domain: DomainId,
    pub data_source: DataSourceId,
    pub status: Option<DataSourceRunStatus>,
    pub page_size: Option<PageSize>,
    pub limits: Limits,
}

impl ListRunsRequest {
    pub fn new(domain: DomainId, data_source: DataSourceId) -> Self {
        Self {
            domain,
            data_source,
            status: None,
            page_size: None,
            limits: Limits::default(),
        }
    }
}

/// Lists a data source's runs, newest first as DataZone orders them.
pub async fn list_data_source_runs(
    datazone: &impl DataZone,
    request: &ListRunsRequest,
) -> Result<Listed<DataSourceRun>, Error> {
    list_pages("ListDataSourceRuns", &request.limits, |next_token| {
        datazone.list_data_source_runs(RunsPageRequest {
            domain: request.domain.clone(),
            data_source: request.data_source.clone(),
            status: request.status.clone(),
            max_results: request.page_size,
            next_token,
        })
    })
    .await
}

/// The newest run of a data source that is REQUESTED or RUNNING, if any.
pub async fn find_active_run(
    datazone: &impl DataZone,
    domain: &DomainId,
    data_source: &DataSourceId,
) -> Result<Option<DataSourceRun>, Error> {
    for status in [DataSourceRunStatus::Running, DataSourceRunStatus::Requested] {
        let request = ListRunsRequest {
            status: Some(status),
            limits: Limits {
                max_items: Some(1),
                starting_token: None,
            },
            ..ListRunsRequest::new(domain.clone(), data_source.clone())
        };
        if let Some(run) = list_data_source_runs(datazone, &request).await?.items.pop() {
            return Ok(Some(run));
        }
    }
    Ok(None)
}

/// Everything a data source run did, asset by asset, every page.
pub async fn list_run_activities(
    datazone: &impl DataZone,
    domain: &DomainId,
    run: &DataSourceRunId,
) -> Result<Vec<AssetActivity>, Error> {
    let listed = list_pages(
        "ListDataSourceRunActivities",
        &Limits::default(),
        |next_token| {
            datazone.list_data_source_run_activities(ActivitiesPageRequest {
                domain: domain.clone(),
                run: run.clone(),
                next_token,
            })
        },
    )
    .await?;
    Ok(listed.items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(items: &[u32], next: Option<&str>) -> Page<u32> {
        Page {
            items: items.to_vec(),
            next_token: next.map(str::to_owned),
        }
    }

    /// Three pages: [1, 2] t2 [3, 4] t3 [5].
    async fn three_pages(token: Option<String>) -> Result<Page<u32>, Error> {
        Ok(match token.as_deref() {
            None => page(&[1, 2], Some("t2")),
            Some("t2") => page(&[3, 4], Some("t3")),
            Some("t3") => page(&[5], None),
            other => panic!("unexpected token {other:?}"),
        })
    }

    #[tokio::test]
    async fn a_repeated_token_is_an_unexpected_response_not_a_loop() {
        let error = list_pages("ListThings", &Limits::default(), |_| async {
            Ok(page(&[1], Some("same")))
        })
        .await
        .unwrap_err();
        assert_eq!(error.name(), "DataZone.UnexpectedResponse");
        assert!(error.to_string().contains("ListThings"), "{error}");
    }

    #[tokio::test]
    async fn max_items_stops_inside_a_page_and_the_resume_token_picks_up_there() {
        let capped = Limits {
            max_items: Some(3),
            starting_token: None,
        };
        let first = list_pages("L", &capped, three_pages).await.unwrap();
        assert_eq!(first.items, [1, 2, 3]);
        let rest = list_pages(
            "L",
            &Limits {
                max_items: None,
                starting_token: first.resume_token,
            },
            three_pages,
        )
        .await
        .unwrap();
        assert_eq!(rest.items, [4, 5]);
        assert_eq!(rest.resume_token, None);
    }

    #[tokio::test]
    async fn a_zero_cap_or_a_foreign_token_is_invalid_input() {
        for limits in [
            Limits {
                max_items: Some(0),
                starting_token: None,
            },
            Limits {
                max_items: None,
                starting_token: Some("garbage".into()),
            },
        ] {
            let error = list_pages("L", &limits, three_pages).await.unwrap_err();
            assert_eq!(error.name(), "InvalidInput", "{limits:?}");
        }
    }
}
