//! Where a policy's files come from: a folder on disk (`tongchou policy check`, `--policy`), or
//! texts compiled into the binary (the shipped policy). Either way the root file (`policy.toml`)
//! lists the parts in order, and every error names the part and line it is about.
//!
//! Reading the folder is the only file access in the domain: it happens once, before anything
//! is decided, and gives the same `Policy` as the texts would.

use super::Policy;
use super::ctx::{PolicyError, line_of};
use super::load::{Source, load, parse};
use super::raw::S;
use std::path::Path;

/// The root file of a policy folder.
pub const ROOT: &str = "policy.toml";

impl Policy {
    /// Loads a policy folder: its `policy.toml` and the parts it lists, in order. `path` may
    /// also name a single file: a root that holds every table itself (or lists parts beside it).
    pub fn from_folder(path: &Path) -> Result<Policy, PolicyError> {
        let (dir, root) = if path.is_dir() {
            (path.to_path_buf(), path.join(ROOT))
        } else {
            (
                path.parent().map(Path::to_path_buf).unwrap_or_default(),
                path.to_path_buf(),
            )
        };
        let root_name = root.display().to_string();
        let root_text = std::fs::read_to_string(&root).map_err(|e| PolicyError {
            file: root_name.clone(),
            line: 1,
            message: format!("cannot read the policy: {e}"),
        })?;
        let mut texts = vec![(root_name.clone(), root_text.clone())];
        for part in listed(&root_name, &root_text)? {
            let file = dir.join(part.get_ref());
            let text = std::fs::read_to_string(&file).map_err(|e| PolicyError {
                file: root_name.clone(),
                line: line_of(&root_text, part.span().start),
                message: format!("cannot read the part `{}`: {e}", part.get_ref()),
            })?;
            texts.push((file.display().to_string(), text));
        }
        load(
            &texts
                .iter()
                .map(|(name, text)| Source {
                    name: name.clone(),
                    text,
                })
                .collect::<Vec<_>>(),
        )
    }

    /// Loads a policy from the texts of its files, e.g. compiled in with `include_str!`:
    /// `files[0]` is the root, the others are exactly the parts it lists, by the names it lists
    /// them under (in any order: the root's order counts). Errors name `folder/part`.
    pub fn from_sources<N: AsRef<str>, T: AsRef<str>>(
        folder: &str,
        files: &[(N, T)],
    ) -> Result<Policy, PolicyError> {
        let shown = |name: &str| {
            if folder.is_empty() {
                name.to_string()
            } else {
                format!("{}/{name}", folder.trim_end_matches('/'))
            }
        };
        let Some(((root, root_text), given)) = files.split_first() else {
            return Err(PolicyError {
                file: shown(ROOT),
                line: 1,
                message: "a policy needs its root file".into(),
            });
        };
        let (root, root_text) = (shown(root.as_ref()), root_text.as_ref());
        let parts = listed(&root, root_text)?;
        let mut sources = vec![Source {
            name: root.clone(),
            text: root_text,
        }];
        for part in &parts {
            let Some((_, text)) = given.iter().find(|(n, _)| n.as_ref() == part.get_ref()) else {
                return Err(PolicyError {
                    file: root.clone(),
                    line: line_of(root_text, part.span().start),
                    message: format!("the part `{}` is listed but not given", part.get_ref()),
                });
            };
            sources.push(Source {
                name: shown(part.get_ref()),
                text: text.as_ref(),
            });
        }
        if let Some((extra, _)) = given
            .iter()
            .find(|(n, _)| !parts.iter().any(|p| p.get_ref() == n.as_ref()))
        {
            return Err(PolicyError {
                file: root.clone(),
                line: 1,
                message: format!(
                    "`{}` is given as a part but the root's `parts` does not list it",
                    extra.as_ref()
                ),
            });
        }
        load(&sources)
    }

    /// A policy in one file: a root that holds every table itself and lists no parts.
    pub fn from_toml(file: &str, text: &str) -> Result<Policy, PolicyError> {
        Policy::from_sources("", &[(file, text)])
    }
}

/// The part files a root lists, in order: what a binary must embed besides the root.
pub fn parts_of(file: &str, text: &str) -> Result<Vec<String>, PolicyError> {
    Ok(listed(file, text)?
        .into_iter()
        .map(|p| p.into_inner())
        .collect())
}

/// The root's `parts`, each once, with their positions.
fn listed(file: &str, text: &str) -> Result<Vec<S>, PolicyError> {
    let raw = parse(file, text)?;
    let Some(meta) = raw.policy else {
        return Err(PolicyError {
            file: file.to_string(),
            line: 1,
            message: "the root file needs a `[policy]` table".into(),
        });
    };
    let mut seen = std::collections::HashSet::new();
    for p in &meta.parts {
        let problem = if p.get_ref() == ROOT {
            "is the root itself"
        } else if !seen.insert(p.get_ref().clone()) {
            "is listed twice"
        } else {
            continue;
        };
        return Err(PolicyError {
            file: file.to_string(),
            line: line_of(text, p.span().start),
            message: format!("the part `{}` {problem}", p.get_ref()),
        });
    }
    Ok(meta.parts)
}
