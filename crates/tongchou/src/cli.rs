//! Command-line arguments: flags override environment variables, which override defaults.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "tongchou",
    version,
    about = "统筹 · the digital-government project platform"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone)]
pub struct Common {
    /// Database URL: sqlite://PATH (default) or postgres://...
    #[arg(
        long,
        env = "TONGCHOU_DB",
        default_value = "sqlite://./data/tongchou.db"
    )]
    pub db: String,
    /// The platform's SM2 key file (created with 0600 on first start; keep it out of backups of the database).
    #[arg(
        long,
        env = "TONGCHOU_KEY_FILE",
        default_value = "./data/platform-sm2.key"
    )]
    pub key_file: PathBuf,
    /// The policy: a folder with its policy.toml and parts, or a single file; the shipped
    /// measures when not given.
    #[arg(long, env = "TONGCHOU_POLICY")]
    pub policy: Option<PathBuf>,
    /// PBKDF2-HMAC-SM3 iterations for new password hashes; at least 100000 (SECURITY.md).
    #[arg(
        long,
        env = "TONGCHOU_PASSWORD_ITERATIONS",
        default_value_t = 100_000,
        value_parser = iterations
    )]
    pub password_iterations: u32,
    /// Days a password may be used before its holder must choose a new one (SECURITY.md:
    /// maximum age configurable, default 90).
    #[arg(long, env = "TONGCHOU_PASSWORD_MAX_DAYS", default_value_t = 90, value_parser = clap::value_parser!(i64).range(1..=3650))]
    pub password_max_days: i64,
    /// Extra holiday years (same format as calendar/cn-holidays.toml), added to the shipped table:
    /// how an operator adds a year's State Council notice without a release.
    #[arg(long, env = "TONGCHOU_HOLIDAYS")]
    pub holidays: Option<PathBuf>,
    /// A file outside the database's directory (or a pipe to syslog) to which every new signed
    /// checkpoint is appended as one line: kept elsewhere, it proves later that the database
    /// still holds everything up to it (`audit verify --anchor`).
    #[arg(long, env = "TONGCHOU_ANCHOR_FILE")]
    pub anchor_file: Option<PathBuf>,
    /// The 发文机关标志 (red letterhead) of the documents the platform issues, e.g.
    /// "南阳市政务服务和大数据管理局文件"; default: the issuing organ's name followed by 文件.
    #[arg(long, env = "TONGCHOU_MASTHEAD")]
    pub masthead: Option<String>,
    /// The 印发机关 of their 版记, e.g. "南阳市政务服务和大数据管理局办公室"; default: the
    /// issuing organ's name followed by 办公室.
    #[arg(long, env = "TONGCHOU_PRINTED_BY")]
    pub printed_by: Option<String>,
}

/// The floor of `--password-iterations`: fewer would make a stolen hash cheap to guess.
fn iterations(s: &str) -> Result<u32, String> {
    let floor = app::identity::MIN_PASSWORD_ITERATIONS;
    let n: u32 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a number of iterations"))?;
    if n < floor {
        return Err(format!(
            "{n} is below the floor of {floor} iterations for PBKDF2-HMAC-SM3 (SECURITY.md); 密码散列迭代次数不得少于 {floor}"
        ));
    }
    Ok(n)
}

/// At least one per minute: a limit of zero would refuse everything.
fn per_minute(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "`{s}` is not a number of requests per minute (1 or more)"
        )),
    }
}

fn seconds(s: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(n) if (1..=3600).contains(&n) => Ok(n),
        _ => Err(format!("`{s}` is not a number of seconds from 1 to 3600")),
    }
}

/// The server's edges: limits, trusted proxies, timeouts (docs/security.md, "Edges").
#[derive(Args, Clone)]
pub struct EdgeArgs {
    /// The largest file an upload may carry, in MB, for attachments and the import workbook
    /// (SECURITY.md allows 200; each upload in flight holds its file in memory).
    #[arg(long, env = "TONGCHOU_MAX_UPLOAD_MB", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=200))]
    pub max_upload_mb: u32,
    /// The largest body of any other form or API request, in KB.
    #[arg(long, env = "TONGCHOU_MAX_FORM_KB", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(16..=16384))]
    pub max_form_kb: u32,
    /// A reverse proxy whose X-Forwarded-For is believed (an address or a network, e.g.
    /// 10.0.0.5 or 10.0.0.0/24); repeat for several. Without one, the peer's address is the
    /// source of every request.
    #[arg(
        long = "trusted-proxy",
        env = "TONGCHOU_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<web::edges::Net>,
    /// An origin pages may be posted from besides the request's own Host (e.g.
    /// https://tongchou.example.gov.cn when a proxy rewrites Host); repeat for several.
    #[arg(
        long = "public-origin",
        env = "TONGCHOU_PUBLIC_ORIGINS",
        value_delimiter = ','
    )]
    pub public_origins: Vec<String>,
    /// Logins per minute from one source address.
    #[arg(long, env = "TONGCHOU_LOGIN_RATE_PER_ADDRESS", default_value_t = 10, value_parser = per_minute)]
    pub login_rate_per_address: u32,
    /// Logins per minute for one username (the lockout rule holds besides).
    #[arg(long, env = "TONGCHOU_LOGIN_RATE_PER_ACCOUNT", default_value_t = 5, value_parser = per_minute)]
    pub login_rate_per_account: u32,
    /// API requests per minute with one bearer token.
    #[arg(long, env = "TONGCHOU_API_RATE_PER_TOKEN", default_value_t = 600, value_parser = per_minute)]
    pub api_rate_per_token: u32,
    /// Seconds a client may take to send a request's headers (and may stay idle between
    /// requests on a kept-alive connection).
    #[arg(long, env = "TONGCHOU_HEADER_TIMEOUT", default_value_t = 10, value_parser = seconds)]
    pub header_timeout_seconds: u64,
    /// Seconds one request may take, its body included.
    #[arg(long, env = "TONGCHOU_REQUEST_TIMEOUT", default_value_t = 60, value_parser = seconds)]
    pub request_timeout_seconds: u64,
    /// At SIGTERM, seconds requests in flight may still take before the server exits anyway.
    #[arg(long, env = "TONGCHOU_DRAIN", default_value_t = 10, value_parser = seconds)]
    pub drain_seconds: u64,
}

impl EdgeArgs {
    pub fn edges(&self) -> web::Edges {
        use std::time::Duration;
        web::Edges {
            upload_bytes: self.max_upload_mb as usize * 1024 * 1024,
            form_bytes: self.max_form_kb as usize * 1024,
            trusted_proxies: self.trusted_proxies.clone(),
            public_origins: self.public_origins.clone(),
            login_per_address: Some(self.login_rate_per_address),
            login_per_account: Some(self.login_rate_per_account),
            api_per_token: Some(self.api_rate_per_token),
            header_timeout: Duration::from_secs(self.header_timeout_seconds),
            request_timeout: Duration::from_secs(self.request_timeout_seconds),
            drain: Duration::from_secs(self.drain_seconds),
            ..web::Edges::default()
        }
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Runs the web UI and the JSON API.
    Serve {
        #[command(flatten)]
        common: Common,
        /// Address to listen on.
        #[arg(long, env = "TONGCHOU_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Seeds the demo city on an empty database and prints the logins.
        #[arg(long)]
        demo: bool,
        /// Minutes between signed checkpoints of the ledger (when something was recorded).
        #[arg(long, default_value_t = 1)]
        checkpoint_minutes: u64,
        #[command(flatten)]
        edges: EdgeArgs,
    },
    /// The policy: check a folder, explain an article.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// The tamper-evident record.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The platform's keys.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// The working-day calendar.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// User accounts (operators).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Backups: a consistent snapshot, encrypted and authenticated (docs/operations.md).
    Backup(crate::backup::BackupArgs),
    /// Restores a backup onto an empty database, then checks its digests and its record.
    Restore(crate::backup::RestoreArgs),
}

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Replaces the signing key (stop the server first): the new public key is added to the
    /// .pub file, old checkpoints keep verifying, the rotation is recorded and signed.
    Rotate {
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// Checks a holiday file and lists the years the platform would know with it.
    Check { file: Option<PathBuf> },
    /// Reads a State Council holiday notice as published (国务院办公厅关于YYYY年部分节假日安排的
    /// 通知), shows the table it read and, once confirmed, writes the year into a holiday file.
    Import {
        /// The notice as a text file.
        notice: PathBuf,
        /// The operator's holiday file (the one `--holidays` reads); created if missing. Without
        /// it, the year's section is printed instead.
        #[arg(long, env = "TONGCHOU_HOLIDAYS")]
        write: Option<PathBuf>,
        /// Writes without asking.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Loads and validates a policy (a folder with its policy.toml and parts, or a single
    /// file) and prints a summary.
    Check { path: PathBuf },
    /// What the policy makes of an article: its heading and status, and every organisation
    /// kind, duty, rule, guard and step citing it, with who may take each step.
    Explain {
        /// An article (14) or one of its paragraphs (13.2).
        article: String,
        /// zh (default) or en.
        #[arg(long, default_value = "zh")]
        lang: String,
        /// The policy folder or file; the shipped measures when not given.
        #[arg(long, env = "TONGCHOU_POLICY")]
        policy: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Verifies the ledger, every event chain, every signed checkpoint, every signature, item
    /// and kept file, naming every breach; exit 0 when intact, 2 when not.
    Verify {
        #[command(flatten)]
        common: Common,
        /// An anchor kept outside the database (a file of checkpoint lines; the last is used).
        #[arg(long)]
        anchor: Option<PathBuf>,
        /// Checks an auditor's package (the zip Audit exports) offline instead of a database:
        /// every file's SM3, every chain, and the platform's signature of the manifest.
        #[arg(long)]
        package: Option<PathBuf>,
        /// With --package: the platform's public key (hex) as the auditor holds it; the
        /// package must name it.
        #[arg(long, requires = "package")]
        public_key: Option<String>,
    },
    /// Signs a checkpoint of the ledger's head now.
    Checkpoint {
        #[command(flatten)]
        common: Common,
    },
    /// Prints the newest signed checkpoint as one line, to be kept outside the database.
    Anchor {
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Adds an account; the password is read from TONGCHOU_NEW_PASSWORD or standard input.
    Add {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        username: String,
        /// The person's name as shown (e.g. 张明).
        #[arg(long)]
        name: String,
        /// Organisation code (e.g. zrzy).
        #[arg(long)]
        org: String,
        /// Role id from the policy (e.g. demand_clerk).
        #[arg(long)]
        role: String,
    },
    /// Sets a new password (from TONGCHOU_NEW_PASSWORD or standard input) and ends the user's sessions.
    Passwd {
        #[command(flatten)]
        common: Common,
        username: String,
    },
    /// Locks an account and ends its sessions.
    Lock {
        #[command(flatten)]
        common: Common,
        username: String,
    },
    /// Unlocks an account and clears its failed attempts.
    Unlock {
        #[command(flatten)]
        common: Common,
        username: String,
    },
}
