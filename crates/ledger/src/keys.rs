//! Signing keys kept in the ledger directory: `keys/NAME.key` holds the ed25519 secret seed
//! as 64 hex digits, readable by its owner only.

use std::path::{Path, PathBuf};

use starstream_tx::{Hash32, KeyPair, PublicKey};

/// The keys of one ledger directory.
pub struct KeyStore {
    dir: PathBuf,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl KeyStore {
    pub fn new(ledger_dir: &Path) -> KeyStore {
        KeyStore {
            dir: ledger_dir.join("keys"),
        }
    }

    fn path(&self, name: &str) -> Result<PathBuf, String> {
        if !valid_name(name) {
            return Err(format!(
                "`{name}` is not a key name: use 1 to 64 letters, digits, `-` or `_`"
            ));
        }
        Ok(self.dir.join(format!("{name}.key")))
    }

    /// Makes a new key from the operating system's randomness; refuses to replace one.
    pub fn create(&self, name: &str) -> Result<KeyPair, String> {
        let path = self.path(name)?;
        if path.exists() {
            return Err(format!("a key named `{name}` already exists"));
        }
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| format!("no randomness for a key: {e}"))?;
        let key = KeyPair::from_seed(seed);
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| format!("cannot create `{}`: {e}", self.dir.display()))?;
        let text = format!("{}\n", Hash32(key.seed()).hex());
        write_private(&path, text.as_bytes())
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        Ok(key)
    }

    pub fn load(&self, name: &str) -> Result<KeyPair, String> {
        let path = self.path(name)?;
        let text = std::fs::read_to_string(&path).map_err(|_| {
            format!("no key named `{name}`; make one with `starstream key new {name}`")
        })?;
        let seed = Hash32::from_hex(text.trim())
            .ok_or_else(|| format!("`{}` is not a key file (64 hex digits)", path.display()))?;
        Ok(KeyPair::from_seed(seed.0))
    }

    /// Every key, by name.
    pub fn list(&self) -> Result<Vec<(String, PublicKey)>, String> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Ok(vec![]);
        };
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let file = entry.file_name();
            let Some(name) = file.to_str().and_then(|f| f.strip_suffix(".key")) else {
                continue;
            };
            if valid_name(name) {
                out.push((name.to_string(), self.load(name)?.public()));
            }
        }
        out.sort();
        Ok(out)
    }
}

/// Writes a new file through a temporary one (mode 0600 on Unix) and a rename.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("key.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
