//! The three administrators' pages over HTTP (issue 10, item 10; SECURITY.md 三员分立), on
//! SQLite and PostgreSQL: a new account from creation to its holder's own password, a refused
//! form that keeps what was typed, the security record searched and exported, and the pages
//! closed to everyone else.

use crate::common::{client, get_page as get, spawn_apps, web_cookie};

/// The value of the hidden `_csrf` field of a page.
fn csrf(page: &str) -> String {
    let at = page
        .find("name=\"_csrf\" value=\"")
        .expect("a form with its token");
    let rest = &page[at + 20..];
    rest[..rest.find('"').unwrap()].to_string()
}

async fn post(
    base: &str,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let r = client()
        .post(format!("{base}{path}"))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (r.status().as_u16(), location, r.text().await.unwrap())
}

/// The text of the element with `id` (its first text, up to the next tag).
fn text_of(page: &str, id: &str) -> String {
    let at = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &page[at..];
    let start = rest.find('>').unwrap() + 1;
    rest[start..start + rest[start..].find('<').unwrap()]
        .trim()
        .to_string()
}

#[tokio::test]
async fn rx2_i10_a_new_account_goes_from_the_system_administrator_through_the_grant_to_its_holders_own_password()
 {
    for app in spawn_apps("i10-web", None).await {
        let base = app.base.as_str();
        let sys = web_cookie(&app, "admin.sys").await;
        let (status, page) = get(base, &sys, "/admin/accounts").await;
        assert_eq!(status, 200);
        assert!(
            page.contains("账户管理") && page.contains("scj.clerk"),
            "the accounts are listed"
        );
        let token = csrf(&page);

        // A taken username is refused at the field, keeping the name and unit typed.
        let (status, _, page) = post(
            base,
            &sys,
            "/admin/accounts",
            &[
                ("_csrf", &token),
                ("username", "scj.clerk"),
                ("display_name", "赵六"),
                ("org", "scj"),
            ],
        )
        .await;
        assert_eq!(status, 200);
        assert!(page.contains("已被使用"), "the field says why");
        assert!(
            page.contains("value=\"赵六\"") && page.contains("value=\"scj\" selected"),
            "what was typed is kept"
        );

        let (_, _, page) = post(
            base,
            &sys,
            "/admin/accounts",
            &[
                ("_csrf", &token),
                ("username", "scj.zhao"),
                ("display_name", "赵六"),
                ("org", "scj"),
            ],
        )
        .await;
        let one_time = text_of(&page, "one-time-password");
        assert_eq!(
            one_time.chars().count(),
            16,
            "the one-time password is shown once"
        );

        // Before the grant the login page says the account has no role.
        let r = client()
            .post(format!("{base}/login"))
            .form(&[("username", "scj.zhao"), ("password", one_time.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert!(r.text().await.unwrap().contains("尚未授权"));

        // The security administrator grants the role with their password again.
        let sec = web_cookie(&app, "admin.sec").await;
        let (status, page) = get(base, &sec, "/admin/accounts/scj.zhao/grant").await;
        assert_eq!(status, 200);
        assert!(
            page.contains("需求填报员"),
            "the roles that fit the unit are offered"
        );
        assert!(
            !page.contains("value=\"sys_admin\""),
            "no administrator's role is offered"
        );
        let token = csrf(&page);
        let path = "/admin/accounts/scj.zhao/grant";
        let (status, _, page) = post(
            base,
            &sec,
            path,
            &[
                ("_csrf", &token),
                ("role", "demand_clerk"),
                ("password", "Wrong-Password-9"),
            ],
        )
        .await;
        assert_eq!(status, 200);
        assert!(page.contains("密码不正确") && page.contains("value=\"demand_clerk\" selected"));
        let (status, location, _) = post(
            base,
            &sec,
            path,
            &[
                ("_csrf", &token),
                ("role", "demand_clerk"),
                ("password", demo::DEMO_PASSWORD),
            ],
        )
        .await;
        assert_eq!((status, location.as_str()), (303, "/admin/accounts"));

        // The holder logs in with the one-time password and is sent to change it first.
        let r = client()
            .post(format!("{base}/login"))
            .form(&[("username", "scj.zhao"), ("password", one_time.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let holder = r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let r = client()
            .get(format!("{base}/items?kind=demand"))
            .header("cookie", &holder)
            .send()
            .await
            .unwrap();
        assert_eq!(
            (
                r.status().as_u16(),
                r.headers()["location"].to_str().unwrap()
            ),
            (303, "/password")
        );
        let (_, page) = get(base, &holder, "/password").await;
        assert!(page.contains("一次性密码"));
        let token = csrf(&page);
        let mine = "Zhao-Own-Pass-2026";
        let (_, _, page) = post(
            base,
            &holder,
            "/password",
            &[
                ("_csrf", &token),
                ("current", &one_time),
                ("new", mine),
                ("again", "Zhao-Own-Pass-2027"),
            ],
        )
        .await;
        assert!(page.contains("两次输入的新密码不一致"));
        let (_, _, page) = post(
            base,
            &holder,
            "/password",
            &[
                ("_csrf", &token),
                ("current", &one_time),
                ("new", mine),
                ("again", mine),
            ],
        )
        .await;
        assert!(page.contains("password-done"), "{page}");
        let (status, _) = get(base, &holder, "/items?kind=demand").await;
        assert_eq!(
            status, 200,
            "the platform opens once the password is their own"
        );

        // The audit administrator finds every step in the security record and exports it.
        let audit = web_cookie(&app, "admin.audit").await;
        for action in ["user.add", "role.grant", "user.passwd.own"] {
            let (status, page) = get(base, &audit, &format!("/admin/trail?action={action}")).await;
            assert_eq!(status, 200);
            assert!(
                page.contains(action) && page.contains("127.0.0.1"),
                "{action} with its source"
            );
        }
        let r = client()
            .get(format!("{base}/admin/trail/export.xlsx?action=role.grant"))
            .header("cookie", &audit)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.bytes().await.unwrap().starts_with(b"PK"));
        let (_, page) = get(base, &audit, "/admin/trail?action=export").await;
        assert!(
            page.contains("role.grant"),
            "the export is itself recorded with its filters"
        );
    }
}

#[tokio::test]
async fn rx2_i10_the_administrators_pages_are_closed_to_everyone_else_and_admins_see_no_items() {
    for app in spawn_apps("i10-closed", None).await {
        let base = app.base.as_str();
        let clerk = web_cookie(&app, "scj.clerk").await;
        let audit = web_cookie(&app, "admin.audit").await;
        let sys = web_cookie(&app, "admin.sys").await;
        for (who, path) in [
            (&clerk, "/admin/accounts"),
            (&clerk, "/admin/trail"),
            (&clerk, "/admin/orgs"),
            (&audit, "/admin/accounts"),
            (&audit, "/admin/orgs"),
            (&sys, "/admin/trail"),
            (&sys, "/admin/ledger"),
            (&sys, "/admin/orgs"),
        ] {
            let (status, page) = get(base, who, path).await;
            assert_eq!(status, 422, "{path} refused");
            assert!(
                page.contains("三员分立") || page.contains("管理员"),
                "{path} says whose work it is"
            );
        }
        let (_, page) = get(base, &sys, "/").await;
        let token = csrf(&page);
        let (status, _, _) = post(base, &sys, "/admin/ledger/verify", &[("_csrf", &token)]).await;
        assert_eq!(
            status, 422,
            "the system administrator does not verify the ledger"
        );
        let (status, page) = get(base, &sys, "/items?kind=demand").await;
        assert_eq!(status, 200);
        assert!(
            page.contains("暂无数据"),
            "no business item is listed to an administrator"
        );
        assert!(
            page.contains("href=\"/admin/accounts\""),
            "the navigation leads to their own work"
        );
        let (_, page) = get(base, &audit, "/").await;
        let token = csrf(&page);
        let (status, _, page) =
            post(base, &audit, "/admin/ledger/verify", &[("_csrf", &token)]).await;
        assert_eq!(status, 200);
        assert!(page.contains("id=\"intact\""), "{page}");
    }
}
