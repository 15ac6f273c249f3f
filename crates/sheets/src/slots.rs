//! How many imports are read at once in the process (issue 10, finding 6: three bombs
//! uploaded in parallel peaked at 1.66 GB). Reading a workbook is bounded in memory (see
//! `guard`) and in CPU it takes a core: more imports at once than the server has cores only
//! make each slower and add up their memory.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::SheetError;

/// Imports read at once by default (2: the server's cores).
pub const IMPORTS_AT_ONCE: usize = 2;

/// A bound on imports at once: [`ImportSlots::try_acquire`] takes a slot without waiting,
/// or refuses with [`SheetError::Busy`] when all are taken, so that the caller can answer
/// at once ("正在处理的导入较多，请稍后再试", HTTP 503 or 429 with `Retry-After`) instead of
/// queueing uploads in memory. The slot is given back when the [`ImportSlot`] is dropped.
///
/// ```
/// let slots = sheets::ImportSlots::new(1);
/// let slot = slots.try_acquire()?;
/// assert_eq!(slots.try_acquire().unwrap_err(), sheets::SheetError::Busy);
/// drop(slot);
/// assert!(slots.try_acquire().is_ok());
/// # Ok::<(), sheets::SheetError>(())
/// ```
#[derive(Debug)]
pub struct ImportSlots {
    limit: usize,
    taken: AtomicUsize,
}

impl ImportSlots {
    /// Slots for `limit` imports at once.
    pub const fn new(limit: usize) -> Self {
        ImportSlots {
            limit,
            taken: AtomicUsize::new(0),
        }
    }

    /// The process's slots, [`IMPORTS_AT_ONCE`] of them: every import of the platform takes
    /// one of these.
    pub fn global() -> &'static ImportSlots {
        static GLOBAL: ImportSlots = ImportSlots::new(IMPORTS_AT_ONCE);
        &GLOBAL
    }

    /// Takes a slot, or refuses at once with [`SheetError::Busy`] when all are taken.
    ///
    /// # Errors
    /// [`SheetError::Busy`] when all slots are taken.
    pub fn try_acquire(&self) -> Result<ImportSlot<'_>, SheetError> {
        self.taken
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |taken| {
                (taken < self.limit).then_some(taken + 1)
            })
            .map(|_| ImportSlot { slots: self })
            .map_err(|_| SheetError::Busy)
    }

    /// How many slots are taken now.
    pub fn taken(&self) -> usize {
        self.taken.load(Ordering::Acquire)
    }

    /// How many imports may be read at once.
    pub fn limit(&self) -> usize {
        self.limit
    }
}

/// One import's slot: given back when dropped (also when the import fails or panics).
#[derive(Debug)]
#[must_use = "the slot is given back as soon as it is dropped"]
pub struct ImportSlot<'a> {
    slots: &'a ImportSlots,
}

impl Drop for ImportSlot<'_> {
    fn drop(&mut self) {
        self.slots.taken.fetch_sub(1, Ordering::AcqRel);
    }
}
