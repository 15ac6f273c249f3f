//! Checking and normalising typed values, field by field: what a clerk types becomes the
//! stored form (money in fen, dates ISO, numbers upper case), or a message saying what to fix.

use crate::ids::Money;
use crate::policy::{FieldDef, FieldType};
use crate::text::Text;
use chrono::NaiveDate;

/// Whether a character shows nothing: whitespace (the ideographic space too), control
/// characters, and Unicode's format characters (zero-width spaces and joiners, the byte-order
/// mark, direction marks, the soft hyphen). A value of only these is no value (R13.2).
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
            | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}')
}

/// Checks and normalises one typed value: trims what shows nothing from both ends (so a value
/// of only invisible characters is empty), checks its length, choice or money.
pub fn normalise(def: &FieldDef, raw: &str) -> Result<String, Text> {
    let v = raw.trim_matches(is_invisible);
    if v.is_empty() {
        return Ok(String::new());
    }
    let too_long = |max: usize| {
        Text::new(
            format!("不能超过 {max} 个字。"),
            format!("At most {max} characters."),
        )
    };
    match &def.ty {
        FieldType::Text { max } | FieldType::LongText { max } => {
            if v.chars().count() > *max {
                Err(too_long(*max))
            } else {
                Ok(v.to_string())
            }
        }
        FieldType::Money => Money::parse_yuan(v)
            .map(|m| m.fen().to_string())
            .ok_or_else(|| {
                Text::new(
                    "请填写金额（元），如 1200000 或 1,200,000.50，最多两位小数。",
                    "Enter an amount in yuan, e.g. 1200000 or 1,200,000.50, at most two decimals.",
                )
            }),
        FieldType::Choice(options) => {
            if options.iter().any(|(id, _)| id == v) {
                Ok(v.to_string())
            } else {
                Err(Text::new(
                    "请从列表中选择。",
                    "Choose one of the listed options.",
                ))
            }
        }
        FieldType::ItemRef { .. } => item_number(v).ok_or_else(bad_number),
        FieldType::ItemRefs { .. } | FieldType::Records => {
            let numbers: Option<Vec<String>> = numbers_in(v)
                .map(item_number)
                .collect();
            let mut numbers = numbers.ok_or_else(bad_number)?;
            numbers.dedup();
            Ok(numbers.join(","))
        }
        FieldType::DocNumber => doc_number(v).ok_or_else(|| {
            Text::new(
                "发文字号须为「发文机关代字〔年份〕序号号」，年份用六角括号〔〕，如 宛政数〔2026〕12号（GB/T 9704）。",
                "A document number reads 机关代字〔year〕number号, the year in hexagonal brackets, e.g. 宛政数〔2026〕12号 (GB/T 9704).",
            )
        }),
        FieldType::Date => parse_date(v).map(|d| d.to_string()).ok_or_else(|| {
            Text::new(
                "请填写日期，如 2026-10-11。",
                "Enter a date such as 2026-10-11.",
            )
        }),
        FieldType::Integer { min, max } => match v.parse::<i64>() {
            Ok(n) if (*min..=*max).contains(&n) => Ok(n.to_string()),
            _ => Err(Text::new(
                format!("请填写 {min} 至 {max} 之间的整数。"),
                format!("Enter a whole number from {min} to {max}."),
            )),
        },
        FieldType::Files => {
            let ok = v.lines().all(|l| {
                l.split_once(' ').is_some_and(|(d, n)| {
                    d.len() == 64
                        && d.chars().all(|c| c.is_ascii_hexdigit())
                        && !n.trim().is_empty()
                })
            });
            if ok {
                Ok(v.to_string())
            } else {
                Err(Text::new(
                    "附件记录格式有误。",
                    "The attachment record is malformed.",
                ))
            }
        }
        FieldType::Table(columns) => crate::table::normalise(columns, v),
        FieldType::CreditCode => credit_code(v).ok_or_else(|| {
            Text::new(
                "统一社会信用代码应为 18 位，且校验位正确（见营业执照）。",
                "A unified social credit code has 18 characters and a valid check digit (see the business licence).",
            )
        }),
        FieldType::Orgs => {
            let ids: Option<Vec<i64>> = v
                .split(',')
                .filter(|n| !n.trim().is_empty())
                .map(|n| n.trim().parse().ok().filter(|n: &i64| *n > 0))
                .collect();
            let mut ids = ids.ok_or_else(|| {
                Text::new("单位选择有误，请重新选择。", "Choose the units again.")
            })?;
            ids.sort_unstable();
            ids.dedup();
            Ok(ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
        }
    }
}

pub(crate) fn item_number(v: &str) -> Option<String> {
    let v = v.trim();
    let ok = v.len() <= 32 && v.split('-').count() == 3 && v.is_ascii();
    ok.then(|| v.to_ascii_uppercase())
}

pub(crate) fn bad_number() -> Text {
    Text::new(
        "请填写事项编号，如 XQ-2026-0001。",
        "Enter an item number such as XQ-2026-0001.",
    )
}

/// Accepts 2026-10-11, 2026/10/11 and 2026年10月11日.
pub fn parse_date(v: &str) -> Option<NaiveDate> {
    let v = v.trim();
    ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(v, f).ok())
}

/// A unified social credit code in upper case, if its check digit is right (GB 32100-2015:
/// 17 characters weighted 3^i mod 31, and a check character).
pub fn credit_code(v: &str) -> Option<String> {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let code = v.trim().to_ascii_uppercase();
    let values: Option<Vec<u32>> = code
        .chars()
        .map(|c| CHARS.find(c).and_then(|i| u32::try_from(i).ok()))
        .collect();
    let values = values.filter(|v| v.len() == 18)?;
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    (values[17] == check).then_some(code)
}

/// The item numbers a list of references holds, however a clerk separated them (commas,
/// 顿号, spaces, semicolons), trimmed, empty ones left out.
pub fn numbers_in(list: &str) -> impl Iterator<Item = &str> {
    list.split([',', '，', '、', ' ', ';', '；'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::credit_code;

    #[test]
    fn r15_2_credit_codes_are_checked_by_their_check_digit() {
        assert_eq!(
            credit_code("91411300ma000000xb").as_deref(),
            Some("91411300MA000000XB")
        );
        assert!(credit_code("91411300MA000000XC").is_none());
        assert!(credit_code("91411300MA000000X").is_none());
        assert!(credit_code("9141130OMA000000XB").is_none(), "O is not used");
    }
}

/// A document number as GB/T 9704 writes it (宛政数〔2026〕12号): the organ's code, the year in
/// hexagonal brackets, the serial number and 号. Square or round brackets typed around the year
/// become 〔〕, and a missing 号 is added; anything else is refused.
pub fn doc_number(v: &str) -> Option<String> {
    let v: String = v
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '[' | '【' | '(' | '（' | '［' | '〖' => '〔',
            ']' | '】' | ')' | '）' | '］' | '〗' => '〕',
            c => c,
        })
        .collect();
    let (code, rest) = v.split_once('〔')?;
    let (year, serial) = rest.split_once('〕')?;
    let serial = serial.strip_suffix('号').unwrap_or(serial);
    let ok = !code.is_empty()
        && !code.chars().any(|c| c.is_ascii_digit() || c == '〕')
        && year.len() == 4
        && year.chars().all(|c| c.is_ascii_digit())
        && (1..=5).contains(&serial.len())
        && serial.chars().all(|c| c.is_ascii_digit());
    ok.then(|| format!("{code}〔{year}〕{serial}号"))
}

#[cfg(test)]
mod doc_number_tests {
    use super::doc_number;

    /// Issue 12, point 7 (GB/T 9704): the year of a document number is in 〔〕; other brackets
    /// typed are turned into them, and a number without its parts is refused.
    #[test]
    fn a_document_number_takes_hexagonal_brackets_and_needs_its_parts() {
        assert_eq!(
            doc_number("宛数政[2026]15号").as_deref(),
            Some("宛数政〔2026〕15号")
        );
        assert_eq!(
            doc_number("宛政数（2026）12").as_deref(),
            Some("宛政数〔2026〕12号")
        );
        assert_eq!(
            doc_number("宛政数〔2026〕12号").as_deref(),
            Some("宛政数〔2026〕12号")
        );
        for bad in [
            "2026-15",
            "〔2026〕12号",
            "宛政数〔26〕12号",
            "宛政数〔2026〕号",
            "宛政数2026年12号",
        ] {
            assert_eq!(doc_number(bad), None, "{bad}");
        }
    }
}
