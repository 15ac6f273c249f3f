//! Issue 14: the money, as stories on SQLite and (when TEST_DATABASE_URL is set) PostgreSQL.
//! The special fund Finance proposes and the city government approves, its allocations held to
//! what is left of its lines (R24.1); the Company's investment plan by source (R24.1);
//! disbursements held to the approved lines under any concurrency (R25.1), countersigned by the
//! Bureau and Finance, each with an electronic signature, before they are paid (R26.1).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

use crate::project_stories::{cmd, input, vendor};
use app::AppError;
use app::items::{create, perform, view};
use demo::{DEMO_PASSWORD, principal};
use domain::ItemId;
use testkit::{Seed, each_backend, each_backend_seeded, test_day};

/// One platform per backend with this year's projects under way.
async fn with_projects(label: &str) -> Vec<app::Platform> {
    each_backend_seeded(label, Seed::Projects, test_day()).await
}

/// The demo's self-funded project whose feasibility study is approved (lines 1-3: the gateway
/// 520,000, the cache servers 330,000, the MLPS assessment 80,000 yuan).
async fn funded_project(p: &app::Platform) -> String {
    let mut c = p.store.read().await.unwrap();
    let f = store::items::Filter {
        kind: "project".into(),
        page: 1,
        per_page: 50,
        ..Default::default()
    };
    let all = store::items::list(&mut c, &f).await.unwrap();
    let titles: Vec<_> = all
        .iter()
        .map(|r| (r.title.clone(), r.item.state.clone()))
        .collect();
    all.into_iter()
        .find(|r| r.title.contains("政务数据共享交换平台扩容"))
        .unwrap_or_else(|| panic!("no such project among {titles:?}"))
        .number
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF".to_vec()
}

/// A draft disbursement of `yuan` from `line` of the project, with its invoice attached.
async fn draft_payment(p: &app::Platform, project: &str, line: u32, yuan: &str) -> ItemId {
    let pm = principal(p, "company.pm").await.unwrap();
    let payee = vendor(p, 2).await;
    let allocation = format!(r#"[{{"line":"{line}","amount":"{yuan}"}}]"#);
    let id = create(
        p,
        &pm,
        "disbursement",
        cmd(
            "create",
            input(&[
                ("project", project),
                ("title", "等保测评费"),
                ("source", "own"),
                ("payee", &payee),
                ("allocation", &allocation),
            ]),
        ),
    )
    .await
    .unwrap();
    app::files::attach(p, &pm, id, "发票.pdf", pdf())
        .await
        .unwrap();
    id
}

/// The opinion field of a review step (each reviewer writes their own).
fn opinion_of(action: &str) -> &'static str {
    if action.starts_with("bureau") {
        "bureau_opinion"
    } else {
        "finance_opinion"
    }
}

/// A signed review step as the page sends it: the password and the version that was read.
async fn signed(
    p: &app::Platform,
    who: &app::Principal,
    id: ItemId,
    action: &str,
) -> Result<ItemId, AppError> {
    let version = view(p, who, id).await.unwrap().row.version.to_string();
    let c = cmd(
        action,
        input(&[
            ("_password", DEMO_PASSWORD),
            ("_version", &version),
            (opinion_of(action), "用途与合同一致，同意拨付。"),
        ]),
    );
    perform(p, who, id, c).await
}

async fn state(p: &app::Platform, id: ItemId) -> String {
    testkit::peek::item(p, id.get()).await.item.state
}

/// R25.1: 200 requests against one line at once never together go beyond it. The MLPS line
/// holds 80,000 yuan; 200 requests of 1,000 each are sent for review in parallel: exactly 80
/// go through, every other one is refused naming the line and what is left of it.
#[tokio::test]
async fn r25_1_parallel_disbursement_requests_never_together_exceed_their_line() {
    for p in with_projects("fund-race").await {
        let project = funded_project(&p).await;
        let mut drafts = Vec::new();
        for _ in 0..200 {
            drafts.push(draft_payment(&p, &project, 3, "1,000").await);
        }
        let pm = principal(&p, "company.pm").await.unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for id in drafts {
            let (p, pm) = (p.clone(), pm.clone());
            tasks.spawn(
                async move { perform(&p, &pm, id, cmd("submit", domain::Input::new())).await },
            );
        }
        let (mut ok, mut refused) = (0, 0);
        while let Some(r) = tasks.join_next().await {
            match r.unwrap() {
                Ok(_) => ok += 1,
                Err(AppError::Denied(d)) => {
                    refused += 1;
                    let why = format!("{} {:?}", d.reason.zh, d.fields);
                    assert!(why.contains("第 1 行") && why.contains("剩余"), "{why}");
                }
                Err(e) => panic!("a request failed instead of being refused: {e:?}"),
            }
        }
        assert_eq!(ok, 80, "80 × 1,000 yuan fill the 80,000 line exactly");
        assert_eq!(refused, 120);
        // A request within what is left of another line still goes through.
        let other = draft_payment(&p, &project, 1, "1,000").await;
        perform(&p, &pm, other, cmd("submit", domain::Input::new()))
            .await
            .unwrap();
    }
}

/// R26.1: a disbursement needs both the Bureau and Finance, in either order, each signing
/// electronically; one approval leaves it pending and it cannot be paid; paid, it records the
/// bank reference and date. Either may send it back with a reason.
#[tokio::test]
async fn r26_1_a_disbursement_is_paid_only_after_the_bureau_and_finance_both_sign() {
    for p in with_projects("fund-countersign").await {
        let project = funded_project(&p).await;
        let pm = principal(&p, "company.pm").await.unwrap();
        let head = principal(&p, "bureau.head").await.unwrap();
        let finance = principal(&p, "finance.officer").await.unwrap();
        let id = draft_payment(&p, &project, 2, "100,000").await;
        perform(&p, &pm, id, cmd("submit", domain::Input::new()))
            .await
            .unwrap();
        signed(&p, &head, id, "bureau_approve").await.unwrap();
        assert_eq!(state(&p, id).await, "bureau_approved");
        // One approval alone: it cannot be paid yet.
        let pay = cmd(
            "record_payment",
            input(&[("bank_ref", "ABC2027031500018"), ("paid_on", "2026-11-20")]),
        );
        assert!(matches!(
            perform(&p, &pm, id, pay.clone()).await,
            Err(AppError::Denied(_))
        ));
        // Nor may the Bureau take Finance's step.
        assert!(matches!(
            signed(&p, &head, id, "finance_approve_last").await,
            Err(AppError::Denied(_))
        ));
        signed(&p, &finance, id, "finance_approve_last")
            .await
            .unwrap();
        assert_eq!(state(&p, id).await, "approved");
        let row = testkit::peek::item(&p, id.get()).await;
        let signers: Vec<_> = row
            .item
            .acts
            .iter()
            .filter(|a| a.action.contains("approve"))
            .map(|a| a.user)
            .collect();
        assert_eq!(signers, vec![head.user.id, finance.user.id]);
        assert!(!row.item.field("signature").is_empty());
        // The signature the item carries is the last signer's, and it is valid.
        let row = testkit::peek::item(&p, id.get()).await;
        match app::signing::status(&p, &row).await.unwrap() {
            Some((app::signing::SignatureCheck::Valid { signer, .. }, _)) => {
                assert_eq!(signer, finance.user.id.get());
            }
            other => panic!("Finance's signature must check: {other:?}"),
        }
        perform(&p, &pm, id, pay).await.unwrap();
        let row = testkit::peek::item(&p, id.get()).await;
        assert_eq!(row.item.state, "paid");
        assert_eq!(row.item.field("bank_ref"), "ABC2027031500018");

        // The other order, and a return with its reason.
        let id = draft_payment(&p, &project, 2, "50,000").await;
        perform(&p, &pm, id, cmd("submit", domain::Input::new()))
            .await
            .unwrap();
        signed(&p, &finance, id, "finance_approve").await.unwrap();
        assert_eq!(state(&p, id).await, "finance_approved");
        let back = cmd("send_back", input(&[("return_reason", "")]));
        match perform(&p, &head, id, back).await {
            Err(AppError::Denied(d)) => {
                assert!(d.fields.iter().any(|f| f.field == "return_reason"))
            }
            other => panic!("a return needs its reason: {other:?}"),
        }
        let back = cmd(
            "send_back",
            input(&[("return_reason", "发票抬头与合同不符。")]),
        );
        perform(&p, &head, id, back).await.unwrap();
        assert_eq!(state(&p, id).await, "returned");
        let row = testkit::peek::item(&p, id.get()).await;
        assert_eq!(
            row.item.field("signature"),
            "",
            "nothing signed stays on a returned one"
        );
        assert_eq!(row.item.field("finance_opinion"), "");
        assert!(app::signing::status(&p, &row).await.unwrap().is_none());
        // Sent again, both sign again.
        perform(&p, &pm, id, cmd("submit", domain::Input::new()))
            .await
            .unwrap();
        assert_eq!(state(&p, id).await, "under_review");
    }
}

/// R24.1: Finance proposes the year's special fund by purpose, the city government approves it,
/// and Finance allocates from its lines to a project whose study is approved; an allocation
/// beyond what is left of a line is refused, and a withdrawn one gives it back.
#[tokio::test]
async fn r24_1_the_special_fund_is_approved_and_allocated_within_its_lines() {
    for p in with_projects("fund-special").await {
        let finance = principal(&p, "finance.officer").await.unwrap();
        let evm = principal(&p, "leader.evm").await.unwrap();
        let lines = r#"[{"line":"1","purpose":"项目建设","item":"年度计划项目","approved":"6,000,000"},
                        {"line":"2","purpose":"基础设施运维","item":"政务云和电子政务外网运维","approved":"2,000,000"}]"#;
        let fund = create(
            &p,
            &finance,
            "special_fund",
            cmd(
                "create",
                input(&[
                    ("title", "2026年度数字政府建设专项资金"),
                    ("year", "2026"),
                    ("lines", lines),
                ]),
            ),
        )
        .await
        .unwrap();
        assert_eq!(
            testkit::peek::item(&p, fund.get())
                .await
                .item
                .field("total"),
            "800000000",
            "the total is the sum of the lines, in fen"
        );
        perform(&p, &finance, fund, cmd("submit", domain::Input::new()))
            .await
            .unwrap();
        // Not approved yet: nothing is allocated from it.
        let fund_no = view(&p, &finance, fund).await.unwrap().row.number;
        let project = funded_project(&p).await;
        let allocate = |amount: &str, line: &str| {
            cmd(
                "create",
                input(&[
                    ("fund", &fund_no),
                    ("title", "共享交换平台扩容"),
                    ("project", &project),
                    (
                        "allocation",
                        &format!(r#"[{{"line":"{line}","amount":"{amount}"}}]"#),
                    ),
                ]),
            )
        };
        assert!(matches!(
            create(&p, &finance, "fund_allocation", allocate("500,000", "1")).await,
            Err(AppError::Denied(_))
        ));
        perform(
            &p,
            &evm,
            fund,
            cmd(
                "approve",
                input(&[
                    ("approval_no", "宛政[2026]3号"),
                    ("approval_opinion", "同意。"),
                ]),
            ),
        )
        .await
        .unwrap();
        let row = testkit::peek::item(&p, fund.get()).await;
        assert_eq!(row.item.state, "approved");
        assert_eq!(row.item.field("approval_no"), "宛政〔2026〕3号");
        let first = create(&p, &finance, "fund_allocation", allocate("5,000,000", "1"))
            .await
            .unwrap();
        match create(&p, &finance, "fund_allocation", allocate("1,000,001", "1")).await {
            Err(AppError::Denied(d)) => {
                let why = format!("{} {:?}", d.reason.zh, d.fields);
                assert!(
                    why.contains("剩余") && why.contains("1,000,000.00"),
                    "{why}"
                );
            }
            other => panic!("beyond the line must be refused: {other:?}"),
        }
        create(&p, &finance, "fund_allocation", allocate("1,000,000", "1"))
            .await
            .unwrap();
        perform(&p, &finance, first, cmd("withdraw", domain::Input::new()))
            .await
            .unwrap();
        create(&p, &finance, "fund_allocation", allocate("5,000,000", "1"))
            .await
            .unwrap();
        let left = app::funds::lines(&p, &finance, fund).await.unwrap();
        assert_eq!(left[0].left_fen, 0);
        assert_eq!(left[1].left_fen, 200_000_000);
    }
}

/// R24.1: the Company's investment plan, by source (the list is the policy's), goes to the city
/// government, which approves it with its decision.
#[tokio::test]
async fn r24_1_the_companys_investment_plan_by_source_is_approved_by_the_city_government() {
    for p in each_backend("fund-investment").await {
        let pm = principal(&p, "company.pm").await.unwrap();
        let evm = principal(&p, "leader.evm").await.unwrap();
        let sources = r#"[{"source":"财政注资","detail":"市财政注入资本金","amount":"30,000,000"},
                          {"source":"专项债","detail":"2026年新型基础设施专项债","amount":"50,000,000"},
                          {"source":"资产证券化","detail":"数据中心资产支持证券","amount":"20,000,000"}]"#;
        let id = create(
            &p,
            &pm,
            "investment_plan",
            cmd(
                "create",
                input(&[
                    ("title", "2026年度投资计划方案"),
                    ("year", "2026"),
                    ("sources", sources),
                ]),
            ),
        )
        .await
        .unwrap();
        assert_eq!(
            testkit::peek::item(&p, id.get()).await.item.field("total"),
            "10000000000"
        );
        // A source the policy does not list is refused at its cell.
        let bad = r#"[{"source":"民间借贷","amount":"1,000"}]"#;
        assert!(matches!(
            perform(&p, &pm, id, cmd("edit", input(&[("sources", bad)]))).await,
            Err(AppError::Denied(_))
        ));
        perform(&p, &pm, id, cmd("submit", domain::Input::new()))
            .await
            .unwrap();
        let approve = cmd(
            "approve",
            input(&[
                ("decision_no", "宛政〔2026〕5号"),
                ("decision", "同意按方案筹措建设资金。"),
            ]),
        );
        perform(&p, &evm, id, approve).await.unwrap();
        assert_eq!(state(&p, id).await, "approved");
    }
}

/// R24.1: every earlier allocation counts against a line, however many there are (a page of a
/// list stops at 200): 210 allocations of one yuan fill a line of 210, and the next is refused.
#[tokio::test]
async fn r24_1_a_line_counts_every_allocation_past_the_first_two_hundred() {
    for p in each_backend("fund-many").await {
        let finance = principal(&p, "finance.officer").await.unwrap();
        let evm = principal(&p, "leader.evm").await.unwrap();
        let lines = r#"[{"line":"1","purpose":"基础设施运维","item":"机房运维","approved":"210"}]"#;
        let fund = create(
            &p,
            &finance,
            "special_fund",
            cmd(
                "create",
                input(&[
                    ("title", "小额测试专项"),
                    ("year", "2026"),
                    ("lines", lines),
                ]),
            ),
        )
        .await
        .unwrap();
        perform(&p, &finance, fund, cmd("submit", domain::Input::new()))
            .await
            .unwrap();
        perform(
            &p,
            &evm,
            fund,
            cmd("approve", input(&[("approval_no", "宛政〔2026〕9号")])),
        )
        .await
        .unwrap();
        let fund_no = view(&p, &finance, fund).await.unwrap().row.number;
        let one = || {
            cmd(
                "create",
                input(&[
                    ("fund", &fund_no),
                    ("title", "机房运维"),
                    ("allocation", r#"[{"line":"1","amount":"1"}]"#),
                ]),
            )
        };
        for _ in 0..210 {
            create(&p, &finance, "fund_allocation", one())
                .await
                .unwrap();
        }
        assert!(matches!(
            create(&p, &finance, "fund_allocation", one()).await,
            Err(AppError::Denied(_))
        ));
        let left = app::funds::lines(&p, &finance, fund).await.unwrap();
        assert_eq!((left[0].draws[0].fen, left[0].left_fen), (21_000, 0));
    }
}

/// R27.1: the Company files a year's final accounts with the Bureau, Finance and the NDRC (each
/// acknowledges them, in any order); the Bureau reviews them with Finance and Audit, each giving
/// its opinion; the review is closed only once its findings are answered and closed.
#[tokio::test]
async fn r27_1_final_accounts_are_filed_with_three_bodies_and_reviewed_to_closure() {
    for p in with_projects("fund-accounts").await {
        let pm = principal(&p, "company.pm").await.unwrap();
        let head = principal(&p, "bureau.head").await.unwrap();
        let finance = principal(&p, "finance.officer").await.unwrap();
        let auditor = principal(&p, "audit.auditor").await.unwrap();
        let none = domain::Input::new;
        let id = create(
            &p,
            &pm,
            "final_accounts",
            cmd(
                "create",
                input(&[
                    ("title", "2026年度财务决算"),
                    ("scope", "year"),
                    ("year", "2026"),
                    ("budget", "85,000,000"),
                    ("spent", "61,300,000"),
                    ("summary", "年度投资计划执行情况和资金使用情况。"),
                ]),
            ),
        )
        .await
        .unwrap();
        // Filed only with its report.
        assert!(matches!(
            perform(&p, &pm, id, cmd("file", none())).await,
            Err(AppError::Denied(_))
        ));
        app::files::attach(&p, &pm, id, "决算报告.pdf", pdf())
            .await
            .unwrap();
        perform(&p, &pm, id, cmd("file", none())).await.unwrap();
        for (n, who) in ["finance.officer", "ndrc.officer", "bureau.planner"]
            .iter()
            .enumerate()
        {
            let who = principal(&p, who).await.unwrap();
            perform(&p, &who, id, cmd("acknowledge", none()))
                .await
                .unwrap();
            let want = if n < 2 { "filed" } else { "acknowledged" };
            assert_eq!(
                state(&p, id).await,
                want,
                "after {} acknowledgements",
                n + 1
            );
        }
        let start = cmd("start_review", input(&[("reviewer", "joint")]));
        perform(&p, &head, id, start).await.unwrap();
        let opinion = cmd(
            "finance_opinion",
            input(&[("finance_opinion", "资金使用合规。")]),
        );
        perform(&p, &finance, id, opinion).await.unwrap();
        let opinion = cmd(
            "audit_opinion",
            input(&[("audit_opinion", "一笔支出凭证不全。")]),
        );
        perform(&p, &auditor, id, opinion).await.unwrap();
        let number = view(&p, &pm, id).await.unwrap().row.number;
        let finding = create(
            &p,
            &auditor,
            "accounts_finding",
            cmd(
                "create",
                input(&[
                    ("accounts", &number),
                    ("finding", "支出凭证不全"),
                    ("detail", "第三季度一笔运维费缺少验收单，请补齐。"),
                ]),
            ),
        )
        .await
        .unwrap();
        let conclude = cmd(
            "record_review",
            input(&[("conclusion", "总体合规，问题待整改。")]),
        );
        perform(&p, &head, id, conclude).await.unwrap();
        match perform(&p, &head, id, cmd("close_review", none())).await {
            Err(AppError::Denied(d)) => assert!(d.reason.zh.contains("尚未全部整改销号"), "{d:?}"),
            other => panic!("an open finding holds the review: {other:?}"),
        }
        let answer = cmd("answer", input(&[("response", "已补齐验收单。")]));
        perform(&p, &pm, finding, answer).await.unwrap();
        let close = cmd("close", input(&[("verdict", "已核实。")]));
        perform(&p, &head, finding, close).await.unwrap();
        perform(&p, &head, id, cmd("close_review", none()))
            .await
            .unwrap();
        assert_eq!(state(&p, id).await, "closed");
    }
}

/// R28.1 (art. 10, 28): a securitisation is reported with its asset scope, equity split, fund
/// flows and owners' equity, linked to the Financial Affairs Office's guidance, and is
/// supervised only when the Bureau, Finance and the Office have each recorded their opinion.
#[tokio::test]
async fn r28_1_a_financing_event_is_supervised_by_the_bureau_finance_and_financial_affairs() {
    for p in with_projects("fund-financing").await {
        let pm = principal(&p, "company.pm").await.unwrap();
        let guidance = testkit::peek::first(&p, "guidance", "上市").await.number;
        let id = create(
            &p,
            &pm,
            "financing_event",
            cmd(
                "create",
                input(&[
                    ("title", "政务云资产支持专项计划"),
                    ("event_type", "securitisation"),
                    ("amount", "200,000,000"),
                    ("asset_scope", "政务云一期、二期机房设备和十年服务收费权。"),
                    (
                        "equity",
                        "原始权益人为公司，优先级 90%，次级 10% 由公司自持。",
                    ),
                    ("fund_flow", "募集资金专户存放，用于年度计划内项目建设。"),
                    ("owners_equity", "不稀释市财政持股比例。"),
                    ("guidance", &guidance),
                ]),
            ),
        )
        .await
        .unwrap();
        app::files::attach(&p, &pm, id, "专项计划说明书.pdf", pdf())
            .await
            .unwrap();
        perform(&p, &pm, id, cmd("report", domain::Input::new()))
            .await
            .unwrap();
        for (n, who) in ["bureau.head", "finance.officer", "finaff.officer"]
            .iter()
            .enumerate()
        {
            let who = principal(&p, who).await.unwrap();
            let c = cmd(
                "supervise",
                input(&[("opinion", "同意，按方案执行并按季度报告资金使用。")]),
            );
            perform(&p, &who, id, c).await.unwrap();
            let want = if n < 2 { "reported" } else { "supervised" };
            assert_eq!(state(&p, id).await, want, "after {} of the three", n + 1);
        }
    }
}

/// Rewrites one file of a zip (the others as they are).
fn rezip(zip: &[u8], name: &str, edit: impl Fn(Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut a = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..a.len() {
        let mut e = a.by_index(i).unwrap();
        let mut b = Vec::new();
        e.read_to_end(&mut b).unwrap();
        let n = e.name().unwrap().to_string();
        let b = if n == name { edit(b) } else { b };
        w.start_file(n, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&b).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// R12.1 (art. 12): Audit exports every fund record with its full history as a package that is
/// checked offline: intact as exported; one byte changed anywhere, a record's state edited, or
/// an event rewritten with the manifest made to match, and it is not. Only Audit exports it,
/// and the export is in the security record.
#[tokio::test]
async fn r12_1_the_auditors_package_verifies_offline_and_fails_after_one_changed_byte() {
    for p in with_projects("fund-package").await {
        let auditor = principal(&p, "audit.auditor").await.unwrap();
        let pm = principal(&p, "company.pm").await.unwrap();
        assert!(
            app::package::export(&p, &pm).await.is_err(),
            "only Audit exports it"
        );
        let zip = app::package::export(&p, &auditor).await.unwrap();
        let key = p.key.public().to_hex();
        let r = app::package::verify(&zip, Some(&key));
        assert!(r.is_intact(), "{r}");
        assert!(r.records >= 4 && r.events >= 10, "{r}");
        let exported =
            testkit::peek::security_events(&p)
                .await
                .into_iter()
                .any(|(who, action, payload)| {
                    who == "audit.auditor"
                        && action == "export"
                        && payload.contains("audit_package")
                });
        assert!(exported, "the export is recorded");

        // One byte of the file, wherever it is: a header's time a zip reader ignores, the
        // compressed data, the central directory, the seal itself.
        let n = zip.len();
        for at in [0, 10, n / 3, n / 2, n - 200, n - 129, n - 1] {
            let mut bent = zip.clone();
            bent[at] ^= 0x01;
            let r = app::package::verify(&bent, Some(&key));
            assert!(!r.is_intact(), "byte {at} of {n} changed and still intact");
        }
        // A record's state, the file re-zipped: its digest no longer matches.
        let edited = rezip(&zip, "records.json", |b| {
            String::from_utf8(b)
                .unwrap()
                .replacen("\"allocated\"", "\"withdrawn\"", 1)
                .into_bytes()
        });
        // With the platform's key it is refused at its seal before anything is unpacked;
        // without it, the check goes on and names the file that changed.
        assert!(!app::package::verify(&edited, Some(&key)).is_intact());
        let r = app::package::verify(&edited, None);
        assert!(r.breaches.iter().any(|b| b.contains("records.json")), "{r}");
        // Another key than the platform's.
        let other = crypto::KeyPair::generate().unwrap().public().to_hex();
        assert!(!app::package::verify(&zip, Some(&other)).is_intact());
        // Without the auditor's own key it still checks, and says which key it trusted.
        let r = app::package::verify(&zip, None);
        assert!(r.is_intact() && r.to_string().contains("NOTE"), "{r}");
    }
}

/// Issue 14, point 9: the report per project, unit and year reads what the ceilings read: the
/// demo's payment under review counts as asked for (not paid), by its source; the year's line
/// is the sum of its projects'.
#[tokio::test]
async fn r25_1_the_funds_report_per_project_unit_and_year_adds_up() {
    use app::funds::report::{By, report};
    for p in with_projects("fund-report").await {
        let auditor = principal(&p, "audit.auditor").await.unwrap();
        let projects = report(&p, &auditor, By::Project).await.unwrap();
        let hotline = projects
            .iter()
            .find(|l| l.label.contains("12345"))
            .expect("the hotline project is reported");
        assert_eq!(hotline.disbursed_fen, 20_700_000);
        assert_eq!(hotline.paid_fen, 0);
        assert_eq!(hotline.by_source.get("own"), Some(&20_700_000));
        assert_eq!(hotline.left_fen, hotline.budget_fen - 20_700_000);
        let years = report(&p, &auditor, By::Year).await.unwrap();
        let sum = |f: fn(&app::funds::report::Line) -> i64, ls: &[app::funds::report::Line]| {
            ls.iter().map(f).sum::<i64>()
        };
        assert_eq!(
            sum(|l| l.budget_fen, &years),
            sum(|l| l.budget_fen, &projects)
        );
        assert_eq!(
            sum(|l| l.disbursed_fen, &years),
            sum(|l| l.disbursed_fen, &projects)
        );
        let units = report(&p, &auditor, By::Unit).await.unwrap();
        assert!(
            units.iter().any(|l| l.label.contains("自然资源")),
            "{units:?}"
        );
        // A role that may not read the payments is not told their amounts either.
        let clerk = principal(&p, "zrzy.clerk").await.unwrap();
        let theirs = report(&p, &clerk, By::Project).await.unwrap();
        assert!(
            theirs
                .iter()
                .all(|l| l.disbursed_fen == 0 && l.by_source.is_empty()),
            "{theirs:?}"
        );
    }
}
