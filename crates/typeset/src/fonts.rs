//! System font discovery for the PDF renderer.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;

use gongwen::FontRole;

/// Which font a role resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontChoice {
    pub role: FontRole,
    /// The official font (Chinese name).
    pub official: &'static str,
    /// The family the PDF uses; `None` when neither the official font nor Noto CJK is installed.
    pub family: Option<String>,
    /// Whether the family is a Noto CJK stand-in rather than the official font.
    pub fallback: bool,
    /// Whether the bold face is used (for the 小标宋/黑体 stand-ins).
    pub bold: bool,
}

impl fmt::Display for FontChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let weight = if self.bold { " Bold" } else { "" };
        match (&self.family, self.fallback) {
            (Some(fam), false) => write!(f, "{}：{fam}", self.role.label()),
            (Some(fam), true) => write!(
                f,
                "{}：{fam}{weight}（未安装{}，替代）",
                self.role.label(),
                self.official
            ),
            (None, _) => write!(
                f,
                "{}：无可用字体（缺{}）",
                self.role.label(),
                self.official
            ),
        }
    }
}

struct FontSlot {
    path: PathBuf,
    index: u32,
    font: OnceLock<Option<Font>>,
}

/// The fonts available to the PDF renderer: discovered once (e.g. [`Fonts::system`]) and
/// reused; font files are read lazily, when a document first uses them.
pub struct Fonts {
    pub(crate) book: LazyHash<FontBook>,
    slots: Vec<FontSlot>,
    choices: Vec<FontChoice>,
}

impl fmt::Debug for Fonts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fonts")
            .field("faces", &self.slots.len())
            .field("choices", &self.choices)
            .finish()
    }
}

/// The usual font directories of a Linux system (and the user's own).
fn system_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![
        PathBuf::from("/usr/share/fonts"),
        PathBuf::from("/usr/local/share/fonts"),
    ];
    if let Some(home) = std::env::var_os("HOME") {
        let home = PathBuf::from(home);
        dirs.push(home.join(".local/share/fonts"));
        dirs.push(home.join(".fonts"));
    }
    dirs
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 8 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() || (kind.is_symlink() && path.is_dir()) {
            collect_files(&path, out, depth + 1);
        } else {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            if matches!(ext.as_deref(), Some("ttf" | "otf" | "ttc" | "otc")) {
                out.push(path);
            }
        }
    }
}

impl Fonts {
    /// Scans `/usr/share/fonts`, `/usr/local/share/fonts`, `~/.local/share/fonts` and
    /// `~/.fonts`, plus the directories in `TONGCHOU_FONT_DIRS` (colon-separated), if set.
    pub fn system() -> Fonts {
        let mut dirs = system_dirs();
        if let Some(extra) = std::env::var_os("TONGCHOU_FONT_DIRS") {
            dirs.extend(std::env::split_paths(&extra));
        }
        Self::from_dirs(&dirs)
    }

    /// Scans the given directories (recursively) for .ttf/.otf/.ttc/.otc files.
    pub fn from_dirs(dirs: &[PathBuf]) -> Fonts {
        let mut files = Vec::new();
        for dir in dirs {
            collect_files(dir, &mut files, 0);
        }
        files.sort();
        files.dedup();
        let mut book = FontBook::new();
        let mut slots = Vec::new();
        for path in files {
            let Ok(data) = std::fs::read(&path) else {
                continue;
            };
            for (index, info) in FontInfo::iter(&data).enumerate() {
                let Ok(index) = u32::try_from(index) else {
                    break;
                };
                book.push(info);
                slots.push(FontSlot {
                    path: path.clone(),
                    index,
                    font: OnceLock::new(),
                });
            }
        }
        let choices = FontRole::ALL
            .iter()
            .map(|&role| choose(&book, role))
            .collect();
        Fonts {
            book: LazyHash::new(book),
            slots,
            choices,
        }
    }

    /// Which font each role resolved to.
    pub fn choices(&self) -> &[FontChoice] {
        &self.choices
    }

    /// The choice for one role.
    pub fn choice(&self, role: FontRole) -> Option<&FontChoice> {
        self.choices.iter().find(|c| c.role == role)
    }

    /// Whether any role uses a Noto stand-in (or has no font at all).
    pub fn uses_fallback(&self) -> bool {
        self.choices
            .iter()
            .any(|c| c.fallback || c.family.is_none())
    }

    /// Number of font faces found.
    pub fn face_count(&self) -> usize {
        self.slots.len()
    }

    /// One line for document properties, e.g.
    /// "字体：标题：Noto Serif CJK SC Bold（未安装方正小标宋简体，替代）；正文：…".
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self.choices.iter().map(ToString::to_string).collect();
        format!("字体：{}", parts.join("；"))
    }

    pub(crate) fn font(&self, index: usize) -> Option<Font> {
        let slot = self.slots.get(index)?;
        slot.font
            .get_or_init(|| {
                let data = std::fs::read(&slot.path).ok()?;
                Font::new(Bytes::new(data), slot.index)
            })
            .clone()
    }
}

fn choose(book: &FontBook, role: FontRole) -> FontChoice {
    let official = role.official_name();
    for cand in role.candidates() {
        let key = cand.to_lowercase();
        if book.contains_family(&key)
            && let Some(family) = book
                .select_family(&key)
                .next()
                .and_then(|i| book.info(i))
                .map(|info| info.family.clone())
        {
            return FontChoice {
                role,
                official,
                family: Some(family),
                fallback: false,
                bold: false,
            };
        }
    }
    let (noto, bold) = role.fallback();
    let family = [noto, "Noto Serif CJK SC", "Noto Sans CJK SC"]
        .iter()
        .find(|f| book.contains_family(&f.to_lowercase()))
        .map(|f| (*f).to_owned());
    FontChoice {
        role,
        official,
        bold: bold && family.as_deref() == Some(noto),
        family,
        fallback: true,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use typst::text::{Coverage, FontFlags, FontVariant};

    fn info(family: &str) -> FontInfo {
        FontInfo {
            family: family.to_owned(),
            variant: FontVariant::default(),
            flags: FontFlags::empty(),
            axes: Vec::new(),
            coverage: Coverage::from_vec(vec![0x4e00]),
        }
    }

    #[test]
    fn official_fonts_win_and_noto_stands_in() {
        let book = FontBook::from_infos([
            info("Noto Serif CJK SC"),
            info("Noto Sans CJK SC"),
            info("FangSong_GB2312"),
            info("KaiTi"),
        ]);
        let body = choose(&book, FontRole::Body);
        assert_eq!(body.family.as_deref(), Some("FangSong_GB2312"));
        assert!(!body.fallback && !body.bold);
        let kai = choose(&book, FontRole::Kai);
        assert_eq!(kai.family.as_deref(), Some("KaiTi"));
        assert!(!kai.fallback);
        let title = choose(&book, FontRole::Title);
        assert_eq!(title.family.as_deref(), Some("Noto Serif CJK SC"));
        assert!(title.fallback && title.bold);
        let hei = choose(&book, FontRole::Hei);
        assert_eq!(hei.family.as_deref(), Some("Noto Sans CJK SC"));
        assert!(hei.fallback && hei.bold);
        assert!(hei.to_string().contains("未安装黑体"), "{hei}");

        let empty = choose(&FontBook::new(), FontRole::Body);
        assert!(empty.family.is_none() && empty.fallback);
    }
}
