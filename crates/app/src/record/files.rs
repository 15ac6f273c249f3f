//! Attachments (R13.2): pdf, ofd, docx, xlsx, png and jpg, recognised by their content (not by
//! the name), at most 20 MB each. Attaching is a policy step (`attach`) whose only input is the
//! kind's `files` field, so who may attach, when, and under which article is policy data, and
//! each attachment's SM3 digest enters the item's chained record with the file itself.

use crate::items::{Command, Target};
use crate::{AppError, Platform, Principal};
use domain::policy::FieldType;
use domain::{Input, ItemId, Text};
use std::io::Read;

pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// A file as it arrived: its bytes, and their SM3 computed while they were read.
pub struct Received {
    bytes: Vec<u8>,
    sm3: String,
}

impl Received {
    /// A file being read piece by piece, its digest computed as the pieces come.
    pub fn digesting() -> Digesting {
        Digesting::default()
    }

    /// The SM3 of the bytes, computed as they were read.
    pub fn sm3(&self) -> &str {
        &self.sm3
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// Bytes already in memory: digested at once.
impl From<Vec<u8>> for Received {
    fn from(bytes: Vec<u8>) -> Received {
        let sm3 = crypto::sm3_hex(&bytes);
        Received { bytes, sm3 }
    }
}

/// A file being received (`Received::digesting`).
#[derive(Default)]
pub struct Digesting {
    bytes: Vec<u8>,
    sm3: crypto::Sm3Stream,
}

impl Digesting {
    pub fn push(&mut self, piece: &[u8]) {
        self.sm3.update(piece);
        self.bytes.extend_from_slice(piece);
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub fn finish(self) -> Received {
        Received {
            bytes: self.bytes,
            sm3: self.sm3.finish_hex(),
        }
    }
}

/// A kind of file the platform accepts, as recognised from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Pdf,
    Ofd,
    Docx,
    Xlsx,
    Png,
    Jpeg,
    /// A zip that is none of the documents above: a source archive.
    Zip,
    /// gzip (a .tar.gz source archive).
    Gzip,
}

impl FileType {
    pub fn media_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Ofd => "application/ofd",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileType::Png => "image/png",
            FileType::Jpeg => "image/jpeg",
            FileType::Zip => "application/zip",
            FileType::Gzip => "application/gzip",
        }
    }

    /// A source archive, taken only by a field that says `archives`.
    pub fn is_archive(self) -> bool {
        matches!(self, FileType::Zip | FileType::Gzip)
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            FileType::Pdf => &["pdf"],
            FileType::Ofd => &["ofd"],
            FileType::Docx => &["docx"],
            FileType::Xlsx => &["xlsx"],
            FileType::Png => &["png"],
            FileType::Jpeg => &["jpg", "jpeg"],
            FileType::Zip => &["zip"],
            FileType::Gzip => &["gz", "tgz"],
        }
    }
}

/// What the bytes are, whatever the name says. Zip containers are told apart by the part
/// that defines them (word/document.xml, xl/workbook.xml, OFD.xml).
pub fn sniff(bytes: &[u8]) -> Option<FileType> {
    if bytes.starts_with(b"%PDF-") {
        return Some(FileType::Pdf);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(FileType::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(FileType::Jpeg);
    }
    if bytes.starts_with(&[0x1F, 0x8B]) {
        return Some(FileType::Gzip);
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return None;
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let has = |zip: &mut zip::ZipArchive<_>, name: &str| zip.by_name(name).is_ok();
    if has(&mut zip, "word/document.xml") {
        Some(FileType::Docx)
    } else if has(&mut zip, "xl/workbook.xml") {
        Some(FileType::Xlsx)
    } else if has(&mut zip, "OFD.xml") {
        // An OFD package's entry document names the OFD namespace.
        let mut head = String::new();
        zip.by_name("OFD.xml")
            .ok()?
            .take(4096)
            .read_to_string(&mut head)
            .ok()?;
        head.contains("ofdspec").then_some(FileType::Ofd)
    } else {
        Some(FileType::Zip)
    }
}

/// The refusal of a file of no accepted type (a source archive counts only where the field
/// takes archives).
fn not_accepted() -> AppError {
    refused(
        "只能上传 PDF、OFD、Word（.docx）、Excel（.xlsx）、PNG 或 JPG 文件；文件内容无法识别为其中任何一种。",
        "Only PDF, OFD, Word (.docx), Excel (.xlsx), PNG or JPG files; the content is none of these.",
    )
}

fn refused(zh: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::Invalid(Text::new(zh, en))
}

/// Checks the file and attaches it to the item through the kind's `attach` step: the file row
/// and the step (with the digest) are written in one transaction, or neither. A refused upload
/// is in the security record like any refused step (with the file's digest, not its name).
pub async fn attach(
    p: &Platform,
    who: &Principal,
    id: ItemId,
    name: &str,
    file: impl Into<Received>,
) -> Result<ItemId, AppError> {
    let file = file.into();
    let detail = serde_json::json!({ "item": id.get(), "action": "attach", "sm3": file.sm3 });
    let r = attach_unrecorded(p, who, id, name, file).await;
    crate::admin::recording_refusal(p, who, crate::items::STEP_ACTION, detail, r).await
}

/// The name a file is kept under and its type, or why it is refused: a valid name, not empty,
/// within the size limit, of an accepted type whose extension the name carries.
pub(crate) fn accepted(
    p: &Platform,
    name: &str,
    bytes: &[u8],
) -> Result<(String, FileType), AppError> {
    let name = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    if name.is_empty() || name.chars().count() > 120 || name.contains('\n') {
        return Err(refused("文件名无效。", "The file name is not valid."));
    }
    if bytes.is_empty() {
        return Err(refused("文件是空的。", "The file is empty."));
    }
    let cap = p.settings.max_upload_bytes;
    if bytes.len() > cap {
        let mb = cap / (1024 * 1024);
        return Err(refused(
            format!("文件超过 {mb} MB 上限，请压缩或拆分后上传。"),
            format!("The file is over the {mb} MB limit; compress or split it."),
        ));
    }
    let Some(ty) = sniff(bytes) else {
        return Err(not_accepted());
    };
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if !ty.extensions().contains(&ext.as_str()) {
        return Err(refused(
            format!(
                "文件内容为 {}，与扩展名 .{ext} 不符。",
                ty.extensions()[0].to_uppercase()
            ),
            format!(
                "The content is {}, not .{ext}.",
                ty.extensions()[0].to_uppercase()
            ),
        ));
    }
    Ok((name, ty))
}

/// The field a kind's `attach` step fills (its one `files` input), if it has one.
pub(crate) fn attach_field(kind: &domain::policy::ItemKind) -> Option<&domain::policy::FieldDef> {
    kind.transition("attach")
        .and_then(|t| t.inputs.first())
        .and_then(|f| kind.field(f))
        .filter(|d| d.ty == FieldType::Files)
}

/// The refusal of an archive where the field takes documents only.
pub(crate) fn check_archive(
    field: &domain::policy::FieldDef,
    ty: FileType,
) -> Result<(), AppError> {
    match ty.is_archive() && !field.archives {
        true => Err(not_accepted()),
        false => Ok(()),
    }
}

async fn attach_unrecorded(
    p: &Platform,
    who: &Principal,
    id: ItemId,
    name: &str,
    file: Received,
) -> Result<ItemId, AppError> {
    let Received { bytes, sm3: digest } = file;
    let (name, ty) = accepted(p, name, &bytes)?;
    let view = crate::items::view(p, who, id).await?;
    let kind = p
        .policy
        .kind(&view.row.item.kind)
        .ok_or(AppError::NotFound)?;
    let def = attach_field(kind).ok_or(AppError::NotFound)?;
    check_archive(def, ty)?;
    let field = def.id.clone();
    let cmd = Command {
        action: "attach".into(),
        input: Input::new(),
        then: None,
        idempotency: None,
    };
    let (p2, who2) = (p.clone(), who.clone());
    let clock = p.settings.clock.clone();
    p.store
        .write(move |c| {
            Box::pin(async move {
                // The list as it stands in this transaction, not as the page read it: parallel
                // uploads each add their file to what the one before recorded.
                let current = store::items::get(c, id).await?.ok_or(AppError::NotFound)?;
                let mut list = current.item.field(&field).to_string();
                if !list.is_empty() {
                    list.push('\n');
                }
                list.push_str(&format!("{digest} {name}"));
                let system: Input = [(field, list)].into();
                let id =
                    crate::items::step(c, &p2, &who2, Target::Existing(id), cmd, system).await?;
                let at = store::timestamp(clock.now());
                store::files::insert(
                    c,
                    &store::files::NewFile {
                        item_id: id.get(),
                        purpose: "attachment",
                        name: &name,
                        media_type: ty.media_type(),
                        sm3: &digest,
                        content: &bytes,
                        uploaded_by: Some(who2.user.id.get()),
                        at: &at,
                    },
                )
                .await?;
                Ok(id)
            })
        })
        .await
}
