//! The rules of a selection, whoever gives it (an invocation's input, the
//! configuration, dzrun's flags): one scope at most, filters only with a
//! project scope, every id and filter checked, errors naming the part as
//! its caller calls it.

use datazone_runs::Error;
use datazone_runs::model::ids::{DataSourceId, ProjectId};
use datazone_runs::usecase::select::{
    MAX_PATTERN_LEN, ProjectScope, Selection, SelectionFields, SelectionRequest, SourceFilter,
};

const FIELDS: SelectionFields = SelectionFields {
    sources: "S",
    projects: "P",
    all_projects: "A",
    types: "T",
    name: "N",
    include_disabled: "D",
};

fn ids(values: &[&str]) -> Option<Vec<String>> {
    Some(values.iter().map(|value| value.to_string()).collect())
}

fn refused(request: SelectionRequest) -> (String, String) {
    match request.selection(&FIELDS) {
        Err(Error::InvalidInput { field, reason }) => (field, reason),
        other => panic!("not refused as InvalidInput: {other:?}"),
    }
}

#[test]
fn no_scope_and_no_filter_is_no_selection() {
    assert_eq!(
        SelectionRequest::default().selection(&FIELDS).unwrap(),
        None
    );
}

#[test]
fn named_sources_are_taken_as_given_in_order() {
    let selection = SelectionRequest {
        sources: ids(&["ds_b", "ds_a"]),
        ..SelectionRequest::default()
    }
    .selection(&FIELDS)
    .unwrap();
    let expected = ["ds_b", "ds_a"].map(|id| DataSourceId::parse("S", id).unwrap());
    assert_eq!(selection, Some(Selection::Sources(expected.to_vec())));
}

#[test]
fn projects_or_all_projects_carry_their_filter() {
    let selection = SelectionRequest {
        projects: ids(&["prj_a"]),
        types: ids(&["GLUE"]),
        name: Some("orders-*".into()),
        include_disabled: Some(true),
        ..SelectionRequest::default()
    }
    .selection(&FIELDS)
    .unwrap();
    assert_eq!(
        selection,
        Some(Selection::Projects {
            scope: ProjectScope::Projects(vec![ProjectId::parse("P", "prj_a").unwrap()]),
            filter: SourceFilter {
                types: vec!["GLUE".into()],
                name: Some("orders-*".into()),
                include_disabled: true,
            },
        })
    );
    let everything = SelectionRequest {
        all_projects: true,
        ..SelectionRequest::default()
    }
    .selection(&FIELDS)
    .unwrap();
    assert_eq!(
        everything,
        Some(Selection::Projects {
            scope: ProjectScope::AllProjects,
            filter: SourceFilter::default(),
        })
    );
}

#[test]
fn a_filter_without_a_project_scope_is_refused() {
    for request in [
        SelectionRequest {
            types: ids(&["GLUE"]),
            ..SelectionRequest::default()
        },
        SelectionRequest {
            name: Some("x".into()),
            ..SelectionRequest::default()
        },
        SelectionRequest {
            include_disabled: Some(false),
            ..SelectionRequest::default()
        },
    ] {
        let (field, reason) = refused(request);
        assert_eq!(
            (field.as_str(), reason.as_str()),
            ("T", "filters need P or A to filter")
        );
    }
}

#[test]
fn two_scopes_are_refused() {
    let pairs = [
        (ids(&["ds_a"]), ids(&["prj_a"]), false),
        (ids(&["ds_a"]), None, true),
        (None, ids(&["prj_a"]), true),
    ];
    for (sources, projects, all_projects) in pairs {
        let (field, reason) = refused(SelectionRequest {
            sources,
            projects,
            all_projects,
            ..SelectionRequest::default()
        });
        assert_eq!(
            (field.as_str(), reason.as_str()),
            ("S", "give one of S, P and A")
        );
    }
}

#[test]
fn named_sources_take_no_filter() {
    for request in [
        SelectionRequest {
            sources: ids(&["ds_a"]),
            types: ids(&["GLUE"]),
            ..SelectionRequest::default()
        },
        SelectionRequest {
            sources: ids(&["ds_a"]),
            include_disabled: Some(true),
            ..SelectionRequest::default()
        },
    ] {
        let (field, reason) = refused(request);
        assert_eq!(field, "S");
        assert_eq!(
            reason,
            "named data sources are taken as given: no T, N or D"
        );
    }
}

#[test]
fn every_id_is_checked_and_a_list_names_at_least_one() {
    let (field, reason) = refused(SelectionRequest {
        sources: ids(&[]),
        ..SelectionRequest::default()
    });
    assert_eq!(
        (field.as_str(), reason.as_str()),
        ("S", "must name at least one")
    );
    let (field, _) = refused(SelectionRequest {
        sources: ids(&["ds_a", "bad id"]),
        ..SelectionRequest::default()
    });
    assert_eq!(field, "S[1]");
    let (field, _) = refused(SelectionRequest {
        projects: ids(&["p/q"]),
        ..SelectionRequest::default()
    });
    assert_eq!(field, "P[0]");
    let (field, _) = refused(SelectionRequest {
        projects: ids(&[]),
        ..SelectionRequest::default()
    });
    assert_eq!(field, "P");
}

#[test]
fn types_and_the_name_pattern_must_say_something() {
    let (field, reason) = refused(SelectionRequest {
        all_projects: true,
        types: ids(&["GLUE", " "]),
        ..SelectionRequest::default()
    });
    assert_eq!(
        (field.as_str(), reason.as_str()),
        ("T[1]", "must not be empty")
    );
    for bad in [String::new(), "x".repeat(MAX_PATTERN_LEN + 1)] {
        let (field, _) = refused(SelectionRequest {
            all_projects: true,
            name: Some(bad),
            ..SelectionRequest::default()
        });
        assert_eq!(field, "N");
    }
    let longest = SelectionRequest {
        all_projects: true,
        name: Some("é".repeat(MAX_PATTERN_LEN)),
        ..SelectionRequest::default()
    };
    assert!(longest.selection(&FIELDS).is_ok(), "counted in characters");
}
