//! Salted, slow password hashes: PBKDF2-HMAC-SM3 (SECURITY.md), stored as
//! `pbkdf2-sm3$<iterations>$<salt hex>$<hash hex>`.

use hmac::Hmac;
use sm3::Sm3;

/// A stored password hash string.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(pub String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

fn derive(password: &str, salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut out = [0u8; 32];
    // Hmac accepts keys of any length, so this cannot fail; keep the zero output if it ever did.
    let _ = pbkdf2::pbkdf2::<Hmac<Sm3>>(password.as_bytes(), salt, iterations, &mut out);
    out
}

/// Hashes with a fresh 16-byte salt.
pub fn hash_password(password: &str, iterations: u32) -> Result<PasswordHash, crate::SignError> {
    let salt: [u8; 16] = crate::random_bytes()?;
    let dk = derive(password, &salt, iterations);
    Ok(PasswordHash(format!(
        "pbkdf2-sm3${iterations}${}${}",
        hex::encode(salt),
        hex::encode(dk)
    )))
}

/// Checks a password in time independent of where it differs.
pub fn verify_password(password: &str, stored: &str) -> bool {
    let parts: Vec<&str> = stored.split('$').collect();
    let [scheme, iter, salt, hash] = parts.as_slice() else {
        return false;
    };
    let (Ok(iterations), Ok(salt), Ok(expected)) =
        (iter.parse::<u32>(), hex::decode(salt), hex::decode(hash))
    else {
        return false;
    };
    if *scheme != "pbkdf2-sm3" || expected.len() != 32 {
        return false;
    }
    let got = derive(password, &salt, iterations);
    got.iter()
        .zip(expected.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_and_a_wrong_one_does_not() {
        let h = hash_password("Correct-Horse-42", 1_000).unwrap();
        assert!(verify_password("Correct-Horse-42", &h.0));
        assert!(!verify_password("Correct-Horse-43", &h.0));
        assert!(!verify_password("Correct-Horse-42", "garbage"));
    }

    #[test]
    fn the_same_password_gets_a_different_salt_each_time() {
        assert_ne!(
            hash_password("x", 10).unwrap(),
            hash_password("x", 10).unwrap()
        );
    }
}
