//! Panels under an item's details: the shared panel helpers, which panels each kind shows
//! (the cycle's in `cycle_panels`, construction's in `build` and `progress`), a county plan's
//! items (R3.3) and the attachments.

use crate::contract::ids;
use app::items::ItemRow;
use app::items::ItemView;
use app::{AppError, Platform, Principal};
use domain::policy::ItemKind;
use domain::{Lang, Text};

pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    pub class: &'static str,
}

pub struct Panel {
    pub id: String,
    pub title: String,
    pub warning: Option<String>,
    pub note: Option<String>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub links: Vec<(String, String, String)>,
    /// Where a file chosen in the panel is posted (attachments), when the user may attach.
    pub upload: Option<String>,
}

pub(crate) fn cell(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        href: None,
        class: "",
    }
}

pub(crate) fn link(text: impl Into<String>, href: String) -> Cell {
    Cell {
        text: text.into(),
        href: Some(href),
        class: "mono",
    }
}

pub(crate) fn t(lang: Lang, zh: &str, en: &str) -> String {
    Text::new(zh, en).get(lang).to_string()
}

pub(crate) fn item_link(r: &ItemRow) -> Cell {
    link(r.number.clone(), format!("/items/{}", r.item.id.get()))
}

pub(crate) fn state_cell(p: &Platform, r: &ItemRow, lang: Lang) -> Cell {
    let tag = crate::views::state_tag(p.policy.kind(&r.item.kind), &r.item.state, lang);
    Cell {
        text: tag.name,
        href: None,
        class: "state",
    }
}

/// The versions of an item, with a link comparing the last two (line by line for tables).
pub(crate) fn versions_panel(
    v: &ItemView,
    versions: &[app::cycle::Version],
    title: String,
    lang: Lang,
) -> Panel {
    let mut panel = new_panel(
        "versions",
        title,
        vec![
            t(lang, "版本", "Version"),
            t(lang, "形成时间", "Made"),
            t(lang, "经办", "By"),
        ],
    );
    for ver in versions {
        panel.rows.push(vec![
            cell(format!("v{}", ver.number)),
            cell(crate::views::short_time(&ver.at)),
            cell(ver.by.clone()),
        ]);
    }
    if versions.len() > 1 {
        panel.links.push((
            t(lang, "比较版本", "Compare versions"),
            format!(
                "/items/{}/versions?a={}&b={}",
                v.row.item.id.get(),
                versions.len() - 1,
                versions.len()
            ),
            "compare-versions".into(),
        ));
    }
    panel
}

pub(crate) fn new_panel(id: impl Into<String>, title: String, headers: Vec<String>) -> Panel {
    Panel {
        id: id.into(),
        title,
        warning: None,
        note: None,
        headers,
        rows: Vec::new(),
        links: Vec::new(),
        upload: None,
    }
}

pub async fn build(
    p: &Platform,
    who: &Principal,
    kind: &ItemKind,
    v: &ItemView,
) -> Result<Vec<Panel>, AppError> {
    let lang = who.lang;
    let mut out = Vec::new();
    if let Some(panel) = attachments(kind, v, lang) {
        out.push(panel);
    }
    out.extend(super::tables::panels(&p.policy, kind, &v.row.item, lang));
    out.extend(super::build::panels(p, who, kind, v).await?);
    out.extend(super::funds::lines_panel(p, who, kind, v).await?);
    match kind.id.as_str() {
        ids::DEMAND => {
            super::cycle_panels::demand_panels(p, who, v, lang, &mut out).await?;
        }
        ids::DEMAND_CHANGE | ids::PROJECT_CHANGE => {
            if let Some(panel) = super::cycle_panels::change_diff(p, who, kind, v, lang).await? {
                out.push(panel);
            }
        }
        ids::CAMPAIGN => out.push(super::cycle_panels::campaign_panel(p, who, v, lang).await?),
        ids::PLAN => {
            out.push(super::cycle_panels::plan_opinion_panel(p, who, v, lang).await?);
            out.push(super::cycle_panels::plan_panel(p, who, v, lang).await?);
            if let Some(panel) = super::cycle_panels::candidates_panel(p, who, v, lang).await? {
                out.push(panel);
            }
        }
        ids::COUNTY_PLAN => {
            let mut panel = new_panel(
                "county-items",
                t(lang, "本计划内的项目", "Items of this plan"),
                vec![
                    t(lang, "编号", "No."),
                    t(lang, "项目名称", "Project"),
                    t(lang, "状态", "State"),
                ],
            );
            for r in app::cycle::children(p, who, "county_item", &v.row.number).await? {
                panel.rows.push(vec![
                    item_link(&r),
                    cell(r.title.clone()),
                    state_cell(p, &r, lang),
                ]);
            }
            panel.links.push((
                t(lang, "登记县区项目", "Register an item"),
                format!("/items/new?kind=county_item&county_plan={}", v.row.number),
                "new-county-item".into(),
            ));
            out.push(panel);
        }
        _ => {}
    }
    super::children::panels(p, who, v, &mut out).await?;
    Ok(out)
}

/// The item's files with their digests, and the upload form while the user may attach.
fn attachments(kind: &ItemKind, v: &ItemView, lang: Lang) -> Option<Panel> {
    let field = kind
        .fields
        .iter()
        .find(|f| f.ty == domain::policy::FieldType::Files)?;
    // The step that takes files is the one whose inputs hold the files field.
    let may_attach = v.actions.iter().any(|t| t.inputs.contains(&field.id));
    let listed = v.row.item.field(&field.id);
    if listed.is_empty() && !may_attach {
        return None;
    }
    let mut panel = new_panel(
        "attachments",
        field.label.get(lang).to_string(),
        vec![t(lang, "文件", "File"), t(lang, "SM3 摘要", "SM3 digest")],
    );
    for line in listed.lines() {
        if let Some((digest, name)) = line.split_once(' ') {
            panel.rows.push(vec![
                link(
                    name.to_string(),
                    format!(
                        "/items/{}/files/{}",
                        v.row.item.id.get(),
                        crate::routes::urlencode(name)
                    ),
                ),
                Cell {
                    text: digest.to_string(),
                    href: None,
                    class: "mono small",
                },
            ]);
        }
    }
    if may_attach {
        panel.upload = Some(format!("/items/{}/files", v.row.item.id.get()));
        panel.note = Some(t(
            lang,
            "可上传 PDF、OFD、Word（.docx）、Excel（.xlsx）、PNG、JPG，单个不超过 20 MB；系统按文件内容识别类型。",
            "PDF, OFD, Word (.docx), Excel (.xlsx), PNG or JPG, up to 20 MB each; the type is checked from the content.",
        ));
    }
    Some(panel)
}
