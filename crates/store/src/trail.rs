//! The security record as the audit administrator searches it: the `security` stream, newest
//! first, filtered by who, what, result and time, a page at a time.

use crate::events::{COLUMNS, StoredEvent, from_row};
use crate::{Conn, StoreError};
use sqlx::Row;

/// What to look for; empty means any.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Part of the acting account's name.
    pub actor: String,
    /// The action, exactly (`login`, `user.lock`, `export` ...).
    pub action: String,
    /// `ok` or `refused`.
    pub result: String,
    /// From this time on (a timestamp or its leading part, such as a date).
    pub from: String,
    /// Before this time (compared the same way).
    pub before: String,
}

/// `s` with LIKE's own characters taken literally (under `ESCAPE '\'`).
fn escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

/// A LIKE pattern that matches `s` anywhere.
fn contains(s: &str) -> String {
    format!("%{}%", escape(s))
}

/// The WHERE clause and its values, in bind order.
fn clause(f: &Filter) -> (String, Vec<String>) {
    let mut sql = String::from("stream = 'security'");
    let mut binds = Vec::new();
    let mut add = |cond: &str, v: String| {
        binds.push(v);
        sql.push_str(&format!(
            " AND {}",
            cond.replace('?', &format!("${}", binds.len()))
        ));
    };
    if !f.actor.is_empty() {
        // LOWER on both sides: SQLite's LIKE ignores ASCII case and PostgreSQL's does not.
        let pattern = contains(&f.actor.to_lowercase());
        add("LOWER(actor_name) LIKE ? ESCAPE '\\'", pattern);
    }
    if !f.action.is_empty() {
        add("action = ?", f.action.clone());
    }
    if !f.result.is_empty() {
        // The payload is `{"detail":…,"result":"…"}` (keys in order), so the result is its
        // end: a "result" nested in the detail (an export's filters) does not match.
        let pattern = format!("%{}", escape(&format!("\"result\":\"{}\"}}", f.result)));
        add("payload LIKE ? ESCAPE '\\'", pattern);
    }
    if !f.from.is_empty() {
        add("at >= ?", f.from.clone());
    }
    if !f.before.is_empty() {
        add("at < ?", f.before.clone());
    }
    (sql, binds)
}

/// One page of matching records, newest first, and how many match in all.
pub async fn search(
    c: &mut Conn,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<StoredEvent>, i64), StoreError> {
    let (cond, binds) = clause(f);
    let count_sql = format!("SELECT COUNT(*) FROM events WHERE {cond}");
    let mut q = sqlx::query(&count_sql);
    for b in &binds {
        q = q.bind(b);
    }
    let total: i64 = q.fetch_one(&mut *c).await?.try_get(0)?;
    let n = binds.len();
    let sql = format!(
        "SELECT {COLUMNS} FROM events WHERE {cond} ORDER BY seq DESC LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.bind(limit).bind(offset).fetch_all(&mut *c).await?;
    let events = rows.iter().map(from_row).collect::<Result<_, _>>()?;
    Ok((events, total))
}

/// The actions 个人中心 lists: how one got in and out, and one's password.
const OWN_ACTIONS: &str = "'login', 'logout', 'user.passwd.own', 'sign_step_up'";

/// The newest `limit` security records of one account's own logins, log-outs, password changes
/// and signature step-ups, newest first: what 个人中心 shows its holder (refused steps, which
/// the security record also keeps, would crowd them out).
pub async fn own(c: &mut Conn, actor_id: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM events WHERE actor_id = $1 AND stream = 'security' \
         AND action IN ({OWN_ACTIONS}) ORDER BY seq DESC LIMIT $2"
    ))
    .bind(actor_id)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?;
    rows.iter().map(from_row).collect()
}
