//! The canonical form a table's digest is taken over (described in `store::backup`'s header):
//! the version line, the table's shape, and each value as PostgreSQL's `COPY` text format
//! writes it. Kept apart from the engines so both write exactly the same bytes.

use super::quoted;

/// What the digest of every table starts with; a new canonical form gets a new line.
pub const DIGEST_VERSION: &str = "tongchou table digest v1";

/// The canonical form of one value (PostgreSQL's `COPY` text format), appended to a row.
pub(super) mod canonical {
    pub fn null(out: &mut Vec<u8>) {
        out.extend_from_slice(b"\\N");
    }

    pub fn text(out: &mut Vec<u8>, v: &[u8]) {
        for &b in v {
            match b {
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\t' => out.extend_from_slice(b"\\t"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                _ => out.push(b),
            }
        }
    }

    pub fn blob(out: &mut Vec<u8>, v: &[u8]) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        out.extend_from_slice(b"\\x");
        for &b in v {
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0x0f)]);
        }
    }

    pub fn integer(out: &mut Vec<u8>, v: i64) {
        out.extend_from_slice(v.to_string().as_bytes());
    }
}

/// One table as read for its digest.
pub(super) struct Shape {
    pub(super) name: String,
    /// (name, PostgreSQL data type, or "" on SQLite) sorted by name.
    pub(super) columns: Vec<(String, String)>,
    /// The primary key's columns, in key order.
    pub(super) key: Vec<String>,
}

impl Shape {
    /// What the digest starts with: the version, the table's name, its columns.
    pub(super) fn preamble(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(|(n, _)| n.as_str()).collect();
        format!("{DIGEST_VERSION}\n{}\n{}\n", self.name, names.join("\t"))
    }

    /// The columns rows are read in the order of: the primary key, or without one, all
    /// columns.
    pub(super) fn order(&self) -> Vec<&str> {
        if self.key.is_empty() {
            self.columns.iter().map(|(n, _)| n.as_str()).collect()
        } else {
            self.key.iter().map(String::as_str).collect()
        }
    }

    pub(super) fn select(&self, values: &[String], order: &[String]) -> String {
        format!(
            "SELECT {} FROM {} ORDER BY {}",
            values.join(", "),
            quoted(&self.name),
            order.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn values_are_written_as_copy_text_format_writes_them() {
        assert_eq!(written(canonical::null), "\\N");
        assert_eq!(written(|o| canonical::integer(o, -42)), "-42");
        assert_eq!(
            written(|o| canonical::text(o, b"a\tb\nc\\d\re")),
            "a\\tb\\nc\\\\d\\re"
        );
        assert_eq!(written(|o| canonical::text(o, b"\\N")), "\\\\N");
        assert_eq!(written(|o| canonical::text(o, "中文".as_bytes())), "中文");
        assert_eq!(
            written(|o| canonical::blob(o, &[0x00, 0xff, 0x1a])),
            "\\x00ff1a"
        );
    }
}
