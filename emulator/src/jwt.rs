//! HS256 JWTs for `POST /v1/users/{id}/jwts` and the `X-Appwrite-JWT` header.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Signs and verifies the emulator's JWTs with a per-server secret.
#[derive(Clone)]
pub(crate) struct JwtKeys {
    secret: [u8; 32],
}

// The secret must never reach logs.
impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys { secret: <redacted> }")
    }
}

/// What a verified JWT says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Claims {
    /// The user the JWT was minted for.
    pub user_id: String,
    /// The session id (Appwrite puts the minting session here; the emulator a fixed value).
    pub session_id: String,
}

impl JwtKeys {
    /// A key from the given secret bytes.
    pub(crate) fn new(secret: [u8; 32]) -> Self {
        JwtKeys { secret }
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.secret).expect("HMAC accepts any key length")
    }

    /// A JWT for `user_id`, valid for `duration_secs` from `now_secs`.
    pub(crate) fn mint(&self, user_id: &str, session_id: &str, now_secs: i64, duration_secs: i64) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"HS256"}"#);
        let payload = json!({ "userId": user_id, "sessionId": session_id, "exp": now_secs + duration_secs });
        let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
        let mut mac = self.mac();
        mac.update(format!("{header}.{payload}").as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{header}.{payload}.{signature}")
    }

    /// The claims of a JWT with a valid signature that has not expired at `now_secs`.
    pub(crate) fn verify(&self, token: &str, now_secs: i64) -> Option<Claims> {
        let mut parts = token.split('.');
        let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let mut mac = self.mac();
        mac.update(format!("{header}.{payload}").as_bytes());
        mac.verify_slice(&URL_SAFE_NO_PAD.decode(signature).ok()?).ok()?;
        let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        if claims["exp"].as_i64()? <= now_secs {
            return None;
        }
        Some(Claims {
            user_id: claims["userId"].as_str()?.to_owned(),
            session_id: claims["sessionId"].as_str().unwrap_or_default().to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minted_token_verifies_until_it_expires_and_not_when_tampered() {
        let keys = JwtKeys::new([7; 32]);
        let token = keys.mint("u1", "s1", 1000, 900);
        assert_eq!(
            keys.verify(&token, 1000),
            Some(Claims {
                user_id: "u1".into(),
                session_id: "s1".into()
            })
        );
        assert_eq!(keys.verify(&token, 1900), None);
        let other = JwtKeys::new([8; 32]);
        assert_eq!(other.verify(&token, 1000), None);
        let mut tampered = token.clone();
        tampered.insert(tampered.len() / 2, 'x');
        assert_eq!(keys.verify(&tampered, 1000), None);
    }
}
