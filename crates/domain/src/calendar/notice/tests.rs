//! Reading the State Council's notices as published (R13.1): each shipped notice gives exactly
//! its year of the shipped table, every wording form is read, and typos are refused by line.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

use super::*;
use crate::calendar::Calendar;

const SHIPPED: &str = include_str!("../../../../../calendar/cn-holidays.toml");
const N2025: &str = include_str!("../../../../../calendar/notices/2025.txt");
const N2026: &str = include_str!("../../../../../calendar/notices/2026.txt");

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn days(ds: &[&str]) -> Vec<NaiveDate> {
    ds.iter().map(|d| day(d)).collect()
}

/// A notice with one holiday line, as the third line of the text.
fn one(line: &str) -> Result<ParsedNotice, NoticeError> {
    parse(&format!(
        "国务院办公厅关于2026年部分节假日安排的通知\n\n{line}\n\n国务院办公厅\n2025年11月4日\n"
    ))
}

#[test]
fn r13_1_each_shipped_notice_reproduces_its_year_of_the_shipped_table_exactly() {
    let shipped = Calendar::from_toml("cn-holidays.toml", SHIPPED).unwrap();
    for (text, year) in [(N2025, 2025), (N2026, 2026)] {
        let notice = parse(text).unwrap();
        assert_eq!(notice.year, year);
        let table = notice.table();
        let expected = shipped.year(year).unwrap();
        assert_eq!(table.off, expected.off, "{year} off");
        assert_eq!(table.work, expected.work, "{year} work");
        assert_eq!(table.source, expected.source, "{year} source");
        assert_eq!(&table, expected);
    }
}

#[test]
fn r13_1_the_notice_gives_its_year_number_and_date_as_the_source() {
    let n = parse(N2025).unwrap();
    assert_eq!(n.title, "国务院办公厅关于2025年部分节假日安排的通知");
    assert_eq!(n.number.as_deref(), Some("国办发明电〔2024〕12号"));
    assert_eq!(n.issued, Some(day("2024-11-12")));
    assert_eq!(
        n.source(),
        "国务院办公厅 2024年11月12日（国办发明电〔2024〕12号）"
    );
    let n = parse(N2026).unwrap();
    assert_eq!(
        (n.number.clone(), n.source()),
        (None, "国务院办公厅 2025年11月4日".into())
    );
    let n = parse(N2025).unwrap();
    let names: Vec<&str> = n.holidays.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "元旦",
            "春节",
            "清明节",
            "劳动节",
            "端午节",
            "国庆节、中秋节"
        ]
    );
}

#[test]
fn r13_1_the_table_read_is_shown_in_chinese_for_confirmation() {
    let summary = parse(N2026).unwrap().summary();
    assert_eq!(
        summary[0],
        "2026年节假日安排，来源：国务院办公厅 2025年11月4日"
    );
    assert_eq!(
        summary[1],
        "  元旦：放假 1月1日（周四）至1月3日（周六），共3天；调休上班 1月4日（周日）"
    );
    assert_eq!(
        summary[2],
        "  春节：放假 2月15日（周日）至2月23日（周一），共9天；调休上班 2月14日（周六）、2月28日（周六）"
    );
    assert_eq!(
        summary[3],
        "  清明节：放假 4月4日（周六）至4月6日（周一），共3天；不调休"
    );
    assert_eq!(summary.last().unwrap(), "共放假33天，调休上班6天。");
}

#[test]
fn r13_1_a_single_day_without_make_up_is_read() {
    let n = one("一、元旦：1月1日（周四）放假1天，不调休。").unwrap();
    assert_eq!(n.holidays[0].name, "元旦");
    assert_eq!(n.holidays[0].off, days(&["2026-01-01"]));
    assert!(n.holidays[0].work.is_empty());
    assert_eq!(n.holidays[0].line, 3);
}

#[test]
fn r13_1_a_range_within_one_month_is_read() {
    let n = one("三、清明节：4月4日（周六）至6日（周一）放假，共3天。").unwrap();
    assert_eq!(
        n.holidays[0].off,
        days(&["2026-04-04", "2026-04-05", "2026-04-06"])
    );
}

#[test]
fn r13_1_a_range_across_months_is_read() {
    let n = parse(N2025).unwrap();
    let dragon = &n.holidays[4];
    assert_eq!(dragon.name, "端午节");
    assert_eq!(
        dragon.off,
        days(&["2025-05-31", "2025-06-01", "2025-06-02"])
    );
    let n = one("二、春节：2月28日（周六）至3月2日（周一）放假，共3天。").unwrap();
    assert_eq!(n.holidays[0].off.len(), 3);
}

#[test]
fn r13_1_several_make_up_days_in_one_sentence_are_read() {
    let n = one(
        "七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。",
    )
    .unwrap();
    assert_eq!(n.holidays[0].work, days(&["2026-09-20", "2026-10-10"]));
    assert_eq!(n.holidays[0].off.len(), 7);
}

#[test]
fn r13_1_lunar_dates_in_the_parentheses_are_read_and_their_weekday_checked() {
    let n = one(
        "二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。",
    )
    .unwrap();
    assert_eq!(n.holidays[0].off.first(), Some(&day("2026-02-15")));
    assert_eq!(n.holidays[0].off.last(), Some(&day("2026-02-23")));
    let wrong = one(
        "二、春节：2月15日（农历腊月二十八、周六）至23日（农历正月初七、周一）放假调休，共9天。",
    )
    .unwrap_err();
    assert_eq!(wrong.line.as_ref().unwrap().0, 3);
    assert!(
        wrong.message.contains("2月15日是周日，通知写的是周六"),
        "{wrong}"
    );
}

#[test]
fn r13_1_older_wording_with_星期_and_without_parentheses_is_read() {
    let n =
        one("二、春节：2月10日至17日放假调休，共8天。2月8日（星期日）、2月18日（星期三）上班。")
            .unwrap_err();
    // 18 February 2026 is a Wednesday: not a make-up day (the weekday matched).
    assert!(n.message.contains("2月18日（周三）本是工作日"), "{n}");
    let ok = one("二、春节：2月10日至17日放假调休，共8天。2月8日（星期日）上班。").unwrap();
    assert_eq!(ok.holidays[0].work, days(&["2026-02-08"]));
}

#[test]
fn r13_1_a_wrong_weekday_is_refused_naming_the_line() {
    let text = N2026.replace("5月1日（周五）", "5月1日（周四）");
    let e = parse(&text).unwrap_err();
    let (line, quoted) = e.line.clone().unwrap();
    assert_eq!(line, 10);
    assert!(quoted.starts_with("四、劳动节："), "{quoted}");
    assert!(e.message.contains("5月1日是周五，通知写的是周四"), "{e}");
    assert!(e.to_string().starts_with("第10行："), "{e}");
}

#[test]
fn r13_1_a_wrong_day_count_is_refused_naming_the_line() {
    let text = N2025.replace("共8天。1月26日", "共7天。1月26日");
    let e = parse(&text).unwrap_err();
    assert_eq!(e.line.as_ref().unwrap().0, 11);
    assert!(
        e.message
            .contains("1月28日（周二）至2月4日（周二）是8天，通知写的是共7天"),
        "{e}"
    );
    let single = one("一、元旦：1月1日（周四）放假2天，不调休。").unwrap_err();
    assert!(
        single.message.contains("是1天，通知写的是共2天"),
        "{single}"
    );
}

#[test]
fn r13_1_a_notice_without_title_or_holidays_or_with_an_impossible_date_is_refused() {
    let e = parse("一、元旦：1月1日（周四）放假1天。").unwrap_err();
    assert!(
        e.line.is_none() && e.message.contains("找不到通知标题"),
        "{e}"
    );
    let e = parse("国务院办公厅关于2026年部分节假日安排的通知\n正文\n").unwrap_err();
    assert!(e.message.contains("没有读到任何节假日安排"), "{e}");
    let e = one("一、元旦：2月30日（周一）放假1天。").unwrap_err();
    assert!(e.message.contains("2026年2月30日不是有效日期"), "{e}");
    let e = one("一、元旦：1月1日（周四）放假1天。1月1日（周四）上班。").unwrap_err();
    assert!(e.message.contains("本是工作日"), "{e}");
    let e = one("一、元旦：元旦放假。").unwrap_err();
    assert!(e.message.contains("没有读到放假日期"), "{e}");
}

#[test]
fn r13_1_a_day_both_off_and_work_in_two_lines_is_refused() {
    let e = parse(
        "国务院办公厅关于2026年部分节假日安排的通知\n一、甲：1月3日（周六）放假，共1天。\n二、乙：1月10日（周六）放假，共1天。1月3日（周六）上班。\n"
    )
    .unwrap_err();
    assert_eq!(e.line.as_ref().unwrap().0, 3);
    assert!(
        e.message.contains("在第2行已列为放假，这里又列为上班"),
        "{e}"
    );
}

#[test]
fn r13_1_a_new_year_starting_on_31_december_keeps_only_its_own_years_days() {
    let n = parse(
        "国务院办公厅关于2023年部分节假日安排的通知\n一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。\n",
    )
    .unwrap();
    assert_eq!(n.holidays[0].off.len(), 3);
    assert_eq!(
        n.table().off.into_iter().collect::<Vec<_>>(),
        days(&["2023-01-01", "2023-01-02"])
    );
}
