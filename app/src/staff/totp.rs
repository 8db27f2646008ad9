//! Two-factor sign-in for staff: time-based one-time codes (RFC 6238, as authenticator
//! apps make them) and single-use recovery codes. Secrets are 160 random bits; a code
//! is accepted once, within one 30-second step either side of the server's clock.

use base64::Engine;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

const STEP: u64 = 30;
const DIGITS: usize = 6;
/// What authenticator apps show as the account's issuer.
pub const ISSUER: &str = "Anxin";
/// How many recovery codes an account gets at a time.
pub const RECOVERY_CODES: usize = 10;

/// A new secret, base32 as authenticator apps take it.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).expect("the operating system's random numbers");
    Secret::Raw(bytes.to_vec()).to_encoded().to_string()
}

fn totp(secret: &str, username: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().ok()?;
    TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        1,
        STEP,
        bytes,
        Some(ISSUER.to_string()),
        username.to_string(),
    )
    .ok()
}

/// The `otpauth://` link an authenticator app scans (as a QR code) to add the account.
pub fn setup_url(secret: &str, username: &str) -> Option<String> {
    totp(secret, username).map(|t| t.get_url())
}

/// The code for the step containing `at` (for tests and the set-up check).
pub fn code_at(secret: &str, at: i64) -> Option<String> {
    totp(secret, "-").map(|t| t.generate(at.max(0) as u64))
}

/// The time step `code` belongs to, if it is the code for the step at `at` or one
/// either side, and that step is later than `last_step` (a code is never accepted
/// twice).
pub fn verify(secret: &str, code: &str, at: i64, last_step: Option<i64>) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret, "-")?;
    let now_step = at.max(0) / STEP as i64;
    (now_step - 1..=now_step + 1)
        .filter(|step| last_step.is_none_or(|last| *step > last))
        .find(|step| {
            let expected = t.generate((*step as u64) * STEP);
            constant_time_eq(expected.as_bytes(), code.as_bytes())
        })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The recovery codes that go with a secret (`xxxx-xxxx`, letters and digits that
/// cannot be confused with one another). They are derived from the secret (HMAC-SHA256)
/// so the set-up page can show them before the secret is confirmed without keeping
/// them anywhere in plain text; once confirmed only their hashes are stored, and a new
/// set-up brings new ones. Whoever holds the secret can make codes anyway.
pub fn recovery_codes_for(secret: &str) -> Vec<String> {
    use hmac::{Hmac, Mac};
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    (0..RECOVERY_CODES)
        .map(|i| {
            let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
                .expect("HMAC takes a key of any length");
            mac.update(format!("anxin recovery code {i}").as_bytes());
            let bytes = mac.finalize().into_bytes();
            let chars: String = bytes[..8]
                .iter()
                .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
                .collect();
            format!("{}-{}", &chars[..4], &chars[4..])
        })
        .collect()
}

/// What is stored of a recovery code: its SHA-256, of the code as typed without spaces,
/// dashes or case.
pub fn recovery_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(normal.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_accepted_once_within_a_step_either_side() {
        let secret = new_secret();
        let at = 1_795_482_000;
        let code = code_at(&secret, at).unwrap();
        let step = verify(&secret, &code, at, None).unwrap();
        assert_eq!(step, at / 30);
        // The same code again: refused (replay).
        assert_eq!(verify(&secret, &code, at, Some(step)), None);
        // A clock 30 s off either way still works; 90 s does not.
        assert!(verify(&secret, &code, at + 30, None).is_some());
        assert!(verify(&secret, &code, at - 30, None).is_some());
        assert_eq!(verify(&secret, &code, at + 90, None), None);
        assert_eq!(verify(&secret, "12345", at, None), None);
        assert_eq!(verify(&secret, "abcdef", at, None), None);
        let url = setup_url(&secret, "li.wei").unwrap();
        assert!(url.starts_with("otpauth://totp/Anxin:li.wei?"), "{url}");
        assert!(url.contains(&format!("secret={secret}")));
    }

    #[test]
    fn recovery_codes_are_unambiguous_and_stored_hashed() {
        let secret = new_secret();
        let codes = recovery_codes_for(&secret);
        assert_eq!(codes, recovery_codes_for(&secret));
        assert_ne!(codes, recovery_codes_for(&new_secret()));
        assert_eq!(codes.len(), RECOVERY_CODES);
        let unique: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        for code in &codes {
            assert_eq!(code.len(), 9);
            assert!(!code.contains(['0', '1', 'l', 'o', 'i']), "{code}");
            assert_eq!(
                recovery_hash(code),
                recovery_hash(&code.to_uppercase().replace('-', " "))
            );
            assert_ne!(&recovery_hash(code), code);
        }
    }
}
