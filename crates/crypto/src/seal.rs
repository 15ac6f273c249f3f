//! SM4-GCM (RFC 8998) authenticated encryption for secrets kept at rest, so that what the
//! platform stores encrypted stays within 国密 algorithms and any tampering is detected on
//! opening. A sealed value is `nonce (12) || ciphertext || tag (16)`, the layout RFC 8998 and
//! most SM4-GCM tools use, so it can be opened elsewhere with the same key.

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{AesGcm, Nonce};
use hmac::{Hmac, Mac};
use sm3::{Digest, Sm3};
use sm4::Sm4;

use crate::SignError;

/// GCM over SM4 with the 96-bit nonce RFC 8998 requires.
type Sm4Gcm = AesGcm<Sm4, U12>;

const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// Labels every derived key so that keys derived here never equal an HMAC computed elsewhere
/// with the same secret.
const DERIVE_LABEL: &[u8] = b"tongchou sm4 key\0";

/// Encrypts and authenticates `plaintext`, and authenticates `aad` (which is not stored: the
/// caller supplies the same bytes to `open`, binding the ciphertext to, say, a record id).
/// Each call draws a fresh random nonce, so sealing the same data twice gives different output;
/// random 96-bit nonces stay safe up to about 2^32 seals under one key (NIST SP 800-38D).
pub fn seal(key: &[u8; 16], plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, SignError> {
    let nonce: [u8; NONCE_LEN] = crate::random_bytes()?;
    seal_with_nonce(key, &nonce, plaintext, aad)
}

/// Checks and decrypts the output of `seal`. Any changed byte, a wrong key or a different
/// `aad` gives `SignError::Open` and no plaintext at all.
pub fn open(key: &[u8; 16], sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, SignError> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return Err(SignError::Open);
    }
    let Some((nonce, body)) = sealed.split_first_chunk::<NONCE_LEN>() else {
        return Err(SignError::Open);
    };
    Sm4Gcm::new(&(*key).into())
        .decrypt(&Nonce::from(*nonce), Payload { msg: body, aad })
        .map_err(|_| SignError::Open)
}

/// An SM4 key for one `purpose` (such as `"kek"`), derived from a longer secret such as the
/// platform's key file with HMAC-SM3, so one secret can serve several uses without their keys
/// being related. The same inputs always give the same key.
pub fn derive_key(secret: &[u8], purpose: &str) -> [u8; 16] {
    let mut mac = <Hmac<Sm3> as KeyInit>::new(&hmac_key(secret));
    mac.update(DERIVE_LABEL);
    mac.update(purpose.as_bytes());
    let full = mac.finalize().into_bytes();
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

/// The HMAC key block for `secret` as RFC 2104 forms it (hashed when longer than a block,
/// zero-padded otherwise). Doing this here rather than through `new_from_slice` keeps
/// `derive_key` free of an error path that HMAC can never take.
fn hmac_key(secret: &[u8]) -> hmac::digest::Key<Hmac<Sm3>> {
    let mut block = hmac::digest::Key::<Hmac<Sm3>>::default();
    if secret.len() > block.len() {
        let digest = Sm3::digest(secret);
        block[..digest.len()].copy_from_slice(&digest);
    } else {
        block[..secret.len()].copy_from_slice(secret);
    }
    block
}

fn seal_with_nonce(
    key: &[u8; 16],
    nonce: &[u8; NONCE_LEN],
    plaintext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, SignError> {
    // Fails only past GCM's length limits (64 GiB of plaintext).
    let body = Sm4Gcm::new(&(*key).into())
        .encrypt(
            &Nonce::from(*nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| SignError::Seal)?;
    let mut out = Vec::with_capacity(NONCE_LEN + body.len());
    out.extend_from_slice(nonce);
    out.extend_from_slice(&body);
    Ok(out)
}

/// GB/T 32907 Appendix A, example 1: one block, key = plaintext.
const BLOCK_KEY: [u8; 16] = [
    0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10,
];
const BLOCK_CIPHERTEXT: [u8; 16] = [
    0x68, 0x1e, 0xdf, 0x34, 0xd2, 0x06, 0x96, 0x5e, 0x86, 0xb3, 0xe9, 0x4f, 0x53, 0x6e, 0x42, 0x46,
];

/// RFC 8998 Appendix A.1 (SM4-GCM), as hex: key, nonce, aad, plaintext, ciphertext || tag.
const GCM_VECTOR: [&str; 5] = [
    "0123456789abcdeffedcba9876543210",
    "00001234567800000000abcd",
    "feedfacedeadbeeffeedfacedeadbeefabaddad2",
    "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd\
     eeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa",
    "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735\
     d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d\
     83de3541e4c2b58177e065a9bf7b62ec",
];

/// The SM4 block cipher known-answer test (GB/T 32907).
pub(crate) fn block_known_answer() -> bool {
    use sm4::cipher::BlockCipherEncrypt;
    let mut block = BLOCK_KEY.into();
    Sm4::new(&BLOCK_KEY.into()).encrypt_block(&mut block);
    block == BLOCK_CIPHERTEXT
}

/// The SM4-GCM known-answer test (RFC 8998 A.1), through `seal_with_nonce` and `open` so the
/// framing is checked along with the mode.
pub(crate) fn gcm_known_answer() -> bool {
    let [key, nonce, aad, plaintext, expected] = GCM_VECTOR.map(hex::decode);
    let (Ok(key), Ok(nonce), Ok(aad), Ok(plaintext), Ok(expected)) =
        (key, nonce, aad, plaintext, expected)
    else {
        return false;
    };
    let (Ok(key), Ok(nonce)) = (<[u8; 16]>::try_from(key), <[u8; 12]>::try_from(nonce)) else {
        return false;
    };
    let Ok(sealed) = seal_with_nonce(&key, &nonce, &plaintext, &aad) else {
        return false;
    };
    sealed[..NONCE_LEN] == nonce
        && sealed[NONCE_LEN..] == expected[..]
        && open(&key, &sealed, &aad).is_ok_and(|p| p == plaintext)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const KEY: [u8; 16] = *b"sixteen byte key";

    #[test]
    fn sm4_matches_the_gb_t_32907_block_vector() {
        assert!(block_known_answer());
    }

    #[test]
    fn sm4_gcm_matches_the_rfc_8998_vector() {
        assert!(gcm_known_answer());
    }

    #[test]
    fn sealed_data_opens_with_the_same_key_and_aad() {
        let sealed = seal(&KEY, b"the data key", b"record 42").unwrap();
        assert_eq!(sealed.len(), NONCE_LEN + b"the data key".len() + TAG_LEN);
        assert_eq!(open(&KEY, &sealed, b"record 42").unwrap(), b"the data key");
        assert_eq!(
            open(&KEY, &seal(&KEY, b"", b"").unwrap(), b"").unwrap(),
            b""
        );
    }

    #[test]
    fn sealing_twice_gives_different_output() {
        assert_ne!(
            seal(&KEY, b"same", b"").unwrap(),
            seal(&KEY, b"same", b"").unwrap()
        );
    }

    #[test]
    fn one_flipped_byte_anywhere_makes_open_fail() {
        let sealed = seal(&KEY, b"approved: 1000 yuan", b"record 42").unwrap();
        for i in 0..sealed.len() {
            let mut damaged = sealed.clone();
            damaged[i] ^= 0x01;
            assert!(matches!(
                open(&KEY, &damaged, b"record 42"),
                Err(SignError::Open)
            ));
        }
    }

    #[test]
    fn a_wrong_aad_key_or_truncation_makes_open_fail() {
        let sealed = seal(&KEY, b"secret", b"record 42").unwrap();
        assert!(open(&KEY, &sealed, b"record 43").is_err());
        assert!(open(&KEY, &sealed, b"").is_err());
        assert!(open(b"another key 16 b", &sealed, b"record 42").is_err());
        assert!(open(&KEY, &sealed[..sealed.len() - 1], b"record 42").is_err());
        assert!(open(&KEY, &sealed[..NONCE_LEN + TAG_LEN - 1], b"record 42").is_err());
        assert!(open(&KEY, b"", b"record 42").is_err());
    }

    #[test]
    fn derived_keys_depend_on_secret_and_purpose() {
        let k = derive_key(b"key file contents", "kek");
        assert_eq!(k, derive_key(b"key file contents", "kek"));
        assert_ne!(k, derive_key(b"key file contents", "kek2"));
        assert_ne!(k, derive_key(b"key file content", "kek"));
    }

    #[test]
    fn derive_key_matches_openssl_hmac_sm3() {
        // printf 'tongchou sm4 key\0kek' | openssl dgst -sm3 -mac HMAC -macopt key:... (first 16 bytes)
        assert_eq!(
            hex::encode(derive_key(b"platform key file", "kek")),
            "bee703887e455861d1689238f2a57618"
        );
        // A secret longer than the 64-byte block, which HMAC hashes first (-macopt hexkey:5a x 100).
        assert_eq!(
            hex::encode(derive_key(&[0x5a; 100], "kek")),
            "7dd7564439184baa69eb5692126739cf"
        );
    }

    #[test]
    fn derive_key_is_standard_hmac_sm3_for_any_secret_length() {
        for len in [0, 1, 16, 63, 64, 65, 200] {
            let secret = vec![0x5a; len];
            let mut mac = <Hmac<Sm3> as KeyInit>::new_from_slice(&secret).unwrap();
            mac.update(DERIVE_LABEL);
            mac.update(b"kek");
            let full = mac.finalize().into_bytes();
            assert_eq!(derive_key(&secret, "kek")[..], full[..16], "length {len}");
        }
    }
}
