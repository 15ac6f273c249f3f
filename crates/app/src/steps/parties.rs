//! The parties (registered vendors) an item names, as the store keeps them beside its fields
//! so that a vendor's staff see it (issue 13, point 3): the values of its kind's party fields,
//! or, for a registry entry of a party kind, its own number. One rule for the writer and for
//! the start-up fill of items written before the store kept them.

use crate::{AppError, Platform};
use domain::Policy;
use domain::policy::ItemKind;
use std::collections::BTreeMap;

/// Whether items of `kind` are parties themselves (the vendor registry's entries).
pub fn is_party_kind(policy: &Policy, kind: &str) -> bool {
    policy
        .org_kinds
        .iter()
        .any(|o| o.party.as_deref() == Some(kind))
}

/// What the store keeps as the parties of an item with these fields; `None` for a kind that
/// names none (its writes leave every reach alone).
pub fn of<'a>(
    policy: &Policy,
    kind: &ItemKind,
    fields: &'a BTreeMap<String, String>,
    number: &'a str,
) -> Option<Vec<&'a str>> {
    if is_party_kind(policy, &kind.id) {
        return Some(vec![number]);
    }
    let named: Vec<&str> = kind
        .fields
        .iter()
        .filter(|f| f.party)
        .map(|f| fields.get(&f.id).map_or("", String::as_str))
        .collect();
    let any_field = kind.fields.iter().any(|f| f.party);
    any_field.then(|| named.into_iter().filter(|v| !v.is_empty()).collect())
}

/// Fills the parties and reach of items written before the store kept them (a database from
/// an earlier version, or restored from an older backup). Each is kept once (one naming nobody
/// as such), so a later start reads nothing: a read of a few kinds by an index.
pub async fn fill_missing(p: &Platform) -> Result<(), AppError> {
    let kinds: Vec<ItemKind> = p
        .policy
        .kinds
        .iter()
        .filter(|k| is_party_kind(&p.policy, &k.id) || k.fields.iter().any(|f| f.party))
        .cloned()
        .collect();
    let policy = p.clone();
    p.store
        .write(move |c| {
            Box::pin(async move {
                for kind in &kinds {
                    for row in store::items::without_parties(c, &kind.id).await? {
                        let Some(parties) = of(&policy.policy, kind, &row.item.fields, &row.number)
                        else {
                            continue;
                        };
                        let parent = kind
                            .parent_field
                            .as_ref()
                            .map(|f| row.item.field(f))
                            .filter(|v| !v.is_empty());
                        store::items::keep_parties(c, &row.number, parent, &parties).await?;
                    }
                }
                Ok::<_, AppError>(())
            })
        })
        .await
}
