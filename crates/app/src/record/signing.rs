//! Electronic signatures (R14.1): a demand unit confirms its to-build entry in writing by an
//! SM2 signature over the entry's canonical content, stepped up by re-entering the password.
//!
//! Keys are held by the platform (`Custody`): one SM2 key per user, created at the first
//! signature, the private half sealed with SM4-GCM under a key derived from the platform's key
//! file. A hardware key (UKey) or a CA's signing service replaces `Custody` by offering the same
//! two calls, `public_key` and `sign`; the signature record and its check stay as they are.

use crate::steps::{BoxFut, Capability, Read, Ready};
use crate::{AppError, Platform, Principal};
use domain::policy::{ItemKind, Transition};
use domain::{Denied, FieldError, Input, Item, Text};
use store::Conn;
use store::items::ItemRow;

/// The form field that carries the re-entered password; it is never stored.
pub const PASSWORD_FIELD: &str = "_password";

/// The fields a signing step fills on its item.
pub const SYSTEM_FIELDS: [&str; 3] = ["signature", "signer_key", "signed_at"];

/// The exact bytes a signature covers: the item's number, the step, the signer, the time and
/// each signed field by name (values JSON-quoted so no value can imitate a line).
pub fn content(
    number: &str,
    action: &str,
    signer: i64,
    at: &str,
    fields: &[(&str, &str)],
) -> Vec<u8> {
    let mut s = format!(
        "tongchou-signature-v1\nnumber: {number}\naction: {action}\nsigner: {signer}\nsigned_at: {at}\n"
    );
    for (name, value) in fields {
        let quoted = serde_json::to_string(value).unwrap_or_default();
        s.push_str(&format!("{name}: {quoted}\n"));
    }
    s.into_bytes()
}

/// The platform holding users' keys, sealed with SM4-GCM under its key-encryption key.
pub struct Custody<'a> {
    p: &'a Platform,
}

impl<'a> Custody<'a> {
    pub fn new(p: &'a Platform) -> Custody<'a> {
        Custody { p }
    }

    fn kek(&self) -> [u8; 16] {
        self.p.kek.derive_sm4(SEALING)
    }

    /// The user's key, created (and kept sealed) at the first signature.
    async fn key(&self, c: &mut Conn, user: i64) -> Result<crypto::KeyPair, AppError> {
        let aad = format!("user:{user}");
        let broken = || AppError::Startup("a sealed signing key cannot be opened".into());
        if let Some(k) = store::signing_keys::get(c, user).await? {
            let sealed = hex::decode(&k.sealed_hex).map_err(|_| broken())?;
            let secret =
                crypto::open(&self.kek(), &sealed, aad.as_bytes()).map_err(|_| broken())?;
            let secret = String::from_utf8(secret).map_err(|_| broken())?;
            return crypto::KeyPair::from_secret_hex(&secret).map_err(|_| broken());
        }
        let key = crypto::KeyPair::generate().map_err(|e| AppError::Startup(e.to_string()))?;
        let sealed = crypto::seal(&self.kek(), key.secret_hex().as_bytes(), aad.as_bytes())
            .map_err(|e| AppError::Startup(e.to_string()))?;
        let row = store::signing_keys::SigningKey {
            user_id: user,
            public_hex: key.public().to_hex(),
            sealed_hex: hex::encode(sealed),
            kek_id: Some(self.p.kek.id()),
        };
        store::signing_keys::insert(c, &row, &store::timestamp(self.p.now())).await?;
        Ok(key)
    }

    /// Signs `msg` as `user`; returns (public key hex, signature hex).
    pub async fn sign(
        &self,
        c: &mut Conn,
        user: i64,
        msg: &[u8],
    ) -> Result<(String, String), AppError> {
        let key = self.key(c, user).await?;
        let sig = key
            .sign(msg)
            .map_err(|e| AppError::Startup(e.to_string()))?;
        Ok((key.public().to_hex(), sig))
    }
}

const SEALING: &str = "user-signing-keys";

/// Reseals, once, the users' keys sealed before the KEK had a file of its own (under a key
/// derived from the platform's signing key), so that the signing key can be rotated. The
/// same keys, the same public halves: only the envelope changes.
pub(crate) async fn reseal_under_kek(p: &Platform) -> Result<(), AppError> {
    let legacy = crypto::derive_key(p.key.secret_hex().as_bytes(), SEALING);
    let kek = p.kek.derive_sm4(SEALING);
    let kek_id = p.kek.id();
    p.store
        .write(move |c| {
            Box::pin(async move {
                for k in store::signing_keys::sealed_otherwise(c, &kek_id).await? {
                    let broken = || {
                        AppError::Startup(format!(
                            "the signing key of user {} was sealed under another key-encryption key ({}); restore that KEK file",
                            k.user_id,
                            k.kek_id.clone().unwrap_or_else(|| "the platform key".into())
                        ))
                    };
                    if k.kek_id.is_some() {
                        return Err(broken());
                    }
                    let aad = format!("user:{}", k.user_id);
                    let sealed = hex::decode(&k.sealed_hex).map_err(|_| broken())?;
                    let secret = crypto::open(&legacy, &sealed, aad.as_bytes()).map_err(|_| broken())?;
                    let again = crypto::seal(&kek, &secret, aad.as_bytes())
                        .map_err(|e| AppError::Startup(e.to_string()))?;
                    store::signing_keys::reseal(c, k.user_id, &hex::encode(again), &kek_id).await?;
                }
                Ok(())
            })
        })
        .await
}

fn password_denied(t: &Transition, zh: &str, en: &str) -> AppError {
    AppError::Denied(Denied {
        reason: Text::new(zh, en),
        article: Some(t.article.clone()),
        fields: vec![FieldError {
            field: PASSWORD_FIELD.into(),
            message: Text::new(zh, en),
        }],
    })
}

/// `sign = [...]`: the step is an electronic signature over the listed fields. Before the
/// write the signer re-enters their password (a step-up that counts like a login); inside the
/// write the item's content as it is then (unchanged since the signer read it) is signed with
/// the signer's SM2 key and the signature becomes the step's system fields.
pub struct Signature;

impl Capability for Signature {
    fn declared(&self, t: &Transition) -> bool {
        !t.sign.is_empty()
    }

    fn prepare<'a>(&'a self, read: &'a Read<'a>) -> BoxFut<'a, Result<Box<dyn Ready>, AppError>> {
        Box::pin(async move {
            let t = read.t;
            let password = read.input.get(PASSWORD_FIELD).map_or("", String::as_str);
            if read.may {
                if password.is_empty() {
                    return Err(password_denied(
                        t,
                        "请输入您的登录密码以确认电子签名。",
                        "Enter your password to confirm the signature.",
                    ));
                }
                if !crate::identity::step_up::check(read.p, read.who, password).await? {
                    return Err(password_denied(
                        t,
                        "密码不正确，未签名。",
                        "The password is wrong; nothing was signed.",
                    ));
                }
            }
            // A signature covers what the signer saw: the version of the page (or the API's
            // read) must come with the request, and be the current one.
            if crate::items::expected_version(read.input).is_none() {
                return Err(AppError::Denied(Denied {
                    reason: Text::new(
                        "签名请求缺少所签内容的版本，请刷新页面后重新签名。",
                        "The signature request does not say which version was read; reload the page and sign again.",
                    ),
                    article: Some(t.article.clone()),
                    fields: Vec::new(),
                }));
            }
            Ok(Box::new(Signing {
                may: read.may,
                action: t.id.clone(),
            }) as Box<dyn Ready>)
        })
    }
}

struct Signing {
    may: bool,
    action: String,
}

impl Ready for Signing {
    fn system<'c>(
        &'c mut self,
        c: &'c mut Conn,
        p: &'c Platform,
        who: &'c Principal,
        row: &'c ItemRow,
    ) -> BoxFut<'c, Result<Input, AppError>> {
        Box::pin(async move {
            let mut system = Input::new();
            // Someone who may not sign is refused by the step itself; nothing is signed.
            let t = p
                .policy
                .kind(&row.item.kind)
                .and_then(|k| k.transition(&self.action));
            let (true, Some(t)) = (self.may, t) else {
                return Ok(system);
            };
            let at = store::timestamp(p.now());
            let msg = content(
                &row.number,
                &t.id,
                who.user.id.get(),
                &at,
                &signed_fields(t, &row.item),
            );
            let (public, sig) = Custody::new(p).sign(c, who.user.id.get(), &msg).await?;
            system.insert("signature".into(), sig);
            system.insert("signer_key".into(), public);
            system.insert("signed_at".into(), at);
            Ok(system)
        })
    }
}

fn signed_fields<'i>(t: &'i Transition, item: &'i Item) -> Vec<(&'i str, &'i str)> {
    t.sign.iter().map(|f| (f.as_str(), item.field(f))).collect()
}

/// What a signature check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// The signature matches the content and the signer's registered key.
    Valid { signer: i64, at: String },
    /// It does not: the content (or the signature, or the key) changed after signing.
    Invalid { signer: i64, at: String },
}

/// Checks the signature an item carries, if any, against its current content and the key
/// registered for the signer.
pub async fn check(
    c: &mut Conn,
    kind: &ItemKind,
    number: &str,
    item: &Item,
) -> Result<Option<SignatureCheck>, AppError> {
    // The signature the item carries is its last signing step's (a kind may have several: the
    // Bureau's and Finance's approvals of a payment); earlier ones stay in the chained record.
    let Some((t, signer)) = item.acts.iter().rev().find_map(|a| {
        kind.transition(&a.action)
            .filter(|t| !t.sign.is_empty())
            .map(|t| (t, a.user.get()))
    }) else {
        return Ok(None);
    };
    let at = item.field("signed_at").to_string();
    if item.field("signature").is_empty() {
        return Ok(None);
    }
    let registered = store::signing_keys::get(c, signer).await?;
    let msg = content(number, &t.id, signer, &at, &signed_fields(t, item));
    let valid = registered.is_some_and(|k| k.public_hex == item.field("signer_key"))
        && crypto::PublicKey::from_hex(item.field("signer_key"))
            .is_ok_and(|k| k.verify(&msg, item.field("signature")));
    Ok(Some(if valid {
        SignatureCheck::Valid { signer, at }
    } else {
        SignatureCheck::Invalid { signer, at }
    }))
}

/// The numbers of the items whose signature no longer matches, for `audit verify`.
pub async fn all_invalid(c: &mut Conn, policy: &domain::Policy) -> Result<Vec<String>, AppError> {
    let mut invalid = Vec::new();
    for kind in policy
        .kinds
        .iter()
        .filter(|k| k.transitions.iter().any(|t| !t.sign.is_empty()))
    {
        for page in 1.. {
            let f = store::items::Filter {
                kind: kind.id.clone(),
                page,
                per_page: 200,
                ..Default::default()
            };
            let rows = store::items::list(c, &f).await?;
            if rows.is_empty() {
                break;
            }
            for row in rows {
                if let Some(SignatureCheck::Invalid { .. }) =
                    check(c, kind, &row.number, &row.item).await?
                {
                    invalid.push(row.number);
                }
            }
        }
    }
    Ok(invalid)
}

/// The signature check for an item page, with the signer's name.
pub async fn status(
    p: &Platform,
    row: &ItemRow,
) -> Result<Option<(SignatureCheck, String)>, AppError> {
    let Some(kind) = p.policy.kind(&row.item.kind) else {
        return Ok(None);
    };
    let mut c = p.store.read().await?;
    let Some(check) = check(&mut c, kind, &row.number, &row.item).await? else {
        return Ok(None);
    };
    let signer = match &check {
        SignatureCheck::Valid { signer, .. } | SignatureCheck::Invalid { signer, .. } => *signer,
    };
    let name = store::users::get(&mut c, domain::UserId::new(signer))
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    Ok(Some((check, name)))
}
