//! Current state of items: one row per item, updated in the same transaction as its event.

use crate::cols::Cols;
use crate::filter::{Arg, Engine, Sql, bind_all, conditions_but_text, fts_phrase, where_clause};
pub use crate::filter::{Filter, Order, SEARCH_COUNT_CAP};
use crate::{Conn, StoreError};
use domain::{Item, ItemId, OrgId};
use serde::Serialize;
use sqlx::Row;

/// An item with what the lists and pages show besides the domain view.
#[derive(Debug, Clone, Serialize)]
pub struct ItemRow {
    pub item: Item,
    pub number: String,
    pub title: String,
    pub year: i64,
    pub version: i64,
    pub owner_name_zh: String,
    pub owner_name_en: String,
    pub created_at: String,
    pub updated_at: String,
}

impl ItemRow {
    /// The owning unit's name in the reader's language.
    pub fn owner_name(&self, lang: domain::Lang) -> &str {
        owner_name(&self.owner_name_zh, &self.owner_name_en, lang)
    }
}

fn owner_name<'a>(zh: &'a str, en: &'a str, lang: domain::Lang) -> &'a str {
    match lang {
        domain::Lang::Zh => zh,
        domain::Lang::En => en,
    }
}

const COLUMNS: &str = "i.id, i.kind, i.number, i.year, i.title, i.owner_org_id, i.state, i.fields, i.acts, \
                       i.policy_version, i.version, i.due, i.created_at, i.updated_at, o.name_zh, o.name_en, i.reach";

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<ItemRow, StoreError> {
    let fields: String = r.try_get(7)?;
    let acts: String = r.try_get(8)?;
    let due: Option<String> = r.try_get(11)?;
    Ok(ItemRow {
        item: Item {
            id: ItemId::new(r.try_get(0)?),
            kind: r.try_get(1)?,
            owner_org: OrgId::new(r.try_get(5)?),
            state: r.try_get(6)?,
            fields: serde_json::from_str(&fields).map_err(corrupt)?,
            acts: serde_json::from_str(&acts).map_err(corrupt)?,
            policy_version: r.try_get(9)?,
            due: due.map(|d| d.parse()).transpose().map_err(corrupt)?,
            parties: r
                .try_get::<String, _>(16)?
                .split_whitespace()
                .map(str::to_string)
                .collect(),
        },
        number: r.try_get(2)?,
        year: r.try_get(3)?,
        title: r.try_get(4)?,
        version: r.try_get(10)?,
        created_at: r.try_get(12)?,
        updated_at: r.try_get(13)?,
        owner_name_zh: r.try_get(14)?,
        owner_name_en: r.try_get(15)?,
    })
}

pub async fn get(c: &mut Conn, id: ItemId) -> Result<Option<ItemRow>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM items i JOIN orgs o ON o.id = i.owner_org_id WHERE i.id = $1"
    ))
    .bind(id.get())
    .fetch_optional(&mut *c)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn get_by_number(c: &mut Conn, number: &str) -> Result<Option<ItemRow>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM items i JOIN orgs o ON o.id = i.owner_org_id WHERE i.number = $1"
    ))
    .bind(number)
    .fetch_optional(&mut *c)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Holds the item's row for the rest of the transaction, so that checks against what its
/// children hold (a line's ceiling) run one after the other across instances: on PostgreSQL a
/// row lock (a later statement sees what the one before committed); on SQLite the writer's
/// `BEGIN IMMEDIATE` already orders every write, and nothing more is taken.
pub async fn hold(c: &mut Conn, id: ItemId) -> Result<(), StoreError> {
    if matches!(Engine::of(c), Engine::Postgres) {
        sqlx::query("SELECT id FROM items WHERE id = $1 FOR UPDATE")
            .bind(id.get())
            .fetch_optional(&mut *c)
            .await?;
    }
    Ok(())
}

/// The next number in a kind's yearly series: XQ-2026-0001.
pub async fn next_number(c: &mut Conn, prefix: &str, year: i32) -> Result<String, StoreError> {
    let row = sqlx::query(
        "INSERT INTO counters (kind, year, next) VALUES ($1, $2, 1) \
         ON CONFLICT (kind, year) DO UPDATE SET next = counters.next + 1 RETURNING next",
    )
    .bind(prefix)
    .bind(i64::from(year))
    .fetch_one(&mut *c)
    .await?;
    let n: i64 = row.try_get(0)?;
    Ok(format!("{prefix}-{year}-{n:04}"))
}

/// Values kept beside the item as columns, derived from its fields by the policy.
#[derive(Debug, Clone, Default)]
pub struct Derived<'a> {
    pub title: &'a str,
    pub amount_fen: Option<i64>,
    /// The number of the item this one belongs to.
    pub parent: Option<&'a str>,
    /// The value lists filter by besides the state (a demand's opinion).
    pub facet: Option<&'a str>,
    /// For a kind with party fields: the parties (vendors) they name; `None` for a kind
    /// without any, whose writes leave every item's reach alone.
    pub parties: Option<Vec<&'a str>>,
}

/// Inserts a new item and returns its id.
pub async fn insert(
    c: &mut Conn,
    number: &str,
    year: i32,
    d: &Derived<'_>,
    item: &Item,
    at: &str,
) -> Result<ItemId, StoreError> {
    let row = sqlx::query(
        "INSERT INTO items (kind, number, year, title, owner_org_id, state, fields, acts, policy_version, version, due, \
         amount_fen, created_at, updated_at, parent, facet, parties) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
    )
    .bind(&item.kind)
    .bind(number)
    .bind(i64::from(year))
    .bind(d.title)
    .bind(item.owner_org.get())
    .bind(&item.state)
    .bind(serde_json::to_string(&item.fields).map_err(corrupt)?)
    .bind(serde_json::to_string(&item.acts).map_err(corrupt)?)
    .bind(&item.policy_version)
    .bind(item.due.map(|d| d.to_string()))
    .bind(d.amount_fen)
    .bind(at)
    .bind(at)
    .bind(d.parent)
    .bind(d.facet)
    .bind(party_words(d))
    .fetch_one(&mut *c)
    .await?;
    let id = ItemId::new(row.try_get(0)?);
    if d.parties.is_some() {
        refresh_reach(c, number, d.parent).await?;
    }
    add_to_counts(
        c,
        &item.kind,
        &item.state,
        i64::from(year),
        item.owner_org,
        1,
    )
    .await?;
    Ok(id)
}

/// A kind's party values as kept in `parties`: space-separated, with a space at each end so
/// that a party is matched as a whole word.
fn party_words(d: &Derived<'_>) -> String {
    d.parties.as_deref().map(words).unwrap_or_default()
}

/// Parties as kept: ` a b `; a kind with party fields that names none keeps a single space,
/// so that `''` means only "never kept" (what the start-up fill reads).
fn words(parties: &[&str]) -> String {
    if parties.is_empty() {
        " ".to_string()
    } else {
        format!(" {} ", parties.join(" "))
    }
}

/// Keeps the reach of the item numbered `number` and of the item it belongs to: the parties
/// each names, with those its children name (a vendor on a contract sees its project).
async fn refresh_reach(c: &mut Conn, number: &str, parent: Option<&str>) -> Result<(), StoreError> {
    for n in std::iter::once(number).chain(parent) {
        let rows = sqlx::query("SELECT parties FROM items WHERE number = $1 OR parent = $1")
            .bind(n)
            .fetch_all(&mut *c)
            .await?;
        let mut all = std::collections::BTreeSet::new();
        for r in &rows {
            let p: String = r.try_get(0)?;
            all.extend(p.split_whitespace().map(str::to_string));
        }
        let words: Vec<String> = all.into_iter().collect();
        let reach = if words.is_empty() {
            String::new()
        } else {
            format!(" {} ", words.join(" "))
        };
        sqlx::query("UPDATE items SET reach = $1 WHERE number = $2")
            .bind(reach)
            .bind(n)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

/// Keeps `item_counts` in step with `items` (same transaction).
async fn add_to_counts(
    c: &mut Conn,
    kind: &str,
    state: &str,
    year: i64,
    owner: OrgId,
    n: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO item_counts (kind, state, year, owner_org_id, n) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (kind, state, year, owner_org_id) DO UPDATE SET n = item_counts.n + excluded.n",
    )
    .bind(kind)
    .bind(state)
    .bind(year)
    .bind(owner.get())
    .bind(n)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// What the writer read before deciding: the update only lands if the item is still at
/// `version`, and `state` and `year` keep the counts right.
pub struct AsRead<'a> {
    pub state: &'a str,
    pub year: i64,
    pub version: i64,
}

/// Writes the new state if nobody changed the item since it was read.
pub async fn update(
    c: &mut Conn,
    read: &AsRead<'_>,
    item: &Item,
    d: &Derived<'_>,
    at: &str,
) -> Result<(), StoreError> {
    // Its number, and the parent it had, for the reach kept beside it.
    let was: (String, Option<String>) = if d.parties.is_some() {
        let r = sqlx::query("SELECT number, parent FROM items WHERE id = $1")
            .bind(item.id.get())
            .fetch_one(&mut *c)
            .await?;
        (r.try_get(0)?, r.try_get(1)?)
    } else {
        (String::new(), None)
    };
    let done = sqlx::query(
        "UPDATE items SET state = $1, fields = $2, acts = $3, title = $4, due = $5, amount_fen = $6, updated_at = $7, \
         parent = $10, facet = $11, parties = $12, version = version + 1 WHERE id = $8 AND version = $9",
    )
    .bind(&item.state)
    .bind(serde_json::to_string(&item.fields).map_err(corrupt)?)
    .bind(serde_json::to_string(&item.acts).map_err(corrupt)?)
    .bind(d.title)
    .bind(item.due.map(|d| d.to_string()))
    .bind(d.amount_fen)
    .bind(at)
    .bind(item.id.get())
    .bind(read.version)
    .bind(d.parent)
    .bind(d.facet)
    .bind(party_words(d))
    .execute(&mut *c)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict);
    }
    if d.parties.is_some() {
        refresh_reach(c, &was.0, d.parent).await?;
        // Moved under another item: the one it left no longer reaches its parties.
        if let Some(old) = was.1.as_deref().filter(|old| Some(*old) != d.parent) {
            refresh_reach(c, old, None).await?;
        }
    }
    if read.state != item.state {
        add_to_counts(c, &item.kind, read.state, read.year, item.owner_org, -1).await?;
        add_to_counts(c, &item.kind, &item.state, read.year, item.owner_org, 1).await?;
    }
    Ok(())
}

/// Keeps a handling act (转办, 抄送, 催办) among the item's acts: nothing else changes but the
/// version, which moves like any step's so that a step read before it (in this instance or
/// another) cannot write its stale acts over it. Refused (a conflict) if the item moved since
/// it was read.
pub async fn set_acts(
    c: &mut Conn,
    id: domain::ItemId,
    version: i64,
    acts: &[domain::Act],
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE items SET acts = $1, version = version + 1 WHERE id = $2 AND version = $3",
    )
    .bind(serde_json::to_string(acts).map_err(corrupt)?)
    .bind(id.get())
    .bind(version)
    .execute(&mut *c)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

/// One page of items, newest first.
pub async fn list(c: &mut Conn, f: &Filter) -> Result<Vec<ItemRow>, StoreError> {
    let w = where_clause(f, Engine::of(c));
    let sql = format!(
        "SELECT {COLUMNS} FROM items i JOIN orgs o ON o.id = i.owner_org_id{} ORDER BY i.id DESC LIMIT {} OFFSET {}",
        w.sql,
        f.per_page.clamp(1, 200),
        (f.page.max(1) - 1) * f.per_page.clamp(1, 200)
    );
    let rows = bind_all(sqlx::query(&sql), &w.args)
        .fetch_all(&mut *c)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Every item the filter matches, newest first, read a page at a time: for the checks that
/// must count them all (what draws on a budget line), where one page would silently stop at
/// 200. The filter's own page and size are ignored.
pub async fn list_all(c: &mut Conn, f: &Filter) -> Result<Vec<ItemRow>, StoreError> {
    let mut out = Vec::new();
    for page in 1.. {
        let f = Filter {
            page,
            per_page: 200,
            ..f.clone()
        };
        let rows = list(c, &f).await?;
        let n = rows.len();
        out.extend(rows);
        if n < 200 {
            break;
        }
    }
    Ok(out)
}

/// A row of a list page: what lists show, without the item's fields and acts.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub id: ItemId,
    pub kind: String,
    pub number: String,
    pub year: i64,
    pub title: String,
    pub owner_org: OrgId,
    pub owner_name_zh: String,
    pub owner_name_en: String,
    pub state: String,
    pub policy_version: String,
    pub version: i64,
    pub due: Option<chrono::NaiveDate>,
    pub updated_at: String,
    /// The kind's amount field (e.g. the budget estimate) in fen.
    pub amount_fen: Option<i64>,
    /// The kind's facet value (a demand's opinion), if it has one.
    pub facet: Option<String>,
}

impl Summary {
    /// The owning unit's name in the reader's language.
    pub fn owner_name(&self, lang: domain::Lang) -> &str {
        owner_name(&self.owner_name_zh, &self.owner_name_en, lang)
    }
}

/// The statement of `list_page`: one page of summaries, newest first, each row carrying the
/// total, so a list is one statement (lists are the most frequent request).
fn list_page_sql(f: &Filter, engine: Engine) -> Sql {
    let per_page = f.per_page.clamp(1, 200);
    let offset = (f.page.max(1) - 1) * per_page;
    let columns = |total: &str| {
        format!(
            "i.id, i.kind, i.number, i.year, i.title, i.owner_org_id, o.name_zh, o.name_en, i.state, i.policy_version, \
             i.version, i.due, i.updated_at, i.amount_fen, i.facet, {total}"
        )
    };
    // Words SQLite's trigram index can find: the matches are read from the index newest
    // first (CROSS JOIN keeps it the outer loop), each checked against the other filters.
    if let Some(phrase) = fts_phrase(f, engine) {
        let mut args = vec![Arg::S(phrase)];
        let cond = conditions_but_text(f, &mut args);
        let from = "items_text t CROSS JOIN items i ON i.id = t.rowid";
        let filter = format!("t.items_text MATCH $1 AND {cond}");
        let total = capped_count(from, &filter);
        let sql = format!(
            "SELECT {} FROM items i JOIN orgs o ON o.id = i.owner_org_id WHERE i.id IN \
             (SELECT t.rowid FROM {from} WHERE {filter} ORDER BY {} LIMIT {per_page} OFFSET {offset}) \
             ORDER BY {}",
            columns(&total),
            f.order.sql("t.rowid"),
            f.order.sql("i.id")
        );
        return Sql { sql, args };
    }
    let w = where_clause(f, engine);
    // The total comes from `item_counts` (a few rows) unless a filter needs the items.
    let total = if by_counts(f) {
        format!(
            "(SELECT CAST(COALESCE(SUM(i.n), 0) AS BIGINT) FROM item_counts i{})",
            w.sql
        )
    } else if f.text.is_some() {
        capped_count("items i", w.sql.trim_start().trim_start_matches("WHERE "))
    } else {
        "CAST(COUNT(*) OVER () AS BIGINT)".to_string()
    };
    let order = f.order.sql("i.id");
    let sql = match by_counts(f) {
        // Page through the index first, then read only the rows shown: skipping rows with
        // OFFSET then costs index entries, not table rows.
        true => format!(
            "SELECT {} FROM items i JOIN orgs o ON o.id = i.owner_org_id WHERE i.id IN \
             (SELECT i.id FROM items i{} ORDER BY {order} LIMIT {per_page} OFFSET {offset}) ORDER BY {order}",
            columns(&total),
            w.sql
        ),
        false => format!(
            "SELECT {} FROM items i JOIN orgs o ON o.id = i.owner_org_id{} ORDER BY {order} LIMIT {per_page} OFFSET {offset}",
            columns(&total),
            w.sql
        ),
    };
    Sql { sql, args: w.args }
}

/// The matches of a search counted up to one past the cap ([`SEARCH_COUNT_CAP`]).
fn capped_count(from: &str, filter: &str) -> String {
    format!(
        "(SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT 1 AS one FROM {from} WHERE {filter} LIMIT {}) AS n)",
        SEARCH_COUNT_CAP + 1
    )
}

/// Decodes a row of `list_page_sql`: the summary and the total.
fn summary_from(r: &impl Cols) -> Result<(Summary, i64), StoreError> {
    let summary = Summary {
        id: ItemId::new(r.int(0)?),
        kind: r.text(1)?,
        number: r.text(2)?,
        year: r.int(3)?,
        title: r.text(4)?,
        owner_org: OrgId::new(r.int(5)?),
        owner_name_zh: r.text(6)?,
        owner_name_en: r.text(7)?,
        state: r.text(8)?,
        policy_version: r.text(9)?,
        version: r.int(10)?,
        due: r
            .opt_text(11)?
            .map(|d| d.parse())
            .transpose()
            .map_err(corrupt)?,
        updated_at: r.text(12)?,
        amount_fen: r.opt_int(13)?,
        facet: r.opt_text(14)?,
    };
    Ok((summary, r.int(15)?))
}

fn split_total(rows: Vec<(Summary, i64)>) -> (Vec<Summary>, Option<i64>) {
    let total = rows.first().map(|(_, t)| *t);
    (rows.into_iter().map(|(s, _)| s).collect(), total)
}

/// One page of summaries with the total (sqlx path).
pub async fn list_page(c: &mut Conn, f: &Filter) -> Result<(Vec<Summary>, i64), StoreError> {
    let q = list_page_sql(f, Engine::of(c));
    let rows = bind_all(sqlx::query(&q.sql), &q.args)
        .fetch_all(&mut *c)
        .await?;
    let (page, total) = split_total(rows.iter().map(summary_from).collect::<Result<_, _>>()?);
    let total = match total {
        Some(t) => t,
        // A page past the end has no rows to carry the total.
        None => count(c, f).await?,
    };
    Ok((page, total))
}

/// One page of summaries with the total (inline SQLite path, see `fast`).
pub(crate) fn list_page_inline(
    c: &rusqlite::Connection,
    f: &Filter,
) -> Result<(Vec<Summary>, i64), StoreError> {
    let q = list_page_sql(f, Engine::Sqlite);
    let params = rusqlite::params_from_iter(q.args.iter().map(Arg::to_sqlite));
    let mut stmt = c.prepare_cached(&q.sql)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(summary_from(r)?);
    }
    let (page, total) = split_total(out);
    let total = match total {
        Some(t) => t,
        None => {
            let w = count_sql(f, Engine::Sqlite);
            let params = rusqlite::params_from_iter(w.args.iter().map(Arg::to_sqlite));
            c.prepare_cached(&w.sql)?.query_row(params, |r| r.get(0))?
        }
    };
    Ok((page, total))
}

/// Whether every filter is a column of `item_counts` (kind, state, year, owner), so the total
/// is a sum over a few rows rather than a count of items.
fn by_counts(f: &Filter) -> bool {
    f.text.is_none() && f.parent.is_none() && f.facet.is_none() && f.party.is_none()
}

/// How many items match (for the pager's total).
fn count_sql(f: &Filter, engine: Engine) -> Sql {
    let w = where_clause(f, engine);
    let sql = if f.text.is_some() {
        format!(
            "SELECT {}",
            capped_count("items i", w.sql.trim_start().trim_start_matches("WHERE "))
        )
    } else if by_counts(f) {
        format!(
            "SELECT CAST(COALESCE(SUM(i.n), 0) AS BIGINT) FROM item_counts i{}",
            w.sql
        )
    } else {
        format!("SELECT COUNT(*) FROM items i{}", w.sql)
    };
    Sql { sql, args: w.args }
}

pub async fn count(c: &mut Conn, f: &Filter) -> Result<i64, StoreError> {
    let q = count_sql(f, Engine::of(c));
    let row = bind_all(sqlx::query(&q.sql), &q.args)
        .fetch_one(&mut *c)
        .await?;
    Ok(row.try_get(0)?)
}

/// The items with these ids, in the order given (an id with no item is left out).
pub async fn by_ids(c: &mut Conn, ids: &[i64]) -> Result<Vec<ItemRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM items i JOIN orgs o ON o.id = i.owner_org_id WHERE i.id IN ({})",
        list.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    let mut rows = q
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let place = |r: &ItemRow| ids.iter().position(|i| *i == r.item.id.get());
    rows.sort_by_key(place);
    Ok(rows)
}

/// Every item that belongs to the item numbered `parent`, of any kind, oldest first (an
/// acceptance dossier walks a project's record).
pub async fn children(c: &mut Conn, parent: &str) -> Result<Vec<ItemRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM items i JOIN orgs o ON o.id = i.owner_org_id WHERE i.parent = $1 ORDER BY i.id"
    ))
    .bind(parent)
    .fetch_all(&mut *c)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Items of `kind` whose parties were never kept (written before the store kept them).
pub async fn without_parties(c: &mut Conn, kind: &str) -> Result<Vec<ItemRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM items i JOIN orgs o ON o.id = i.owner_org_id WHERE i.kind = $1 AND i.parties = '' ORDER BY i.id"
    ))
    .bind(kind)
    .fetch_all(&mut *c)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Keeps the parties an item names, and the reach of the item and of its parent.
pub async fn keep_parties(
    c: &mut Conn,
    number: &str,
    parent: Option<&str>,
    parties: &[&str],
) -> Result<(), StoreError> {
    sqlx::query("UPDATE items SET parties = $1 WHERE number = $2")
        .bind(words(parties))
        .bind(number)
        .execute(&mut *c)
        .await?;
    refresh_reach(c, number, parent).await
}
