//! Memory of the server from /proc/PID/status. In-process (the default) the figures include
//! the load generator as well as the server and its SQLite page cache; with `--apart` they are
//! the `tongchou serve` process's alone.

/// Resident set now and its peak since start (or since the last `reset_peak`), in KiB.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rss {
    pub now_kib: u64,
    pub peak_kib: u64,
}

impl Rss {
    pub fn now_mb(self) -> f64 {
        kib_to_mb(self.now_kib)
    }

    pub fn peak_mb(self) -> f64 {
        kib_to_mb(self.peak_kib)
    }
}

/// Decimal megabytes (10^6 bytes), the unit the targets are stated in.
#[allow(clippy::cast_precision_loss)] // KiB counts are far below 2^52
fn kib_to_mb(kib: u64) -> f64 {
    kib as f64 * 1024.0 / 1e6
}

/// The server's process when it runs apart (`--apart`); unset, the server is this process.
static SERVER: std::sync::OnceLock<u32> = std::sync::OnceLock::new();

/// Measures the server in process `pid` from now on.
pub fn watch(pid: u32) {
    let _ = SERVER.set(pid);
}

/// Whether the server runs in a process of its own.
pub fn apart() -> bool {
    SERVER.get().is_some()
}

/// The proc directory of the server's process.
fn server_dir() -> String {
    SERVER
        .get()
        .map_or_else(|| "/proc/self".to_string(), |pid| format!("/proc/{pid}"))
}

/// Reads VmRSS and VmHWM of the server (this process, or the one `watch` named); zeros where
/// /proc is unavailable (not Linux), so the run goes on.
pub fn rss() -> Rss {
    let Ok(text) = std::fs::read_to_string(format!("{}/status", server_dir())) else {
        return Rss::default();
    };
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    Rss {
        now_kib: field("VmRSS:"),
        peak_kib: field("VmHWM:"),
    }
}

/// Resets VmHWM to the current RSS (Linux >= 4.0, `echo 5 > clear_refs`), so the peak
/// reported after the load is the load's, not the seeding's. Returns whether it worked.
pub fn reset_peak() -> bool {
    std::fs::write(format!("{}/clear_refs", server_dir()), "5").is_ok()
}

/// Size of the SQLite database with its WAL, in MB, when the URL names a local file.
pub fn db_size_mb(url: &str) -> Option<f64> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    let mut bytes = 0;
    for suffix in ["", "-wal", "-shm"] {
        bytes += std::fs::metadata(format!("{path}{suffix}"))
            .map(|m| m.len())
            .unwrap_or(0);
    }
    Some(kib_to_mb(bytes / 1024))
}
