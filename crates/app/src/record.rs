//! Builds the audit record of a step from a decided `Event`; the only way item events reach
//! the store.

use domain::Event;
use store::events::NewEvent;

pub struct Who<'a> {
    pub name: &'a str,
    pub org_name: &'a str,
}

pub fn item_event(item_id: i64, number: &str, ev: &Event, who: &Who<'_>) -> NewEvent {
    let payload = serde_json::json!({
        "number": number,
        "changes": ev.changes(),
        "due": ev.due(),
        "org_id": ev.actor().org.get(),
    });
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
    }
}
