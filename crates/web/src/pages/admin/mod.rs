//! The three administrators' pages (三员分立; issue 10, item 10), one module per administrator,
//! and the page where anyone changes their own password. The rules are the app's
//! (`app::admin`); these pages show them and keep what was typed when a step is refused.

pub mod accounts;
pub mod grants;
pub mod me;
pub mod password;
pub mod trail;
mod words;

pub use words::WORDS;

use crate::error::WebError;
use app::{AppError, Platform, Principal};
use domain::policy::AdminKind;
use std::collections::BTreeMap;

/// The navigation entries of each administrator: (words key, path, icon).
pub fn modules(kind: AdminKind) -> &'static [(&'static str, &'static str, &'static str)] {
    match kind {
        AdminKind::System => &[("nav_accounts", "/admin/accounts", "admin")],
        AdminKind::Security => &[
            ("nav_grants", "/admin/accounts", "admin"),
            ("nav_orgs", "/admin/orgs", "admin"),
        ],
        AdminKind::Audit => &[
            ("nav_trail", "/admin/trail", "admin"),
            ("nav_ledger", "/admin/ledger", "admin"),
        ],
    }
}

/// The frame of an administrator's page.
pub(crate) fn frame(
    p: &Platform,
    who: &Principal,
    here: &str,
    title_key: &str,
) -> crate::frame::Frame {
    let t = crate::i18n::Tr(who.lang);
    crate::frame::Frame::new(p, who, here, t.s(title_key), here)
}

/// A submitted form whose anti-CSRF token was checked, by field name (the last value of each);
/// also what a refused form shows again.
#[derive(Default)]
pub struct Fields(pub BTreeMap<String, String>);

impl Fields {
    pub fn get(&self, k: &str) -> &str {
        self.0.get(k).map(String::as_str).unwrap_or("")
    }
}

/// Checks the form's anti-CSRF token and gives its fields.
pub(crate) fn checked(who: &Principal, form: &[(String, String)]) -> Result<Fields, WebError> {
    crate::auth::check_csrf(who, form)?;
    Ok(Fields(form.iter().cloned().collect()))
}

/// What a refused step says: its reason, and the message of each field it names.
#[derive(Default)]
pub struct Problems {
    pub message: String,
    pub fields: BTreeMap<String, String>,
}

impl Problems {
    /// A refusal the form shows in place; anything else is an error page.
    pub(crate) fn of(e: AppError, lang: domain::Lang) -> Result<Problems, WebError> {
        match e {
            AppError::Denied(d) => Ok(Problems {
                message: d.reason.get(lang).to_string(),
                fields: d
                    .fields
                    .iter()
                    .map(|f| (f.field.clone(), f.message.get(lang).to_string()))
                    .collect(),
            }),
            AppError::Invalid(text) => Ok(Problems {
                message: text.get(lang).to_string(),
                fields: BTreeMap::new(),
            }),
            other => Err(WebError::App(other, lang)),
        }
    }

    /// The message for one field ("" when it is fine).
    pub fn at(&self, field: &str) -> &str {
        self.fields.get(field).map(String::as_str).unwrap_or("")
    }
}

/// Which administrator `who` is, or a refusal saying this is an administrator's page.
pub(crate) fn kind_of(p: &Platform, who: &Principal) -> Result<AdminKind, WebError> {
    app::admin::admin_kind(p, who).ok_or_else(|| {
        WebError::App(
            app::admin::require(p, who, AdminKind::System)
                .err()
                .unwrap_or(AppError::NotFound),
            who.lang,
        )
    })
}
