//! Selecting data sources through the port, against the in-memory DataZone.

use datazone_runs::model::ids::ProjectId;
use datazone_runs::testing::{FakeDataZone, domain, source};
use std::time::Duration;

use datazone_runs::usecase::pace::{Budget, Pacer, StepTime};
use datazone_runs::usecase::select::{
    ProjectScope, SelectedSource, Selection, SourceFilter, select_sources,
};

fn project(id: &str) -> ProjectId {
    ProjectId::parse("projectId", id).unwrap()
}

/// Two projects: sales (five sources, over three pages) and web (two).
fn fleet() -> FakeDataZone {
    let fake = FakeDataZone::default();
    for id in ["prj_sales", "prj_web", "prj_empty"] {
        fake.add_project(id);
    }
    fake.add_data_source(
        "prj_sales",
        "ds_orders",
        "orders-glue",
        "GLUE",
        "READY",
        "ENABLED",
    );
    fake.add_data_source(
        "prj_sales",
        "ds_lines",
        "order-lines-glue",
        "GLUE",
        "READY",
        "ENABLED",
    );
    fake.add_data_source(
        "prj_sales",
        "ds_old",
        "orders-archive",
        "GLUE",
        "READY",
        "DISABLED",
    );
    fake.add_data_source(
        "prj_sales",
        "ds_broken",
        "orders-new",
        "GLUE",
        "FAILED_CREATION",
        "ENABLED",
    );
    fake.add_data_source(
        "prj_sales",
        "ds_dw",
        "orders-redshift",
        "REDSHIFT",
        "READY",
        "ENABLED",
    );
    fake.add_data_source(
        "prj_web",
        "ds_clicks",
        "clicks-redshift",
        "REDSHIFT",
        "READY",
        "ENABLED",
    );
    fake.add_data_source(
        "prj_web",
        "ds_pages",
        "pages-glue",
        "GLUE",
        "RUNNING",
        "ENABLED",
    );
    fake
}

async fn select(fake: &FakeDataZone, selection: Selection) -> Vec<String> {
    select_sources(
        fake,
        &domain(),
        &selection,
        &Pacer::per_second(1000.0),
        None,
    )
    .await
    .unwrap()
    .sources
    .into_iter()
    .map(|source| source.id.to_string())
    .collect()
}

fn of_projects(projects: &[&str], filter: SourceFilter) -> Selection {
    Selection::Projects {
        scope: ProjectScope::Projects(projects.iter().map(|id| project(id)).collect()),
        filter,
    }
}

#[tokio::test]
async fn named_sources_are_taken_as_given_once_each() {
    let fake = fleet();
    let selection = Selection::Sources(vec![source("b"), source("a"), source("b")]);
    let selected = select_sources(
        &fake,
        &domain(),
        &selection,
        &Pacer::per_second(1000.0),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        selected.sources,
        [
            SelectedSource {
                id: source("b"),
                name: None
            },
            SelectedSource {
                id: source("a"),
                name: None
            }
        ]
    );
    assert_eq!(fake.all_calls(), 0, "named sources need no listing");
}

#[tokio::test]
async fn every_runnable_source_of_the_projects_over_every_page() {
    let fake = fleet();
    let selected = select(
        &fake,
        of_projects(&["prj_sales", "prj_web"], SourceFilter::default()),
    )
    .await;
    // Disabled and not-READY sources are left out.
    assert_eq!(selected, ["ds_orders", "ds_lines", "ds_dw", "ds_clicks"]);
    assert_eq!(fake.calls("ListDataSources"), 3 + 1);
    let with_disabled = SourceFilter {
        include_disabled: true,
        ..SourceFilter::default()
    };
    let all = select(&fake, of_projects(&["prj_web"], with_disabled)).await;
    assert_eq!(all, ["ds_clicks", "ds_pages"]);
}

#[tokio::test]
async fn filters_by_type_and_name_pattern() {
    let fake = fleet();
    let glue = SourceFilter {
        types: vec!["GLUE".into()],
        ..SourceFilter::default()
    };
    assert_eq!(
        select(&fake, of_projects(&["prj_sales", "prj_web"], glue)).await,
        ["ds_orders", "ds_lines"]
    );
    let orders = SourceFilter {
        name: Some("orders-*".into()),
        ..SourceFilter::default()
    };
    assert_eq!(
        select(&fake, of_projects(&["prj_sales"], orders)).await,
        ["ds_orders", "ds_dw"]
    );
    let one_char = SourceFilter {
        name: Some("order?-glue".into()),
        types: vec!["GLUE".into(), "REDSHIFT".into()],
        include_disabled: false,
    };
    assert_eq!(
        select(&fake, of_projects(&["prj_sales"], one_char)).await,
        ["ds_orders"]
    );
}

#[tokio::test]
async fn the_whole_domain_is_every_project_listed() {
    let fake = fleet();
    let selection = Selection::Projects {
        scope: ProjectScope::AllProjects,
        filter: SourceFilter::default(),
    };
    let selected = select(&fake, selection).await;
    assert_eq!(selected, ["ds_orders", "ds_lines", "ds_dw", "ds_clicks"]);
    // Three projects over two pages; sources of each project.
    assert_eq!(fake.calls("ListProjects"), 2);
    assert_eq!(fake.calls("ListDataSources"), 3 + 1 + 1);
}

#[tokio::test(start_paused = true)]
async fn listing_is_paced() {
    let fake = fleet();
    let began = tokio::time::Instant::now();
    let selection = Selection::Projects {
        scope: ProjectScope::AllProjects,
        filter: SourceFilter::default(),
    };
    select_sources(&fake, &domain(), &selection, &Pacer::per_second(2.0), None)
        .await
        .unwrap();
    // Seven List calls at two a second: the first at once, six 500 ms apart.
    assert_eq!(began.elapsed(), std::time::Duration::from_secs(3));
}

#[tokio::test]
async fn a_project_of_the_domain_that_denies_listing_is_left_out_and_named() {
    let fake = fleet();
    fake.deny_listing_of("prj_sales");
    let whole_domain = Selection::Projects {
        scope: ProjectScope::AllProjects,
        filter: SourceFilter::default(),
    };
    let selected = select_sources(
        &fake,
        &domain(),
        &whole_domain,
        &Pacer::per_second(1000.0),
        None,
    )
    .await
    .unwrap();
    let ids: Vec<String> = selected.sources.iter().map(|s| s.id.to_string()).collect();
    assert_eq!(ids, ["ds_clicks"]);
    assert_eq!(selected.denied_projects, [project("prj_sales")]);
    // A project named by the user is not left out: the denial is the answer.
    let named = of_projects(&["prj_sales"], SourceFilter::default());
    let error = select_sources(&fake, &domain(), &named, &Pacer::per_second(1000.0), None)
        .await
        .unwrap_err();
    assert_eq!(error.name(), "DataZone.AccessDeniedException");
}

#[tokio::test]
async fn selection_asks_for_a_page_only_while_the_step_has_time_for_it() {
    let fake = fleet();
    let whole_domain = Selection::Projects {
        scope: ProjectScope::AllProjects,
        filter: SourceFilter::default(),
    };
    let time = |left: u64| StepTime {
        budget: Budget::lasting(Duration::from_secs(left)),
        call_allowance: Duration::from_secs(30),
    };
    let pacer = Pacer::per_second(1000.0);
    let error = select_sources(&fake, &domain(), &whole_domain, &pacer, Some(time(29)))
        .await
        .unwrap_err();
    assert_eq!(error.name(), "InvalidConfiguration");
    assert!(
        error.to_string().contains("selecting the data sources"),
        "{error}"
    );
    let selected = select_sources(&fake, &domain(), &whole_domain, &pacer, Some(time(60)))
        .await
        .unwrap();
    assert!(!selected.sources.is_empty());
}
