//! Seeds N demands through the same use cases the API calls, many at once, so the store's
//! single writer groups them into few transactions (that grouping is what makes it fast).

use anyhow::{Context, Result, bail};
use app::items::{Command, create, perform};
use app::{Platform, Principal};
use domain::Input;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What the seeding left behind.
#[derive(Debug, Default)]
pub struct Seeded {
    /// Ids of demands left in `submitted`, free for the transition runs.
    pub submitted: Vec<i64>,
    pub drafts: usize,
    pub analysing: usize,
    pub elapsed: Duration,
}

/// How a seeded demand ends, by index: 1 in 10 stays a draft, 1 in 10 goes on to analysis,
/// the rest stay submitted (the list and the transitions need many of those).
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Draft,
    Submitted,
    Analysing,
}

fn end_of(i: usize) -> End {
    match i % 20 {
        0 | 1 => End::Draft,
        2 | 3 => End::Analysing,
        _ => End::Submitted,
    }
}

const TOPICS: &[(&str, &str)] = &[
    ("不动产登记", "不动产登记中心及各县区分中心"),
    ("急救调度", "市急救中心及网络医院"),
    ("智慧校园", "全市中小学"),
    ("社保卡应用", "全市持卡人及合作银行"),
    ("食品安全监管", "市县两级市场监管部门"),
    ("城市生命线监测", "中心城区燃气、供水管网和桥梁"),
    ("智慧停车", "中心城区路内泊位和公共停车场"),
    ("养老服务", "全市养老机构及居家养老对象"),
    ("工程建设审批", "住建、自然资源、发改等审批部门"),
    ("视频资源共享", "公安、交通、城管等部门"),
];

/// The topic of the k-th demand (the word a keyword search looks for).
pub fn topic(k: usize) -> &'static str {
    TOPICS[k % TOPICS.len()].0
}

/// The fields of the i-th demand: the content art. 13(2) requires, varied by index.
pub fn fields(i: usize) -> Input {
    let (topic, scope) = TOPICS[i % TOPICS.len()];
    let budget = 200_000 + (i * 7_919) % 9_800_000;
    [
        ("title", format!("{topic}系统建设项目（第{i}号）")),
        ("problem", format!("{topic}业务依靠人工和纸质台账，数据分散在多个系统，群众办事需多次往返，平均办理时长{}个工作日。", 2 + i % 9)),
        ("scope", format!("{scope}，使用人员约{}人。", 50 + i % 2_000)),
        ("functions", format!("在线申请、电子证照调用、数据共享交换、统计分析；高峰并发{}，页面响应不超过2秒。", 100 + i % 900)),
        ("logic", "申请→受理→审核→办结→归档，相关部门数据通过共享交换平台实时核验。".to_string()),
        ("budget", budget.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn command(action: &str, input: Input, then: Option<&str>) -> Command {
    Command {
        action: action.to_string(),
        input,
        then: then.map(str::to_string),
        idempotency: None,
    }
}

/// Seeds `n` demands spread over the ten department clerks with `tasks` in flight.
pub async fn seed(p: &Platform, n: usize, tasks: usize) -> Result<Seeded> {
    let mut clerks = Vec::new();
    for (username, _, _, role) in demo::USERS {
        if *role == "demand_clerk" {
            clerks.push(
                demo::principal(p, username)
                    .await
                    .with_context(|| format!("principal {username}"))?,
            );
        }
    }
    if clerks.is_empty() {
        bail!("the demo city has no demand clerks");
    }
    let analyst = demo::principal(p, "dc.analyst")
        .await
        .context("principal dc.analyst")?;
    let shared = Arc::new((clerks, analyst));
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..tasks.max(1) {
        let (p, shared, next) = (p.clone(), shared.clone(), next.clone());
        handles.push(tokio::spawn(async move {
            worker(&p, &shared.0, &shared.1, &next, n).await
        }));
    }
    let mut out = Seeded::default();
    for h in handles {
        let part = h.await.context("seeding task panicked")??;
        out.submitted.extend(part.submitted);
        out.drafts += part.drafts;
        out.analysing += part.analysing;
    }
    out.elapsed = started.elapsed();
    // Oldest first is how an analyst works through the queue.
    out.submitted.sort_unstable();
    Ok(out)
}

async fn worker(
    p: &Platform,
    clerks: &[Principal],
    analyst: &Principal,
    next: &AtomicUsize,
    n: usize,
) -> Result<Seeded> {
    let mut out = Seeded::default();
    let step = (n / 10).max(1);
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= n {
            return Ok(out);
        }
        let clerk = &clerks[i % clerks.len()];
        let end = end_of(i);
        let then = (end != End::Draft).then_some("submit");
        let id = create(p, clerk, "demand", command("create", fields(i), then))
            .await
            .with_context(|| format!("seeding demand {i}"))?;
        match end {
            End::Draft => out.drafts += 1,
            End::Submitted => out.submitted.push(id.get()),
            End::Analysing => {
                perform(
                    p,
                    analyst,
                    id,
                    command("start_analysis", Input::new(), None),
                )
                .await
                .with_context(|| format!("analysing demand {i}"))?;
                out.analysing += 1;
            }
        }
        if (i + 1).is_multiple_of(step) {
            eprintln!("  seeded {} / {n}", i + 1);
        }
    }
}
