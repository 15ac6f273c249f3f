//! The measures as data (RX.1): organisation kinds, roles and duties, item kinds with their
//! fields, states and transitions, each transition citing the article that allows it.
//! Loading checks every reference and names the line of the first bad one.

mod load;
mod raw;

pub use load::PolicyError;

use crate::ids::Article;
use crate::text::Text;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// A loaded, validated policy. Every id it mentions exists in it.
#[derive(Debug, Clone)]
pub struct Policy {
    pub id: String,
    pub title: Text,
    pub version: String,
    /// The date the measures take effect (R32.1).
    pub effective: NaiveDate,
    pub org_kinds: Vec<OrgKind>,
    pub roles: Vec<Role>,
    pub kinds: Vec<ItemKind>,
}

/// A kind of organisation (art. 4-12).
#[derive(Debug, Clone)]
pub struct OrgKind {
    pub id: String,
    pub name: Text,
    pub article: Article,
    /// May raise demands (art. 4, R4.1).
    pub demand_unit: bool,
}

/// Which items a role may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Only items owned by the user's own organisation.
    Own,
    /// Own items, and every other item once it has left its private (draft) states.
    Submitted,
    /// Nothing: administrators see no business items (三员分立).
    None,
}

/// A role and the duties of the measures it carries (art. 5-12).
#[derive(Debug, Clone)]
pub struct Role {
    pub id: String,
    pub name: Text,
    pub org_kinds: Vec<String>,
    pub duties: Vec<Article>,
    pub sees: Visibility,
    /// One of the three administrators (三员分立): holds no business role.
    pub admin: Option<AdminKind>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminKind {
    System,
    Security,
    Audit,
}

/// The type of a field: how it is entered, checked and shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    Text {
        max: usize,
    },
    LongText {
        max: usize,
    },
    /// Yuan with two decimals, stored in fen.
    Money,
    Choice(Vec<(String, Text)>),
    /// The number of another item of the same kind, e.g. `XQ-2026-0003`.
    ItemRef,
}

#[derive(Debug, Clone)]
pub struct FieldDef {
    pub id: String,
    pub label: Text,
    pub help: Text,
    pub ty: FieldType,
    /// Which part of the form it belongs to.
    pub section: Option<String>,
}

#[derive(Debug, Clone)]
pub struct StateDef {
    pub id: String,
    pub name: Text,
    /// Colour of the state tag: info, primary, warning, success, danger.
    pub tag: String,
    /// Only the owning organisation sees items in this state (a draft, R13.2).
    pub private: bool,
    /// Why nothing but the listed transitions can happen here (e.g. frozen after submission).
    pub note: Option<(Text, Article)>,
}

/// One step of an item's lifecycle, as the measures allow it.
#[derive(Debug, Clone)]
pub struct Transition {
    pub id: String,
    pub label: Text,
    /// Empty for the transition that creates the item.
    pub from: Vec<String>,
    pub to: String,
    pub roles: Vec<String>,
    /// Fields that must hold a value after the step.
    pub required: Vec<String>,
    /// Fields the actor fills in when taking the step.
    pub inputs: Vec<String>,
    /// Fields the step sets to fixed values (e.g. `opinion = "accept"`).
    pub sets: BTreeMap<String, String>,
    pub guards: Vec<crate::guards::Guard>,
    /// Whoever took one of these steps on the item may not take this one.
    pub distinct_from: Vec<String>,
    /// The next step is due this many days after this one.
    pub deadline_days: Option<u32>,
    pub article: Article,
    /// Said in the confirmation dialog: what cannot be undone.
    pub confirm: Option<Text>,
    /// Button style: primary, danger or default.
    pub style: String,
}

/// A kind of item (demand, change request, plan...).
#[derive(Debug, Clone)]
pub struct ItemKind {
    pub id: String,
    pub name: Text,
    /// Series prefix of the human number (需求 `XQ` -> XQ-2026-0001).
    pub prefix: String,
    pub sections: Vec<(String, Text)>,
    pub title_field: String,
    /// The money field lists show and sort by, kept beside the item as a column.
    pub amount_field: Option<String>,
    pub fields: Vec<FieldDef>,
    pub states: Vec<StateDef>,
    pub transitions: Vec<Transition>,
}

impl Policy {
    /// Loads and validates a policy from TOML text; `file` names it in errors.
    pub fn from_toml(file: &str, text: &str) -> Result<Policy, PolicyError> {
        load::load(file, text)
    }

    pub fn kind(&self, id: &str) -> Option<&ItemKind> {
        self.kinds.iter().find(|k| k.id == id)
    }

    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    pub fn org_kind(&self, id: &str) -> Option<&OrgKind> {
        self.org_kinds.iter().find(|k| k.id == id)
    }
}

impl ItemKind {
    pub fn state(&self, id: &str) -> Option<&StateDef> {
        self.states.iter().find(|s| s.id == id)
    }

    pub fn field(&self, id: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.id == id)
    }

    pub fn transition(&self, id: &str) -> Option<&Transition> {
        self.transitions.iter().find(|t| t.id == id)
    }

    /// The transitions that create an item of this kind.
    pub fn creations(&self) -> impl Iterator<Item = &Transition> {
        self.transitions.iter().filter(|t| t.from.is_empty())
    }

    /// States only the owner sees.
    pub fn private_states(&self) -> Vec<&str> {
        self.states
            .iter()
            .filter(|s| s.private)
            .map(|s| s.id.as_str())
            .collect()
    }
}
