//! Builds the audit record of a step from a decided `Event`; the only way item events reach
//! the store.

pub mod access;
pub mod audit;
pub mod files;
pub mod keys;
pub mod package;
pub mod personal;
mod reach;
mod replay;
pub mod signing;
pub mod uploads;

use domain::Event;
use store::events::NewEvent;

pub struct Who<'a> {
    pub name: &'a str,
    pub org_name: &'a str,
    pub origin: &'a crate::identity::Origin,
}

pub fn item_event(item_id: i64, number: &str, ev: &Event, who: &Who<'_>) -> NewEvent {
    let mut payload = serde_json::json!({
        "number": number,
        "changes": ev.changes(),
        "due": ev.due(),
        "org_id": ev.actor().org.get(),
    });
    // Only a due date counted through a year the holiday table lacks carries the mark, so
    // every event recorded before it (and every other one) keeps its canonical form (R13.1).
    if !ev.due_assumed().is_empty() {
        payload["due_assumed"] = serde_json::json!(ev.due_assumed());
    }
    NewEvent {
        stream: format!("item:{item_id}"),
        at: store::timestamp(ev.at()),
        actor_id: Some(ev.actor().user.get()),
        actor_name: who.name.to_string(),
        org_name: who.org_name.to_string(),
        role: ev.actor().role.clone(),
        action: ev.action().to_string(),
        article: ev.article().to_string(),
        policy_version: ev.policy_version().to_string(),
        payload: payload.to_string(),
        before_state: ev.from().map(str::to_string),
        after_state: Some(ev.to().to_string()),
        context: Some(who.origin.context("ok")),
    }
}

/// The record of a handling act (转办, 抄送, 催办) in the item's stream: it moves nothing, so
/// it is recorded in the item's state, with whom it names and the words given.
pub fn handling_event(
    row: &store::items::ItemRow,
    act: &domain::Act,
    names: &[String],
    note: &str,
    at: &str,
    who: &Who<'_>,
) -> NewEvent {
    // The names as they were that day: the record is read years later.
    let payload = serde_json::json!({
        "number": row.number,
        "to": act.to.iter().map(|u| u.get()).collect::<Vec<_>>(),
        "to_orgs": act.to_orgs.iter().map(|o| o.get()).collect::<Vec<_>>(),
        "to_names": names,
        "note": note,
    });
    NewEvent {
        stream: format!("item:{}", row.item.id.get()),
        at: at.to_string(),
        actor_id: Some(act.user.get()),
        actor_name: who.name.to_string(),
        org_name: who.org_name.to_string(),
        role: act.role.clone(),
        action: act.action.clone(),
        article: String::new(),
        policy_version: row.item.policy_version.clone(),
        payload: payload.to_string(),
        before_state: Some(row.item.state.clone()),
        after_state: Some(row.item.state.clone()),
        context: Some(who.origin.context("ok")),
    }
}

/// A security record (login, logout, account change) in the `security` stream.
pub struct SecurityRecord<'a> {
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub org_name: &'a str,
    pub role: &'a str,
    pub action: &'a str,
    pub result: &'a str,
    pub detail: serde_json::Value,
    /// Where the request came from, when it came through the edge.
    pub origin: Option<&'a crate::identity::Origin>,
}

/// Records, in its own write, one security event of `who` (an export, a download, a reveal):
/// who, with which role and unit, from where, what, and its details.
pub async fn security_of(
    p: &crate::Platform,
    who: &crate::Principal,
    action: &'static str,
    detail: serde_json::Value,
) -> Result<(), crate::AppError> {
    let (uid, uname, org, role) = (
        who.user.id.get(),
        who.user.username.clone(),
        who.org.name_zh.clone(),
        who.user.role.clone(),
    );
    let (origin, at, version) = (
        who.origin.clone(),
        store::timestamp(p.now()),
        p.policy.version.clone(),
    );
    p.store
        .write(move |c| {
            Box::pin(async move {
                let r = SecurityRecord {
                    origin: Some(&origin),
                    actor_id: Some(uid),
                    actor_name: &uname,
                    org_name: &org,
                    role: &role,
                    action,
                    result: "ok",
                    detail,
                };
                store::events::append(c, &security_event(&r, &at, &version)).await?;
                Ok::<_, crate::AppError>(())
            })
        })
        .await
}

/// Records, in its own write, one security event of an operator at the command line (a
/// backup, a key rotation): no account, no source address.
pub async fn operator_event(
    p: &crate::Platform,
    operator: &str,
    action: &'static str,
    result: &'static str,
    detail: serde_json::Value,
) -> Result<(), crate::AppError> {
    let (op, version, at) = (
        operator.to_string(),
        p.policy.version.clone(),
        store::timestamp(p.now()),
    );
    p.store
        .write(move |c| {
            Box::pin(async move {
                let r = SecurityRecord {
                    origin: None,
                    actor_id: None,
                    actor_name: &op,
                    org_name: "",
                    role: "operator",
                    action,
                    result,
                    detail,
                };
                store::events::append(c, &security_event(&r, &at, &version)).await?;
                Ok::<_, crate::AppError>(())
            })
        })
        .await
}

pub fn security_event(r: &SecurityRecord<'_>, at: &str, policy_version: &str) -> NewEvent {
    NewEvent {
        stream: "security".to_string(),
        at: at.to_string(),
        actor_id: r.actor_id,
        actor_name: r.actor_name.to_string(),
        org_name: r.org_name.to_string(),
        role: r.role.to_string(),
        action: r.action.to_string(),
        article: "RX.2".to_string(),
        policy_version: policy_version.to_string(),
        payload: serde_json::json!({ "result": r.result, "detail": r.detail }).to_string(),
        before_state: None,
        after_state: None,
        context: Some(r.origin.cloned().unwrap_or_default().context(r.result)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

    use domain::{Actor, Context, Input, OrgId, UserId, Window};

    /// A demand created and submitted on `day` (10 working days to decide), as recorded.
    fn submitted_on(day: &str) -> serde_json::Value {
        let policy = crate::default_policy().unwrap();
        let calendar = crate::official_calendar();
        let date = |s: &str| s.parse().unwrap();
        let windows = [Window {
            kind: "campaign".into(),
            number: "ZJ-2026-0002".into(),
            state: "open".into(),
            opens: date("2026-12-01"),
            closes: date("2026-12-31"),
            title: "2027年度需求征集".into(),
            invited: None,
        }];
        let refs = Default::default();
        let cx = Context {
            now: chrono::DateTime::parse_from_rfc3339(&format!("{day}T09:30:00+08:00")).unwrap(),
            calendar: &calendar,
            windows: &windows,
            refs: &refs,
            as_effect: false,
            budget: &[],
            blocking: &[],
        };
        let clerk = Actor {
            user: UserId::new(1),
            org: OrgId::new(10),
            org_kind: "GovernmentDept".into(),
            role: "demand_clerk".into(),
            party: None,
        };
        let input: Input = [
            ("title", "不动产登记一网通办升级"),
            ("problem", "跨部门材料重复提交"),
            ("scope", "市自然资源和规划局"),
            ("functions", "在线申请"),
            ("logic", "申请-受理-审核"),
            ("budget", "100"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let created =
            domain::decide(&policy, "demand", None, "create", &clerk, &input, &cx).unwrap();
        let draft = domain::apply(None, domain::ItemId::new(1), &created);
        let ev = domain::decide(
            &policy,
            "demand",
            Some(&draft),
            "submit",
            &clerk,
            &Input::new(),
            &cx,
        )
        .unwrap();
        let origin = crate::identity::Origin::default();
        let who = super::Who {
            name: "张明",
            org_name: "市自然资源和规划局",
            origin: &origin,
        };
        serde_json::from_str(&super::item_event(1, "XQ-2026-0001", &ev, &who).payload).unwrap()
    }

    /// R13.1: only a due date counted Monday to Friday carries the mark; any other event keeps
    /// the payload's earlier form, so events recorded before the mark existed still verify.
    #[test]
    fn r13_1_the_record_marks_only_a_due_date_counted_through_a_year_not_imported() {
        let marked = submitted_on("2026-12-24");
        assert_eq!(marked["due"], "2027-01-07");
        assert_eq!(marked["due_assumed"], serde_json::json!([2027]));
        let known = submitted_on("2026-12-01");
        assert_eq!(known["due"], "2026-12-15");
        let keys: Vec<&String> = known.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["changes", "due", "number", "org_id"]);
    }
}
