//! Secret link and API tokens: 256 random bits shown once, only their SHA-256 stored.
//! A fast hash is right here (unlike passwords): the input has full entropy, so it cannot be
//! guessed, and every link click must be cheap to verify.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
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

#[cfg(test)]
mod tests {
    use super::*;

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
