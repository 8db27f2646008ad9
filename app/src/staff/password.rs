//! Password rules and hashing. Argon2id with OWASP's minimum parameters (19 MiB, two
//! passes, one lane); the parameters are stored in each hash, so raising them later
//! leaves old hashes verifiable. At most [`hashing::CONCURRENT`] hashes run at once, so
//! a flood of sign-ins cannot make the server allocate without bound: past that, the
//! caller hears "busy, try again" rather than waiting forever.

use serde::{Deserialize, Serialize};

pub const MIN_LENGTH: usize = 8;
pub const MAX_LENGTH: usize = 128;

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
/// `common` says whether a (lower-cased) password is on the blocklist.
pub fn check_with(
    password: &str,
    username: &str,
    common: impl Fn(&str) -> bool,
) -> Result<(), PasswordProblem> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PasswordProblem::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(PasswordProblem::TooLong);
    }
    let lower = password.to_lowercase();
    if common(&lower) || lower.chars().all(|c| lower.starts_with(c)) {
        return Err(PasswordProblem::TooCommon);
    }
    if lower == username.to_lowercase() {
        return Err(PasswordProblem::SameAsUsername);
    }
    Ok(())
}

#[cfg(feature = "ssr")]
pub use hashing::*;

#[cfg(feature = "ssr")]
mod hashing {
    use super::PasswordProblem;
    use argon2::{
        Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
        password_hash::{SaltString, rand_core::OsRng},
    };
    use std::{collections::HashSet, sync::OnceLock, time::Duration};
    use tokio::sync::Semaphore;

    /// The well-known list of the most common passwords (see the file's header).
    const COMMON: &str = include_str!("../../data/common-passwords.txt");

    fn common() -> &'static HashSet<&'static str> {
        static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
        SET.get_or_init(|| {
            COMMON
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .collect()
        })
    }

    /// How many passwords are on the blocklist.
    pub fn blocklist_len() -> usize {
        common().len()
    }

    /// Checks a new password against the rules and the blocklist.
    pub fn check(password: &str, username: &str) -> Result<(), PasswordProblem> {
        super::check_with(password, username, |lower| common().contains(lower))
    }

    /// Argon2 hashes allowed to run at once (each holds 19 MiB).
    pub const CONCURRENT: usize = 4;
    /// How long a request waits for a free slot before it is told the server is busy.
    const WAIT: Duration = Duration::from_secs(3);

    fn slots() -> &'static Semaphore {
        static SLOTS: Semaphore = Semaphore::const_new(CONCURRENT);
        &SLOTS
    }

    /// Every slot was taken for [`WAIT`]: try again shortly.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
    #[error("password hashing is at capacity")]
    pub struct Busy;

    /// Runs `work` on a blocking thread once a hashing slot is free.
    async fn bounded<T: Send + 'static>(
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let _slot = tokio::time::timeout(WAIT, slots().acquire())
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)?;
        tokio::task::spawn_blocking(work).await.map_err(|_| Busy)
    }

    fn hasher() -> Argon2<'static> {
        let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`), on the calling thread.
    pub fn hash_now(password: &str) -> String {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .expect("Argon2 hashing with valid parameters")
            .to_string()
    }

    fn verify_now(password: &str, stored: &str) -> bool {
        PasswordHash::new(stored)
            .map(|parsed| {
                hasher()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    }

    /// Hashes a new password, within the bound on concurrent hashing.
    pub async fn hash(password: String) -> Result<String, Busy> {
        bounded(move || hash_now(&password)).await
    }

    /// Checks `password` against a stored hash, within the bound on concurrent hashing.
    /// With `None` (no such account) it checks against a dummy hash, so a wrong
    /// username takes as long as a wrong password.
    pub async fn verify(password: String, stored: Option<String>) -> Result<bool, Busy> {
        bounded(move || {
            let known = stored.is_some();
            let stored = stored.unwrap_or_else(|| dummy_hash().to_string());
            verify_now(&password, &stored) && known
        })
        .await
    }

    fn dummy_hash() -> &'static str {
        static DUMMY: OnceLock<String> = OnceLock::new();
        DUMMY.get_or_init(|| hash_now("not a real password, only for timing"))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_blocklist_is_a_real_top_list() {
            assert!(blocklist_len() >= 3_000, "{}", blocklist_len());
            for common in [
                "password123",
                "Qwertyuiop",
                "iloveyou1",
                "WOAINI1314",
                "sunshine1",
            ] {
                assert_eq!(
                    check(common, "u"),
                    Err(PasswordProblem::TooCommon),
                    "{common}"
                );
            }
            assert_eq!(check("river-lamp-42", "u"), Ok(()));
        }

        /// One test, not two: holding every slot would make a parallel hashing test wait.
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn argon2id_within_a_bound_on_concurrent_hashing() {
            let stored = hash("river-lamp-42".into()).await.unwrap();
            assert!(
                stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
                "{stored}"
            );
            assert!(
                verify("river-lamp-42".into(), Some(stored.clone()))
                    .await
                    .unwrap()
            );
            assert!(!verify("river-lamp-43".into(), Some(stored)).await.unwrap());
            assert!(
                !verify("river-lamp-42".into(), Some("not a hash".into()))
                    .await
                    .unwrap()
            );
            assert!(!verify("x".into(), None).await.unwrap());

            // Hold every slot: one more caller is refused after the wait, not queued forever.
            let mut held = Vec::new();
            for _ in 0..CONCURRENT {
                held.push(slots().acquire().await.unwrap());
            }
            assert_eq!(hash("river-lamp-42".into()).await, Err(Busy));
            drop(held);
            assert!(hash("river-lamp-42".into()).await.is_ok());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        let never = |_: &str| false;
        assert_eq!(
            check_with("short", "u", never),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(
            check_with("aaaaaaaaaa", "u", never),
            Err(PasswordProblem::TooCommon)
        );
        assert_eq!(
            check_with("liwei2010", "LiWei2010", never),
            Err(PasswordProblem::SameAsUsername)
        );
        assert_eq!(
            check_with(&"x".repeat(129), "u", never).unwrap_err(),
            PasswordProblem::TooLong
        );
        // Eight Chinese characters are eight characters.
        assert_eq!(check_with("春眠不觉晓处处闻", "u", never), Ok(()));
        assert_eq!(
            check_with("Password123", "u", |p| p == "password123"),
            Err(PasswordProblem::TooCommon)
        );
    }
}
