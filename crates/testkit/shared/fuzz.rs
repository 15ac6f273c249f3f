//! proptest's settings for the fuzzers of every crate (each test binary that has `proptest`
//! includes this file with `#[path]`; `testkit` itself does not depend on proptest): `CASES`
//! cases (or `PROPTEST_CASES`, for a longer soak outside CI), no regression files, and a seed
//! fixed by the test day (or `PROPTEST_RNG_SEED`), so a failure comes back when the same pass
//! runs again and each pass of the suite tries other inputs.

use proptest::test_runner::{Config, RngSeed};
use std::time::Duration;

pub const CASES: u32 = 256;

pub fn config() -> Config {
    let base = Config::default();
    let day = std::env::var("TONGCHOU_TEST_TODAY").unwrap_or_default();
    let seed = day.trim().bytes().fold(0x5EED_u64, |h, b| {
        h.wrapping_mul(31).wrapping_add(u64::from(b))
    });
    Config {
        cases: match std::env::var_os("PROPTEST_CASES") {
            Some(_) => base.cases,
            None => CASES,
        },
        failure_persistence: None,
        rng_seed: match base.rng_seed {
            RngSeed::Random => RngSeed::Fixed(seed),
            fixed => fixed,
        },
        ..base
    }
}

/// How long a whole run may take before it counts as a hang: `bound` for `CASES` cases, more
/// for a longer soak.
pub fn run_bound(bound: Duration) -> Duration {
    bound * (config().cases / CASES).max(1)
}

/// The seed, for the figures.
pub fn seed() -> String {
    match config().rng_seed {
        RngSeed::Fixed(s) => format!("{s:#x}"),
        RngSeed::Random => "random".into(),
    }
}
