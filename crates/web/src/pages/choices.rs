//! Fields whose values are records the platform keeps, offered as choices (issue 12, point 3):
//! the units a campaign invites, the vendors that bid and won, the project or plan an item
//! belongs to. A reference is picked from the items of its kind the person may read (newest
//! first), searchable by number or name; what the domain checks is unchanged, a choice is a
//! surer way to type an allowed value.

use super::panels::t;
use crate::views::{Opt, SectionView};
use app::items::ListQuery;
use app::{Platform, Principal};
use chrono::Datelike;
use domain::Lang;
use domain::policy::{FieldType, ItemKind};

/// How many items of a kind a picker offers: the newest, which are what a clerk refers to;
/// an older one can still be typed by its number.
const OFFERED: i64 = 100;

/// Fills the choices of the organisation and reference fields of `sections`.
pub(crate) async fn fill(
    p: &Platform,
    who: &Principal,
    kind: &ItemKind,
    mut sections: Vec<SectionView>,
) -> Vec<SectionView> {
    let lang = who.lang;
    let mut units = None;
    for f in sections.iter_mut().flat_map(|s| s.fields.iter_mut()) {
        let chosen: Vec<String> = f
            .value
            .split(',')
            .map(|v| v.trim().to_ascii_uppercase())
            .collect();
        match kind.field(&f.id).map(|d| &d.ty) {
            Some(FieldType::Orgs) => {
                if units.is_none() {
                    units = Some(app::cycle::demand_units(p).await.unwrap_or_default());
                }
                f.options = units
                    .iter()
                    .flatten()
                    .map(|o| Opt {
                        id: o.id.get().to_string(),
                        label: if lang == Lang::En {
                            o.name_en.clone()
                        } else {
                            o.name_zh.clone()
                        },
                        selected: chosen.contains(&o.id.get().to_string()),
                    })
                    .collect();
            }
            Some(FieldType::ItemRef { kind: k } | FieldType::ItemRefs { kind: k })
                if !k.is_empty() =>
            {
                f.options = items_of(p, who, k, &chosen).await;
                f.search_hint = match (f.options.is_empty(), p.policy.kind(k)) {
                    (false, _) => t(lang, "输入编号或名称查找", "Type a number or a name"),
                    (true, Some(rk)) => {
                        let example = format!("{}-{}-0001", rk.prefix, p.now().year());
                        match lang {
                            Lang::Zh => format!("编号，如 {example}"),
                            Lang::En => format!("A number, e.g. {example}"),
                        }
                    }
                    (true, None) => String::new(),
                };
                f.more_hint = t(
                    lang,
                    "其他编号（不在上列时填写，逗号分隔）",
                    "Other numbers, separated by commas",
                );
            }
            _ => {}
        }
    }
    sections
}

/// The items of kind `k` the person may read, as "GS-2026-0001 某某科技有限公司（已登记）":
/// the state beside each, so a suspended vendor says so before the step refuses it.
async fn items_of(p: &Platform, who: &Principal, k: &str, chosen: &[String]) -> Vec<Opt> {
    let Some(ref_kind) = p.policy.kind(k) else {
        return Vec::new();
    };
    let q = ListQuery {
        kind: k.to_string(),
        page: 1,
        per_page: OFFERED,
        ..Default::default()
    };
    let Ok(page) = app::items::list(p, who, &q).await else {
        return Vec::new();
    };
    let mut rows: Vec<(String, String, String)> = page
        .rows
        .into_iter()
        .map(|r| (r.number, r.title, r.state))
        .collect();
    // What the form already holds stays a choice, however old (or it would be lost on
    // saving); one the person may not read stays as its bare number.
    for n in chosen.iter().filter(|n| !n.is_empty()) {
        if rows.iter().any(|(number, ..)| number == n) {
            continue;
        }
        match app::items::by_number(p, who, n).await {
            Ok(r) if r.item.kind == k => rows.insert(0, (r.number, r.title, r.item.state)),
            _ => rows.insert(0, (n.clone(), String::new(), String::new())),
        }
    }
    rows.into_iter()
        .map(|(number, title, state)| {
            let state = ref_kind
                .state(&state)
                .map(|s| crate::i18n::Tr(who.lang).paren(s.name.get(who.lang)))
                .unwrap_or_default();
            Opt {
                label: format!("{number} {title}{state}").trim().to_string(),
                selected: chosen.contains(&number),
                id: number,
            }
        })
        .collect()
}
