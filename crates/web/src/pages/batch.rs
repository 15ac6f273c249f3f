//! 批量提交 from a list (issue 12, point 11): the ticked items, each taken on its own by
//! `app::batch`, and a page that says for each what happened — submitted, or refused with
//! the reason and what to do — so a clerk never wonders which of twenty went through.

use crate::AppState;
use crate::auth::{WebUser, check_csrf};
use crate::error::{WebError, html};
use crate::frame::Frame;
use app::AppError;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use domain::{ItemId, Lang};

#[derive(Template)]
#[template(path = "batch.html")]
struct BatchPage {
    frame: Frame,
    heading: String,
    back: String,
    done: usize,
    /// (id, number, title, None when taken or the reason it was not).
    rows: Vec<(i64, String, String, Option<String>)>,
}

pub async fn submit(
    State(s): State<AppState>,
    WebUser(who): WebUser,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    check_csrf(&who, &form)?;
    let p = &s.platform;
    let lang = who.lang;
    let (kind_id, action) = (
        super::form_value(&form, "kind"),
        super::form_value(&form, "action"),
    );
    let kind = p
        .policy
        .kind(&kind_id)
        .ok_or(WebError::App(AppError::NotFound, lang))?;
    let step = kind
        .transition(&action)
        .ok_or(WebError::App(AppError::NotFound, lang))?;
    let mut ids: Vec<ItemId> = Vec::new();
    for id in form
        .iter()
        .filter(|(k, _)| k == "ids")
        .filter_map(|(_, v)| v.parse().ok())
        .map(ItemId::new)
    {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    // A list page holds at most 100: more is not a form of ours.
    ids.truncate(app::batch::MAX_ITEMS);
    let once = super::once(&form, "/items/batch");
    let outcomes = app::batch::perform_many(p, &who, &kind_id, &action, &ids, once.as_ref())
        .await
        .map_err(|e| WebError::App(e, lang))?;
    let mut rows = Vec::new();
    for o in &outcomes {
        let number = match o.number.as_str() {
            "" => o.id.get().to_string(),
            n => n.to_string(),
        };
        let title = o.title.clone();
        let why = o.result.as_ref().err().map(|e| reason(e, lang));
        rows.push((o.id.get(), number, title, why));
    }
    let heading = match lang {
        Lang::Zh => format!("批量{}", step.label.zh),
        Lang::En => format!("{} (batch)", step.label.en),
    };
    let frame = Frame::new(p, &who, &kind_id, &heading, "/items/batch")
        .crumb(kind.name.get(lang), &format!("/items?kind={kind_id}"));
    Ok(html(BatchPage {
        done: outcomes.iter().filter(|o| o.result.is_ok()).count(),
        back: format!("/items?kind={kind_id}"),
        heading,
        rows,
        frame,
    }))
}

/// Why one item was not taken, with the parts to fix, and what to do.
fn reason(e: &AppError, lang: Lang) -> String {
    match e {
        AppError::Denied(d) => {
            let mut out = d.reason.get(lang).to_string();
            for f in &d.fields {
                out.push_str(&format!("\n· {}", f.message.get(lang)));
            }
            out.push_str(match lang {
                Lang::Zh => "\n请打开该项补全后再办理。",
                Lang::En => "\nOpen it, complete it, then take the step again.",
            });
            out
        }
        AppError::Conflict => match lang {
            Lang::Zh => "办理期间他人已修改此项，未作更改；请打开核对后再办理。".into(),
            Lang::En => "Someone changed it meanwhile; nothing was done. Open it and check.".into(),
        },
        AppError::KeyReused => match lang {
            Lang::Zh => "这一页已提交过一次、所选不同，未作更改；请刷新列表后重新勾选。".into(),
            Lang::En => "This page was already sent with other ticks; nothing was done. Reload the list and tick again.".into(),
        },
        AppError::Unavailable(_) | AppError::Store(_) => match lang {
            Lang::Zh => "系统暂时无法保存，此项未办理；请稍后重试。".into(),
            Lang::En => "The platform cannot save right now; this one was not done. Try again later.".into(),
        },
        AppError::Invalid(t) => t.get(lang).to_string(),
        _ => match lang {
            Lang::Zh => "未找到或无权办理此项。".into(),
            Lang::En => "Not found, or not yours to act on.".into(),
        },
    }
}
