//! The crate's own tables, read through `web::inside`: the interface's words in both
//! languages, the manual's sections, the answer to storage that cannot take a write. (Kept
//! here, not as unit tests in the library, so the crate has one test binary: a unit-test
//! harness compiled the whole library a second time.)

use app::AppError;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use domain::Lang;
use web::inside::*;

/// SECURITY.md: a write the storage cannot take answers 503 with Retry-After, on the web
/// pages and the API alike, and says nothing was changed.
#[test]
fn rx2_f3_unavailable_storage_answers_503_with_retry_after() {
    let e = || AppError::Unavailable("database or disk is full".into());
    for r in [
        ApiError(e()).into_response(),
        WebError::App(e(), domain::Lang::Zh).into_response(),
    ] {
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            r.headers().get(header::RETRY_AFTER).map(|v| v.as_bytes()),
            Some(RETRY_AFTER_SECONDS.as_bytes())
        );
    }
}

/// RX.5
#[test]
fn rx5_every_interface_string_exists_in_both_languages() {
    let all: Vec<_> = STRINGS.iter().chain(ADMIN_WORDS).collect();
    for (k, zh, en) in all.iter().copied() {
        assert!(!zh.is_empty(), "{k} has no Chinese");
        assert!(
            !en.is_empty() || ["page_unit", "count_suffix"].contains(k),
            "{k} has no English"
        );
    }
    let mut keys: Vec<&str> = all.iter().map(|(k, _, _)| *k).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), all.len(), "duplicate keys");
}

/// RX.5 and issue 12, point 10: English words carry English punctuation, no full-width marks
/// (，。：；（）、“”！？《》【】) and no Chinese characters (the policy's own English is held to
/// the same in the domain's tests).
#[test]
fn rx5_english_words_have_no_full_width_punctuation_or_chinese() {
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
    // The language switch names the other language in that language (中文).
    for (k, _, en) in STRINGS
        .iter()
        .chain(ADMIN_WORDS)
        .filter(|w| w.0 != "lang_switch")
    {
        assert_eq!(bad(en), None, "{k}: {en}");
    }
}

/// RX.5: every action of the security record reads in both languages on the trail page.
#[test]
fn rx5_every_security_action_has_its_words() {
    for action in app::admin::trail::ACTIONS {
        let key = format!("sec_{}", action.replace('.', "_"));
        for lang in [Lang::Zh, Lang::En] {
            assert!(!Tr(lang).s(&key).is_empty(), "{key} in {lang:?}");
        }
    }
}

/// RX.5: `Tr::s` answers "" for a key it lacks, so a misspelt key would show nothing; every
/// key the templates and the code name literally must exist.
#[test]
fn rx5_every_key_the_pages_name_exists() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut dirs = vec![root.join("templates"), root.join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    let known: Vec<&str> = STRINGS
        .iter()
        .chain(ADMIN_WORDS)
        .map(|(k, _, _)| *k)
        .collect();
    let mut missing = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (at, _) in text.match_indices(".s(\"") {
            let rest = &text[at + 4..];
            let Some(end) = rest.find('"') else { continue };
            let key = &rest[..end];
            let literal = !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if literal && !known.contains(&key) {
                missing.push(format!("{} names {key}", file.display()));
            }
        }
    }
    assert!(missing.is_empty(), "keys without words: {missing:#?}");
}

/// Issue 12, point 11: the manual has a section for every role the policy names, and
/// nothing else but the common one; each has text.
#[test]
fn the_manual_has_a_section_for_every_role_of_the_policy() {
    let policy = app::default_policy().unwrap();
    let (intro, all) = sections();
    assert!(!intro.trim().is_empty());
    for r in &policy.roles {
        let s = all.iter().find(|s| s.id == r.id);
        assert!(s.is_some(), "the manual has no section for {}", r.id);
        assert_eq!(s.unwrap().heading, r.name.zh, "{}'s heading", r.id);
    }
    for s in &all {
        assert!(
            s.id == COMMON || policy.role(&s.id).is_some(),
            "section {} is not a role",
            s.id
        );
        assert!(!s.markdown.trim().is_empty(), "section {} is empty", s.id);
    }
}
