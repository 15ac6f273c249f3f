//! Named guards: predicates written in Rust that the policy file refers to by name.
//! An unknown name in a policy file is an error with its line.

use crate::decide::Actor;
use crate::item::Item;
use crate::policy::Policy;
use crate::text::Text;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// The actor belongs to the organisation that owns the item (a unit edits its own demand).
    OwnUnit,
    /// The actor does not belong to the owning organisation: nobody analyses or approves
    /// their own unit's item (separation of duties).
    NotOwnUnit,
    /// The actor's organisation is of a kind art. 4 lists as a demand unit (R4.1).
    DemandUnitOrg,
}

impl Guard {
    pub const NAMES: [&'static str; 3] = ["own_unit", "not_own_unit", "demand_unit_org"];

    pub fn parse(name: &str) -> Option<Guard> {
        match name {
            "own_unit" => Some(Guard::OwnUnit),
            "not_own_unit" => Some(Guard::NotOwnUnit),
            "demand_unit_org" => Some(Guard::DemandUnitOrg),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Guard::OwnUnit => "own_unit",
            Guard::NotOwnUnit => "not_own_unit",
            Guard::DemandUnitOrg => "demand_unit_org",
        }
    }

    /// The article the guard's refusal cites, if any (a demand unit is a kind art. 4 lists).
    pub fn article(self) -> Option<crate::ids::Article> {
        match self {
            Guard::OwnUnit | Guard::NotOwnUnit => None,
            Guard::DemandUnitOrg => crate::ids::Article::whole(4),
        }
    }

    /// `Ok(())` when the guard holds; otherwise why not, in words a clerk understands.
    pub fn check(self, policy: &Policy, actor: &Actor, item: Option<&Item>) -> Result<(), Text> {
        match self {
            Guard::OwnUnit => match item {
                Some(i) if i.owner_org != actor.org => Err(Text::new(
                    "只有提出该事项的单位才能执行此操作。",
                    "Only the unit that raised this item may do this.",
                )),
                _ => Ok(()),
            },
            Guard::NotOwnUnit => match item {
                Some(i) if i.owner_org == actor.org => Err(Text::new(
                    "不能办理本单位提出的事项（职责分离）。",
                    "You cannot handle an item raised by your own unit (separation of duties).",
                )),
                _ => Ok(()),
            },
            Guard::DemandUnitOrg => {
                let ok = policy
                    .org_kind(&actor.org_kind)
                    .is_some_and(|k| k.demand_unit);
                if ok {
                    Ok(())
                } else {
                    Err(Text::new(
                        "本单位不属于第四条所列的需求单位，不能申报需求。",
                        "Your organisation is not of a kind art. 4 lists as a demand unit, so it cannot raise demands.",
                    ))
                }
            }
        }
    }
}
