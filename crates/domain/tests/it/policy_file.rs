//! RX.1: the shipped policy loads, and a broken copy is refused naming its line.

use domain::Policy;

const SHIPPED: &str = include_str!("../../../../policy/nanyang-2025.toml");

/// RX.1, R32.1: the measures as a versioned policy with its effective date.
#[test]
fn rx1_the_shipped_policy_loads_with_version_and_effective_date() {
    let p = Policy::from_toml("nanyang-2025.toml", SHIPPED).unwrap();
    assert_eq!(p.version, "2025.1");
    assert_eq!(p.effective.to_string(), "2025-01-01");
    let demand = p.kind("demand").unwrap();
    assert_eq!(
        demand.transition("submit").unwrap().article.as_str(),
        "13.2"
    );
}

/// R4.1: the demand-unit kinds of art. 4.
#[test]
fn r4_1_the_policy_lists_exactly_the_demand_unit_kinds_of_article_4() {
    let p = Policy::from_toml("p.toml", SHIPPED).unwrap();
    let kinds: Vec<&str> = p
        .org_kinds
        .iter()
        .filter(|k| k.demand_unit)
        .map(|k| k.id.as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "PartyDept",
            "CongressDept",
            "GovernmentDept",
            "CppccDept",
            "FundedInstitution",
            "MassOrganisation",
            "CityEnterprise"
        ]
    );
    assert!(
        p.org_kinds
            .iter()
            .filter(|k| k.demand_unit)
            .all(|k| k.article.as_str() == "4")
    );
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn rx1_an_unknown_role_in_a_transition_is_an_error_naming_its_line() {
    let broken = SHIPPED.replacen(
        "roles = [\"datacenter_analyst\"]\nguards",
        "roles = [\"data_wizard\"]\nguards",
        1,
    );
    let err = Policy::from_toml("copy.toml", &broken).unwrap_err();
    assert_eq!(err.line, line_of(&broken, "data_wizard"));
    assert!(
        err.to_string()
            .starts_with(&format!("copy.toml:{}:", err.line))
    );
    assert!(err.message.contains("unknown role `data_wizard`"), "{err}");
}

#[test]
fn rx1_an_unknown_state_or_guard_is_an_error_naming_its_line() {
    let broken = SHIPPED.replacen("to = \"under_analysis\"", "to = \"pondering\"", 1);
    let err = Policy::from_toml("copy.toml", &broken).unwrap_err();
    assert_eq!(err.line, line_of(&broken, "pondering"));
    assert!(err.message.contains("unknown state"));

    let broken = SHIPPED.replacen("guards = [\"not_own_unit\"]", "guards = [\"full_moon\"]", 1);
    let err = Policy::from_toml("copy.toml", &broken).unwrap_err();
    assert_eq!(err.line, line_of(&broken, "full_moon"));
    assert!(err.message.contains("unknown guard"));
}

#[test]
fn rx1_a_syntax_error_names_its_line() {
    let broken = format!("{SHIPPED}\n[[kind]\n");
    let err = Policy::from_toml("copy.toml", &broken).unwrap_err();
    assert_eq!(err.line, broken.lines().count());
}
