//! `draw = "..."`: the platform draws at random for the step (the review experts, R14.2). The
//! draw runs inside the write, on the item as it is then, so two people drawing at once get
//! one draw between them and the record holds exactly what was drawn.

use super::{BoxFut, Capability, Read, Ready};
use crate::items::ItemRow;
use crate::{AppError, Platform, Principal};
use domain::Input;
use domain::policy::Transition;
use store::Conn;

/// Draws for one kind of step.
pub trait Drawer: Send + Sync {
    /// The name a transition's `draw` gives.
    fn name(&self) -> &'static str;
    /// The fields of the item's kind the drawer reads and fills.
    fn fields(&self) -> &'static [&'static str];
    /// The draw as the step's system fields, from the step's input; nothing when the input
    /// lacks what the draw needs (the step then refuses at the field).
    fn draw<'c>(
        &'c self,
        c: &'c mut Conn,
        row: &'c ItemRow,
        input: &'c Input,
    ) -> BoxFut<'c, Result<Input, AppError>>;
}

static DRAWERS: [&dyn Drawer; 1] = [&crate::experts::Experts];

pub(super) fn drawer(name: &str) -> Option<&'static dyn Drawer> {
    DRAWERS.iter().copied().find(|d| d.name() == name)
}

pub(super) fn names() -> Vec<&'static str> {
    DRAWERS.iter().map(|d| d.name()).collect()
}

pub(super) struct Draw;

impl Capability for Draw {
    fn declared(&self, t: &Transition) -> bool {
        t.draw.is_some()
    }

    fn prepare<'a>(&'a self, read: &'a Read<'a>) -> BoxFut<'a, Result<Box<dyn Ready>, AppError>> {
        Box::pin(async move {
            let name = read.t.draw.as_deref().unwrap_or_default();
            let drawer = drawer(name).ok_or(AppError::NotFound)?;
            // Only someone who may draw gets a draw; anyone else is refused by the step.
            Ok(Box::new(Drawing {
                drawer: read.may.then_some(drawer),
                input: read.input.clone(),
            }) as Box<dyn Ready>)
        })
    }
}

struct Drawing {
    drawer: Option<&'static dyn Drawer>,
    input: Input,
}

impl Ready for Drawing {
    fn system<'c>(
        &'c mut self,
        c: &'c mut Conn,
        _p: &'c Platform,
        _who: &'c Principal,
        row: &'c ItemRow,
    ) -> BoxFut<'c, Result<Input, AppError>> {
        Box::pin(async move {
            match self.drawer {
                Some(d) => d.draw(c, row, &self.input).await,
                None => Ok(Input::new()),
            }
        })
    }
}
