//! The fault scenarios' figures and the process's peak memory, in plain std: `testkit` exports
//! them, and the test binaries of crates that do not link the kit (domain, sheets) include this
//! file with `#[path]`, so there is one copy.

use std::path::{Path, PathBuf};

/// The file the fault scenarios write their figures to: `fault-figures.txt` in the target
/// folder (the one holding the test binary's `debug/deps`, so `CARGO_TARGET_DIR` when set),
/// which `scripts/test.sh` prints at the end of its summary.
pub fn figures_file() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir)
        .join("fault-figures.txt")
}

/// Prints one line of a fault scenario's figures and appends it to [`figures_file`] (cargo
/// test hides a passing test's output), with the test day when it is not the default one.
pub fn figures(line: &str) {
    use std::io::Write;
    let line = match std::env::var("TONGCHOU_TEST_TODAY") {
        Ok(day) if !day.trim().is_empty() => format!("{line} [test day {}]", day.trim()),
        _ => line.to_string(),
    };
    eprintln!("{line}");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(figures_file());
    if let Ok(mut f) = file {
        let _ = writeln!(f, "{line}");
    }
}

/// The peak resident memory of this process so far, in kB (`VmHWM`).
pub fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
