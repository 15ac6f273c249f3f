//! The typographic roles of GB/T 9704-2012 and their official fonts.

/// The typographic roles of GB/T 9704-2012.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FontRole {
    /// Title: 方正小标宋简体.
    Title,
    /// Body and level 3/4 headings: 仿宋_GB2312.
    Body,
    /// Level 1 headings, table headers: 黑体.
    Hei,
    /// Level 2 headings: 楷体_GB2312.
    Kai,
    /// Page numbers: 宋体.
    Song,
}

impl FontRole {
    /// All roles, in report order.
    pub const ALL: [FontRole; 5] = [
        FontRole::Title,
        FontRole::Body,
        FontRole::Hei,
        FontRole::Kai,
        FontRole::Song,
    ];

    /// The official font's Chinese name, as named in the .docx.
    pub fn official_name(self) -> &'static str {
        match self {
            FontRole::Title => "方正小标宋简体",
            FontRole::Body => "仿宋_GB2312",
            FontRole::Hei => "黑体",
            FontRole::Kai => "楷体_GB2312",
            FontRole::Song => "宋体",
        }
    }

    /// What the role is used for, in Chinese.
    pub fn label(self) -> &'static str {
        match self {
            FontRole::Title => "标题",
            FontRole::Body => "正文",
            FontRole::Hei => "一级标题",
            FontRole::Kai => "二级标题",
            FontRole::Song => "页码",
        }
    }

    /// Family names (as fonts' name tables spell them) that count as the official font, best
    /// first.
    pub fn candidates(self) -> &'static [&'static str] {
        match self {
            FontRole::Title => &[
                "FZXiaoBiaoSong-B05S",
                "方正小标宋简体",
                "FZXiaoBiaoSong-B05",
                "方正小标宋_GBK",
            ],
            FontRole::Body => &["FangSong_GB2312", "仿宋_GB2312", "FangSong", "仿宋"],
            FontRole::Hei => &["SimHei", "黑体"],
            FontRole::Kai => &["KaiTi_GB2312", "楷体_GB2312", "KaiTi", "楷体"],
            FontRole::Song => &["SimSun", "宋体"],
        }
    }

    /// The Noto CJK family used when no official font is installed, and whether its bold face
    /// stands in (小标宋 and 黑体 are heavy faces).
    pub fn fallback(self) -> (&'static str, bool) {
        match self {
            FontRole::Title => ("Noto Serif CJK SC", true),
            FontRole::Hei => ("Noto Sans CJK SC", true),
            FontRole::Body | FontRole::Kai | FontRole::Song => ("Noto Serif CJK SC", false),
        }
    }
}
