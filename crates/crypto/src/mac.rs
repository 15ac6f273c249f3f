//! HMAC-SM3 under a secret the database never holds: whoever can write the database but not
//! read the platform's key files cannot extend or rewrite the record with entries that verify.

use hmac::{Hmac, KeyInit, Mac};
use sm3::Sm3;

use crate::SignError;

/// A 256-bit HMAC-SM3 key.
#[derive(Clone)]
pub struct MacKey([u8; 32]);

impl MacKey {
    pub fn generate() -> Result<MacKey, SignError> {
        Ok(MacKey(crate::random_bytes()?))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn from_hex(s: &str) -> Result<MacKey, SignError> {
        let bytes = hex::decode(s.trim()).map_err(|_| SignError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| SignError::BadKey)?;
        Ok(MacKey(key))
    }

    /// HMAC-SM3 of the parts fed in order, as 64 lowercase hex characters (callers frame
    /// their parts).
    pub fn mac_hex(&self, parts: &[&[u8]]) -> String {
        let mut mac = <Hmac<Sm3> as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        for p in parts {
            mac.update(p);
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// Checks a MAC in constant time.
    pub fn verify_hex(&self, parts: &[&[u8]], mac_hex: &str) -> bool {
        let Ok(expected) = hex::decode(mac_hex) else {
            return false;
        };
        let mut mac = <Hmac<Sm3> as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        for p in parts {
            mac.update(p);
        }
        mac.verify_slice(&expected).is_ok()
    }

    /// An SM4 key for one `purpose`, derived from this secret (see `crate::derive_key`).
    pub fn derive_sm4(&self, purpose: &str) -> [u8; 16] {
        crate::derive_key(&self.0, purpose)
    }

    /// A short public name of the key (the first 16 hex digits of SM3 over it), so a record
    /// can say which key made it without revealing the key.
    pub fn id(&self) -> String {
        crate::sm3_parts(&[b"tongchou mac key id\0", &self.0])[..16].to_string()
    }
}

impl std::fmt::Debug for MacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MacKey({})", self.id())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// RFC 2104 construction over SM3: the GM/T 0042 style test vector is not public, so the
    /// check is against an HMAC built by hand from SM3 (ipad/opad), which is what HMAC is.
    #[test]
    fn hmac_sm3_equals_the_rfc_2104_construction_over_sm3() {
        let key = MacKey::from_hex(&"0b".repeat(32)).unwrap();
        let msg = b"Hi There";
        let mut k = [0u8; 64];
        k[..32].copy_from_slice(&[0x0b; 32]);
        let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
        let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
        let inner = hex::decode(crate::sm3_parts(&[&ipad, msg])).unwrap();
        let outer = crate::sm3_parts(&[&opad, &inner]);
        assert_eq!(key.mac_hex(&[b"Hi ", b"There"]), outer);
        assert!(key.verify_hex(&[msg], &outer));
        assert!(!key.verify_hex(&[b"Hi there"], &outer));
    }
}
