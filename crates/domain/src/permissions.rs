//! Who may read what: one rule, [`sight`], that yields both the check on one item
//! ([`Sight::admits`], [`can_see`]) and the filter a list applies in SQL (the app turns a
//! `Sight` into the store's filter), so the two can never disagree. Handlers never check roles
//! themselves; they ask here (via the app).

use crate::decide::Actor;
use crate::ids::OrgId;
use crate::item::Item;
use crate::policy::{Policy, Visibility};

/// What an actor may see of one kind of item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sight {
    /// Nothing (administrators, 三员分立; an unknown role or kind).
    Nothing,
    /// Only the items of the actor's own unit.
    Own(OrgId),
    /// The own unit's items in any state, and everyone's in the kind's public states (those
    /// not private; a state the policy does not know counts as private).
    OwnAndPublic {
        org: OrgId,
        private_states: Vec<String>,
        public_states: Vec<String>,
    },
    /// A party's staff (a vendor's, art. 15): the own unit's items and those that name the
    /// party, in a party field of their own or of one of their children (kept by the store
    /// as the item's parties). `fields` are the kind's party fields, read directly so that a
    /// step's own change counts before the store has kept it.
    Party {
        org: OrgId,
        party: String,
        fields: Vec<String>,
    },
}

/// The one visibility rule: a role sees its own unit's items, and (as `sees = "submitted"`,
/// or for a published kind) everyone's once they have left their private states; a party's
/// staff see what names their party.
pub fn sight(policy: &Policy, actor: &Actor, kind: &str) -> Sight {
    let (Some(role), Some(kind)) = (policy.role(&actor.role), policy.kind(kind)) else {
        return Sight::Nothing;
    };
    let own_and_public = || Sight::OwnAndPublic {
        org: actor.org,
        private_states: kind
            .private_states()
            .into_iter()
            .map(str::to_string)
            .collect(),
        public_states: kind
            .states
            .iter()
            .filter(|s| !s.private)
            .map(|s| s.id.clone())
            .collect(),
    };
    // A role that reads only some kinds across units sees the others as its own unit's.
    let sees = match role.sees {
        Visibility::Submitted if !role.reads.is_empty() && !role.reads.contains(&kind.id) => {
            Visibility::Own
        }
        s => s,
    };
    match sees {
        Visibility::None => Sight::Nothing,
        // Without a party to act for (an organisation not linked to one), nothing.
        Visibility::Party => match &actor.party {
            Some(party) => Sight::Party {
                org: actor.org,
                party: party.clone(),
                fields: kind
                    .fields
                    .iter()
                    .filter(|f| f.party)
                    .map(|f| f.id.clone())
                    .collect(),
            },
            None => Sight::Nothing,
        },
        // A published kind (campaign notices, the annual plan) reaches every business role.
        Visibility::Own if kind.public => own_and_public(),
        Visibility::Own => Sight::Own(actor.org),
        Visibility::Submitted => own_and_public(),
    }
}

impl Sight {
    /// Whether this sight takes in `item`.
    pub fn admits(&self, item: &Item) -> bool {
        match self {
            Sight::Nothing => false,
            Sight::Own(org) => item.owner_org == *org,
            Sight::OwnAndPublic {
                org, public_states, ..
            } => item.owner_org == *org || public_states.contains(&item.state),
            Sight::Party { org, party, fields } => {
                item.owner_org == *org
                    || item.parties.contains(party)
                    || fields.iter().any(|f| item.field(f) == party)
            }
        }
    }
}

/// Whether the actor may see the item at all. Not seeing it means a 404, never a 403, so
/// guessing ids leaks nothing.
pub fn can_see(policy: &Policy, actor: &Actor, item: &Item) -> bool {
    sight(policy, actor, &item.kind).admits(item)
}
