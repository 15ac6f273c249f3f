//! The domain's tests in one binary (one link instead of four): a module per subject, each test
//! named as a sentence after the requirement it covers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

mod annual_cycle;
mod demand_lifecycle;
mod explain;
mod handling;
mod matrix;
mod policy_file;
mod policy_fuzz;
mod policy_parts;
mod projects;

use domain::Policy;
use std::path::Path;
use std::sync::LazyLock;

/// The shipped policy folder.
pub const FOLDER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../policy/nanyang-2025");

static SHIPPED: LazyLock<Policy> =
    LazyLock::new(|| Policy::from_folder(Path::new(FOLDER)).unwrap());

/// The shipped policy, loaded once from its folder.
pub fn shipped() -> Policy {
    SHIPPED.clone()
}

/// The shipped policy's files as (name, text): the root first, then the parts it lists.
pub fn shipped_files() -> Vec<(String, String)> {
    let read = |name: &str| std::fs::read_to_string(Path::new(FOLDER).join(name)).unwrap();
    let root = read(domain::policy::ROOT);
    let parts = domain::policy::parts_of("policy.toml", &root).unwrap();
    let mut files = vec![(domain::policy::ROOT.to_string(), root)];
    files.extend(parts.into_iter().map(|p| {
        let text = read(&p);
        (p, text)
    }));
    files
}

/// The shipped files with the first `needle` replaced by `with` in the one part that holds it,
/// and that part's name.
pub fn edited(needle: &str, with: &str) -> (Vec<(String, String)>, String) {
    let mut files = shipped_files();
    let (name, text) = files
        .iter_mut()
        .find(|(_, text)| text.contains(needle))
        .unwrap_or_else(|| panic!("no part holds {needle:?}"));
    *text = text.replacen(needle, with, 1);
    let name = name.clone();
    (files, name)
}

/// The line of the first line of `text` holding `needle`, counting from 1.
pub fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

/// The text of the file `name` among `files`.
pub fn text_of<'f>(files: &'f [(String, String)], name: &str) -> &'f str {
    &files.iter().find(|(n, _)| n == name).unwrap().1
}
