//! Who may take which step in which state, for every kind of the policy, as snapshots: any
//! change to the measures' data shows up here for review (RX.1), kind by kind.

use crate::shipped;
use domain::{Actor, Item, ItemId, OrgId, UserId, available_actions};

fn actor(user: i64, org: i64, org_kind: &str, role: &str) -> Actor {
    Actor {
        user: UserId::new(user),
        org: OrgId::new(org),
        org_kind: org_kind.into(),
        role: role.into(),
        party: None,
    }
}

/// RX.1: the state x action x role matrix of every kind. A line lists, for a role in a state,
/// the steps offered on an item of the role's own unit and on another unit's; lines where a
/// role may do nothing either way are left out.
#[test]
fn rx1_the_state_action_role_matrix_of_every_kind() {
    let p = shipped();
    for kind in &p.kinds {
        let mut lines = Vec::new();
        for state in &kind.states {
            let item = Item {
                id: ItemId::new(1),
                kind: kind.id.clone(),
                owner_org: OrgId::new(10),
                state: state.id.clone(),
                fields: Default::default(),
                acts: vec![],
                policy_version: p.version.clone(),
                due: None,
                parties: Vec::new(),
            };
            for role in &p.roles {
                let org_kind = role.org_kinds.first().cloned().unwrap_or_default();
                let names = |a: &Actor| {
                    available_actions(&p, &item, a)
                        .iter()
                        .map(|t| t.id.clone())
                        .collect::<Vec<_>>()
                        .join(",")
                };
                let own = names(&actor(101, 10, &org_kind, &role.id));
                let other = names(&actor(100, 99, &org_kind, &role.id));
                if own.is_empty() && other.is_empty() {
                    continue;
                }
                lines.push(format!(
                    "{:22} {:21} own:[{own}] other:[{other}]",
                    state.id, role.id
                ));
            }
        }
        insta::assert_snapshot!(format!("matrix_{}", kind.id), lines.join("\n"));
    }
}
