//! Pseudonyms for data subjects: outputs are personal data themselves, so a
//! citizen appears as a keyed HMAC-SHA-256 of their personal code. The same
//! key gives the same pseudonym in every run.

use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Where the key comes from, in order: `ACCESSAUDIT_PSEUDONYM_KEY`, a key
/// file given by the caller, or the user's own key file (created once).
pub const KEY_ENV: &str = "ACCESSAUDIT_PSEUDONYM_KEY";

/// Why no key could be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// A key file cannot be read or created.
    #[error("pseudonym key file {}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A key file or variable is empty.
    #[error("pseudonym key {0} is empty")]
    Empty(String),
    /// A key too short to keep the pseudonyms from being reversed.
    #[error(
        "pseudonym key {source_name} is {bytes} byte(s) long; at least {MIN_KEY_BYTES} are required, \
         because with a short key anyone holding the outputs can try every key and every \
         personal code (make one with e.g. `openssl rand -hex 32`)"
    )]
    TooShort {
        /// The variable or file it came from.
        source_name: String,
        /// Its length in bytes, surrounding white space left out.
        bytes: usize,
    },
    /// No home or config directory to keep a generated key in.
    #[error("no configuration directory for the pseudonym key: set {KEY_ENV} or give a key file")]
    NoConfigDir,
    /// The system's random source failed.
    #[error("cannot generate a pseudonym key: {0}")]
    Random(String),
}

/// The shortest key accepted, in bytes. Personal codes are few (a few
/// million a year of birth) and the pseudonym is a plain HMAC, so the key is
/// the whole of the secret: a short one can be found by trying them all.
pub const MIN_KEY_BYTES: usize = 16;

/// The key of `text` (surrounding white space left out), refused when empty
/// or shorter than [`MIN_KEY_BYTES`]; `source_name` names where it came from.
fn key_of(text: &str, source_name: &str) -> Result<Vec<u8>, KeyError> {
    let key = text.trim();
    if key.is_empty() {
        return Err(KeyError::Empty(source_name.to_string()));
    }
    if key.len() < MIN_KEY_BYTES {
        return Err(KeyError::TooShort {
            source_name: source_name.to_string(),
            bytes: key.len(),
        });
    }
    Ok(key.as_bytes().to_vec())
}

/// Turns subjects' personal codes into pseudonyms (or leaves them, when the
/// user asked to reveal them).
#[derive(Clone)]
pub struct Pseudonymizer {
    key: Vec<u8>,
    reveal: bool,
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key.
        f.debug_struct("Pseudonymizer")
            .field("reveal", &self.reveal)
            .finish()
    }
}

impl Pseudonymizer {
    /// A pseudonymizer with `key`; `reveal` shows real codes instead.
    pub fn new(key: Vec<u8>, reveal: bool) -> Self {
        Self { key, reveal }
    }

    /// How subject `code` appears in outputs: `S-` and 16 hex digits of the
    /// keyed hash, or the code itself when revealing.
    pub fn label(&self, code: &str) -> String {
        if self.reveal {
            return code.to_string();
        }
        self.pseudonym(code)
    }

    /// Subject `code`'s pseudonym, `S-` and 16 hex digits of the keyed hash,
    /// whether or not real codes are shown: what a finding id hashes, so
    /// that ids do not depend on `--reveal-subjects`.
    pub fn pseudonym(&self, code: &str) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            // HMAC accepts keys of any length; unreachable.
            return "S-?".into();
        };
        mac.update(code.as_bytes());
        let digest = mac.finalize().into_bytes();
        format!("S-{}", hex::encode(&digest[..8]))
    }

    /// Whether real codes are shown.
    pub fn reveals(&self) -> bool {
        self.reveal
    }
}

/// Whether `text` has the shape of a pseudonym (`S-` and 16 hex digits),
/// as opposed to a real personal code shown by `--reveal-subjects`.
pub fn is_pseudonym(text: &str) -> bool {
    text.strip_prefix("S-")
        .is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The user's key file: `$XDG_CONFIG_HOME/accessaudit/pseudonym.key` or
/// `~/.config/accessaudit/pseudonym.key`.
pub fn default_key_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("accessaudit").join("pseudonym.key"))
}

/// The key in force: the environment variable, else `file`, else the user's
/// key file, created with a random key (owner-only) when it does not exist.
pub fn load_key(file: Option<&Path>) -> Result<Vec<u8>, KeyError> {
    if let Ok(v) = std::env::var(KEY_ENV) {
        return key_of(&v, KEY_ENV);
    }
    if let Some(path) = file {
        return read_key(path);
    }
    let path = default_key_path().ok_or(KeyError::NoConfigDir)?;
    if path.exists() {
        return read_key(&path);
    }
    create_key(&path)
}

fn read_key(path: &Path) -> Result<Vec<u8>, KeyError> {
    let text = std::fs::read_to_string(path).map_err(|source| KeyError::File {
        path: path.to_path_buf(),
        source,
    })?;
    key_of(&text, &path.display().to_string())
}

fn create_key(path: &Path) -> Result<Vec<u8>, KeyError> {
    let err = |source| KeyError::File {
        path: path.to_path_buf(),
        source,
    };
    // 32 random bytes written as 64 hex digits: well over MIN_KEY_BYTES.
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| KeyError::Random(e.to_string()))?;
    let key = hex::encode(bytes);
    if let Some(dir) = path.parent() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(dir).map_err(err)?;
    }
    let mut options = std::fs::OpenOptions::new();
    // create_new: two runs racing must not overwrite each other's key.
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut f) => {
            use std::io::Write;
            f.write_all(key.as_bytes()).map_err(err)?;
            tracing::info!(path = %path.display(), "created a new pseudonym key");
            Ok(key.into_bytes())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_key(path),
        Err(e) => Err(err(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_keyed_stable_and_hide_the_code() {
        let a = Pseudonymizer::new(b"key-one".to_vec(), false);
        let b = Pseudonymizer::new(b"key-two".to_vec(), false);
        let p = a.label("60001019906");
        assert_eq!(p, a.label("60001019906"));
        assert_ne!(p, b.label("60001019906"));
        assert_ne!(p, a.label("60001017869"));
        assert!(p.starts_with("S-") && p.len() == 18 && !p.contains("60001019906"));
        assert_eq!(
            Pseudonymizer::new(b"k".to_vec(), true).label("60001019906"),
            "60001019906"
        );
    }

    #[test]
    fn a_pseudonym_does_not_depend_on_revealing() {
        let key = b"a-key-of-sixteen-bytes".to_vec();
        let hidden = Pseudonymizer::new(key.clone(), false);
        let shown = Pseudonymizer::new(key, true);
        assert_eq!(shown.pseudonym("60001019906"), hidden.label("60001019906"));
        assert!(is_pseudonym(&hidden.label("60001019906")));
        assert!(!is_pseudonym("60001019906"));
    }

    #[test]
    fn a_short_pseudonym_key_is_refused_with_the_reason() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("short.key");
        std::fs::write(&path, "x\n").expect("write");
        let err = read_key(&path).expect_err("one byte is refused");
        let text = err.to_string();
        assert!(matches!(err, KeyError::TooShort { bytes: 1, .. }), "{text}");
        assert!(
            text.contains("short.key") && text.contains("at least 16"),
            "{text}"
        );
        std::fs::write(&path, "0123456789abcdef").expect("write");
        assert_eq!(read_key(&path).expect("16 bytes").len(), 16);
        assert!(matches!(
            key_of("fifteen-bytes!!", KEY_ENV),
            Err(KeyError::TooShort { bytes: 15, .. })
        ));
    }

    #[test]
    fn a_key_file_is_created_once_owner_only_and_reused() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("cfg/accessaudit/pseudonym.key");
        let first = create_key(&path).expect("created");
        assert_eq!(first.len(), 64);
        assert!(
            first.len() >= MIN_KEY_BYTES,
            "a created key satisfies the rule"
        );
        assert_eq!(read_key(&path).expect("read"), first);
        assert_eq!(
            create_key(&path).expect("reused"),
            first,
            "never overwritten"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
