//! Sync platforms as adapters: the [`SyncAdapter`] trait every platform
//! implements and the [`Registry`] that finds one by its code.
//!
//! The engine and the target checks know no platform: they ask the target's
//! adapter (looked up by the code stored on the target) for everything that
//! differs between platforms:
//!
//! - [`SyncAdapter::code`] / [`SyncAdapter::name`]: the stored spelling and
//!   the name people say;
//! - [`SyncAdapter::scope`]: what one outbox row stands for (an entrant's
//!   result, a race, the whole competition); stored on the target when it
//!   is added, so the store's fan-out trigger needs no platform list;
//! - [`SyncAdapter::validate`]: the platform's settings, checked once when a
//!   target is added ([`Registry::add_target`], which both shells call);
//! - [`SyncAdapter::needs_secret`], [`SyncAdapter::full_state`];
//! - [`AdapterSession`]: send, reconcile and preview, with state kept for one
//!   drain (RunSignup's snapshot of the file).
//!
//! Adding a platform: one module implementing [`SyncAdapter`] and one line in
//! [`Registry::builtin`] (see ARCHITECTURE.md, "Add a sync platform"). Tests
//! may run an adapter that is not shipped by building their own registry
//! ([`Registry::with`]) and passing it in [`DrainOptions::registry`].

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use reqwest::blocking::Client;
use scoretable_core::model::Id;
use scoretable_store::{
    endpoint_credential_problem, CompetitionFile, EntityScope, NewSyncTarget, OutboxItem,
    OutboxState, QueuedEntity, RemoteRecord, SyncTarget, TargetWorkout,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::adapter::{AdapterContext, BatchResult, Preview, Verdict};
use crate::client::{http_client, SendOutcome};

/// A read-back for entrants held twice: per workout, one message for each
/// entrant the platform holds more than one row for; `Err` with the
/// platform's answer when it could not be read.
pub type DuplicateCheck = std::result::Result<Vec<(Id, Vec<String>)>, SendOutcome>;
use crate::engine::DrainOptions;
use crate::error::{Result, SyncError};
use crate::settings::{config_from_settings, SettingInfo, SettingValue};

/// A target as a shell asks for it: the platform by its code. The adapter
/// checks it and adds its scope before the store sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetSpec {
    pub name: String,
    /// The adapter's code (`runsignup`, `runsignup_virtual`, `opentrack`,
    /// `world_triathlon`); `-` is read as `_`.
    pub platform: String,
    /// Base URL, e.g. `https://runsignup.com`.
    pub endpoint: String,
    /// Platform-specific, non-secret settings (race id, formats, field maps).
    pub config: Value,
    pub workouts: Vec<TargetWorkout>,
}

/// One platform a registry offers, for the shells' pickers, forms and
/// messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformInfo {
    pub code: String,
    pub name: String,
    /// What the platform calls its id of a workout (`event_id`, `prog_id`).
    pub remote_id_label: String,
    /// What the target's secret is (`API key:API secret`), empty when the
    /// platform needs none.
    pub secret_hint: String,
    /// Every setting the adapter reads and checks.
    pub settings: Vec<SettingInfo>,
}

/// Everything a send or a reconcile may use: the file (writable, for state
/// kept between runs), the target, the client, the secret, what the
/// platform holds per entity as last acknowledged, and the drain's options.
pub struct SendContext<'a> {
    pub file: &'a mut CompetitionFile,
    pub target: &'a SyncTarget,
    pub client: &'a Client,
    pub secret: Option<&'a str>,
    pub remote: &'a HashMap<String, RemoteRecord>,
    pub options: &'a DrainOptions,
}

impl SendContext<'_> {
    /// The read-only context most adapters render from.
    pub fn adapter(&self) -> AdapterContext<'_> {
        AdapterContext {
            file: self.file,
            target: self.target,
            client: self.client,
            secret: self.secret,
            remote: self.remote,
        }
    }
}

/// One result platform.
pub trait SyncAdapter: Send + Sync {
    /// The code stored on the target and typed on the command line.
    fn code(&self) -> &'static str;

    /// The platform's name as people say it ("RunSignup").
    fn name(&self) -> &'static str;

    /// What one outbox row of this platform's targets stands for.
    fn scope(&self) -> EntityScope;

    /// Checks the platform's settings of a new target (the endpoint is
    /// already checked: an http(s) URL without credentials, and the config
    /// is a JSON object). The message names the setting.
    fn validate(&self, spec: &TargetSpec) -> std::result::Result<(), String>;

    /// Every setting (config key) the adapter reads and checks, described
    /// for a shell's form ([`crate::settings`]).
    fn settings(&self) -> Vec<SettingInfo> {
        Vec::new()
    }

    /// What the platform calls its id of a workout the target receives.
    fn remote_id_label(&self) -> &'static str {
        "Platform id"
    }

    /// What the target's secret is, as a form asks for it; empty when the
    /// platform takes none.
    fn secret_hint(&self) -> &'static str {
        ""
    }

    /// Whether a drain needs the target's secret (World Triathlon's hosted
    /// delivery sends nothing, so it needs none).
    fn needs_secret(&self, _config: &Value) -> bool {
        true
    }

    /// Whether every message carries the platform's full state, so
    /// re-sending the latest one can never duplicate: rows in flight are
    /// then re-sent at once instead of waiting until their request can no
    /// longer land.
    fn full_state(&self) -> bool {
        false
    }

    /// A session for one drain or one preview.
    fn session(&self) -> Box<dyn AdapterSession>;
}

/// Sending, reconciling and previewing for one drain.
pub trait AdapterSession {
    /// Sends a batch of claimed rows.
    fn send(&mut self, context: &mut SendContext<'_>, items: &[OutboxItem]) -> Result<BatchResult>;

    /// Reads back rows whose outcome is unknown (called only once their
    /// request can no longer land). The default, for platforms whose
    /// messages replace what the platform holds: send them again.
    fn reconcile(
        &mut self,
        _context: &mut SendContext<'_>,
        items: &[OutboxItem],
    ) -> Result<std::result::Result<Vec<(Id, Verdict)>, SendOutcome>> {
        Ok(Ok(items
            .iter()
            .map(|item| (item.id, Verdict::Resend { learned: None }))
            .collect()))
    }

    /// What sending these rows would change, and the requests (credentials
    /// masked). Sends nothing.
    fn preview(&mut self, context: &AdapterContext<'_>, items: &[OutboxItem]) -> Result<Preview>;

    /// Rows already acknowledged whose rendering changed although nothing
    /// about their own entrant did (RunSignup rows carrying hard-coded
    /// places after another entrant's result moved them), to be queued
    /// again. Asked once the queue is empty and the file changed since the
    /// last time; `None` when the platform's rows never depend on others.
    fn moved(&mut self, _context: &mut SendContext<'_>) -> Result<Option<Vec<QueuedEntity>>> {
        Ok(None)
    }

    /// Reads these workouts back and names every entrant the platform holds
    /// more than one row for (a request that landed later than
    /// `request_timeout + late_landing`, after its row was created again).
    /// `None` when the platform's rows cannot be duplicated (full-state
    /// messages, records found by key before they are created): the engine
    /// then drops the checks. `Some(Err)` when the platform could not be
    /// read; the checks stay due.
    fn duplicates(
        &mut self,
        _context: &mut SendContext<'_>,
        _workouts: &[Id],
    ) -> Result<Option<DuplicateCheck>> {
        Ok(None)
    }
}

/// The platforms a build knows, by code.
#[derive(Clone)]
pub struct Registry {
    adapters: Vec<Arc<dyn SyncAdapter>>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry::builtin().clone()
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_list()
            .entries(self.adapters.iter().map(|adapter| adapter.code()))
            .finish()
    }
}

impl Registry {
    /// The platforms Scoretable ships.
    pub fn builtin() -> &'static Registry {
        static BUILTIN: OnceLock<Registry> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            Registry::empty()
                .with(crate::runsignup::RunSignupAdapter)
                .with(crate::virtual_results::VirtualResultsAdapter)
                .with(crate::opentrack::OpenTrackAdapter)
                .with(crate::triathlon::LiveTimingAdapter)
        })
    }

    /// A registry without platforms.
    pub fn empty() -> Registry {
        Registry {
            adapters: Vec::new(),
        }
    }

    /// This registry plus `adapter` (replacing one with the same code).
    pub fn with(mut self, adapter: impl SyncAdapter + 'static) -> Registry {
        self.adapters.retain(|known| known.code() != adapter.code());
        self.adapters.push(Arc::new(adapter));
        self
    }

    /// The adapter for a platform code (`-` read as `_`).
    pub fn get(&self, code: &str) -> Option<&dyn SyncAdapter> {
        let code = normalise_code(code);
        self.adapters
            .iter()
            .find(|adapter| adapter.code() == code)
            .map(|adapter| adapter.as_ref())
    }

    /// The codes, in registration order.
    pub fn codes(&self) -> Vec<&'static str> {
        self.adapters.iter().map(|adapter| adapter.code()).collect()
    }

    /// Code and name of every platform.
    pub fn platforms(&self) -> Vec<PlatformInfo> {
        self.adapters
            .iter()
            .map(|adapter| PlatformInfo {
                code: adapter.code().to_string(),
                name: adapter.name().to_string(),
                remote_id_label: adapter.remote_id_label().to_string(),
                secret_hint: adapter.secret_hint().to_string(),
                settings: adapter.settings(),
            })
            .collect()
    }

    /// A target's config from a form's setting values, by the platform's
    /// own descriptions of its settings (see [`config_from_settings`]).
    pub fn config_from_settings(
        &self,
        target: &str,
        platform: &str,
        values: &[SettingValue],
    ) -> Result<Value> {
        let adapter = self.adapter_of(target, platform)?;
        config_from_settings(&adapter.settings(), values).map_err(|message| SyncError::Config {
            target: target.trim().to_string(),
            message,
        })
    }

    /// The name people say for a stored code (the code itself when this
    /// build does not know it).
    pub fn name_of(&self, code: &str) -> String {
        self.get(code)
            .map_or_else(|| code.to_string(), |adapter| adapter.name().to_string())
    }

    /// The adapter of a stored target, or a configuration error naming the
    /// target and the platforms this build knows.
    pub fn adapter_of(&self, target: &str, code: &str) -> Result<&dyn SyncAdapter> {
        self.get(code).ok_or_else(|| SyncError::UnknownPlatform {
            target: target.trim().to_string(),
            platform: code.to_string(),
            known: self.codes().join(", "),
        })
    }

    /// Checks a new target: an http(s) endpoint without credentials in it,
    /// a JSON object config, and the settings its platform's adapter needs.
    pub fn validate(&self, spec: &TargetSpec) -> Result<&dyn SyncAdapter> {
        let problem = |message: String| SyncError::Config {
            target: spec.name.trim().to_string(),
            message,
        };
        let adapter = self.adapter_of(&spec.name, &spec.platform)?;
        let endpoint = spec.endpoint.trim();
        let parsed = reqwest::Url::parse(endpoint)
            .map_err(|error| problem(format!("endpoint {endpoint:?} is not a URL: {error}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(problem(
                "the endpoint must be an http(s) URL with a host".to_string(),
            ));
        }
        if let Some(message) = endpoint_credential_problem(endpoint) {
            return Err(problem(format!("endpoint: {message}")));
        }
        if !spec.config.is_object() {
            return Err(problem("config must be a JSON object".to_string()));
        }
        adapter.validate(spec).map_err(problem)?;
        Ok(adapter)
    }

    /// Validates a target by its adapter and stores it with the adapter's
    /// scope; everything it must receive is queued at once. The one way
    /// targets are added, for both shells.
    pub fn add_target(&self, file: &mut CompetitionFile, spec: &TargetSpec) -> Result<SyncTarget> {
        let adapter = self.validate(spec)?;
        Ok(file.add_sync_target(&NewSyncTarget {
            name: spec.name.trim().to_string(),
            platform: adapter.code().to_string(),
            scope: adapter.scope(),
            endpoint: spec.endpoint.trim().to_string(),
            config: spec.config.clone(),
            workouts: spec.workouts.clone(),
        })?)
    }

    /// What the next sync would change on a target's platform, and the
    /// requests it would send (credentials masked). Sends nothing and
    /// changes nothing.
    pub fn preview(
        &self,
        file: &CompetitionFile,
        target_name: &str,
        limit: usize,
    ) -> Result<Preview> {
        let target = file.sync_target(target_name)?;
        let adapter = self.adapter_of(&target.name, &target.platform)?;
        let mut items = file.outbox_items(target.id, OutboxState::Sending, limit)?;
        items.extend(file.outbox_items(target.id, OutboxState::Queued, limit)?);
        let remote = file.sync_remote_records(target.id)?;
        let client = http_client(Duration::from_secs(5));
        let context = AdapterContext {
            file,
            target: &target,
            client: &client,
            secret: None,
            remote: &remote,
        };
        adapter.session().preview(&context, &items)
    }
}

fn normalise_code(code: &str) -> String {
    code.trim().to_ascii_lowercase().replace('-', "_")
}

/// Validates a target by its adapter and stores it (the built-in platforms).
pub fn add_target(file: &mut CompetitionFile, spec: &TargetSpec) -> Result<SyncTarget> {
    Registry::builtin().add_target(file, spec)
}

/// Checks a new target against its adapter (the built-in platforms).
pub fn validate_target(spec: &TargetSpec) -> Result<()> {
    Registry::builtin().validate(spec).map(|_| ())
}
