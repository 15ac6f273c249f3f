//! An explanation in words, as lines to show: `tongchou policy explain` prints them, the web's
//! article page lists them, so both say the same. A line is (depth, text); depth 0 with an
//! empty text separates sections, depth 0 otherwise is a heading.

use super::{Cite, Explanation, FieldType, ItemKind, Policy, Role, Transition};
use crate::Lang;

/// One line of the outline: its depth (0 heading, 1.. nested) and its words.
pub type Line = (usize, String);

/// The explanation in `lang`: heading, status, then every citation grouped by what cites.
pub fn outline(p: &Policy, e: &Explanation, lang: Lang) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let zh = lang == Lang::Zh;
    let w = |zh_words: &str, en_words: &str| if zh { zh_words } else { en_words }.to_string();
    let cite = |a: &crate::Article| a.cite(lang);
    let sep = if zh { "，" } else { ", " };
    // An id beside a name: `项目经理（company_pm）` / `Project manager (company_pm)`.
    let with_id = |name: &str, id: &str| {
        if zh {
            format!("{name}（{id}）")
        } else {
            format!("{name} ({id})")
        }
    };
    push(
        &mut out,
        0,
        format!("{} {}", cite(&e.asked), e.article.heading.get(lang)),
    );
    let status = match e.issued {
        // A document issued under the measures: who issued which version, in force when.
        Some(doc) => {
            let issuer = p
                .org_kind(&doc.issuer)
                .map(|o| o.name.get(lang).to_string())
                .unwrap_or_else(|| doc.issuer.clone());
            if zh {
                format!(
                    "{}（{issuer}制定，依据本办法{}），版本 {}，自 {} 起施行",
                    doc.title.zh,
                    doc.basis.cite(lang),
                    doc.version,
                    doc.effective
                )
            } else {
                format!(
                    "{} (issued by the {issuer} under {} of the measures), version {}, in force from {}",
                    doc.title.en,
                    doc.basis.cite(lang),
                    doc.version,
                    doc.effective
                )
            }
        }
        None => format!(
            "{} · {}",
            e.chapter.map(|c| c.title(lang)).unwrap_or_default(),
            e.article.status.label().get(lang)
        ),
    };
    push(&mut out, 0, status);
    if let Some(note) = &e.article.note {
        push(&mut out, 0, note.get(lang).to_string());
    }
    if e.is_empty() {
        section(&mut out);
        push(
            &mut out,
            0,
            w(
                "本制度尚无任何内容引用该条：它尚未建模。",
                "Nothing in the policy cites it: it is not modelled yet.",
            )
            .to_string(),
        );
        return out;
    }
    let role = |r: &Role| with_id(r.name.get(lang), &r.id);
    if !e.org_kinds.is_empty() {
        section(&mut out);
        push(&mut out, 0, w("组织类型", "Organisation kinds"));
        for o in &e.org_kinds {
            push(
                &mut out,
                1,
                format!(
                    "{} — {}",
                    with_id(o.name.get(lang), &o.id),
                    cite(&o.article)
                ),
            );
        }
    }
    if !e.duties.is_empty() {
        section(&mut out);
        push(&mut out, 0, w("角色职责", "Duties of roles"));
        for d in &e.duties {
            push(&mut out, 1, format!("{} — {}", role(d.role), cite(d.cited)));
        }
    }
    let step_name =
        |k: &ItemKind, t: &Transition| format!("{}.{} {}", k.id, t.id, t.label.get(lang));
    if !e.rules.is_empty() {
        section(&mut out);
        push(&mut out, 0, w("共用规则", "Shared rules"));
        for r in &e.rules {
            push(
                &mut out,
                1,
                format!(
                    "{} {} — {}",
                    r.rule.id,
                    r.rule.name.get(lang),
                    r.rule
                        .article()
                        .map_or_else(|| w("内部控制", "internal control"), cite)
                ),
            );
            for (k, t) in &r.used_by {
                push(
                    &mut out,
                    2,
                    format!("{} {}", w("用于", "used by"), step_name(k, t)),
                );
            }
        }
    }
    if !e.guards.is_empty() {
        section(&mut out);
        push(&mut out, 0, w("检查", "Guards"));
        for g in &e.guards {
            push(
                &mut out,
                1,
                format!("{} — {}", g.guard.name(), cite(&g.cited)),
            );
            for (k, t) in &g.used_by {
                push(
                    &mut out,
                    2,
                    format!("{} {}", w("用于", "used by"), step_name(k, t)),
                );
            }
        }
    }
    section(&mut out);
    push(&mut out, 0, w("事项与步骤", "Item kinds and steps"));
    for kc in &e.kinds {
        push(
            &mut out,
            1,
            with_id(kc.kind.name.get(lang), &kc.kind.id).to_string(),
        );
        for s in &kc.states {
            if let Some((note, a)) = &s.note {
                push(
                    &mut out,
                    2,
                    format!(
                        "{} {}{}{} — {}",
                        w("状态", "state"),
                        s.name.get(lang),
                        w("：", ": "),
                        note.get(lang),
                        cite(a)
                    ),
                );
            }
        }
        for s in &kc.steps {
            let t = s.transition;
            push(
                &mut out,
                2,
                format!("{} {} — {}", t.id, t.label.get(lang), cite(&t.article)),
            );
            for c in &s.cites {
                if let Some(line) = cite_line(p, kc.kind, c, lang) {
                    push(&mut out, 3, line.to_string());
                }
            }
            let mut who = s
                .roles
                .iter()
                .map(|r| role(r))
                .collect::<Vec<_>>()
                .join(sep);
            if !t.countersign.is_empty() {
                who.push_str(&w("（须全部同意）", " (all of them must consent)"));
            }
            push(&mut out, 3, format!("{}{who}", w("可由：", "taken by: ")));
        }
    }
    out
}

/// One way a step cites the article, in words; `None` for the step's own article (already on
/// the step's line).
fn cite_line(p: &Policy, kind: &ItemKind, c: &Cite, lang: Lang) -> Option<String> {
    let zh = lang == Lang::Zh;
    let rule = |r: &Option<String>| match r {
        Some(name) if zh => format!("（共用规则 {name}）"),
        Some(name) => format!(" (shared rule {name})"),
        None => String::new(),
    };
    let field = |f: &str| {
        kind.field(f)
            .map_or(f.to_string(), |d| d.label.get(lang).to_string())
    };
    // A choice's values by their labels (`涉密`, not `classified`).
    let values = |f: &str, values: &[String]| {
        let label = |v: &String| match kind.field(f).map(|d| &d.ty) {
            Some(FieldType::Choice(options)) => options
                .iter()
                .find(|(id, _)| id == v)
                .map_or(v.clone(), |(_, t)| t.get(lang).to_string()),
            _ => v.clone(),
        };
        values
            .iter()
            .map(label)
            .collect::<Vec<_>>()
            .join(if zh { "、" } else { ", " })
    };
    Some(match c {
        Cite::Step(_) => return None,
        Cite::Forbid(f) if zh => format!(
            "不得：{}为 {}（{}）{}",
            field(&f.field),
            values(&f.field, &f.values),
            f.article.cite(lang),
            rule(&f.rule)
        ),
        Cite::Forbid(f) => format!(
            "refused when {} is {} ({}){}",
            field(&f.field),
            values(&f.field, &f.values),
            f.article.cite(lang),
            rule(&f.rule)
        ),
        Cite::Requires(r) => {
            let states = state_names(p, kind, &r.field, &r.states, lang);
            if zh {
                format!(
                    "须：{}处于{}（{}）{}",
                    field(&r.field),
                    states,
                    r.article.cite(lang),
                    rule(&r.rule)
                )
            } else {
                format!(
                    "requires {} to be {} ({}){}",
                    field(&r.field),
                    states,
                    r.article.cite(lang),
                    rule(&r.rule)
                )
            }
        }
        Cite::Within(w) if zh => format!(
            "须：{}不超出批复预算明细的剩余额度（{}）",
            field(&w.table),
            w.article.cite(lang)
        ),
        Cite::Within(w) => format!(
            "requires {} within what is left of the approved budget lines ({})",
            field(&w.table),
            w.article.cite(lang)
        ),
        Cite::WithinAlso(w, a) if zh => format!(
            "须：按批复的可研报告实施，{}不超出批复预算明细（{}）",
            field(&w.table),
            a.cite(lang)
        ),
        Cite::WithinAlso(w, a) => format!(
            "requires building to the approved FSR: {} within its budget lines ({})",
            field(&w.table),
            a.cite(lang)
        ),
        Cite::Guard(g, a) if zh => format!("检查：{}（{}）", g.name(), a.cite(lang)),
        Cite::Guard(g, a) => format!("checked by {} ({})", g.name(), a.cite(lang)),
    })
}

/// The names of `states` of the kind the reference field `field` points to (ids if unknown).
fn state_names(p: &Policy, kind: &ItemKind, field: &str, states: &[String], lang: Lang) -> String {
    let target = match kind.field(field).map(|f| &f.ty) {
        Some(FieldType::ItemRef { kind } | FieldType::ItemRefs { kind }) => p.kind(kind),
        _ => None,
    };
    states
        .iter()
        .map(|s| {
            target
                .and_then(|k| k.state(s))
                .map_or(s.clone(), |d| d.name.get(lang).to_string())
        })
        .collect::<Vec<_>>()
        .join(if lang == Lang::Zh { "、" } else { " or " })
}

fn push(out: &mut Vec<Line>, depth: usize, text: String) {
    out.push((depth, text));
}

/// A break between sections (an empty line when printed).
fn section(out: &mut Vec<Line>) {
    out.push((0, String::new()));
}
