//! The names the app's code relies on, in one place, checked against the policy when it is
//! loaded (server start and `tongchou policy check`): a policy that lacks one fails to load,
//! naming the id and who needs it, instead of an alert or a document silently going missing.
//! Code names kinds, states, actions and fields through these constants only.

/// Ids of the measures' kinds and of the states, actions and fields the app names.
pub mod ids {
    pub const DEMAND: &str = "demand";
    /// A demand the Data Center has given its opinion on (accepted, merged, deferred …).
    pub const DEMAND_OPINION_GIVEN: &str = "opinion_given";
    pub const DEMAND_OPINION: &str = "opinion";
    pub const OPINION_ACCEPT: &str = "accept";
    pub const OPINION_MERGE: &str = "merge";
    pub const CAMPAIGN: &str = "campaign";
    pub const CAMPAIGN_OPEN: &str = "open";
    pub const PLAN_ITEM: &str = "plan_item";
    pub const PLAN_ITEM_LISTED: &str = "listed";
    pub const EMERGENCY: &str = "emergency";
    pub const EMERGENCY_IN_PLAN: &str = "in_plan";
    pub const PROJECT: &str = "project";
    pub const PROJECT_UNDER_CONSTRUCTION: &str = "under_construction";
    /// The project's construction mode, and the value for a project the Company funds itself
    /// (its 批复 then asks for the NDRC filing, art. 14(2)).
    pub const PROJECT_MODE: &str = "mode";
    pub const MODE_SELF_FUNDED: &str = "company_self_funded";
    pub const PLAN: &str = "plan";
    /// The Data Center's compilation opinion on the year's plan (art. 13(1)).
    pub const PLAN_OPINION: &str = "plan_opinion";
    pub const RISK: &str = "risk";
    pub const RISK_OPEN: &str = "open";
    pub const EXPERT: &str = "expert";
    pub const EXPERT_ACTIVE: &str = "active";
    pub const PROCUREMENT: &str = "procurement";
    pub const DISBURSEMENT: &str = "disbursement";
    pub const DISBURSEMENT_PAID: &str = "paid";
    pub const DISBURSEMENT_SOURCE: &str = "source";
    pub const FINAL_ACCEPTANCE: &str = "final_acceptance";
    /// A unit's demand has been handed in (the campaign's who-has-submitted list).
    pub const SUBMIT: &str = "submit";
    pub const EDIT: &str = "edit";
    pub const CREATE: &str = "create";
    /// The Bureau's organisation kind: it keeps the working-day calendar with the administrators.
    pub const ORG_BUREAU: &str = "Bureau";
    /// The city-owned company: the task book is addressed to it.
    pub const ORG_COMPANY: &str = "Company";
    pub const ORG_DATACENTER: &str = "DataCenter";
    pub const ORG_NDRC: &str = "Ndrc";
    pub const ORG_FINANCE: &str = "Finance";
}

/// Choice values the app names: (kind, field, value, who needs it).
pub const CHOICES: &[(&str, &str, &str, &str)] = &[
    (
        PROJECT,
        PROJECT_MODE,
        MODE_SELF_FUNDED,
        "app::approval (the 批复 of a self-funded project asks for the NDRC filing)",
    ),
    (
        DEMAND,
        DEMAND_OPINION,
        OPINION_ACCEPT,
        "app::cycle::lines::plan_candidates (accepted demands are offered to the plan)",
    ),
    (
        DEMAND,
        DEMAND_OPINION,
        OPINION_MERGE,
        "app::cycle::lines::plan_candidates (merged demands join the plan item of the one they merge into)",
    ),
];

/// Organisation kinds the app names, with who needs them.
pub const ORG_KINDS: &[(&str, &str)] = &[
    (
        ORG_BUREAU,
        "app::inbox::calendar_warning (the Bureau is told next year's holidays are missing)",
    ),
    (
        ORG_COMPANY,
        "app::taskbook (the task book is addressed to the Company)",
    ),
    (
        ORG_DATACENTER,
        "app::taskbook and app::approval (copied to the Data Center: 抄送)",
    ),
    (
        ORG_NDRC,
        "app::taskbook and app::approval (copied to the NDRC: 抄送)",
    ),
    (
        ORG_FINANCE,
        "app::taskbook and app::approval (copied to Finance: 抄送)",
    ),
];

use ids::*;

/// What one part of the code needs of one kind.
pub struct Need {
    pub kind: &'static str,
    pub states: &'static [&'static str],
    pub actions: &'static [&'static str],
    pub fields: &'static [&'static str],
    /// Who needs it, for the error.
    pub who: &'static str,
}

/// Everything the app's code names.
pub const NEEDS: &[Need] = &[
    Need {
        kind: DISBURSEMENT,
        states: &[DISBURSEMENT_PAID],
        actions: &[],
        fields: &[DISBURSEMENT_SOURCE, "allocation", "project"],
        who: "app::funds::report (payments asked for, paid and by source, per project, unit and year)",
    },
    Need {
        kind: DEMAND,
        states: &[DEMAND_OPINION_GIVEN],
        actions: &[CREATE, EDIT, SUBMIT],
        fields: &[
            "title",
            "problem",
            "scope",
            "functions",
            "budget",
            DEMAND_OPINION,
            "merge_into",
        ],
        who: "app::cycle (campaign answers, reminders, plan candidates), app::import (Excel import), app::similar (overlap check)",
    },
    Need {
        kind: CAMPAIGN,
        states: &[CAMPAIGN_OPEN],
        actions: &[],
        fields: &["closes", "invited", "year"],
        who: "app::cycle::reminders (R13.1 reminders before a campaign closes), app::cycle::plan_opinions (the plan year)",
    },
    Need {
        kind: PLAN_ITEM,
        states: &[PLAN_ITEM_LISTED],
        actions: &[],
        fields: &["seq", "budget", "unit", "demands", "title", "plan"],
        who: "app::cycle::plan_view and app::taskbook (the plan's lines in the task book), app::cycle::lines (a line filled from accepted demands)",
    },
    Need {
        kind: EMERGENCY,
        states: &[EMERGENCY_IN_PLAN],
        actions: &[],
        fields: &["budget"],
        who: "app::cycle::plan_view and app::taskbook (emergency items added to the plan)",
    },
    Need {
        kind: PLAN,
        states: &[],
        actions: &[],
        fields: &["ceiling", "year", "meeting_no", "meeting_date"],
        who: "app::cycle::plan_view and app::taskbook (the plan's ceiling and meeting)",
    },
    Need {
        kind: PLAN_OPINION,
        states: &[],
        actions: &[],
        fields: &["campaign", "summary", "priorities"],
        who: "app::cycle::plan_opinions (the Data Center's opinion beside the plan, art. 13(1))",
    },
    Need {
        kind: PROJECT,
        states: &[PROJECT_UNDER_CONSTRUCTION],
        actions: &[],
        fields: &["milestones", "actuals", "mode"],
        who: "app::progress (late milestones in the inbox, R15.3), app::approval (self-funded note)",
    },
    Need {
        kind: FINAL_ACCEPTANCE,
        states: &[],
        actions: &[],
        fields: &[
            "project",
            "dossier_no",
            "dossier_docx_sm3",
            "dossier_pdf_sm3",
        ],
        who: "app::dossier (the acceptance dossier of the project, R16.3)",
    },
    Need {
        kind: RISK,
        states: &[RISK_OPEN],
        actions: &[],
        fields: &["level", "project", "owner"],
        who: "app::progress (open high risks in the inbox, R15.3)",
    },
    Need {
        kind: EXPERT,
        states: &[EXPERT_ACTIVE],
        actions: &[],
        fields: &["name", "employer", "employer_code"],
        who: "app::experts (the expert draw, R14.2)",
    },
    Need {
        kind: PROCUREMENT,
        states: &[],
        actions: &[],
        fields: &["bidders", "winner"],
        who: "app::experts (bidders and winners are excluded from the draw, R14.2)",
    },
];

/// Checks the policy against everything the app's code names and every step capability the
/// policy declares; the error lists each missing id with who needs it.
pub fn check(policy: &domain::Policy) -> Result<(), String> {
    let mut missing = missing(policy, NEEDS);
    for (kind, field, value, who) in CHOICES {
        let has = policy
            .kind(kind)
            .and_then(|k| k.field(field))
            .is_some_and(|f| {
                matches!(&f.ty, domain::policy::FieldType::Choice(options)
                if options.iter().any(|(id, _)| id == value))
            });
        if !has {
            missing.push(format!(
                "kind {kind} has no choice \"{value}\" for field \"{field}\" (needed by {who})"
            ));
        }
    }
    for (id, who) in ORG_KINDS {
        if !policy.org_kinds.iter().any(|k| k.id == *id) {
            missing.push(format!("no organisation kind \"{id}\" (needed by {who})"));
        }
    }
    if let Err(m) = crate::steps::check_policy(policy) {
        missing.extend(m);
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the policy lacks names the platform relies on:\n  {}",
            missing.join("\n  ")
        ))
    }
}

/// Each id of `needs` the policy lacks, as "kind project has no state \"x\" (needed by ...)".
pub fn missing(policy: &domain::Policy, needs: &[Need]) -> Vec<String> {
    let mut out = Vec::new();
    for n in needs {
        let Some(k) = policy.kind(n.kind) else {
            out.push(format!("no kind \"{}\" (needed by {})", n.kind, n.who));
            continue;
        };
        for s in n
            .states
            .iter()
            .filter(|s| !k.states.iter().any(|st| st.id == **s))
        {
            out.push(format!(
                "kind {} has no state \"{s}\" (needed by {})",
                n.kind, n.who
            ));
        }
        for a in n.actions.iter().filter(|a| k.transition(a).is_none()) {
            out.push(format!(
                "kind {} has no action \"{a}\" (needed by {})",
                n.kind, n.who
            ));
        }
        for f in n.fields.iter().filter(|f| k.field(f).is_none()) {
            out.push(format!(
                "kind {} has no field \"{f}\" (needed by {})",
                n.kind, n.who
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    /// The shipped policy with `from` replaced by `to` everywhere, in every part.
    fn shipped_with(from: &str, to: &str) -> domain::Policy {
        let files: Vec<(String, String)> = crate::DEFAULT_POLICY
            .iter()
            .map(|(n, t)| (n.to_string(), t.replace(from, to)))
            .collect();
        domain::Policy::from_sources(crate::DEFAULT_POLICY_FOLDER, &files).unwrap()
    }

    #[test]
    fn rx1_the_shipped_policy_has_every_name_the_app_relies_on() {
        let p = crate::default_policy().unwrap();
        assert_eq!(super::check(&p), Ok(()));
    }

    #[test]
    fn rx1_a_state_renamed_consistently_loads_but_fails_the_contract_naming_the_state_and_who_needs_it()
     {
        // The policy on its own is consistent, so the loader accepts it ...
        let p = shipped_with("\"under_construction\"", "\"building\"");
        // ... but the inbox's late-milestone alerts name the state.
        let err = super::check(&p).unwrap_err();
        assert!(
            err.contains("kind project has no state \"under_construction\""),
            "{err}"
        );
        assert!(err.contains("app::progress"), "{err}");
    }

    #[test]
    fn rx1_a_document_field_renamed_fails_the_contract_naming_the_step_and_the_field() {
        let p = shipped_with("taskbook_pdf_sm3", "taskbook_pdf_digest");
        let err = super::check(&p).unwrap_err();
        assert!(
            err.contains("plan.issue_taskbook") && err.contains("taskbook_pdf_sm3"),
            "{err}"
        );
    }
}
