//! `tongchou calendar import`: a year's holiday arrangement from the State Council's notice as
//! published, shown for confirmation and only then written into the operator's holiday file
//! (R13.1). Reading the notice is `domain::calendar::notice`; this only does the files.

use anyhow::{Context, Result, bail};
use domain::calendar::{Calendar, file, notice};
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;

/// The first lines of a holiday file the import creates.
const NEW_FILE: &str = "# 运营方补充的节假日安排，格式同 calendar/cn-holidays.toml，由 tongchou calendar import 写入。\n# 服务以 --holidays 读取本文件（重启后生效）。\n";

pub fn import(notice_path: &Path, write: Option<&Path>, yes: bool) -> Result<ExitCode> {
    let text = std::fs::read_to_string(notice_path)
        .with_context(|| format!("无法读取通知文件 {}", notice_path.display()))?;
    let parsed = match notice::parse(&text) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("{}：未导入。{e}", notice_path.display());
            return Ok(ExitCode::from(1));
        }
    };
    for line in parsed.summary() {
        println!("{line}");
    }
    let table = parsed.table();
    let year = parsed.year;
    let Some(path) = write else {
        println!("\n# 未写入文件（用 --write FILE 写入运营方的节假日文件）。该年度的表：");
        print!("{}", file::section(year, &table));
        return Ok(ExitCode::SUCCESS);
    };
    let existing = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => NEW_FILE.to_string(),
        Err(e) => return Err(e).with_context(|| format!("无法读取 {}", path.display())),
    };
    let replaces = Calendar::from_toml(&path.display().to_string(), &existing)
        .with_context(|| format!("{} 现有内容有误，未写入", path.display()))?
        .year(year)
        .is_some();
    let new = file::with_year(&existing, year, &table);
    // What is written must read back as exactly the year shown.
    let back = Calendar::from_toml(&path.display().to_string(), &new)?;
    if back.year(year) != Some(&table) {
        bail!("写入后读回的{year}年与通知不一致，未写入");
    }
    let action = if replaces {
        "替换其中的"
    } else {
        "新增"
    };
    println!("\n将写入 {}（{action}{year}年）。", path.display());
    if !yes && !confirmed()? {
        println!("已取消，未写入。");
        return Ok(ExitCode::from(1));
    }
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, &new).with_context(|| format!("无法写入 {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("无法写入 {}", path.display()))?;
    println!(
        "已写入 {}：{year}年放假{}天，调休上班{}天。服务以 --holidays {} 读取，重启后生效。",
        path.display(),
        table.off.len(),
        table.work.len(),
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Asks on the terminal; anything but y (or 是) is no, and so is no answer at all.
fn confirmed() -> Result<bool> {
    eprint!("确认写入？[y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_lowercase().as_str(),
        "y" | "yes" | "是"
    ))
}
