//! The pure core of Tongchou. It decides every transition of every item from the policy file
//! and cites the article that allows it. No IO, no clock, no randomness: time and ids come in
//! as arguments, so every decision can be replayed and tested as a table.

pub mod calendar;
pub mod decide;
pub mod fields;
pub mod guards;
pub mod handling;
pub mod ids;
pub mod item;
pub mod permissions;
pub mod policy;
pub mod rules;
pub mod table;
pub mod text;

pub use calendar::{Calendar, Counted, UnknownYear};
pub use decide::{
    Actor, BudgetLine, Context, Denied, Event, FieldError, Input, RefFact, Window, apply,
    available_actions, decide,
};
pub use ids::{Article, ItemId, Money, OrgId, UserId};
pub use item::{Act, Item};
pub use policy::{Policy, PolicyError};
pub use text::{Lang, Text};
