//! Where a target's secret lives. Never in the competition file: the file
//! only holds the target's `secret_ref`, the name of the entry below.
//!
//! Lookup order for [`SecretStore::get`]:
//!
//! 1. the environment variable `SCORETABLE_SYNC_SECRET_<TARGET>` (target name
//!    upper-cased, non-alphanumerics as `_`), for CI and headless machines;
//! 2. the OS keyring: service `scoretable-sync`, user = the target's
//!    `secret_ref` (the freedesktop Secret Service on Linux, Keychain on
//!    macOS, Credential Manager on Windows);
//! 3. the fallback file `<dir>/<secret_ref>`, created with mode 0600, where
//!    `<dir>` is `$SCORETABLE_SECRETS_DIR` or else
//!    `$XDG_CONFIG_HOME/scoretable/secrets` (`~/.config/scoretable/secrets`).
//!
//! [`SecretStore::set`] writes to the keyring and falls back to the file only
//! when no keyring is available (no Secret Service on the session bus);
//! `SCORETABLE_SECRET_BACKEND=file` forces the file, `=keyring` forbids the
//! fallback. Secret formats: RunSignup `api_key:api_secret`, OpenTrack
//! `email:password`, World Triathlon the API key.

use std::path::PathBuf;

use crate::error::{Result, SyncError};

const KEYRING_SERVICE: &str = "scoretable-sync";

/// Which backend holds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretBackend {
    Environment(String),
    Keyring,
    File(PathBuf),
}

impl std::fmt::Display for SecretBackend {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretBackend::Environment(name) => write!(formatter, "environment variable {name}"),
            SecretBackend::Keyring => write!(formatter, "OS keyring ({KEYRING_SERVICE})"),
            SecretBackend::File(path) => write!(formatter, "file {} (mode 0600)", path.display()),
        }
    }
}

/// Reads and writes target secrets.
#[derive(Debug, Clone, Default)]
pub struct SecretStore {
    /// Overrides the fallback directory (tests).
    pub fallback_dir: Option<PathBuf>,
}

/// The environment variable that can carry a target's secret.
pub fn secret_env_var(target_name: &str) -> String {
    let cleaned: String = target_name
        .chars()
        .map(|character| {
            if character.is_ascii_alphanumeric() {
                character.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("SCORETABLE_SYNC_SECRET_{cleaned}")
}

fn backend_choice() -> Option<String> {
    std::env::var("SCORETABLE_SECRET_BACKEND").ok()
}

/// Where the platform keeps per-user configuration: `%APPDATA%` on Windows,
/// `~/Library/Application Support` on macOS, `$XDG_CONFIG_HOME` or
/// `~/.config` elsewhere.
#[cfg(windows)]
fn platform_config_directory() -> Option<PathBuf> {
    std::env::var_os("APPDATA").map(PathBuf::from)
}
#[cfg(windows)]
const CONFIG_DIRECTORY_SOURCE: &str = "APPDATA is not set";

#[cfg(target_os = "macos")]
fn platform_config_directory() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join("Library/Application Support"))
}
#[cfg(target_os = "macos")]
const CONFIG_DIRECTORY_SOURCE: &str = "HOME is not set";

#[cfg(not(any(windows, target_os = "macos")))]
fn platform_config_directory() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))
}
#[cfg(not(any(windows, target_os = "macos")))]
const CONFIG_DIRECTORY_SOURCE: &str = "neither XDG_CONFIG_HOME nor HOME is set";

impl SecretStore {
    fn fallback_directory(&self) -> Result<PathBuf> {
        if let Some(directory) = &self.fallback_dir {
            return Ok(directory.clone());
        }
        if let Some(directory) = std::env::var_os("SCORETABLE_SECRETS_DIR") {
            return Ok(PathBuf::from(directory));
        }
        let config = platform_config_directory().ok_or_else(|| {
            SyncError::Secret(format!(
                "no configuration folder for the secrets file ({}); set SCORETABLE_SECRETS_DIR",
                CONFIG_DIRECTORY_SOURCE
            ))
        })?;
        Ok(config.join("scoretable").join("secrets"))
    }

    fn fallback_path(&self, secret_ref: &str) -> Result<PathBuf> {
        Ok(self.fallback_directory()?.join(secret_ref))
    }

    /// The secret of a target, or `None` when none is configured.
    pub fn get(&self, target_name: &str, secret_ref: &str) -> Result<Option<String>> {
        if let Ok(value) = std::env::var(secret_env_var(target_name)) {
            if !value.is_empty() {
                return Ok(Some(value));
            }
        }
        if backend_choice().as_deref() != Some("file") {
            if let Ok(entry) = keyring::Entry::new(KEYRING_SERVICE, secret_ref) {
                if let Ok(secret) = entry.get_password() {
                    return Ok(Some(secret));
                }
            }
        }
        let path = self.fallback_path(secret_ref)?;
        match std::fs::read_to_string(&path) {
            Ok(secret) => Ok(Some(secret.trim_end_matches(['\n', '\r']).to_string())),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(SyncError::Secret(format!(
                "cannot read {}: {error}",
                path.display()
            ))),
        }
    }

    /// Which store holds a target's secret now (the same order as
    /// [`SecretStore::get`]), or `None` when none does. Never returns or
    /// logs the secret itself.
    pub fn locate(&self, target_name: &str, secret_ref: &str) -> Result<Option<SecretBackend>> {
        let variable = secret_env_var(target_name);
        if std::env::var(&variable).is_ok_and(|value| !value.is_empty()) {
            return Ok(Some(SecretBackend::Environment(variable)));
        }
        if backend_choice().as_deref() != Some("file") {
            if let Ok(entry) = keyring::Entry::new(KEYRING_SERVICE, secret_ref) {
                if entry.get_password().is_ok() {
                    return Ok(Some(SecretBackend::Keyring));
                }
            }
        }
        let path = self.fallback_path(secret_ref)?;
        Ok(path.is_file().then_some(SecretBackend::File(path)))
    }

    /// Stores a secret; returns where it went.
    pub fn set(&self, secret_ref: &str, secret: &str) -> Result<SecretBackend> {
        let choice = backend_choice();
        if choice.as_deref() != Some("file") {
            let stored = keyring::Entry::new(KEYRING_SERVICE, secret_ref)
                .and_then(|entry| entry.set_password(secret));
            match stored {
                Ok(()) => return Ok(SecretBackend::Keyring),
                Err(error) if choice.as_deref() == Some("keyring") => {
                    return Err(SyncError::Secret(format!("OS keyring: {error}")))
                }
                Err(_) => {}
            }
        }
        let path = self.fallback_path(secret_ref)?;
        write_private_file(&path, secret)?;
        Ok(SecretBackend::File(path))
    }

    /// Deletes a secret from the keyring and the fallback file.
    pub fn delete(&self, secret_ref: &str) -> Result<()> {
        if backend_choice().as_deref() != Some("file") {
            if let Ok(entry) = keyring::Entry::new(KEYRING_SERVICE, secret_ref) {
                let _ = entry.delete_credential();
            }
        }
        let path = self.fallback_path(secret_ref)?;
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(SyncError::Secret(format!(
                "cannot remove {}: {error}",
                path.display()
            ))),
        }
    }
}

fn write_private_file(path: &std::path::Path, secret: &str) -> Result<()> {
    use std::io::Write;
    let failure = |error: std::io::Error| {
        SyncError::Secret(format!("cannot write {}: {error}", path.display()))
    };
    if let Some(parent) = path.parent() {
        // The secrets folder is owner-only (0700), also when it existed.
        #[cfg(unix)]
        {
            use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)
                .map_err(failure)?;
            std::fs::set_permissions(parent, std::fs::Permissions::from_mode(0o700))
                .map_err(failure)?;
        }
        #[cfg(not(unix))]
        std::fs::create_dir_all(parent).map_err(failure)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let mut file = options.open(path).map_err(failure)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(failure)?;
        file.write_all(secret.as_bytes()).map_err(failure)?;
        file.sync_all().map_err(failure)?;
    }
    #[cfg(not(unix))]
    {
        let mut file = options.open(path).map_err(failure)?;
        file.write_all(secret.as_bytes()).map_err(failure)?;
        file.sync_all().map_err(failure)?;
    }
    Ok(())
}

/// Splits `key:secret` (RunSignup) or `email:password` (OpenTrack).
pub fn split_pair(target: &str, secret: &str) -> Result<(String, String)> {
    secret
        .split_once(':')
        .map(|(first, second)| (first.to_string(), second.to_string()))
        .filter(|(first, second)| !first.is_empty() && !second.is_empty())
        .ok_or_else(|| SyncError::Config {
            target: target.to_string(),
            message: "the secret must be two parts joined by ':' (key:secret)".to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fallback_file_is_private_and_round_trips() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("secrets").join("ref-1");
        let store = SecretStore {
            fallback_dir: Some(directory.path().join("secrets")),
        };
        write_private_file(&path, "key:secret").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let folder = std::fs::metadata(directory.path().join("secrets"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(folder & 0o777, 0o700, "the secrets folder is owner-only");
        }
        std::env::set_var("SCORETABLE_SECRET_BACKEND", "file");
        assert_eq!(
            store.get("nobody", "ref-1").unwrap().as_deref(),
            Some("key:secret")
        );
        store.delete("ref-1").unwrap();
        assert_eq!(store.get("nobody", "ref-1").unwrap(), None);
    }

    #[test]
    fn pairs_need_both_parts() {
        assert_eq!(
            split_pair("t", "a:b").unwrap(),
            ("a".to_string(), "b".to_string())
        );
        assert!(split_pair("t", "ab").is_err());
        assert!(split_pair("t", ":b").is_err());
    }
}
