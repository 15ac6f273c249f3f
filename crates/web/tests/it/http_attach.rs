//! Issue 12, point 11 (R13.2): attachments chosen on the new-item form are sent with it. A
//! refused form keeps what was typed and the files it received (listed, ticked), a refused
//! file is named at the box, and the item is created with its files in one step.

use crate::common::{TestApp, client, spawn_apps, web_cookie};
use testkit::peek;

const BOUNDARY: &str = "----tongchou-attach-test-51c2";

/// A multipart body of text fields and files (field, file name, bytes).
fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF".to_vec()
}

fn png() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend_from_slice(&[0u8; 64]);
    b
}

/// Every value of a named input in a page, in order.
fn values(page: &str, name: &str) -> Vec<String> {
    let needle = format!("name=\"{name}\" value=\"");
    page.match_indices(&needle)
        .map(|(at, _)| {
            let rest = &page[at + needle.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

async fn new_form(app: &TestApp, cookie: &str) -> String {
    client()
        .get(format!("{}/items/new?kind=demand", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn send(app: &TestApp, cookie: &str, body: (String, Vec<u8>)) -> reqwest::Response {
    client()
        .post(format!("{}/items/new?kind=demand&action=create", app.base))
        .header("cookie", cookie)
        .header("content-type", body.0)
        .body(body.1)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn r13_2_files_chosen_on_the_new_demand_form_survive_a_refusal_and_are_attached_with_it() {
    for app in spawn_apps("attach-create", None).await {
        let cookie = web_cookie(&app, "scj.clerk").await;
        let page = new_form(&app, &cookie).await;
        assert!(page.contains("id=\"attachments-box\""), "{page}");
        assert!(page.contains("enctype=\"multipart/form-data\""));
        let csrf = values(&page, "_csrf").remove(0);
        let (pdf, png) = (pdf(), png());

        // No title: refused at the field; the problem typed and both files are kept.
        let body = multipart(
            &[
                ("_csrf", &csrf),
                ("title", ""),
                ("problem", "窗口排队久"),
                ("op", "save"),
            ],
            &[("方案.pdf", &pdf), ("截图.png", &png)],
        );
        let r = send(&app, &cookie, body).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("窗口排队久"), "what was typed is kept");
        assert!(page.contains("id=\"staged-files\""), "{page}");
        assert!(page.contains("方案.pdf") && page.contains("截图.png"));
        let kept = values(&page, "_staged");
        assert_eq!(kept.len(), 2, "both files are kept for the next try");

        // A file that is not what its name says is named at the box; nothing is created.
        let csrf = values(&page, "_csrf").remove(0);
        let mut fields = vec![
            ("_csrf", csrf.as_str()),
            ("title", "档案数字化系统"),
            ("op", "save"),
        ];
        fields.extend(kept.iter().map(|id| ("_staged", id.as_str())));
        let r = send(
            &app,
            &cookie,
            multipart(&fields, &[("假的.pdf", b"plain text")]),
        )
        .await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("id=\"files-error\""), "{page}");
        assert!(page.contains("假的.pdf"));
        assert_eq!(
            peek::count(&app.platform, "demand", "档案数字化系统").await,
            0,
            "nothing created"
        );
        assert_eq!(
            values(&page, "_staged"),
            kept,
            "the good files are still kept"
        );

        // Another clerk cannot take them: for anyone else the ids are files no longer there.
        let other = web_cookie(&app, "gaj.clerk").await;
        let page2 = new_form(&app, &other).await;
        let csrf2 = values(&page2, "_csrf").remove(0);
        let mut theirs = vec![
            ("_csrf", csrf2.as_str()),
            ("title", "他人的需求"),
            ("op", "save"),
        ];
        theirs.extend(kept.iter().map(|id| ("_staged", id.as_str())));
        let r = send(&app, &other, multipart(&theirs, &[])).await;
        assert_eq!(r.status(), 422);
        let refused = r.text().await.unwrap();
        assert!(refused.contains("所选附件已失效"), "{refused}");
        assert!(
            !refused.contains("方案.pdf"),
            "another's file names are not shown"
        );
        assert_eq!(peek::count(&app.platform, "demand", "他人的需求").await, 0);

        // Sent again with the title, the kept files and one more: created with all three,
        // each by its own attach step in the record.
        let csrf = values(&page, "_csrf").remove(0);
        let mut fields = vec![
            ("_csrf", csrf.as_str()),
            ("title", "档案数字化系统"),
            ("op", "save"),
        ];
        fields.extend(kept.iter().map(|id| ("_staged", id.as_str())));
        let more = pdf.iter().chain(b"\n%more").copied().collect::<Vec<u8>>();
        let r = send(&app, &cookie, multipart(&fields, &[("补充.pdf", &more)])).await;
        assert_eq!(r.status(), 303);
        let row = peek::item(&app.platform, location_id(&r)).await;
        assert_eq!(
            row.item.field("attachments"),
            format!(
                "{} 方案.pdf\n{} 截图.png\n{} 补充.pdf",
                crypto::sm3_hex(&pdf),
                crypto::sm3_hex(&png),
                crypto::sm3_hex(&more)
            )
        );
        let attaches = row
            .item
            .acts
            .iter()
            .filter(|a| a.action == "attach")
            .count();
        assert_eq!(attaches, 3);
        let kept_file = peek::file(&app.platform, row.item.id.get(), &crypto::sm3_hex(&png)).await;
        assert_eq!(kept_file, Some(png), "the file is kept with the item");
        let left = peek::rows(&app.platform, "uploads").await;
        assert_eq!(left, 0, "the kept files moved to the item");
    }
}

fn location_id(r: &reqwest::Response) -> i64 {
    let to = r.headers()["location"].to_str().unwrap();
    let id = to.trim_start_matches("/items/");
    id[..id.find('?').unwrap_or(id.len())].parse().unwrap()
}
