//! The parties and reach the store keeps beside each item grant a vendor's staff sight of it
//! (issue 13, point 3), so `audit verify` holds them to the fields they come from: every party
//! an item's `parties` or `reach` names must be named by a party field of the item or of one of
//! its children (or be the item's own number, for a registry entry of a party kind). A vendor
//! added to a reach behind the platform's back is reported; the fields themselves are checked
//! against the record by the replay.

use crate::AppError;
use crate::steps::parties;
use std::collections::{BTreeMap, BTreeSet};
use store::Conn;
use store::events::Breach;
use store::sqlx::{self, Row};

const PAGE: i64 = 2_000;

fn db(e: sqlx::Error) -> AppError {
    AppError::from(store::StoreError::from(e))
}

/// The parties an item's fields name, as the writer would keep them.
fn own(policy: &domain::Policy, kind: &str, fields: &str, number: &str) -> BTreeSet<String> {
    let fields: BTreeMap<String, String> = serde_json::from_str(fields).unwrap_or_default();
    policy
        .kind(kind)
        .and_then(|k| parties::of(policy, k, &fields, number))
        .unwrap_or_default()
        .into_iter()
        .map(str::to_string)
        .collect()
}

fn words(s: &str) -> BTreeSet<String> {
    s.split_whitespace().map(str::to_string).collect()
}

pub async fn sight_matches_fields(
    c: &mut Conn,
    policy: &domain::Policy,
) -> Result<Vec<Breach>, AppError> {
    let mut found = Vec::new();
    let mut after = 0i64;
    loop {
        let rows = sqlx::query(
            "SELECT id, number, kind, fields, parties, reach FROM items \
             WHERE id > $1 AND (TRIM(parties) <> '' OR reach <> '') ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(PAGE)
        .fetch_all(&mut *c)
        .await
        .map_err(db)?;
        let Some(last) = rows.last() else { break };
        after = last.try_get(0).map_err(db)?;
        for r in &rows {
            let id: i64 = r.try_get(0).map_err(db)?;
            let number: String = r.try_get(1).map_err(db)?;
            let kind: String = r.try_get(2).map_err(db)?;
            let fields: String = r.try_get(3).map_err(db)?;
            let mine = own(policy, &kind, &fields, &number);
            let breach = |what: &str| Breach {
                event_id: 0,
                stream: format!("item:{id}"),
                seq: 0,
                what: what.to_string(),
            };
            if !words(&r.try_get::<String, _>(4).map_err(db)?).is_subset(&mine) {
                found.push(breach(
                    "the parties kept for the item are not the ones its fields name",
                ));
                continue;
            }
            let mut reachable = mine;
            let children = sqlx::query("SELECT number, kind, fields FROM items WHERE parent = $1")
                .bind(&number)
                .fetch_all(&mut *c)
                .await
                .map_err(db)?;
            for ch in &children {
                reachable.extend(own(
                    policy,
                    &ch.try_get::<String, _>(1).map_err(db)?,
                    &ch.try_get::<String, _>(2).map_err(db)?,
                    &ch.try_get::<String, _>(0).map_err(db)?,
                ));
            }
            if !words(&r.try_get::<String, _>(5).map_err(db)?).is_subset(&reachable) {
                found.push(breach(
                    "the item's reach names a party that neither it nor anything under it names: a vendor was given sight behind the platform's back",
                ));
            }
        }
    }
    Ok(found)
}
