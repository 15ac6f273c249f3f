//! The table rules' unit tests (kept apart so `table.rs` reads as the rules alone).
#![allow(clippy::unwrap_used)]
use super::*;

fn cols() -> Vec<Column> {
    let c = |id: &str, ty: ColumnType| Column {
        id: id.into(),
        label: Text::new(id, id),
        ty,
        required: id == "item",
        product: None,
        one_of: None,
        sum_into: None,
    };
    let mut amount = c("amount", ColumnType::Money);
    amount.product = Some(("qty".into(), "price".into()));
    amount.sum_into = Some("total".into());
    vec![
        c("item", ColumnType::Text { max: 20 }),
        c("qty", ColumnType::Integer { min: 1, max: 1000 }),
        c("price", ColumnType::Money),
        amount,
    ]
}

#[test]
fn amounts_are_computed_and_blank_rows_dropped() {
    let raw = r#"[{"item":"服务器","qty":"2","price":"150,000"},{"item":"","qty":"","price":""}]"#;
    let stored = normalise(&cols(), raw).unwrap();
    assert_eq!(rows(&stored).len(), 1);
    assert_eq!(sum(&stored, "amount"), 30_000_000);
    assert_eq!(
        typed(&cols(), &stored),
        r#"[{"item":"服务器","price":"150,000.00","qty":"2"}]"#
    );
}

#[test]
fn a_bad_cell_names_its_row_and_column() {
    let raw = r#"[{"item":"a","qty":"1","price":"1"},{"item":"b","qty":"x","price":"1"}]"#;
    let e = normalise(&cols(), raw).unwrap_err();
    assert!(e.zh.starts_with("第 2 行「qty」"), "{}", e.zh);
    let e = normalise(&cols(), r#"[{"qty":"1"}]"#).unwrap_err();
    assert!(e.zh.contains("「item」"), "{}", e.zh);
}

#[test]
fn cuts_need_a_line_a_reason_and_no_increase() {
    let lines = normalise(
        &cols(),
        r#"[{"item":"a","qty":"1","price":"100"},{"item":"b","qty":"2","price":"50"}]"#,
    )
    .unwrap();
    let cut = |s: &str| s.to_string();
    assert_eq!(
        check_cuts(
            &lines,
            "amount",
            &cut(r#"[{"line":"2","approved":"6000","reason":"单价偏高"}]"#)
        )
        .unwrap(),
        10_000 + 6_000
    );
    assert!(
        check_cuts(
            &lines,
            "amount",
            &cut(r#"[{"line":"3","approved":"1","reason":"x"}]"#)
        )
        .is_err()
    );
    assert!(check_cuts(&lines, "amount", &cut(r#"[{"line":"1","approved":"1"}]"#)).is_err());
    assert!(
        check_cuts(
            &lines,
            "amount",
            &cut(r#"[{"line":"1","approved":"20000","reason":"x"}]"#)
        )
        .is_err()
    );
}

/// Issue 12, point 10: a choice cell is kept as its value, read in either language, and
/// anything else is refused with the choices.
#[test]
fn a_choice_cell_takes_its_words_in_either_language_and_refuses_others() {
    let category = Column {
        id: "category".into(),
        label: Text::new("费用类别", "Category"),
        ty: ColumnType::Choice(vec![
            ("硬件".into(), Text::new("硬件", "Hardware")),
            ("软件".into(), Text::new("软件", "Software")),
        ]),
        required: true,
        product: None,
        one_of: None,
        sum_into: None,
    };
    let columns = [category];
    let kept = normalise(&columns, r#"[{"category":"software"},{"category":"硬件"}]"#).unwrap();
    let rows = rows(&kept);
    assert_eq!(rows[0]["category"], "软件");
    assert_eq!(rows[1]["category"], "硬件");
    assert_eq!(shown(&columns[0], "软件", crate::Lang::En), "Software");
    assert_eq!(shown(&columns[0], "软件", crate::Lang::Zh), "软件");
    let refused = normalise(&columns, r#"[{"category":"杂项"}]"#).unwrap_err();
    assert!(refused.zh.contains("硬件、软件"), "{}", refused.zh);
}
