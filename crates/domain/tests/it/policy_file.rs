//! RX.1: the shipped policy loads, and a broken copy is refused naming its part and line.

use crate::{edited, line_of, shipped, text_of};
use domain::Policy;

/// RX.1, R32.1: the measures as a versioned policy with its effective date.
#[test]
fn rx1_the_shipped_policy_loads_with_version_and_effective_date() {
    let p = shipped();
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
    let p = shipped();
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

#[test]
fn rx1_an_unknown_role_in_a_transition_is_an_error_naming_its_part_and_line() {
    let (broken, part) = edited(
        "roles = [\"datacenter_analyst\"]\ndistinct_from",
        "roles = [\"data_wizard\"]\ndistinct_from",
    );
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert_eq!(err.file, format!("copy/{part}"));
    assert_eq!(err.line, line_of(text_of(&broken, &part), "data_wizard"));
    assert!(
        err.to_string()
            .starts_with(&format!("copy/{part}:{}:", err.line))
    );
    assert!(err.message.contains("unknown role `data_wizard`"), "{err}");
}

#[test]
fn rx1_an_unknown_state_or_guard_is_an_error_naming_its_part_and_line() {
    let (broken, part) = edited("to = \"under_analysis\"", "to = \"pondering\"");
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert_eq!(err.file, format!("copy/{part}"));
    assert_eq!(err.line, line_of(text_of(&broken, &part), "pondering"));
    assert!(err.message.contains("unknown state"));

    let (broken, part) = edited("guards = [\"not_own_unit\"]", "guards = [\"full_moon\"]");
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert_eq!(err.file, format!("copy/{part}"));
    assert_eq!(err.line, line_of(text_of(&broken, &part), "full_moon"));
    assert!(err.message.contains("unknown guard"));
}

#[test]
fn rx1_a_syntax_error_names_its_part_and_line() {
    let mut broken = crate::shipped_files();
    let (part, text) = broken.last_mut().unwrap();
    text.push_str("\n[[kind]\n");
    let (part, lines) = (part.clone(), text.lines().count());
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert_eq!(err.file, format!("copy/{part}"));
    assert_eq!(err.line, lines);
}

/// Issue 11, point 17: a withdrawal must lead back from where the withdrawn step led, and a
/// `when` refusal needs both languages; both are caught at load, naming the line.
#[test]
fn rx1_a_withdrawal_of_the_wrong_step_and_a_half_written_refusal_fail_to_load() {
    let (broken, part) = edited("undoes = \"submit\"", "undoes = \"start_analysis\"");
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert_eq!(err.file, format!("copy/{part}"));
    assert_eq!(
        err.line,
        line_of(text_of(&broken, &part), "undoes = \"start_analysis\"")
    );
    assert!(err.message.contains("undoes"), "{err}");
    let (broken, _) = edited(
        "article = \"14.2\", zh = \"公司自筹资金建设的项目须先",
        "article = \"14.2\", zz = \"公司自筹资金建设的项目须先",
    );
    assert!(Policy::from_sources("copy", &broken).is_err());
    let (broken, part) = edited(
        ", en = \"A project the Company funds itself starts only after its NDRC filing: apply for the filing first, and start once the NDRC has recorded it.\"",
        "",
    );
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert_eq!(err.file, format!("copy/{part}"));
    assert!(err.message.contains("both `zh` and `en`"), "{err}");
}

/// Issue 11, point 17: the handling acts' names are the engine's, and whoever may urge must be
/// a role of the policy; both are caught at load.
#[test]
fn rx1_a_step_named_like_a_handling_act_and_an_unknown_urging_role_fail_to_load() {
    let (broken, part) = edited("id = \"start_analysis\"", "id = \"urge\"");
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert_eq!(err.file, format!("copy/{part}"));
    assert!(err.message.contains("handling act"), "{err}");
    let (broken, part) = edited(
        "urge_roles = [\"bureau_planner\", \"bureau_leader\"]",
        "urge_roles = [\"bureau_planer\", \"bureau_leader\"]",
    );
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert_eq!(err.file, format!("copy/{part}"));
    assert_eq!(err.line, line_of(text_of(&broken, &part), "bureau_planer"));
    assert!(err.message.contains("bureau_planer"), "{err}");
    // A countersigned step leaves the item where it is until the last signature, which the
    // acts cannot tell: a kind with one allows no hand-over.
    let (broken, part) = edited(
        "prefix = \"XM\"\n",
        "prefix = \"XM\"\nhandling = { hand_over = true }\n",
    );
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert_eq!(err.file, format!("copy/{part}"));
    assert!(err.message.contains("countersigned"), "{err}");
}

/// RX.5 and issue 12, point 10: the policy's English (names, steps, messages, articles, the
/// issued documents) carries English punctuation, no full-width marks and no Chinese.
#[test]
fn rx5_the_policys_english_has_no_full_width_punctuation_or_chinese() {
    // A document number given as an example (宛数政〔2026〕12号) is Chinese in every language.
    let bad = |s: &str| {
        s.split_whitespace()
            .filter(|w| {
                !(w.contains('〔') && w.trim_end_matches(['"', ')', '.', ',']).ends_with('号'))
            })
            .flat_map(str::chars)
            .find(|c| {
                "，。：；（）、“”！？《》【】　".contains(*c)
                    || ('\u{4e00}'..='\u{9fff}').contains(c)
            })
    };
    let mut checked = 0;
    for (name, text) in crate::shipped_files() {
        for (n, line) in text.lines().enumerate() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim();
            if key != "en" && !key.ends_with("_en") {
                continue;
            }
            checked += 1;
            assert_eq!(bad(value), None, "{name}:{}: {line}", n + 1);
        }
    }
    assert!(
        checked > 500,
        "the English of the policy was read ({checked} lines)"
    );
}
