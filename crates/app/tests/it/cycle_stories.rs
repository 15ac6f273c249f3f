//! The annual cycle as stories on SQLite and (when TEST_DATABASE_URL is set) PostgreSQL:
//! a change request making a new version, overlap checks, the Excel import, the plan against
//! its ceiling.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

use app::import::Imported;
use app::items::{Command, ListQuery, create, list, perform, view};
use demo::principal;
use domain::{Input, ItemId};
use testkit::each_backend;

fn input(pairs: &[(&str, &str)]) -> Input {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn cmd(action: &str, input: Input) -> Command {
    Command {
        action: action.into(),
        input,
        then: None,
        idempotency: None,
    }
}

fn parking() -> Input {
    input(&[
        ("title", "智慧停车综合管理平台"),
        ("problem", "中心城区停车难，路内泊位收费不规范"),
        ("scope", "中心城区路内泊位和公共停车场"),
        ("functions", "泊位查询、预约、无感支付，峰值并发2000"),
        ("logic", "查询→预约→入场→离场→支付"),
        ("budget", "3,200,000"),
    ])
}

/// R13.3: a submitted demand changes only through a validated and approved change request,
/// which makes a new version; the old version stays readable.
#[tokio::test]
async fn r13_3_an_approved_change_makes_a_new_version_and_the_old_one_stays_readable() {
    for p in each_backend("change").await {
        let clerk = principal(&p, "jtj.clerk").await.unwrap();
        let analyst = principal(&p, "dc.analyst").await.unwrap();
        let head = principal(&p, "bureau.head").await.unwrap();
        let id = create(
            &p,
            &clerk,
            "demand",
            Command {
                then: Some("submit".into()),
                ..cmd("create", parking())
            },
        )
        .await
        .unwrap();
        let number = view(&p, &clerk, id).await.unwrap().row.number;
        let mut change = parking();
        change.insert("demand".into(), number.clone());
        change.insert("change_reason".into(), "增加充电桩管理".into());
        change.insert(
            "functions".into(),
            "泊位查询、预约、无感支付、充电桩管理".into(),
        );
        change.insert("budget".into(), "3,600,000".into());
        let cr = create(
            &p,
            &clerk,
            "demand_change",
            Command {
                then: Some("submit".into()),
                ..cmd("create", change)
            },
        )
        .await
        .unwrap();
        // Before approval the demand keeps its content.
        let before = view(&p, &clerk, id).await.unwrap().row.item;
        assert_eq!(before.field("budget"), "320000000");
        perform(
            &p,
            &analyst,
            cr,
            cmd(
                "validate",
                input(&[("validation", "新增功能必要，预算合理")]),
            ),
        )
        .await
        .unwrap();
        perform(
            &p,
            &head,
            cr,
            cmd("approve", input(&[("decision", "同意变更")])),
        )
        .await
        .unwrap();
        let after = view(&p, &clerk, id).await.unwrap();
        assert_eq!(after.row.item.field("budget"), "360000000");
        assert_eq!(
            after.row.item.state, "submitted",
            "the demand stays where it was"
        );
        let versions = app::cycle::versions(&p, &clerk, id).await.unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0].fields["budget"], "320000000");
        assert_eq!(
            versions[1].fields["functions"],
            "泊位查询、预约、无感支付、充电桩管理"
        );
        let kind = p.policy.kind("demand").unwrap();
        let diff = app::cycle::compare(
            kind,
            &app::cycle::content_fields(kind),
            &versions[0].fields,
            &versions[1].fields,
        );
        let changed: Vec<&str> = diff
            .iter()
            .filter(|r| r.changed)
            .map(|r| r.field.as_str())
            .collect();
        assert_eq!(changed, ["functions", "budget"]);
        // The record still verifies after the change.
        let r = app::audit::verify(&p.store, &p.trust().unwrap(), &p.policy)
            .await
            .unwrap();
        assert!(r.is_intact(), "{r}");
    }
}

/// R13.3: a change request for a demand still in draft is refused: a draft is simply edited.
#[tokio::test]
async fn r13_3_a_change_request_needs_a_frozen_demand() {
    for p in each_backend("change-draft").await {
        let clerk = principal(&p, "jtj.clerk").await.unwrap();
        let id = create(&p, &clerk, "demand", cmd("create", parking()))
            .await
            .unwrap();
        let number = view(&p, &clerk, id).await.unwrap().row.number;
        let mut change = parking();
        change.insert("demand".into(), number);
        change.insert("change_reason".into(), "x".into());
        let err = create(&p, &clerk, "demand_change", cmd("create", change))
            .await
            .unwrap_err();
        assert!(
            format!("{err:?}").contains("尚未审核通过") || format!("{err:?}").contains("草稿"),
            "{err:?}"
        );
    }
}

/// R13.4: the analysis shows the registered system a new demand overlaps, with its score.
#[tokio::test]
async fn r13_4_the_overlap_check_finds_the_registered_parking_system() {
    for p in each_backend("similar").await {
        let clerk = principal(&p, "jtj.clerk").await.unwrap();
        let analyst = principal(&p, "dc.analyst").await.unwrap();
        let id = create(
            &p,
            &clerk,
            "demand",
            Command {
                then: Some("submit".into()),
                ..cmd("create", parking())
            },
        )
        .await
        .unwrap();
        let matches = app::similar::similar_to(&p, &analyst, id).await.unwrap();
        assert!(!matches.is_empty());
        let system = matches
            .iter()
            .find(|m| m.row.item.kind == "system")
            .expect("a registered system matches");
        assert!(
            system.row.title.contains("城市综合管理"),
            "{}",
            system.row.title
        );
        assert!(
            system.shared.iter().any(|t| t == "停车"),
            "{:?}",
            system.shared
        );
        assert!(matches.windows(2).all(|w| w[0].score >= w[1].score));
    }
}

fn template_with(rows: &[[&str; 9]]) -> Vec<u8> {
    use sheets::{Cell, Column, ColumnKind, Sheet};
    let headers = [
        "需求名称",
        "联系人及电话",
        "涉密情况",
        "解决的问题",
        "使用范围",
        "功（性）能要求",
        "功能逻辑",
        "技术路线要求（必要时）",
        "预算估算（元）",
        "预期效益",
    ];
    let columns = headers
        .iter()
        .map(|h| Column::new(*h, ColumnKind::Text))
        .collect();
    let sheet = Sheet::new("需求方案", columns).title("需求方案导入模板");
    let sheet = Sheet {
        rows: rows
            .iter()
            // The classification column left empty: it takes its default, 非涉密.
            .map(|r| {
                let mut cells: Vec<Cell> = r.iter().map(|v| Cell::from(*v)).collect();
                cells.insert(2, Cell::Empty);
                cells
            })
            .collect(),
        ..sheet
    };
    sheets::write(&[sheet]).unwrap()
}

/// RX.4, R13.2: an import of 3 good and 2 bad rows imports nothing and names the 2 by row
/// and column; with the bad rows fixed the 3 become drafts.
#[tokio::test]
async fn rx_4_an_import_with_bad_rows_imports_nothing_and_names_each_row_and_column() {
    for p in each_backend("import").await {
        let clerk = principal(&p, "wjw.clerk").await.unwrap();
        let good = |t: &'static str| {
            [
                t,
                "周敏 0377-1",
                "问题",
                "范围",
                "功能",
                "逻辑",
                "",
                "100000",
                "",
            ]
        };
        let mut rows = vec![good("影像云"), good("预约挂号"), good("家庭医生签约")];
        rows.insert(
            1,
            ["", "", "问题", "范围", "功能", "逻辑", "", "100000", ""],
        );
        rows.push([
            "健康档案",
            "",
            "问题",
            "范围",
            "功能",
            "逻辑",
            "",
            "十万元",
            "",
        ]);
        let before = count(&p, &clerk).await;
        let result = app::import::import(&p, &clerk, "demand", template_with(&rows))
            .await
            .unwrap();
        let Imported::Refused(errors) = result else {
            panic!("expected a refusal, got {result:?}");
        };
        let places: Vec<(u32, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(places[0].0, 4);
        assert!(places[0].1.contains("A 列"), "{places:?}");
        assert_eq!(places[1].0, 7);
        assert!(places[1].1.contains("I 列"), "{places:?}");
        assert_eq!(count(&p, &clerk).await, before, "nothing half-imported");
        // RX.5 (issue 11, point 6): the refused import is in the security record, naming the
        // columns refused, not what the cells held.
        let refused = super::admin_stories::records(&p, "step", "refused").await;
        let (_, payload) = refused
            .iter()
            .find(|(_, d)| d.contains("\"import\""))
            .expect("the refused import is recorded");
        assert!(payload.contains("2 problems"), "{payload}");
        assert!(!payload.contains("十万元"), "{payload}");
        let fixed = [good("影像云"), good("预约挂号"), good("家庭医生签约")];
        let Imported::Done(ids) = app::import::import(&p, &clerk, "demand", template_with(&fixed))
            .await
            .unwrap()
        else {
            panic!("the fixed file imports");
        };
        assert_eq!(ids.len(), 3);
        assert_eq!(count(&p, &clerk).await, before + 3);
        let first = view(&p, &clerk, ids[0]).await.unwrap().row.item;
        assert_eq!(first.state, "draft");
        assert_eq!(first.field("budget"), "10000000");
    }
}

async fn count(p: &app::Platform, who: &app::Principal) -> i64 {
    list(
        p,
        who,
        &ListQuery {
            kind: "demand".into(),
            ..ListQuery::default()
        },
    )
    .await
    .unwrap()
    .total
}

/// R13.5: the plan's total is checked against the special-fund ceiling.
#[tokio::test]
async fn r13_5_a_plan_over_its_ceiling_warns_with_the_excess() {
    for p in each_backend("plan").await {
        let planner = principal(&p, "bureau.planner").await.unwrap();
        let plan = create(
            &p,
            &planner,
            "plan",
            cmd(
                "create",
                input(&[("title", "2027年度建设任务"), ("year", "2027")]),
            ),
        )
        .await
        .unwrap();
        let number = view(&p, &planner, plan).await.unwrap().row.number;
        for (seq, title, budget) in [("1", "项目甲", "3,000,000"), ("2", "项目乙", "2,500,000")]
        {
            create(
                &p,
                &planner,
                "plan_item",
                cmd(
                    "create",
                    input(&[
                        ("plan", &number),
                        ("seq", seq),
                        ("title", title),
                        ("budget", budget),
                        ("mode", "special_fund"),
                    ]),
                ),
            )
            .await
            .unwrap();
        }
        // Art. 9: the ceiling is Finance's proposal from the plan.
        super::supervision_stories::review_and_fund(&p, plan, "5,000,000").await;
        let row = view(&p, &planner, plan).await.unwrap().row;
        let v = app::cycle::plan_view(&p, &planner, &row).await.unwrap();
        assert_eq!(v.lines.len(), 2);
        assert_eq!(v.total_fen, 550_000_000);
        assert_eq!(v.over_ceiling(), Some(50_000_000));
        let _ = ItemId::new(0);
    }
}

/// R13.5: the task book can be issued only after the meeting's decision; it is generated as
/// .docx and PDF listing every plan item with its budget, and the digests in the record are
/// those of the files kept.
#[tokio::test]
async fn r13_5_the_task_book_lists_every_item_and_its_digests_match_the_record() {
    for p in each_backend("taskbook").await {
        let planner = principal(&p, "bureau.planner").await.unwrap();
        let head = principal(&p, "bureau.head").await.unwrap();
        let plan = create(
            &p,
            &planner,
            "plan",
            cmd(
                "create",
                input(&[("title", "2027年度建设任务"), ("year", "2027")]),
            ),
        )
        .await
        .unwrap();
        let number = view(&p, &planner, plan).await.unwrap().row.number;
        for (seq, title, budget) in [
            ("1", "政务云扩容", "3,000,000"),
            ("2", "一网统管二期", "2,560,000"),
        ] {
            create(
                &p,
                &planner,
                "plan_item",
                cmd(
                    "create",
                    input(&[
                        ("plan", &number),
                        ("seq", seq),
                        ("title", title),
                        ("budget", budget),
                        ("mode", "special_fund"),
                    ]),
                ),
            )
            .await
            .unwrap();
        }
        super::supervision_stories::review_and_fund(&p, plan, "9,000,000").await;
        perform(&p, &head, plan, cmd("to_meeting", Input::new()))
            .await
            .unwrap();
        let early = perform(
            &p,
            &head,
            plan,
            cmd(
                "issue_taskbook",
                input(&[("taskbook_no", "宛政数〔2026〕12号")]),
            ),
        )
        .await
        .unwrap_err();
        assert!(
            format!("{early:?}").contains("提请常务会议审定"),
            "{early:?}"
        );
        // The meeting's minutes are attached to the plan as a file, its digest in the record.
        let minutes = b"%PDF-1.7\n% minutes of the 23rd executive meeting\n%%EOF\n".to_vec();
        app::files::attach(
            &p,
            &planner,
            plan,
            "第23次常务会议纪要.pdf",
            minutes.clone(),
        )
        .await
        .unwrap();
        let listed = view(&p, &planner, plan).await.unwrap().row.item;
        assert!(
            listed
                .field("minutes_files")
                .starts_with(&crypto::sm3_hex(&minutes))
        );
        perform(
            &p,
            &principal(&p, "bureau.planner2").await.unwrap(),
            plan,
            cmd(
                "record_approval",
                input(&[
                    ("meeting_no", "市政府第23次常务会议"),
                    ("meeting_date", "2026-11-20"),
                    ("minutes", "原则同意"),
                ]),
            ),
        )
        .await
        .unwrap();
        // A digest typed by a user is ignored: only the platform fills it.
        perform(
            &p,
            &head,
            plan,
            cmd(
                "issue_taskbook",
                input(&[
                    ("taskbook_no", "宛政数〔2026〕12号"),
                    ("taskbook_pdf_sm3", "forged"),
                ]),
            ),
        )
        .await
        .unwrap();
        let row = view(&p, &head, plan).await.unwrap().row;
        assert_eq!(row.item.state, "issued");
        let docx = app::taskbook::file(&p, &head, plan, app::taskbook::DOCX)
            .await
            .unwrap();
        let pdf = app::taskbook::file(&p, &head, plan, app::taskbook::PDF)
            .await
            .unwrap();
        assert_eq!(
            row.item.field("taskbook_docx_sm3"),
            crypto::sm3_hex(&docx.content)
        );
        assert_eq!(
            row.item.field("taskbook_pdf_sm3"),
            crypto::sm3_hex(&pdf.content)
        );
        assert_eq!(docx.sm3, crypto::sm3_hex(&docx.content));
        let xml = {
            use std::io::Read;
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx.content)).unwrap();
            let mut s = String::new();
            z.by_name("word/document.xml")
                .unwrap()
                .read_to_string(&mut s)
                .unwrap();
            s
        };
        let text = pdf_extract::extract_text_from_mem(&pdf.content).unwrap();
        let squeezed: String = text.split_whitespace().collect();
        for want in [
            "政务云扩容",
            "300.00",
            "一网统管二期",
            "256.00",
            "556.00",
            "宛政数〔2026〕12号",
        ] {
            assert!(xml.contains(want), "docx lacks {want}");
            assert!(squeezed.contains(want), "pdf lacks {want}: {squeezed}");
        }
    }
}

/// R13.2: attachments are recognised by content and size-capped; each one's digest enters the
/// record, and they are frozen with the submitted demand.
#[tokio::test]
async fn r13_2_attachments_are_checked_by_content_and_frozen_with_the_demand() {
    for p in each_backend("attach").await {
        let clerk = principal(&p, "jtj.clerk").await.unwrap();
        let id = create(&p, &clerk, "demand", cmd("create", parking()))
            .await
            .unwrap();
        let pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
        app::files::attach(&p, &clerk, id, "需求说明.pdf", pdf.clone())
            .await
            .unwrap();
        // A text file named .pdf, and a PDF named .png, are refused and nothing is kept.
        let refused_before = super::admin_stories::records(&p, "step", "refused")
            .await
            .len();
        let fake = app::files::attach(&p, &clerk, id, "假的.pdf", b"just text".to_vec())
            .await
            .unwrap_err();
        assert!(format!("{fake:?}").contains("无法识别"), "{fake:?}");
        let renamed = app::files::attach(&p, &clerk, id, "图.png", pdf.clone())
            .await
            .unwrap_err();
        assert!(format!("{renamed:?}").contains("扩展名"), "{renamed:?}");
        let big = app::files::attach(
            &p,
            &clerk,
            id,
            "大.pdf",
            vec![b'%'; app::files::MAX_BYTES + 1],
        )
        .await
        .unwrap_err();
        assert!(format!("{big:?}").contains("20 MB"), "{big:?}");
        // The cap is a setting (SECURITY.md allows up to 200 MB): a server set to 1 MB names it.
        let small = p.with_settings(|s| s.max_upload_bytes = 1024 * 1024);
        let over = app::files::attach(&small, &clerk, id, "大.pdf", vec![b'%'; 1024 * 1024 + 1])
            .await
            .unwrap_err();
        assert!(format!("{over:?}").contains("1 MB"), "{over:?}");
        // RX.5 (issue 11, point 6): each refused upload is in the security record.
        let refused = super::admin_stories::records(&p, "step", "refused").await;
        assert_eq!(refused.len() - refused_before, 4, "{refused:?}");
        assert!(
            refused[refused_before..]
                .iter()
                .all(|(who, d)| who == "jtj.clerk" && d.contains("\"attach\"")),
            "{refused:?}"
        );
        let item = view(&p, &clerk, id).await.unwrap();
        let listed = item.row.item.field("attachments").to_string();
        assert_eq!(listed, format!("{} 需求说明.pdf", crypto::sm3_hex(&pdf)));
        assert!(item.history.iter().any(|e| e.event.action == "attach"));
        let kept = app::taskbook::file(&p, &clerk, id, "需求说明.pdf")
            .await
            .unwrap();
        assert_eq!(kept.content, pdf);
        // Another unit cannot attach to this demand, and after submission nobody can.
        let other = principal(&p, "wjw.clerk").await.unwrap();
        assert!(
            app::files::attach(&p, &other, id, "x.pdf", pdf.clone())
                .await
                .is_err()
        );
        perform(&p, &clerk, id, cmd("submit", Input::new()))
            .await
            .unwrap();
        let frozen = app::files::attach(&p, &clerk, id, "补充.pdf", pdf.clone())
            .await
            .unwrap_err();
        assert!(
            format!("{frozen:?}").contains("不得修改") || format!("{frozen:?}").contains("不能"),
            "{frozen:?}"
        );
        assert_eq!(
            app::files::sniff(b"\x89PNG\r\n\x1a\nxxxx"),
            Some(app::files::FileType::Png)
        );
    }
}

/// The newest campaign the principal sees.
async fn first_campaign(p: &app::Platform, who: &app::Principal) -> ItemId {
    let campaigns = list(
        p,
        who,
        &ListQuery {
            kind: "campaign".into(),
            ..ListQuery::default()
        },
    )
    .await
    .unwrap();
    campaigns.rows[0].id
}

/// R13.1: three working days before a campaign closes, invited units that have not submitted
/// are reminded in their inbox; units that have submitted are not.
#[tokio::test]
async fn r13_1_units_that_have_not_submitted_are_reminded_before_the_campaign_closes() {
    for p in each_backend("remind").await {
        let planner = principal(&p, "bureau.planner").await.unwrap();
        let jtj = principal(&p, "mzj.clerk").await.unwrap();
        let campaign = first_campaign(&p, &planner).await;
        let today = p.today();
        let adjust = |closes: chrono::NaiveDate| {
            let row = input(&[
                ("opens", &(today - chrono::Days::new(20)).to_string()),
                ("closes", &closes.to_string()),
            ]);
            cmd("adjust", row)
        };
        // Far from the close: no reminder (when the calendar knows the year).
        let far = today + chrono::Days::new(30);
        perform(&p, &planner, campaign, adjust(far)).await.unwrap();
        if p.settings.calendar.is_working_day(far).is_ok() {
            assert!(app::cycle::reminders(&p, &jtj).await.unwrap().is_empty());
        }
        // The day before the close: the unit that has not submitted is reminded.
        perform(&p, &planner, campaign, adjust(today + chrono::Days::new(1)))
            .await
            .unwrap();
        let reminders = app::cycle::reminders(&p, &jtj).await.unwrap();
        assert_eq!(reminders.len(), 1, "{reminders:?}");
        // Once it submits, the reminder is gone.
        create(
            &p,
            &jtj,
            "demand",
            Command {
                then: Some("submit".into()),
                ..cmd("create", parking())
            },
        )
        .await
        .unwrap();
        assert!(app::cycle::reminders(&p, &jtj).await.unwrap().is_empty());
        // Roles that do not submit demands get no reminder.
        assert!(
            app::cycle::reminders(&p, &planner)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

/// RX.4: lists filter by unit and by opinion, with the right totals.
#[tokio::test]
async fn rx_4_lists_filter_by_opinion_and_unit_with_the_right_total() {
    for p in each_backend("facets").await {
        let analyst = principal(&p, "dc.analyst").await.unwrap();
        let all = list(
            &p,
            &analyst,
            &ListQuery {
                kind: "demand".into(),
                per_page: 100,
                ..ListQuery::default()
            },
        )
        .await
        .unwrap();
        let accepted = list(
            &p,
            &analyst,
            &ListQuery {
                kind: "demand".into(),
                facet: Some("accept".into()),
                per_page: 100,
                ..ListQuery::default()
            },
        )
        .await
        .unwrap();
        assert!(accepted.total >= 1 && accepted.total < all.total);
        assert_eq!(accepted.total, accepted.rows.len() as i64);
        for r in &accepted.rows {
            let item = view(&p, &analyst, r.id).await.unwrap().row.item;
            assert_eq!(item.field("opinion"), "accept");
        }
        let owner = accepted.rows[0].owner_org;
        let of_unit = list(
            &p,
            &analyst,
            &ListQuery {
                kind: "demand".into(),
                owner: Some(owner.get()),
                ..ListQuery::default()
            },
        )
        .await
        .unwrap();
        assert!(of_unit.rows.iter().all(|r| r.owner_org == owner));
        assert_eq!(of_unit.total, of_unit.rows.len() as i64);
    }
}

/// RX.2, R13.2: a kept file swapped behind the platform's back (even with its digest column
/// rewritten) is named by `audit verify`, because the record holds the original digest.
#[tokio::test]
async fn rx_2_a_swapped_attachment_is_named_by_audit_verify() {
    for p in each_backend("swap").await {
        let clerk = principal(&p, "jtj.clerk").await.unwrap();
        let id = create(&p, &clerk, "demand", cmd("create", parking()))
            .await
            .unwrap();
        let pdf = b"%PDF-1.7\n% the real one\n%%EOF\n".to_vec();
        app::files::attach(&p, &clerk, id, "说明.pdf", pdf)
            .await
            .unwrap();
        let r = app::audit::verify(&p.store, &p.trust().unwrap(), &p.policy)
            .await
            .unwrap();
        assert!(r.is_intact(), "{r}");
        let forged = b"%PDF-1.7\n% a forged one\n%%EOF\n".to_vec();
        {
            let mut c = p.store.read().await.unwrap();
            store::sqlx::query("UPDATE files SET content = $1, sm3 = $2 WHERE item_id = $3")
                .bind(forged.clone())
                .bind(crypto::sm3_hex(&forged))
                .bind(id.get())
                .execute(&mut *c)
                .await
                .unwrap();
        }
        let r = app::audit::verify(&p.store, &p.trust().unwrap(), &p.policy)
            .await
            .unwrap();
        let b = r
            .breaches
            .first()
            .cloned()
            .expect("a swapped file must be reported");
        assert_eq!(b.stream, format!("item:{}", id.get()));
        assert!(b.what.contains("说明.pdf"), "{}", b.what);
    }
}

/// Issue 11, point 13 (R13.1): once the Bureau narrows the campaign to some units, another
/// unit's submission is refused saying it is not invited, and it gets no reminder; adding it
/// back lets it submit.
#[tokio::test]
async fn r13_1_a_unit_left_out_of_the_campaign_cannot_submit_in_it_until_invited() {
    for p in each_backend("invited").await {
        let planner = principal(&p, "bureau.planner").await.unwrap();
        let mzj = principal(&p, "mzj.clerk").await.unwrap();
        let jtj = principal(&p, "jtj.clerk").await.unwrap();
        let campaign = first_campaign(&p, &planner).await;
        let today = p.today();
        let adjust = |invited: String| {
            cmd(
                "adjust",
                input(&[
                    ("opens", &(today - chrono::Days::new(2)).to_string()),
                    ("closes", &(today + chrono::Days::new(1)).to_string()),
                    ("invited", &invited),
                ]),
            )
        };
        perform(&p, &planner, campaign, adjust(jtj.org.id.get().to_string()))
            .await
            .unwrap();
        let submit = || Command {
            then: Some("submit".into()),
            ..cmd("create", parking())
        };
        let e = create(&p, &mzj, "demand", submit()).await.unwrap_err();
        assert!(super::duty_stories::refusal(&e).contains("征集范围"));
        assert!(app::cycle::reminders(&p, &mzj).await.unwrap().is_empty());
        let both = format!("{},{}", jtj.org.id.get(), mzj.org.id.get());
        perform(&p, &planner, campaign, adjust(both)).await.unwrap();
        create(&p, &mzj, "demand", submit()).await.unwrap();
    }
}

/// Issue 11, point 16 (R13.4): the year's demands rank by the Data Center's scores, by the
/// total or by one score, best first, and those without that score last.
#[tokio::test]
async fn r13_4_the_years_demands_rank_by_the_opinions_scores() {
    for p in each_backend("ranking").await {
        let planner = principal(&p, "bureau.planner").await.unwrap();
        let campaign = testkit::peek::first(&p, "campaign", "需求征集").await;
        let by_total = app::cycle::ranking::ranking(&p, &planner, "demand", &campaign, None)
            .await
            .unwrap();
        assert_eq!(by_total.fields.len(), 3);
        let totals: Vec<Option<i64>> = by_total.rows.iter().map(|r| r.total).collect();
        assert!(totals.iter().any(Option::is_some) && totals.iter().any(Option::is_none));
        let mut sorted = totals.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(totals, sorted, "best first, unscored last");
        let by_need =
            app::cycle::ranking::ranking(&p, &planner, "demand", &campaign, Some("score_need"))
                .await
                .unwrap();
        let needs: Vec<Option<i64>> = by_need.rows.iter().map(|r| r.scores[0]).collect();
        let mut sorted = needs.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(needs, sorted);
        // A name that is no score ranks by the total.
        let odd = app::cycle::ranking::ranking(&p, &planner, "demand", &campaign, Some("title"))
            .await
            .unwrap();
        assert!(odd.by.is_none());
    }
}

/// Issue 11, point 15 (R13.4, R13.5): the Data Center reports one compilation opinion on the
/// year's plan; the Bureau has it to acknowledge and reads it beside the plan of that year,
/// and a draft the Data Center still holds is not shown.
#[tokio::test]
async fn r13_5_the_bureau_reads_the_data_centers_compilation_opinion_beside_the_plan() {
    for p in each_backend("plan-opinion").await {
        let planner = principal(&p, "bureau.planner").await.unwrap();
        let campaign = testkit::peek::first(&p, "campaign", "需求征集").await;
        let year = campaign.item.field("year").to_string();
        let plan = create(
            &p,
            &planner,
            "plan",
            cmd(
                "create",
                input(&[("title", "下一年度建设任务"), ("year", &year)]),
            ),
        )
        .await
        .unwrap();
        let plan = testkit::peek::item(&p, plan.get()).await;
        let opinions = app::cycle::plan_opinions(&p, &planner, &plan)
            .await
            .unwrap();
        assert_eq!(opinions.len(), 1, "the demo's reported opinion");
        assert!(opinions[0].item.field("summary").contains("编制意见"));
        let tasks = app::inbox::inbox(&p, &planner).await.unwrap();
        let id = opinions[0].item.id;
        assert!(tasks.iter().any(|t| t.row.item.id == id));
        // A second one the Data Center is still writing stays its own.
        let analyst = principal(&p, "dc.analyst").await.unwrap();
        create(
            &p,
            &analyst,
            "plan_opinion",
            cmd(
                "create",
                input(&[("campaign", &campaign.number), ("title", "补充意见")]),
            ),
        )
        .await
        .unwrap();
        assert_eq!(
            app::cycle::plan_opinions(&p, &planner, &plan)
                .await
                .unwrap()
                .len(),
            1
        );
        perform(&p, &planner, id, cmd("receive", Input::new()))
            .await
            .unwrap();
    }
}

/// Issue 12, point 10: the import template comes in the reader's language, and a sheet headed
/// in English imports as one headed in Chinese; a refusal names the column in English.
#[tokio::test]
async fn rx_4_an_english_import_template_reads_like_the_chinese_one() {
    use sheets::{Cell, Column, ColumnKind, Sheet};
    for p in each_backend("import-en").await {
        let clerk = principal(&p, "wjw.clerk").await.unwrap();
        let kind = p.policy.kind("demand").unwrap();
        let template = app::import::import_template(kind, domain::Lang::En).unwrap();
        assert!(template.starts_with(b"PK"), "an .xlsx");
        // The English labels of the columns the Chinese template test uses, from the policy.
        let zh = [
            "需求名称",
            "联系人及电话",
            "涉密情况",
            "解决的问题",
            "使用范围",
            "功（性）能要求",
            "功能逻辑",
            "技术路线要求（必要时）",
            "预算估算（元）",
            "预期效益",
        ];
        let en: Vec<String> = zh
            .iter()
            .map(|h| {
                kind.fields
                    .iter()
                    .find(|f| f.label.zh == *h)
                    .unwrap_or_else(|| panic!("no field {h}"))
                    .label
                    .en
                    .clone()
            })
            .collect();
        let columns = en
            .iter()
            .map(|h| Column::new(h, ColumnKind::Text))
            .collect();
        let row = |title: &str, budget: &str| {
            // The classification left empty: it takes its default, 非涉密.
            [
                title,
                "周敏 0377-1",
                "",
                "问题",
                "范围",
                "功能",
                "逻辑",
                "",
                budget,
                "",
            ]
            .iter()
            .map(|v| {
                if v.is_empty() {
                    Cell::Empty
                } else {
                    Cell::from(*v)
                }
            })
            .collect::<Vec<_>>()
        };
        let sheet = Sheet {
            rows: vec![
                row("Imaging cloud", "100000"),
                row("Online booking", "ten thousand"),
            ],
            ..Sheet::new("Demands", columns)
        };
        let result = app::import::import(
            &p,
            &clerk,
            "demand",
            sheets::write(std::slice::from_ref(&sheet)).unwrap(),
        )
        .await
        .unwrap();
        let Imported::Refused(errors) = result else {
            panic!("expected a refusal, got {result:?}");
        };
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].row, 3, "{errors:?}");
        let good = Sheet {
            rows: vec![row("Imaging cloud", "100000")],
            ..sheet
        };
        let Imported::Done(ids) =
            app::import::import(&p, &clerk, "demand", sheets::write(&[good]).unwrap())
                .await
                .unwrap()
        else {
            panic!("the English sheet imports");
        };
        assert_eq!(ids.len(), 1);
        assert_eq!(
            view(&p, &clerk, ids[0])
                .await
                .unwrap()
                .row
                .item
                .field("budget"),
            "10000000"
        );
    }
}
