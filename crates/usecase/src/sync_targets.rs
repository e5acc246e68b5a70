//! Sync targets: added through their platform's adapter (the sync crate's
//! registry checks the endpoint and the platform's settings and stores the
//! adapter's scope), with the secret, when one is given, stored in the OS
//! keyring (never in the file). The CLI's `sync target add` and the app's
//! Sync screen both call [`add_sync_target`].

use scoretable_store::{CompetitionFile, SyncTarget};
use scoretable_sync::{Registry, SecretStore, SyncError, TargetSpec};

use crate::error::{classify, ErrorClass, UseCaseError, UseCaseResult};

impl From<SyncError> for UseCaseError {
    fn from(error: SyncError) -> UseCaseError {
        let message = error.to_string();
        match error {
            SyncError::Store(error) => UseCaseError::from(error),
            SyncError::UnknownPlatform { .. } => UseCaseError::invalid("platform", message),
            SyncError::MissingSecret { .. } => UseCaseError::invalid("secret", message),
            SyncError::Config { .. } => UseCaseError::new(ErrorClass::Invalid, message),
            // The secret store and the results the platform is sent are read
            // from outside the competition file's transaction.
            _ => UseCaseError::new(ErrorClass::Io, message),
        }
    }
}

/// A target as added.
#[derive(Debug, Clone)]
pub struct AddedTarget {
    pub target: SyncTarget,
    /// Changes queued for it at once (everything it must receive).
    pub queued: u64,
    /// Where its secret went (`OS keyring`, the fallback file), when one was given.
    pub secret_backend: Option<String>,
}

/// Adds a target: checked by its adapter, stored with the adapter's scope,
/// everything it must receive queued; then its secret (when given) stored
/// in `secrets`. A blank secret is no secret.
pub fn add_sync_target(
    file: &mut CompetitionFile,
    spec: &TargetSpec,
    secret: Option<&str>,
    secrets: &SecretStore,
) -> UseCaseResult<AddedTarget> {
    let target = Registry::builtin().add_target(file, spec)?;
    let queued = file.outbox_counts(target.id)?.queued;
    let secret_backend = match secret.filter(|secret| !secret.is_empty()) {
        Some(secret) => Some(secrets.set(&target.secret_ref, secret)?.to_string()),
        None => None,
    };
    Ok(AddedTarget {
        target,
        queued,
        secret_backend,
    })
}

/// The class of a sync error (for shells that call the sync crate directly,
/// e.g. a drain): the store's class for a store error.
pub fn sync_error_class(error: &SyncError) -> ErrorClass {
    match error {
        SyncError::Store(error) => classify(error),
        SyncError::UnknownPlatform { .. }
        | SyncError::MissingSecret { .. }
        | SyncError::Config { .. } => ErrorClass::Invalid,
        _ => ErrorClass::Io,
    }
}

/// One drain of the outbox: every enabled target or one, once or (with
/// `watch_until`) again every 100 ms until then.
pub struct DrainPlan<'a> {
    /// Only this target.
    pub target: Option<&'a str>,
    /// Keep draining as changes arrive until this moment (`sync --watch`).
    pub watch_until: Option<std::time::Instant>,
    pub options: &'a scoretable_sync::DrainOptions,
    pub secrets: &'a SecretStore,
}

/// Drains the outbox as `plan` says and returns the last round's reports,
/// one per target. The CLI's `sync [--watch]` and the app's "sync now"
/// both run this.
pub fn drain_outbox(
    file: &mut CompetitionFile,
    plan: &DrainPlan<'_>,
) -> UseCaseResult<Vec<scoretable_sync::DrainReport>> {
    loop {
        let round = match plan.target {
            Some(target) => vec![scoretable_sync::drain_target(
                file,
                target,
                plan.secrets,
                plan.options,
            )?],
            None => scoretable_sync::drain_all(file, plan.secrets, plan.options)?,
        };
        match plan.watch_until {
            Some(until) if std::time::Instant::now() < until => {
                std::thread::sleep(std::time::Duration::from_millis(100))
            }
            _ => return Ok(round),
        }
    }
}
