//! An item as the domain sees it: its kind, owner, state, field values and who did what.

use crate::ids::{ItemId, OrgId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One step someone took on the item; kept so separation-of-duty guards can look back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Act {
    pub action: String,
    pub user: UserId,
    /// The role the step was taken in (a countersign needs each of its roles once).
    #[serde(default)]
    pub role: String,
    /// For a handling act (转办, 抄送): the people it names; empty for a step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<UserId>,
    /// For a copy (抄送): the units it names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_orgs: Vec<OrgId>,
    /// For a handling act: the day it was done (one urge a day per person).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<chrono::NaiveDate>,
}

/// The current state of one item. Field values are kept as validated strings (money in fen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: ItemId,
    pub kind: String,
    pub owner_org: OrgId,
    pub state: String,
    pub fields: BTreeMap<String, String>,
    pub acts: Vec<Act>,
    /// The policy version this item runs under (R31.1): set at creation, never changed.
    pub policy_version: String,
    /// The next step is due on this date, when the policy gives a deadline.
    pub due: Option<chrono::NaiveDate>,
    /// The parties (vendors) this item or one of its children names: their staff see it.
    /// Kept by the store beside the fields; a step's own change is read from the fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parties: Vec<String>,
}

impl Item {
    pub fn field(&self, id: &str) -> &str {
        self.fields.get(id).map(String::as_str).unwrap_or("")
    }
}
