//! Target secrets in a real OS keyring: a freedesktop Secret Service
//! (gnome-keyring, its login keyring created and unlocked with a throwaway
//! password) inside a private
//! `dbus-run-session`, driven through the same `SecretStore` the app and the
//! CLI use: store, read, replace, say where it is, delete. The fallback file
//! is never written while the keyring works. The test re-runs itself inside
//! the session; it needs `dbus-run-session` and `gnome-keyring-daemon`
//! (`scripts/setup.sh` installs them) and fails, naming them, without.

use std::path::Path;
use std::process::Command;

use scoretable_sync::{SecretBackend, SecretStore};

const INNER: &str = "SCORETABLE_KEYRING_TEST_INNER";
const TEST_NAME: &str = "secrets_round_trip_through_a_real_secret_service";

#[test]
fn secrets_round_trip_through_a_real_secret_service() {
    if std::env::var_os(INNER).is_some() {
        inside_the_session(Path::new(
            &std::env::var_os("SCORETABLE_SECRETS_DIR").unwrap(),
        ));
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let secrets = home.path().join("fallback-secrets");
    let executable = std::env::current_exe().unwrap();
    // Create and unlock the login keyring, then run this test again on the
    // private session bus. gnome-keyring creates no login keyring (so no
    // default collection) for an empty password, so a throwaway one is used.
    let script = "printf 'throwaway-test-password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null \
                  && exec \"$0\" --exact \"$1\" --nocapture --test-threads=1";
    let output = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", script])
        .arg(&executable)
        .arg(scoretable_testkit::crash::test_path(module_path!(), TEST_NAME))
        .env(INNER, "1")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env_remove("XDG_RUNTIME_DIR")
        .env("SCORETABLE_SECRET_BACKEND", "keyring")
        .env("SCORETABLE_SECRETS_DIR", &secrets)
        .output()
        .unwrap_or_else(|error| {
            panic!("cannot start dbus-run-session ({error}); run scripts/setup.sh (dbus, gnome-keyring)")
        });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("keyring round trip: ok"),
        "the keyring test inside dbus-run-session failed (needs gnome-keyring-daemon; \
         scripts/setup.sh installs it)\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        !secrets.exists(),
        "nothing may fall back to the secrets file while the keyring works"
    );
    // The secret never reached the test's output.
    assert!(!stdout.contains("s3cret-two") && !stderr.contains("s3cret-two"));
}

fn inside_the_session(fallback: &Path) {
    let store = SecretStore {
        fallback_dir: Some(fallback.to_path_buf()),
    };
    let reference = "keyring-test-target-ref";
    assert_eq!(store.locate("Main", reference).unwrap(), None);
    assert_eq!(store.get("Main", reference).unwrap(), None);
    let stored = store.set(reference, "key:s3cret-one").unwrap();
    assert_eq!(stored, SecretBackend::Keyring);
    assert_eq!(
        store.get("Main", reference).unwrap().as_deref(),
        Some("key:s3cret-one")
    );
    assert_eq!(
        store.locate("Main", reference).unwrap(),
        Some(SecretBackend::Keyring)
    );
    assert_eq!(
        store
            .locate("Main", reference)
            .unwrap()
            .unwrap()
            .to_string(),
        "OS keyring (scoretable-sync)"
    );
    // Replace.
    assert_eq!(
        store.set(reference, "key:s3cret-two").unwrap(),
        SecretBackend::Keyring
    );
    assert_eq!(
        store.get("Main", reference).unwrap().as_deref(),
        Some("key:s3cret-two")
    );
    // Another target's secret is its own entry.
    store.set("another-ref", "other:pair").unwrap();
    assert_eq!(
        store.get("Other", "another-ref").unwrap().as_deref(),
        Some("other:pair")
    );
    // Delete.
    store.delete(reference).unwrap();
    assert_eq!(store.get("Main", reference).unwrap(), None);
    assert_eq!(store.locate("Main", reference).unwrap(), None);
    assert_eq!(
        store.get("Other", "another-ref").unwrap().as_deref(),
        Some("other:pair")
    );
    store.delete("another-ref").unwrap();
    assert!(!fallback.exists(), "the fallback file was written");
    println!("keyring round trip: ok");
}
