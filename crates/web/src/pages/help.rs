//! 操作手册 (issue 12, point 11): `docs/manual.md`, compiled into the binary, served at
//! `/help` with the reader's own role first. The manual is one file with a section per role
//! (`## 需求填报员（demand_clerk）`), so it is read and reviewed like any other doc; a test
//! holds it to the policy: every role has a section, every section is a role.

use crate::AppState;
use crate::auth::WebUser;
use crate::error::{WebError, html};
use crate::frame::Frame;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

const MANUAL: &str = include_str!("../../../../docs/manual.md");

/// The section every role reads.
pub const COMMON: &str = "common";

/// One section of the manual: its id (a role, or `common`), its heading, its text.
pub struct Section {
    pub id: String,
    pub heading: String,
    pub markdown: String,
}

/// The manual as the pages show it: its opening words and each section as HTML, read once.
static SHOWN: std::sync::LazyLock<(String, Vec<(Section, String)>)> =
    std::sync::LazyLock::new(|| {
        let (intro, all) = sections();
        let all = all
            .into_iter()
            .map(|s| {
                let html = to_html(&s.markdown);
                (s, html)
            })
            .collect();
        (to_html(&intro), all)
    });

/// The manual's opening words and its sections, in order.
pub fn sections() -> (String, Vec<Section>) {
    let mut intro = String::new();
    let mut out: Vec<Section> = Vec::new();
    for line in MANUAL.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            let (heading, id) = match h.rsplit_once('（') {
                Some((name, rest)) => (name.to_string(), rest.trim_end_matches('）').to_string()),
                None => (h.to_string(), String::new()),
            };
            out.push(Section {
                id,
                heading,
                markdown: String::new(),
            });
        } else if line.starts_with("# ") {
            continue;
        } else if let Some(s) = out.last_mut() {
            s.markdown.push_str(line);
            s.markdown.push('\n');
        } else {
            intro.push_str(line);
            intro.push('\n');
        }
    }
    (intro, out)
}

/// Markdown of the manual (trusted: it is compiled in) as HTML.
fn to_html(markdown: &str) -> String {
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, pulldown_cmark::Parser::new(markdown));
    out
}

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage {
    frame: Frame,
    intro: String,
    /// (id, heading, html) of the sections shown: the chosen role's, then the common one.
    shown: Vec<(String, String, String)>,
    /// (id, heading) of every role's section, for the others.
    others: Vec<(String, String)>,
}

#[derive(serde::Deserialize)]
pub struct HelpQuery {
    role: Option<String>,
}

pub async fn page(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Query(q): Query<HelpQuery>,
) -> Result<Response, WebError> {
    let p = &s.platform;
    let (intro, all) = &*SHOWN;
    let role = q.role.unwrap_or_else(|| who.user.role.clone());
    let title = frame_title(who.lang);
    let frame = Frame::new(p, &who, "help", &title, "/help");
    let pick = |id: &str| {
        all.iter()
            .find(|(s, _)| s.id == id)
            .map(|(s, html)| (s.id.clone(), s.heading.clone(), html.clone()))
    };
    let shown = [pick(&role), pick(COMMON)].into_iter().flatten().collect();
    Ok(html(HelpPage {
        intro: intro.clone(),
        shown,
        others: all
            .iter()
            .filter(|(s, _)| s.id != COMMON && s.id != role)
            .map(|(s, _)| (s.id.clone(), s.heading.clone()))
            .collect(),
        frame,
    }))
}

fn frame_title(lang: domain::Lang) -> String {
    domain::Text::new("操作手册", "User manual (in Chinese)")
        .get(lang)
        .to_string()
}
