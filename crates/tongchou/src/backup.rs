//! `tongchou backup FILE`, `tongchou backup verify FILE` and `tongchou restore FILE`
//! (issue 10 item 9; the procedure is in docs/operations.md).

use crate::cli::Common;
use anyhow::Result;
use app::backup::{BackupError, format::Header};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// `tongchou backup FILE` takes a backup; `tongchou backup verify FILE` checks one.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    pub command: Option<BackupCommand>,
    /// The backup file to write; it must not exist yet.
    #[arg(required = true)]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Subcommand)]
pub enum BackupCommand {
    /// Checks that a backup file is authentic (its header and every chunk, with the backup
    /// key) and prints its manifest; restores nothing. Exit 0 when authentic, 2 when not.
    Verify {
        file: PathBuf,
        /// The platform's key file; the backup key is beside it (`.backup`).
        #[arg(
            long,
            env = "TONGCHOU_KEY_FILE",
            default_value = "./data/platform-sm2.key"
        )]
        key_file: PathBuf,
    },
}

/// `tongchou restore FILE --db URL`: onto an empty database only.
#[derive(Args)]
pub struct RestoreArgs {
    /// The backup file.
    pub file: PathBuf,
    /// The target (`--db`) must be empty: a SQLite path that does not exist yet, or a
    /// PostgreSQL database with no tables. `--key-file` names the platform's key files as
    /// kept apart from the backups (the backup key is beside it).
    #[command(flatten)]
    pub common: Common,
}

pub async fn backup(args: BackupArgs) -> Result<ExitCode> {
    if let Some(BackupCommand::Verify { file, key_file }) = args.command {
        return match app::backup::verify_file(&file, &key_file).await {
            Ok(v) => {
                println!(
                    "authentic: {} ({} in {} chunks, every one authenticated; header SM3 {})",
                    file.display(),
                    size(v.opened.payload_bytes),
                    v.opened.chunks,
                    v.header_digest
                );
                print_manifest(&v.header);
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => refused(e),
        };
    }
    let Some(file) = args.file else {
        anyhow::bail!("name the backup file to write: tongchou backup FILE");
    };
    let operator = std::env::var("USER").unwrap_or_else(|_| "operator".into());
    let p = crate::commands::open(&args.common).await?;
    let w = app::backup::backup(&p, &operator, &file).await?;
    println!(
        "backup written: {} ({} in {} chunks, SM4-GCM; {} of database; {:.2} s)",
        w.path.display(),
        size(w.sealed.file_bytes),
        w.sealed.chunks,
        size(w.sealed.payload_bytes),
        w.took.as_secs_f64()
    );
    println!(
        "  backup key {} ({}), header SM3 {}",
        w.header.backup_key_id,
        app::backup::backup_key_path(&args.common.key_file).display(),
        w.header_digest
    );
    print_manifest(&w.header);
    println!(
        "Keep the key files ({}, .pub, .ledger, .backup) apart from the backups: a restore needs them, and no backup holds them.",
        args.common.key_file.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(args: RestoreArgs) -> Result<ExitCode> {
    let policy = crate::commands::load_policy(args.common.policy.as_deref())?;
    let r = match app::backup::restore(&args.file, &args.common.db, &args.common.key_file, &policy)
        .await
    {
        Ok(r) => r,
        Err(e) => return refused(e),
    };
    println!(
        "restored {} ({} backup of {}; {} chunks authenticated before anything was written; {:.2} s)",
        args.file.display(),
        r.header.engine,
        r.header.created_at,
        r.opened.chunks,
        r.took.as_secs_f64()
    );
    if r.differences.is_empty() {
        println!(
            "digests: all {} tables match the manifest ({} rows); ledger place {}; newest checkpoint {}",
            r.found.tables.len(),
            r.found.rows(),
            r.found.ledger.as_ref().map_or(0, |l| l.lseq),
            r.found
                .checkpoint
                .as_ref()
                .map_or_else(|| "none".to_string(), |c| c.number.to_string())
        );
    } else {
        for d in &r.differences {
            println!("DIFFERENT: {d}");
        }
    }
    println!("{}", r.report);
    Ok(if r.is_good() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// A refusal is said and exits 2; anything else is an error (exit 1).
fn refused(e: BackupError) -> Result<ExitCode> {
    match e {
        BackupError::NotEmpty(_)
        | BackupError::Unauthentic { .. }
        | BackupError::Keys(_)
        | BackupError::Refused(_) => {
            eprintln!("refused: {e}");
            Ok(ExitCode::from(2))
        }
        other => Err(other.into()),
    }
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20))
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

fn print_manifest(h: &Header) {
    let m = &h.manifest;
    println!("  {} ({}), taken {}", h.engine, h.payload, h.created_at);
    match &m.ledger {
        Some(l) => println!("  ledger place {} (lhash {})", l.lseq, l.lhash),
        None => println!("  no ledger"),
    }
    match &m.checkpoint {
        Some(c) => println!("  newest checkpoint {} (digest {})", c.number, c.digest),
        None => println!("  no signed checkpoint yet"),
    }
    println!(
        "  {} tables, {} rows (kept files: {}):",
        m.tables.len(),
        m.rows(),
        m.table("files").map_or(0, |t| t.rows)
    );
    for t in &m.tables {
        println!("    {:<22} {:>8}  {}", t.name, t.rows, t.digest);
    }
    for a in &m.not_digested {
        println!("  not digested: {} ({})", a.name, a.reason);
    }
    for a in &m.rows_not_kept {
        println!("  rows not kept: {} ({})", a.name, a.reason);
    }
}
