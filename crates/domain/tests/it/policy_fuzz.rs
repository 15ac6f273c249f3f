//! The policy loader on mutated copies of the shipped policy (SECURITY.md, fault scenarios;
//! issue 10, item 11): lines dropped, doubled, swapped or cut, values swapped for other ids
//! of the policy or for nonsense, tables and keys inserted. Each copy loads or is refused with
//! an error naming where: no panic, no hang, and the process's memory stays bounded.

use crate::shipped_files;
use domain::Policy;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use std::time::{Duration, Instant};
#[path = "../../../testkit/shared/fuzz.rs"]
mod fuzz_settings;
use fuzz_settings::{config, run_bound, seed};
#[path = "../../../testkit/shared/figures.rs"]
mod shared_figures;
use shared_figures::{figures, peak_rss_kb};

const RUN_BOUND: Duration = Duration::from_secs(120);

/// The test process's peak resident memory after the run (all of the binary's tests).
const RSS_BOUND_KB: u64 = 256 * 1024;

/// Lines a mutation may insert: tables and keys the loader knows, with values that are
/// wrong in some way.
const LINES: &[&str] = &[
    "[[kind]]",
    "[[kind.transition]]",
    "[[kind.field]]",
    "[[kind.state]]",
    "[[role]]",
    "[[rule]]",
    "[[org_kind]]",
    "[[article]]",
    "[[chapter]]",
    "[policy]",
    "id = \"\"",
    "id = \"demand\"",
    "id = \"submit\"",
    "from = [\"nowhere\"]",
    "from = []",
    "to = \"draft\"",
    "to = \"\"",
    "roles = []",
    "roles = [\"datacenter_analyst\", \"datacenter_analyst\"]",
    "rules = [\"no_such_rule\"]",
    "guards = [\"no_such_guard\"]",
    "distinct_from = [\"start_analysis\"]",
    "inputs = [\"no_such_field\"]",
    "required = [\"title\", \"title\"]",
    "article = \"99.9\"",
    "article = \"\"",
    "article = \"13.2.1.4\"",
    "deadline_days = -5",
    "deadline_days = 99999999999999999999",
    "min = 10\nmax = 1",
    "max = 0",
    "type = \"no_such_type\"",
    "type = \"table\"",
    "product = [\"quantity\", \"quantity\"]",
    "sum_into = \"title\"",
    "one_of = \"milestones.name\"",
    "parts = [\"../../../etc/passwd\"]",
    "parts = [\"policy.toml\"]",
    "window = { kind = \"demand\", states = [], field = \"title\" }",
    "requires = [{ field = \"campaign\", states = [\"nowhere\"] }]",
    "forbid = { field = \"secrecy\", values = [] }",
    "within = { table = \"allocation\", budget = \"baseline\", counted = [] }",
    "countersign = [\"no_role\"]",
    "effect = { action = \"apply_change\", on = \"no_field\" }",
    "sets = { opinion = \"nowhere\" }",
    "cuts = \"budget_lines\"",
    "draw = \"experts\"",
    "sign = [\"no_field\"]",
    "document = \"no_document\"",
    "status = \"not yet\"",
    "status = \"modelled\"",
    "x = \"\\u0000\"",
    "\u{feff}id = \"bom\"",
    "= \"no key\"",
    "[[kind",
    "\"unterminated",
    "a.b.c.d.e.f.g.h = 1",
];

/// One change to a part's text, on whole lines or characters so the text stays UTF-8.
#[derive(Debug, Clone)]
enum Edit {
    Drop(usize),
    Double(usize),
    Swap(usize, usize),
    Insert(usize, usize),
    /// The line's first quoted value replaced by the quoted value of another line.
    Borrow(usize, usize),
    /// A character of the line replaced by one of `=[]{}",.#` or a letter.
    Char(usize, usize, usize),
    /// The text cut after this many lines.
    Short(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Drop),
        any::<usize>().prop_map(Edit::Double),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Swap(a, b)),
        (any::<usize>(), 0..LINES.len()).prop_map(|(at, l)| Edit::Insert(at, l)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Borrow(a, b)),
        (any::<usize>(), any::<usize>(), any::<usize>()).prop_map(|(l, c, w)| Edit::Char(l, c, w)),
        any::<usize>().prop_map(Edit::Short),
    ]
}

fn quoted(line: &str) -> Option<(usize, usize)> {
    let start = line.find('"')?;
    let len = line[start + 1..].find('"')?;
    Some((start, start + len + 2))
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for e in edits {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        match e {
            Edit::Drop(at) => {
                lines.remove(at % n);
            }
            Edit::Double(at) => {
                let line = lines[at % n].clone();
                lines.insert(at % n, line);
            }
            Edit::Swap(a, b) => lines.swap(a % n, b % n),
            Edit::Insert(at, l) => lines.insert(at % (n + 1), LINES[*l].to_string()),
            Edit::Borrow(to, from) => {
                let from = &lines[from % n];
                let value = quoted(from).map(|(s, e)| from[s..e].to_string());
                if let (Some(value), Some((s, e))) = (value, quoted(&lines[to % n])) {
                    lines[to % n].replace_range(s..e, &value);
                }
            }
            Edit::Char(l, c, w) => {
                const WITH: &[char] = &['=', '[', ']', '{', '}', '"', ',', '.', '#', 'x', ' '];
                let line = &mut lines[l % n];
                let count = line.chars().count();
                if count > 0 {
                    let i = c % count;
                    *line = line
                        .chars()
                        .enumerate()
                        .map(|(j, ch)| if j == i { WITH[w % WITH.len()] } else { ch })
                        .collect();
                }
            }
            Edit::Short(at) => lines.truncate(at % n),
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

#[test]
fn rx2_mutated_copies_of_the_shipped_policy_load_or_are_refused_without_panic_or_hang() {
    let started = Instant::now();
    let files = shipped_files();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(|| {
            let counts = std::cell::Cell::new((0usize, 0usize, Duration::ZERO));
            let strategy = (0..files.len(), proptest::collection::vec(edit(), 1..6));
            let mut runner = TestRunner::new(config());
            runner
                .run(&strategy, |(part, edits)| {
                    let mut copy = files.clone();
                    copy[part].1 = apply(&copy[part].1, &edits);
                    let t = Instant::now();
                    let loaded = Policy::from_sources("policy/nanyang-2025", &copy);
                    let took = t.elapsed();
                    if let Err(e) = &loaded {
                        prop_assert!(!e.to_string().is_empty(), "an error says what");
                    }
                    let (n, ok, slowest) = counts.get();
                    counts.set((n + 1, ok + usize::from(loaded.is_ok()), slowest.max(took)));
                    Ok(())
                })
                .unwrap();
            counts.get()
        });
        let _ = tx.send(outcome);
    });
    let (cases, loaded, slowest) = match rx.recv_timeout(run_bound(RUN_BOUND)) {
        Ok(Ok(counts)) => counts,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => panic!(
            "the loader still runs after {:?}: a hang",
            run_bound(RUN_BOUND)
        ),
    };
    let rss = peak_rss_kb();
    assert!(
        rss < RSS_BOUND_KB,
        "the test process peaked at {} MB",
        rss / 1024
    );
    figures(&format!(
        "fuzz [Policy::from_sources]: {cases} mutated copies of the shipped policy, {loaded} \
         loaded, the rest refused with an error; no panic; slowest load {} ms; process peak \
         RSS {} MB (bound {} MB); {:.1} s; seed {}",
        slowest.as_millis(),
        rss / 1024,
        RSS_BOUND_KB / 1024,
        started.elapsed().as_secs_f64(),
        seed()
    ));
}
