//! Settings read from the environment. The only test of this binary: it
//! sets variables, and no other thread of the process reads them meanwhile.

use datazone_runs::Error;
use datazone_runs::settings::{
    as_configuration_error, env_domain, env_flag, env_list, env_number, env_rate, env_string,
    env_value,
};

fn set(variable: &str, value: &str) {
    // SAFETY: this binary's one test runs alone; no other thread reads or
    // writes the environment while it does.
    unsafe { std::env::set_var(variable, value) }
}

fn reason(error: Error) -> (String, String) {
    match error {
        Error::InvalidConfiguration { variable, reason } => (variable, reason),
        other => panic!("not a configuration error: {other:?}"),
    }
}

#[test]
fn values_are_trimmed_checked_and_named_when_refused() {
    // A value: trimmed; blank counts as unset.
    set("DZ_TEST_VALUE", "  orders \n");
    set("DZ_TEST_BLANK", "   ");
    assert_eq!(env_value("DZ_TEST_VALUE").as_deref(), Some("orders"));
    assert_eq!(env_value("DZ_TEST_BLANK"), None);
    assert_eq!(env_value("DZ_TEST_UNSET"), None);
    assert_eq!(env_string("DZ_TEST_VALUE", "x"), "orders");
    assert_eq!(env_string("DZ_TEST_BLANK", "default"), "default");

    // Whole numbers: the bounds are inclusive; outside them, or not a
    // number, the variable is named.
    set("DZ_TEST_LOW", "1");
    set("DZ_TEST_HIGH", "900");
    set("DZ_TEST_BELOW", "0");
    set("DZ_TEST_ABOVE", "901");
    set("DZ_TEST_WORD", "ten");
    assert_eq!(env_number("DZ_TEST_UNSET", 30_u64, 1, 900).unwrap(), 30);
    assert_eq!(env_number("DZ_TEST_LOW", 30_u64, 1, 900).unwrap(), 1);
    assert_eq!(env_number("DZ_TEST_HIGH", 30_u64, 1, 900).unwrap(), 900);
    for variable in ["DZ_TEST_BELOW", "DZ_TEST_ABOVE", "DZ_TEST_WORD"] {
        let (named, why) = reason(env_number(variable, 30_u64, 1, 900).unwrap_err());
        assert_eq!(named, variable);
        assert!(why.contains("from 1 to 900"), "{why}");
    }

    // Rates: a finite number above zero.
    set("DZ_TEST_RATE", "0.5");
    assert_eq!(env_rate("DZ_TEST_RATE", 8.0).unwrap(), 0.5);
    assert_eq!(env_rate("DZ_TEST_UNSET", 8.0).unwrap(), 8.0);
    for (variable, value) in [
        ("DZ_TEST_RATE_ZERO", "0"),
        ("DZ_TEST_RATE_NEGATIVE", "-2"),
        ("DZ_TEST_RATE_INFINITE", "inf"),
        ("DZ_TEST_RATE_NAN", "NaN"),
    ] {
        set(variable, value);
        let (named, why) = reason(env_rate(variable, 8.0).unwrap_err());
        assert_eq!(named, variable);
        assert!(why.contains("above 0"), "{why}");
    }

    // Flags: exactly true or false.
    set("DZ_TEST_TRUE", "true");
    set("DZ_TEST_FALSE", "false");
    set("DZ_TEST_YES", "yes");
    assert!(env_flag("DZ_TEST_TRUE", false).unwrap());
    assert!(!env_flag("DZ_TEST_FALSE", true).unwrap());
    assert!(env_flag("DZ_TEST_UNSET", true).unwrap());
    assert!(!env_flag("DZ_TEST_UNSET", false).unwrap());
    assert_eq!(
        reason(env_flag("DZ_TEST_YES", false).unwrap_err()).0,
        "DZ_TEST_YES"
    );

    // Lists: commas or white space between items, empty items dropped.
    set("DZ_TEST_LIST", "ds_a, ds_b,,ds_c\tds_d ");
    assert_eq!(env_list("DZ_TEST_LIST"), ["ds_a", "ds_b", "ds_c", "ds_d"]);
    assert!(env_list("DZ_TEST_UNSET").is_empty());
    assert!(env_list("DZ_TEST_BLANK").is_empty());

    // An input error about a value read from a variable becomes a
    // configuration error naming it; other errors pass through.
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

    // The configured domain: none when unset, checked when set.
    set("DATAZONE_DOMAIN_ID", " ");
    assert_eq!(env_domain().unwrap(), None);
    set("DATAZONE_DOMAIN_ID", "dzd_sales2026");
    assert_eq!(env_domain().unwrap().unwrap().as_str(), "dzd_sales2026");
    set("DATAZONE_DOMAIN_ID", "not a domain");
    assert_eq!(reason(env_domain().unwrap_err()).0, "DATAZONE_DOMAIN_ID");
}
