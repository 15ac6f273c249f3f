//! The measures as data (RX.1): organisation kinds, roles and duties, item kinds with their
//! fields, states and transitions, each transition citing the article that allows it. A policy
//! is a folder: a root `policy.toml` and its parts, one per chapter (`sources`). Loading checks
//! every reference and names the file and line of the first bad one.

mod articles;
mod ctx;
mod explain;
mod issued;
mod kind;
mod links;
mod load;
mod named;
mod outline;
mod raw;
mod sources;
mod transition;

pub use articles::{ArticleDef, ArticleStatus, Chapter};
pub use ctx::PolicyError;
pub use explain::{
    Cite, Duty, ExplainError, Explanation, GuardUse, KindCitations, RuleUse, Step, explain,
};
pub use issued::IssuedDoc;
pub use outline::{Line, outline};
pub use sources::{ROOT, parts_of};

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
    /// The measures' chapters and every article, with how far the policy models each.
    pub chapters: Vec<Chapter>,
    pub articles: Vec<ArticleDef>,
    pub org_kinds: Vec<OrgKind>,
    pub roles: Vec<Role>,
    /// Rules written once and used by several transitions (already part of their `forbid`
    /// and `requires`; kept here to say what each is called and who uses it).
    pub rules: Vec<NamedRule>,
    pub kinds: Vec<ItemKind>,
    /// Documents issued under the measures, loaded beside them (the Data Center's O&M
    /// measures, art. 19), each cited by its short title.
    pub issued: Vec<IssuedDoc>,
}

/// A rule written once, named, and used by transitions (`rules = ["not_classified"]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedRule {
    pub id: String,
    pub name: Text,
    pub body: RuleBody,
}

/// What a named rule says: a value that refuses the step, or a state a referenced item must be
/// in. Each use is checked against its transition's kind when the policy loads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleBody {
    Forbid(Forbid),
    Requires(Box<RefRule>),
    /// Applies by itself to every step that decides (the separation of duties).
    Separate(Separation),
}

impl NamedRule {
    /// The article the rule rests on; the separation of duties is internal control, which
    /// the measures take for granted and no article states.
    pub fn article(&self) -> Option<&Article> {
        match &self.body {
            RuleBody::Forbid(f) => Some(&f.article),
            RuleBody::Requires(r) => Some(&r.article),
            RuleBody::Separate(_) => None,
        }
    }
}

/// What a step does, for the separation of duties: it prepares the item (drafts, edits,
/// submits, draws the experts) or decides on it (approves, returns, gives or records an
/// opinion or an approval). Other steps (attaching a file, recording progress) are neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Does {
    Prepare,
    Decide,
}

/// The separation of duties (不相容职责分离), one rule for every deciding step: whoever took a
/// step of the kinds in `after` on the item does not decide on it; with `one_level`, whoever
/// decided in one role does not decide again in another (nobody approves twice), and each
/// person consents to a countersigned step once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Separation {
    pub rule: String,
    pub name: Text,
    pub after: Vec<Does>,
    pub one_level: bool,
}

/// A kind of organisation (art. 4-12).
#[derive(Debug, Clone)]
pub struct OrgKind {
    pub id: String,
    pub name: Text,
    pub article: Article,
    /// May raise demands (art. 4, R4.1).
    pub demand_unit: bool,
    /// Its staff act for a registered item of this kind (a vendor, art. 15) whose number is
    /// the organisation's code: they see what names that party and nothing else.
    pub party: Option<String>,
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
    /// A party's staff (a vendor's, art. 15): their own unit's items, the items whose party
    /// fields name their party, and the items those belong to (the projects they work on).
    Party,
}

/// A role and the duties of the measures it carries (art. 5-12).
#[derive(Debug, Clone)]
pub struct Role {
    pub id: String,
    pub name: Text,
    pub org_kinds: Vec<String>,
    pub duties: Vec<Article>,
    pub sees: Visibility,
    /// When not empty, the only kinds `sees = "submitted"` reaches across units; any other
    /// kind the role sees as `sees = "own"` would (its unit's, and published kinds).
    pub reads: Vec<String>,
    /// A role that sees its own unit's items: the published kinds its menu lists besides
    /// those it takes steps on. Any published item stays readable from a link.
    pub menu: Vec<String>,
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
    /// The number of another item of `kind`, e.g. `XQ-2026-0003`.
    ItemRef {
        kind: String,
    },
    /// Numbers of several items of `kind`, kept as `XQ-2026-0003,XQ-2026-0007`.
    ItemRefs {
        kind: String,
    },
    /// An official document's number (发文字号, GB/T 9704): 机关代字〔年份〕序号号, the year in
    /// hexagonal brackets; other brackets typed are turned into them.
    DocNumber,
    /// Numbers of records of any kind the platform keeps (what an audit finding cites), each
    /// of which must exist and be readable by whoever names it.
    Records,
    /// A calendar date, kept as `2026-10-11`.
    Date,
    /// A whole number within bounds (a year, a score).
    Integer {
        min: i64,
        max: i64,
    },
    /// A set of organisations (e.g. the units invited to a campaign), kept as ids `3,5,8`.
    Orgs,
    /// Files kept with the item, one per line as `<SM3 digest> <name>`; filled by the platform.
    Files,
    /// A unified social credit code (统一社会信用代码, GB 32100-2015), check digit verified.
    CreditCode,
    /// Rows of typed cells (an FSR's budget lines), kept as a JSON array of objects by column
    /// id, money in fen. See `crate::table`.
    Table(Vec<Column>),
}

/// One column of a table field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub id: String,
    pub label: Text,
    pub ty: ColumnType,
    /// A row with any value must fill this column.
    pub required: bool,
    /// Computed as the product of these two columns (quantity x unit price), never typed.
    pub product: Option<(String, String)>,
    /// Values must be among the values of this field of the item (an expert who was drawn).
    pub one_of: Option<String>,
    /// The column's sum is kept in this money field of the item.
    pub sum_into: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnType {
    Text {
        max: usize,
    },
    Money,
    Integer {
        min: i64,
        max: i64,
    },
    Date,
    /// An item number, e.g. an expert `ZK-2026-0003`.
    ItemRef {
        kind: String,
    },
    /// One of these values (kept as the value, shown in the reader's language): a budget
    /// line's 费用类别.
    Choice(Vec<(String, Text)>),
}

#[derive(Debug, Clone)]
pub struct FieldDef {
    pub id: String,
    pub label: Text,
    pub help: Text,
    pub ty: FieldType,
    /// Which part of the form it belongs to.
    pub section: Option<String>,
    /// What a new form shows: `{Y}`, `{Y+1}` and `{Y-1}` stand for years around today's;
    /// for an `orgs` field `*` means every demand unit.
    pub default: Option<String>,
    /// Filled by the platform (e.g. a document's SM3 digest), never typed by a user.
    pub system: bool,
    /// A new item's form copies the same-named fields of the item this reference names (a
    /// project starts from its plan line's title, budget and content).
    pub copies: bool,
    /// A `files` field that also takes source archives (.zip, .tar.gz): the source code a
    /// vendor delivers, kept with its digest (art. 19).
    pub archives: bool,
    /// A `date` field that records what happened (an assessment held): no later than today.
    pub not_future: bool,
    /// An `item_ref` naming a party (a vendor): its staff see this item and its parent.
    pub party: bool,
    /// Personal data (SECURITY.md: phone and ID numbers): kept SM4-encrypted at rest, shown
    /// masked (`138****5678`) unless a user asks with a reason, which is recorded.
    pub personal: bool,
    /// Computed as the product of these two integer fields, never typed (a risk's level).
    pub product: Option<(String, String)>,
    /// The value must be one of the values of another field (the winner among the bidders).
    pub among: Option<Among>,
}

/// A field whose value must be among the values of another field of the item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Among {
    pub field: String,
    pub article: Article,
    pub message: Text,
}

#[derive(Debug, Clone)]
pub struct StateDef {
    pub id: String,
    pub name: Text,
    /// Colour of the state tag: info, primary, warning, success, danger.
    pub tag: String,
    /// Only the owning organisation sees items in this state (a draft, R13.2).
    pub private: bool,
    /// Lists and their totals leave it out unless asked for it by name: a deleted draft is
    /// gone from the clerk's lists, yet its record stays (nothing is erased from the chain).
    pub hidden: bool,
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
    /// Empty when the step keeps the item in its state.
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
    /// The step may only be taken while an item of another kind holds an open window.
    pub window: Option<WindowRule>,
    /// Items this item refers to must be in given states (a county plan approved, art. 3).
    pub requires: Vec<RefRule>,
    /// Every one of these roles must take this step before the item moves on (会签); until
    /// then each consent is recorded and the item stays where it is.
    pub countersign: Vec<String>,
    /// After this step, take a step on the item a reference field names (an approved change
    /// request makes a new version of its demand).
    pub effect: Option<Effect>,
    /// Only reachable as another step's effect; never offered as a button.
    pub internal: bool,
    /// A document the platform generates with this step (its digests fill system fields).
    pub document: Option<String>,
    /// Values a field may not hold for the step (classified work is out of scope, art. 3).
    pub forbid: Vec<Forbid>,
    /// The step applies only while these fields hold one of the values (a self-funded project
    /// is filed with the NDRC, art. 14).
    pub when: Vec<When>,
    /// Only members of the organisations this `orgs` field names may take the step (the demand
    /// unit confirms its to-build entry).
    pub actor_in: Option<String>,
    /// The step is the actor's electronic signature over these fields; the platform fills the
    /// system fields `signature`, `signer_key`, `signed_at` after the password is re-entered.
    pub sign: Vec<String>,
    /// The step approves a table of lines with per-line cuts, each with its reason.
    pub cuts: Option<Cuts>,
    /// The platform draws at random for this step (`experts`: reviewers from the registry,
    /// conflicts excluded); the draw fills the step's system fields.
    pub draw: Option<String>,
    /// Allocations must fit what is left of the parent's budget lines.
    pub within: Option<Within>,
    /// The step's table of lines must cover what is already committed to each.
    pub covers: Option<Covers>,
    /// What the step does, for the separation of duties.
    pub does: Option<Does>,
    /// The step withdraws (撤回) this step of the actor's own, allowed only while it is the
    /// item's last act: once anyone else has acted, it is theirs to return.
    pub undoes: Option<String>,
    /// Whether the step is a task: expected of someone now, so it is listed in their 待办.
    pub task: bool,
    /// May be taken for several items at once from their list, each with what it holds
    /// (批量提交); each is its own step, refused or taken on its own.
    pub batch: bool,
    /// The separation of duties, on a step that decides (from the policy's `separate` rule).
    pub separation: Option<Separation>,
    /// Refused while items of a kind are open under the item (or the item a field names).
    pub blocked_by: Vec<BlockedBy>,
    /// The deadline in working days by the value of a choice field (a ticket's priority).
    pub deadline_by: Option<DeadlineBy>,
    /// A recurring duty (a system's assessment): a task in the 待办 from this many days
    /// before the item's due date, though the step keeps the item where it is.
    pub task_within_days: Option<u32>,
    /// The item's next due date, in calendar months from a date field (level 3: yearly).
    pub next_due: Option<NextDue>,
}

/// The next due date: `from` plus the months `months` gives for the value of `by` (none for a
/// value it does not list), or `sooner`'s months while its field holds one of its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextDue {
    pub from: String,
    pub by: String,
    pub months: BTreeMap<String, u32>,
    pub sooner: Option<(String, Vec<String>, u32)>,
}

/// Figures of a kind's items drawn on their parent's page: ordered by `x`, one column per
/// series, the first drawn as bars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    pub x: String,
    pub series: Vec<String>,
}

/// Working days to the next step, by each option of a choice field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineBy {
    pub field: String,
    pub days: BTreeMap<String, u32>,
}

/// Items of `kind` in `states` under a parent block a step: the item itself, or the item its
/// reference field `of` names (the project's open trial defects block its final acceptance).
/// With `when_none` it is the other way round: the step waits until there is one (a handed-over
/// system's custody is complete once its source code and an administrator account are held).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockedBy {
    pub kind: String,
    pub states: Vec<String>,
    pub of: Option<String>,
    /// Only those with this value of their kind's facet field.
    pub facet: Option<String>,
    pub when_none: bool,
    pub article: Article,
    pub message: Text,
}

/// A condition on the item's own fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct When {
    pub field: String,
    pub values: Vec<String>,
    /// What the refusal says when the field holds another value, and the article it cites:
    /// what is missing and what to do next (a self-funded project is filed first, art. 14(2)).
    pub refusal: Option<(Text, Article)>,
}

/// Cuts to a table of lines: `table` has columns `line`, `approved`, `reason`; `of` is the
/// table of lines (with a summed money column); the approved total goes into `total`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cuts {
    pub table: String,
    pub of: String,
    pub total: String,
    /// A table that receives the approved lines (`line`, `item`, `approved`).
    pub baseline: Option<String>,
}

/// Allocations to budget lines that must fit what is left of each (a contract within the
/// approved FSR, R15.2): `table` has columns `line` and `amount`; the parent's `budget` table
/// has `line`, `item` and `approved`; siblings in `counted` states have already committed theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Within {
    pub table: String,
    pub budget: String,
    pub counted: Vec<String>,
    pub article: Article,
    /// Further articles its refusal cites.
    pub also: Vec<Article>,
    /// What the counted items hold, as the refusal names it (已签约).
    pub counted_as: Text,
    /// What to do instead, as the refusal says it.
    pub advice: Text,
}

/// A field value that refuses the step, with the article and the words that say why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forbid {
    pub field: String,
    pub values: Vec<String>,
    pub article: Article,
    pub message: Text,
    /// The named rule this comes from, if it is not the transition's own.
    pub rule: Option<String>,
    /// The rule holds only while these fields have one of their values ("" for empty).
    pub when: Vec<When>,
}

/// A time window held by items of another kind, e.g. the yearly demand campaign (R13.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowRule {
    /// The kind whose items open windows; it has date fields `opens` and `closes`.
    pub kind: String,
    /// Only items of that kind in these states hold a window.
    pub states: Vec<String>,
    /// The reference field of this kind that records the window's item.
    pub field: String,
    /// An `orgs` field of the window's item listing the units that may take the step.
    pub invited: Option<String>,
}

/// A reference field whose item must be in one of `states` for the step to be taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefRule {
    pub field: String,
    pub states: Vec<String>,
    /// When not empty, the referenced item's facet (a demand's opinion) must be one of these.
    pub facets: Vec<String>,
    /// The referenced item must also belong to the actor's unit (a unit changes only its own
    /// demands).
    pub own: bool,
    /// When not empty, the referenced item's parent must be in one of these states (a plan
    /// line can become a project only once its plan's task book is issued).
    pub parent_states: Vec<String>,
    pub article: Article,
    /// The named rule this comes from, if it is not the transition's own.
    pub rule: Option<String>,
    /// What the refusal says when the referenced item is in another state.
    pub message: Option<Text>,
    /// The referenced item must not be named by such an item (a demand in an issued task book).
    pub not_named_by: Option<NamedBy>,
    /// Fields the item must hold with the referenced item's value (a project's construction
    /// mode is the one the Bureau fixed on its plan line, art. 5).
    pub same: Vec<String>,
    /// An `orgs` field of the referenced item that must list the actor's unit.
    pub member: Option<String>,
}

/// Items of `kind` in `states` whose `field` names the referenced item, under a parent in
/// `parent_states`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedBy {
    pub kind: String,
    pub field: String,
    pub states: Vec<String>,
    pub parent_states: Vec<String>,
    pub message: Text,
}

/// A new table of lines must cover what items of `kind` under the same parent, in `counted`
/// states, have committed to each line in their `allocations` (a change may not cut a budget
/// line below what is already contracted, R15.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Covers {
    pub table: String,
    pub kind: String,
    pub allocations: String,
    pub counted: Vec<String>,
    pub article: Article,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effect {
    /// The reference field naming the item the effect acts on.
    pub on: String,
    /// The step taken on it, with this item's values for that step's inputs.
    pub action: String,
}

/// The system fields a signing step fills: the signature (hex), the signer's public key
/// (hex) and the time signed.
pub const SIGNATURE_FIELDS: [&str; 3] = ["signature", "signer_key", "signed_at"];

/// Random draws the platform knows how to make.
pub const DRAWS: [&str; 1] = ["experts"];

/// Documents the platform knows how to generate.
pub const DOCUMENTS: [&str; 3] = ["taskbook", "fsr_approval", "acceptance_dossier"];

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
    /// The reference field naming the item this one belongs to (a plan line's plan), kept
    /// beside the item as a column so children are found by index.
    pub parent_field: Option<String>,
    /// Published to every business role once out of its private states (a campaign notice,
    /// the annual plan), even to roles that otherwise see only their own unit's items.
    pub public: bool,
    /// The navigation module the kind is listed under.
    pub module: Option<String>,
    /// A choice field lists filter by besides the state (a demand's opinion).
    pub facet_field: Option<String>,
    /// The field a list shows as the item's unit when that is not the unit that keeps it (an
    /// expert's employer, not the Bureau that keeps the registry).
    pub unit_field: Option<String>,
    /// The handling acts allowed besides the steps (转办, 抄送, 催办).
    pub handling: Handling,
    /// Integer fields that rank the kind's items (a demand's scores), summed for the total.
    pub ranking: Vec<String>,
    /// The list offers an Excel import of its `create` step (demands, the equipment list).
    pub import: bool,
    /// The parent's page draws these items' figures (a system's usage by month).
    pub chart: Option<Chart>,
    pub fields: Vec<FieldDef>,
    pub states: Vec<StateDef>,
    pub transitions: Vec<Transition>,
}

/// What a kind allows besides its steps: acts on an item that move nothing (see
/// `crate::handling`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Handling {
    /// 转办: whoever may take the next step hands the item to a colleague of the same role and unit.
    pub hand_over: bool,
    /// 抄送: whoever took part copies the item to people or units who may read it.
    pub copy: bool,
    /// 催办: whoever started it (or one of `urge_roles`) nudges the holders of an overdue item.
    pub urge: bool,
    pub urge_roles: Vec<String>,
}

impl Policy {
    /// The article of this number the policy lists (`13`), with its heading and status.
    pub fn article(&self, number: u32) -> Option<&ArticleDef> {
        self.articles.iter().find(|a| a.number == number)
    }

    /// The document issued under the measures with this short title (`运维管理办法`).
    pub fn issued(&self, short: &str) -> Option<&IssuedDoc> {
        self.issued.iter().find(|d| d.short == short)
    }

    pub fn chapter(&self, number: u32) -> Option<&Chapter> {
        self.chapters.iter().find(|c| c.number == number)
    }

    pub fn rule(&self, id: &str) -> Option<&NamedRule> {
        self.rules.iter().find(|r| r.id == id)
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
