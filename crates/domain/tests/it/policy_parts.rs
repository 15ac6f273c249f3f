//! RX.1: the policy by chapter. A root `policy.toml` lists the parts; rules several steps share
//! are written once and named; every article of the measures is listed with how far the policy
//! models it, and the statuses are held to what the policy cites.

use crate::{FOLDER, edited, line_of, shipped, shipped_files, text_of};
use domain::Policy;
use domain::policy::{ArticleStatus, RuleBody};
use std::path::Path;

/// RX.1: the folder and the same files given as texts (as the binary embeds them) load the
/// same policy, and every file in the folder is the root or one of its parts.
#[test]
fn rx1_the_policy_is_a_folder_whose_root_lists_every_part_in_order() {
    let files = shipped_files();
    let from_texts = Policy::from_sources("policy/nanyang-2025", &files).unwrap();
    assert_eq!(format!("{:?}", shipped()), format!("{from_texts:?}"));
    let mut on_disk: Vec<String> = std::fs::read_dir(FOLDER)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
    assert_eq!(files[1].0, "articles.toml");
    assert_eq!(files[2].0, "organisations.toml");
}

/// RX.1: the kinds keep their order across the parts (lists and the inbox follow it).
#[test]
fn rx1_the_parts_keep_the_kinds_in_the_order_of_the_measures() {
    let ids: Vec<String> = shipped().kinds.iter().map(|k| k.id.clone()).collect();
    assert_eq!(
        ids,
        [
            "demand",
            "campaign",
            "demand_change",
            "plan_opinion",
            "plan",
            "plan_item",
            "emergency",
            "county_plan",
            "county_item",
            "vendor",
            "expert",
            "project",
            "fsr",
            "procurement",
            "project_change",
            "risk",
            "inspection",
            "rectification",
            "defect",
            "deliverable",
            "final_acceptance",
            "usage",
            "asset_transfer",
            "asset",
            "system",
            "code_custody",
            "account_custody",
            "equipment",
            "ticket",
            "assessment",
            "data_rule",
            "attestation",
            "special_fund",
            "fund_allocation",
            "investment_plan",
            "disbursement",
            "final_accounts",
            "accounts_finding",
            "financing_event",
            "guidance",
            "audit_finding"
        ]
    );
}

#[test]
fn rx1_a_part_listed_but_missing_is_an_error_naming_the_root_and_line() {
    let mut files = shipped_files();
    files.retain(|(n, _)| n != "rules.toml");
    let err = Policy::from_sources("copy", &files).unwrap_err();
    assert_eq!(err.file, "copy/policy.toml");
    assert_eq!(err.line, line_of(&files[0].1, "\"rules.toml\""));
    assert!(err.message.contains("`rules.toml` is listed but not given"));

    let dir = std::env::temp_dir().join(format!("tongchou-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in &files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let err = Policy::from_folder(&dir).unwrap_err();
    assert_eq!(err.file, dir.join("policy.toml").display().to_string());
    assert!(err.message.contains("cannot read the part `rules.toml`"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// RX.1: the classified-work refusal (art. 3) and the four states that allow construction work
/// (art. 15) are each written once, and every step that used to copy them obeys them the same.
#[test]
fn rx1_shared_rules_are_written_once_and_obeyed_by_every_step_that_names_them() {
    for (name, text) in shipped_files() {
        if name != "rules.toml" {
            assert!(!text.contains("field = \"secrecy\", values"), "{name}");
            assert!(!text.contains("\"mode_agreed\", \"under_construction\"], article"));
        }
    }
    let p = shipped();
    let users = |rule: &str| {
        p.kinds
            .iter()
            .flat_map(|k| k.transitions.iter().map(move |t| (k, t)))
            .filter(|(_, t)| {
                t.forbid.iter().any(|f| f.rule.as_deref() == Some(rule))
                    || t.requires.iter().any(|r| r.rule.as_deref() == Some(rule))
            })
            .map(|(k, t)| format!("{}.{}", k.id, t.id))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        users("not_classified"),
        [
            "demand.create",
            "demand.create_foundational",
            "demand.edit",
            "demand.submit",
            "demand.submit_foundational"
        ]
    );
    assert_eq!(
        users("project_cleared_to_build"),
        [
            "procurement.create",
            "project_change.create",
            "risk.create",
            "inspection.create"
        ]
    );
    let submit = p.kind("demand").unwrap().transition("submit").unwrap();
    let RuleBody::Forbid(rule) = &p.rule("not_classified").unwrap().body else {
        panic!("not_classified is a forbid");
    };
    assert_eq!(submit.forbid.len(), 1);
    assert_eq!(
        (&submit.forbid[0].field, &submit.forbid[0].values),
        (&rule.field, &rule.values)
    );
    assert_eq!(submit.forbid[0].article.as_str(), "3.1");
}

#[test]
fn rx1_an_unknown_rule_name_is_an_error_naming_its_part_and_line() {
    let (broken, part) = edited(
        "rules = [\"project_cleared_to_build\"]",
        "rules = [\"project_well_under_way\"]",
    );
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert_eq!(err.file, format!("copy/{part}"));
    assert_eq!(
        err.line,
        line_of(text_of(&broken, &part), "project_well_under_way")
    );
    assert!(
        err.message
            .contains("unknown rule `project_well_under_way`"),
        "{err}"
    );
}

#[test]
fn rx1_a_rule_used_by_a_kind_without_its_field_names_the_rule_and_the_use() {
    // The plan has no `secrecy` field: the rule is refused where it is used, naming both places.
    let (broken, part) = edited(
        "id = \"create\"\nzh = \"编制年度计划\"",
        "id = \"create\"\nrules = [\"not_classified\"]\nzh = \"编制年度计划\"",
    );
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert_eq!(err.file, "copy/rules.toml");
    assert_eq!(
        err.line,
        line_of(text_of(&broken, "rules.toml"), "field = \"secrecy\"")
    );
    let used = line_of(text_of(&broken, &part), "rules = [\"not_classified\"]");
    assert!(
        err.message.contains(&format!(
            "rule `not_classified`, as used by `plan.create` (copy/{part}:{used}): unknown field `secrecy`"
        )),
        "{err}"
    );
}

#[test]
fn rx1_a_rule_no_step_uses_is_refused() {
    let mut files = shipped_files();
    for (_, text) in &mut files {
        *text = text
            .replace("rules = [\"case_by_case_for_emergencies_only\"]\n", "")
            .replace(", \"case_by_case_for_emergencies_only\"]", "]");
    }
    let err = Policy::from_sources("copy", &files).unwrap_err();
    assert_eq!(err.file, "copy/rules.toml");
    assert_eq!(
        err.line,
        line_of(
            text_of(&files, "rules.toml"),
            "id = \"case_by_case_for_emergencies_only\""
        )
    );
    assert!(
        err.message
            .contains("rule `case_by_case_for_emergencies_only` is used by no transition"),
        "{err}"
    );
}

/// R32.1, RX.1: all 32 articles are listed in order with their heading words; articles 16 and
/// 20 are modelled whole (issue 13), 26 not yet.
#[test]
fn rx1_the_policy_lists_all_32_articles_with_their_headings_and_status() {
    let p = shipped();
    let numbers: Vec<u32> = p.articles.iter().map(|a| a.number).collect();
    assert_eq!(numbers, (1..=32).collect::<Vec<_>>());
    assert_eq!(p.chapters.len(), 8);
    assert!(
        p.articles
            .iter()
            .all(|a| !a.heading.zh.is_empty() && !a.heading.en.is_empty())
    );
    let a = |n| p.article(n).unwrap();
    assert_eq!(a(16).status, ArticleStatus::Modelled);
    assert_eq!(a(20).status, ArticleStatus::Modelled);
    assert_eq!(a(26).status, ArticleStatus::Partly);
    assert_eq!(a(27).status, ArticleStatus::Modelled);
    assert_eq!(a(29).status, ArticleStatus::NotYet);
    assert_eq!(a(13).status, ArticleStatus::Modelled);
    assert_eq!(p.chapter(a(13).chapter).unwrap().name.zh, "实施流程");
    assert_eq!(
        p.chapter(a(13).chapter).unwrap().title(domain::Lang::Zh),
        "第三章 实施流程"
    );
}

/// RX.1: what a status says is what the policy cites: an article is `not yet` exactly when
/// nothing in the policy cites it.
#[test]
fn rx1_every_cited_article_is_listed_and_not_yet_means_nothing_cites_it() {
    let p = shipped();
    let mut cited: Vec<&domain::Article> = Vec::new();
    cited.extend(p.org_kinds.iter().map(|o| &o.article));
    cited.extend(p.roles.iter().flat_map(|r| &r.duties));
    for k in &p.kinds {
        cited.extend(
            k.states
                .iter()
                .filter_map(|s| s.note.as_ref().map(|(_, a)| a)),
        );
        for t in &k.transitions {
            cited.push(&t.article);
            cited.extend(t.forbid.iter().map(|f| &f.article));
            cited.extend(t.requires.iter().map(|r| &r.article));
            cited.extend(t.within.iter().map(|w| &w.article));
            cited.extend(t.within.iter().flat_map(|w| &w.also));
        }
    }
    for c in &cited {
        let listed = p
            .article(c.number())
            .unwrap_or_else(|| panic!("art. {c} is not listed"));
        assert_ne!(listed.status, ArticleStatus::NotYet, "art. {c} is cited");
    }
    for a in &p.articles {
        let is_cited = cited.iter().any(|c| c.number() == a.number);
        assert_eq!(
            is_cited,
            a.status != ArticleStatus::NotYet,
            "art. {} is {:?}",
            a.number,
            a.status
        );
    }
}

#[test]
fn rx1_a_transition_citing_an_article_marked_not_yet_fails_to_load() {
    // The system register's step cites art. 19 today; art. 29 (project evaluations) is not
    // modelled.
    let (broken, part) = edited(
        "required = [\"name\", \"description\", \"om_owner\", \"mlps_level\"]\narticle = \"19\"",
        "required = [\"name\", \"description\", \"om_owner\", \"mlps_level\"]\narticle = \"29\"",
    );
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert_eq!(err.file, format!("copy/{part}"));
    assert_eq!(
        err.line,
        line_of(text_of(&broken, &part), "article = \"29\"")
    );
    assert!(err.message.contains("art. 29 is marked `not yet`"), "{err}");
}

#[test]
fn rx1_a_citation_of_an_article_the_measures_do_not_have_fails_to_load() {
    let (broken, part) = edited("article = \"17\"", "article = \"33\"");
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert_eq!(err.file, format!("copy/{part}"));
    assert_eq!(
        err.line,
        line_of(text_of(&broken, &part), "article = \"33\"")
    );
    assert!(
        err.message
            .contains("art. 33 is not among the articles the policy lists (1 to 32)"),
        "{err}"
    );
}

#[test]
fn rx1_an_article_marked_partly_that_nothing_cites_fails_to_load() {
    let (broken, _) = edited(
        "en = \"Project evaluation and rectification\"\nstatus = \"not yet\"",
        "en = \"Project evaluation and rectification\"\nstatus = \"partly\"",
    );
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert_eq!(err.file, "copy/articles.toml");
    let heading = line_of(
        text_of(&broken, "articles.toml"),
        "\"Project evaluation and rectification\"",
    );
    assert_eq!(err.line, heading + 1);
    assert!(
        err.message
            .contains("art. 29 is marked `partly` but nothing in the policy cites it"),
        "{err}"
    );
}

#[test]
fn rx1_a_single_file_policy_still_loads_when_it_holds_every_table() {
    let files = shipped_files();
    let root = &files[0].1;
    let start = root.find("parts = [").unwrap();
    let end = start + root[start..].find("\n]\n").unwrap() + 3;
    let mut one = format!("{}{}", &root[..start], &root[end..]);
    for (_, text) in &files[1..] {
        one.push('\n');
        one.push_str(text);
    }
    let single = Policy::from_toml("one.toml", &one).unwrap();
    assert_eq!(format!("{single:?}"), format!("{:?}", shipped()));
    let dir = std::env::temp_dir().join(format!("tongchou-one-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("one.toml"), &one).unwrap();
    let from_path = Policy::from_folder(&Path::new(&dir).join("one.toml")).unwrap();
    assert_eq!(from_path.kinds.len(), single.kinds.len());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 13 (art. 16): a `blocked_by` looks at items under a parent, so its kind must have a
/// parent field referring to that item's kind; a loader error names the line.
#[test]
fn r16_2_a_blocked_by_of_a_kind_not_under_the_item_fails_to_load() {
    let (broken, part) = edited(
        "blocked_by = [{ kind = \"defect\", states = [\"open\", \"fixed\"], of = \"project\"",
        "blocked_by = [{ kind = \"vendor\", states = [\"open\", \"fixed\"], of = \"project\"",
    );
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert_eq!(err.file, format!("copy/{part}"));
    assert_eq!(
        err.line,
        line_of(text_of(&broken, &part), "kind = \"vendor\", states")
    );
    assert!(
        err.message
            .contains("`vendor` needs a parent_field referring to `project`"),
        "{err}"
    );
    let (broken, _) = edited(
        "states = [\"open\", \"fixed\"], of = \"project\"",
        "states = [\"open\", \"gone\"], of = \"project\"",
    );
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert!(err.message.contains("gone"), "{err}");
}

/// Issue 13 (art. 16): `member` names an `orgs` field of the referenced kind.
#[test]
fn r16_2_a_member_rule_on_a_field_that_is_not_a_set_of_units_fails_to_load() {
    let (broken, part) = edited("member = \"units\"", "member = \"title\"");
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert_eq!(err.file, format!("copy/{part}"));
    assert!(
        err.message
            .contains("`member` `title` must be an orgs field of `project`"),
        "{err}"
    );
}

/// Issue 13 (R19.3): a ticket's deadline by priority gives days for every option of a choice
/// field, and a step has one deadline; `import` needs a `create`; `archives` is for files.
#[test]
fn r19_3_a_deadline_by_priority_must_cover_every_option_and_stand_alone() {
    let (broken, _) = edited(
        "days = { p1 = 1, p2 = 2, p3 = 5, p4 = 10 } }\narticle = \"《运维管理办法》6\"",
        "days = { p1 = 1, p2 = 2, p3 = 5 } }\narticle = \"《运维管理办法》6\"",
    );
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert!(err.message.contains("`priority` has the options"), "{err}");
    let (broken, _) = edited(
        "deadline_by = { field = \"priority\"",
        "deadline_days = 3\ndeadline_by = { field = \"priority\"",
    );
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert!(err.message.contains("not both"), "{err}");
    let (broken, _) = edited(
        "deadline_by = { field = \"priority\"",
        "deadline_by = { field = \"summary\"",
    );
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert!(err.message.contains("needs a choice field"), "{err}");
    let (broken, _) = edited(
        "system = true\narchives = true",
        "system = true\narchives = true\n[[kind.field]]\nid = \"x\"\nzh = \"x\"\nen = \"x\"\ntype = \"text\"\narchives = true",
    );
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert!(
        err.message.contains("`archives` is for a `files` field"),
        "{err}"
    );
}

/// Issue 13 (R21.1): an assessment's next date counts months by options of a choice field the
/// kind has, and stands alone as the step's deadline.
#[test]
fn r21_1_a_next_due_by_level_names_real_options_and_is_the_only_deadline() {
    let (broken, _) = edited(
        "months = { \"2\" = 24, \"3\" = 12",
        "months = { \"2\" = 24, \"5\" = 12",
    );
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert!(err.message.contains("has no option `5`"), "{err}");
    let (broken, _) = edited(
        "task_within_days = 60",
        "task_within_days = 60\ndeadline_days = 5",
    );
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert!(err.message.contains("one of `deadline_days`"), "{err}");
}

/// Issue 13, point 3: a party field names an entry of the kind an organisation kind acts for,
/// and a role that sees what names its party belongs to such organisations only.
#[test]
fn r15_4_a_party_field_or_role_without_a_party_kind_fails_to_load() {
    let (broken, part) = edited(
        "en = \"Vendor inspected\"\ntype = \"item_ref\"\nref_kind = \"vendor\"",
        "en = \"Vendor inspected\"\ntype = \"item_ref\"\nref_kind = \"expert\"",
    );
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert!(err.file.ends_with(&part), "{err}");
    assert!(
        err.message.contains("no organisation kind acts for"),
        "{err}"
    );
    let (broken, _) = edited(
        "org_kinds = [\"Vendor\"]",
        "org_kinds = [\"Vendor\", \"County\"]",
    );
    let err = Policy::from_sources("copy", &broken).unwrap_err();
    assert!(err.message.contains("`County` acts for none"), "{err}");
}
