//! 标题回行 (GB/T 9704-2012, 7.3.3): a title too long for one line breaks where the meaning
//! allows (词意完整), into lines of balanced length (梯形 or 菱形). Chinese has no spaces, so
//! where a word ends is told by the words official titles are made of: the verbs and
//! function words that open them, the nouns that close a name, the document type that ends
//! them. A title with none of them where a break is needed breaks by length alone, never
//! inside a run of Latin letters or digits and never against the punctuation rules.

use crate::width_in_chars;

/// Characters a title line of 二号 holds in 156 mm.
const PER_LINE: f64 = 20.0;

/// Words after which a title may break.
const BREAK_AFTER: &[&str] = &[
    "关于", "下达", "印发", "转发", "批转", "年度", "和", "与", "及", "、", "》", "）", "项目",
    "工程", "计划",
];

/// Words before which a title may break.
const BREAK_BEFORE: &[&str] = &[
    "的通知",
    "的批复",
    "的意见",
    "的决定",
    "的报告",
    "的函",
    "的请示",
    "的实施意见",
    "《",
    "（",
    "可行性研究报告",
    "建设任务书",
    "数字政府",
    "新型智慧城市",
];

/// Splits the title into lines: at the caller's `\n` if any, else, where it does not fit one
/// line, at the word boundaries closest to equal lines.
pub fn title_lines(title: &str) -> Vec<String> {
    let title = title.trim();
    if title.contains('\n') {
        return title
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
    }
    let total = width_in_chars(title);
    if total <= PER_LINE {
        return vec![title.to_owned()];
    }
    let chars: Vec<char> = title.chars().collect();
    // widths[i]: the width of the first i characters.
    let mut widths = vec![0.0];
    for c in &chars {
        let last = widths.last().copied().unwrap_or(0.0);
        widths.push(last + if c.is_ascii() { 0.5 } else { 1.0 });
    }
    let n = (total / PER_LINE).ceil();
    let mut cuts = Vec::new();
    let mut start = 0;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    for k in 1..(n as usize) {
        #[allow(clippy::cast_precision_loss)]
        let target = total * k as f64 / n;
        let fits = |i: usize| widths[i] - widths[start] <= PER_LINE && i > start;
        let best = |ok: &dyn Fn(usize) -> bool| {
            (start + 1..chars.len())
                .filter(|&i| fits(i) && ok(i))
                .min_by(|&a, &b| {
                    let da = (widths[a] - target).abs();
                    let db = (widths[b] - target).abs();
                    // Equal distance: the upper line the longer (正梯形).
                    da.total_cmp(&db).then(b.cmp(&a))
                })
        };
        let at_word = |i: usize| word_boundary(&chars, i) && allowed(&chars, i);
        let Some(cut) = best(&at_word).or_else(|| best(&|i| allowed(&chars, i))) else {
            break;
        };
        cuts.push(cut);
        start = cut;
    }
    let mut lines = Vec::new();
    let mut from = 0;
    for cut in cuts.into_iter().chain([chars.len()]) {
        lines.push(chars[from..cut].iter().collect());
        from = cut;
    }
    lines
}

/// Whether a word ends before character `i` (or one begins at it).
fn word_boundary(chars: &[char], i: usize) -> bool {
    let before: String = chars[..i].iter().collect();
    let after: String = chars[i..].iter().collect();
    BREAK_AFTER.iter().any(|w| before.ends_with(w))
        || BREAK_BEFORE.iter().any(|w| after.starts_with(w))
}

/// Whether a line may end before character `i`: not inside "2027" or "SM2", not before closing
/// punctuation, not after opening punctuation.
fn allowed(chars: &[char], i: usize) -> bool {
    let (prev, next) = (chars[i - 1], chars[i]);
    let inside_word = prev.is_ascii_alphanumeric() && next.is_ascii_alphanumeric();
    let kinsoku = "，。、；：）》”’！？〕】".contains(next) || "（《“‘〔【".contains(prev);
    !(inside_word || kinsoku)
}

#[cfg(test)]
mod tests {
    use super::title_lines;

    #[test]
    fn a_short_title_is_one_line() {
        assert_eq!(
            title_lines("关于印发某办法的通知"),
            ["关于印发某办法的通知"]
        );
    }

    #[test]
    fn a_title_breaks_between_words_into_balanced_lines() {
        assert_eq!(
            title_lines("关于下达2027年度数字政府和新型智慧城市建设任务书的通知"),
            ["关于下达2027年度数字政府和", "新型智慧城市建设任务书的通知"]
        );
        assert_eq!(
            title_lines("关于下达南阳市2027年度政务信息化项目建设任务书的通知"),
            ["关于下达南阳市2027年度", "政务信息化项目建设任务书的通知"]
        );
        assert_eq!(
            title_lines("关于城市生命线监测系统建设项目可行性研究报告的批复"),
            ["关于城市生命线监测系统建设项目", "可行性研究报告的批复"]
        );
    }

    #[test]
    fn the_callers_line_breaks_are_kept() {
        assert_eq!(title_lines("第一行\n第二行"), ["第一行", "第二行"]);
    }

    #[test]
    fn a_title_never_breaks_inside_digits_or_against_punctuation() {
        for l in title_lines("关于《南阳市政务信息化项目管理办法（2027年修订）》的实施意见")
        {
            assert!(
                !l.starts_with('》') && !l.starts_with('）') && !l.ends_with('《'),
                "{l}"
            );
        }
        let lines = title_lines("一二三四五六七八九十一二三四五六七八九十一二三2027四五六");
        assert!(
            lines
                .iter()
                .all(|l| !l.ends_with('2') && !l.ends_with("20") && !l.ends_with("202")),
            "{lines:?}"
        );
    }
}
