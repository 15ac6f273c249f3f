//! Stories that read as the measures do: `as_(&p, "dc.analyst").await.give_opinion(demand,
//! "accept", "符合规划")` instead of building commands by hand. Each verb takes one step through
//! the use cases, exactly as a clerk's form would, and returns what the use case returned, so a
//! story can assert on a refusal as well as on a success.

use app::items::{Command, ItemView};
use app::{AppError, Platform, Principal};
use domain::{Input, ItemId};

/// Someone of the demo city, about to act.
pub struct Acting<'p> {
    pub p: &'p Platform,
    pub who: Principal,
}

/// The demo account `username`, acting on `p`.
pub async fn as_<'p>(p: &'p Platform, username: &str) -> Acting<'p> {
    match demo::principal(p, username).await {
        Ok(who) => Acting { p, who },
        Err(e) => panic!("no demo account {username}: {e}"),
    }
}

/// A form's values from (field, value) pairs.
pub fn fields(pairs: &[(&str, &str)]) -> Input {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn command(action: &str, input: Input, then: Option<&str>) -> Command {
    Command {
        action: action.into(),
        input,
        then: then.map(str::to_string),
        idempotency: None,
    }
}

impl Acting<'_> {
    /// Creates an item of `kind` with the kind's `create` step.
    pub async fn create(&self, kind: &str, values: Input) -> Result<ItemId, AppError> {
        let cmd = command("create", values, None);
        app::items::create(self.p, &self.who, kind, cmd).await
    }

    /// Creates an item of `kind` and hands it in at once (`create`, then `submit`): both steps
    /// or neither.
    pub async fn create_and_submit(&self, kind: &str, values: Input) -> Result<ItemId, AppError> {
        let cmd = command("create", values, Some("submit"));
        app::items::create(self.p, &self.who, kind, cmd).await
    }

    /// Takes the step `action` on `id` with these values.
    pub async fn take(
        &self,
        id: ItemId,
        action: &str,
        values: &[(&str, &str)],
    ) -> Result<ItemId, AppError> {
        app::items::perform(self.p, &self.who, id, command(action, fields(values), None)).await
    }

    /// Hands an item in (art. 13(2) for a demand).
    pub async fn submit(&self, id: ItemId) -> Result<ItemId, AppError> {
        self.take(id, "submit", &[]).await
    }

    /// The Data Center starts analysing a demand (art. 13(1)).
    pub async fn start_analysis(&self, demand: ItemId) -> Result<ItemId, AppError> {
        self.take(demand, "start_analysis", &[]).await
    }

    /// The Data Center's opinion on a demand (art. 13(1)): `accept`, `defer` or `reject`, with
    /// its reason (`merge` also names the demand merged into: use `take`).
    pub async fn give_opinion(
        &self,
        demand: ItemId,
        opinion: &str,
        reason: &str,
    ) -> Result<ItemId, AppError> {
        self.take(demand, opinion, &[("reason", reason)]).await
    }

    /// The item as this person sees it, with its record and the steps open to them.
    pub async fn sees(&self, id: ItemId) -> Result<ItemView, AppError> {
        app::items::view(self.p, &self.who, id).await
    }
}
