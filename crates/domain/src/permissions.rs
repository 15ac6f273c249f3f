//! Who may read what. Handlers never check roles themselves; they ask here (via the app).

use crate::decide::Actor;
use crate::item::Item;
use crate::policy::{Policy, Visibility};

/// Whether the actor may see the item at all. Not seeing it means a 404, never a 403, so
/// guessing ids leaks nothing.
pub fn can_see(policy: &Policy, actor: &Actor, item: &Item) -> bool {
    if item.owner_org == actor.org {
        return policy
            .role(&actor.role)
            .is_some_and(|r| r.sees != Visibility::None);
    }
    let Some(role) = policy.role(&actor.role) else {
        return false;
    };
    match role.sees {
        Visibility::Own | Visibility::None => false,
        Visibility::Submitted => policy
            .kind(&item.kind)
            .and_then(|k| k.state(&item.state))
            .is_some_and(|s| !s.private),
    }
}
