//! ListDataSourceRuns across pages, with the paginator's controls: a status
//! filter, a page size, a cap on items across pages (MaxItems), a token to
//! start from, and a resume token when the cap cut the listing short.
//!
//! A resume token can point into the middle of a page, so it carries the
//! service's token for that page and how many of its items were already
//! handed out.

use aws_smithy_types::base64;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::ids::{DataSourceId, DomainId, PageSize};
use crate::port::{DataZone, RunsPageRequest};
use crate::run::{DataSourceRun, DataSourceRunStatus};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRunsRequest {
    pub domain: DomainId,
    pub data_source: DataSourceId,
    pub status: Option<DataSourceRunStatus>,
    pub page_size: Option<PageSize>,
    /// At most this many items over all pages; `None` lists them all.
    pub max_items: Option<usize>,
    /// A resume token from an earlier, capped listing.
    pub starting_token: Option<String>,
}

impl ListRunsRequest {
    pub fn new(domain: DomainId, data_source: DataSourceId) -> Self {
        Self {
            domain,
            data_source,
            status: None,
            page_size: None,
            max_items: None,
            starting_token: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRunsResult {
    pub items: Vec<DataSourceRun>,
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

/// Lists a data source's runs, newest first as DataZone orders them.
pub async fn list_data_source_runs(
    datazone: &impl DataZone,
    request: &ListRunsRequest,
) -> Result<ListRunsResult, Error> {
    if request.max_items == Some(0) {
        return Err(Error::invalid_input("maxItems", "must be at least 1"));
    }
    let mut position = match &request.starting_token {
        Some(token) => ResumePoint::decode(token)?,
        None => ResumePoint::default(),
    };
    let mut items = Vec::new();
    loop {
        let page = datazone
            .list_data_source_runs(&RunsPageRequest {
                domain: request.domain.clone(),
                data_source: request.data_source.clone(),
                status: request.status.clone(),
                max_results: request.page_size,
                next_token: position.page_token.clone(),
            })
            .await?;
        for (index, item) in page
            .items
            .into_iter()
            .enumerate()
            .skip(position.items_to_skip)
        {
            if request.max_items == Some(items.len()) {
                let resume = ResumePoint {
                    page_token: position.page_token,
                    items_to_skip: index,
                };
                return Ok(ListRunsResult {
                    items,
                    resume_token: Some(resume.encode()),
                });
            }
            items.push(item);
        }
        let Some(next_token) = page.next_token else {
            return Ok(ListRunsResult {
                items,
                resume_token: None,
            });
        };
        if position.page_token.as_deref() == Some(next_token.as_str()) {
            return Err(Error::UnexpectedResponse(
                "ListDataSourceRuns returned the token it was given; stopping instead of looping"
                    .into(),
            ));
        }
        position = ResumePoint {
            page_token: Some(next_token),
            items_to_skip: 0,
        };
        if request.max_items == Some(items.len()) {
            return Ok(ListRunsResult {
                items,
                resume_token: Some(position.encode()),
            });
        }
    }
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
            max_items: Some(1),
            ..ListRunsRequest::new(domain.clone(), data_source.clone())
        };
        if let Some(run) = list_data_source_runs(datazone, &request).await?.items.pop() {
            return Ok(Some(run));
        }
    }
    Ok(None)
}
