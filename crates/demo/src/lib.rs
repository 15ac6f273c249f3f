//! Demo data for a city the size of the seed's (REQUIREMENTS.md): the organisations of
//! art. 4-12 with one user per role, and demands in every state of art. 13. Only on an empty
//! database.

mod acceptance;
mod city;
mod demands;
mod funds;
mod operations;
pub mod projects;
mod registry;
mod supervision;

pub use city::USERS;
pub use registry::VENDOR_LOGIN;

use app::accounts::{NewAccount, NewOrg, add};
use app::items::{Command, create, perform};
use app::{AppError, Platform, Principal};
use city::{ORGS, SYSTEMS};
use demands::seed_work;
use domain::Input;

/// The password of every demo account (12+ characters, four classes).
pub const DEMO_PASSWORD: &str = "Tongchou@2026";

/// Seeds the demo city if the database has no organisations yet. Returns whether it seeded.
pub async fn seed(p: &Platform) -> Result<bool, AppError> {
    if !seed_orgs_and_users(p).await? {
        return Ok(false);
    }
    seed_systems(p).await?;
    crate::registry::seed(p).await?;
    seed_work(p).await?;
    app::audit::checkpoint(p).await?;
    Ok(true)
}

/// Organisations and accounts, once: false when the database already has them.
async fn seed_orgs_and_users(p: &Platform) -> Result<bool, AppError> {
    let orgs: Vec<NewOrg> = ORGS
        .iter()
        .map(|(code, zh, en, kind, county)| NewOrg {
            code,
            name_zh: zh,
            name_en: en,
            kind,
            parent: None,
            county: *county,
        })
        .collect();
    if !app::accounts::add_orgs_if_none(p, &orgs).await? {
        return Ok(false);
    }
    for (username, name, org, role) in USERS {
        add(
            p,
            "demo",
            &NewAccount {
                username,
                display_name: name,
                org_code: org,
                role,
                password: DEMO_PASSWORD,
            },
        )
        .await?;
    }
    Ok(true)
}

/// Seeds only the city (organisations, accounts, registered systems) and no campaign or
/// demands, for a story that runs a whole year from the start. Returns whether it seeded.
pub async fn seed_city(p: &Platform) -> Result<bool, AppError> {
    if !seed_orgs_and_users(p).await? {
        return Ok(false);
    }
    seed_systems(p).await?;
    crate::registry::seed(p).await?;
    app::audit::checkpoint(p).await?;
    Ok(true)
}

async fn seed_systems(p: &Platform) -> Result<(), AppError> {
    let analyst = principal(p, "dc.analyst").await?;
    for (name, unit, description, built) in SYSTEMS {
        let fields = [
            ("name", *name),
            ("unit", *unit),
            ("description", *description),
            ("built", *built),
            ("om_owner", "datacenter"),
            ("mlps_level", "2"),
        ];
        act(p, &analyst, None, "system", "create", &fields).await?;
    }
    Ok(())
}

fn input(pairs: &[(&str, &str)]) -> Input {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub async fn act(
    p: &Platform,
    who: &Principal,
    target: Option<domain::ItemId>,
    kind: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> Result<domain::ItemId, AppError> {
    let cmd = Command {
        action: action.into(),
        input: input(fields),
        then: None,
        idempotency: None,
    };
    match target {
        None => create(p, who, kind, cmd).await,
        Some(id) => perform(p, who, id, cmd).await,
    }
}

/// A principal for seeding, as if the user had logged in.
pub async fn principal(p: &Platform, username: &str) -> Result<Principal, AppError> {
    app::identity::principal_of(p, username).await
}
