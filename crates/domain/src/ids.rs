//! Newtypes for ids and validated values, built only through `parse`/`new` (parse, don't validate).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

macro_rules! id_type {
    ($name:ident, $what:literal) => {
        #[doc = $what]
        #[derive(
            Debug,
            Clone,
            Copy,
            Default,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            Serialize,
            Deserialize,
        )]
        pub struct $name(i64);

        impl $name {
            pub fn new(raw: i64) -> $name {
                $name(raw)
            }
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    ItemId,
    "The internal id of an item (demand, plan, project...)."
);
id_type!(OrgId, "The id of an organisation in the registry.");
id_type!(UserId, "The id of a user account.");

/// A provision of the measures: `13` is article 13, `13.2` its second paragraph (第十三条第二款).
/// A provision of a document issued under the measures carries that document's short title:
/// `《运维管理办法》5` is article 5 of the Data Center's O&M measures (art. 19).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Article(String);

/// The short title of a citation of another document, and the provision after it.
fn split_source(s: &str) -> (Option<&str>, &str) {
    match s.strip_prefix('《').and_then(|rest| rest.split_once('》')) {
        Some((title, rest)) => (Some(title), rest),
        None => (None, s),
    }
}

impl Article {
    pub fn parse(s: &str) -> Option<Article> {
        let (source, provision) = split_source(s);
        if source.is_some_and(|t| t.trim().is_empty() || t.contains('《')) {
            return None;
        }
        let mut parts = provision.split('.');
        let art: u32 = parts.next()?.parse().ok()?;
        let para: Option<u32> = match parts.next() {
            Some(p) => Some(p.parse().ok()?),
            None => None,
        };
        if parts.next().is_some() || art == 0 || para == Some(0) {
            return None;
        }
        Some(Article(s.to_string()))
    }

    /// A whole article by its number (`13`); none for 0.
    pub fn whole(number: u32) -> Option<Article> {
        Article::parse(&number.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The short title of the document it belongs to, when it is not the measures
    /// (`运维管理办法` for `《运维管理办法》5`).
    pub fn source(&self) -> Option<&str> {
        split_source(&self.0).0
    }

    fn provision(&self) -> &str {
        split_source(&self.0).1
    }

    /// The article's number: 13 for `13.2`.
    pub fn number(&self) -> u32 {
        self.provision()
            .split('.')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    /// The paragraph, if the citation names one: 2 for `13.2`.
    pub fn paragraph(&self) -> Option<u32> {
        self.provision()
            .split('.')
            .nth(1)
            .and_then(|p| p.parse().ok())
    }

    /// Whether a citation of `cited` concerns this provision: `13` covers `13` and every
    /// `13.x`; `13.2` covers `13.2` and the article as a whole (`13`). Articles of different
    /// documents never cover each other.
    pub fn covers(&self, cited: &Article) -> bool {
        self.source() == cited.source()
            && self.number() == cited.number()
            && match (self.paragraph(), cited.paragraph()) {
                (Some(asked), Some(cited)) => asked == cited,
                _ => true,
            }
    }

    /// `第十三条第二款` / `art. 13(2)`; `《运维管理办法》第五条` / `O&M Measures art. 5`.
    pub fn cite(&self, lang: crate::Lang) -> String {
        let mut parts = self.provision().split('.');
        let art = parts.next().unwrap_or_default();
        let para = parts.next();
        let of = match (self.source(), lang) {
            (Some(t), crate::Lang::Zh) => format!("《{t}》"),
            (Some(t), crate::Lang::En) => format!("{} ", title_in(t, lang)),
            (None, _) => String::new(),
        };
        of + &match lang {
            crate::Lang::Zh => {
                let mut s = format!("第{}条", chinese_number(art.parse().unwrap_or(0)));
                if let Some(p) = para {
                    s.push_str(&format!("第{}款", chinese_number(p.parse().unwrap_or(0))));
                }
                s
            }
            crate::Lang::En => match para {
                Some(p) => format!("art. {art}({p})"),
                None => format!("art. {art}"),
            },
        }
    }
}

impl fmt::Display for Article {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The English names of the documents issued under the measures, by their Chinese short
/// title, as the loaded policies give them: an `Article` carries only the Chinese title (it
/// is what the policy writes), and an English citation names the document in English.
static ENGLISH_TITLES: std::sync::RwLock<BTreeMap<String, String>> =
    std::sync::RwLock::new(BTreeMap::new());

/// Records the English name of an issued document (called as a policy loads).
pub fn name_in_english(short: &str, english: &str) {
    if english.is_empty() {
        return;
    }
    let mut names = ENGLISH_TITLES.write().unwrap_or_else(|e| e.into_inner());
    names.insert(short.to_string(), english.to_string());
}

/// An issued document's title as a citation reads it: 《运维管理办法》 in Chinese, its English
/// name in English (the Chinese title in plain quotes when no policy gave one).
pub fn title_in(short: &str, lang: crate::Lang) -> String {
    match lang {
        crate::Lang::Zh => format!("《{short}》"),
        crate::Lang::En => {
            let names = ENGLISH_TITLES.read().unwrap_or_else(|e| e.into_inner());
            names
                .get(short)
                .cloned()
                .unwrap_or_else(|| format!("\"{short}\""))
        }
    }
}

/// 1..=99 written the way the measures number their articles (十三, 二十一).
pub fn chinese_number(n: u32) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_string(),
        10..=19 => format!(
            "十{}",
            if n.is_multiple_of(10) {
                ""
            } else {
                D[(n % 10) as usize]
            }
        ),
        20..=99 => format!(
            "{}十{}",
            D[(n / 10) as usize],
            if n.is_multiple_of(10) {
                ""
            } else {
                D[(n % 10) as usize]
            }
        ),
        _ => n.to_string(),
    }
}

/// Money in fen (分), exact. Entered and shown in yuan with two decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Money(i64);

impl Money {
    pub fn from_fen(fen: i64) -> Money {
        Money(fen)
    }

    pub fn fen(self) -> i64 {
        self.0
    }

    /// Parses yuan as typed by a clerk: `1200000`, `1,200,000.50`, `¥ 35.5`. At most two decimals,
    /// not negative, below one hundred billion yuan.
    pub fn parse_yuan(s: &str) -> Option<Money> {
        let cleaned: String = s
            .trim()
            .trim_start_matches(['¥', '￥'])
            .chars()
            .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
            .collect();
        if cleaned.is_empty() {
            return None;
        }
        let (int, frac) = match cleaned.split_once('.') {
            Some((i, f)) => (i, f),
            None => (cleaned.as_str(), ""),
        };
        if int.is_empty()
            || int.len() > 11
            || frac.len() > 2
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let yuan: i64 = int.parse().ok()?;
        let mut cents: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().ok()?
        };
        if frac.len() == 1 {
            cents *= 10;
        }
        Some(Money(yuan * 100 + cents))
    }

    /// `1,234,567.89` (yuan, exact, as on a detail page).
    pub fn yuan_string(self) -> String {
        // A negative amount (a line over its budget) reads -1,234.50, sign first.
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", group_thousands_u(abs / 100), abs % 100)
    }

    /// `123.46` (万元, two decimals, as in lists).
    pub fn wan_string(self) -> String {
        // round half up to 0.01 万元 = 100 yuan = 10,000 fen
        let hundredths = (self.0 + 5_000) / 10_000;
        format!(
            "{}.{:02}",
            group_thousands(hundredths / 100),
            hundredths % 100
        )
    }
}

fn group_thousands(n: i64) -> String {
    if n < 0 {
        return format!("-{}", group_thousands_u(n.unsigned_abs()));
    }
    group_thousands_u(n.unsigned_abs())
}

fn group_thousands_u(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_are_cited_in_the_words_of_the_measures() {
        let a = Article::parse("13.2").unwrap();
        assert_eq!(a.cite(crate::Lang::Zh), "第十三条第二款");
        assert_eq!(a.cite(crate::Lang::En), "art. 13(2)");
        assert_eq!(
            Article::parse("21").unwrap().cite(crate::Lang::Zh),
            "第二十一条"
        );
        assert!(Article::parse("13.x").is_none());
        assert!(Article::parse("0").is_none());
    }

    /// Issue 13, point 7: an article of a document issued under the measures (the Data
    /// Center's O&M measures, art. 19) is cited with that document's title, and covers only
    /// its own document's articles.
    #[test]
    fn an_article_of_another_document_is_cited_with_its_title() {
        let a = Article::parse("《运维管理办法》5").unwrap();
        assert_eq!(a.source(), Some("运维管理办法"));
        assert_eq!(a.number(), 5);
        assert_eq!(a.cite(crate::Lang::Zh), "《运维管理办法》第五条");
        // In English the document is named in English, as its policy names it, and a title no
        // policy named stays in plain quotes: no 《》 in an English sentence (issue 12, point 10).
        name_in_english("运维管理办法", "O&M Measures");
        assert_eq!(a.cite(crate::Lang::En), "O&M Measures art. 5");
        let unnamed = Article::parse("《某某细则》2").unwrap();
        assert_eq!(unnamed.cite(crate::Lang::En), "\"某某细则\" art. 2");
        assert!(!a.covers(&Article::parse("5").unwrap()));
        assert!(!Article::parse("5").unwrap().covers(&a));
        assert!(a.covers(&Article::parse("《运维管理办法》5.1").unwrap()));
        assert!(Article::parse("《》5").is_none());
        assert!(Article::parse("《运维管理办法》").is_none());
    }

    #[test]
    fn an_article_covers_its_paragraphs_and_a_paragraph_the_whole_article() {
        let a = |s: &str| Article::parse(s).unwrap();
        assert!(a("14").covers(&a("14.2")) && a("14").covers(&a("14")));
        assert!(a("14.2").covers(&a("14")) && a("14.2").covers(&a("14.2")));
        assert!(!a("14.2").covers(&a("14.1")) && !a("14").covers(&a("4")));
        assert_eq!((a("13.2").number(), a("13.2").paragraph()), (13, Some(2)));
        assert_eq!(Article::whole(16), Some(a("16")));
    }

    #[test]
    fn money_is_parsed_exactly_from_yuan_and_shown_in_wan() {
        assert_eq!(Money::parse_yuan("1,200,000.5").unwrap().fen(), 120_000_050);
        assert_eq!(Money::parse_yuan("￥35").unwrap().fen(), 3_500);
        assert!(Money::parse_yuan("1.234").is_none());
        assert!(Money::parse_yuan("-5").is_none());
        assert!(Money::parse_yuan("abc").is_none());
        assert_eq!(Money::from_fen(123_456_789).wan_string(), "123.46");
        assert_eq!(Money::from_fen(123_456_789).yuan_string(), "1,234,567.89");
    }
}
