//! Settings read from the values a deployment gives them: trimmed, checked
//! against their bounds, and named when refused.

use datazone_runs::Error;
use datazone_runs::settings::{
    Flag, Number, Rate, Text, as_configuration_error, defaults, list, present,
};

fn given(value: &str) -> Option<String> {
    Some(value.to_owned())
}

fn reason(error: Error) -> (String, String) {
    match error {
        Error::InvalidConfiguration { variable, reason } => (variable, reason),
        other => panic!("not a configuration error: {other:?}"),
    }
}

const NUMBER: Number<u64> = Number {
    name: "DZ_TEST_NUMBER",
    default: 30,
    min: 1,
    max: 900,
};
const RATE: Rate = Rate {
    name: "DZ_TEST_RATE",
    default: 8.0,
};
const FLAG: Flag = Flag {
    name: "DZ_TEST_FLAG",
    default: true,
};
const TEXT: Text = Text {
    name: "DZ_TEST_TEXT",
    default: "default",
};

#[test]
fn values_are_trimmed_and_blank_is_unset() {
    assert_eq!(present(given("  orders \n")).as_deref(), Some("orders"));
    assert_eq!(present(given("   ")), None);
    assert_eq!(present(None), None);
    assert_eq!(TEXT.read(given(" orders ")), "orders");
    assert_eq!(TEXT.read(given("  ")), "default");
    assert_eq!(TEXT.read(None), "default");
}

#[test]
fn whole_numbers_keep_to_their_inclusive_bounds() {
    assert_eq!(NUMBER.read(None).unwrap(), 30);
    assert_eq!(NUMBER.read(given(" ")).unwrap(), 30);
    assert_eq!(NUMBER.read(given("1")).unwrap(), 1);
    assert_eq!(NUMBER.read(given("900")).unwrap(), 900);
    assert_eq!(NUMBER.read_set(None).unwrap(), None);
    assert_eq!(NUMBER.read_set(given("7")).unwrap(), Some(7));
    for refused in ["0", "901", "ten"] {
        let (named, why) = reason(NUMBER.read(given(refused)).unwrap_err());
        assert_eq!(named, "DZ_TEST_NUMBER");
        assert!(why.contains("from 1 to 900"), "{why}");
        assert!(NUMBER.read_set(given(refused)).is_err());
    }
}

#[test]
fn rates_are_finite_and_above_zero() {
    assert_eq!(RATE.read(given("0.5")).unwrap(), 0.5);
    assert_eq!(RATE.read(None).unwrap(), 8.0);
    for refused in ["0", "-2", "inf", "NaN", "fast"] {
        let (named, why) = reason(RATE.read(given(refused)).unwrap_err());
        assert_eq!(named, "DZ_TEST_RATE");
        assert!(why.contains("above 0"), "{why}");
    }
}

#[test]
fn flags_are_exactly_true_or_false() {
    assert!(FLAG.read(given("true")).unwrap());
    assert!(!FLAG.read(given("false")).unwrap());
    assert!(FLAG.read(None).unwrap());
    let off = Flag {
        default: false,
        ..FLAG
    };
    assert!(!off.read(None).unwrap());
    assert_eq!(
        reason(FLAG.read(given("yes")).unwrap_err()).0,
        "DZ_TEST_FLAG"
    );
}

#[test]
fn lists_split_on_commas_or_white_space() {
    assert_eq!(
        list(given("ds_a, ds_b,,ds_c\tds_d ")),
        ["ds_a", "ds_b", "ds_c", "ds_d"]
    );
    assert!(list(None).is_empty());
    assert!(list(given("  ")).is_empty());
}

#[test]
fn an_input_error_about_a_setting_names_it_as_configuration() {
    let input = Error::InvalidInput {
        field: "DZ_TEST_LIST".into(),
        reason: "not an id".into(),
    };
    assert_eq!(
        reason(as_configuration_error(input)),
        ("DZ_TEST_LIST".to_owned(), "not an id".to_owned())
    );
    let other = Error::ReportRefused("denied".into());
    assert_eq!(as_configuration_error(other).name(), "Report.Refused");
}

#[test]
fn every_default_is_written_as_a_deployment_writes_it() {
    let defaults = defaults();
    let default = |name: &str| {
        defaults
            .iter()
            .find(|(setting, _)| *setting == name)
            .map(|(_, value)| value.as_str())
    };
    assert_eq!(default("START_REQUESTS_PER_SECOND"), Some("8"));
    assert_eq!(default("GENERATE_METADATA"), Some("false"));
    assert_eq!(default("MAX_POLLS"), Some("45"));
    assert_eq!(default("REPORT_PREFIX"), Some("harvests/"));
    let mut names: Vec<&str> = defaults.iter().map(|(name, _)| *name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), defaults.len(), "each setting once");
}
