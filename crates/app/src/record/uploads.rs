//! Attachments chosen on a new item's form (issue 12, point 11). Each file is checked as it
//! arrives and kept for its uploader (`store::uploads`); the item is then created with them in
//! one transaction: its creation, one `attach` step per file (each in the record with its
//! digest, as an attachment added later is), and the submission when it was asked for. A
//! refused form keeps the files for the next try, so the clerk does not choose them again.

use super::files::{Received, accepted, attach_field, check_archive};
use crate::items::{Command, Target};
use crate::{AppError, Platform, Principal};
use domain::{Input, ItemId, Text};

/// The field a new item of `kind`, created in `state`, takes files in on its form: the kind's
/// `attach` step from that state, when the principal's role takes it.
pub fn field_on_create<'p>(
    p: &'p Platform,
    who: &Principal,
    kind: &str,
    state: &str,
) -> Option<&'p domain::policy::FieldDef> {
    let kind = p.policy.kind(kind)?;
    let t = kind.transition("attach")?;
    let takes = t.from.iter().any(|s| s == state) && t.roles.contains(&who.user.role);
    takes.then(|| attach_field(kind)).flatten()
}

/// A file kept for its uploader until the form is sent again.
#[derive(Debug, Clone)]
pub struct Staged {
    pub id: i64,
    pub name: String,
    pub size: usize,
}

/// How long a kept file waits for its form.
const KEPT_HOURS: i64 = 24;

/// Checks a file for a new item of `kind` and keeps it for the principal.
pub async fn stage(
    p: &Platform,
    who: &Principal,
    kind: &str,
    name: &str,
    file: Received,
) -> Result<Staged, AppError> {
    let (name, ty) = accepted(p, name, file.bytes())?;
    let def = p
        .policy
        .kind(kind)
        .and_then(attach_field)
        .ok_or_else(no_files)?;
    check_archive(def, ty)?;
    let (user, at) = (who.user.id.get(), store::timestamp(p.now()));
    let size = file.len();
    let before = store::timestamp(p.now() - chrono::Duration::hours(KEPT_HOURS));
    let kept = name.clone();
    let cap = p.settings.max_upload_bytes;
    let id = p
        .store
        .write(move |c| {
            Box::pin(async move {
                store::uploads::purge(c, &before).await?;
                // What one person keeps waiting for their forms is held to one form's limit.
                let held = store::uploads::kept_bytes(c, user).await?;
                if usize::try_from(held)
                    .unwrap_or(usize::MAX)
                    .saturating_add(size)
                    > cap
                {
                    return Err(too_much(cap));
                }
                let id =
                    store::uploads::insert(c, user, &kept, file.sm3(), file.bytes(), &at).await?;
                Ok::<_, AppError>(id)
            })
        })
        .await?;
    Ok(Staged { id, name, size })
}

/// The files kept for the principal under these ids (ids of others', or gone, are left out);
/// their names and sizes, not their bytes.
pub async fn staged(p: &Platform, who: &Principal, ids: &[i64]) -> Result<Vec<Staged>, AppError> {
    let mut c = p.store.read().await?;
    let mut out = Vec::new();
    for &id in ids {
        if let Some((name, size)) = store::uploads::meta(&mut c, who.user.id.get(), id).await? {
            out.push(Staged {
                id,
                size: usize::try_from(size).unwrap_or(0),
                name,
            });
        }
    }
    Ok(out)
}

fn too_much(cap: usize) -> AppError {
    let mb = cap / (1024 * 1024);
    AppError::Invalid(Text::new(
        format!("附件合计超过 {mb} MB 上限，请取消勾选部分文件或压缩后再上传。"),
        format!("The files together are over the {mb} MB limit; untick some or compress them."),
    ))
}

fn no_files() -> AppError {
    AppError::Invalid(Text::new(
        "此类事项不能附加文件。",
        "Files cannot be attached to this kind of item.",
    ))
}

fn gone() -> AppError {
    AppError::Invalid(Text::new(
        "所选附件已失效（超过一天未提交），请重新选择文件。",
        "A chosen file has expired (kept for a day); choose it again.",
    ))
}

/// Creates an item of `kind` with the kept files `ids`, each attached by the kind's `attach`
/// step before the command's `then` (the submission): all of it, or nothing.
pub async fn create_with(
    p: &Platform,
    who: &Principal,
    kind: &str,
    cmd: Command,
    ids: &[i64],
) -> Result<ItemId, AppError> {
    if ids.is_empty() {
        return crate::items::create(p, who, kind, cmd).await;
    }
    let detail = serde_json::json!({ "kind": kind, "action": cmd.action, "files": ids.len() });
    let (p2, who2, kind, ids) = (p.clone(), who.clone(), kind.to_string(), ids.to_vec());
    let r = p
        .store
        .write(move |c| {
            Box::pin(async move {
                if let Some(done) = crate::steps::write::replayed(c, &who2, &cmd).await? {
                    return Ok(done);
                }
                let def = p2
                    .policy
                    .kind(&kind)
                    .and_then(attach_field)
                    .ok_or_else(no_files)?;
                let user = who2.user.id.get();
                let (mut files, mut between, mut list) = (Vec::new(), Vec::new(), String::new());
                let mut total = 0usize;
                for &id in &ids {
                    let u = store::uploads::get(c, user, id).await?.ok_or_else(gone)?;
                    total = total.saturating_add(u.content.len());
                    if total > p2.settings.max_upload_bytes {
                        return Err(too_much(p2.settings.max_upload_bytes));
                    }
                    let (name, ty) = accepted(&p2, &u.name, &u.content)?;
                    check_archive(def, ty)?;
                    // The digest is taken again from the bytes kept, not from the row.
                    let sm3 = crypto::sm3_hex(&u.content);
                    if !list.is_empty() {
                        list.push('\n');
                    }
                    list.push_str(&format!("{sm3} {name}"));
                    let input: Input = [(def.id.clone(), list.clone())].into();
                    between.push(("attach".to_string(), input));
                    files.push((u, name, ty, sm3));
                }
                let item = crate::steps::write::step_with(
                    c,
                    &p2,
                    &who2,
                    Target::New(kind),
                    cmd,
                    Input::new(),
                    between,
                )
                .await?;
                let at = store::timestamp(p2.now());
                for (u, name, ty, sm3) in files {
                    let file = store::files::NewFile {
                        item_id: item.get(),
                        purpose: "attachment",
                        name: &name,
                        media_type: ty.media_type(),
                        sm3: &sm3,
                        content: &u.content,
                        uploaded_by: Some(user),
                        at: &at,
                    };
                    store::files::insert(c, &file).await?;
                    store::uploads::delete(c, user, u.id).await?;
                }
                Ok(item)
            })
        })
        .await;
    crate::admin::recording_refusal(p, who, crate::items::STEP_ACTION, detail, r).await
}
