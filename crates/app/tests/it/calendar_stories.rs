//! The working-day calendar never goes silent (issue 9): from 1 November the administrators
//! and the Bureau are told next year's holiday arrangement is missing; nobody else is.

use chrono::NaiveDate;
use demo::principal;
use testkit::each_backend_on;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// R13.1: deadlines count working days; a missing year must be reported, never guessed.
#[tokio::test]
async fn r13_1_from_november_the_bureau_and_administrators_see_that_next_years_holidays_are_missing()
 {
    for p in each_backend_on("calendar-nov", day(2026, 11, 2)).await {
        let planner = principal(&p, "bureau.planner").await.unwrap();
        let admin = principal(&p, "admin.sys").await.unwrap();
        let clerk = principal(&p, "scj.clerk").await.unwrap();
        let warning = app::inbox::calendar_warning(&p, &planner).expect("the Bureau is told");
        assert!(
            warning
                .zh
                .contains("2027年放假安排未导入，按周一至周五计算"),
            "{}",
            warning.zh
        );
        assert!(warning.zh.contains("tongchou calendar import"));
        assert!(app::inbox::calendar_warning(&p, &admin).is_some());
        assert!(app::inbox::calendar_warning(&p, &clerk).is_none());
    }
}

/// R13.1: before November nothing is missing yet (the notice usually comes in November).
#[tokio::test]
async fn r13_1_in_october_nobody_is_told_anything_is_missing() {
    for p in each_backend_on("calendar-oct", day(2026, 10, 30)).await {
        let planner = principal(&p, "bureau.planner").await.unwrap();
        assert!(app::inbox::calendar_warning(&p, &planner).is_none());
    }
}
