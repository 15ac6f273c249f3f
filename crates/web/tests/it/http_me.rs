//! Issue 12, point 11: 个人中心 and the bell. The account page shows the person's own account,
//! password dates, signing key and their own recent logins (a refused attempt too), never
//! another's; the bell, loaded after each page, counts the tasks the workbench counts.

use crate::common::{client, get_page, spawn_apps, web_cookie};

/// The rows of the table with `id` in `page`.
fn rows(page: &str, id: &str) -> usize {
    let table = page
        .split(&format!("id=\"{id}\""))
        .nth(1)
        .and_then(|s| s.split("</table>").next())
        .unwrap_or_default();
    table.matches("<tr><td").count()
}

#[tokio::test]
async fn my_account_shows_my_own_recent_logins_and_when_my_password_is_due() {
    let apps = spawn_apps("me-page", None).await;
    let app = &apps[0];
    // Someone tried the clerk's account with a wrong password; another clerk logged in.
    let wrong = client()
        .post(format!("{}/login", app.base))
        .form(&[("username", "scj.clerk"), ("password", "Not-The-Pass-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401, "the login page again, refused");
    web_cookie(app, "gaj.clerk").await;
    let cookie = web_cookie(app, "scj.clerk").await;
    let (status, page) = get_page(&app.base, &cookie, "/me").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("冯丽") && page.contains("scj.clerk"),
        "{page}"
    );
    assert!(page.contains("id=\"change-password-link\""));
    assert!(page.contains("须于此日前更换"));
    let logins = rows(&page, "me-logins");
    assert_eq!(
        logins, 2,
        "the refused attempt and this login, not the other clerk's"
    );
    assert!(page.contains("拒绝") && page.contains("成功"));
    let (_, home) = get_page(&app.base, &cookie, "/").await;
    assert!(home.contains("href=\"/me\""), "the top bar leads to it");
}

#[tokio::test]
async fn the_bell_counts_the_tasks_of_the_workbench_and_is_empty_without_a_session() {
    let apps = spawn_apps("bell", None).await;
    let app = &apps[0];
    let cookie = web_cookie(app, "dc.analyst").await;
    let (_, home) = get_page(&app.base, &cookie, "/").await;
    assert!(home.contains("hx-get=\"/bell\""));
    let (status, bell) = get_page(&app.base, &cookie, "/bell").await;
    assert_eq!(status, 200);
    let total = app::inbox::todo(
        &app.platform,
        &demo::principal(&app.platform, "dc.analyst").await.unwrap(),
        1,
        1,
    )
    .await
    .unwrap()
    .total;
    assert!(total > 0);
    assert!(
        bell.contains(&format!("id=\"bell-count\">{total}<")),
        "{bell}"
    );
    assert!(bell.contains("查看全部待办"));
    let (status, none) = get_page(&app.base, "tc_session=gone", "/bell").await;
    assert_eq!(status, 200, "no redirect to swap into the page");
    assert_eq!(none, "<span id=\"bell\"></span>");
}
