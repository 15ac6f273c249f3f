//! Personal data (SECURITY.md: phone and ID numbers): a field the policy marks `personal` is
//! kept SM4-GCM encrypted, in the item and in its record alike, as `sm4:<hex>|<masked>`. The
//! masked form (`张明 138****5678`) is what every page, list and export shows; the value itself
//! is opened only for a user who may see the item and gives a reason, and each opening is
//! recorded. The key is derived from the KEK file, never from the database.

use crate::{AppError, Platform, Principal};
use domain::policy::ItemKind;
use domain::{Event, Item, ItemId, Text};

const PREFIX: &str = "sm4:";
const PURPOSE: &str = "personal-fields";

/// Masks every run of 7 or more digits, keeping its first 3 and last 4 (`13812345678` →
/// `138****5678`, `0377-61234567` → `0377-612*4567`); names and other text stay.
pub fn mask(plain: &str) -> String {
    let chars: Vec<char> = plain.chars().collect();
    let mut out = String::with_capacity(plain.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let run = &chars[start..i];
        if run.len() >= 7 {
            out.extend(&run[..3]);
            out.extend(std::iter::repeat_n('*', run.len() - 7));
            out.extend(&run[run.len() - 4..]);
        } else {
            out.extend(run);
        }
    }
    out
}

/// What a reader is shown of a stored value: the masked form kept beside the ciphertext, or
/// (for a value stored before it was sealed) its mask.
pub fn masked(stored: &str) -> String {
    match stored.strip_prefix(PREFIX).and_then(|s| s.split_once('|')) {
        Some((_, shown)) => shown.to_string(),
        None => mask(stored),
    }
}

/// Any text (a record's payload, a list of changes) with every sealed value reduced to its
/// masked form: what a reader may see of it.
pub fn strip_sealed(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(PREFIX) {
        out.push_str(&rest[..at]);
        let after = &rest[at + PREFIX.len()..];
        let hex_len = after.bytes().take_while(u8::is_ascii_hexdigit).count();
        if after.as_bytes().get(hex_len) == Some(&b'|') {
            rest = &after[hex_len + 1..];
        } else {
            out.push_str(PREFIX);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

fn aad(field: &str) -> Vec<u8> {
    format!("personal:{field}").into_bytes()
}

fn seal(p: &Platform, field: &str, plain: &str) -> Result<String, AppError> {
    let key = p.kek.derive_sm4(PURPOSE);
    let sealed = crypto::seal(&key, plain.as_bytes(), &aad(field))
        .map_err(|e| AppError::Startup(e.to_string()))?;
    // `|` cannot occur in hex, so the masked part is whatever follows the first one.
    Ok(format!("{PREFIX}{}|{}", hex::encode(sealed), mask(plain)))
}

fn open(p: &Platform, field: &str, stored: &str) -> Result<String, AppError> {
    let Some((hex_part, _)) = stored.strip_prefix(PREFIX).and_then(|s| s.split_once('|')) else {
        return Ok(stored.to_string());
    };
    let broken = || AppError::Startup(format!("the sealed value of {field} cannot be opened"));
    let bytes = hex::decode(hex_part).map_err(|_| broken())?;
    let plain =
        crypto::open(&p.kek.derive_sm4(PURPOSE), &bytes, &aad(field)).map_err(|_| broken())?;
    String::from_utf8(plain).map_err(|_| broken())
}

/// Seals the personal values a decided step changes, after the decision checked them. A
/// value sent back exactly as the form showed it (masked) keeps what is stored.
pub fn seal_changes(
    p: &Platform,
    kind: &ItemKind,
    current: Option<&Item>,
    ev: &mut Event,
) -> Result<(), AppError> {
    let mut failed = None;
    ev.rewrite_changes(|field, value| {
        if value.is_empty() || is_sealed(value) || !kind.field(field).is_some_and(|d| d.personal) {
            return None;
        }
        let stored = current.map(|i| i.field(field)).unwrap_or("");
        if !stored.is_empty() && masked(stored) == value {
            return Some(stored.to_string());
        }
        match seal(p, field, value) {
            Ok(s) => Some(s),
            Err(e) => {
                failed = Some(e);
                None
            }
        }
    });
    failed.map_or(Ok(()), Err)
}

/// Opens a personal value for `who`, who may see the item and gives a reason; the opening
/// is recorded (who, which item and field, why, from where) before the value is returned.
pub async fn reveal(
    p: &Platform,
    who: &Principal,
    id: ItemId,
    field: &str,
    reason: &str,
) -> Result<String, AppError> {
    let view = crate::items::view(p, who, id).await?;
    let kind = p
        .policy
        .kind(&view.row.item.kind)
        .ok_or(AppError::NotFound)?;
    if !kind.field(field).is_some_and(|d| d.personal) {
        return Err(AppError::NotFound);
    }
    let reason = reason.trim();
    if reason.chars().count() < 4 || reason.chars().count() > 200 {
        return Err(AppError::Invalid(Text::new(
            "请填写查看完整信息的理由（4 至 200 字），理由将被记录。",
            "Give a reason for seeing the full value (4 to 200 characters); it is recorded.",
        )));
    }
    let plain = open(p, field, view.row.item.field(field))?;
    let detail = serde_json::json!({
        "item": view.row.number,
        "field": field,
        "reason": reason,
    });
    crate::record::security_of(p, who, "reveal", detail).await?;
    Ok(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mobile_number_shows_its_first_three_and_last_four_digits() {
        assert_eq!(mask("张明 13812345678"), "张明 138****5678");
        assert_eq!(mask("0377-61234567"), "0377-612*4567");
        assert_eq!(mask("分机 8021"), "分机 8021");
        assert_eq!(masked("sm4:00ff|张明 138****5678"), "张明 138****5678");
        assert_eq!(
            strip_sealed(r#"{"contact":"sm4:00ff|张明 138****5678","x":"sm4:no"}"#),
            r#"{"contact":"张明 138****5678","x":"sm4:no"}"#
        );
    }
}
