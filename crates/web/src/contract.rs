//! The names the web's code relies on, in one place, checked against the policy with the
//! app's (`check`): a policy lacking one fails to load, naming the id and the page that needs
//! it, instead of a panel silently disappearing. Which states allow a child item (procurement
//! under a project, an FSR for a confirmed project) is read from the policy's `requires`
//! instead (`app::items::may_create_under`), so no state is named for it here.

use app::contract::Need;

/// Ids of the kinds, states and fields the pages name.
pub mod ids {
    pub const DEMAND: &str = "demand";
    pub const DEMAND_CHANGE: &str = "demand_change";
    pub const CAMPAIGN: &str = "campaign";
    pub const PLAN: &str = "plan";
    pub const PLAN_ITEM: &str = "plan_item";
    pub const COUNTY_PLAN: &str = "county_plan";
    pub const EMERGENCY: &str = "emergency";
    pub const PROJECT: &str = "project";
    pub const PROJECT_CHANGE: &str = "project_change";
    pub const FSR: &str = "fsr";
    pub const PROCUREMENT: &str = "procurement";
    pub const PROCUREMENT_CONTRACTED: &str = "contracted";
    pub const RISK: &str = "risk";
    pub const INSPECTION: &str = "inspection";
    pub const RECTIFICATION: &str = "rectification";
    pub const FINAL_ACCEPTANCE: &str = "final_acceptance";
    pub const CREATE: &str = "create";
    pub const EXPERT: &str = "expert";
    /// Who sees the overlap check on a demand: those who analyse and plan (R13.4).
    pub const OVERLAP_READERS: [&str; 3] =
        ["datacenter_analyst", "bureau_planner", "bureau_leader"];
}

use ids::*;

/// The tag of a setback state (returned, refused): the step bar shows it only when the item is
/// or was in it. Tags are the policy's words for how a state reads (`StateDef::tag`).
pub const DANGER_TAG: &str = "danger";

/// Everything the pages name.
pub const NEEDS: &[Need] = &[
    Need {
        kind: FINAL_ACCEPTANCE,
        states: &[],
        actions: &[],
        fields: &["dossier_no", "dossier_docx_sm3", "dossier_pdf_sm3"],
        who: "web::pages::build (the acceptance dossier's panel)",
    },
    Need {
        kind: DEMAND,
        states: &[],
        actions: &[CREATE],
        fields: &["opinion"],
        who: "web::pages::panels and import (the demand's panels, the Excel import)",
    },
    Need {
        kind: DEMAND_CHANGE,
        states: &[],
        actions: &[],
        fields: &[],
        who: "web::pages::panels (side-by-side change)",
    },
    Need {
        kind: CAMPAIGN,
        states: &[],
        actions: &[],
        fields: &[],
        who: "web::pages::panels (who has submitted)",
    },
    Need {
        kind: PLAN,
        states: &[],
        actions: &[],
        fields: &["taskbook_pdf_sm3"],
        who: "web::pages::panels (the plan against its ceiling, the task book files)",
    },
    Need {
        kind: PLAN_ITEM,
        states: &[],
        actions: &[CREATE],
        fields: &["seq", "unit", "budget", "demands"],
        who: "web::pages::panels and build (plan lines, drafting a project from a line)",
    },
    Need {
        kind: COUNTY_PLAN,
        states: &[],
        actions: &[],
        fields: &[],
        who: "web::pages::panels (the county plan's items)",
    },
    Need {
        kind: EMERGENCY,
        states: &[],
        actions: &[],
        fields: &[],
        who: "web::pages::build (a case-by-case project from an emergency item)",
    },
    Need {
        kind: PROJECT,
        states: &[],
        actions: &[],
        fields: &["baseline"],
        who: "web::pages::build and progress (the project's panels, budget execution)",
    },
    Need {
        kind: PROJECT_CHANGE,
        states: &[],
        actions: &[],
        fields: &[],
        who: "web::pages::build (change requests of a project)",
    },
    Need {
        kind: FSR,
        states: &[],
        actions: &[],
        fields: &["drawn_experts", "excluded_experts", "approval_pdf_sm3"],
        who: "web::pages::build (the FSR's versions, experts and approval files)",
    },
    Need {
        kind: PROCUREMENT,
        states: &[PROCUREMENT_CONTRACTED],
        actions: &[],
        fields: &["allocation"],
        who: "web::pages::build (budget execution: what contracts took of each line)",
    },
    Need {
        kind: RISK,
        states: &[],
        actions: &[],
        fields: &["level"],
        who: "web::pages::progress (the risk register)",
    },
    Need {
        kind: INSPECTION,
        states: &[],
        actions: &[],
        fields: &["inspected_on"],
        who: "web::pages::progress and build (inspections and their rectifications)",
    },
    Need {
        kind: RECTIFICATION,
        states: &[],
        actions: &[],
        fields: &[],
        who: "web::pages::build (rectifications of an inspection)",
    },
    Need {
        kind: EXPERT,
        states: &[],
        actions: &[],
        fields: &["name", "employer"],
        who: "web::pages::build (drawn experts, shown to the Bureau)",
    },
];

/// Checks the policy against everything the app and the web name.
pub fn check(policy: &domain::Policy) -> Result<(), String> {
    let mut problems = Vec::new();
    if let Err(e) = app::contract::check(policy) {
        problems.push(e);
    }
    let mut missing = app::contract::missing(policy, NEEDS);
    for role in OVERLAP_READERS {
        if policy.role(role).is_none() {
            missing.push(format!(
                "no role \"{role}\" (needed by web::pages::cycle_panels, the overlap check)"
            ));
        }
    }
    if !missing.is_empty() {
        problems.push(format!(
            "the policy lacks names the web pages rely on:\n  {}",
            missing.join("\n  ")
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}
