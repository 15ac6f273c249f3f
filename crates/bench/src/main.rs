//! tongchou-bench: seeds N demands into a fresh database, serves it in-process and drives the
//! JSON API over loopback (list, submit, transition at several concurrencies), then prints
//! the figures beside the targets. A program that prints numbers, not a test.

mod apart;
mod load;
mod mem;
mod registry;
mod seed;
mod stats;

use anyhow::{Context, Result};
use clap::Parser;
use load::{Op, Target};
use stats::Row;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// The same allocator as the `tongchou` binary, so the in-process server is measured as shipped.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::runtime::{Builder, Runtime};

#[derive(Parser, Debug)]
#[command(
    name = "tongchou-bench",
    version,
    about = "Seeds demands, serves them in-process and measures the JSON API over loopback."
)]
struct Args {
    /// Demands to seed before the load.
    #[arg(long, default_value_t = 100_000)]
    demands: usize,
    /// Seconds per run.
    #[arg(long, default_value_t = 15)]
    seconds: u64,
    /// Short runs (3 s each), for a smoke test.
    #[arg(long)]
    quick: bool,
    /// Database URL (sqlite://... or postgres://...); default: a fresh SQLite file in a temp dir.
    #[arg(long)]
    db: Option<String>,
    /// Concurrencies to drive each operation at.
    #[arg(long, value_delimiter = ',', default_value = "1,8,32")]
    concurrency: Vec<usize>,
    /// Seeding tasks in flight (the writer groups what is waiting into one transaction).
    #[arg(long, default_value_t = 64)]
    seed_tasks: usize,
    /// Concurrent clients of the writers run.
    #[arg(long, default_value_t = 32)]
    writers: usize,
    /// Worker threads of the server's runtime (the load generator has two of its own).
    #[arg(long, default_value_t = 2)]
    server_threads: usize,
    /// Systems to seed for the registry runs (issue 13); 0 leaves them out.
    #[arg(long, default_value_t = 0)]
    systems: usize,
    /// Tickets to seed over those systems.
    #[arg(long, default_value_t = 0)]
    tickets: usize,
    /// Keep the temporary database after the run.
    #[arg(long)]
    keep: bool,
    /// Serve from this `tongchou` binary, as a process of its own, so that the memory figures
    /// are the server's alone (e.g. `target/release/tongchou`); the after-load checkpoint and
    /// verification are then left out (the bench no longer holds the database).
    #[arg(long)]
    apart: Option<PathBuf>,
    /// Which runs to make (e.g. `--ops list` to profile the list alone).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "list,all-states,workbench,done,search-word,search-rare,registry,system-page,submit,transition,writers"
    )]
    ops: Vec<Run>,
}

/// A run the command line can select.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum Run {
    List,
    AllStates,
    Workbench,
    Done,
    SearchWord,
    SearchRare,
    Registry,
    SystemPage,
    Submit,
    Transition,
    Writers,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let dur = Duration::from_secs(if args.quick { 3 } else { args.seconds.max(1) });
    // Server and load generator get a runtime each, as two processes would have: the load
    // never waits in the server's task queue. They still share the machine's cores.
    let mut server = runtime("tc-server", args.server_threads)?;
    let loader = runtime("tc-load", 2)?;
    let scratch = scratch_dir()?;
    let url = args
        .db
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", scratch.join("bench.db").display()));
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    println!("# tongchou-bench {}", env!("CARGO_PKG_VERSION"));
    println!();
    println!("database {url}");
    println!(
        "{} demands to seed, {} s per run, concurrency {:?}, {} writers; {cores} cores; server runtime {} threads, load generator 2 threads",
        args.demands,
        dur.as_secs(),
        args.concurrency,
        args.writers,
        args.server_threads
    );
    println!(
        "memory: the server runs IN THIS PROCESS, so RSS includes the load generator (reqwest) and SQLite's page cache"
    );
    println!("rss at start: {:.1} MB", mem::rss().now_mb());

    // A kept SQLite database (`--keep`, then `--db`) has its key beside it.
    let key_dir = url
        .strip_prefix("sqlite://")
        .and_then(|path| Path::new(path.split('?').next().unwrap_or(path)).parent())
        .map_or_else(|| scratch.clone(), Path::to_path_buf);
    let platform = server.block_on(open(&url, &key_dir))?;
    println!(
        "policy {} · store {:?}",
        platform.policy.version,
        platform.store.backend()
    );
    println!();
    println!("## Seeding");
    let seeded = server.block_on(seed::seed(&platform, args.demands, args.seed_tasks))?;
    report_seed(&seeded, args.demands, &url);
    let systems = if args.systems > 0 {
        let r = server.block_on(registry::seed(
            &platform,
            args.systems,
            args.tickets,
            args.seed_tasks,
        ))?;
        println!(
            "seeded {} systems and {} tickets in {:.1} s",
            r.systems.len(),
            r.tickets,
            r.elapsed.as_secs_f64()
        );
        r.systems
    } else {
        Vec::new()
    };
    let after_seed = mem::rss();
    println!(
        "rss after seeding: {:.1} MB now, {:.1} MB peak during seeding",
        after_seed.now_mb(),
        after_seed.peak_mb()
    );

    println!();
    println!("## Checkpoints");
    server.block_on(report_checkpoint(
        &platform,
        "after seeding (covers every seeded event)",
    ))?;

    let mut apart = None;
    let (base, platform) = if let Some(bin) = &args.apart {
        // The bench lets go of the database (its writer and checkpoint tasks stop with the
        // runtime) before the server opens it.
        drop(platform);
        std::mem::replace(&mut server, runtime("tc-idle", 1)?)
            .shutdown_timeout(Duration::from_secs(5));
        let key = key_dir.join("platform-sm2.key");
        let a = apart::Apart::start(bin, &url, &key, &scratch.join("server.log"))?;
        let base = a.base.clone();
        apart = Some(a);
        (base, None)
    } else {
        (serve_here(&server, platform.clone())?, Some(platform))
    };
    let reset = mem::reset_peak();
    let before = mem::rss();
    println!();
    println!(
        "## Load ({base}, {})",
        if mem::apart() {
            "server apart: memory is the server's alone"
        } else {
            "in-process server"
        }
    );
    println!(
        "rss before load: {:.1} MB (peak {})",
        before.now_mb(),
        if reset {
            "reset to now"
        } else {
            "NOT reset: includes seeding"
        }
    );
    let fresh: VecDeque<i64> = seeded.submitted.into_iter().collect();
    let rows = loader.block_on(drive(&args, base, dur, fresh, systems))?;
    let after = mem::rss();
    if let Some(mut a) = apart.take() {
        a.stop();
    }
    println!();
    println!("## Results");
    println!();
    println!("{}", stats::markdown(&rows));
    println!(
        "rss ({}): after seeding {:.1} MB, before load {:.1} MB, after load {:.1} MB, peak during load (VmHWM{}) {:.1} MB",
        if mem::apart() {
            "after seeding: the bench's own process, which seeded; the rest: the server process alone"
        } else {
            "whole process: server + load generator + SQLite cache"
        },
        after_seed.now_mb(),
        before.now_mb(),
        after.now_mb(),
        if reset {
            ", reset after seeding"
        } else {
            ", since start"
        },
        after.peak_mb()
    );
    if let Some(mb) = mem::db_size_mb(&url) {
        println!("database size after the run: {mb:.1} MB");
    }
    if let Some(platform) = &platform {
        server.block_on(report_checkpoint(
            platform,
            "after the load (covers what the load wrote)",
        ))?;
        server.block_on(report_verify(platform))?;
        server.shutdown_timeout(Duration::from_secs(2));
    }
    println!();
    println!("## Targets");
    println!();
    println!("{}", stats::targets(&rows, after.peak_mb()));
    if args.db.is_none() && !args.keep {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    Ok(())
}

/// Serves the platform in this process, on a loopback port of its own; the base URL.
fn serve_here(server: &Runtime, platform: app::Platform) -> Result<String> {
    let listener = server.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let base = format!("http://{}", listener.local_addr()?);
    let serving = platform;
    server.spawn(async move {
        // The load comes from one address with two tokens: the rate limits would measure
        // themselves, so they are off; every other edge is as in production.
        let edges = web::Edges {
            login_per_address: None,
            login_per_account: None,
            api_per_token: None,
            ..web::Edges::default()
        };
        if let Err(e) = web::serve_with(serving, listener, edges).await {
            eprintln!("server stopped: {e}");
        }
    });
    Ok(base)
}

fn runtime(name: &str, threads: usize) -> Result<Runtime> {
    Ok(Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .thread_name(name)
        .enable_all()
        .build()?)
}

/// A directory of our own under the system temp dir for the database and the platform key.
fn scratch_dir() -> Result<PathBuf> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!("tongchou-bench-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// Signs a checkpoint and prints how long it took and how large it is (its anchor line: the
/// same fields as its row), which must not grow with the number of streams.
async fn report_checkpoint(p: &app::Platform, when: &str) -> Result<()> {
    let t = Instant::now();
    let n = app::audit::checkpoint(p).await?;
    let took = t.elapsed();
    let size = app::audit::anchor(&p.store)
        .await?
        .map(|c| c.to_line().len())
        .unwrap_or(0);
    println!(
        "checkpoint {} {when}: {:.1} ms, {size} bytes",
        n.map_or_else(|| "(nothing new)".to_string(), |n| n.to_string()),
        took.as_secs_f64() * 1000.0
    );
    Ok(())
}

/// Runs the full verification once and prints its time and the process's memory after it.
async fn report_verify(p: &app::Platform) -> Result<()> {
    let t = Instant::now();
    let r = app::audit::verify(&p.store, &p.trust()?, &p.policy).await?;
    println!(
        "audit verify: {:.1} s for {} events and {} checkpoints, {} (rss now {:.1} MB, peak {:.1} MB)",
        t.elapsed().as_secs_f64(),
        r.events,
        r.checkpoints,
        if r.is_intact() { "intact" } else { "BROKEN" },
        mem::rss().now_mb(),
        mem::rss().peak_mb()
    );
    Ok(())
}

/// The platform as the server opens it, with the shipped policy and the demo city.
async fn open(url: &str, scratch: &Path) -> Result<app::Platform> {
    let policy = app::default_policy()?;
    // Production hash cost (100,000 iterations): only a few logins happen.
    let settings = app::Settings::new(scratch.join("platform-sm2.key"));
    let p = app::Platform::open(url, policy, settings)
        .await
        .with_context(|| format!("cannot open {url}"))?;
    if !demo::seed(&p).await? {
        println!(
            "note: the database already had the demo city; demands are added to what is there"
        );
    }
    Ok(p)
}

#[allow(clippy::cast_precision_loss)] // counts are far below 2^52
fn report_seed(s: &seed::Seeded, n: usize, url: &str) {
    let secs = s.elapsed.as_secs_f64().max(1e-9);
    // create+submit is one writer step; start_analysis is a second one.
    let steps = n + s.analysing;
    println!(
        "seeded {n} demands in {secs:.1} s: {:.0} demands/s, {:.0} writer steps/s ({} submitted, {} drafts, {} under analysis)",
        n as f64 / secs,
        steps as f64 / secs,
        s.submitted.len(),
        s.drafts,
        s.analysing
    );
    if let Some(mb) = mem::db_size_mb(url) {
        println!("database size after seeding: {mb:.1} MB");
    }
}

/// Logs in, then runs every operation at every concurrency, then the writers run.
async fn drive(
    args: &Args,
    base: String,
    dur: Duration,
    fresh: VecDeque<i64>,
    systems: Vec<i64>,
) -> Result<Vec<Row>> {
    let top = args
        .concurrency
        .iter()
        .copied()
        .chain([args.writers])
        .max()
        .unwrap_or(32);
    let client = load::client(top)?;
    let started = Instant::now();
    let analyst = load::login(&client, &base, "dc.analyst", demo::DEMO_PASSWORD).await?;
    let clerk = load::login(&client, &base, "zrzy.clerk", demo::DEMO_PASSWORD).await?;
    let om = load::login(&client, &base, "dc.om", demo::DEMO_PASSWORD).await?;
    let om_cookie = load::web_login(&base, "dc.om", demo::DEMO_PASSWORD).await?;
    if let Some(id) = systems.first() {
        load::check_page(&client, &base, &om_cookie, *id).await?;
    }
    println!(
        "logged in dc.analyst and zrzy.clerk over the API in {:.2} s (production hash cost)",
        started.elapsed().as_secs_f64()
    );
    let nonce = format!(
        "{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis())
    );
    let t = Arc::new(Target {
        base,
        client,
        analyst,
        clerk,
        om,
        om_cookie,
        systems,
        fresh: std::sync::Mutex::new(fresh),
        nonce,
        sent: AtomicU64::new(0),
    });
    // Opens the connections and warms the statement caches; not counted.
    load::run(&t, Op::List, top, Duration::from_secs(1)).await?;
    println!("warm-up: 1 s of list at c={top}, not counted");
    println!();
    let mut rows = Vec::new();
    let selected = [
        (Run::List, Op::List),
        (Run::AllStates, Op::AllStates),
        (Run::Workbench, Op::Workbench),
        (Run::Done, Op::Done),
        (Run::SearchWord, Op::SearchWord),
        (Run::SearchRare, Op::SearchRare),
        (Run::Registry, Op::Registry),
        (Run::SystemPage, Op::SystemPage),
        (Run::Submit, Op::Submit),
        (Run::Transition, Op::Transition),
    ]
    .into_iter()
    .filter(|(run, _)| args.ops.contains(run))
    // The registry runs need the systems seeded (`--systems`).
    .filter(|(run, _)| args.systems > 0 || !matches!(run, Run::Registry | Run::SystemPage))
    .map(|(_, op)| op);
    for op in selected {
        for &c in &args.concurrency {
            let out = load::run(&t, op, c, dur).await?;
            let r = stats::op_row(op, c, &out);
            println!("{}", stats::line(&r));
            rows.push(r);
        }
        let m = mem::rss();
        println!(
            "  rss after {}: {:.1} MB now, {:.1} MB peak; {} submitted demands left for transitions",
            op.name(),
            m.now_mb(),
            m.peak_mb(),
            t.fresh_left()
        );
    }
    if args.ops.contains(&Run::Writers) {
        let out = load::run(&t, Op::Submit, args.writers, dur).await?;
        let r = stats::row(stats::WRITERS, args.writers, &out);
        println!("{}", stats::line(&r));
        rows.push(r);
    }
    Ok(rows)
}
