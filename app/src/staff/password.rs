//! Password rules and hashing. Argon2id with OWASP's minimum parameters (19 MiB, two
//! passes, one lane); the parameters are stored in each hash, so raising them later
//! leaves old hashes verifiable.

use serde::{Deserialize, Serialize};

pub const MIN_LENGTH: usize = 8;
pub const MAX_LENGTH: usize = 128;

/// Passwords that lead every leaked-password list, plus this site's own name; checked
/// case-insensitively.
const COMMON: &[&str] = &[
    "12345678",
    "123456789",
    "1234567890",
    "password",
    "password1",
    "password123",
    "qwertyui",
    "qwerty123",
    "qwertyuiop",
    "11111111",
    "00000000",
    "88888888",
    "66666666",
    "iloveyou",
    "abc12345",
    "abcd1234",
    "a1234567",
    "1qaz2wsx",
    "zxcvbnm1",
    "asdfghjk",
    "987654321",
    "12341234",
    "11223344",
    "123123123",
    "1q2w3e4r",
    "5201314520",
    "woaini520",
    "woaini1314",
    "admin123",
    "admin1234",
    "administrator",
    "welcome1",
    "passw0rd",
    "letmein1",
    "anxin123",
    "anxin1234",
    "anxinanxin",
    "changeme",
];

crate::i18n::keyed! {
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum PasswordProblem {
        TooShort => "password-too-short",
        TooLong => "password-too-long",
        TooCommon => "password-too-common",
        SameAsUsername => "password-same-as-username",
    }
}

/// Checks a new password against the rules; lengths count characters, not bytes.
pub fn check(password: &str, username: &str) -> Result<(), PasswordProblem> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PasswordProblem::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(PasswordProblem::TooLong);
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) || lower.chars().all(|c| lower.starts_with(c)) {
        return Err(PasswordProblem::TooCommon);
    }
    if lower == username.to_lowercase() {
        return Err(PasswordProblem::SameAsUsername);
    }
    Ok(())
}

#[cfg(feature = "ssr")]
mod hashing {
    use argon2::{
        Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
        password_hash::{SaltString, rand_core::OsRng},
    };

    fn hasher() -> Argon2<'static> {
        let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
    pub fn hash(password: &str) -> String {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .expect("Argon2 hashing with valid parameters")
            .to_string()
    }

    pub fn verify(password: &str, stored: &str) -> bool {
        PasswordHash::new(stored)
            .map(|parsed| {
                hasher()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    }

    /// A hash to verify against when the account does not exist, so a wrong username
    /// takes as long as a wrong password.
    pub fn dummy_hash() -> &'static str {
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        DUMMY.get_or_init(|| hash("not a real password, only for timing"))
    }
}

#[cfg(feature = "ssr")]
pub use hashing::{dummy_hash, hash, verify};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert_eq!(check("short", "u"), Err(PasswordProblem::TooShort));
        assert_eq!(check("Password123", "u"), Err(PasswordProblem::TooCommon));
        assert_eq!(check("aaaaaaaaaa", "u"), Err(PasswordProblem::TooCommon));
        assert_eq!(
            check("liwei2010", "LiWei2010"),
            Err(PasswordProblem::SameAsUsername)
        );
        assert_eq!(
            check(&"x".repeat(129), "u").unwrap_err(),
            PasswordProblem::TooLong
        );
        // Eight Chinese characters are eight characters.
        assert_eq!(check("春眠不觉晓处处闻", "u"), Ok(()));
        assert_eq!(check("river-lamp-42", "u"), Ok(()));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn argon2id_with_the_minimum_parameters() {
        let stored = hash("river-lamp-42");
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify("river-lamp-42", &stored));
        assert!(!verify("river-lamp-43", &stored));
        assert!(!verify("river-lamp-42", "not a hash"));
    }
}
