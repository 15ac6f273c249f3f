//! Turns runs into rows (requests, errors, rates, p50/p99) and prints them as Markdown,
//! with the targets beside the rows they apply to.

use crate::load::{Op, Outcome};

/// One measured run.
#[derive(Debug, Clone)]
pub struct Row {
    pub op: &'static str,
    pub c: usize,
    pub requests: usize,
    pub errors: u64,
    pub secs: f64,
    /// All requests per second, errors included.
    pub rps: f64,
    /// Successful (2xx) requests per second.
    pub ok_rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub note: String,
}

/// The reads that must stay under 10 ms as the record grows (issue 12): the workbench, every
/// list filter and search, one at a time (c=1: the time a person waits).
const READS: &[&str] = &[
    "list 25",
    "all states 25",
    "workbench 25",
    "done 25",
    "search word",
    "search rare",
];

/// The writers run is a submit run of its own, named apart so its target is checked alone.
pub const WRITERS: &str = "writers (submit)";

#[allow(clippy::cast_precision_loss)] // request counts are far below 2^52
pub fn row(name: &'static str, c: usize, out: &Outcome) -> Row {
    let mut lat = out.latencies_us.clone();
    lat.sort_unstable();
    let requests = lat.len();
    let secs = out.elapsed.as_secs_f64().max(1e-9);
    let ok = requests as f64 - out.errors as f64;
    let mut note = String::new();
    if out.exhausted {
        note.push_str("ran out of submitted demands; ");
    }
    if let Some(e) = &out.first_error {
        note.push_str(&format!(
            "first error: {}",
            e.replace('|', "/").replace('\n', " ")
        ));
    }
    Row {
        op: name,
        c,
        requests,
        errors: out.errors,
        secs,
        rps: requests as f64 / secs,
        ok_rps: ok / secs,
        p50_ms: percentile(&lat, 0.50),
        p99_ms: percentile(&lat, 0.99),
        note,
    }
}

pub fn op_row(op: Op, c: usize, out: &Outcome) -> Row {
    row(op.name(), c, out)
}

/// Nearest-rank percentile of sorted microseconds, in milliseconds.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
fn percentile(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    f64::from(sorted[rank - 1]) / 1000.0
}

/// The target a row is judged by, if any, and whether it is met.
fn target(r: &Row) -> Option<(&'static str, bool)> {
    match (r.op, r.c) {
        ("list 25", 8) => Some((
            "≥ 5,000 req/s and p99 < 20 ms",
            r.errors == 0 && r.rps >= 5_000.0 && r.p99_ms < 20.0,
        )),
        ("transition", 32) => Some(("≥ 1,000 durable/s", r.ok_rps >= 1_000.0)),
        (op, 1) if READS.contains(&op) => Some((
            "p50 and p99 < 10 ms",
            r.errors == 0 && r.requests > 0 && r.p99_ms < 10.0,
        )),
        (WRITERS, _) => Some(("0 errors", r.errors == 0 && r.requests > 0)),
        _ => None,
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

/// One line per run as it finishes, so a long run shows progress.
pub fn line(r: &Row) -> String {
    format!(
        "{:<17} c={:<3} {:>8} req {:>6} err in {:>5.1} s {:>9.1} req/s {:>9.1} ok/s  p50 {:>7.2} ms  p99 {:>7.2} ms  {}",
        r.op, r.c, r.requests, r.errors, r.secs, r.rps, r.ok_rps, r.p50_ms, r.p99_ms, r.note
    )
}

/// The results table, targets beside the rows they apply to.
pub fn markdown(rows: &[Row]) -> String {
    let mut s = String::from(
        "| operation | c | requests | errors | req/s | ok/s | p50 ms | p99 ms | target | verdict |\n|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n",
    );
    for r in rows {
        let (t, v) = target(r).map_or(("", ""), |(t, ok)| (t, verdict(ok)));
        s.push_str(&format!(
            "| {} | {} | {} | {} | {:.1} | {:.1} | {:.2} | {:.2} | {t} | {v} |\n",
            r.op, r.c, r.requests, r.errors, r.rps, r.ok_rps, r.p50_ms, r.p99_ms
        ));
    }
    s
}

/// The targets as a checklist, including memory; rows missing from the run are said so.
pub fn targets(rows: &[Row], peak_rss_mb: f64) -> String {
    let mut s = String::from("| target | measured | verdict |\n|---|---|---|\n");
    let find = |op: &str, c: Option<usize>| {
        rows.iter()
            .find(|r| r.op == op && c.is_none_or(|c| r.c == c))
    };
    match find("list 25", Some(8)) {
        Some(r) => s.push_str(&format!(
            "| list ≥ 5,000 req/s with p99 < 20 ms at c=8 | {:.0} req/s, p99 {:.2} ms | {} |\n",
            r.rps,
            r.p99_ms,
            verdict(target(r).is_some_and(|t| t.1))
        )),
        None => s.push_str("| list ≥ 5,000 req/s with p99 < 20 ms at c=8 | not run (c=8 not in --concurrency) | - |\n"),
    }
    match find("transition", Some(32)) {
        Some(r) => s.push_str(&format!(
            "| durable transitions ≥ 1,000/s at c=32 | {:.0} ok/s | {} |\n",
            r.ok_rps,
            verdict(target(r).is_some_and(|t| t.1))
        )),
        None => s.push_str(
            "| durable transitions ≥ 1,000/s at c=32 | not run (c=32 not in --concurrency) | - |\n",
        ),
    }
    for op in READS {
        match find(op, Some(1)) {
            Some(r) => s.push_str(&format!(
                "| {op} p99 < 10 ms at c=1 | p50 {:.2} ms, p99 {:.2} ms | {} |\n",
                r.p50_ms,
                r.p99_ms,
                verdict(target(r).is_some_and(|t| t.1))
            )),
            None => s.push_str(&format!("| {op} p99 < 10 ms at c=1 | not run | - |\n")),
        }
    }
    s.push_str(&format!(
        "| RSS ≤ 60 MB (peak during load, whole process) | {peak_rss_mb:.1} MB | {} |\n",
        verdict(peak_rss_mb > 0.0 && peak_rss_mb <= 60.0)
    ));
    match find(WRITERS, None) {
        Some(r) => s.push_str(&format!(
            "| zero errors with {} concurrent writers | {} errors of {} | {} |\n",
            r.c,
            r.errors,
            r.requests,
            verdict(target(r).is_some_and(|t| t.1))
        )),
        None => s.push_str("| zero errors with 32 concurrent writers | not run | - |\n"),
    }
    s
}
