//! The Origin check on state-changing page requests: a form is taken only from the platform's
//! own pages. Apart because its rules (Origin, Sec-Fetch-Site, neither) need their reasons
//! beside them.

use axum::http::HeaderMap;
use domain::Text;

/// Whether a state-changing page request comes from this site's own pages.
///
/// `Origin` decides when present: it must be the request's own host (any scheme: a proxy may
/// end TLS) or one of `public_origins`; `null` and any other site are refused. Without it,
/// `Sec-Fetch-Site` must be `same-origin` or `none` (typed by the user). When both are sent they
/// must both agree. Without either the request is refused: every browser the platform supports
/// sends at least one of them on a POST, so a request with neither is no browser's form, and
/// programs use the API with a bearer token, which is not subject to this check.
pub fn origin_check(headers: &HeaderMap, public_origins: &[String]) -> Result<(), Text> {
    let text = |name: &str| {
        headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let (origin, site) = (text("origin"), text("sec-fetch-site"));
    if let Some(site) = &site
        && !matches!(site.to_ascii_lowercase().as_str(), "same-origin" | "none")
    {
        return Err(cross_site(origin.as_deref().unwrap_or(site)));
    }
    match origin {
        Some(origin) => {
            let host = text("host").unwrap_or_default().to_ascii_lowercase();
            let authority = origin
                .split_once("://")
                .map(|(_, a)| a.trim_end_matches('/').to_ascii_lowercase());
            let own = authority.is_some_and(|a| !a.is_empty() && a == host);
            let listed = public_origins
                .iter()
                .any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(&origin));
            if own || listed {
                Ok(())
            } else {
                Err(cross_site(&origin))
            }
        }
        None if site.is_some() => Ok(()),
        None => Err(Text::new(
            "浏览器没有说明这次提交来自哪个网站（请求中既无 Origin 也无 Sec-Fetch-Site），已拒绝。请从本系统的页面提交；程序调用请使用 /api/v1 接口和令牌。",
            "Refused: the request does not say which site it comes from (neither Origin nor Sec-Fetch-Site). Submit from the platform's own pages; programs use /api/v1 with a token.",
        )),
    }
}

fn cross_site(from: &str) -> Text {
    let from: String = from.chars().take(80).collect();
    Text::new(
        format!("这次提交来自其他网站（{from}），已拒绝：本系统只接受从自己页面发起的操作。"),
        format!(
            "Refused: the request comes from another site ({from}); the platform accepts changes only from its own pages."
        ),
    )
}
