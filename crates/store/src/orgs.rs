//! The organisation registry: each unit with its kind (R4.1), parent and county.

use crate::{Conn, StoreError};
use domain::OrgId;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize)]
pub struct Org {
    pub id: OrgId,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: String,
    pub parent: Option<OrgId>,
    pub county: Option<String>,
}

pub struct NewOrg<'a> {
    pub code: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub kind: &'a str,
    pub parent: Option<OrgId>,
    pub county: Option<&'a str>,
}

/// Columns in the order `from_row_at` reads them, for joins.
pub(crate) const COLUMNS: &str =
    "o.id, o.code, o.name_zh, o.name_en, o.kind, o.parent_id, o.county";

pub async fn insert(c: &mut Conn, o: &NewOrg<'_>) -> Result<OrgId, StoreError> {
    let row = sqlx::query(
        "INSERT INTO orgs (code, name_zh, name_en, kind, parent_id, county) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(o.code)
    .bind(o.name_zh)
    .bind(o.name_en)
    .bind(o.kind)
    .bind(o.parent.map(OrgId::get))
    .bind(o.county)
    .fetch_one(&mut *c)
    .await?;
    Ok(OrgId::new(row.try_get(0)?))
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Org, StoreError> {
    from_row_at(r, 0)
}

pub(crate) fn from_row_at(r: &impl crate::cols::Cols, at: usize) -> Result<Org, StoreError> {
    Ok(Org {
        id: OrgId::new(r.int(at)?),
        code: r.text(at + 1)?,
        name_zh: r.text(at + 2)?,
        name_en: r.text(at + 3)?,
        kind: r.text(at + 4)?,
        parent: r.opt_int(at + 5)?.map(OrgId::new),
        county: r.opt_text(at + 6)?,
    })
}

pub async fn get(c: &mut Conn, id: OrgId) -> Result<Option<Org>, StoreError> {
    let r = sqlx::query(
        "SELECT id, code, name_zh, name_en, kind, parent_id, county FROM orgs WHERE id = $1",
    )
    .bind(id.get())
    .fetch_optional(&mut *c)
    .await?;
    r.as_ref().map(from_row).transpose()
}

pub async fn by_code(c: &mut Conn, code: &str) -> Result<Option<Org>, StoreError> {
    let r = sqlx::query(
        "SELECT id, code, name_zh, name_en, kind, parent_id, county FROM orgs WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(&mut *c)
    .await?;
    r.as_ref().map(from_row).transpose()
}

pub async fn all(c: &mut Conn) -> Result<Vec<Org>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, code, name_zh, name_en, kind, parent_id, county FROM orgs ORDER BY id",
    )
    .fetch_all(&mut *c)
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn count(c: &mut Conn) -> Result<i64, StoreError> {
    let r = sqlx::query("SELECT COUNT(*) FROM orgs")
        .fetch_one(&mut *c)
        .await?;
    Ok(r.try_get(0)?)
}
