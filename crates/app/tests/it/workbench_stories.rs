//! RX.3 and issue 12, point 12: the workbench reads a page at a time through the indexes and
//! counts apart, so it shows the same as reading everything would: 待办 earliest deadline first,
//! 已办 most recently handled first, 我发起的 newest first, each with its total; a search finds
//! the same items through the trigram index as by scanning.

use app::inbox::{done_by, started_by, todo};
use app::items::{ListQuery, list};
use demo::principal;
use testkit::each_backend;

/// RX.3: the analyst's 待办 paged two at a time is the whole 待办 in order, earliest deadline
/// first and nothing twice; its total is the number of tasks.
#[tokio::test]
async fn rx3_the_inbox_pages_tasks_by_deadline_and_counts_them() {
    for p in each_backend("workbench").await {
        let analyst = principal(&p, "dc.analyst").await.unwrap();
        let all = todo(&p, &analyst, 1, 200).await.unwrap();
        assert!(all.rows.len() >= 3, "the demo gives the analyst tasks");
        assert_eq!(all.total, i64::try_from(all.rows.len()).unwrap());
        let dues: Vec<_> = all.rows.iter().map(|t| t.row.item.due).collect();
        let mut sorted = dues.clone();
        sorted.sort_by_key(|d| (d.is_none(), *d));
        assert_eq!(dues, sorted, "earliest deadline first, none last");
        let mut paged = Vec::new();
        for page in 1..=(all.total + 1) / 2 {
            let part = todo(&p, &analyst, page, 2).await.unwrap();
            assert_eq!(part.total, all.total);
            paged.extend(part.rows.into_iter().map(|t| t.row.item.id));
        }
        let ids: Vec<_> = all.rows.iter().map(|t| t.row.item.id).collect();
        assert_eq!(paged, ids);
    }
}

/// RX.3: 已办 lists each item the analyst handled once, the last handled first, and 我发起的
/// the clerk's own demands; a step moves the item to the top of 已办.
#[tokio::test]
async fn rx3_done_and_started_are_read_from_the_persons_own_record() {
    for p in each_backend("workbench-done").await {
        let analyst = principal(&p, "dc.analyst").await.unwrap();
        let before = done_by(&p, &analyst, 1, 200).await.unwrap();
        let task = todo(&p, &analyst, 1, 1).await.unwrap().rows.remove(0);
        let step = task
            .actions
            .iter()
            .find(|a| a.inputs.is_empty() || a.id == "start_analysis")
            .unwrap_or(&task.actions[0]);
        app::items::perform(
            &p,
            &analyst,
            task.row.item.id,
            app::items::Command {
                action: step.id.clone(),
                input: domain::Input::new(),
                then: None,
                idempotency: None,
            },
        )
        .await
        .unwrap();
        let after = done_by(&p, &analyst, 1, 200).await.unwrap();
        assert_eq!(
            after.rows[0].item.id, task.row.item.id,
            "the last handled first"
        );
        let newly = i64::from(!before.rows.iter().any(|r| r.item.id == task.row.item.id));
        assert_eq!(after.total, before.total + newly);
        let mut ids: Vec<_> = after.rows.iter().map(|r| r.item.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), after.rows.len(), "each item once");

        let clerk = principal(&p, "zrzy.clerk").await.unwrap();
        let mine = started_by(&p, &clerk, 1, 200).await.unwrap();
        assert!(!mine.rows.is_empty());
        assert_eq!(mine.total, i64::try_from(mine.rows.len()).unwrap());
        for r in &mine.rows {
            assert_eq!(r.item.acts[0].user, clerk.user.id);
        }
        assert!(mine.rows.windows(2).all(|w| w[0].item.id > w[1].item.id));
    }
}

/// Issue 12, point 12: words of three characters or more are found through the trigram index,
/// shorter ones by a scan; either way a title or a number matches anywhere in it.
#[tokio::test]
async fn a_search_finds_words_anywhere_in_a_title_or_a_number_by_index_or_scan() {
    for p in each_backend("search").await {
        let analyst = principal(&p, "dc.analyst").await.unwrap();
        let search = |text: &str| ListQuery {
            kind: "demand".into(),
            text: Some(text.into()),
            page: 1,
            per_page: 100,
            ..ListQuery::default()
        };
        let row = testkit::peek::first(&p, "demand", "智慧校园").await;
        for words in ["智慧校园", "校园", row.number.as_str(), &row.number[3..]] {
            let found = list(&p, &analyst, &search(words)).await.unwrap();
            assert!(
                found.rows.iter().any(|r| r.id == row.item.id),
                "{words} does not find {}",
                row.title
            );
            assert!(!found.more);
            assert_eq!(found.total, i64::try_from(found.rows.len()).unwrap());
            assert!(
                found
                    .rows
                    .iter()
                    .all(|r| r.title.contains(words) || r.number.contains(words))
            );
        }
        // A quote in the words is a character to look for, not FTS syntax.
        let odd = list(&p, &analyst, &search("校园\" OR \"x")).await.unwrap();
        assert!(odd.rows.is_empty());
    }
}

/// Issue 12, point 11 (RX.4): a list sorts by number either way and by budget, largest
/// first and those without one last, with the same total, on both engines.
#[tokio::test]
async fn rx4_a_list_sorts_by_number_either_way_and_by_budget() {
    for p in each_backend("list-order").await {
        let planner = principal(&p, "bureau.planner").await.unwrap();
        let page = |order: app::items::Order| {
            let (p, planner) = (p.clone(), planner.clone());
            async move {
                list(
                    &p,
                    &planner,
                    &ListQuery {
                        kind: "demand".into(),
                        order,
                        page: 1,
                        per_page: 100,
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
            }
        };
        let newest = page(app::items::Order::Newest).await;
        let oldest = page(app::items::Order::Oldest).await;
        let by_budget = page(app::items::Order::Amount).await;
        assert!(newest.rows.len() >= 3);
        assert_eq!(newest.total, oldest.total);
        assert_eq!(newest.total, by_budget.total);
        let ids = |rows: &[app::items::Summary]| rows.iter().map(|r| r.id).collect::<Vec<_>>();
        let mut reversed = ids(&oldest.rows);
        reversed.reverse();
        assert_eq!(ids(&newest.rows), reversed);
        let amounts: Vec<Option<i64>> = by_budget.rows.iter().map(|r| r.amount_fen).collect();
        let mut sorted = amounts.clone();
        sorted.sort_by_key(|a| (a.is_none(), std::cmp::Reverse(*a)));
        assert_eq!(amounts, sorted, "largest first, none last");
    }
}

/// RX.3 and issue 12, point 11: the bell counts what 待办 counts, lists its first tasks in the
/// same order, and counts as overdue exactly the tasks past their deadline; moved past every
/// deadline, all of them are overdue.
#[tokio::test]
async fn rx3_the_bell_counts_the_tasks_and_those_overdue() {
    for p in each_backend("workbench-bell").await {
        let analyst = principal(&p, "dc.analyst").await.unwrap();
        let all = todo(&p, &analyst, 1, 200).await.unwrap();
        let bell = app::inbox::bell(&p, &analyst).await.unwrap();
        assert_eq!(bell.total, all.total);
        let first: Vec<_> = all.rows.iter().take(5).map(|t| t.row.item.id).collect();
        let nearest: Vec<_> = bell.nearest.iter().map(|t| t.row.item.id).collect();
        assert_eq!(nearest, first, "the nearest deadlines, as 待办 orders them");
        let today = p.today();
        let late = all
            .rows
            .iter()
            .filter(|t| t.row.item.due.is_some_and(|d| d < today))
            .count();
        assert_eq!(bell.overdue, i64::try_from(late).unwrap());
        let last = all
            .rows
            .iter()
            .filter_map(|t| t.row.item.due)
            .max()
            .unwrap();
        p.settings.clock.set_day(last + chrono::Days::new(1));
        let after = todo(&p, &analyst, 1, 200).await.unwrap();
        let dated = after
            .rows
            .iter()
            .filter(|t| t.row.item.due.is_some())
            .count();
        assert!(dated > 0);
        let bell = app::inbox::bell(&p, &analyst).await.unwrap();
        assert_eq!(
            bell.overdue,
            i64::try_from(dated).unwrap(),
            "every dated task is late"
        );
        assert!(!bell.overdue_more);
    }
}
