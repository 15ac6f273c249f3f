//! The audit administrator's reading (三员分立): the security record, searched and exported,
//! and the ledger (its checkpoints, the head to keep elsewhere, and a full verification). It
//! reads only: nothing here changes the record except the record of the reading itself
//! (searches are not recorded; an export or a verification is, like every export).

use super::{Acting, append, recording_refusal, require};
use crate::{AppError, Platform, Principal};
use domain::policy::AdminKind;
pub use store::trail::Filter;

/// One record of the security stream, as the audit administrator reads it.
#[derive(Debug, Clone)]
pub struct Row {
    pub at: String,
    pub actor: String,
    pub org: String,
    pub role: String,
    pub action: String,
    pub result: String,
    pub detail: String,
    pub source: String,
    pub request_id: String,
}

pub(crate) fn row(e: store::events::StoredEvent) -> Row {
    let e = e.event;
    let payload: serde_json::Value = serde_json::from_str(&e.payload).unwrap_or_default();
    let context: serde_json::Value = e
        .context
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default();
    let text = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
    Row {
        at: e.at,
        actor: e.actor_name,
        org: e.org_name,
        role: e.role,
        action: e.action,
        result: text(&payload, "result"),
        detail: payload["detail"].to_string(),
        source: text(&context, "source"),
        request_id: text(&context, "request_id"),
    }
}

impl Row {
    /// The act was done (not refused, not a breach).
    pub fn ok(&self) -> bool {
        self.result == RESULTS[0]
    }
}

/// A page of the security record.
pub struct Page {
    pub rows: Vec<Row>,
    pub total: i64,
    /// Every action the record holds, for the search form.
    pub actions: Vec<String>,
}

/// Rows per page of the search.
pub const PAGE_ROWS: i64 = 50;
/// The most rows one export holds; a larger selection is narrowed by its filters first.
pub const EXPORT_ROWS: i64 = 50_000;

/// The actions the platform records in the security stream, for the search form's choice
/// (a fixed list: reading them from the record would scan it on every page).
pub const ACTIONS: &[&str] = &[
    "login",
    "logout",
    "sign_step_up",
    "user.add",
    "user.passwd",
    "user.passwd.own",
    "user.lock",
    "user.unlock",
    "user.reset",
    "role.grant",
    "org.add",
    "export",
    "download",
    "reveal",
    "ledger.anchor",
    "ledger.verify",
    "backup",
    "backup.partial",
    "key.rotate",
    crate::items::STEP_ACTION,
];

/// The results a record can have.
pub const RESULTS: &[&str] = &["ok", "refused", "breach"];

/// The most pages a search goes to (a far page is reached by narrowing the filters).
const MAX_PAGE: i64 = 100_000;

/// Refuses a filter whose result or dates are not what the form offers.
fn check(f: &Filter) -> Result<(), AppError> {
    if !f.result.is_empty() && !RESULTS.contains(&f.result.as_str()) {
        return Err(super::field_error(
            "result",
            "请从列表中选择结果".into(),
            "Choose the result from the list.".into(),
        ));
    }
    for (field, value) in [("from", &f.from), ("before", &f.before)] {
        if !value.is_empty() && chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_err() {
            return Err(super::field_error(
                field,
                format!("日期应为 年-月-日，如 2026-12-01（收到 {value}）"),
                format!("A date is year-month-day, such as 2026-12-01 (got {value})."),
            ));
        }
    }
    Ok(())
}

/// Page `page` (from 1) of the security records matching `f`, newest first.
pub async fn search(
    p: &Platform,
    who: &Principal,
    f: &Filter,
    page: i64,
) -> Result<Page, AppError> {
    require(p, who, AdminKind::Audit)?;
    check(f)?;
    let mut c = p.store.read().await?;
    let offset = (page.clamp(1, MAX_PAGE) - 1) * PAGE_ROWS;
    let (events, total) = store::trail::search(&mut c, f, PAGE_ROWS, offset).await?;
    Ok(Page {
        rows: events.into_iter().map(row).collect(),
        total,
        actions: ACTIONS.iter().map(|a| a.to_string()).collect(),
    })
}

/// Every matching record (up to `EXPORT_ROWS`) as an Excel workbook; the export itself is
/// recorded, with its filters and the SM3 of the file, before the bytes are handed out.
pub async fn export(p: &Platform, who: &Principal, f: &Filter) -> Result<Vec<u8>, AppError> {
    let r = export_checked(p, who, f).await;
    recording_refusal(
        p,
        who,
        "export",
        serde_json::json!({ "kind": "security" }),
        r,
    )
    .await
}

/// `export`, before its refusal is recorded.
async fn export_checked(p: &Platform, who: &Principal, f: &Filter) -> Result<Vec<u8>, AppError> {
    require(p, who, AdminKind::Audit)?;
    check(f)?;
    let (events, total) = {
        let mut c = p.store.read().await?;
        store::trail::search(&mut c, f, EXPORT_ROWS, 0).await?
    };
    if total > EXPORT_ROWS {
        return Err(AppError::Denied(domain::Denied {
            reason: domain::Text::new(
                format!(
                    "共 {total} 条，超过单次导出上限 {EXPORT_ROWS} 条：请按时间或操作缩小范围后再导出。"
                ),
                format!(
                    "{total} records exceed one export's {EXPORT_ROWS}: narrow the time or action first."
                ),
            ),
            article: None,
            fields: Vec::new(),
        }));
    }
    let rows: Vec<Row> = events.into_iter().map(row).collect();
    let count = rows.len();
    let (today, lang) = (p.today(), who.lang);
    let bytes = tokio::task::spawn_blocking(move || workbook(&rows, &today.to_string(), lang))
        .await
        .map_err(|e| AppError::Startup(e.to_string()))??;
    let filters = serde_json::json!({
        "actor": f.actor, "action": f.action, "result": f.result, "from": f.from, "before": f.before
    });
    let access = crate::access::Access::Export {
        kind: "security",
        filters,
        rows: count,
    };
    crate::access::record(p, who, access, &bytes).await?;
    Ok(bytes)
}

fn workbook(rows: &[Row], today: &str, lang: domain::Lang) -> Result<Vec<u8>, AppError> {
    use sheets::{Cell, Column, ColumnKind, Sheet};
    let say = |zh: &'static str, en: &'static str| domain::Text::new(zh, en).get(lang).to_string();
    let col = |zh, en, width: f64| Column::new(say(zh, en), ColumnKind::Text).width(width);
    let columns = vec![
        col("时间", "Time", 30.0),
        col("账户", "Account", 16.0),
        col("单位", "Organisation", 24.0),
        col("角色", "Role", 16.0),
        col("操作", "Action", 16.0),
        col("结果", "Result", 10.0),
        col("来源地址", "Source", 16.0),
        col("请求编号", "Request id", 36.0),
        col("详情", "Detail", 60.0),
    ];
    let data = rows
        .iter()
        .map(|r| {
            [
                &r.at,
                &r.actor,
                &r.org,
                &r.role,
                &r.action,
                &r.result,
                &r.source,
                &r.request_id,
                &r.detail,
            ]
            .into_iter()
            .map(|s| Cell::from(s.as_str()))
            .collect()
        })
        .collect();
    let name = say("安全审计记录", "Security record");
    let title = match lang {
        domain::Lang::Zh => format!("{name}（导出 {today}）"),
        domain::Lang::En => format!("{name} (exported {today})"),
    };
    let sheet = Sheet::new(&name, columns).title(title);
    let sheet = Sheet {
        rows: data,
        ..sheet
    };
    sheets::write(&[sheet]).map_err(|e| AppError::Invalid(domain::Text::new(e.zh(), e.en())))
}

/// The ledger as the audit administrator watches it: its newest checkpoints (newest first)
/// and how many there are.
pub struct Ledger {
    pub checkpoints: Vec<store::checkpoints::Checkpoint>,
    pub total: i64,
}

/// The newest `limit` checkpoints.
pub async fn ledger(p: &Platform, who: &Principal, limit: i64) -> Result<Ledger, AppError> {
    require(p, who, AdminKind::Audit)?;
    let mut c = p.store.read().await?;
    let last = store::checkpoints::last(&mut c).await?;
    let total = last.as_ref().map_or(0, |cp| cp.number);
    let after = (total - limit).max(0);
    let mut checkpoints = store::checkpoints::page(&mut c, after, limit).await?;
    checkpoints.reverse();
    Ok(Ledger { checkpoints, total })
}

/// The newest signed head as one line, for the audit administrator to keep elsewhere
/// (`tongchou audit verify --anchor FILE` proves the database still holds all it covers).
/// Taking it is recorded.
pub async fn anchor(p: &Platform, who: &Principal) -> Result<Option<String>, AppError> {
    let r = anchor_checked(p, who).await;
    recording_refusal(p, who, "ledger.anchor", serde_json::json!({}), r).await
}

/// `anchor`, before its refusal is recorded.
async fn anchor_checked(p: &Platform, who: &Principal) -> Result<Option<String>, AppError> {
    require(p, who, AdminKind::Audit)?;
    let Some(cp) = crate::audit::anchor(&p.store).await? else {
        return Ok(None);
    };
    let line = cp.to_line();
    let detail = serde_json::json!({ "checkpoint": cp.number, "lseq": cp.lseq });
    append(p, Acting::of(p, who).event("ledger.anchor", "ok", detail)).await?;
    Ok(Some(line))
}

/// A full verification of the record (every event, stream, checkpoint and signature), with
/// the platform's keys; its outcome is recorded.
pub async fn verify(p: &Platform, who: &Principal) -> Result<crate::audit::Report, AppError> {
    let r = verify_checked(p, who).await;
    recording_refusal(p, who, "ledger.verify", serde_json::json!({}), r).await
}

/// `verify`, before its refusal is recorded.
async fn verify_checked(p: &Platform, who: &Principal) -> Result<crate::audit::Report, AppError> {
    require(p, who, AdminKind::Audit)?;
    let report = crate::audit::verify(&p.store, &p.trust()?, &p.policy).await?;
    let result = if report.is_intact() { "ok" } else { "breach" };
    let detail = serde_json::json!({
        "events": report.events, "checkpoints": report.checkpoints,
        "breaches": report.breaches.len() as u64 + report.unlisted
    });
    append(p, Acting::of(p, who).event("ledger.verify", result, detail)).await?;
    Ok(report)
}
