//! Outbound sync: Scoretable's results pushed to result platforms through a
//! durable outbox.
//!
//! The outbox itself lives in the competition file (see
//! `scoretable_store::outbox`): triggers queue every change a platform must
//! receive in the same transaction as the change. This crate drains it:
//!
//! - [`registry`]: the [`SyncAdapter`] trait each platform implements and
//!   the [`Registry`] that finds one by the code stored on a target; the
//!   engine and the target checks know no platform.
//! - [`engine`]: the worker ([`drain_target`], [`drain_all`]) with
//!   full-jitter backoff honouring `Retry-After`, 4xx rejections kept apart
//!   from retryable failures, acknowledgement-only success, reconcile after
//!   ambiguous failures, and failpoints for the crash harness; the status
//!   ([`sync_status`]) and preview ([`preview_target`]) the app shows.
//! - Adapters, each per its seed: [`runsignup`] (full results, seed 001),
//!   [`virtual_results`] (seed 003), [`opentrack`] (seed 002) and
//!   [`triathlon`] (World Triathlon Live Timing v1.1, seed 004, with the
//!   hosted JSON file).
//! - [`worker`]: the background worker the app runs ([`SyncWorker`]: poll,
//!   "sync now", latest reports).
//! - [`netwatch`]: the OS's network-change signal (Linux netlink), which
//!   ends the wait between reachability probes at once.
//! - [`credentials`]: secrets in the OS keyring with a documented fallback;
//!   never in the competition file.
//! - [`client`]: sending and classifying, backoff.
//! - [`http_server`]: the small server behind the hosted JSON file.
//!
//! The stand-in platforms the tests run against are in the
//! `scoretable-testkit` crate (a dev-dependency only).
//!
//! All network code for outbound sync lives in this crate.

pub mod adapter;
pub mod client;
pub mod credentials;
pub mod engine;
pub mod error;
pub mod http_server;
pub mod netwatch;
pub mod opentrack;
pub mod registry;
pub mod runsignup;
pub mod settings;
pub mod triathlon;
pub mod validate;
pub mod virtual_results;
pub mod worker;

pub use adapter::{Preview, PreviewChange, RenderedRequest};
pub use credentials::{SecretBackend, SecretStore};
pub use engine::{
    drain_all, drain_target, preview_target, sync_status, DrainOptions, DrainReport, TargetStatus,
    DEFAULT_BATCH_SIZE,
};
pub use error::{Result, SyncError};
pub use registry::{
    add_target, validate_target, AdapterSession, PlatformInfo, Registry, SendContext, SyncAdapter,
    TargetSpec,
};
pub use settings::{config_from_settings, SettingChoice, SettingInfo, SettingKind, SettingValue};
pub use triathlon::HostedFeed;
pub use validate::retry_rejected;
pub use worker::{sync_now, SyncWorker};
