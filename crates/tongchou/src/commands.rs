//! What each command does, calling the same use cases as the web and the API.

use crate::cli::{
    AuditCommand, CalendarCommand, Cli, Command, Common, KeyCommand, PolicyCommand, UserCommand,
};
use anyhow::{Context, Result, bail};
use app::{Platform, Settings};
use std::process::ExitCode;

pub async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Serve {
            common,
            listen,
            demo,
            checkpoint_minutes,
            edges,
        } => serve(common, &listen, demo, checkpoint_minutes, edges.edges()).await,
        Command::Policy {
            command: PolicyCommand::Check { path },
        } => policy_check(&path),
        Command::Policy {
            command:
                PolicyCommand::Explain {
                    article,
                    lang,
                    policy,
                },
        } => policy_explain(&article, domain::Lang::parse(&lang), policy.as_deref()),
        Command::Audit {
            command:
                AuditCommand::Verify {
                    package: Some(package),
                    public_key,
                    ..
                },
        } => verify_package(&package, public_key.as_deref()),
        Command::Audit {
            command: AuditCommand::Verify { common, anchor, .. },
        } => audit_verify(common, anchor.as_deref()).await,
        Command::Audit {
            command: AuditCommand::Anchor { common },
        } => {
            let store = store::Store::open(&common.db).await?;
            match app::audit::anchor(&store).await? {
                Some(cp) => println!("{}", cp.to_line()),
                None => bail!("no checkpoint has been signed yet: run `tongchou audit checkpoint`"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Checkpoint { common },
        } => {
            let p = open(&common).await?;
            match app::audit::checkpoint(&p).await? {
                Some(n) => println!("checkpoint {n} signed"),
                None => println!("nothing new since the last checkpoint"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::User { command } => user(command).await,
        Command::Key {
            command: KeyCommand::Rotate { common },
        } => {
            let (old, new) = app::keys::rotate(&common.key_file)?;
            let p = open(&common).await?;
            let operator = std::env::var("USER").unwrap_or_else(|_| "operator".into());
            let n = app::keys::record_rotation(&p, &operator, &old, &new).await?;
            println!(
                "signing key {old} replaced by {new}; checkpoint {} signed with the new key; restart the server",
                n.map_or_else(|| "-".into(), |n| n.to_string())
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup(args) => crate::backup::backup(args).await,
        Command::Restore(args) => crate::backup::restore(args).await,
        Command::Calendar {
            command: CalendarCommand::Check { file },
        } => {
            let cal = load_calendar(file.as_deref())?;
            for (year, t) in cal.years() {
                println!(
                    "{year}: {} holidays, {} make-up working days ({})",
                    t.off.len(),
                    t.work.len(),
                    t.source
                );
            }
            // From November the next year is due; a missing year is counted Monday to Friday.
            if let Some(y) = cal.missing_next_year(app::clock::Clock::system().today()) {
                println!(
                    "{}：请在国务院办公厅通知发布后用 tongchou calendar import 导入。",
                    domain::Calendar::assumption_note(y).zh
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Calendar {
            command: CalendarCommand::Import { notice, write, yes },
        } => crate::calendar::import(&notice, write.as_deref(), yes),
    }
}

/// The shipped holiday table plus an operator's file of further years.
fn load_calendar(extra: Option<&std::path::Path>) -> Result<domain::Calendar> {
    let mut cal = domain::Calendar::from_toml(
        "calendar/cn-holidays.toml (built in)",
        app::DEFAULT_CALENDAR,
    )?;
    if let Some(path) = extra {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        cal.merge(domain::Calendar::from_toml(
            &path.display().to_string(),
            &text,
        )?);
    }
    Ok(cal)
}

/// The shipped policy, or the folder (or single file) an operator names.
pub(crate) fn load_policy(path: Option<&std::path::Path>) -> Result<domain::Policy> {
    match path {
        None => Ok(app::default_policy()?),
        Some(p) => Ok(domain::Policy::from_folder(p)?),
    }
}

pub(crate) async fn open(c: &Common) -> Result<Platform> {
    open_with(c, |_| {}).await
}

/// `open`, with settings of the server's own (its edges') adjusted first.
async fn open_with(c: &Common, adjust: impl FnOnce(&mut Settings)) -> Result<Platform> {
    let policy = load_policy(c.policy.as_deref())?;
    // The pages' names too: the server must not start on a policy that lacks one.
    web::contract::check(&policy).map_err(anyhow::Error::msg)?;
    let mut settings = Settings::new(c.key_file.clone());
    settings.password_iterations = c.password_iterations;
    settings.password_max_days = c.password_max_days;
    settings.anchor_file.clone_from(&c.anchor_file);
    settings.documents = app::DocumentSettings {
        masthead: c.masthead.clone(),
        printed_by: c.printed_by.clone(),
    };
    settings.calendar = load_calendar(c.holidays.as_deref())?;
    settings.typesetter = app::Typesetting(std::sync::Arc::new(typeset::Typst::new()));
    adjust(&mut settings);
    Ok(Platform::open(&c.db, policy, settings).await?)
}

async fn serve(
    common: Common,
    listen: &str,
    demo: bool,
    checkpoint_minutes: u64,
    edges: web::Edges,
) -> Result<ExitCode> {
    // The files module holds attachments to the same limit as the edge.
    let p = open_with(&common, |s| s.max_upload_bytes = edges.upload_bytes).await?;
    if demo && demo::seed(&p).await? {
        demo::projects::seed(&p).await?;
        eprintln!("demo data seeded");
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    println!(
        "Tongchou {} · policy {} ({})",
        env!("CARGO_PKG_VERSION"),
        p.policy.version,
        p.policy.title.zh
    );
    println!("Open http://{addr}/");
    if demo {
        println!("Demo logins (password {} for all):", demo::DEMO_PASSWORD);
        for (username, name, org, role) in demo::USERS {
            let role_name = p
                .policy
                .role(role)
                .map(|r| r.name.zh.clone())
                .unwrap_or_default();
            println!("  {username:<18} {name:<6} {org:<10} {role_name}");
        }
        // The vendor's staff, whose unit is coded by its registry number (seeded with it).
        if let Ok(vendor) = app::identity::principal_of(&p, demo::VENDOR_LOGIN).await {
            let role_name = p
                .policy
                .role(&vendor.user.role)
                .map(|r| r.name.zh.clone())
                .unwrap_or_default();
            println!(
                "  {:<18} {:<6} {:<10} {role_name}",
                demo::VENDOR_LOGIN,
                vendor.user.display_name,
                vendor.org.code
            );
        }
    }
    let checkpoints = p.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(
            checkpoint_minutes.max(1) * 60,
        ));
        // The first tick is immediate; the first checkpoint is due one period after start.
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Err(e) = app::audit::checkpoint(&checkpoints).await {
                tracing::error!(error = %e, "checkpoint failed");
            }
        }
    });
    web::serve_with(p.clone(), listener, edges).await?;
    // Sign what was recorded up to the shutdown.
    let _ = app::audit::checkpoint(&p).await;
    Ok(ExitCode::SUCCESS)
}

fn policy_check(path: &std::path::Path) -> Result<ExitCode> {
    let p = match domain::Policy::from_folder(path) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(1));
        }
    };
    if let Err(e) = web::contract::check(&p) {
        eprintln!("{}: {e}", path.display());
        return Ok(ExitCode::from(1));
    }
    println!("{} — {}", p.id, p.title.zh);
    println!("version {} · effective {}", p.version, p.effective);
    println!(
        "{} organisation kinds ({} may raise demands), {} roles, {} shared rules",
        p.org_kinds.len(),
        p.org_kinds.iter().filter(|k| k.demand_unit).count(),
        p.roles.len(),
        p.rules.len()
    );
    let count =
        |s: domain::policy::ArticleStatus| p.articles.iter().filter(|a| a.status == s).count();
    println!(
        "{} articles: {} modelled, {} partly, {} not yet",
        p.articles.len(),
        count(domain::policy::ArticleStatus::Modelled),
        count(domain::policy::ArticleStatus::Partly),
        count(domain::policy::ArticleStatus::NotYet)
    );
    for k in &p.kinds {
        println!("\nkind {} ({}) · series {}", k.id, k.name.zh, k.prefix);
        println!(
            "  states: {}",
            k.states
                .iter()
                .map(|s| format!("{} {}", s.id, s.name.zh))
                .collect::<Vec<_>>()
                .join(" · ")
        );
        for t in &k.transitions {
            let from = if t.from.is_empty() {
                "(new)".to_string()
            } else {
                t.from.join("|")
            };
            println!(
                "  {:<22} {:>14} -> {:<15} by {:<40} art. {}",
                t.id,
                from,
                t.to,
                t.roles.join(","),
                t.article
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `policy explain 14`: what the policy makes of an article, in the user's language. Exit 2
/// for an article the measures do not have.
fn policy_explain(
    asked: &str,
    lang: domain::Lang,
    policy: Option<&std::path::Path>,
) -> Result<ExitCode> {
    let p = match load_policy(policy) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(1));
        }
    };
    let zh = lang == domain::Lang::Zh;
    let Some(article) = domain::Article::parse(asked) else {
        eprintln!(
            "{}",
            if zh {
                format!(
                    "“{asked}”不是条款编号，应写作 14、13.2（第十三条第二款）或《运维管理办法》5。"
                )
            } else {
                format!(
                    "`{asked}` is not an article: write 14, 13.2 for art. 13(2), or 《运维管理办法》5."
                )
            }
        );
        return Ok(ExitCode::from(2));
    };
    let e = match p.explain(&article) {
        Ok(e) => e,
        Err(err) => {
            eprintln!("{}", err.message().get(lang));
            return Ok(ExitCode::from(2));
        }
    };
    for (depth, line) in domain::policy::outline(&p, &e, lang) {
        println!("{}{line}", "  ".repeat(depth));
    }
    Ok(ExitCode::SUCCESS)
}

/// An auditor's package, offline: no database, no key file.
fn verify_package(path: &std::path::Path, public_key: Option<&str>) -> Result<ExitCode> {
    if let Some(key) = public_key
        && !app::package::is_key(key)
    {
        bail!("--public-key is not an SM2 public key in hex (130 hex digits, starting 04)");
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let report = app::package::verify(&bytes, public_key);
    println!("{report}");
    Ok(if report.is_intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

async fn audit_verify(common: Common, anchor: Option<&std::path::Path>) -> Result<ExitCode> {
    let mut trust = app::audit::Trust::of_key_file(&common.key_file)?;
    if let Some(path) = anchor {
        trust.anchor = Some(app::audit::read_anchor(path)?);
    }
    let store = store::Store::open(&common.db).await?;
    let policy = load_policy(common.policy.as_deref())?;
    let report = app::audit::verify(&store, &trust, &policy).await?;
    println!("{report}");
    Ok(if report.is_intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn read_new_password() -> Result<String> {
    if let Ok(p) = std::env::var("TONGCHOU_NEW_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let pw = line.trim_end_matches(['\n', '\r']).to_string();
    if pw.is_empty() {
        bail!("no password given (set TONGCHOU_NEW_PASSWORD or pipe it on standard input)");
    }
    Ok(pw)
}

async fn user(command: UserCommand) -> Result<ExitCode> {
    let operator = std::env::var("USER").unwrap_or_else(|_| "operator".into());
    match command {
        UserCommand::Add {
            common,
            username,
            name,
            org,
            role,
        } => {
            let pw = read_new_password()?;
            let p = open(&common).await?;
            let id = app::accounts::add(
                &p,
                &operator,
                &app::accounts::NewAccount {
                    username: &username,
                    display_name: &name,
                    org_code: &org,
                    role: &role,
                    password: &pw,
                },
            )
            .await?;
            println!("user {username} added (id {id})");
        }
        UserCommand::Passwd { common, username } => {
            let pw = read_new_password()?;
            let p = open(&common).await?;
            app::accounts::change(
                &p,
                &operator,
                &username,
                app::accounts::Change::Password(pw),
            )
            .await?;
            println!("password of {username} changed; their sessions ended");
        }
        UserCommand::Lock { common, username } => {
            app::accounts::change(
                &open(&common).await?,
                &operator,
                &username,
                app::accounts::Change::Lock,
            )
            .await?;
            println!("{username} locked");
        }
        UserCommand::Unlock { common, username } => {
            app::accounts::change(
                &open(&common).await?,
                &operator,
                &username,
                app::accounts::Change::Unlock,
            )
            .await?;
            println!("{username} unlocked");
        }
    }
    Ok(ExitCode::SUCCESS)
}
