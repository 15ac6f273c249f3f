//! The workbench's reads (RX.3) as the record grows: a person's candidate tasks earliest
//! deadline first, the items they acted on and those they started. Each reads one page
//! through an index and counts its total apart, so a workbench costs the same on 100,000
//! items as on 100.

use crate::filter::{Engine, bind_all, conditions};
use crate::items::{ItemRow, by_ids};
use crate::{Conn, StoreError};
use sqlx::Row;

pub use crate::filter::Filter;

/// The most rows one read of a queue returns.
pub const MAX_BATCH: i64 = 1_000;

/// An item without a deadline sorts after every dated one (the `items_queue` index holds
/// the same expression).
const DUE: &str = "COALESCE(i.due, '9999-12-31')";

/// Items matching any of `filters` (each a kind, the states from which the person's role
/// has a task, and what they may see), earliest deadline first, those without one last,
/// then oldest first: `limit` of them from `offset`. Each (kind, state) reads at most
/// `offset + limit` entries of the index in order; only their merge is sorted.
pub async fn by_due(
    c: &mut Conn,
    filters: &[Filter],
    offset: i64,
    limit: i64,
) -> Result<Vec<ItemRow>, StoreError> {
    let engine = Engine::of(c);
    let (offset, limit) = (offset.max(0), limit.clamp(1, MAX_BATCH));
    let mut args = Vec::new();
    let mut parts = Vec::new();
    for f in filters {
        for state in &f.states {
            let one = Filter {
                states: vec![state.clone()],
                ..f.clone()
            };
            let cond = conditions(&one, engine, &mut args);
            parts.push(format!(
                "SELECT * FROM (SELECT i.id AS id, {DUE} AS d FROM items i WHERE {cond} \
                 ORDER BY {DUE}, i.id LIMIT {}) AS q{}",
                offset + limit,
                parts.len()
            ));
        }
    }
    if parts.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id FROM ({}) AS u ORDER BY d, id LIMIT {limit} OFFSET {offset}",
        parts.join(" UNION ALL ")
    );
    let rows = bind_all(sqlx::query(&sql), &args)
        .fetch_all(&mut *c)
        .await?;
    let ids = rows
        .iter()
        .map(|r| r.try_get::<i64, _>(0))
        .collect::<Result<Vec<_>, _>>()?;
    by_ids(c, &ids).await
}

/// How many items match any of `filters`, from the counts kept with the items (the filters
/// of a queue are all columns of `item_counts`); a filter with a due window, or a party's
/// (which reads the items' reach), is counted on the items instead.
pub async fn count(c: &mut Conn, filters: &[Filter]) -> Result<i64, StoreError> {
    let (dated, filters): (Vec<Filter>, Vec<Filter>) = filters
        .iter()
        .cloned()
        .partition(|f| f.due_until.is_some() || f.party.is_some());
    let mut total = 0;
    for f in &dated {
        let mut args = Vec::new();
        let cond = conditions(f, Engine::of(c), &mut args);
        let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM items i WHERE {cond}");
        let row = bind_all(sqlx::query(&sql), &args)
            .fetch_one(&mut *c)
            .await?;
        total += row.try_get::<i64, _>(0)?;
    }
    if filters.is_empty() {
        return Ok(total);
    }
    let engine = Engine::of(c);
    let mut args = Vec::new();
    let conds: Vec<String> = filters
        .iter()
        .map(|f| format!("({})", conditions(f, engine, &mut args)))
        .collect();
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(i.n), 0) AS BIGINT) FROM item_counts i WHERE {}",
        conds.join(" OR ")
    );
    let row = bind_all(sqlx::query(&sql), &args)
        .fetch_one(&mut *c)
        .await?;
    Ok(total + row.try_get::<i64, _>(0)?)
}

/// Keeps `item_actors` in step with the record (same transaction): the person handled the
/// item with this event (a step, or a hand-over; a copy or an urge is not handling it).
pub async fn handled(c: &mut Conn, actor: i64, item: i64, event: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO item_actors (actor_id, item_id, last_event) VALUES ($1, $2, $3) \
         ON CONFLICT (actor_id, item_id) DO UPDATE SET last_event = excluded.last_event",
    )
    .bind(actor)
    .bind(item)
    .bind(event)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// The items a person handled (已办), the most recently handled first, with their total.
pub async fn acted_on(
    c: &mut Conn,
    actor: i64,
    offset: i64,
    limit: i64,
) -> Result<(Vec<ItemRow>, i64), StoreError> {
    let page = format!(
        "SELECT item_id FROM item_actors WHERE actor_id = $1 ORDER BY last_event DESC LIMIT {} OFFSET {}",
        limit.clamp(1, 1_000),
        offset.max(0)
    );
    let ids = sqlx::query(&page)
        .bind(actor)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>(0))
        .collect::<Result<Vec<_>, _>>()?;
    let total: i64 = sqlx::query("SELECT COUNT(*) FROM item_actors WHERE actor_id = $1")
        .bind(actor)
        .fetch_one(&mut *c)
        .await?
        .try_get(0)?;
    Ok((by_ids(c, &ids).await?, total))
}

/// The items whose first step was the person's, newest first, with their total.
pub async fn started_by(
    c: &mut Conn,
    actor: i64,
    offset: i64,
    limit: i64,
) -> Result<(Vec<ItemRow>, i64), StoreError> {
    const COND: &str = "actor_id = $1 AND seq = 1 AND stream LIKE 'item:%'";
    let page = format!(
        "SELECT stream FROM events WHERE {COND} ORDER BY id DESC LIMIT {} OFFSET {}",
        limit.clamp(1, 1_000),
        offset.max(0)
    );
    let ids = streams(sqlx::query(&page).bind(actor).fetch_all(&mut *c).await?)?;
    let total: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM events WHERE {COND}"))
        .bind(actor)
        .fetch_one(&mut *c)
        .await?
        .try_get(0)?;
    Ok((by_ids(c, &ids).await?, total))
}

/// The item ids of `item:N` streams, in row order.
fn streams(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<i64>, StoreError> {
    rows.iter()
        .map(|r| {
            let s: String = r.try_get(0)?;
            s.strip_prefix("item:")
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| StoreError::Corrupt(format!("event stream {s} names no item")))
        })
        .collect()
}
