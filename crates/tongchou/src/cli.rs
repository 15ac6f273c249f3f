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
    /// PBKDF2-HMAC-SM3 iterations for new password hashes.
    #[arg(long, env = "TONGCHOU_PASSWORD_ITERATIONS", default_value_t = 100_000)]
    pub password_iterations: u32,
    /// Extra holiday years (same format as calendar/cn-holidays.toml), added to the shipped table:
    /// how an operator adds a year's State Council notice without a release.
    #[arg(long, env = "TONGCHOU_HOLIDAYS")]
    pub holidays: Option<PathBuf>,
    /// A file outside the database's directory (or a pipe to syslog) to which every new signed
    /// checkpoint is appended as one line: kept elsewhere, it proves later that the database
    /// still holds everything up to it (`audit verify --anchor`).
    #[arg(long, env = "TONGCHOU_ANCHOR_FILE")]
    pub anchor_file: Option<PathBuf>,
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
