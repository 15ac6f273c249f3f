//! SM2 key pairs and signatures over the GM/T 0009 default distinguishing id, so that
//! signatures verify with OpenSSL (`-sigopt distid:1234567812345678`) and other 国密 tools.

use sm2::dsa::signature::{Signer, Verifier};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};

const DIST_ID: &str = "1234567812345678";

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("the operating system gave no random bytes")]
    Random,
    #[error("not a valid key")]
    BadKey,
    #[error("signing failed")]
    Sign,
    #[error("the data is too long to seal")]
    Seal,
    #[error("the sealed data is damaged or the key is wrong")]
    Open,
}

/// A private SM2 key with its public half. `Debug` never shows the secret.
pub struct KeyPair {
    signing: SigningKey,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyPair(public {})", self.public().to_hex())
    }
}

impl KeyPair {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Result<KeyPair, SignError> {
        // A random 256-bit value is a valid scalar except with negligible probability; retry then.
        for _ in 0..8 {
            let bytes: [u8; 32] = crate::random_bytes()?;
            if let Ok(signing) = SigningKey::from_slice(DIST_ID, &bytes) {
                return Ok(KeyPair { signing });
            }
        }
        Err(SignError::Random)
    }

    /// The 32 secret bytes, for the key file (kept outside the database and repository).
    pub fn secret_hex(&self) -> String {
        hex::encode(self.signing.to_bytes())
    }

    pub fn from_secret_hex(s: &str) -> Result<KeyPair, SignError> {
        let bytes = hex::decode(s.trim()).map_err(|_| SignError::BadKey)?;
        let signing = SigningKey::from_slice(DIST_ID, &bytes).map_err(|_| SignError::BadKey)?;
        Ok(KeyPair { signing })
    }

    pub fn public(&self) -> PublicKey {
        PublicKey {
            key: self.signing.verifying_key().clone(),
        }
    }

    /// The signature (r || s, 64 bytes) as hex.
    pub fn sign(&self, msg: &[u8]) -> Result<String, SignError> {
        let sig: Signature = self.signing.try_sign(msg).map_err(|_| SignError::Sign)?;
        Ok(hex::encode(sig.to_bytes()))
    }
}

/// A public SM2 key, which anyone may hold to check signatures offline.
#[derive(Clone, Debug)]
pub struct PublicKey {
    key: VerifyingKey,
}

impl PublicKey {
    /// Uncompressed SEC1 point as hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.key.to_sec1_bytes())
    }

    /// A short name of the key (the first 16 hex digits of SM3 over its hex form), stored
    /// with what it signed so a verifier with several keys (after a rotation) picks the right
    /// one.
    pub fn id(&self) -> String {
        crate::sm3_hex(self.to_hex().as_bytes())[..16].to_string()
    }

    pub fn from_hex(s: &str) -> Result<PublicKey, SignError> {
        let bytes = hex::decode(s.trim()).map_err(|_| SignError::BadKey)?;
        let key = VerifyingKey::from_sec1_bytes(DIST_ID, &bytes).map_err(|_| SignError::BadKey)?;
        Ok(PublicKey { key })
    }

    /// Whether `sig_hex` is this key's signature over exactly `msg`.
    pub fn verify(&self, msg: &[u8], sig_hex: &str) -> bool {
        let Ok(bytes) = hex::decode(sig_hex) else {
            return false;
        };
        let Ok(sig) = Signature::from_slice(&bytes) else {
            return false;
        };
        self.key.verify(msg, &sig).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_fails_when_one_byte_of_the_message_changes() {
        let k = KeyPair::generate().unwrap();
        let sig = k.sign(b"record 42: approved").unwrap();
        assert!(k.public().verify(b"record 42: approved", &sig));
        assert!(!k.public().verify(b"record 43: approved", &sig));
    }

    #[test]
    fn keys_survive_a_round_trip_through_hex() {
        let k = KeyPair::generate().unwrap();
        let again = KeyPair::from_secret_hex(&k.secret_hex()).unwrap();
        let sig = again.sign(b"x").unwrap();
        assert!(
            PublicKey::from_hex(&k.public().to_hex())
                .unwrap()
                .verify(b"x", &sig)
        );
    }
}
