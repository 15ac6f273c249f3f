//! The random draw of reviewers for an FSR's expert review (R14.2): from the experts in the
//! registry, excluding anyone employed by the report's author or by a vendor of the project
//! (回避), N are drawn with the operating system's random source. Who was drawn and who was
//! excluded, with why, go into the step's record, so the draw can be shown to an auditor.

use crate::AppError;
use crate::contract::ids;
use crate::steps::{BoxFut, Drawer};
use domain::{Denied, FieldError, Input, Text};
use store::Conn;
use store::items::{Filter, ItemRow};

/// An expert in the registry as the draw sees them.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub number: String,
    pub name: String,
    pub employer: String,
    pub employer_code: String,
}

/// A unit whose experts may not review this report, and why.
#[derive(Debug, Clone)]
pub struct Conflict {
    pub name: String,
    pub credit_code: String,
    pub why: &'static str,
}

/// Splits the registry into those who may be drawn and those excluded (with the reason).
pub fn screen(candidates: Vec<Candidate>, conflicts: &[Conflict]) -> (Vec<Candidate>, Vec<String>) {
    let mut eligible = Vec::new();
    let mut excluded = Vec::new();
    for c in candidates {
        let hit = conflicts.iter().find(|k| {
            let same_name = !k.name.trim().is_empty() && k.name.trim() == c.employer.trim();
            let same_code = !k.credit_code.trim().is_empty()
                && k.credit_code
                    .trim()
                    .eq_ignore_ascii_case(c.employer_code.trim());
            same_name || same_code
        });
        match hit {
            // Numbers only: the report and its record are read by the Company, which must not
            // learn who is in the registry.
            Some(k) => excluded.push(format!("{}：{}", c.number, k.why)),
            None => eligible.push(c),
        }
    }
    (eligible, excluded)
}

/// `n` of the candidates, chosen uniformly at random (Fisher-Yates on OS randomness).
pub fn choose(mut pool: Vec<Candidate>, n: usize) -> Result<Vec<Candidate>, AppError> {
    for i in (1..pool.len()).rev() {
        let r: [u8; 8] = crypto::random_bytes().map_err(|e| AppError::Startup(e.to_string()))?;
        let j = usize::try_from(u64::from_le_bytes(r) % (i as u64 + 1)).unwrap_or(0);
        pool.swap(i, j);
    }
    pool.truncate(n);
    pool.sort_by(|a, b| a.number.cmp(&b.number));
    Ok(pool)
}

async fn registry(c: &mut Conn) -> Result<Vec<Candidate>, AppError> {
    let f = Filter {
        kind: ids::EXPERT.into(),
        states: vec![ids::EXPERT_ACTIVE.into()],
        page: 1,
        per_page: 10_000,
        ..Filter::default()
    };
    Ok(store::items::list(c, &f)
        .await?
        .into_iter()
        .map(|r| Candidate {
            name: r.item.field("name").to_string(),
            employer: r.item.field("employer").to_string(),
            employer_code: r.item.field("employer_code").to_string(),
            number: r.number,
        })
        .collect())
}

/// Why an expert stays out, as the record keeps it (in Chinese, the record's language) and in
/// English for a reader who reads English (issue 12, point 10).
pub const REASONS: [(&str, &str); 2] = [
    (
        "与报告编制单位为同一单位，回避",
        "works for the unit that wrote the report: excluded",
    ),
    (
        "与本项目参建单位为同一单位，回避",
        "works for one of the project's vendors: excluded",
    ),
];

/// A recorded reason in the reader's words; one the platform does not know stays as recorded.
pub fn reason(why: &str) -> Text {
    REASONS
        .iter()
        .find(|(zh, _)| *zh == why)
        .map_or_else(|| Text::new(why, why), |(zh, en)| Text::new(*zh, *en))
}

/// The units whose experts must stay out: the report's author and the project's vendors.
async fn conflicts(c: &mut Conn, fsr: &ItemRow) -> Result<Vec<Conflict>, AppError> {
    let mut out = Vec::new();
    if let Some(author) = store::orgs::all(c)
        .await?
        .into_iter()
        .find(|o| o.id == fsr.item.owner_org)
    {
        out.push(Conflict {
            name: author.name_zh,
            credit_code: String::new(),
            why: REASONS[0].0,
        });
    }
    // The vendors of the project: the report's compiler, and every bidder and winner of its
    // procurements so far.
    let mut vendors: Vec<String> = vec![fsr.item.field("compiled_by").to_string()];
    let f = Filter {
        kind: ids::PROCUREMENT.into(),
        parent: Some(fsr.item.field("project").to_string()),
        page: 1,
        per_page: 1_000,
        ..Filter::default()
    };
    for buy in store::items::list(c, &f).await? {
        vendors.extend(buy.item.field("bidders").split(',').map(str::to_string));
        vendors.push(buy.item.field("winner").to_string());
    }
    vendors.retain(|v| !v.trim().is_empty());
    vendors.sort();
    vendors.dedup();
    for number in vendors {
        if let Some(v) = store::items::get_by_number(c, &number).await? {
            out.push(Conflict {
                name: v.item.field("name").to_string(),
                credit_code: v.item.field("credit_code").to_string(),
                why: REASONS[1].0,
            });
        }
    }
    Ok(out)
}

fn too_few(eligible: usize, excluded: usize, wanted: usize) -> AppError {
    let text = Text::new(
        format!(
            "专家库中可参加本项目评审的专家只有 {eligible} 名（另有 {excluded} 名回避），少于抽取人数 {wanted} 名。"
        ),
        format!(
            "Only {eligible} experts may review this project ({excluded} excluded for conflicts); {wanted} were asked for."
        ),
    );
    AppError::Denied(Denied {
        reason: text.clone(),
        article: domain::Article::parse("14"),
        fields: vec![FieldError {
            field: "expert_count".into(),
            message: text,
        }],
    })
}

/// The review experts for an FSR (`draw = "experts"`): `expert_count` of the registry, none
/// of them employed by the author or a vendor of the project; the draw and the excluded (with
/// why) become the step's `drawn_experts` and `excluded_experts`.
pub struct Experts;

impl Drawer for Experts {
    fn name(&self) -> &'static str {
        "experts"
    }

    fn fields(&self) -> &'static [&'static str] {
        &[
            "expert_count",
            "drawn_experts",
            "excluded_experts",
            "compiled_by",
            "project",
        ]
    }

    fn draw<'c>(
        &'c self,
        c: &'c mut Conn,
        row: &'c ItemRow,
        input: &'c Input,
    ) -> BoxFut<'c, Result<Input, AppError>> {
        Box::pin(async move {
            let mut system = Input::new();
            let Some(n) = input
                .get("expert_count")
                .and_then(|v| v.trim().parse::<usize>().ok())
            else {
                return Ok(system);
            };
            let (eligible, excluded) = screen(registry(c).await?, &conflicts(c, row).await?);
            if (3..=15).contains(&n) && eligible.len() < n {
                return Err(too_few(eligible.len(), excluded.len(), n));
            }
            let drawn = choose(eligible, n)?;
            system.insert(
                "drawn_experts".into(),
                drawn
                    .iter()
                    .map(|d| d.number.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            );
            system.insert("excluded_experts".into(), excluded.join("\n"));
            Ok(system)
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn expert(n: u32, employer: &str, code: &str) -> Candidate {
        Candidate {
            number: format!("ZK-2026-{n:04}"),
            name: format!("专家{n}"),
            employer: employer.into(),
            employer_code: code.into(),
        }
    }

    #[test]
    fn r14_2_experts_of_the_author_or_a_vendor_are_excluded_by_name_or_credit_code() {
        let conflicts = [
            Conflict {
                name: "市数字公司".into(),
                credit_code: String::new(),
                why: "编制单位",
            },
            Conflict {
                name: "某设计院".into(),
                credit_code: "91411300MA000000XX".into(),
                why: "参建单位",
            },
        ];
        let (ok, out) = screen(
            vec![
                expert(1, "郑州大学", ""),
                expert(2, "市数字公司", ""),
                expert(3, "某设计院（南阳分院）", "91411300ma000000xx"),
            ],
            &conflicts,
        );
        assert_eq!(ok.len(), 1);
        assert_eq!(out.len(), 2);
        assert!(out[0].contains("ZK-2026-0002") && out[0].contains("编制单位"));
        assert!(out[1].contains("ZK-2026-0003") && out[1].contains("参建单位"));
        assert!(
            !out.iter().any(|o| o.contains("专家")),
            "no names in the record"
        );
    }

    #[test]
    fn r14_2_a_draw_takes_n_distinct_experts_and_varies() {
        let pool: Vec<Candidate> = (1..=12).map(|n| expert(n, "大学", "")).collect();
        let a = choose(pool.clone(), 5).unwrap();
        assert_eq!(a.len(), 5);
        let mut numbers: Vec<&str> = a.iter().map(|c| c.number.as_str()).collect();
        numbers.dedup();
        assert_eq!(numbers.len(), 5);
        // 20 draws of 5 from 12 all alike would mean no randomness (odds about 1e-50).
        let first: Vec<String> = a.iter().map(|c| c.number.clone()).collect();
        let varies = (0..20).any(|_| {
            choose(pool.clone(), 5)
                .unwrap()
                .iter()
                .map(|c| c.number.clone())
                .collect::<Vec<_>>()
                != first
        });
        assert!(varies);
    }
}
