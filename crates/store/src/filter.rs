//! The filters of item lists as SQL conditions, shared by the lists, their totals and the
//! workbench's queues (which join several filters in one statement, so the placeholders of
//! each continue where the previous one's stopped).

use crate::Conn;
use domain::OrgId;

/// Filters of an item list; all optional but the kind.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: String,
    pub states: Vec<String>,
    /// States left out (a deleted draft), when `states` does not name any.
    pub hidden_states: Vec<String>,
    pub year: Option<i64>,
    pub owner: Option<OrgId>,
    /// Only the owner may see these states.
    pub private_states: Vec<String>,
    /// Restrict to the owner's items (role sees only its own unit's).
    pub only_owner: Option<OrgId>,
    /// A private state is visible only to this organisation.
    pub viewer_org: Option<OrgId>,
    /// Only the items this party (a vendor) reaches, or that `viewer_org` owns: a vendor's
    /// staff.
    pub party: Option<String>,
    pub text: Option<String>,
    /// Only children of the item with this number.
    pub parent: Option<String>,
    pub facet: Option<String>,
    /// Only items due on or before this day (YYYY-MM-DD): a recurring duty's window.
    pub due_until: Option<String>,
    /// The order the list is read in (newest first unless asked otherwise).
    pub order: Order,
    pub page: i64,
    pub per_page: i64,
}

/// The orders a list can be read in (issue 12, point 11: column sorting). Newest and oldest
/// first read the indexes in either direction; by amount sorts the rows the filters keep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    #[default]
    Newest,
    Oldest,
    /// The largest amount (budget) first, items without one last.
    Amount,
}

impl Order {
    /// The `ORDER BY` terms, with `id` the column that numbers the items in this query.
    pub(crate) fn sql(self, id: &str) -> String {
        match self {
            Order::Newest => format!("{id} DESC"),
            Order::Oldest => format!("{id} ASC"),
            Order::Amount => format!("i.amount_fen DESC NULLS LAST, {id} DESC"),
        }
    }
}

/// Which SQL the text search is written in: SQLite reads its trigram index (`items_text`),
/// PostgreSQL's planner takes its trigram indexes for `LIKE` by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub(crate) fn of(c: &Conn) -> Engine {
        if c.backend_name().eq_ignore_ascii_case("postgresql") {
            Engine::Postgres
        } else {
            Engine::Sqlite
        }
    }
}

/// A statement and its arguments, in placeholder order.
pub(crate) struct Sql {
    pub(crate) sql: String,
    pub(crate) args: Vec<Arg>,
}

pub(crate) enum Arg {
    I(i64),
    S(String),
}

impl Arg {
    pub(crate) fn to_sqlite(&self) -> rusqlite::types::Value {
        match self {
            Arg::I(i) => rusqlite::types::Value::Integer(*i),
            Arg::S(s) => rusqlite::types::Value::Text(s.clone()),
        }
    }
}

/// The trigram index finds substrings of three characters or more; a shorter word is looked
/// for by a scan.
const TRIGRAM: usize = 3;

/// `f` as " WHERE ..." with its own arguments.
pub(crate) fn where_clause(f: &Filter, engine: Engine) -> Sql {
    let mut args = Vec::new();
    let sql = format!(" WHERE {}", conditions(f, engine, &mut args));
    Sql { sql, args }
}

/// A search counts its matches up to here and says "more" beyond: counting every one of
/// 10,000 matches would cost more than the page itself, and nobody pages that far.
pub const SEARCH_COUNT_CAP: i64 = 1_000;

/// The FTS5 phrase of `f`'s words, where SQLite's trigram index can find them (three
/// characters or more): the words as typed, quotes doubled (FTS5's only escape in a phrase).
pub(crate) fn fts_phrase(f: &Filter, engine: Engine) -> Option<String> {
    let t = f.text.as_deref()?;
    (engine == Engine::Sqlite && t.chars().count() >= TRIGRAM)
        .then(|| format!("\"{}\"", t.replace('"', "\"\"")))
}

/// `f` as conditions on `i` (items, or `item_counts` for the filters it has columns of),
/// appending its arguments to `args` and numbering its placeholders after theirs.
pub(crate) fn conditions(f: &Filter, engine: Engine, args: &mut Vec<Arg>) -> String {
    let text_free = Filter {
        text: None,
        ..f.clone()
    };
    let mut sql = conditions_but_text(&text_free, args);
    if let Some(t) = &f.text {
        let mut arg = |a: Arg| {
            args.push(a);
            format!("${}", args.len())
        };
        if let Some(phrase) = fts_phrase(f, engine) {
            sql.push_str(&format!(
                " AND i.id IN (SELECT rowid FROM items_text WHERE items_text MATCH {})",
                arg(Arg::S(phrase))
            ));
        } else {
            let pattern = format!(
                "%{}%",
                t.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            let p = arg(Arg::S(pattern));
            sql.push_str(&format!(
                " AND (i.title LIKE {p} ESCAPE '\\' OR i.number LIKE {p} ESCAPE '\\')"
            ));
        }
    }
    sql
}

/// `f`'s conditions but its words.
pub(crate) fn conditions_but_text(f: &Filter, args: &mut Vec<Arg>) -> String {
    let mut sql = String::new();
    let mut arg = |a: Arg| {
        args.push(a);
        format!("${}", args.len())
    };
    sql.push_str(&format!("i.kind = {}", arg(Arg::S(f.kind.clone()))));
    if !f.states.is_empty() {
        let list: Vec<String> = f.states.iter().map(|s| arg(Arg::S(s.clone()))).collect();
        sql.push_str(&format!(" AND i.state IN ({})", list.join(", ")));
    } else if !f.hidden_states.is_empty() {
        let list: Vec<String> = f
            .hidden_states
            .iter()
            .map(|s| arg(Arg::S(s.clone())))
            .collect();
        sql.push_str(&format!(" AND i.state NOT IN ({})", list.join(", ")));
    }
    if let Some(y) = f.year {
        sql.push_str(&format!(" AND i.year = {}", arg(Arg::I(y))));
    }
    if let Some(o) = f.owner {
        sql.push_str(&format!(" AND i.owner_org_id = {}", arg(Arg::I(o.get()))));
    }
    if let Some(p) = &f.parent {
        sql.push_str(&format!(" AND i.parent = {}", arg(Arg::S(p.clone()))));
    }
    if let Some(v) = &f.facet {
        sql.push_str(&format!(" AND i.facet = {}", arg(Arg::S(v.clone()))));
    }
    if let Some(o) = f.only_owner {
        sql.push_str(&format!(" AND i.owner_org_id = {}", arg(Arg::I(o.get()))));
    }
    // The same expression as the `items_queue` index, so the window is a range of it.
    if let Some(d) = &f.due_until {
        sql.push_str(&format!(
            " AND COALESCE(i.due, '9999-12-31') <= {}",
            arg(Arg::S(d.clone()))
        ));
    }
    if let Some(party) = &f.party {
        let owner = arg(Arg::I(f.viewer_org.map_or(0, OrgId::get)));
        let escaped = party
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let word = arg(Arg::S(format!("% {escaped} %")));
        sql.push_str(&format!(
            " AND (i.owner_org_id = {owner} OR i.reach LIKE {word} ESCAPE '\\')"
        ));
    }
    if let (Some(viewer), false) = (f.viewer_org, f.private_states.is_empty()) {
        let list: Vec<String> = f
            .private_states
            .iter()
            .map(|s| arg(Arg::S(s.clone())))
            .collect();
        let owner = arg(Arg::I(viewer.get()));
        sql.push_str(&format!(
            " AND (i.state NOT IN ({}) OR i.owner_org_id = {owner})",
            list.join(", ")
        ));
    }
    sql
}

pub(crate) fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    args: &'q [Arg],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for a in args {
        q = match a {
            Arg::I(i) => q.bind(*i),
            Arg::S(s) => q.bind(s.as_str()),
        };
    }
    q
}
