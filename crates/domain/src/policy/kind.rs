//! One item kind as written becomes an `ItemKind`: its fields (with table columns), states and
//! transitions, every name it uses checked against the kind and the policy.

use super::ctx::{Ctx, PolicyError};
use super::named::Rules;
use super::raw::{RawKind, S};
use super::transition::Known;
use super::{FieldDef, FieldType, ItemKind, StateDef};
use crate::text::Text;
use std::collections::HashSet;

pub(super) fn load<'a>(
    ctx: &'a Ctx<'a>,
    k: &'a RawKind,
    role_ids: &HashSet<String>,
    kind_ids: &HashSet<String>,
    rules: &Rules<'a>,
) -> Result<ItemKind, PolicyError> {
    let field_ids = ctx.unique(&k.field.iter().map(|f| &f.id).collect::<Vec<_>>(), "field")?;
    let state_ids = ctx.unique(&k.state.iter().map(|s| &s.id).collect::<Vec<_>>(), "state")?;
    let transition_ids = ctx.unique(
        &k.transition.iter().map(|t| &t.id).collect::<Vec<_>>(),
        "transition",
    )?;
    let section_ids: HashSet<String> = k.section.iter().map(|s| s.id.clone()).collect();
    ctx.known(&k.title_field, &field_ids, "field")?;
    if let Some(a) = &k.amount_field {
        ctx.known(a, &field_ids, "field")?;
        let is_money = k
            .field
            .iter()
            .any(|f| f.id.get_ref() == a.get_ref() && f.ty.get_ref() == "money");
        if !is_money {
            return Err(ctx.err(
                a,
                format!("amount_field `{}` must be a money field", a.get_ref()),
            ));
        }
    }

    let mut fields = Vec::new();
    for f in &k.field {
        let ref_kind = match &f.ref_kind {
            Some(r) => ctx.known(r, kind_ids, "item kind")?.to_string(),
            None => k.id.get_ref().clone(),
        };
        let len = |default: usize| {
            f.max
                .and_then(|m| usize::try_from(m).ok())
                .unwrap_or(default)
        };
        let ty = match f.ty.get_ref().as_str() {
            "text" => FieldType::Text { max: len(200) },
            "longtext" => FieldType::LongText { max: len(20_000) },
            "money" => FieldType::Money,
            "date" => FieldType::Date,
            "orgs" => FieldType::Orgs,
            "files" => FieldType::Files,
            "credit_code" => FieldType::CreditCode,
            "integer" => FieldType::Integer {
                min: f.min.unwrap_or(0),
                max: f.max.unwrap_or(i64::MAX),
            },
            "item_ref" => FieldType::ItemRef { kind: ref_kind },
            "item_refs" => FieldType::ItemRefs { kind: ref_kind },
            "records" => FieldType::Records,
            "doc_number" => FieldType::DocNumber,
            "table" => FieldType::Table(load_columns(ctx, f, &field_ids, kind_ids)?),
            "choice" if !f.options.is_empty() => FieldType::Choice(
                f.options
                    .iter()
                    .map(|o| (o.id.clone(), Text::new(&o.zh, &o.en)))
                    .collect(),
            ),
            other => {
                return Err(ctx.err(
                    &f.ty,
                    format!(
                        "unknown field type `{other}` (text, longtext, money, date, integer, orgs, files, credit_code, item_ref, item_refs, records, doc_number, table, or choice with options)"
                    ),
                ));
            }
        };
        let section = match &f.section {
            Some(s) => Some(ctx.known(s, &section_ids, "section")?.to_string()),
            None => None,
        };
        if f.archives && ty != FieldType::Files {
            return Err(ctx.err(&f.id, "`archives` is for a `files` field".into()));
        }
        let archives = f.archives;
        if f.not_future && ty != FieldType::Date {
            return Err(ctx.err(&f.id, "`not_future` is for a `date` field".into()));
        }
        let not_future = f.not_future;
        if f.party && !matches!(ty, FieldType::ItemRef { .. }) {
            return Err(ctx.err(&f.id, "`party` is for an `item_ref` field".into()));
        }
        fields.push(FieldDef {
            id: f.id.get_ref().clone(),
            label: Text::new(&f.zh, &f.en),
            help: Text::new(&f.help_zh, &f.help_en),
            ty,
            section,
            default: f.default.clone(),
            system: f.system,
            copies: f.copies,
            archives,
            not_future,
            party: f.party,
            personal: f.personal,
            product: match f.product.as_slice() {
                [] => None,
                [a, b] => Some((
                    ctx.known(a, &field_ids, "field")?.to_string(),
                    ctx.known(b, &field_ids, "field")?.to_string(),
                )),
                _ => return Err(ctx.err(&f.id, "`product` names exactly two fields".into())),
            },
            among: f
                .among
                .as_ref()
                .map(|a| {
                    Ok::<_, PolicyError>(super::Among {
                        field: ctx.known(&a.field, &field_ids, "field")?.to_string(),
                        article: ctx.article(&a.article)?,
                        message: Text::new(&a.zh, &a.en),
                    })
                })
                .transpose()?,
        });
    }

    let mut states = Vec::new();
    for s in &k.state {
        let note = match (&s.note_zh, &s.note_en, &s.note_article) {
            (Some(zh), Some(en), Some(a)) => Some((Text::new(zh, en), ctx.article(a)?)),
            (None, None, None) => None,
            _ => {
                return Err(ctx.err(
                    &s.id,
                    "a state note needs note_zh, note_en and note_article".into(),
                ));
            }
        };
        states.push(StateDef {
            id: s.id.get_ref().clone(),
            name: Text::new(&s.zh, &s.en),
            tag: s.tag.clone(),
            private: s.private,
            hidden: s.hidden,
            note,
        });
    }

    let choices: std::collections::BTreeMap<String, Vec<String>> = fields
        .iter()
        .filter_map(|f: &FieldDef| match &f.ty {
            FieldType::Choice(options) => Some((
                f.id.clone(),
                options.iter().map(|(id, _)| id.clone()).collect(),
            )),
            _ => None,
        })
        .collect();
    let dates: HashSet<String> = fields
        .iter()
        .filter(|f| f.ty == FieldType::Date)
        .map(|f| f.id.clone())
        .collect();
    let transitions = k
        .transition
        .iter()
        .map(|t| {
            super::transition::load(
                ctx,
                t,
                &Known {
                    kind: k.id.get_ref(),
                    role_ids,
                    field_ids: &field_ids,
                    state_ids: &state_ids,
                    transition_ids: &transition_ids,
                    choices: &choices,
                    dates: &dates,
                },
                &rules.uses(ctx, t)?,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;

    Ok(ItemKind {
        id: k.id.get_ref().clone(),
        name: Text::new(&k.zh, &k.en),
        prefix: k.prefix.clone(),
        sections: k
            .section
            .iter()
            .map(|s| (s.id.clone(), Text::new(&s.zh, &s.en)))
            .collect(),
        title_field: k.title_field.get_ref().clone(),
        amount_field: k.amount_field.as_ref().map(|a| a.get_ref().clone()),
        public: k.public,
        module: k.module.clone(),
        facet_field: match &k.facet_field {
            Some(f) => Some(ctx.known(f, &field_ids, "field")?.to_string()),
            None => None,
        },
        unit_field: match &k.unit_field {
            Some(f) => Some(ctx.known(f, &field_ids, "field")?.to_string()),
            None => None,
        },
        parent_field: match &k.parent_field {
            Some(p) => Some(ctx.known(p, &field_ids, "field")?.to_string()),
            None => None,
        },
        handling: load_handling(ctx, k, role_ids)?,
        import: match k.import {
            true if !transition_ids.contains("create") => {
                return Err(ctx.err(
                    &k.id,
                    "`import` imports rows through the kind's `create` step, which it lacks".into(),
                ));
            }
            import => import,
        },
        chart: match &k.chart {
            None => None,
            Some(c) => {
                let x = ctx.known(&c.x, &field_ids, "field")?.to_string();
                let mut series = Vec::new();
                for s in &c.series {
                    let id = ctx.known(s, &field_ids, "field")?.to_string();
                    let numeric = fields.iter().any(|f: &FieldDef| {
                        f.id == id && matches!(f.ty, FieldType::Integer { .. } | FieldType::Money)
                    });
                    if !numeric {
                        return Err(ctx.err(
                            s,
                            format!("a chart's series `{id}` must be an integer or money field"),
                        ));
                    }
                    series.push(id);
                }
                if series.is_empty() || k.parent_field.is_none() {
                    return Err(ctx.err(
                        &c.x,
                        "a chart needs a series and a parent_field (its parent's page draws it)"
                            .into(),
                    ));
                }
                Some(super::Chart { x, series })
            }
        },
        ranking: k
            .ranking
            .iter()
            .map(|r| {
                let is_integer = k
                    .field
                    .iter()
                    .any(|f| f.id.get_ref() == r.get_ref() && f.ty.get_ref() == "integer");
                if is_integer {
                    Ok(r.get_ref().clone())
                } else {
                    Err(ctx.err(
                        r,
                        format!(
                            "ranking field `{}` must be an integer field of the kind",
                            r.get_ref()
                        ),
                    ))
                }
            })
            .collect::<Result<_, _>>()?,
        fields,
        states,
        transitions,
    })
}

/// The kind's handling acts; their names are the engine's, so no step may take one.
fn load_handling(
    ctx: &Ctx,
    k: &RawKind,
    role_ids: &HashSet<String>,
) -> Result<super::Handling, PolicyError> {
    if let Some(t) = k
        .transition
        .iter()
        .find(|t| crate::handling::HandlingAct::parse(t.id.get_ref()).is_some())
    {
        return Err(ctx.err(
            &t.id,
            format!(
                "`{}` is the name of a handling act (hand_over, copy, urge): a step needs another name",
                t.id.get_ref()
            ),
        ));
    }
    let Some(h) = &k.handling else {
        return Ok(super::Handling::default());
    };
    // A countersign not yet complete leaves the item where it is, which its acts cannot tell:
    // a hand-over or an urge would be taken to end with the first signature.
    if let Some(t) = k.transition.iter().find(|t| !t.countersign.is_empty())
        && (h.hand_over || h.urge)
    {
        return Err(ctx.err(
            &t.id,
            "a kind that allows hand-overs or urges cannot have a countersigned step".into(),
        ));
    }
    if !h.urge && !h.urge_roles.is_empty() {
        return Err(ctx.err(&h.urge_roles[0], "`urge_roles` needs `urge = true`".into()));
    }
    Ok(super::Handling {
        hand_over: h.hand_over,
        copy: h.copy,
        urge: h.urge,
        urge_roles: h
            .urge_roles
            .iter()
            .map(|r| ctx.known(r, role_ids, "role").map(str::to_string))
            .collect::<Result<_, _>>()?,
    })
}

fn load_columns(
    ctx: &Ctx,
    f: &super::raw::RawField,
    field_ids: &HashSet<String>,
    kind_ids: &HashSet<String>,
) -> Result<Vec<super::Column>, PolicyError> {
    use super::ColumnType;
    if f.column.is_empty() {
        return Err(ctx.err(&f.id, "a table needs at least one column".into()));
    }
    let ids = ctx.unique(
        &f.column.iter().map(|c| &c.id).collect::<Vec<_>>(),
        "column",
    )?;
    let mut out = Vec::new();
    for c in &f.column {
        let ty = match c.ty.get_ref().as_str() {
            "text" => ColumnType::Text {
                max: c.max.and_then(|m| usize::try_from(m).ok()).unwrap_or(200),
            },
            "money" => ColumnType::Money,
            "date" => ColumnType::Date,
            "integer" => ColumnType::Integer {
                min: c.min.unwrap_or(0),
                max: c.max.unwrap_or(i64::MAX),
            },
            "item_ref" => ColumnType::ItemRef {
                kind: match &f.ref_kind {
                    Some(r) => ctx.known(r, kind_ids, "item kind")?.to_string(),
                    None => {
                        return Err(ctx.err(
                            &c.ty,
                            "an item_ref column needs the table's ref_kind".into(),
                        ));
                    }
                },
            },
            "choice" if !c.options.is_empty() => ColumnType::Choice(
                c.options
                    .iter()
                    .map(|o| (o.id.clone(), Text::new(&o.zh, &o.en)))
                    .collect(),
            ),
            "choice" => {
                return Err(ctx.err(&c.ty, "a choice column needs its options".into()));
            }
            other => {
                return Err(ctx.err(
                    &c.ty,
                    format!(
                        "unknown column type `{other}` (text, money, date, integer, item_ref, choice)"
                    ),
                ));
            }
        };
        let product = match c.product.as_slice() {
            [] => None,
            [a, b] => {
                ctx.known(a, &ids, "column")?;
                ctx.known(b, &ids, "column")?;
                if ty != ColumnType::Money {
                    return Err(ctx.err(&c.id, "a product column must be money".into()));
                }
                Some((a.get_ref().clone(), b.get_ref().clone()))
            }
            _ => return Err(ctx.err(&c.id, "`product` names exactly two columns".into())),
        };
        let field = |s: &Option<S>| -> Result<Option<String>, PolicyError> {
            s.as_ref()
                .map(|s| ctx.known(s, field_ids, "field").map(str::to_string))
                .transpose()
        };
        out.push(super::Column {
            id: c.id.get_ref().clone(),
            label: Text::new(&c.zh, &c.en),
            ty,
            required: c.required,
            product,
            one_of: match &c.one_of {
                // `table.column`: the values of a column of another table field.
                Some(o) if o.get_ref().contains('.') => {
                    let table = o.get_ref().split('.').next().unwrap_or_default();
                    if !field_ids.contains(table) {
                        return Err(ctx.err(o, format!("unknown field `{table}`")));
                    }
                    Some(o.get_ref().clone())
                }
                other => field(other)?,
            },
            sum_into: field(&c.sum_into)?,
        });
    }
    Ok(out)
}
