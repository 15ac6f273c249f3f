//! Checks what one kind says about another: a window's kind and states, a required
//! reference's states, an effect's action. Runs after every kind is loaded.

use super::ctx::{Ctx, PolicyError};
use super::named::Rules;
use super::raw::RawKind;
use super::{FieldType, ItemKind};
use std::collections::HashSet;

pub(super) fn check<'a>(
    ctx: &'a Ctx<'a>,
    raw: &'a RawKind,
    kind: &ItemKind,
    all: &[ItemKind],
    rules: &Rules<'a>,
) -> Result<(), PolicyError> {
    let find = |id: &str| all.iter().find(|k| k.id == id);
    // The kind a reference field of this kind points to, if the field is a reference.
    let ref_kind = |field: &str| match kind.field(field).map(|f| &f.ty) {
        Some(FieldType::ItemRef { kind } | FieldType::ItemRefs { kind }) => find(kind),
        _ => None,
    };
    let states_of = |k: &ItemKind| {
        k.states
            .iter()
            .map(|s| s.id.clone())
            .collect::<HashSet<_>>()
    };
    if let Some(p) = &raw.parent_field
        && !matches!(
            kind.field(p.get_ref()).map(|f| &f.ty),
            Some(FieldType::ItemRef { .. })
        )
    {
        return Err(ctx.err(
            p,
            format!("parent_field `{}` must be an item_ref field", p.get_ref()),
        ));
    }
    for t in &raw.transition {
        // A withdrawal leads back from where the withdrawn step led to where it started.
        if let Some(u) = &t.undoes {
            let undone = kind.transition(u.get_ref());
            let step = kind.transition(t.id.get_ref());
            let fits = matches!((undone, step), (Some(d), Some(s))
                if s.from.contains(&d.to) && d.from.contains(&s.to));
            if !fits {
                return Err(ctx.err(
                    u,
                    format!(
                        "`undoes` must name a step of `{}` that leads from this step's `to` into its `from`",
                        kind.id
                    ),
                ));
            }
        }
        if let Some(w) = &t.window {
            let Some(wk) = find(w.kind.get_ref()) else {
                return Err(ctx.err(&w.kind, format!("unknown item kind `{}`", w.kind.get_ref())));
            };
            for date in ["opens", "closes"] {
                if wk.field(date).map(|f| &f.ty) != Some(&FieldType::Date) {
                    return Err(ctx.err(
                        &w.kind,
                        format!(
                            "a window kind needs a date field `{date}`; `{}` has none",
                            wk.id
                        ),
                    ));
                }
            }
            let states = states_of(wk);
            for s in &w.states {
                ctx.known(s, &states, "state")?;
            }
            if let Some(i) = &w.invited
                && wk.field(i.get_ref()).map(|f| &f.ty) != Some(&FieldType::Orgs)
            {
                return Err(ctx.err(
                    i,
                    format!("`invited` must name an orgs field of `{}`", wk.id),
                ));
            }
            if ref_kind(w.field.get_ref()).map(|k| &k.id) != Some(&wk.id) {
                return Err(ctx.err(
                    &w.field,
                    format!(
                        "`{}` must be an item_ref field to `{}`",
                        w.field.get_ref(),
                        wk.id
                    ),
                ));
            }
        }
        for u in &rules.uses(ctx, t)?.requires {
            // A named rule's words are in its own file; the error also names the use.
            let (ctx, r) = (u.ctx, u.raw);
            let step = format!("{}.{}", kind.id, t.id.get_ref());
            let within = |e| u.within(&step, e);
            let Some(rk) = ref_kind(r.field.get_ref()) else {
                return Err(within(ctx.err(
                    &r.field,
                    format!("`{}` is not a reference field", r.field.get_ref()),
                )));
            };
            let states = states_of(rk);
            for s in &r.states {
                ctx.known(s, &states, "state").map_err(within)?;
            }
            let facet_options: HashSet<String> = match rk
                .facet_field
                .as_ref()
                .and_then(|f| rk.field(f))
                .map(|f| &f.ty)
            {
                Some(FieldType::Choice(options)) => {
                    options.iter().map(|(id, _)| id.clone()).collect()
                }
                _ => HashSet::new(),
            };
            for f in &r.facets {
                ctx.known(f, &facet_options, "facet value")
                    .map_err(within)?;
            }
            if let Some(n) = &r.not_named_by {
                let Some(nk) = find(n.kind.get_ref()) else {
                    return Err(within(
                        ctx.err(&n.kind, format!("unknown item kind `{}`", n.kind.get_ref())),
                    ));
                };
                let names_rk = matches!(
                    nk.field(n.field.get_ref()).map(|f| &f.ty),
                    Some(FieldType::ItemRef { kind } | FieldType::ItemRefs { kind }) if *kind == rk.id
                );
                if !names_rk {
                    return Err(within(ctx.err(
                        &n.field,
                        format!(
                            "`{}.{}` must be a reference field to `{}`",
                            nk.id,
                            n.field.get_ref(),
                            rk.id
                        ),
                    )));
                }
                let own_states = states_of(nk);
                for s in &n.states {
                    ctx.known(s, &own_states, "state").map_err(within)?;
                }
                let parent = nk
                    .parent_field
                    .as_ref()
                    .and_then(|f| nk.field(f))
                    .and_then(|f| match &f.ty {
                        FieldType::ItemRef { kind } => find(kind),
                        _ => None,
                    });
                let Some(parent) = parent else {
                    return Err(within(
                        ctx.err(&n.kind, format!("`{}` has no parent kind", nk.id)),
                    ));
                };
                let states = states_of(parent);
                for s in &n.parent_states {
                    ctx.known(s, &states, "state").map_err(within)?;
                }
            }
            if let Some(first) = r.parent_states.first() {
                let parent = rk
                    .parent_field
                    .as_ref()
                    .and_then(|f| rk.field(f))
                    .and_then(|f| match &f.ty {
                        FieldType::ItemRef { kind } => find(kind),
                        _ => None,
                    });
                let Some(parent) = parent else {
                    return Err(within(
                        ctx.err(first, format!("`{}` has no parent kind", rk.id)),
                    ));
                };
                let states = states_of(parent);
                for s in &r.parent_states {
                    ctx.known(s, &states, "state").map_err(within)?;
                }
            }
            // A field held to the referenced item's value must mean the same on both sides.
            for f in &r.same {
                let (mine, theirs) = (kind.field(f.get_ref()), rk.field(f.get_ref()));
                let alike = matches!((mine, theirs), (Some(a), Some(b)) if a.ty == b.ty);
                if !alike {
                    return Err(within(ctx.err(
                        f,
                        format!(
                            "`{}` must be a field of the same type in `{}` and `{}`",
                            f.get_ref(),
                            kind.id,
                            rk.id
                        ),
                    )));
                }
            }
            if let Some(m) = &r.member
                && rk.field(m.get_ref()).map(|f| &f.ty) != Some(&FieldType::Orgs)
            {
                return Err(within(ctx.err(
                    m,
                    format!(
                        "`member` `{}` must be an orgs field of `{}`",
                        m.get_ref(),
                        rk.id
                    ),
                )));
            }
        }
        if let Some(c) = &t.covers {
            let Some(ck) = find(c.kind.get_ref()) else {
                return Err(ctx.err(&c.kind, format!("unknown item kind `{}`", c.kind.get_ref())));
            };
            if !matches!(
                ck.field(c.allocations.get_ref()).map(|f| &f.ty),
                Some(FieldType::Table(_))
            ) {
                return Err(ctx.err(
                    &c.allocations,
                    format!(
                        "`{}.{}` must be a table field",
                        ck.id,
                        c.allocations.get_ref()
                    ),
                ));
            }
            let states = states_of(ck);
            for s in &c.counted {
                ctx.known(s, &states, "state")?;
            }
            if ck.parent_field.is_none() || kind.parent_field.is_none() {
                return Err(ctx.err(
                    &c.kind,
                    "`covers` compares items under one parent: both kinds need a parent_field"
                        .into(),
                ));
            }
        }
        for b in &t.blocked_by {
            if b.of.is_none() && t.from.is_empty() {
                return Err(ctx.err(
                    &b.kind,
                    "a step that creates the item has no children yet: `blocked_by` needs `of`, the reference whose children it looks at".into(),
                ));
            }
            if b.states.is_empty() {
                return Err(ctx.err(&b.kind, "`blocked_by` needs the states that block".into()));
            }
            blocked_by(ctx, kind, b, &find, &states_of)?;
        }
        if let Some(f) = &t.actor_in
            && kind.field(f.get_ref()).map(|f| &f.ty) != Some(&FieldType::Orgs)
        {
            return Err(ctx.err(
                f,
                format!("actor_in `{}` must be an orgs field", f.get_ref()),
            ));
        }
        if let Some(first) = t.sign.first() {
            for system in super::SIGNATURE_FIELDS {
                let ok = kind.field(system).is_some_and(|f| f.system)
                    && t.inputs.iter().any(|i| i.get_ref() == system);
                if !ok {
                    return Err(ctx.err(
                        first,
                        format!(
                            "a signing step needs the system field `{system}` among its inputs"
                        ),
                    ));
                }
            }
        }
        if let Some(w) = &t.within {
            let cols_of = |k: &ItemKind, f: &str| match k.field(f).map(|f| &f.ty) {
                Some(FieldType::Table(cols)) => cols.iter().map(|c| c.id.clone()).collect(),
                _ => Vec::new(),
            };
            let mine = cols_of(kind, w.table.get_ref());
            if !(mine.contains(&"line".to_string()) && mine.contains(&"amount".to_string())) {
                return Err(ctx.err(
                    &w.table,
                    "a `within` table needs columns `line` and `amount`".into(),
                ));
            }
            let parent = raw
                .parent_field
                .as_ref()
                .and_then(|p| ref_kind(p.get_ref()));
            let Some(parent) = parent else {
                return Err(ctx.err(&w.budget, "`within` needs the kind's parent_field".into()));
            };
            let theirs = cols_of(parent, w.budget.get_ref());
            if !["line", "item", "approved"]
                .iter()
                .all(|c| theirs.contains(&c.to_string()))
            {
                return Err(ctx.err(
                    &w.budget,
                    format!(
                        "`{}` of `{}` must be a table with `line`, `item`, `approved`",
                        w.budget.get_ref(),
                        parent.id
                    ),
                ));
            }
            let states = states_of(kind);
            for s in &w.counted {
                ctx.known(s, &states, "state")?;
            }
        }
        if let Some(c) = &t.cuts {
            let columns = |f: &str| match kind.field(f).map(|f| &f.ty) {
                Some(FieldType::Table(cols)) => Some(cols.clone()),
                _ => None,
            };
            let cut_cols = columns(c.table.get_ref()).unwrap_or_default();
            let has = |id: &str| cut_cols.iter().any(|col| col.id == id);
            if !(has("line") && has("approved") && has("reason")) {
                return Err(ctx.err(
                    &c.table,
                    "a cuts table needs columns `line`, `approved` and `reason`".into(),
                ));
            }
            let summed = columns(c.of.get_ref())
                .is_some_and(|cols| cols.iter().any(|col| col.sum_into.is_some()));
            if !summed {
                return Err(ctx.err(
                    &c.of,
                    "cuts apply to a table with a summed money column".into(),
                ));
            }
        }
        if let Some(e) = &t.effect {
            let Some(ek) = ref_kind(e.on.get_ref()) else {
                return Err(ctx.err(
                    &e.on,
                    format!("`{}` is not a reference field", e.on.get_ref()),
                ));
            };
            let actions: HashSet<String> = ek.transitions.iter().map(|t| t.id.clone()).collect();
            ctx.known(&e.action, &actions, "transition")?;
        }
    }
    Ok(())
}

/// A `blocked_by`: its kind has a parent field pointing at the item whose children it looks
/// at (the item itself, or the one its `of` field names), and its states are that kind's.
fn blocked_by<'k>(
    ctx: &Ctx,
    kind: &ItemKind,
    b: &super::raw::RawBlockedBy,
    find: &dyn Fn(&str) -> Option<&'k ItemKind>,
    states_of: &dyn Fn(&ItemKind) -> HashSet<String>,
) -> Result<(), PolicyError> {
    let Some(bk) = find(b.kind.get_ref()) else {
        return Err(ctx.err(&b.kind, format!("unknown item kind `{}`", b.kind.get_ref())));
    };
    let parent_kind = match &b.of {
        None => kind.id.clone(),
        Some(f) => match kind.field(f.get_ref()).map(|f| &f.ty) {
            Some(FieldType::ItemRef { kind }) => kind.clone(),
            _ => {
                return Err(ctx.err(
                    f,
                    format!("`of` `{}` must be an item_ref field", f.get_ref()),
                ));
            }
        },
    };
    let under = bk
        .parent_field
        .as_ref()
        .and_then(|p| bk.field(p))
        .map(|f| &f.ty);
    if !matches!(under, Some(FieldType::ItemRef { kind }) if *kind == parent_kind) {
        return Err(ctx.err(
            &b.kind,
            format!(
                "`blocked_by` looks at items under a `{parent_kind}`: `{}` needs a parent_field referring to `{parent_kind}`",
                bk.id
            ),
        ));
    }
    let states = states_of(bk);
    for s in &b.states {
        ctx.known(s, &states, "state")?;
    }
    // A facet value is one of the options of the kind's facet field.
    if let Some(v) = &b.facet {
        let options = bk
            .facet_field
            .as_ref()
            .and_then(|f| bk.field(f))
            .and_then(|f| match &f.ty {
                FieldType::Choice(options) => Some(options),
                _ => None,
            });
        let Some(options) = options else {
            return Err(ctx.err(
                v,
                format!(
                    "`facet` needs `{}` to have a facet_field with options",
                    bk.id
                ),
            ));
        };
        if !options.iter().any(|(id, _)| id == v.get_ref()) {
            return Err(ctx.err(
                v,
                format!("`{}` is not an option of `{}`'s facet", v.get_ref(), bk.id),
            ));
        }
    }
    Ok(())
}
