//! Secret link and API tokens: 256 random bits shown once, only their SHA-256 stored.
//! A fast hash is right here (unlike passwords): the input has full entropy, so it cannot be
//! guessed, and every link click must be cheap to verify. And the server's key, kept outside
//! the database, from which tokens that must be shown again are derived.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{KeyInit, Mac};
use rand::TryRng;
use sha2::{Digest, Sha256};

/// A freshly generated token: `plain` goes into the email or to the API user once,
/// `hash` into the database.
#[derive(Clone)]
pub struct NewToken {
    pub plain: String,
    pub hash: String,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

/// Bytes from the operating system's random source.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rngs::SysRng
        .try_fill_bytes(&mut bytes)
        .expect("the operating system's random source failed");
    bytes
}

pub fn new_token() -> NewToken {
    let bytes = random_bytes::<32>();
    let plain = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&plain);
    NewToken { plain, hash }
}

/// The stored form of a token. Tokens are opaque to the server: any string hashes, and an
/// unknown one simply finds no row.
pub fn hash_token(plain: &str) -> String {
    let digest = Sha256::digest(plain.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// The server's secret, kept outside the database (a file or an environment variable), so a
/// copy of the database alone holds nothing usable: tokens that must be shown again, such as
/// a volunteer's calendar feed address, are derived from it rather than stored, and values that
/// must be matched but not read, such as a client reference kept for continuity, are stored
/// only as keyed hashes under it. Every instance sharing a database must share the key.
#[derive(Clone)]
pub struct ServerKey([u8; 32]);

/// Why a configured key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServerKeyError {
    #[error("a server key is 32 bytes in URL-safe base64 without padding (43 characters)")]
    Malformed,
}

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(..)")
    }
}

impl ServerKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Self {
        Self(random_bytes::<32>())
    }

    /// A key as written by [`to_base64`](Self::to_base64); surrounding white space is ignored,
    /// so a key file may end with a newline.
    pub fn from_base64(text: &str) -> Result<Self, ServerKeyError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| ServerKeyError::Malformed)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| ServerKeyError::Malformed)?;
        Ok(Self(bytes))
    }

    pub fn to_base64(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// HMAC-SHA256 over the purpose and the subject, as 43 URL-safe characters: the same
    /// inputs always give the same value, and nobody without the key can compute or reverse
    /// it. The purpose keeps values of different uses apart.
    pub fn derive(&self, purpose: &str, subject: &[u8]) -> String {
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(subject);
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_key_round_trips_and_derives_stable_separate_values() {
        let key = ServerKey::generate();
        let again = ServerKey::from_base64(&format!("{}\n", key.to_base64())).unwrap();
        assert_eq!(key.derive("feed", b"x"), again.derive("feed", b"x"));
        assert_eq!(key.derive("feed", b"x").len(), 43);
        assert_ne!(key.derive("feed", b"x"), key.derive("client", b"x"));
        assert_ne!(key.derive("feed", b"x"), ServerKey::generate().derive("feed", b"x"));
        assert_eq!(ServerKey::from_base64("short").unwrap_err(), ServerKeyError::Malformed);
        assert!(!format!("{key:?}").contains(&key.to_base64()));
    }

    #[test]
    fn tokens_carry_256_bits_and_are_stored_hashed() {
        let token = new_token();
        assert_eq!(token.plain.len(), 43);
        assert_eq!(token.hash, hash_token(&token.plain));
        assert_ne!(token.hash, token.plain);
        assert_ne!(new_token().plain, token.plain);
    }

    #[test]
    fn debug_output_hides_the_plain_token() {
        let token = new_token();
        assert!(!format!("{token:?}").contains(&token.plain));
    }
}
