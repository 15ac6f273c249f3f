//! The PostgreSQL client tools a backup and a restore run (`pg_dump`, `pg_restore`), built as
//! commands with the password kept off their command line. Apart because it is process
//! plumbing, not SQL.

use super::ROWS_NOT_KEPT;
use std::path::Path;

/// The PostgreSQL client tool `name`: from `TONGCHOU_PG_BIN` (a directory) when set, so an
/// operator can pick the client matching the server, otherwise from `PATH`.
fn pg_tool(name: &str) -> std::process::Command {
    match std::env::var_os("TONGCHOU_PG_BIN") {
        Some(dir) if !dir.is_empty() => std::process::Command::new(Path::new(&dir).join(name)),
        _ => std::process::Command::new(name),
    }
}

/// `url` without its password, and the password (percent-decoded): the password goes to the
/// tool in `PGPASSWORD`, not on its command line where other local users could read it.
fn without_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://") else {
        return (url.to_string(), None);
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return (url.to_string(), None);
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return (url.to_string(), None);
    };
    let stripped = format!(
        "{}{}{}",
        &url[..scheme_end + 3],
        &userinfo[..colon],
        &rest[at..]
    );
    (stripped, Some(percent_decode(&userinfo[colon + 1..])))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn pg_command(tool: &str, url: &str) -> std::process::Command {
    let (url, password) = without_password(url);
    let mut cmd = pg_tool(tool);
    if let Some(pw) = password {
        cmd.env("PGPASSWORD", pw);
    }
    cmd.arg(format!("--dbname={url}"));
    cmd
}

/// `pg_dump` of the exported snapshot `snapshot` in its custom format (compressed) on its
/// standard output, leaving out the rows of [`ROWS_NOT_KEPT`], owners and grants.
pub fn pg_dump(url: &str, snapshot: &str) -> std::process::Command {
    let mut cmd = pg_command("pg_dump", url);
    cmd.args([
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        &format!("--snapshot={snapshot}"),
    ]);
    for (table, _) in ROWS_NOT_KEPT {
        cmd.arg(format!("--exclude-table-data={table}"));
    }
    cmd
}

/// `pg_restore` of a custom-format dump into `url`, in one transaction (all or nothing),
/// stopping at the first error, with the target's own owner and grants.
pub fn pg_restore(url: &str, dump: &Path) -> std::process::Command {
    let mut cmd = pg_command("pg_restore", url);
    cmd.args([
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
    ]);
    cmd.arg(dump);
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_leaves_the_url_for_the_environment() {
        assert_eq!(
            without_password("postgres://u:p%40ss@h:5432/db?sslmode=disable"),
            (
                "postgres://u@h:5432/db?sslmode=disable".to_string(),
                Some("p@ss".to_string())
            )
        );
        assert_eq!(
            without_password("postgres://postgres@127.0.0.1:5432/test"),
            ("postgres://postgres@127.0.0.1:5432/test".to_string(), None)
        );
    }
}
