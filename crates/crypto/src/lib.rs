//! 国密 primitives behind one small interface, so that a certified module or a cipher machine
//! can take their place later: SM3 digests, SM2 signatures (GM/T 0009 default id), SM4-GCM
//! sealing (RFC 8998) with HMAC-SM3 key derivation, and PBKDF2-HMAC-SM3 password hashes.
//! `self_test` runs the known-answer tests at start.

mod mac;
mod password;
mod seal;
mod sign;
mod stream;

pub use mac::MacKey;
pub use password::{PasswordHash, hash_password, verify_password};
pub use seal::{derive_key, open, seal};
pub use sign::{KeyPair, PublicKey, SignError};
pub use stream::Sm3Stream;

use sm3::{Digest, Sm3};

/// SM3 of the bytes, as 64 lowercase hex characters.
pub fn sm3_hex(data: &[u8]) -> String {
    hex::encode(Sm3::digest(data))
}

/// SM3 of several parts fed in order (no separators: callers frame their parts).
pub fn sm3_parts(parts: &[&[u8]]) -> String {
    let mut h = Sm3::new();
    for p in parts {
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// Random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], SignError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|_| SignError::Random)?;
    Ok(b)
}

/// Known-answer tests (GB/T 32905 for SM3; GB/T 32907 and RFC 8998 A.1 for SM4 and SM4-GCM;
/// a sign/verify round trip for SM2). The server refuses to start when they fail.
pub fn self_test() -> Result<(), String> {
    const ABC: &str = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0";
    if sm3_hex(b"abc") != ABC {
        return Err("SM3 known-answer test failed".into());
    }
    if !seal::block_known_answer() {
        return Err("SM4 known-answer test failed".into());
    }
    if !seal::gcm_known_answer() {
        return Err("SM4-GCM known-answer test failed".into());
    }
    let k = KeyPair::generate().map_err(|e| e.to_string())?;
    let sig = k.sign(b"tongchou self-test").map_err(|e| e.to_string())?;
    if !k.public().verify(b"tongchou self-test", &sig)
        || k.public().verify(b"tongchou self-tesT", &sig)
    {
        return Err("SM2 sign/verify self-test failed".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sm3_matches_the_gb_t_32905_vectors() {
        assert_eq!(
            sm3_hex(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        let abcd16 = "abcd".repeat(16);
        assert_eq!(
            sm3_hex(abcd16.as_bytes()),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        );
        assert_eq!(sm3_parts(&[b"ab", b"c"]), sm3_hex(b"abc"));
    }

    #[test]
    fn the_self_test_passes() {
        self_test().unwrap();
    }
}
