//! The policy's files as written: references keep their position so errors can name the line.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

pub type S = Spanned<String>;

/// One file of a policy: the root (with `[policy]`) or one of the parts it lists. Any file may
/// hold any of the other tables; the loader gathers them in the order of the parts.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    /// Only in the root file.
    pub policy: Option<RawMeta>,
    #[serde(default)]
    pub chapter: Vec<RawChapter>,
    #[serde(default)]
    pub article: Vec<RawArticle>,
    #[serde(default)]
    pub org_kind: Vec<RawOrgKind>,
    #[serde(default)]
    pub role: Vec<RawRole>,
    #[serde(default)]
    pub rule: Vec<RawRule>,
    #[serde(default)]
    pub kind: Vec<RawKind>,
    /// Documents issued under the measures (`[[issued]]`), with their articles.
    #[serde(default)]
    pub issued: Vec<RawIssued>,
}

/// A document issued under the measures by a body they name (the Data Center's O&M measures).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIssued {
    /// The title citations use, without 《》: `运维管理办法`.
    pub short: S,
    /// What English citations call it (`O&M Measures`): 《》 and Chinese stay out of English.
    pub short_en: String,
    pub title_zh: String,
    pub title_en: String,
    /// The organisation kind that issues it.
    pub issuer: S,
    pub version: String,
    pub effective: S,
    /// The article of the measures it is issued under.
    pub basis: S,
    #[serde(default)]
    pub article: Vec<RawIssuedArticle>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIssuedArticle {
    pub number: Spanned<u32>,
    /// Heading words.
    pub zh: String,
    pub en: String,
    pub text_zh: String,
    pub text_en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub version: String,
    pub effective: S,
    /// The part files, in order, relative to the root's folder.
    #[serde(default)]
    pub parts: Vec<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChapter {
    pub number: Spanned<u32>,
    pub zh: String,
    pub en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArticle {
    pub number: Spanned<u32>,
    pub chapter: Spanned<u32>,
    /// The article's heading words (the measures have none; ours summarise it).
    pub zh: String,
    pub en: String,
    pub status: Spanned<crate::policy::ArticleStatus>,
    pub note_zh: Option<String>,
    pub note_en: Option<String>,
}

/// A rule written once, named, and used by several transitions (`rules = ["not_classified"]`):
/// exactly one of `forbid` or `requires`, as a transition would write it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: S,
    pub zh: String,
    pub en: String,
    pub forbid: Option<RawForbid>,
    pub requires: Option<RawRefRule>,
    /// The separation of duties: applies by itself to every step that does `decide`.
    pub separate: Option<RawSeparate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSeparate {
    /// Whoever took a step with one of these duties on an item may not decide on it.
    pub after: Vec<crate::policy::Does>,
    /// A person who decided on an item in one role may not decide on it again in another.
    #[serde(default)]
    pub one_level: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOrgKind {
    pub id: S,
    pub zh: String,
    pub en: String,
    pub article: S,
    #[serde(default)]
    pub demand_unit: bool,
    /// Its staff act for one registered item of this kind (a vendor of the registry), whose
    /// number is the organisation's code.
    pub party: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRole {
    pub id: S,
    pub zh: String,
    pub en: String,
    pub org_kinds: Vec<S>,
    #[serde(default)]
    pub duties: Vec<S>,
    pub sees: crate::policy::Visibility,
    /// With `sees = "submitted"`: the only kinds it reads across units (besides published
    /// ones); empty: every kind.
    #[serde(default)]
    pub reads: Vec<S>,
    /// With `sees = "own"`: published kinds the role's menu lists although it takes no step
    /// on them (a unit reads the campaign and the plan, not the vendor registry).
    #[serde(default)]
    pub menu: Vec<S>,
    pub admin: Option<crate::policy::AdminKind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKind {
    pub id: S,
    pub zh: String,
    pub en: String,
    pub prefix: String,
    pub title_field: S,
    /// The money field lists show for this kind (e.g. the budget estimate).
    pub amount_field: Option<S>,
    /// The reference field naming the item this one belongs to.
    pub parent_field: Option<S>,
    #[serde(default)]
    pub public: bool,
    /// The navigation module the kind is listed under (UI.md: 需求征集, 年度计划 ...).
    pub module: Option<String>,
    /// A choice field lists filter by besides the state (a demand's opinion).
    pub facet_field: Option<S>,
    /// The field a list shows as the item's unit instead of the unit that keeps it.
    pub unit_field: Option<S>,
    /// The handling acts the kind allows besides its steps (转办, 抄送, 催办).
    pub handling: Option<RawHandling>,
    /// Integer fields that rank the kind's items (an opinion's scores), summed for the total.
    #[serde(default)]
    pub ranking: Vec<S>,
    /// The list offers an Excel import of the kind's ordinary creation (`create`).
    #[serde(default)]
    pub import: bool,
    /// The parent's page draws these items' figures by `x` (a system's usage by month).
    pub chart: Option<RawChart>,
    #[serde(default)]
    pub section: Vec<RawSection>,
    #[serde(default)]
    pub field: Vec<RawField>,
    #[serde(default)]
    pub state: Vec<RawState>,
    #[serde(default)]
    pub transition: Vec<RawTransition>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHandling {
    #[serde(default)]
    pub hand_over: bool,
    #[serde(default)]
    pub copy: bool,
    #[serde(default)]
    pub urge: bool,
    /// Who may urge besides whoever started the item.
    #[serde(default)]
    pub urge_roles: Vec<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSection {
    pub id: String,
    pub zh: String,
    pub en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    pub id: S,
    pub zh: String,
    pub en: String,
    #[serde(default)]
    pub help_zh: String,
    #[serde(default)]
    pub help_en: String,
    #[serde(rename = "type")]
    pub ty: S,
    pub max: Option<i64>,
    pub min: Option<i64>,
    #[serde(default)]
    pub options: Vec<RawOption>,
    pub section: Option<S>,
    /// For item_ref / item_refs: the kind referred to (default: this kind).
    pub ref_kind: Option<S>,
    pub default: Option<String>,
    #[serde(default)]
    pub system: bool,
    /// For an `item_ref`: a new item copies the same-named fields of the item it names.
    #[serde(default)]
    pub copies: bool,
    /// For a `files` field: also takes source archives (.zip, .tar.gz).
    #[serde(default)]
    pub archives: bool,
    /// For an `item_ref`: the registered party it names (a vendor) sees the item and the
    /// item it belongs to.
    #[serde(default)]
    pub party: bool,
    /// For a `date` field: a day that has happened (an assessment held), not a later one.
    #[serde(default)]
    pub not_future: bool,
    /// Personal data (a phone number, an ID number): kept encrypted, shown masked.
    #[serde(default)]
    pub personal: bool,
    /// Computed as the product of two integer fields (a risk's likelihood x impact).
    #[serde(default)]
    pub product: Vec<S>,
    /// For a `table`: its columns.
    #[serde(default)]
    pub column: Vec<RawColumn>,
    /// The value must be one of the values of another field (a winner among the bidders).
    pub among: Option<RawAmong>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAmong {
    pub field: S,
    pub article: S,
    pub zh: String,
    pub en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawColumn {
    pub id: S,
    pub zh: String,
    pub en: String,
    #[serde(rename = "type")]
    pub ty: S,
    pub max: Option<i64>,
    pub min: Option<i64>,
    #[serde(default)]
    pub required: bool,
    /// A money column computed as the product of two other columns (quantity x unit price).
    #[serde(default)]
    pub product: Vec<S>,
    /// The column's values must be among the values of this field of the item.
    pub one_of: Option<S>,
    /// The column's sum is kept in this money field of the item.
    pub sum_into: Option<S>,
    /// For a `choice` column: the values it takes, each with its words in both languages.
    #[serde(default)]
    pub options: Vec<RawOption>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOption {
    pub id: String,
    pub zh: String,
    pub en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawState {
    pub id: S,
    pub zh: String,
    pub en: String,
    #[serde(default = "default_tag")]
    pub tag: String,
    #[serde(default)]
    pub private: bool,
    /// Lists leave it out unless asked for it (a deleted draft).
    #[serde(default)]
    pub hidden: bool,
    pub note_zh: Option<String>,
    pub note_en: Option<String>,
    pub note_article: Option<S>,
}

fn default_tag() -> String {
    "info".to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTransition {
    pub id: S,
    pub zh: String,
    pub en: String,
    #[serde(default)]
    pub from: Vec<S>,
    /// Omitted: the item stays in its state.
    pub to: Option<S>,
    pub roles: Vec<S>,
    #[serde(default)]
    pub required: Vec<S>,
    #[serde(default)]
    pub inputs: Vec<S>,
    #[serde(default)]
    pub sets: BTreeMap<String, S>,
    #[serde(default)]
    pub guards: Vec<S>,
    #[serde(default)]
    pub distinct_from: Vec<S>,
    pub deadline_days: Option<u32>,
    pub article: S,
    /// The requirement id this step implements, for tracing (`R13.2`); informative only.
    #[allow(dead_code)]
    pub req: Option<String>,
    pub confirm_zh: Option<String>,
    pub confirm_en: Option<String>,
    #[serde(default)]
    pub style: Option<String>,
    pub window: Option<RawWindow>,
    #[serde(default)]
    pub requires: Vec<RawRefRule>,
    #[serde(default)]
    pub countersign: Vec<S>,
    pub effect: Option<RawEffect>,
    #[serde(default)]
    pub internal: bool,
    /// The platform generates this document when the step is taken (`taskbook`).
    pub document: Option<S>,
    #[serde(default)]
    pub forbid: Vec<RawForbid>,
    /// Named rules (`[[rule]]`) the step obeys besides its own `forbid` and `requires`.
    #[serde(default)]
    pub rules: Vec<S>,
    /// The step applies only while fields hold given values (a construction mode).
    #[serde(default)]
    pub when: Vec<RawWhen>,
    /// Only members of the organisations this `orgs` field names may take the step.
    pub actor_in: Option<S>,
    /// The step is an electronic signature over these fields (R14.1).
    #[serde(default)]
    pub sign: Vec<S>,
    /// The step approves a table with per-line cuts.
    pub cuts: Option<RawCuts>,
    /// The platform draws at random for this step (`experts`).
    pub draw: Option<S>,
    /// Allocations must stay within what the parent's baseline has left (R15.1, R15.2).
    pub within: Option<RawWithin>,
    /// A new baseline must cover what is already committed to each line (R15.1).
    pub covers: Option<RawCovers>,
    /// What the step does, for the separation of duties: prepares the item or decides on it.
    pub does: Option<crate::policy::Does>,
    /// The step takes back this step of the actor's own while nobody has acted since (撤回).
    pub undoes: Option<S>,
    /// `false` for a step that is an action on a page, never a task in anyone's 待办 (an
    /// expert's 出库, a vendor's 暂停); default true.
    pub task: Option<bool>,
    /// The step may be taken for several items at once from their list (批量提交 of imported
    /// drafts), each with what it already holds; default false.
    #[serde(default)]
    pub batch: bool,
    /// The step is refused while items of a kind are open under the item, or under the item a
    /// reference field names (a trial defect not closed blocks the final acceptance, art. 16).
    #[serde(default)]
    pub blocked_by: Vec<RawBlockedBy>,
    /// The next step is due this many working days after this one, by the value of a choice
    /// field (a ticket's priority); instead of `deadline_days`.
    pub deadline_by: Option<RawDeadlineBy>,
    /// A recurring duty: a task from this many days before the item's due date.
    pub task_within_days: Option<u32>,
    /// The item's next due date from a date field and an interval by a choice field.
    pub next_due: Option<RawNextDue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNextDue {
    /// The date field counted from (the day of the last assessment)...
    pub from: S,
    /// ... by the months each option of this choice field gives (a level without one has no
    /// next date) ...
    pub by: S,
    pub months: BTreeMap<String, u32>,
    /// ... or sooner while a field holds one of these values (a failed assessment).
    pub sooner: Option<RawSooner>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSooner {
    pub field: S,
    pub values: Vec<String>,
    pub months: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeadlineBy {
    pub field: S,
    pub days: BTreeMap<String, u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBlockedBy {
    /// Items of this kind (its `parent_field` names their parent)...
    pub kind: S,
    /// ... in these states ...
    pub states: Vec<S>,
    /// ... under the item this reference field names; omitted, under the item itself.
    pub of: Option<S>,
    /// ... with this value of their kind's facet field (an administrator account).
    pub facet: Option<S>,
    /// Blocked while there is none such, rather than while there is one (a system handed
    /// over is not in custody until its source code is held).
    #[serde(default)]
    pub when_none: bool,
    pub article: S,
    /// What the refusal says before it lists the items' numbers.
    pub zh: String,
    pub en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCovers {
    /// This item's table of lines (`line`, `item`, `approved`).
    pub table: S,
    /// The items of this kind under the same parent commit amounts to the lines...
    pub kind: S,
    /// ... in this table of theirs (`line`, `amount`) ...
    pub allocations: S,
    /// ... while in these states.
    pub counted: Vec<S>,
    pub article: S,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWhen {
    pub field: S,
    pub values: Vec<String>,
    /// What a refusal says when the field holds another value (both or neither), and the
    /// article it cites instead of the step's.
    pub zh: Option<String>,
    pub en: Option<String>,
    pub article: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCuts {
    /// The table of cuts: columns `line`, `approved`, `reason`.
    pub table: S,
    /// The table of lines the cuts apply to (it has a summed money column).
    pub of: S,
    /// The money field that receives the approved total.
    pub total: S,
    /// A table that receives the approved lines (`line`, `item`, `approved`): the baseline.
    pub baseline: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWithin {
    /// This item's table of allocations (`line`, `amount`).
    pub table: S,
    /// The parent's baseline table (`line`, `item`, `approved`).
    pub budget: S,
    /// States of sibling items whose allocations are already committed.
    pub counted: Vec<S>,
    pub article: S,
    /// Further articles the refusal cites (building to the approved FSR, art. 25).
    #[serde(default)]
    pub also: Vec<S>,
    /// What the counted items hold, as the refusal names it (`已签约` / `is already contracted`
    /// when not given), and what to do instead (raising the line by an approved change).
    #[serde(default)]
    pub counted_zh: Option<String>,
    #[serde(default)]
    pub counted_en: Option<String>,
    #[serde(default)]
    pub advice_zh: Option<String>,
    #[serde(default)]
    pub advice_en: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawForbid {
    pub field: S,
    pub values: Vec<String>,
    pub article: S,
    pub zh: String,
    pub en: String,
    /// The rule holds only while these fields have one of the values.
    #[serde(default)]
    pub when: Vec<RawWhen>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWindow {
    pub kind: S,
    pub states: Vec<S>,
    pub field: S,
    /// An `orgs` field of the window's kind: only the units it lists may take the step.
    pub invited: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRefRule {
    pub field: S,
    pub states: Vec<S>,
    #[serde(default)]
    pub facets: Vec<S>,
    #[serde(default)]
    pub own: bool,
    /// The referenced item's parent (its plan) must be in one of these states.
    #[serde(default)]
    pub parent_states: Vec<S>,
    pub article: S,
    /// What the refusal says when the referenced item is in another state (instead of the
    /// general "not yet approved").
    pub zh: Option<String>,
    pub en: Option<String>,
    /// The referenced item must not be named by an item of another kind whose parent is in
    /// given states (a demand already in an issued task book).
    pub not_named_by: Option<RawNamedBy>,
    /// Fields whose value must be the referenced item's (a project's construction mode is the
    /// one its plan line fixed).
    #[serde(default)]
    pub same: Vec<S>,
    /// An `orgs` field of the referenced item that must list the actor's unit (only the
    /// project's user units log its trial defects).
    pub member: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNamedBy {
    pub kind: S,
    pub field: S,
    /// The naming item's states that count (a removed plan line does not).
    pub states: Vec<S>,
    pub parent_states: Vec<S>,
    pub zh: String,
    pub en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEffect {
    pub on: S,
    pub action: S,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChart {
    /// The field the figures are ordered by (a month, `2026-11`).
    pub x: S,
    /// Integer or money fields, one column each; the first is drawn as bars.
    pub series: Vec<S>,
}
