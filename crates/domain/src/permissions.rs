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
    let Some(kind) = policy.kind(&item.kind) else {
        return false;
    };
    let public_state = kind.state(&item.state).is_some_and(|s| !s.private);
    match role.sees {
        Visibility::None => false,
        Visibility::Own => kind.public && public_state,
        Visibility::Submitted => public_state,
    }
}
