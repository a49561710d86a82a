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

/// The longest name pattern taken (a data source name is at most 256
/// characters).
pub const MAX_PATTERN_LEN: usize = 256;

/// What the parts of a selection are called where they come from (a JSON
/// field, an environment variable, a command-line flag): errors name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelectionFields {
    pub sources: &'static str,
    pub projects: &'static str,
    pub all_projects: &'static str,
    pub types: &'static str,
    pub name: &'static str,
    pub include_disabled: &'static str,
}

/// A selection as a request gives it, part by part, before any check: the
/// rules are the same whether it comes from an invocation's input, the
/// configuration or dzrun's flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelectionRequest {
    pub sources: Option<Vec<String>>,
    pub projects: Option<Vec<String>>,
    pub all_projects: bool,
    pub types: Option<Vec<String>>,
    pub name: Option<String>,
    pub include_disabled: Option<bool>,
}

impl SelectionRequest {
    /// The selection this request makes, `None` when it names none: one
    /// scope at most (named sources, projects, or all projects); filters
    /// only with a project scope; every id checked against the model
    /// (`field[i]` names the one refused); no empty list, type or pattern.
    pub fn selection(self, fields: &SelectionFields) -> Result<Option<Selection>, Error> {
        let filtered =
            self.types.is_some() || self.name.is_some() || self.include_disabled.is_some();
        let scopes = [
            self.sources.is_some(),
            self.projects.is_some(),
            self.all_projects,
        ];
        match scopes.iter().filter(|given| **given).count() {
            0 if filtered => {
                return Err(Error::invalid_input(
                    fields.types,
                    format!(
                        "filters need {} or {} to filter",
                        fields.projects, fields.all_projects
                    ),
                ));
            }
            0 => return Ok(None),
            1 => {}
            _ => {
                return Err(Error::invalid_input(
                    fields.sources,
                    format!(
                        "give one of {}, {} and {}",
                        fields.sources, fields.projects, fields.all_projects
                    ),
                ));
            }
        }
        if let Some(ids) = self.sources {
            if filtered {
                return Err(Error::invalid_input(
                    fields.sources,
                    format!(
                        "named data sources are taken as given: no {}, {} or {}",
                        fields.types, fields.name, fields.include_disabled
                    ),
                ));
            }
            return Ok(Some(Selection::Sources(checked_ids(
                ids,
                fields.sources,
                DataSourceId::parse,
            )?)));
        }
        let scope = match self.projects {
            Some(ids) => {
                ProjectScope::Projects(checked_ids(ids, fields.projects, ProjectId::parse)?)
            }
            None => ProjectScope::AllProjects,
        };
        let types = self.types.unwrap_or_default();
        if let Some(index) = types.iter().position(|kind| kind.trim().is_empty()) {
            return Err(Error::invalid_input(
                &format!("{}[{index}]", fields.types),
                "must not be empty",
            ));
        }
        if let Some(pattern) = &self.name
            && !(1..=MAX_PATTERN_LEN).contains(&pattern.chars().count())
        {
            return Err(Error::invalid_input(
                fields.name,
                format!("must be 1 to {MAX_PATTERN_LEN} characters"),
            ));
        }
        Ok(Some(Selection::Projects {
            scope,
            filter: SourceFilter {
                types,
                name: self.name,
                include_disabled: self.include_disabled.unwrap_or(false),
            },
        }))
    }
}

/// `ids`, at least one, each checked with `parse` as `field[i]`.
fn checked_ids<T>(
    ids: Vec<String>,
    field: &str,
    parse: impl Fn(&str, String) -> Result<T, Error>,
) -> Result<Vec<T>, Error> {
    if ids.is_empty() {
        return Err(Error::invalid_input(field, "must name at least one"));
    }
    ids.into_iter()
        .enumerate()
        .map(|(index, id)| parse(&format!("{field}[{index}]"), id))
        .collect()
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
