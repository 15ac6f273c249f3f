//! The money rules a transition can carry: allocations within what is left of the approved
//! budget lines, and a new table of lines that keeps what contracts already committed (R15.1,
//! R15.2, art. 25).

use crate::ids::Money;
use crate::text::Text;

fn yuan(fen: i64) -> String {
    Money::from_fen(fen).yuan_string()
}

/// Each allocation must name a budget line and fit what is left of it: the approved amount
/// less what contracts already took (R15.1, R15.2). Raising a line takes an approved change.
pub(crate) fn within(
    rule: &crate::policy::Within,
    allocations: &str,
    budget: &[crate::decide::BudgetLine],
) -> Result<(), Text> {
    let cite = std::iter::once(&rule.article)
        .chain(&rule.also)
        .map(|a| a.cite(crate::Lang::Zh))
        .collect::<Vec<_>>()
        .join("、");
    let cite_en = std::iter::once(&rule.article)
        .chain(&rule.also)
        .map(|a| a.cite(crate::Lang::En))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = crate::table::rows(allocations);
    for (n, row) in rows.iter().enumerate() {
        let n = n + 1;
        let line = row.get("line").and_then(|v| v.parse::<usize>().ok());
        // A line named twice would let two amounts, each within what is left, pass together.
        if rows[..n - 1]
            .iter()
            .any(|r| r.get("line").and_then(|v| v.parse::<usize>().ok()) == line)
        {
            return Err(Text::new(
                format!(
                    "第 {n} 行：预算明细第 {} 行已在前面分配，请合并为一行。",
                    line.unwrap_or(0)
                ),
                format!(
                    "Row {n}: budget line {} is already allocated above; use one row.",
                    line.unwrap_or(0)
                ),
            ));
        }
        let Some(b) = line.and_then(|l| budget.iter().find(|b| b.line == l)) else {
            return Err(Text::new(
                format!(
                    "第 {n} 行：批复预算中没有这一行，请填写预算明细的行号（共 {} 行）。",
                    budget.len()
                ),
                format!(
                    "Row {n}: the approved budget has no such line ({} lines).",
                    budget.len()
                ),
            ));
        };
        let amount: i64 = row.get("amount").and_then(|v| v.parse().ok()).unwrap_or(0);
        let left = b.approved_fen - b.committed_fen;
        if amount > left {
            return Err(Text::new(
                format!(
                    "第 {n} 行：预算第 {} 行「{}」批复 {} 元，{} {} 元，剩余 {} 元；本次 {} 元超出 {} 元。{}（{cite}）。",
                    b.line,
                    b.item,
                    yuan(b.approved_fen),
                    rule.counted_as.zh,
                    yuan(b.committed_fen),
                    yuan(left),
                    yuan(amount),
                    yuan(amount - left),
                    rule.advice.zh
                ),
                format!(
                    "Row {n}: budget line {} ({}) was approved at {}, {} {}, {} is left; {} exceeds it by {}. {} ({}).",
                    b.line,
                    b.item,
                    yuan(b.approved_fen),
                    yuan(b.committed_fen),
                    rule.counted_as.en,
                    yuan(left),
                    yuan(amount),
                    yuan(amount - left),
                    rule.advice.en,
                    cite_en
                ),
            ));
        }
    }
    Ok(())
}

/// A new table of lines must keep every line at least at what is already committed to it
/// (R15.1): a change may not take back money a contract has. `committed` holds the parent's
/// lines with what the rule's items have committed.
pub(crate) fn covers(
    rule: &crate::policy::Covers,
    lines: &str,
    committed: &[crate::decide::BudgetLine],
) -> Result<(), Text> {
    let rows = crate::table::rows(lines);
    for b in committed.iter().filter(|b| b.committed_fen > 0) {
        let row = rows
            .iter()
            .find(|r| r.get("line").and_then(|v| v.parse::<usize>().ok()) == Some(b.line));
        let (zh_now, en_now) = match row {
            Some(r) => {
                let approved: i64 = r.get("approved").and_then(|v| v.parse().ok()).unwrap_or(0);
                if approved >= b.committed_fen {
                    continue;
                }
                (
                    format!("变更后核定 {} 元", yuan(approved)),
                    format!("the change sets it to {}", yuan(approved)),
                )
            }
            None => (
                "变更后删去了这一行".to_string(),
                "the change removes it".to_string(),
            ),
        };
        return Err(Text::new(
            format!(
                "预算第 {} 行「{}」已签约 {} 元，{zh_now}，低于已签约金额。请将该行调整为不低于 {} 元，或先处理相应合同后再变更（{}）。",
                b.line,
                b.item,
                yuan(b.committed_fen),
                yuan(b.committed_fen),
                rule.article.cite(crate::Lang::Zh)
            ),
            format!(
                "Budget line {} ({}) has {} contracted and {en_now}, below what is contracted. Keep the line at {} or more, or settle the contracts first ({}).",
                b.line,
                b.item,
                yuan(b.committed_fen),
                yuan(b.committed_fen),
                rule.article.cite(crate::Lang::En)
            ),
        ));
    }
    Ok(())
}
