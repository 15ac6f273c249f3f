//! PDF rendering of official documents (公文, GB/T 9704-2012) with typst used as a library.
//!
//! In the PDF, user text never passes through typst's markup parser: the document is handed to
//! a fixed template as a JSON virtual file.
#![forbid(unsafe_code)]

mod fonts;
mod pdf;

pub use fonts::{FontChoice, Fonts};
pub use pdf::render_pdf;

use gongwen::{DocError, OfficialDoc, Typesetter};
use std::sync::OnceLock;

/// The typesetter the platform uses: typst with the fonts found on this machine (searched
/// once, on the first document).
#[derive(Debug, Default)]
pub struct Typst {
    fonts: OnceLock<Fonts>,
}

impl Typst {
    pub fn new() -> Typst {
        Typst::default()
    }

    /// The fonts this typesetter uses (searched now if not yet).
    pub fn fonts(&self) -> &Fonts {
        self.fonts.get_or_init(Fonts::system)
    }
}

impl Typesetter for Typst {
    fn pdf(&self, doc: &OfficialDoc) -> Result<Vec<u8>, DocError> {
        render_pdf(doc, self.fonts())
    }
}
