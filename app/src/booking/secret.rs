//! The deployment's data key, and what is done with it: contact details sealed at
//! rest (XChaCha20-Poly1305), phone numbers found by a keyed hash (HMAC-SHA-256), and
//! manage tokens derived so that a retried booking gets its token again while the
//! database holds only the token's hash.
//!
//! The key comes from `ANXIN_DATA_KEY` (32 random bytes, base64; every instance of a
//! deployment shares it) or, for a single SQLite instance, from `<data-dir>/data.key`,
//! generated on first start. A copied database file or backup then shows no name,
//! phone number or note. Rotation: start with the new key in `ANXIN_DATA_KEY` and the
//! old one in `ANXIN_DATA_KEY_PREVIOUS`, run `anxin booking rekey`, then drop the old
//! key (see the README).

use base64::{Engine, engine::general_purpose::STANDARD, engine::general_purpose::URL_SAFE_NO_PAD};
use chacha20poly1305::{
    Key, XChaCha20Poly1305, XNonce,
    aead::{Aead, KeyInit, Payload},
};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::path::Path;
use zeroize::Zeroizing;

type HmacSha256 = Hmac<Sha256>;

/// The name of the key file in the data directory.
pub const KEY_FILE: &str = "data.key";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("ANXIN_DATA_KEY must be 32 bytes in base64 (generate one with `anxin key generate`)")]
    Malformed,
    #[error(
        "PostgreSQL deployments need ANXIN_DATA_KEY (the same on every instance); generate one with `anxin key generate`"
    )]
    Missing,
    #[error("cannot read or create the data key {0}: {1}")]
    File(String, std::io::Error),
}

/// One data key and the keys derived from it for each use.
#[derive(Clone)]
pub struct DataKey {
    /// The first bytes of the key's hash: which key sealed a value.
    id: String,
    seal: Zeroizing<[u8; 32]>,
    phone: Zeroizing<[u8; 32]>,
    token: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey({})", self.id)
    }
}

fn derive(master: &[u8; 32], purpose: &str) -> Zeroizing<[u8; 32]> {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(master).expect("any key length");
    mac.update(purpose.as_bytes());
    Zeroizing::new(mac.finalize().into_bytes().into())
}

impl DataKey {
    pub fn from_bytes(master: &[u8; 32]) -> DataKey {
        let id = hex::encode(&Sha256::digest(master)[..4]);
        DataKey {
            id,
            seal: derive(master, "anxin seal v1"),
            phone: derive(master, "anxin phone v1"),
            token: derive(master, "anxin manage token v1"),
        }
    }

    pub fn from_base64(text: &str) -> Result<DataKey, KeyError> {
        let bytes = Zeroizing::new(
            STANDARD
                .decode(text.trim())
                .map_err(|_| KeyError::Malformed)?,
        );
        let master: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::Malformed)?;
        Ok(DataKey::from_bytes(&master))
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

/// A new random key, base64, for `ANXIN_DATA_KEY`.
pub fn generate_key() -> String {
    STANDARD.encode(random::<32>())
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    bytes
}

/// The keys a deployment holds: the current one seals and hashes; a previous one (during
/// a rotation) still opens what it sealed.
#[derive(Clone, Debug)]
pub struct Keys {
    current: DataKey,
    previous: Option<DataKey>,
}

impl Keys {
    pub fn new(current: DataKey, previous: Option<DataKey>) -> Keys {
        Keys { current, previous }
    }

    /// A key for tests and tools: random, held only in memory.
    pub fn ephemeral() -> Keys {
        Keys::new(DataKey::from_bytes(&random::<32>()), None)
    }

    /// The deployment's keys: from `configured` (the environment's `ANXIN_DATA_KEY`),
    /// or else, for SQLite, from the key file in `data_dir` (created on first start,
    /// readable by its owner only).
    pub fn load(
        configured: Option<&str>,
        previous: Option<&str>,
        data_dir: &Path,
        sqlite: bool,
    ) -> Result<Keys, KeyError> {
        let previous = previous
            .filter(|p| !p.trim().is_empty())
            .map(DataKey::from_base64)
            .transpose()?;
        if let Some(text) = configured.filter(|c| !c.trim().is_empty()) {
            return Ok(Keys::new(DataKey::from_base64(text)?, previous));
        }
        if !sqlite {
            return Err(KeyError::Missing);
        }
        let path = data_dir.join(KEY_FILE);
        let io = |e| KeyError::File(path.display().to_string(), e);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(data_dir).map_err(io)?;
                let text = generate_key();
                write_private(&path, &text).map_err(io)?;
                tracing::info!(path = %path.display(), "generated the data key; back it up apart from the database");
                text
            }
            Err(e) => return Err(io(e)),
        };
        Ok(Keys::new(DataKey::from_base64(&text)?, previous))
    }

    pub fn current(&self) -> &DataKey {
        &self.current
    }

    /// Seals `plain` for the column `field` (the field is bound in, so a sealed value
    /// cannot be moved to another column): `v1.<key id>.<base64 nonce+ciphertext>`.
    pub fn seal(&self, field: &str, plain: &str) -> String {
        let cipher = XChaCha20Poly1305::new(Key::from_slice(self.current.seal.as_slice()));
        let nonce = random::<24>();
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: field.as_bytes(),
                },
            )
            .expect("sealing never fails for in-memory data");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("v1.{}.{}", self.current.id, URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Opens a value sealed by [`Keys::seal`] with the current or previous key; `None`
    /// for an erased value, a value sealed with a key no longer held, or tampering.
    pub fn open(&self, field: &str, sealed: &str) -> Option<String> {
        let mut parts = sealed.splitn(3, '.');
        let (Some("v1"), Some(id), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
            return None;
        };
        let key = [Some(&self.current), self.previous.as_ref()]
            .into_iter()
            .flatten()
            .find(|k| k.id == id)?;
        let bytes = URL_SAFE_NO_PAD.decode(body).ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(24);
        let cipher = XChaCha20Poly1305::new(Key::from_slice(key.seal.as_slice()));
        let plain = cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: field.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }

    /// Whether `sealed` was sealed with a key other than the current one.
    pub fn is_stale(&self, sealed: &str) -> bool {
        sealed
            .split('.')
            .nth(1)
            .is_some_and(|id| id != self.current.id)
    }

    /// The keyed hash a phone number (11 digits) is looked up by.
    pub fn phone_hash(&self, phone: &str) -> String {
        self.keyed(&self.current.phone, &["phone", phone])
    }

    /// A keyed fingerprint of a booking request, to tell a retry from a different
    /// request under the same idempotency key (keyed, since it covers a phone number).
    pub fn request_hash(&self, parts: &[&str]) -> String {
        self.keyed(&self.current.phone, parts)
    }

    fn keyed(&self, key: &[u8; 32], parts: &[&str]) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("any key length");
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// The manage token for a booking made with `idempotency_key`: the same key gives
    /// the same token (so a retry can be answered in full), and nobody without the data
    /// key can compute it. 256 bits, base64url.
    pub fn manage_token(&self, idempotency_key: &str) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(self.current.token.as_slice())
            .expect("any key length");
        mac.update(idempotency_key.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

/// A fresh random key for a submission that brought none (256 bits, base64url).
pub fn random_key() -> String {
    URL_SAFE_NO_PAD.encode(random::<32>())
}

/// How tokens and idempotency keys are stored: their SHA-256 (they are random and
/// long, so no key is needed).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Random bytes for a booking code.
pub fn code_bytes() -> [u8; 8] {
    random::<8>()
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_column() {
        let keys = Keys::ephemeral();
        let sealed = keys.seal("phone", "13800138000");
        assert!(!sealed.contains("13800138000"));
        assert_ne!(
            sealed,
            keys.seal("phone", "13800138000"),
            "a fresh nonce each time"
        );
        assert_eq!(keys.open("phone", &sealed).as_deref(), Some("13800138000"));
        assert_eq!(keys.open("name", &sealed), None, "bound to its column");
        assert_eq!(Keys::ephemeral().open("phone", &sealed), None);
        let mut tampered = sealed.clone();
        tampered.push('A');
        assert_eq!(keys.open("phone", &tampered), None);
        assert_eq!(keys.open("phone", ""), None);
    }

    #[test]
    fn a_rotation_opens_old_values_and_hashes_with_the_new_key() {
        let old = Keys::ephemeral();
        let sealed = old.seal("name", "小林");
        let rotated = Keys::new(Keys::ephemeral().current, Some(old.current.clone()));
        assert_eq!(rotated.open("name", &sealed).as_deref(), Some("小林"));
        assert!(rotated.is_stale(&sealed));
        assert!(!rotated.is_stale(&rotated.seal("name", "小林")));
        assert_ne!(
            old.phone_hash("13800138000"),
            rotated.phone_hash("13800138000")
        );
    }

    #[test]
    fn tokens_follow_the_idempotency_key_and_the_data_key() {
        let keys = Keys::ephemeral();
        let token = keys.manage_token("key-1");
        assert_eq!(token, keys.manage_token("key-1"));
        assert_ne!(token, keys.manage_token("key-2"));
        assert_ne!(token, Keys::ephemeral().manage_token("key-1"));
        assert_eq!(token.len(), 43);
        assert_eq!(token_hash(&token).len(), 64);
        // Length-prefixed parts: ("ab", "c") is not ("a", "bc").
        assert_ne!(
            keys.request_hash(&["ab", "c"]),
            keys.request_hash(&["a", "bc"])
        );
    }

    #[test]
    fn the_key_file_is_made_once_and_kept() {
        let dir = std::env::temp_dir().join(format!("anxin-key-{}", random_key()));
        let first = Keys::load(None, None, &dir, true).unwrap();
        let again = Keys::load(None, None, &dir, true).unwrap();
        assert_eq!(first.current.id, again.current.id);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(matches!(
            Keys::load(None, None, &dir, false),
            Err(KeyError::Missing)
        ));
        assert!(matches!(
            Keys::load(Some("short"), None, &dir, true),
            Err(KeyError::Malformed)
        ));
        let configured = generate_key();
        let from_env = Keys::load(Some(&configured), None, &dir, false).unwrap();
        assert_ne!(from_env.current.id, first.current.id);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
