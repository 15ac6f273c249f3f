//! Turns the policy's files into a `Policy`, checking every reference; the first bad one is
//! reported with its file (the part) and line.

use super::ctx::{Ctx, PolicyError, line_of, unique};
use super::named::Rules;
use super::raw::RawFile;
use super::{OrgKind, Policy, Role};
use crate::text::Text;

/// One file of a policy: the name errors give it, and its text.
pub(super) struct Source<'a> {
    pub name: String,
    pub text: &'a str,
}

/// Reads one file's tables; a syntax error names its line.
pub(super) fn parse(name: &str, text: &str) -> Result<RawFile, PolicyError> {
    toml::from_str(text).map_err(|e| PolicyError {
        file: name.to_string(),
        line: e.span().map(|s| line_of(text, s.start)).unwrap_or(1),
        message: e.message().to_string(),
    })
}

/// Loads a policy from its root (first) and its parts, in the order the root lists them.
pub(super) fn load(sources: &[Source]) -> Result<Policy, PolicyError> {
    let mut raws = Vec::new();
    for s in sources {
        raws.push(parse(&s.name, s.text)?);
    }
    let plain: Vec<Ctx> = sources.iter().map(|s| Ctx::new(&s.name, s.text)).collect();
    let (Some(root), Some(root_ctx)) = (raws.first(), plain.first()) else {
        return Err(PolicyError {
            file: String::new(),
            line: 1,
            message: "a policy needs its root file".into(),
        });
    };
    let Some(meta) = &root.policy else {
        return Err(root_ctx.err_at(0, "the root file needs a `[policy]` table".into()));
    };
    for (ctx, raw) in plain.iter().zip(&raws).skip(1) {
        if let Some(m) = &raw.policy {
            return Err(ctx.err(
                &m.effective,
                "`[policy]` belongs in the root file only".into(),
            ));
        }
    }
    let outline = super::articles::load(&plain.iter().zip(&raws).collect::<Vec<_>>())?;
    // From here on every citation is checked against the articles listed.
    let issued_numbers = super::issued::numbers(&plain.iter().zip(&raws).collect::<Vec<_>>())?;
    let ctxs: Vec<Ctx> = plain
        .iter()
        .map(|c| c.citing(&outline.listed, &issued_numbers))
        .collect();
    let files: Vec<(&Ctx, &RawFile)> = ctxs.iter().zip(&raws).collect();
    // Not empty: the root was found above.
    let root_ctx = &ctxs[0];
    let effective = chrono::NaiveDate::parse_from_str(meta.effective.get_ref(), "%Y-%m-%d")
        .map_err(|_| {
            root_ctx.err(
                &meta.effective,
                "effective must be a date like 2025-01-01".into(),
            )
        })?;

    let org_ids = unique(
        files
            .iter()
            .flat_map(|(c, r)| r.org_kind.iter().map(move |o| (*c, &o.id))),
        "organisation kind",
    )?;
    let mut org_kinds = Vec::new();
    for (ctx, raw) in &files {
        for o in &raw.org_kind {
            org_kinds.push(OrgKind {
                id: o.id.get_ref().clone(),
                name: Text::new(&o.zh, &o.en),
                article: ctx.article(&o.article)?,
                demand_unit: o.demand_unit,
                // Checked against the kinds once they are loaded, below.
                party: o.party.as_ref().map(|k| k.get_ref().clone()),
            });
        }
    }

    let issued = super::issued::load(&files, &org_ids)?;
    for d in &issued {
        crate::ids::name_in_english(&d.short, &d.short_en);
    }
    let role_ids = unique(
        files
            .iter()
            .flat_map(|(c, r)| r.role.iter().map(move |o| (*c, &o.id))),
        "role",
    )?;
    let mut roles = Vec::new();
    for (ctx, raw) in &files {
        for r in &raw.role {
            let mut kinds = Vec::new();
            for k in &r.org_kinds {
                kinds.push(ctx.known(k, &org_ids, "organisation kind")?.to_string());
            }
            let duties = r
                .duties
                .iter()
                .map(|d| ctx.article(d))
                .collect::<Result<_, _>>()?;
            roles.push(Role {
                id: r.id.get_ref().clone(),
                name: Text::new(&r.zh, &r.en),
                org_kinds: kinds,
                duties,
                sees: r.sees,
                // Checked against the kinds once they are loaded, below.
                reads: r.reads.iter().map(|k| k.get_ref().clone()).collect(),
                menu: r.menu.iter().map(|k| k.get_ref().clone()).collect(),
                admin: r.admin,
            });
        }
    }

    let (rules, named) = Rules::index(&files)?;
    let kind_ids = unique(
        files
            .iter()
            .flat_map(|(c, r)| r.kind.iter().map(move |k| (*c, &k.id))),
        "item kind",
    )?;
    let mut kinds = Vec::new();
    for (ctx, raw) in &files {
        for k in &raw.kind {
            kinds.push(super::kind::load(ctx, k, &role_ids, &kind_ids, &rules)?);
        }
    }
    for (ctx, raw) in &files {
        for r in &raw.role {
            for k in r.reads.iter().chain(&r.menu) {
                ctx.known(k, &kind_ids, "item kind")?;
            }
        }
        for o in &raw.org_kind {
            if let Some(k) = &o.party {
                ctx.known(k, &kind_ids, "item kind")?;
            }
        }
    }
    // A party field names an entry of a kind some organisation kind acts for, and a role that
    // sees what names its party belongs to such organisations only.
    let party_kinds: Vec<&str> = org_kinds
        .iter()
        .filter_map(|o| o.party.as_deref())
        .collect();
    for (ctx, raw) in &files {
        for k in &raw.kind {
            for f in k.field.iter().filter(|f| f.party) {
                let refers = f.ref_kind.as_ref().map_or(k.id.get_ref(), |r| r.get_ref());
                if !party_kinds.contains(&refers.as_str()) {
                    return Err(ctx.err(
                        &f.id,
                        format!(
                            "`party` field `{}` refers to `{refers}`, which no organisation kind acts for (`party = \"...\"` on an org_kind)",
                            f.id.get_ref()
                        ),
                    ));
                }
            }
        }
        for r in raw
            .role
            .iter()
            .filter(|r| r.sees == super::Visibility::Party)
        {
            for ok in &r.org_kinds {
                let acts = org_kinds
                    .iter()
                    .any(|o| o.id == *ok.get_ref() && o.party.is_some());
                if !acts {
                    return Err(ctx.err(
                        ok,
                        format!(
                            "role `{}` sees what names its party, but `{}` acts for none (give it `party`)",
                            r.id.get_ref(),
                            ok.get_ref()
                        ),
                    ));
                }
            }
        }
    }
    // A menu lists published kinds only: the role could not read any other unit's items of
    // another kind, so the entry would lead to an empty list.
    for (ctx, raw) in &files {
        // A party's menu lists the kinds it works on, which it sees where they name it.
        for r in raw
            .role
            .iter()
            .filter(|r| r.sees != super::Visibility::Party)
        {
            for m in &r.menu {
                if !kinds.iter().any(|k| k.id == *m.get_ref() && k.public) {
                    return Err(ctx.err(
                        m,
                        format!("`{}` in a menu is not a published kind", m.get_ref()),
                    ));
                }
            }
        }
    }
    let raw_kinds = files
        .iter()
        .flat_map(|(c, r)| r.kind.iter().map(move |k| (*c, k)));
    for ((ctx, rk), k) in raw_kinds.zip(&kinds) {
        super::links::check(ctx, rk, k, &kinds, &rules)?;
    }
    rules.check_all_used(
        files
            .iter()
            .flat_map(|(_, r)| r.kind.iter().flat_map(|k| &k.transition)),
    )?;

    let policy = Policy {
        id: meta.id.clone(),
        title: Text::new(&meta.title_zh, &meta.title_en),
        version: meta.version.clone(),
        effective,
        chapters: outline.chapters.clone(),
        articles: outline.articles.clone(),
        org_kinds,
        roles,
        rules: named,
        kinds,
        issued,
    };
    super::articles::check_status(&ctxs, &outline, &policy)?;
    Ok(policy)
}
