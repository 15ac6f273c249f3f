//! The frame around every page: top bar (organisation, user, role, language, log-out), the
//! left navigation with only the modules this user's role may use, and breadcrumbs.

use crate::i18n::Tr;
use app::{Platform, Principal};
use domain::policy::Visibility;

pub struct Nav {
    pub label: String,
    pub href: String,
    pub icon: &'static str,
    pub active: bool,
}

pub struct Frame {
    pub t: Tr,
    pub title: String,
    pub user: String,
    pub org: String,
    pub role: String,
    pub csrf: String,
    /// This page's one-time form key (`_once`): a form sent twice from it (a double click, a
    /// resend after a lost answer) has one effect (`pages::once`).
    pub once: String,
    pub nav: Vec<Nav>,
    pub crumbs: Vec<(String, String)>,
    /// Where the language switch returns to.
    pub here: String,
}

impl Frame {
    pub fn new(p: &Platform, who: &Principal, active: &str, title: &str, here: &str) -> Frame {
        let t = Tr(who.lang);
        let role = p.policy.role(&who.user.role);
        let mut nav = vec![Nav {
            label: t.s("nav_home").into(),
            href: "/".into(),
            icon: "home",
            active: active == "home",
        }];
        if let Some(r) = role.filter(|r| r.sees != Visibility::None) {
            // Modules in the order of UI.md; within each, the kinds this role works on or
            // may read (a role that sees only its own unit's items skips kinds it never uses).
            // Each module has its own icon, so the menu reads at a glance.
            for (module, key, icon) in [
                ("demand", "nav_mod_demand", "demand"),
                ("plan", "nav_mod_plan", "plan"),
                ("build", "nav_mod_build", "build"),
                ("ops", "nav_mod_ops", "ops"),
                ("security", "nav_mod_security", "security"),
                ("funds", "nav_mod_funds", "funds"),
            ] {
                let kinds: Vec<&domain::policy::ItemKind> = p
                    .policy
                    .kinds
                    .iter()
                    .filter(|k| k.module.as_deref().unwrap_or("demand") == module)
                    // The menu lists what the role works on; a role that reads across units
                    // (the supervisors) lists what it reads, one that sees its own unit's
                    // items the published kinds its `menu` names (issue 12, point 11).
                    .filter(|k| {
                        k.transitions.iter().any(|t| t.roles.contains(&r.id))
                            || (r.sees == Visibility::Submitted
                                && (r.reads.is_empty() || r.reads.contains(&k.id) || k.public))
                            || ((k.public || r.sees == Visibility::Party) && r.menu.contains(&k.id))
                    })
                    .collect();
                if kinds.is_empty() {
                    continue;
                }
                nav.push(Nav {
                    label: t.s(key).into(),
                    href: String::new(),
                    icon: "group",
                    active: false,
                });
                for kind in kinds {
                    nav.push(Nav {
                        label: kind.name.get(who.lang).to_string(),
                        href: format!("/items?kind={}", kind.id),
                        icon,
                        active: active == kind.id,
                    });
                }
            }
        }
        // The money by project, unit and year, for whoever reads the funds module.
        if nav.iter().any(|n| n.icon == "funds") {
            nav.push(Nav {
                label: t.s("nav_funds_report").into(),
                href: "/funds/report".into(),
                icon: "funds",
                active: active == "/funds/report",
            });
        }
        // Audit (art. 12) takes every fund record with its history away to check offline.
        if role.is_some_and(|r| r.duties.iter().any(|d| d.as_str() == "12")) {
            nav.push(Nav {
                label: t.s("nav_audit").into(),
                href: String::new(),
                icon: "group",
                active: false,
            });
            nav.push(Nav {
                label: t.s("nav_audit_package").into(),
                href: "/audit/package.zip".into(),
                icon: "admin",
                active: false,
            });
        }
        if let Some(kind) = role.and_then(|r| r.admin) {
            nav.push(Nav {
                label: t.s("nav_system").into(),
                href: String::new(),
                icon: "group",
                active: false,
            });
            for &(key, href, icon) in crate::pages::admin::modules(kind) {
                nav.push(Nav {
                    label: t.s(key).into(),
                    href: href.into(),
                    icon,
                    active: active == href,
                });
            }
        }
        Frame {
            t,
            title: title.to_string(),
            user: who.user.display_name.clone(),
            org: match who.lang {
                domain::Lang::Zh => who.org.name_zh.clone(),
                domain::Lang::En => who.org.name_en.clone(),
            },
            role: role
                .map(|r| r.name.get(who.lang).to_string())
                .unwrap_or_default(),
            csrf: who.csrf.clone(),
            once: app::identity::form_key(),
            nav,
            crumbs: vec![(t.s("home_crumb").into(), "/".into())],
            here: here.to_string(),
        }
    }

    pub fn crumb(mut self, label: &str, href: &str) -> Frame {
        self.crumbs.push((label.to_string(), href.to_string()));
        self
    }

    pub fn lang_target(&self) -> &'static str {
        if self.t.is_en() { "zh" } else { "en" }
    }
}
