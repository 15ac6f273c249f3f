//! RX.1: what the policy makes of an article (`tongchou policy explain`), traced both ways:
//! article -> organisation kinds, duties, rules, guards and steps, with who may take each step.

use crate::shipped;
use domain::Article;
use domain::policy::{ArticleStatus, Cite};

fn art(s: &str) -> Article {
    Article::parse(s).unwrap()
}

/// The steps an explanation lists, as `kind.transition`.
fn steps(e: &domain::policy::Explanation) -> Vec<String> {
    e.kinds
        .iter()
        .flat_map(|k| {
            k.steps
                .iter()
                .map(move |s| format!("{}.{}", k.kind.id, s.transition.id))
        })
        .collect()
}

/// R14.1-R14.3: art. 14 gathers the steps citing it and its paragraphs (14.2: the NDRC filing),
/// each with the roles that may take it.
#[test]
fn rx1_explaining_art_14_lists_every_step_citing_it_or_its_paragraphs_with_their_roles() {
    let p = shipped();
    let e = p.explain(&art("14")).unwrap();
    assert_eq!(e.article.heading.zh, "拟建清单、可研编制和批复");
    assert_eq!(e.article.status, ArticleStatus::Modelled);
    assert_eq!(e.chapter.unwrap().number, 3);
    let all = steps(&e);
    for step in [
        "project.create",
        "project.confirm",
        "project.submit_filing",
        "fsr.create",
    ] {
        assert!(all.contains(&step.to_string()), "{step} in {all:?}");
    }
    // Every step citing art. 14 or 14.x anywhere in the policy is listed, and nothing else.
    let expected: Vec<String> = p
        .kinds
        .iter()
        .flat_map(|k| k.transitions.iter().map(move |t| (k, t)))
        .filter(|(_, t)| {
            t.article.number() == 14
                || t.forbid.iter().any(|f| f.article.number() == 14)
                || t.requires.iter().any(|r| r.article.number() == 14)
        })
        .map(|(k, t)| format!("{}.{}", k.id, t.id))
        .collect();
    assert_eq!(all, expected);
    let filing = e
        .kinds
        .iter()
        .flat_map(|k| &k.steps)
        .find(|s| s.transition.id == "submit_filing")
        .unwrap();
    assert!(matches!(filing.cites[0], Cite::Step(a) if a.as_str() == "14.2"));
    let roles: Vec<&str> = filing.roles.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(roles, ["company_pm"]);
    assert!(e.duties.iter().any(|d| d.role.id == "company_pm"));
}

/// A paragraph gathers its own citations and those of the article as a whole, not the other
/// paragraphs'.
#[test]
fn rx1_explaining_a_paragraph_leaves_out_the_other_paragraphs() {
    let p = shipped();
    let e = p.explain(&art("14.2")).unwrap();
    let all = steps(&e);
    assert!(all.contains(&"project.submit_filing".to_string()));
    assert!(
        all.contains(&"project.create".to_string()),
        "art. 14 as a whole"
    );
    let e = p.explain(&art("13.3")).unwrap();
    assert!(
        steps(&e).iter().all(|s| !s.starts_with("demand.")),
        "13.2 steps are not 13.3's"
    );
}

/// Art. 29 (project evaluations) is not built yet: the explanation says so and lists nothing.
#[test]
fn rx1_explaining_art_29_says_it_is_not_modelled_yet() {
    let p = shipped();
    let e = p.explain(&art("29")).unwrap();
    assert_eq!(e.article.status, ArticleStatus::NotYet);
    assert_eq!(e.article.heading.zh, "项目评价和整改");
    assert!(e.is_empty());
}

/// Issue 13: art. 16 lists the acceptance's steps (initial acceptance, trial defects, the
/// final acceptance and its sign-off) and art. 20 the hardware rule of the tickets.
#[test]
fn r16_r20_explaining_art_16_and_20_lists_their_rules() {
    let p = shipped();
    let e = p.explain(&art("16")).unwrap();
    let all = steps(&e);
    for step in [
        "inspection.pass_initial",
        "inspection.fail_initial",
        "defect.create",
        "final_acceptance.sign_off",
        "project.accept_initial",
    ] {
        assert!(all.contains(&step.to_string()), "{step} in {all:?}");
    }
    let e = p.explain(&art("20")).unwrap();
    assert_eq!(e.article.status, ArticleStatus::Modelled);
    assert!(
        steps(&e).contains(&"ticket.create".to_string()),
        "{:?}",
        steps(&e)
    );
    assert!(steps(&e).contains(&"equipment.create".to_string()));
}

#[test]
fn rx1_an_article_the_measures_do_not_have_is_refused_with_how_many_they_have() {
    let err = shipped().explain(&art("33")).unwrap_err();
    assert_eq!(err.last, Some(32));
    assert_eq!(
        err.message().zh,
        "第三十三条不在本办法中：本办法共三十二条。"
    );
    assert_eq!(
        err.message().en,
        "Art. 33 is not in the measures: they have 32 articles."
    );
}

/// R3.1: art. 3(1) is one named rule, obeyed by every step that raises or edits a demand.
#[test]
fn r3_1_explaining_art_3_shows_the_named_rule_and_the_steps_that_obey_it() {
    let p = shipped();
    let e = p.explain(&art("3.1")).unwrap();
    let rule = e
        .rules
        .iter()
        .find(|r| r.rule.id == "not_classified")
        .unwrap();
    assert_eq!(rule.used_by.len(), 5);
    let submit = e
        .kinds
        .iter()
        .flat_map(|k| &k.steps)
        .find(|s| s.transition.id == "submit")
        .unwrap();
    assert!(
        submit
            .cites
            .iter()
            .any(|c| matches!(c, Cite::Forbid(f) if f.rule.as_deref() == Some("not_classified")))
    );
}

/// R4.1: the guard that checks a demand unit's kind cites art. 4, beside the org kinds.
#[test]
fn r4_1_explaining_art_4_shows_the_demand_unit_kinds_and_the_guard_citing_it() {
    let p = shipped();
    let e = p.explain(&art("4")).unwrap();
    assert_eq!(e.org_kinds.len(), 7);
    let guard = &e.guards[0];
    assert_eq!(guard.guard.name(), "demand_unit_org");
    assert!(
        guard
            .used_by
            .iter()
            .any(|(k, t)| k.id == "demand" && t.id == "create")
    );
}

/// Issue 13, point 7 (art. 19): the Data Center's own O&M measures are loaded beside the
/// measures with their issuer, version and effective date; `explain 《运维管理办法》5` lists the
/// account-custody steps citing it, and art. 5 of the measures is not confused with it.
#[test]
fn r19_the_data_centers_om_measures_are_loaded_with_their_issuer_and_cited_by_title() {
    let p = shipped();
    let doc = p.issued("运维管理办法").unwrap();
    assert_eq!(doc.issuer, "DataCenter");
    assert_eq!(doc.version, "2026.1");
    assert_eq!(doc.effective.to_string(), "2026-03-01");
    assert_eq!(doc.basis.as_str(), "19");
    let e = p.explain(&art("《运维管理办法》5")).unwrap();
    let all = steps(&e);
    for step in [
        "account_custody.create",
        "account_custody.report_holder_left",
        "account_custody.reassign",
    ] {
        assert!(all.contains(&step.to_string()), "{step} in {all:?}");
    }
    assert!(!steps(&p.explain(&art("5")).unwrap()).contains(&"account_custody.create".into()));
    let lines = domain::policy::outline(&p, &e, domain::Lang::Zh);
    assert_eq!(lines[0].1, "《运维管理办法》第五条 账号托管");
    assert!(
        lines[1].1.contains("市政务大数据中心制定"),
        "{}",
        lines[1].1
    );
    assert!(lines[1].1.contains("版本 2026.1"), "{}", lines[1].1);
    let err = p.explain(&art("《运维管理办法》9")).unwrap_err();
    assert_eq!(err.message().zh, "《运维管理办法》没有第九条：它共八条。");
}

/// A citation of an article the issued document lacks, or of a document the policy does not
/// load, fails to load where it is written.
#[test]
fn r19_a_citation_of_an_issued_documents_missing_article_fails_to_load() {
    for (cited, says) in [
        (
            "《运维管理办法》9",
            "not among the articles of 《运维管理办法》",
        ),
        ("《机房管理办法》1", "is not a document the policy loads"),
    ] {
        let (files, part) = crate::edited(
            "article = \"《运维管理办法》5\"",
            &format!("article = \"{cited}\""),
        );
        let err = domain::Policy::from_sources("copy", &files).unwrap_err();
        assert!(err.file.ends_with(&part), "{err}");
        assert!(err.message.contains(says), "{err}");
    }
}

/// An issued document that lists no articles says so, rather than that it is not loaded.
#[test]
fn r19_an_issued_document_without_articles_says_so() {
    let last = "text_en = \"The Data Center interprets these measures; they take effect on 1 March 2026.\"";
    let (files, _) = crate::edited(
        last,
        &format!(
            "{last}\n\n[[issued]]\nshort = \"机房管理办法\"\nshort_en = \"Machine Room Measures\"\ntitle_zh = \"机房管理办法\"\ntitle_en = \"Machine rooms\"\nissuer = \"DataCenter\"\nversion = \"2026.1\"\neffective = \"2026-06-01\"\nbasis = \"19\"\n"
        ),
    );
    let p = domain::Policy::from_sources("copy", &files).unwrap();
    let err = p.explain(&art("《机房管理办法》1")).unwrap_err();
    assert_eq!(err.message().zh, "《机房管理办法》没有列出条款。");
    assert_eq!(err.message().en, "Machine Room Measures lists no articles.");
    let err = p.explain(&art("《网络管理办法》1")).unwrap_err();
    assert_eq!(err.message().zh, "《网络管理办法》不是本制度加载的文件。");
}
