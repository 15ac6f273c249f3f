//! What the measures' article says in the platform (`/articles/{n}`, e.g. `/articles/14` or
//! `/articles/13.2`): its status and everything in the policy that cites it, with who may take
//! each step — the same outline `tongchou policy explain` prints. Every article cited in an
//! item's record links here.

use crate::AppState;
use crate::auth::WebUser;
use crate::error::{WebError, html};
use crate::frame::Frame;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

/// A section of the outline: its heading and its lines (depth, text).
pub struct Section {
    pub heading: String,
    pub lines: Vec<(usize, String)>,
}

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage {
    frame: Frame,
    heading: String,
    status: String,
    sections: Vec<Section>,
}

pub async fn page(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Path(n): Path<String>,
) -> Result<Response, WebError> {
    let p = &s.platform;
    let lang = who.lang;
    let not_found = || WebError::App(app::AppError::NotFound, lang);
    let article = domain::Article::parse(&n).ok_or_else(not_found)?;
    let e = p.policy.explain(&article).map_err(|_| not_found())?;
    let mut lines = domain::policy::outline(&p.policy, &e, lang).into_iter();
    let heading = lines.next().map(|l| l.1).unwrap_or_default();
    let status = lines.next().map(|l| l.1).unwrap_or_default();
    // The outline's sections start after an empty line with a heading of depth 0.
    let mut sections: Vec<Section> = vec![Section {
        heading: String::new(),
        lines: Vec::new(),
    }];
    let mut fresh = false;
    for (depth, text) in lines {
        match (depth, text.is_empty()) {
            (0, true) => fresh = true,
            (0, false) if fresh => {
                sections.push(Section {
                    heading: text,
                    lines: Vec::new(),
                });
                fresh = false;
            }
            _ => {
                if let Some(s) = sections.last_mut() {
                    s.lines.push((depth, text));
                }
            }
        }
    }
    sections.retain(|s| !s.heading.is_empty() || !s.lines.is_empty());
    let here = format!("/articles/{n}");
    let frame = Frame::new(p, &who, "", &heading, &here);
    Ok(html(ArticlePage {
        frame,
        heading,
        status,
        sections,
    }))
}
