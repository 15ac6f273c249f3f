//! Rules written once and named (`[[rule]]`), used by transitions as `rules = ["name"]`. At load
//! each use becomes the transition's own `forbid` or `requires`, exactly as if written there,
//! and remembers the rule's name; a rule's fields are checked against each kind that uses it.

use super::ctx::{Ctx, PolicyError};
use super::raw::{RawFile, RawForbid, RawRefRule, RawRule, RawTransition};
use super::{NamedRule, RuleBody};
use crate::text::Text;
use std::collections::{BTreeMap, BTreeSet};

/// Every named rule of the policy, with the file it is written in.
pub(super) struct Rules<'a> {
    by_id: BTreeMap<&'a str, (&'a Ctx<'a>, &'a RawRule)>,
    /// The separation of duties, if the policy states it: every deciding step obeys it.
    separation: Option<super::Separation>,
}

/// A `forbid` or `requires` a transition obeys: its own, or one a named rule lends it.
pub(super) struct Use<'a, T> {
    /// The file the words are written in (the rule's, for a named rule).
    pub ctx: &'a Ctx<'a>,
    pub raw: &'a T,
    pub rule: Option<&'a str>,
    /// Where the transition names the rule: (file, line), for the errors of a named rule.
    used_at: Option<(&'a str, usize)>,
}

impl<T> Use<'_, T> {
    /// An error found in a named rule's words says which use of the rule brought it up.
    /// `step` is `kind.transition`.
    pub fn within(&self, step: &str, e: PolicyError) -> PolicyError {
        match (self.rule, self.used_at) {
            (Some(name), Some((file, line))) => PolicyError {
                message: format!(
                    "rule `{name}`, as used by `{step}` ({file}:{line}): {}",
                    e.message
                ),
                ..e
            },
            _ => e,
        }
    }
}

/// What a transition obeys besides its roles and guards, in order: its own first, then the
/// named rules' in the order it names them.
pub(super) struct Uses<'a> {
    pub forbid: Vec<Use<'a, RawForbid>>,
    pub requires: Vec<Use<'a, RawRefRule>>,
    /// For a step that decides: the policy's separation of duties.
    pub separation: Option<super::Separation>,
}

impl<'a> Rules<'a> {
    /// Reads every `[[rule]]`: unique names, each exactly one `forbid` or `requires`.
    pub fn index(
        files: &[(&'a Ctx<'a>, &'a RawFile)],
    ) -> Result<(Rules<'a>, Vec<NamedRule>), PolicyError> {
        super::ctx::unique(
            files
                .iter()
                .flat_map(|(ctx, raw)| raw.rule.iter().map(move |r| (*ctx, &r.id))),
            "rule",
        )?;
        let mut by_id = BTreeMap::new();
        let mut out = Vec::new();
        let mut separation: Option<super::Separation> = None;
        for (ctx, raw) in files {
            for r in &raw.rule {
                let body = match (&r.forbid, &r.requires, &r.separate) {
                    (None, None, Some(sep)) => {
                        if separation.is_some() {
                            return Err(
                                ctx.err(&r.id, "the separation of duties is stated once".into())
                            );
                        }
                        let s = super::Separation {
                            rule: r.id.get_ref().clone(),
                            name: Text::new(&r.zh, &r.en),
                            after: sep.after.clone(),
                            one_level: sep.one_level,
                        };
                        separation = Some(s.clone());
                        RuleBody::Separate(s)
                    }
                    (Some(f), None, None) => RuleBody::Forbid(super::Forbid {
                        field: f.field.get_ref().clone(),
                        values: f.values.clone(),
                        article: ctx.article(&f.article)?,
                        message: Text::new(&f.zh, &f.en),
                        rule: Some(r.id.get_ref().clone()),
                        // Checked against each kind that uses the rule (`transition::load`).
                        when: f
                            .when
                            .iter()
                            .map(|w| super::When {
                                field: w.field.get_ref().clone(),
                                values: w.values.clone(),
                                refusal: None,
                            })
                            .collect(),
                    }),
                    (None, Some(q), None) => RuleBody::Requires(Box::new(
                        super::transition::ref_rule(ctx, q, Some(r.id.get_ref()))?,
                    )),
                    _ => {
                        return Err(ctx.err(
                            &r.id,
                            "a rule holds exactly one `forbid`, `requires` or `separate`".into(),
                        ));
                    }
                };
                out.push(NamedRule {
                    id: r.id.get_ref().clone(),
                    name: Text::new(&r.zh, &r.en),
                    body,
                });
                by_id.insert(r.id.get_ref().as_str(), (*ctx, r));
            }
        }
        Ok((Rules { by_id, separation }, out))
    }

    /// The transition's own `forbid` and `requires`, then those of the rules it names.
    pub fn uses(&self, ctx: &'a Ctx<'a>, t: &'a RawTransition) -> Result<Uses<'a>, PolicyError> {
        let mut uses = Uses {
            forbid: t
                .forbid
                .iter()
                .map(|raw| Use {
                    ctx,
                    raw,
                    rule: None,
                    used_at: None,
                })
                .collect(),
            requires: t
                .requires
                .iter()
                .map(|raw| Use {
                    ctx,
                    raw,
                    rule: None,
                    used_at: None,
                })
                .collect(),
            separation: match t.does {
                Some(super::Does::Decide) => self.separation.clone(),
                _ => None,
            },
        };
        let mut seen = BTreeSet::new();
        for name in &t.rules {
            let Some((rule_ctx, rule)) = self.by_id.get(name.get_ref().as_str()) else {
                let known: Vec<&&str> = self.by_id.keys().collect();
                return Err(ctx.err(
                    name,
                    format!("unknown rule `{}` (known: {known:?})", name.get_ref()),
                ));
            };
            if !seen.insert(name.get_ref()) {
                return Err(ctx.err(name, format!("rule `{}` named twice", name.get_ref())));
            }
            let used_at = Some((ctx.file, ctx.line(name.span().start)));
            if let Some(raw) = &rule.forbid {
                uses.forbid.push(Use {
                    ctx: rule_ctx,
                    raw,
                    rule: Some(rule.id.get_ref()),
                    used_at,
                });
            }
            if let Some(raw) = &rule.requires {
                uses.requires.push(Use {
                    ctx: rule_ctx,
                    raw,
                    rule: Some(rule.id.get_ref()),
                    used_at,
                });
            }
        }
        Ok(uses)
    }

    /// A rule no transition uses is a mistake waiting to be believed: refuse it.
    pub fn check_all_used<'t>(
        &self,
        transitions: impl IntoIterator<Item = &'t RawTransition>,
    ) -> Result<(), PolicyError> {
        let used: BTreeSet<&str> = transitions
            .into_iter()
            .flat_map(|t| t.rules.iter().map(|r| r.get_ref().as_str()))
            .collect();
        for (id, (ctx, rule)) in &self.by_id {
            // The separation of duties is used by every deciding step, without naming it.
            if !used.contains(id) && rule.separate.is_none() {
                return Err(ctx.err(&rule.id, format!("rule `{id}` is used by no transition")));
            }
        }
        Ok(())
    }
}
