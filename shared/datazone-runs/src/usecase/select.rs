//! Which data sources to run: named ones, or every source of some projects
//! (or of the whole domain), filtered by type and name, runnable ones
//! only unless asked otherwise. Resolved at each execution, so a source
//! added to a project is picked up without a redeploy.

use serde::{Deserialize, Serialize};
use wildmatch::WildMatch;

use crate::Error;
use crate::model::data_source::DataSourceSummary;
use crate::model::ids::{DataSourceId, DomainId, ProjectId};
use crate::port::{DataSourcesPageRequest, DataZone, ProjectsPageRequest};
use crate::usecase::pace::{Pacer, StepTime};
use crate::usecase::pages::{Limits, list_pages};

/// Which projects' sources to select.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ProjectScope {
    /// These projects.
    Projects(Vec<ProjectId>),
    /// Every project of the domain (ListProjects).
    AllProjects,
}

/// A selection of data sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Selection {
    /// Exactly these sources, in this order (repeats dropped).
    Sources(Vec<DataSourceId>),
    /// The sources of projects, filtered.
    Projects {
        scope: ProjectScope,
        filter: SourceFilter,
    },
}

/// What a project's source must be to be selected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceFilter {
    /// Its type is one of these (`GLUE`, `REDSHIFT`, …); empty: any.
    #[serde(default)]
    pub types: Vec<String>,
    /// Its name matches this pattern (`*` any run of characters, `?` one).
    #[serde(default)]
    pub name: Option<String>,
    /// Disabled sources and sources not `READY` too.
    #[serde(default)]
    pub include_disabled: bool,
}

impl SourceFilter {
    pub fn accepts(&self, source: &DataSourceSummary) -> bool {
        (self.types.is_empty() || self.types.iter().any(|t| t == &source.source_type))
            && self
                .name
                .as_deref()
                .is_none_or(|pattern| WildMatch::new(pattern).matches(&source.name))
            && (self.include_disabled || source.runnable())
    }
}

/// A selected source: its id, and its name when the selection listed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedSource {
    pub id: DataSourceId,
    pub name: Option<String>,
}

/// What a selection resolved to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selected {
    pub sources: Vec<SelectedSource>,
    /// Projects of the whole domain whose sources the caller may not list:
    /// left out, not failed (a project the automation is no member of is
    /// not its to run).
    pub denied_projects: Vec<ProjectId>,
}

/// Resolves `selection` in `domain`; every List call waits for `pacer`.
pub async fn select_sources(
    datazone: &impl DataZone,
    domain: &DomainId,
    selection: &Selection,
    pacer: &Pacer,
    time: Option<StepTime>,
) -> Result<Selected, Error> {
    // Each page is asked for only while the step has time for it: a
    // selection cut off by the function's timeout would be lost whole.
    let time_for_a_page = || {
        time.map_or(Ok(()), |time| {
            time.ensure_a_call("selecting the data sources")
        })
    };
    let mut denied_projects = Vec::new();
    let mut selected: Vec<SelectedSource> = Vec::new();
    let mut keep = |source: SelectedSource| {
        if !selected.iter().any(|known| known.id == source.id) {
            selected.push(source);
        }
    };
    match selection {
        Selection::Sources(ids) => {
            for id in ids {
                keep(SelectedSource {
                    id: id.clone(),
                    name: None,
                });
            }
        }
        Selection::Projects { scope, filter } => {
            let projects = match scope {
                ProjectScope::Projects(projects) => projects.clone(),
                ProjectScope::AllProjects => {
                    list_pages("ListProjects", &Limits::default(), |next_token| async {
                        time_for_a_page()?;
                        pacer.wait().await;
                        datazone
                            .list_projects(ProjectsPageRequest {
                                domain: domain.clone(),
                                next_token,
                            })
                            .await
                    })
                    .await?
                    .items
                    .into_iter()
                    .map(|project| project.id)
                    .collect()
                }
            };
            let whole_domain = matches!(scope, ProjectScope::AllProjects);
            for project in &projects {
                let listed =
                    list_pages("ListDataSources", &Limits::default(), |next_token| async {
                        time_for_a_page()?;
                        pacer.wait().await;
                        datazone
                            .list_data_sources(DataSourcesPageRequest {
                                domain: domain.clone(),
                                project: project.clone(),
                                next_token,
                            })
                            .await
                    })
                    .await;
                let sources = match listed {
                    Err(Error::AccessDenied(reason) | Error::Unauthorized(reason))
                        if whole_domain =>
                    {
                        tracing::warn!(project_id = %project, reason, "project left out: its data sources cannot be listed");
                        denied_projects.push(project.clone());
                        continue;
                    }
                    other => other?,
                };
                for source in sources.items.into_iter().filter(|s| filter.accepts(s)) {
                    keep(SelectedSource {
                        id: source.id,
                        name: Some(source.name),
                    });
                }
            }
        }
    }
    Ok(Selected {
        sources: selected,
        denied_projects,
    })
}
