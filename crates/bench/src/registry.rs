//! The O&M registry at a city's scale (issue 13): N systems and M tickets spread over them,
//! seeded through the same use cases the pages call, then the registry list (API) and a
//! system's page (HTML, with its children: tickets, custody, usage) are measured.

use anyhow::{Context, Result};
use app::items::{Command, create};
use app::{Platform, Principal};
use domain::Input;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What the seeding left behind.
#[derive(Debug, Default)]
pub struct Seeded {
    pub systems: Vec<i64>,
    pub tickets: usize,
    pub elapsed: Duration,
}

fn command(input: Input) -> Command {
    Command {
        action: "create".into(),
        input,
        then: None,
        idempotency: None,
    }
}

fn input(pairs: &[(&str, String)]) -> Input {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect()
}

/// Seeds `systems` systems (as the O&M engineer) and `tickets` tickets over them (as the
/// department clerks, one system in ten maintained by the Company), `tasks` at a time.
pub async fn seed(p: &Platform, systems: usize, tickets: usize, tasks: usize) -> Result<Seeded> {
    let om = demo::principal(p, "dc.om")
        .await
        .context("principal dc.om")?;
    let started = Instant::now();
    let numbers = run(p, systems, tasks, {
        let om = om.clone();
        move |p: Platform, i: usize| {
            let om = om.clone();
            async move {
                let owner = if i.is_multiple_of(10) {
                    "company"
                } else {
                    "datacenter"
                };
                let fields = input(&[
                    ("name", format!("政务信息系统（第{i}号）")),
                    ("unit", format!("市直部门{}", i % 40)),
                    ("description", "业务办理、统计分析和数据共享".to_string()),
                    ("om_owner", owner.to_string()),
                    ("mlps_level", (2 + i % 2).to_string()),
                ]);
                let id = create(&p, &om, "system", command(fields)).await?;
                let number = app::items::view(&p, &om, id).await?.row.number;
                Ok::<_, anyhow::Error>((id.get(), number, owner))
            }
        }
    })
    .await?;
    let mut clerks: Vec<Principal> = Vec::new();
    for (username, _, _, role) in demo::USERS {
        if *role == "demand_clerk" {
            clerks.push(demo::principal(p, username).await?);
        }
    }
    let shared = Arc::new((numbers.clone(), clerks));
    run(p, tickets, tasks, move |p: Platform, i: usize| {
        let shared = shared.clone();
        async move {
            let (systems, clerks) = (&shared.0, &shared.1);
            let (_, number, owner) = &systems[(i * 7_919) % systems.len()];
            let fields = input(&[
                ("system", number.clone()),
                ("om_owner", (*owner).to_string()),
                ("summary", format!("页面加载缓慢（第{i}号）")),
                ("category", "software".to_string()),
                ("priority", format!("p{}", 1 + i % 4)),
                ("description", "高峰期首页打开超过十秒。".to_string()),
            ]);
            create(&p, &clerks[i % clerks.len()], "ticket", command(fields)).await?;
            Ok::<_, anyhow::Error>(())
        }
    })
    .await?;
    Ok(Seeded {
        systems: numbers.into_iter().map(|(id, _, _)| id).collect(),
        tickets,
        elapsed: started.elapsed(),
    })
}

/// Runs `one(p, i)` for i in 0..n, `tasks` at a time, and returns the results in order.
async fn run<T, F, Fut>(p: &Platform, n: usize, tasks: usize, one: F) -> Result<Vec<T>>
where
    T: Send + 'static,
    F: Fn(Platform, usize) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = Result<T>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let step = (n / 10).max(1);
    let mut handles = Vec::new();
    for _ in 0..tasks.max(1) {
        let (p, next, one) = (p.clone(), next.clone(), one.clone());
        handles.push(tokio::spawn(async move {
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return Ok::<_, anyhow::Error>(out);
                }
                out.push((i, one(p.clone(), i).await?));
                if (i + 1).is_multiple_of(step) {
                    eprintln!("  seeded {} / {n}", i + 1);
                }
            }
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.context("seeding task panicked")??);
    }
    all.sort_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, t)| t).collect())
}
