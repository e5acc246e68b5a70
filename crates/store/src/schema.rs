//! The competition file's schema and its versioned migrations.
//!
//! The schema version lives in SQLite's `user_version` header field. Every
//! migration is a plain SQL script in `MIGRATIONS`; migration `n` (1-based)
//! brings a file from version `n - 1` to version `n`. Opening a file applies
//! all missing migrations in ONE immediate transaction, so a file is either at
//! its old version or fully at the current one, never in between. A file with
//! a higher version than this build knows is refused rather than guessed at.
//!
//! Migrations are append-only: once a version has shipped its script is never
//! edited, because files in the field were built by it. The upgrade test in
//! this module builds a version-1 file from the frozen v1 script by hand and
//! opens it with the current code.
//!
//! Invariants the schema itself enforces (so that no code path, including a
//! future sync adapter with a bug, can break them):
//!
//! - Enumerations are `CHECK`ed against their allowed spellings.
//! - A result's source value is written once: no UPDATE may change it, and
//!   in particular no import can overwrite an amended or imported result
//!   (`results_source_is_protected`, since version 3; version 1 protected
//!   amended and imported rows only). An amendment can never be removed
//!   (`results_amendment_is_permanent`), and such results can never be
//!   deleted (`results_protected_delete`).
//! - The score history (`score_events`) is append-only: UPDATE and DELETE are
//!   rejected by triggers.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::error::{Result, StoreError};

/// The frozen first version of the schema.
pub(crate) const SCHEMA_V1: &str = r#"
CREATE TABLE competition (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    venue TEXT NOT NULL,
    country TEXT NOT NULL,
    organiser TEXT NOT NULL,
    time_zone TEXT NOT NULL
) STRICT;

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL CHECK (json_valid(value))
) STRICT;

CREATE TABLE divisions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind TEXT NOT NULL CHECK (kind IN ('gender', 'age_group', 'custom')),
    gender TEXT CHECK (gender IN ('female', 'male', 'mixed', 'other')),
    min_age INTEGER CHECK (min_age >= 0),
    max_age INTEGER CHECK (max_age >= 0),
    CHECK (kind <> 'gender' OR gender IS NOT NULL),
    CHECK (min_age IS NULL OR max_age IS NULL OR min_age <= max_age)
) STRICT;

CREATE TABLE competitors (
    id INTEGER PRIMARY KEY,
    bib TEXT NOT NULL UNIQUE CHECK (length(bib) > 0),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    gender TEXT CHECK (gender IN ('female', 'male', 'mixed', 'other')),
    date_of_birth TEXT CHECK (date_of_birth IS NULL OR date(date_of_birth) = date_of_birth),
    country TEXT,
    club TEXT,
    runsignup_registration_id TEXT UNIQUE,
    opentrack_id TEXT UNIQUE,
    triathlon_athlete_id TEXT UNIQUE,
    feed_participant_id TEXT UNIQUE,
    para_class TEXT
) STRICT;

CREATE TABLE competitor_chips (
    chip_id TEXT PRIMARY KEY CHECK (length(chip_id) > 0),
    competitor_id INTEGER NOT NULL REFERENCES competitors(id) ON DELETE CASCADE,
    position INTEGER NOT NULL
) STRICT;
CREATE INDEX competitor_chips_by_competitor ON competitor_chips(competitor_id);

CREATE TABLE competitor_divisions (
    competitor_id INTEGER NOT NULL REFERENCES competitors(id) ON DELETE CASCADE,
    division_id INTEGER NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
    PRIMARY KEY (competitor_id, division_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX competitor_divisions_by_division ON competitor_divisions(division_id);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) > 0),
    bib TEXT UNIQUE,
    country TEXT,
    runsignup_registration_id TEXT UNIQUE,
    opentrack_id TEXT UNIQUE,
    triathlon_athlete_id TEXT UNIQUE,
    feed_participant_id TEXT UNIQUE
) STRICT;

CREATE TABLE team_divisions (
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    division_id INTEGER NOT NULL REFERENCES divisions(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, division_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE team_members (
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    competitor_id INTEGER NOT NULL REFERENCES competitors(id),
    member_order INTEGER NOT NULL CHECK (member_order >= 1),
    PRIMARY KEY (team_id, member_order),
    UNIQUE (team_id, competitor_id)
) STRICT;
CREATE INDEX team_members_by_competitor ON team_members(competitor_id);

CREATE TABLE workouts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) > 0),
    sequence INTEGER NOT NULL CHECK (sequence >= 1),
    score_type TEXT NOT NULL CHECK (score_type IN
        ('time', 'time_capped', 'rounds_reps', 'reps', 'load', 'distance', 'points')),
    time_cap_ms INTEGER CHECK (time_cap_ms > 0),
    reps_per_round INTEGER CHECK (reps_per_round > 0),
    load_unit TEXT NOT NULL CHECK (load_unit IN ('kg', 'lb')),
    tie_break TEXT NOT NULL CHECK (tie_break IN ('none', 'tie_break_time')),
    rounding_mode TEXT NOT NULL CHECK (rounding_mode IN ('exact', 'truncate', 'up', 'nearest')),
    rounding_unit_ms INTEGER NOT NULL CHECK (rounding_unit_ms >= 0),
    team_scoring TEXT NOT NULL CHECK (team_scoring IN
        ('individual', 'team_chip', 'sum_all', 'best_n')),
    team_best_n INTEGER CHECK (team_best_n >= 1),
    state TEXT NOT NULL CHECK (state IN ('provisional', 'official')),
    CHECK (rounding_mode = 'exact' OR rounding_unit_ms > 0),
    CHECK ((team_scoring = 'best_n') = (team_best_n IS NOT NULL))
) STRICT;

CREATE TABLE timing_points (
    id INTEGER PRIMARY KEY,
    workout_id INTEGER NOT NULL REFERENCES workouts(id) ON DELETE CASCADE,
    point_order INTEGER NOT NULL CHECK (point_order >= 1),
    name TEXT NOT NULL,
    UNIQUE (workout_id, point_order)
) STRICT;

CREATE TABLE heats (
    id INTEGER PRIMARY KEY,
    workout_id INTEGER NOT NULL REFERENCES workouts(id) ON DELETE CASCADE,
    heat_order INTEGER NOT NULL CHECK (heat_order >= 1),
    name TEXT NOT NULL,
    start_time TEXT,
    UNIQUE (workout_id, heat_order)
) STRICT;

CREATE TABLE lanes (
    heat_id INTEGER NOT NULL REFERENCES heats(id) ON DELETE CASCADE,
    lane INTEGER NOT NULL CHECK (lane >= 1),
    competitor_id INTEGER REFERENCES competitors(id),
    team_id INTEGER REFERENCES teams(id),
    PRIMARY KEY (heat_id, lane),
    CHECK (competitor_id IS NULL OR team_id IS NULL)
) STRICT;

-- One row per workout and entrant. The source value (as typed, imported or
-- polled) and the amended value (set by officials) are kept apart; the
-- effective value is the amended one when `amended = 1`. A row created by an
-- amendment alone (no source value) has source 'amendment'.
CREATE TABLE results (
    id INTEGER PRIMARY KEY,
    workout_id INTEGER NOT NULL REFERENCES workouts(id),
    competitor_id INTEGER REFERENCES competitors(id),
    team_id INTEGER REFERENCES teams(id),
    source TEXT NOT NULL CHECK (source IN ('manual', 'file', 'feed', 'amendment')),
    source_text TEXT,
    source_kind TEXT CHECK (source_kind IN
        ('time', 'capped', 'rounds_reps', 'reps', 'load', 'distance', 'points')),
    source_a INTEGER,
    source_b INTEGER,
    source_status TEXT CHECK (source_status IN ('LAP', 'NC', 'DNF', 'DNQ', 'WD', 'DSQ', 'DNS')),
    source_tie_break_ms INTEGER,
    amended INTEGER NOT NULL DEFAULT 0 CHECK (amended IN (0, 1)),
    amended_text TEXT,
    amended_kind TEXT CHECK (amended_kind IN
        ('time', 'capped', 'rounds_reps', 'reps', 'load', 'distance', 'points')),
    amended_a INTEGER,
    amended_b INTEGER,
    amended_status TEXT CHECK (amended_status IN ('LAP', 'NC', 'DNF', 'DNQ', 'WD', 'DSQ', 'DNS')),
    amended_tie_break_ms INTEGER,
    penalty_ms INTEGER NOT NULL DEFAULT 0 CHECK (penalty_ms >= 0),
    incidents TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(incidents)),
    provenance_source_name TEXT,
    provenance_record_id TEXT,
    provenance_import_batch TEXT,
    received_at TEXT NOT NULL,
    CHECK ((competitor_id IS NULL) <> (team_id IS NULL)),
    CHECK (source = 'amendment' OR source_kind IS NOT NULL OR source_status IS NOT NULL),
    CHECK (source <> 'amendment' OR amended = 1),
    CHECK ((source_kind IS NULL) = (source_a IS NULL)),
    CHECK (amended = 0 OR amended_kind IS NOT NULL OR amended_status IS NOT NULL),
    CHECK (amended = 1 OR (amended_text IS NULL AND amended_kind IS NULL AND amended_status IS NULL))
) STRICT;
CREATE UNIQUE INDEX results_by_competitor ON results(workout_id, competitor_id)
    WHERE competitor_id IS NOT NULL;
CREATE UNIQUE INDEX results_by_team ON results(workout_id, team_id) WHERE team_id IS NOT NULL;
CREATE INDEX results_by_competitor_only ON results(competitor_id);
CREATE INDEX results_by_record ON results(workout_id, provenance_source_name, provenance_record_id)
    WHERE provenance_record_id IS NOT NULL;

CREATE TABLE result_splits (
    result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,
    timing_point_id INTEGER NOT NULL REFERENCES timing_points(id),
    total_ms INTEGER NOT NULL CHECK (total_ms >= 0),
    PRIMARY KEY (result_id, timing_point_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX result_splits_by_point ON result_splits(timing_point_id);

-- The append-only history of every score. `old_value` and `new_value` are
-- JSON objects {text, score, status, tie_break_ms} (NULL for "no value").
CREATE TABLE score_events (
    id INTEGER PRIMARY KEY,
    workout_id INTEGER NOT NULL REFERENCES workouts(id),
    competitor_id INTEGER REFERENCES competitors(id),
    team_id INTEGER REFERENCES teams(id),
    kind TEXT NOT NULL CHECK (kind IN ('entry', 'import', 'amend', 'undo')),
    who TEXT NOT NULL CHECK (length(who) > 0),
    at TEXT NOT NULL,
    old_value TEXT CHECK (old_value IS NULL OR json_valid(old_value)),
    new_value TEXT CHECK (new_value IS NULL OR json_valid(new_value)),
    reason TEXT,
    appeal_ref TEXT,
    undoes_event_id INTEGER REFERENCES score_events(id),
    CHECK ((competitor_id IS NULL) <> (team_id IS NULL)),
    CHECK (kind <> 'amend' OR (reason IS NOT NULL AND length(trim(reason)) > 0)),
    CHECK ((kind = 'undo') = (undoes_event_id IS NOT NULL))
) STRICT;
CREATE INDEX score_events_by_competitor ON score_events(workout_id, competitor_id)
    WHERE competitor_id IS NOT NULL;
CREATE INDEX score_events_by_team ON score_events(workout_id, team_id) WHERE team_id IS NOT NULL;

-- One row per open handle; a row left behind marks an unclean shutdown.
CREATE TABLE open_sessions (
    session_id TEXT PRIMARY KEY,
    opened_at TEXT NOT NULL,
    process_id INTEGER NOT NULL
) STRICT;

CREATE TRIGGER results_source_is_protected
BEFORE UPDATE OF source, source_text, source_kind, source_a, source_b, source_status,
    source_tie_break_ms ON results
WHEN (OLD.amended = 1 OR OLD.source IN ('file', 'feed'))
    AND (OLD.source IS NOT NEW.source
        OR OLD.source_text IS NOT NEW.source_text
        OR OLD.source_kind IS NOT NEW.source_kind
        OR OLD.source_a IS NOT NEW.source_a
        OR OLD.source_b IS NOT NEW.source_b
        OR OLD.source_status IS NOT NEW.source_status
        OR OLD.source_tie_break_ms IS NOT NEW.source_tie_break_ms)
BEGIN
    SELECT RAISE(ABORT, 'protected result: the source value of an amended or imported result cannot be overwritten; amend it instead');
END;

CREATE TRIGGER results_amendment_is_permanent
BEFORE UPDATE OF amended ON results
WHEN OLD.amended = 1 AND NEW.amended <> 1
BEGIN
    SELECT RAISE(ABORT, 'protected result: an official amendment cannot be removed; amend it again instead');
END;

CREATE TRIGGER results_protected_delete
BEFORE DELETE ON results
WHEN OLD.amended = 1 OR OLD.source IN ('file', 'feed')
BEGIN
    SELECT RAISE(ABORT, 'protected result: an amended or imported result cannot be deleted');
END;

CREATE TRIGGER score_events_no_update
BEFORE UPDATE ON score_events
BEGIN
    SELECT RAISE(ABORT, 'score history is append-only: events cannot be changed');
END;

CREATE TRIGGER score_events_no_delete
BEFORE DELETE ON score_events
BEGIN
    SELECT RAISE(ABORT, 'score history is append-only: events cannot be deleted');
END;
"#;

/// Version 2: a record of every import (competitor lists and result
/// batches), so each result's `provenance_import_batch` can be traced to
/// when, from where and with what outcome it arrived.
pub(crate) const SCHEMA_V2: &str = r#"
CREATE TABLE import_batches (
    id TEXT PRIMARY KEY CHECK (length(id) > 0),
    kind TEXT NOT NULL CHECK (kind IN ('competitors', 'results')),
    workout_id INTEGER REFERENCES workouts(id),
    source TEXT NOT NULL CHECK (source IN ('file', 'feed')),
    source_name TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    inserted INTEGER NOT NULL CHECK (inserted >= 0),
    updated INTEGER NOT NULL CHECK (updated >= 0),
    skipped INTEGER NOT NULL CHECK (skipped >= 0),
    CHECK ((kind = 'results') = (workout_id IS NOT NULL))
) STRICT;
"#;

/// Version 3: source values become write-once for every result, not only
/// for amended and imported ones. The store never rewrites a source value
/// (a typing slip is undone, which deletes the manual row and logs it), so
/// any such UPDATE comes from outside and is refused.
pub(crate) const SCHEMA_V3: &str = r#"
DROP TRIGGER results_source_is_protected;
CREATE TRIGGER results_source_is_protected
BEFORE UPDATE OF source, source_text, source_kind, source_a, source_b, source_status,
    source_tie_break_ms ON results
WHEN OLD.source IS NOT NEW.source
    OR OLD.source_text IS NOT NEW.source_text
    OR OLD.source_kind IS NOT NEW.source_kind
    OR OLD.source_a IS NOT NEW.source_a
    OR OLD.source_b IS NOT NEW.source_b
    OR OLD.source_status IS NOT NEW.source_status
    OR OLD.source_tie_break_ms IS NOT NEW.source_tie_break_ms
BEGIN
    SELECT RAISE(ABORT, 'protected result: a source value is written once and never overwritten; amend it instead');
END;
"#;

/// Version 4: the inbound side (timing-feed polling and mapped file imports).
///
/// - `inbound_mappings`: saved field mappings (JSON owned by the inbound
///   crate), optionally bound to one workout.
/// - `inbound_connections`: polled feeds with their health (state, message,
///   failures, last attempt and last success). Credentials are never stored:
///   `auth_env` names an environment variable that holds them.
/// - `inbound_ledger`: one row per source record ever imported (source name,
///   workout, record key). Later polls compare against `current_value` and
///   skip equal records; rows are permanent and their identity is fixed.
/// - `inbound_conflicts`: a source value that differs from what was imported,
///   waiting for an official (accept = amendment, or dismiss).
/// - `inbound_review`: records whose participant could not be identified,
///   waiting to be assigned to a competitor or team.
pub(crate) const SCHEMA_V4: &str = r#"
CREATE TABLE inbound_mappings (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    workout_id INTEGER REFERENCES workouts(id) ON DELETE CASCADE,
    mapping TEXT NOT NULL CHECK (json_valid(mapping)),
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE inbound_connections (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    url TEXT NOT NULL CHECK (length(url) > 0),
    workout_id INTEGER NOT NULL REFERENCES workouts(id) ON DELETE CASCADE,
    mapping_id INTEGER NOT NULL REFERENCES inbound_mappings(id),
    format TEXT NOT NULL CHECK (length(format) > 0),
    interval_ms INTEGER NOT NULL CHECK (interval_ms >= 100),
    auth_env TEXT,
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    state TEXT NOT NULL CHECK (state IN ('idle', 'ok', 'backing_off', 'error')),
    message TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    last_attempt_at TEXT,
    last_success_at TEXT,
    next_attempt_at TEXT,
    last_report TEXT CHECK (last_report IS NULL OR json_valid(last_report)),
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE inbound_ledger (
    id INTEGER PRIMARY KEY,
    source_name TEXT NOT NULL CHECK (length(source_name) > 0),
    workout_id INTEGER NOT NULL REFERENCES workouts(id),
    record_key TEXT NOT NULL CHECK (length(record_key) > 0),
    competitor_id INTEGER REFERENCES competitors(id),
    team_id INTEGER REFERENCES teams(id),
    result_id INTEGER REFERENCES results(id),
    origin TEXT NOT NULL CHECK (origin IN ('imported', 'matched', 'existing')),
    imported_value TEXT NOT NULL CHECK (json_valid(imported_value)),
    current_fingerprint TEXT NOT NULL,
    current_value TEXT NOT NULL CHECK (json_valid(current_value)),
    first_imported_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (source_name, workout_id, record_key),
    CHECK ((competitor_id IS NULL) <> (team_id IS NULL))
) STRICT;

CREATE TABLE inbound_conflicts (
    id INTEGER PRIMARY KEY,
    ledger_id INTEGER NOT NULL REFERENCES inbound_ledger(id),
    incoming_fingerprint TEXT NOT NULL,
    incoming_value TEXT NOT NULL CHECK (json_valid(incoming_value)),
    compared_value TEXT NOT NULL CHECK (json_valid(compared_value)),
    record TEXT NOT NULL CHECK (json_valid(record)),
    detected_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    times_seen INTEGER NOT NULL DEFAULT 1 CHECK (times_seen >= 1),
    state TEXT NOT NULL CHECK (state IN ('open', 'accepted', 'dismissed', 'superseded')),
    resolved_by TEXT,
    resolved_at TEXT,
    resolution_note TEXT,
    amendment_event_id INTEGER REFERENCES score_events(id),
    CHECK ((state = 'open') = (resolved_at IS NULL))
) STRICT;
CREATE UNIQUE INDEX inbound_conflicts_one_open ON inbound_conflicts(ledger_id)
    WHERE state = 'open';
CREATE INDEX inbound_conflicts_by_ledger ON inbound_conflicts(ledger_id, incoming_fingerprint);

CREATE TABLE inbound_review (
    id INTEGER PRIMARY KEY,
    source_name TEXT NOT NULL CHECK (length(source_name) > 0),
    source_kind TEXT NOT NULL CHECK (source_kind IN ('file', 'feed')),
    workout_id INTEGER NOT NULL REFERENCES workouts(id) ON DELETE CASCADE,
    record_key TEXT NOT NULL CHECK (length(record_key) > 0),
    identifier_kind TEXT NOT NULL,
    identifier_value TEXT NOT NULL,
    reason TEXT NOT NULL,
    record TEXT NOT NULL CHECK (json_valid(record)),
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    times_seen INTEGER NOT NULL DEFAULT 1 CHECK (times_seen >= 1),
    state TEXT NOT NULL CHECK (state IN ('open', 'assigned', 'dismissed')),
    competitor_id INTEGER REFERENCES competitors(id) ON DELETE SET NULL,
    team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
    resolved_by TEXT,
    resolved_at TEXT,
    UNIQUE (source_name, workout_id, record_key),
    CHECK (competitor_id IS NULL OR team_id IS NULL)
) STRICT;

CREATE TRIGGER inbound_ledger_no_delete
BEFORE DELETE ON inbound_ledger
BEGIN
    SELECT RAISE(ABORT, 'protected result: the import ledger is permanent; its rows cannot be deleted');
END;

CREATE TRIGGER inbound_ledger_identity_is_fixed
BEFORE UPDATE OF source_name, workout_id, record_key, imported_value, first_imported_at
    ON inbound_ledger
WHEN OLD.source_name IS NOT NEW.source_name
    OR OLD.workout_id IS NOT NEW.workout_id
    OR OLD.record_key IS NOT NEW.record_key
    OR OLD.imported_value IS NOT NEW.imported_value
    OR OLD.first_imported_at IS NOT NEW.first_imported_at
BEGIN
    SELECT RAISE(ABORT, 'protected result: an import ledger row keeps the record and value it first imported');
END;
"#;

/// Version 5: officials can amend a time penalty. `amended_penalty_ms` holds
/// the penalty of the amended value; the source `penalty_ms` joins the
/// write-once source columns.
pub(crate) const SCHEMA_V5: &str = r#"
ALTER TABLE results ADD COLUMN amended_penalty_ms INTEGER CHECK (amended_penalty_ms >= 0);
UPDATE results SET amended_penalty_ms = penalty_ms WHERE amended = 1;
DROP TRIGGER results_source_is_protected;
CREATE TRIGGER results_source_is_protected
BEFORE UPDATE OF source, source_text, source_kind, source_a, source_b, source_status,
    source_tie_break_ms, penalty_ms ON results
WHEN OLD.source IS NOT NEW.source
    OR OLD.source_text IS NOT NEW.source_text
    OR OLD.source_kind IS NOT NEW.source_kind
    OR OLD.source_a IS NOT NEW.source_a
    OR OLD.source_b IS NOT NEW.source_b
    OR OLD.source_status IS NOT NEW.source_status
    OR OLD.source_tie_break_ms IS NOT NEW.source_tie_break_ms
    OR OLD.penalty_ms IS NOT NEW.penalty_ms
BEGIN
    SELECT RAISE(ABORT, 'protected result: a source value is written once and never overwritten; amend it instead');
END;
"#;

/// Version 6: the outbound sync outbox (see `crate::outbox`).
///
/// - `sync_targets`: configured result platforms (RunSignup, RunSignup
///   virtual, OpenTrack, World Triathlon Live Timing) with their endpoint,
///   non-secret configuration and health. Secrets are never stored here:
///   `secret_ref` names the OS keyring entry (or fallback file) holding them.
/// - `sync_target_workouts`: which workouts a target receives, with the
///   platform's id for each (event id, prog id).
/// - `sync_changes`: a transient queue. Triggers on `results`,
///   `result_splits`, `workouts`, `lanes` and `competitors` insert one row per
///   change, IN THE SAME TRANSACTION as the change; a trigger on this table
///   fans the change out to every target that must receive it and deletes
///   it. Its AUTOINCREMENT id is the change's version.
/// - `sync_outbox`: one durable row per target and entity. At most one row per
///   target and entity is `queued`; a later change to the same entity
///   supersedes (updates) the unsent row instead of adding one. States:
///   queued, sending (claimed; the request may have been sent), acked,
///   rejected (4xx, with the message), superseded, skipped (nothing to send).
/// - `sync_remote_ids`: what each platform calls an entity (RunSignup's
///   `result_id`) and a digest of the last acknowledged payload.
pub(crate) const SCHEMA_V6: &str = r#"
CREATE TABLE sync_targets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    platform TEXT NOT NULL CHECK (platform IN
        ('runsignup', 'runsignup_virtual', 'opentrack', 'world_triathlon')),
    endpoint TEXT NOT NULL CHECK (length(endpoint) > 0),
    config TEXT NOT NULL CHECK (json_valid(config)),
    secret_ref TEXT NOT NULL UNIQUE CHECK (length(secret_ref) > 0),
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    consecutive_failures INTEGER NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    last_attempt_at TEXT,
    last_success_at TEXT,
    last_error TEXT,
    last_error_at TEXT,
    next_attempt_at TEXT,
    remote_state TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(remote_state)),
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE sync_target_workouts (
    target_id INTEGER NOT NULL REFERENCES sync_targets(id) ON DELETE CASCADE,
    workout_id INTEGER NOT NULL REFERENCES workouts(id) ON DELETE CASCADE,
    remote_id TEXT NOT NULL CHECK (length(remote_id) > 0),
    PRIMARY KEY (target_id, workout_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE sync_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('result', 'workout', 'competitor')),
    workout_id INTEGER,
    competitor_id INTEGER,
    team_id INTEGER
);

CREATE TABLE sync_outbox (
    id INTEGER PRIMARY KEY,
    target_id INTEGER NOT NULL REFERENCES sync_targets(id) ON DELETE CASCADE,
    entity TEXT NOT NULL CHECK (length(entity) > 0),
    workout_id INTEGER,
    competitor_id INTEGER,
    team_id INTEGER,
    version INTEGER NOT NULL CHECK (version >= 1),
    state TEXT NOT NULL CHECK (state IN
        ('queued', 'sending', 'acked', 'rejected', 'superseded', 'skipped')),
    idempotency_key TEXT,
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT,
    CHECK ((state = 'sending') <= (idempotency_key IS NOT NULL))
) STRICT;
CREATE UNIQUE INDEX sync_outbox_one_queued ON sync_outbox(target_id, entity)
    WHERE state = 'queued';
CREATE INDEX sync_outbox_by_state ON sync_outbox(target_id, state, id);

CREATE TABLE sync_remote_ids (
    target_id INTEGER NOT NULL REFERENCES sync_targets(id) ON DELETE CASCADE,
    entity TEXT NOT NULL,
    remote_id TEXT,
    payload_digest TEXT,
    payload TEXT CHECK (payload IS NULL OR json_valid(payload)),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (target_id, entity)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER sync_changes_fan_out AFTER INSERT ON sync_changes
BEGIN
    INSERT INTO sync_outbox (target_id, entity, workout_id, competitor_id, team_id, version,
        state, created_at, updated_at)
    SELECT target.id,
        CASE
            WHEN target.platform = 'opentrack' THEN 'competition'
            WHEN target.platform = 'world_triathlon' THEN 'workout/' || NEW.workout_id
            WHEN NEW.competitor_id IS NOT NULL
                THEN 'result/' || NEW.workout_id || '/c' || NEW.competitor_id
            ELSE 'result/' || NEW.workout_id || '/t' || NEW.team_id
        END,
        NEW.workout_id,
        CASE WHEN target.platform IN ('runsignup', 'runsignup_virtual') THEN NEW.competitor_id END,
        CASE WHEN target.platform IN ('runsignup', 'runsignup_virtual') THEN NEW.team_id END,
        NEW.id, 'queued',
        strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    FROM sync_targets AS target
    WHERE target.enabled = 1 AND (
        (NEW.kind = 'result' AND EXISTS (SELECT 1 FROM sync_target_workouts AS mapped
            WHERE mapped.target_id = target.id AND mapped.workout_id = NEW.workout_id))
        OR (NEW.kind = 'workout' AND target.platform IN ('world_triathlon', 'opentrack')
            AND EXISTS (SELECT 1 FROM sync_target_workouts AS mapped
            WHERE mapped.target_id = target.id AND mapped.workout_id = NEW.workout_id))
        OR (NEW.kind = 'competitor' AND target.platform = 'opentrack'))
    ON CONFLICT (target_id, entity) WHERE state = 'queued'
        DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at;
    DELETE FROM sync_changes WHERE id = NEW.id;
END;

CREATE TRIGGER sync_result_inserted AFTER INSERT ON results
BEGIN
    INSERT INTO sync_changes (kind, workout_id, competitor_id, team_id)
        VALUES ('result', NEW.workout_id, NEW.competitor_id, NEW.team_id);
END;
CREATE TRIGGER sync_result_updated AFTER UPDATE ON results
BEGIN
    INSERT INTO sync_changes (kind, workout_id, competitor_id, team_id)
        VALUES ('result', NEW.workout_id, NEW.competitor_id, NEW.team_id);
END;
CREATE TRIGGER sync_result_deleted AFTER DELETE ON results
BEGIN
    INSERT INTO sync_changes (kind, workout_id, competitor_id, team_id)
        VALUES ('result', OLD.workout_id, OLD.competitor_id, OLD.team_id);
END;
CREATE TRIGGER sync_split_inserted AFTER INSERT ON result_splits
BEGIN
    INSERT INTO sync_changes (kind, workout_id, competitor_id, team_id)
        SELECT 'result', workout_id, competitor_id, team_id FROM results WHERE id = NEW.result_id;
END;
CREATE TRIGGER sync_split_updated AFTER UPDATE ON result_splits
BEGIN
    INSERT INTO sync_changes (kind, workout_id, competitor_id, team_id)
        SELECT 'result', workout_id, competitor_id, team_id FROM results WHERE id = NEW.result_id;
END;
CREATE TRIGGER sync_split_deleted AFTER DELETE ON result_splits
BEGIN
    INSERT INTO sync_changes (kind, workout_id, competitor_id, team_id)
        SELECT 'result', workout_id, competitor_id, team_id FROM results WHERE id = OLD.result_id;
END;
CREATE TRIGGER sync_workout_updated AFTER UPDATE ON workouts
BEGIN
    INSERT INTO sync_changes (kind, workout_id) VALUES ('workout', NEW.id);
END;
CREATE TRIGGER sync_lane_inserted AFTER INSERT ON lanes
BEGIN
    INSERT INTO sync_changes (kind, workout_id)
        SELECT 'workout', workout_id FROM heats WHERE id = NEW.heat_id;
END;
CREATE TRIGGER sync_competitor_inserted AFTER INSERT ON competitors
BEGIN
    INSERT INTO sync_changes (kind, competitor_id) VALUES ('competitor', NEW.id);
END;
CREATE TRIGGER sync_competitor_updated AFTER UPDATE ON competitors
BEGIN
    INSERT INTO sync_changes (kind, competitor_id) VALUES ('competitor', NEW.id);
END;
"#;

/// Version 7: the store holds no platform policy. `sync_targets.platform` is
/// any code the sync crate's adapter registry knows (no `CHECK` listing
/// platforms), and each target carries its `entity_scope`, chosen by its
/// adapter when the target is added: `result` (one outbox row per entrant's
/// result), `workout` (one per race, full-state messages) or `competition`
/// (one for the whole competition, which also receives competitor changes).
/// The fan-out trigger reads the scope instead of naming platforms.
///
/// `sync_targets` is rebuilt (SQLite cannot drop a `CHECK`); [`migrate`]
/// runs with foreign keys off, so the rebuild cascades nothing into
/// `sync_target_workouts`, `sync_outbox` or `sync_remote_ids`, and checks
/// every foreign key before it commits. Targets of version 6 get the scope
/// their platform had in version 6's trigger.
pub(crate) const SCHEMA_V7: &str = r#"
DROP TRIGGER sync_changes_fan_out;
CREATE TABLE sync_targets_v6 AS SELECT * FROM sync_targets;
DROP TABLE sync_targets;
CREATE TABLE sync_targets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    platform TEXT NOT NULL CHECK (length(platform) > 0),
    entity_scope TEXT NOT NULL CHECK (entity_scope IN ('result', 'workout', 'competition')),
    endpoint TEXT NOT NULL CHECK (length(endpoint) > 0),
    config TEXT NOT NULL CHECK (json_valid(config)),
    secret_ref TEXT NOT NULL UNIQUE CHECK (length(secret_ref) > 0),
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    consecutive_failures INTEGER NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    last_attempt_at TEXT,
    last_success_at TEXT,
    last_error TEXT,
    last_error_at TEXT,
    next_attempt_at TEXT,
    remote_state TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(remote_state)),
    created_at TEXT NOT NULL
) STRICT;
INSERT INTO sync_targets (id, name, platform, entity_scope, endpoint, config, secret_ref,
    enabled, consecutive_failures, last_attempt_at, last_success_at, last_error, last_error_at,
    next_attempt_at, remote_state, created_at)
SELECT id, name, platform,
    CASE platform WHEN 'opentrack' THEN 'competition'
        WHEN 'world_triathlon' THEN 'workout' ELSE 'result' END,
    endpoint, config, secret_ref, enabled, consecutive_failures, last_attempt_at,
    last_success_at, last_error, last_error_at, next_attempt_at, remote_state, created_at
FROM sync_targets_v6 ORDER BY id;
DROP TABLE sync_targets_v6;

CREATE TRIGGER sync_changes_fan_out AFTER INSERT ON sync_changes
BEGIN
    INSERT INTO sync_outbox (target_id, entity, workout_id, competitor_id, team_id, version,
        state, created_at, updated_at)
    SELECT target.id,
        CASE
            WHEN target.entity_scope = 'competition' THEN 'competition'
            WHEN target.entity_scope = 'workout' THEN 'workout/' || NEW.workout_id
            WHEN NEW.competitor_id IS NOT NULL
                THEN 'result/' || NEW.workout_id || '/c' || NEW.competitor_id
            ELSE 'result/' || NEW.workout_id || '/t' || NEW.team_id
        END,
        NEW.workout_id,
        CASE WHEN target.entity_scope = 'result' THEN NEW.competitor_id END,
        CASE WHEN target.entity_scope = 'result' THEN NEW.team_id END,
        NEW.id, 'queued',
        strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    FROM sync_targets AS target
    WHERE target.enabled = 1 AND (
        (NEW.kind = 'result' AND EXISTS (SELECT 1 FROM sync_target_workouts AS mapped
            WHERE mapped.target_id = target.id AND mapped.workout_id = NEW.workout_id))
        OR (NEW.kind = 'workout' AND target.entity_scope IN ('workout', 'competition')
            AND EXISTS (SELECT 1 FROM sync_target_workouts AS mapped
            WHERE mapped.target_id = target.id AND mapped.workout_id = NEW.workout_id))
        OR (NEW.kind = 'competitor' AND target.entity_scope = 'competition'))
    ON CONFLICT (target_id, entity) WHERE state = 'queued'
        DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at;
    DELETE FROM sync_changes WHERE id = NEW.id;
END;
"#;

/// Version 8: division membership is watched like the other tables a sync
/// payload reads. Moving a competitor or team to another division changes
/// their division places (and those of the others in both divisions), so
/// their results and the competitor are queued again. Only when a target
/// exists: a bulk import into a file without targets pays nothing.
pub(crate) const SCHEMA_V8: &str = r#"
CREATE INDEX results_by_team_only ON results(team_id) WHERE team_id IS NOT NULL;

CREATE TRIGGER sync_competitor_division_added AFTER INSERT ON competitor_divisions
WHEN EXISTS (SELECT 1 FROM sync_targets WHERE enabled = 1)
BEGIN
    INSERT INTO sync_changes (kind, competitor_id) VALUES ('competitor', NEW.competitor_id);
    INSERT INTO sync_changes (kind, workout_id, competitor_id)
        SELECT 'result', workout_id, competitor_id FROM results
        WHERE competitor_id = NEW.competitor_id;
END;
CREATE TRIGGER sync_competitor_division_removed AFTER DELETE ON competitor_divisions
WHEN EXISTS (SELECT 1 FROM sync_targets WHERE enabled = 1)
BEGIN
    INSERT INTO sync_changes (kind, competitor_id) VALUES ('competitor', OLD.competitor_id);
    INSERT INTO sync_changes (kind, workout_id, competitor_id)
        SELECT 'result', workout_id, competitor_id FROM results
        WHERE competitor_id = OLD.competitor_id;
END;
CREATE TRIGGER sync_team_division_added AFTER INSERT ON team_divisions
WHEN EXISTS (SELECT 1 FROM sync_targets WHERE enabled = 1)
BEGIN
    INSERT INTO sync_changes (kind, workout_id, team_id)
        SELECT 'result', workout_id, team_id FROM results WHERE team_id = NEW.team_id;
END;
CREATE TRIGGER sync_team_division_removed AFTER DELETE ON team_divisions
WHEN EXISTS (SELECT 1 FROM sync_targets WHERE enabled = 1)
BEGIN
    INSERT INTO sync_changes (kind, workout_id, team_id)
        SELECT 'result', workout_id, team_id FROM results WHERE team_id = OLD.team_id;
END;
"#;

/// Version 9: the overall's rule for team workouts in individuals' totals
/// (issue 15), kept with the other overall settings (`settings` row
/// `leaderboard`, field `team_workouts`). A file from before the rule states
/// the default (`excluded`) explicitly, and triggers refuse any other
/// spelling than `excluded` or `team_place`, as the enumeration checks do.
/// An older Scoretable, which would ignore the rule, refuses the file as
/// newer than it knows.
pub(crate) const SCHEMA_V9: &str = r#"
UPDATE settings SET value = json_set(value, '$.team_workouts', 'excluded')
 WHERE key = 'leaderboard' AND json_valid(value)
   AND json_type(value, '$.team_workouts') IS NULL;
CREATE TRIGGER settings_team_workouts_checked_insert BEFORE INSERT ON settings
WHEN NEW.key = 'leaderboard'
 AND (NOT json_valid(NEW.value)
      OR coalesce(json_extract(NEW.value, '$.team_workouts'), 'excluded')
         NOT IN ('excluded', 'team_place'))
BEGIN
    SELECT RAISE(ABORT, 'CHECK: team_workouts must be excluded or team_place');
END;
CREATE TRIGGER settings_team_workouts_checked_update BEFORE UPDATE ON settings
WHEN NEW.key = 'leaderboard'
 AND (NOT json_valid(NEW.value)
      OR coalesce(json_extract(NEW.value, '$.team_workouts'), 'excluded')
         NOT IN ('excluded', 'team_place'))
BEGIN
    SELECT RAISE(ABORT, 'CHECK: team_workouts must be excluded or team_place');
END;
"#;

/// Version 10: results are read per workout everywhere (boards, loads,
/// the live-timing message), and the only indexes leading with
/// `workout_id` were partial, so every per-workout read scanned the results
/// of every workout, and a workout's splits were read by scanning every
/// split in the file (600,000 rows at 60,000 athletes with ten timing
/// points, for a 150-athlete wave). This index lets both start from the
/// workout's own rows, in id order.
pub(crate) const SCHEMA_V10: &str = r#"
CREATE INDEX results_by_workout ON results(workout_id, id);
"#;

/// Version 11: who moved after one amendment is read as an index range
/// (`crate::results::placements`): the rows whose effective ranking value
/// lies between the amended entrant's old and new value, counted below it.
/// The indexed expressions are the effective status, kind, value (a time
/// with its penalty, any other score negated) and tie-break of each result;
/// the queries use them verbatim (a test checks the plan).
pub(crate) const SCHEMA_V11: &str = r#"
CREATE INDEX results_by_rank_value ON results(
    workout_id,
    (CASE WHEN amended THEN amended_status ELSE source_status END),
    (CASE WHEN amended THEN amended_kind ELSE source_kind END),
    (CASE WHEN amended THEN (CASE amended_kind WHEN 'time' THEN amended_a + coalesce(amended_penalty_ms, 0) ELSE -amended_a END) ELSE (CASE source_kind WHEN 'time' THEN source_a + penalty_ms ELSE -source_a END) END),
    (CASE WHEN amended THEN amended_tie_break_ms ELSE source_tie_break_ms END),
    competitor_id,
    team_id
);
"#;

/// Version 12: who moved in a rounds+reps workout is an index range too.
/// Its results rank by rounds, then extra reps (or by total reps when the
/// workout knows its reps per round): `results_rounds_reps_by_rank` holds
/// the rounds (negated, as `results_by_rank_value` does) with the extra
/// reps beside them, so the band between two values is read from the index
/// alone; `results_rounds_reps_extra` gives the least and the most extra
/// reps stored, which bound the rounds a total-reps band can span. Both
/// are partial (other results pay nothing for them) and hold the kind
/// expression their condition tests, so that they cover the queries.
pub(crate) const SCHEMA_V12: &str = r#"
CREATE INDEX results_rounds_reps_by_rank ON results(
    workout_id,
    (CASE WHEN amended THEN amended_status ELSE source_status END),
    (CASE WHEN amended THEN amended_kind ELSE source_kind END),
    (CASE WHEN amended THEN (CASE amended_kind WHEN 'time' THEN amended_a + coalesce(amended_penalty_ms, 0) ELSE -amended_a END) ELSE (CASE source_kind WHEN 'time' THEN source_a + penalty_ms ELSE -source_a END) END),
    (CASE WHEN amended THEN amended_b ELSE source_b END),
    (CASE WHEN amended THEN amended_tie_break_ms ELSE source_tie_break_ms END),
    competitor_id,
    team_id
) WHERE (CASE WHEN amended THEN amended_kind ELSE source_kind END) = 'rounds_reps';
CREATE INDEX results_rounds_reps_extra ON results(
    workout_id,
    (CASE WHEN amended THEN amended_kind ELSE source_kind END),
    (CASE WHEN amended THEN amended_b ELSE source_b END)
) WHERE (CASE WHEN amended THEN amended_kind ELSE source_kind END) = 'rounds_reps';
"#;

/// Version 13: the read commands count each workout's results and its
/// amended results (`info`, `workout list`). The count of results comes
/// from `results_by_workout`; the amended ones (a handful) had no index,
/// so the count read every result row of the file (90 ms at 240,000
/// athletes). This index holds the amended rows with the columns the
/// count's condition reads (`crate::counts`), so the count reads only it.
pub(crate) const SCHEMA_V13: &str = r#"
CREATE INDEX results_amended_by_workout
    ON results(workout_id, amended, amended_kind, amended_status) WHERE amended = 1;
"#;

/// Version 14: identifiers stored trimmed. Every write path trims bibs,
/// chip ids and platform ids before storing them, and the inbound poll
/// matches records by the trimmed value through each column's unique index
/// (`crate::ledger`); a file written by an older version could hold them
/// with surrounding white space (Unicode `White_Space`, as Rust's
/// `str::trim`), and its records went to review instead of being applied.
/// Each such value is trimmed where that is unambiguous: no other row of
/// the table holds, or trims to, the same value. A value whose trimmed form
/// would collide is left as it is and named in the upgrade's
/// [`OpenReport`](crate::OpenReport) (`untrimmed_identifiers`); nothing is
/// merged or dropped. Team names are matched trimmed and case-folded
/// already and are not changed. A changed competitor is queued for sync as
/// any edit is.
pub(crate) const SCHEMA_V14: &str = r#"
CREATE TEMP TABLE st_untrimmed (row INTEGER PRIMARY KEY, key TEXT NOT NULL);
CREATE INDEX temp.st_untrimmed_by_key ON st_untrimmed(key);

DELETE FROM st_untrimmed;
INSERT INTO st_untrimmed (row, key)
    SELECT rowid, trim(bib, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) FROM competitors
    WHERE bib <> trim(bib, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) AND trim(bib, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) <> '';
UPDATE competitors SET bib = (SELECT key FROM st_untrimmed WHERE st_untrimmed.row = competitors.rowid)
WHERE rowid IN (
    SELECT one.row FROM st_untrimmed AS one
    WHERE NOT EXISTS (SELECT 1 FROM competitors AS other WHERE other.bib = one.key)
      AND (SELECT count(*) FROM st_untrimmed AS same WHERE same.key = one.key) = 1);

DELETE FROM st_untrimmed;
INSERT INTO st_untrimmed (row, key)
    SELECT rowid, trim(runsignup_registration_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) FROM competitors
    WHERE runsignup_registration_id <> trim(runsignup_registration_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) AND trim(runsignup_registration_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) <> '';
UPDATE competitors SET runsignup_registration_id = (SELECT key FROM st_untrimmed WHERE st_untrimmed.row = competitors.rowid)
WHERE rowid IN (
    SELECT one.row FROM st_untrimmed AS one
    WHERE NOT EXISTS (SELECT 1 FROM competitors AS other WHERE other.runsignup_registration_id = one.key)
      AND (SELECT count(*) FROM st_untrimmed AS same WHERE same.key = one.key) = 1);

DELETE FROM st_untrimmed;
INSERT INTO st_untrimmed (row, key)
    SELECT rowid, trim(opentrack_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) FROM competitors
    WHERE opentrack_id <> trim(opentrack_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) AND trim(opentrack_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) <> '';
UPDATE competitors SET opentrack_id = (SELECT key FROM st_untrimmed WHERE st_untrimmed.row = competitors.rowid)
WHERE rowid IN (
    SELECT one.row FROM st_untrimmed AS one
    WHERE NOT EXISTS (SELECT 1 FROM competitors AS other WHERE other.opentrack_id = one.key)
      AND (SELECT count(*) FROM st_untrimmed AS same WHERE same.key = one.key) = 1);

DELETE FROM st_untrimmed;
INSERT INTO st_untrimmed (row, key)
    SELECT rowid, trim(triathlon_athlete_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) FROM competitors
    WHERE triathlon_athlete_id <> trim(triathlon_athlete_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) AND trim(triathlon_athlete_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) <> '';
UPDATE competitors SET triathlon_athlete_id = (SELECT key FROM st_untrimmed WHERE st_untrimmed.row = competitors.rowid)
WHERE rowid IN (
    SELECT one.row FROM st_untrimmed AS one
    WHERE NOT EXISTS (SELECT 1 FROM competitors AS other WHERE other.triathlon_athlete_id = one.key)
      AND (SELECT count(*) FROM st_untrimmed AS same WHERE same.key = one.key) = 1);

DELETE FROM st_untrimmed;
INSERT INTO st_untrimmed (row, key)
    SELECT rowid, trim(feed_participant_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) FROM competitors
    WHERE feed_participant_id <> trim(feed_participant_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) AND trim(feed_participant_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) <> '';
UPDATE competitors SET feed_participant_id = (SELECT key FROM st_untrimmed WHERE st_untrimmed.row = competitors.rowid)
WHERE rowid IN (
    SELECT one.row FROM st_untrimmed AS one
    WHERE NOT EXISTS (SELECT 1 FROM competitors AS other WHERE other.feed_participant_id = one.key)
      AND (SELECT count(*) FROM st_untrimmed AS same WHERE same.key = one.key) = 1);

DELETE FROM st_untrimmed;
INSERT INTO st_untrimmed (row, key)
    SELECT rowid, trim(chip_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) FROM competitor_chips
    WHERE chip_id <> trim(chip_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) AND trim(chip_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) <> '';
UPDATE competitor_chips SET chip_id = (SELECT key FROM st_untrimmed WHERE st_untrimmed.row = competitor_chips.rowid)
WHERE rowid IN (
    SELECT one.row FROM st_untrimmed AS one
    WHERE NOT EXISTS (SELECT 1 FROM competitor_chips AS other WHERE other.chip_id = one.key)
      AND (SELECT count(*) FROM st_untrimmed AS same WHERE same.key = one.key) = 1);

DELETE FROM st_untrimmed;
INSERT INTO st_untrimmed (row, key)
    SELECT rowid, trim(bib, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) FROM teams
    WHERE bib <> trim(bib, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) AND trim(bib, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) <> '';
UPDATE teams SET bib = (SELECT key FROM st_untrimmed WHERE st_untrimmed.row = teams.rowid)
WHERE rowid IN (
    SELECT one.row FROM st_untrimmed AS one
    WHERE NOT EXISTS (SELECT 1 FROM teams AS other WHERE other.bib = one.key)
      AND (SELECT count(*) FROM st_untrimmed AS same WHERE same.key = one.key) = 1);

DELETE FROM st_untrimmed;
INSERT INTO st_untrimmed (row, key)
    SELECT rowid, trim(runsignup_registration_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) FROM teams
    WHERE runsignup_registration_id <> trim(runsignup_registration_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) AND trim(runsignup_registration_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) <> '';
UPDATE teams SET runsignup_registration_id = (SELECT key FROM st_untrimmed WHERE st_untrimmed.row = teams.rowid)
WHERE rowid IN (
    SELECT one.row FROM st_untrimmed AS one
    WHERE NOT EXISTS (SELECT 1 FROM teams AS other WHERE other.runsignup_registration_id = one.key)
      AND (SELECT count(*) FROM st_untrimmed AS same WHERE same.key = one.key) = 1);

DELETE FROM st_untrimmed;
INSERT INTO st_untrimmed (row, key)
    SELECT rowid, trim(opentrack_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) FROM teams
    WHERE opentrack_id <> trim(opentrack_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) AND trim(opentrack_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) <> '';
UPDATE teams SET opentrack_id = (SELECT key FROM st_untrimmed WHERE st_untrimmed.row = teams.rowid)
WHERE rowid IN (
    SELECT one.row FROM st_untrimmed AS one
    WHERE NOT EXISTS (SELECT 1 FROM teams AS other WHERE other.opentrack_id = one.key)
      AND (SELECT count(*) FROM st_untrimmed AS same WHERE same.key = one.key) = 1);

DELETE FROM st_untrimmed;
INSERT INTO st_untrimmed (row, key)
    SELECT rowid, trim(triathlon_athlete_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) FROM teams
    WHERE triathlon_athlete_id <> trim(triathlon_athlete_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) AND trim(triathlon_athlete_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) <> '';
UPDATE teams SET triathlon_athlete_id = (SELECT key FROM st_untrimmed WHERE st_untrimmed.row = teams.rowid)
WHERE rowid IN (
    SELECT one.row FROM st_untrimmed AS one
    WHERE NOT EXISTS (SELECT 1 FROM teams AS other WHERE other.triathlon_athlete_id = one.key)
      AND (SELECT count(*) FROM st_untrimmed AS same WHERE same.key = one.key) = 1);

DELETE FROM st_untrimmed;
INSERT INTO st_untrimmed (row, key)
    SELECT rowid, trim(feed_participant_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) FROM teams
    WHERE feed_participant_id <> trim(feed_participant_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) AND trim(feed_participant_id, char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)) <> '';
UPDATE teams SET feed_participant_id = (SELECT key FROM st_untrimmed WHERE st_untrimmed.row = teams.rowid)
WHERE rowid IN (
    SELECT one.row FROM st_untrimmed AS one
    WHERE NOT EXISTS (SELECT 1 FROM teams AS other WHERE other.feed_participant_id = one.key)
      AND (SELECT count(*) FROM st_untrimmed AS same WHERE same.key = one.key) = 1);

DROP TABLE st_untrimmed;
"#;

/// The version [`SCHEMA_V14`] brings a file to: an open upgrading a file
/// from below it reports the identifiers it left untrimmed.
pub(crate) const TRIMMED_IDENTIFIERS_VERSION: u32 = 14;

/// The characters trimmed from identifiers (`SCHEMA_V14`), as SQLite's
/// `trim(X, Y)` takes them: Unicode `White_Space`, what `str::trim` removes.
pub(crate) const TRIMMED_CHARACTERS: &str = "char(9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288)";

/// The identifier columns `SCHEMA_V14` trims: (table, column).
pub(crate) const IDENTIFIER_COLUMNS: [(&str, &str); 11] = [
    ("competitors", "bib"),
    ("competitors", "runsignup_registration_id"),
    ("competitors", "opentrack_id"),
    ("competitors", "triathlon_athlete_id"),
    ("competitors", "feed_participant_id"),
    ("competitor_chips", "chip_id"),
    ("teams", "bib"),
    ("teams", "runsignup_registration_id"),
    ("teams", "opentrack_id"),
    ("teams", "triathlon_athlete_id"),
    ("teams", "feed_participant_id"),
];

/// The identifiers `SCHEMA_V14` left untrimmed because their trimmed form
/// would equal another row's: each as `table.column "value" (row id)`, for
/// the upgrade's [`OpenReport`](crate::OpenReport). Reads every identifier
/// column once; called only by the open that upgrades past version 13.
pub(crate) fn untrimmed_identifiers(connection: &Connection) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for (table, column) in IDENTIFIER_COLUMNS {
        let sql = format!(
            "SELECT rowid, {column} FROM {table}
             WHERE {column} <> trim({column}, {TRIMMED_CHARACTERS})
             AND trim({column}, {TRIMMED_CHARACTERS}) <> '' ORDER BY rowid"
        );
        let mut statement = connection.prepare(&sql)?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let value: String = row.get(1)?;
            found.push(format!(
                "{table}.{column} {value:?} (row {id}): trimmed, it would equal another row's; \
                 left as it is"
            ));
        }
    }
    Ok(found)
}

/// Every migration, in order. Index 0 brings an empty file to version 1.
pub(crate) const MIGRATIONS: &[&str] = &[
    SCHEMA_V1, SCHEMA_V2, SCHEMA_V3, SCHEMA_V4, SCHEMA_V5, SCHEMA_V6, SCHEMA_V7, SCHEMA_V8,
    SCHEMA_V9, SCHEMA_V10, SCHEMA_V11, SCHEMA_V12, SCHEMA_V13, SCHEMA_V14,
];

/// The schema version this build writes.
pub const CURRENT_SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The tables a file at `version` has, read from the migration scripts
/// (`CREATE TABLE` adds one, `DROP TABLE` removes one). Open checks them so a
/// file whose tables were altered is named as such, not failed on a missing
/// table half way through.
pub(crate) fn tables_at(version: u32) -> Vec<&'static str> {
    let mut tables: Vec<&'static str> = Vec::new();
    for script in MIGRATIONS.iter().take(version as usize) {
        let mut rest: &'static str = script;
        loop {
            let create = rest.find("CREATE TABLE ");
            let drop = rest.find("DROP TABLE ");
            let (at, creating, keyword) = match (create, drop) {
                (Some(c), Some(d)) if d < c => (d, false, "DROP TABLE "),
                (Some(c), _) => (c, true, "CREATE TABLE "),
                (None, Some(d)) => (d, false, "DROP TABLE "),
                (None, None) => break,
            };
            rest = &rest[at + keyword.len()..];
            let mut name_text = rest.trim_start();
            for prefix in ["IF NOT EXISTS ", "IF EXISTS "] {
                if let Some(stripped) = name_text.strip_prefix(prefix) {
                    name_text = stripped.trim_start();
                }
            }
            let end = name_text
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(name_text.len());
            let name = &name_text[..end];
            if name.is_empty() {
                continue;
            }
            if creating {
                if !tables.contains(&name) {
                    tables.push(name);
                }
            } else {
                tables.retain(|table| *table != name);
            }
        }
    }
    tables
}

/// Reads the schema version from the file header.
pub(crate) fn schema_version(connection: &Connection) -> Result<u32> {
    let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    Ok(version as u32)
}

/// Brings the file to [`CURRENT_SCHEMA_VERSION`], applying every missing
/// migration in one immediate transaction. Returns the version found before.
///
/// Foreign keys are off while the migrations run (a table rebuild must not
/// cascade into the tables that reference it; `PRAGMA foreign_keys` cannot
/// change inside a transaction), every foreign key is checked before the
/// commit, and the connection's setting is restored afterwards.
pub(crate) fn migrate(connection: &mut Connection, path_for_errors: &str) -> Result<u32> {
    let foreign_keys: bool = connection.query_row("PRAGMA foreign_keys", [], |row| row.get(0))?;
    if foreign_keys {
        connection.pragma_update(None, "foreign_keys", "OFF")?;
    }
    let outcome = migrate_in_transaction(connection, path_for_errors);
    if foreign_keys {
        connection.pragma_update(None, "foreign_keys", "ON")?;
    }
    outcome
}

fn migrate_in_transaction(connection: &mut Connection, path_for_errors: &str) -> Result<u32> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = schema_version(&transaction)?;
    if found > CURRENT_SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path: path_for_errors.to_string(),
            found,
            supported: CURRENT_SCHEMA_VERSION,
        });
    }
    for (index, script) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        transaction.execute_batch(script)?;
        let version = index as u32 + 1;
        transaction.pragma_update(None, "user_version", version)?;
    }
    drop_planner_statistics(&transaction)?;
    if found < CURRENT_SCHEMA_VERSION {
        let broken: Option<String> = transaction
            .query_row("PRAGMA foreign_key_check", [], |row| row.get(0))
            .optional()?;
        if let Some(table) = broken {
            return Err(StoreError::Conflict(format!(
                "{path_for_errors}: the schema upgrade left a broken reference in {table}; \
                 nothing was changed"
            )));
        }
    }
    transaction.commit()?;
    Ok(found)
}

/// Drops the planner's statistics tables (`sqlite_stat1`, `sqlite_stat4`)
/// if the file has them. Scoretable never runs `ANALYZE` or `PRAGMA
/// optimize`; they appear only when another program analysed the file.
/// Its statements are planned without statistics, from the indexes alone:
/// that is how their plans are chosen and tested (`EXPLAIN QUERY PLAN`
/// checks here and in the read paths), while statistics taken at some
/// earlier size of the event (a start list of 100, later 60,000 results)
/// would steer the planner by numbers that no longer hold. Runs at every
/// read-write open, so a file analysed after an upgrade is put right too;
/// a read-only open leaves the file as it is (the planner never looks at
/// bound values, so statistics cannot make it plan a statement again:
/// `crate::competition_file`).
fn drop_planner_statistics(connection: &Connection) -> Result<()> {
    let tables: Vec<String> = connection
        .prepare(
            "SELECT name FROM sqlite_schema
             WHERE type = 'table' AND name GLOB 'sqlite_stat[0-9]*'",
        )?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for table in tables {
        connection.execute_batch(&format!("DROP TABLE \"{table}\""))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Per-workout reads of a small workout start from the workout's own
    /// rows: no plan scans the results or splits of every workout (a
    /// 150-athlete wave in a 60,000-athlete file read 600,000 splits before
    /// version 10). A workout holding most of the file is read in one pass
    /// on purpose (`WorkoutRead::WholeTable`).
    #[test]
    fn per_workout_reads_never_scan_every_workouts_rows() {
        let mut connection = Connection::open_in_memory().unwrap();
        migrate(&mut connection, ":memory:").unwrap();
        let small = crate::results::WorkoutRead::ByIndex;
        for sql in [
            small.splits_sql().to_string(),
            small.results_sql(crate::results::RESULT_COLUMNS),
            small.results_sql(crate::results::RANK_COLUMNS),
        ] {
            let mut statement = connection
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            let plan: Vec<String> = statement
                .query_map([1], |row| row.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(
                plan.iter().all(|step| !step.starts_with("SCAN")),
                "{sql}\n{plan:#?}"
            );
        }
    }

    #[test]
    fn migrations_bring_an_empty_database_to_the_current_version() {
        let mut connection = Connection::open_in_memory().unwrap();
        let found = migrate(&mut connection, ":memory:").unwrap();
        assert_eq!(found, 0);
        assert_eq!(schema_version(&connection).unwrap(), CURRENT_SCHEMA_VERSION);
        // Running again is a no-op.
        let found_again = migrate(&mut connection, ":memory:").unwrap();
        assert_eq!(found_again, CURRENT_SCHEMA_VERSION);
    }

    /// Builds a version-1 file by hand from the frozen v1 script, as the
    /// first release wrote it, then opens it with the current code.
    #[test]
    fn a_version_1_file_upgrades_with_its_data_intact() {
        use crate::competition_file::{CompetitionFile, APPLICATION_ID};
        use scoretable_core::model::{Entrant, Gender};

        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("v1.scoretable");
        {
            let connection = Connection::open(&path).unwrap();
            connection
                .pragma_update(None, "application_id", APPLICATION_ID)
                .unwrap();
            connection.execute_batch(SCHEMA_V1).unwrap();
            connection.pragma_update(None, "user_version", 1).unwrap();
            connection
                .execute_batch(
                    "INSERT INTO competition VALUES (1, 'Old Open', 'old-open', '2025-05-01',
                        '2025-05-01', 'Old Gym', 'GBR', 'Old Club', 'Europe/London');
                     INSERT INTO settings VALUES ('leaderboard',
                        '{\"mode\":{\"mode\":\"rank_sum\"},\"tie_break\":{\"mode\":\"best_finish\"}}');
                     INSERT INTO divisions (id, name, kind, gender) VALUES (1, 'Women', 'gender', 'female');
                     INSERT INTO competitors (id, bib, first_name, last_name, gender, date_of_birth,
                        runsignup_registration_id)
                        VALUES (1, '7', 'Ada', 'Vale', 'female', '1990-02-03', '3210');
                     INSERT INTO competitor_chips VALUES ('CHIP7', 1, 0);
                     INSERT INTO competitor_divisions VALUES (1, 1);
                     INSERT INTO workouts (id, name, sequence, score_type, load_unit, tie_break,
                        rounding_mode, rounding_unit_ms, team_scoring, state)
                        VALUES (1, 'Fran', 1, 'time', 'kg', 'none', 'exact', 0, 'individual', 'provisional');
                     INSERT INTO results (id, workout_id, competitor_id, source, source_text,
                        source_kind, source_a, received_at)
                        VALUES (1, 1, 1, 'manual', '3:05', 'time', 185000, '2025-05-01T10:00:00.000Z');
                     INSERT INTO score_events (workout_id, competitor_id, kind, who, at, new_value)
                        VALUES (1, 1, 'entry', 'table 1', '2025-05-01T10:00:00.000Z',
                        '{\"text\":\"3:05\",\"score\":{\"kind\":\"time\",\"ms\":185000},\"status\":null,\"tie_break_ms\":null}');",
                )
                .unwrap();
        }
        let mut file = CompetitionFile::open(&path).unwrap();
        assert_eq!(file.open_report().schema_version_found, 1);
        assert_eq!(file.open_report().schema_version, CURRENT_SCHEMA_VERSION);
        assert_eq!(
            schema_version(&file.connection).unwrap(),
            CURRENT_SCHEMA_VERSION
        );
        assert_eq!(file.competition().unwrap().name, "Old Open");
        let ada = file.competitor_by_bib("7").unwrap().unwrap();
        assert_eq!(ada.gender, Some(Gender::Female));
        assert_eq!(ada.chip_ids, vec!["CHIP7".to_string()]);
        assert_eq!(ada.division_ids, vec![1]);
        let result = file
            .result(1, Entrant::Competitor(ada.id))
            .unwrap()
            .unwrap();
        assert_eq!(result.effective_value().unwrap().text, "3:05");
        assert_eq!(
            file.score_history(1, Entrant::Competitor(ada.id))
                .unwrap()
                .len(),
            1
        );
        // The file as it was is kept beside the backups.
        let backups: Vec<String> = std::fs::read_dir(directory.path().join("v1-backups"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(backups.len(), 1, "{backups:?}");
        assert!(backups[0].starts_with("v1-schema-v1-"), "{backups:?}");
        let kept = Connection::open(directory.path().join("v1-backups").join(&backups[0])).unwrap();
        assert_eq!(schema_version(&kept).unwrap(), 1);
        // Version 2's table exists and works.
        assert!(file.import_batches().unwrap().is_empty());
        file.import_competitors(&[]).unwrap();
        assert_eq!(file.import_batches().unwrap().len(), 1);
        let board = file.workout_leaderboard(1, Some(1)).unwrap();
        assert_eq!(board[0].rank, Some(1));
        // Version 3's stricter trigger now guards the typed v1 result too.
        let error = file
            .connection
            .execute("UPDATE results SET source_a = 1 WHERE id = 1", [])
            .unwrap_err();
        assert!(error.to_string().contains("written once"), "{error}");
    }

    /// Every row of `table`, each as its columns' debug text.
    fn table_rows(connection: &Connection, table: &str) -> Vec<Vec<String>> {
        let mut statement = connection
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2"))
            .unwrap();
        let columns = statement.column_count();
        statement
            .query_map([], |row| {
                (0..columns)
                    .map(|index| {
                        row.get::<_, rusqlite::types::Value>(index)
                            .map(|value| format!("{value:?}"))
                    })
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap()
    }

    /// A version-6 file with targets of every platform version 6 knew and
    /// outbox rows in every state upgrades to the scope-based schema with
    /// every queued, in-flight, acknowledged and rejected row, every remote
    /// id and every mapped workout intact (the rebuild of `sync_targets`
    /// cascades nothing), and fans out as before afterwards.
    #[test]
    fn a_version_6_file_upgrades_keeping_its_outbox() {
        use crate::competition_file::{CompetitionFile, APPLICATION_ID};
        use crate::outbox::{EntityScope, OutboxState};

        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("v6.scoretable");
        let (outbox, remote_ids, mapped, targets_before) = {
            let mut connection = Connection::open(&path).unwrap();
            connection
                .pragma_update(None, "application_id", APPLICATION_ID)
                .unwrap();
            connection
                .pragma_update(None, "foreign_keys", "ON")
                .unwrap();
            let transaction = connection.transaction().unwrap();
            for script in &MIGRATIONS[..6] {
                transaction.execute_batch(script).unwrap();
            }
            transaction.pragma_update(None, "user_version", 6).unwrap();
            transaction.commit().unwrap();
            connection
                .execute_batch(
                    "INSERT INTO competition VALUES (1, 'Six Open', 'six-open', '2026-05-01',
                        '2026-05-01', 'Hall', 'GBR', 'Club', 'Europe/London');
                     INSERT INTO competitors (id, bib, first_name, last_name) VALUES
                        (1, '1', 'Ada', 'Vale'), (2, '2', 'Bea', 'Vale'), (3, '3', 'Cy', 'Vale');
                     INSERT INTO workouts (id, name, sequence, score_type, load_unit, tie_break,
                        rounding_mode, rounding_unit_ms, team_scoring, state)
                        VALUES (1, '5k', 1, 'time', 'kg', 'none', 'exact', 0, 'individual',
                        'provisional');
                     INSERT INTO sync_targets (id, name, platform, endpoint, config, secret_ref,
                        consecutive_failures, last_error, next_attempt_at, remote_state, created_at)
                        VALUES
                        (1, 'rsu', 'runsignup', 'http://127.0.0.1:9', '{\"race_id\":\"5\"}',
                            'rsu-ref', 2, 'HTTP 503', '2026-05-01T10:00:00.000Z', '{}',
                            '2026-05-01T09:00:00.000Z'),
                        (2, 'virtual', 'runsignup_virtual', 'http://127.0.0.1:9',
                            '{\"race_id\":\"5\"}', 'virtual-ref', 0, NULL, NULL, '{}',
                            '2026-05-01T09:00:00.000Z'),
                        (3, 'ot', 'opentrack', 'http://127.0.0.1:9',
                            '{\"organiser_id\":\"o\"}', 'ot-ref', 0, NULL, NULL,
                            '{\"competition_id\":\"c-1\"}', '2026-05-01T09:00:00.000Z'),
                        (4, 'wt', 'world_triathlon', 'http://127.0.0.1:9', '{}', 'wt-ref', 0,
                            NULL, NULL, '{\"last_push_ms\":5}', '2026-05-01T09:00:00.000Z');
                     INSERT INTO sync_target_workouts VALUES (1, 1, '11'), (2, 1, '12'),
                        (3, 1, '13'), (4, 1, '307158');
                     INSERT INTO results (id, workout_id, competitor_id, source, source_text,
                        source_kind, source_a, received_at) VALUES
                        (1, 1, 1, 'manual', '17:00', 'time', 1020000, '2026-05-01T10:00:00.000Z'),
                        (2, 1, 2, 'manual', '17:05', 'time', 1025000, '2026-05-01T10:00:01.000Z'),
                        (3, 1, 3, 'manual', '17:09', 'time', 1029000, '2026-05-01T10:00:02.000Z');
                     -- Rows in every state: acked (with the platform's id), sending (with
                     -- its idempotency key), rejected (with the message), queued.
                     UPDATE sync_outbox SET state = 'acked', finished_at = updated_at
                        WHERE target_id = 1 AND entity = 'result/1/c1';
                     UPDATE sync_outbox SET state = 'sending', idempotency_key = 't1/result/1/c2/v2',
                        attempts = 1 WHERE target_id = 1 AND entity = 'result/1/c2';
                     UPDATE sync_outbox SET state = 'rejected', last_error = 'HTTP 422: bib',
                        finished_at = updated_at WHERE target_id = 2 AND entity = 'result/1/c3';
                     UPDATE sync_outbox SET state = 'acked', finished_at = updated_at
                        WHERE target_id IN (3, 4);
                     INSERT INTO sync_remote_ids VALUES
                        (1, 'result/1/c1', 'r-77', 'd1', '{\"bib\":\"1\"}', '2026-05-01T10:01:00.000Z'),
                        (3, 'competition', 'c-1', 'd3', NULL, '2026-05-01T10:01:00.000Z'),
                        (4, 'workout/1', NULL, 'd4', NULL, '2026-05-01T10:01:00.000Z');",
                )
                .unwrap();
            (
                table_rows(&connection, "sync_outbox"),
                table_rows(&connection, "sync_remote_ids"),
                table_rows(&connection, "sync_target_workouts"),
                table_rows(&connection, "sync_targets"),
            )
        };
        assert_eq!(outbox.len(), 3 + 3 + 1 + 1, "{outbox:?}");

        let mut file = CompetitionFile::open(&path).unwrap();
        assert_eq!(file.open_report().schema_version_found, 6);
        assert_eq!(table_rows(&file.connection, "sync_outbox"), outbox);
        assert_eq!(table_rows(&file.connection, "sync_remote_ids"), remote_ids);
        assert_eq!(table_rows(&file.connection, "sync_target_workouts"), mapped);
        // Every target keeps its columns; the scope is added from its platform.
        let targets = file.sync_targets().unwrap();
        let scopes: Vec<(&str, &str, EntityScope)> = targets
            .iter()
            .map(|target| (target.name.as_str(), target.platform.as_str(), target.scope))
            .collect();
        assert_eq!(
            scopes,
            vec![
                ("rsu", "runsignup", EntityScope::Result),
                ("virtual", "runsignup_virtual", EntityScope::Result),
                ("ot", "opentrack", EntityScope::Competition),
                ("wt", "world_triathlon", EntityScope::Workout),
            ]
        );
        let targets_after = table_rows(&file.connection, "sync_targets");
        for (before, after) in targets_before.iter().zip(&targets_after) {
            // Version 7 inserts entity_scope after platform.
            let mut without_scope = after.clone();
            without_scope.remove(3);
            assert_eq!(&without_scope, before);
        }
        assert_eq!(targets[0].consecutive_failures, 2);
        assert_eq!(targets[2].remote_state["competition_id"], "c-1");
        let in_flight = file
            .outbox_items(targets[0].id, OutboxState::Sending, 10)
            .unwrap();
        assert_eq!(
            in_flight[0].idempotency_key.as_deref(),
            Some("t1/result/1/c2/v2")
        );
        assert_eq!(
            file.sync_remote_records(1).unwrap()["result/1/c1"]
                .remote_id
                .as_deref(),
            Some("r-77")
        );
        // The upgraded trigger fans a change out as version 6 did.
        file.connection
            .execute(
                "UPDATE results SET penalty_ms = penalty_ms WHERE id = 1",
                [],
            )
            .unwrap();
        let queued = |target_id| -> Vec<String> {
            file.outbox_items(target_id, OutboxState::Queued, 10)
                .unwrap()
                .into_iter()
                .map(|item| item.entity)
                .collect()
        };
        assert!(queued(1).contains(&"result/1/c1".to_string()));
        assert!(queued(2).contains(&"result/1/c1".to_string()));
        assert_eq!(queued(3), vec!["competition".to_string()]);
        assert_eq!(queued(4), vec!["workout/1".to_string()]);
        // Foreign keys are on again: removing a target removes its rows.
        let fk: i64 = file
            .connection
            .query_row("PRAGMA foreign_keys", [], |row| row.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        file.remove_sync_target("rsu").unwrap();
        let left: i64 = file
            .connection
            .query_row(
                "SELECT count(*) FROM sync_outbox WHERE target_id = 1",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(left, 0);
    }

    /// A version-8 file (before the team-workouts rule) upgrades to one
    /// whose stored overall settings name the default rule, keeps its mode
    /// and tie-break, and refuses an unknown spelling afterwards.
    #[test]
    fn a_version_8_file_gets_the_team_workouts_rule() {
        use crate::competition_file::CompetitionFile;
        use scoretable_core::model::{OverallMode, OverallTieBreak, TeamWorkoutsInOverall};

        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("v8.scoretable");
        {
            let mut file = CompetitionFile::create(
                &path,
                &scoretable_core::model::Competition {
                    name: "Six".into(),
                    slug: "six".into(),
                    start_date: "2026-01-01".into(),
                    end_date: "2026-01-01".into(),
                    venue: String::new(),
                    country: String::new(),
                    organiser: String::new(),
                    time_zone: "UTC".into(),
                },
            )
            .unwrap();
            file.set_setting(
                "leaderboard",
                &serde_json::json!({"mode": {"mode": "points_table", "points": [10, 5], "floor": 1},
                                    "tie_break": {"mode": "equal"}}),
            )
            .unwrap();
            file.close().unwrap();
            // Back to version 8 as that build left it: no triggers, no rule
            // (and no version 10, 11, 12 or 13 index).
            let connection = Connection::open(&path).unwrap();
            connection
                .execute_batch(
                    "DROP INDEX results_by_workout;
                     DROP INDEX results_by_rank_value;
                     DROP INDEX results_rounds_reps_by_rank;
                     DROP INDEX results_rounds_reps_extra;
                     DROP INDEX results_amended_by_workout;
                     DROP TRIGGER settings_team_workouts_checked_insert;
                     DROP TRIGGER settings_team_workouts_checked_update;
                     UPDATE settings SET value = json_remove(value, '$.team_workouts')
                      WHERE key = 'leaderboard';
                     PRAGMA user_version = 8;",
                )
                .unwrap();
            let stored: String = connection
                .query_row(
                    "SELECT value FROM settings WHERE key = 'leaderboard'",
                    [],
                    |row| row.get(0),
                )
                .unwrap();
            assert!(!stored.contains("team_workouts"), "{stored}");
        }
        let mut file = CompetitionFile::open(&path).unwrap();
        assert_eq!(file.open_report().schema_version_found, 8);
        let stored: String = file
            .connection
            .query_row(
                "SELECT value FROM settings WHERE key = 'leaderboard'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert!(
            stored.contains("\"team_workouts\":\"excluded\""),
            "{stored}"
        );
        let settings = file.leaderboard_settings().unwrap();
        assert_eq!(settings.team_workouts, TeamWorkoutsInOverall::Excluded);
        assert_eq!(
            settings.mode,
            OverallMode::PointsTable {
                points: vec![10, 5],
                floor: 1
            }
        );
        assert_eq!(settings.tie_break, OverallTieBreak::Equal);
        file.set_team_workouts_rule(TeamWorkoutsInOverall::TeamPlace)
            .unwrap();
        assert_eq!(
            file.leaderboard_settings().unwrap().team_workouts,
            TeamWorkoutsInOverall::TeamPlace
        );
        let error = file
            .connection
            .execute(
                "UPDATE settings SET value = json_set(value, '$.team_workouts', 'sideways')
                  WHERE key = 'leaderboard'",
                [],
            )
            .unwrap_err();
        assert!(error.to_string().contains("team_workouts"), "{error}");
        assert_eq!(
            file.leaderboard_settings().unwrap().team_workouts,
            TeamWorkoutsInOverall::TeamPlace
        );
    }

    /// A version-11 file (no rounds+reps indexes) upgrades to version 12:
    /// both partial indexes are built over the results already stored, and
    /// who moved in its rounds+reps workout is read from them.
    #[test]
    fn a_version_11_file_gets_the_rounds_and_reps_indexes() {
        use crate::competition_file::CompetitionFile;
        use crate::results::{ImportedResult, ScoreInput};
        use scoretable_core::model::{Division, DivisionKind, ScoreType, Source};
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("v11.scoretable");
        let (amrap, bibs) = {
            let mut file = CompetitionFile::create(
                &path,
                &scoretable_core::model::Competition {
                    name: "Eleven".into(),
                    slug: "eleven".into(),
                    start_date: "2026-01-01".into(),
                    end_date: "2026-01-01".into(),
                    venue: String::new(),
                    country: String::new(),
                    organiser: String::new(),
                    time_zone: "UTC".into(),
                },
            )
            .unwrap();
            file.add_division(&Division {
                id: 0,
                name: "Women".into(),
                kind: DivisionKind::Gender,
                gender: Some(scoretable_core::model::Gender::Female),
                min_age: None,
                max_age: None,
            })
            .unwrap();
            let drafts: Vec<_> = (1..=6)
                .map(|n| {
                    scoretable_testkit::fixtures::draft(
                        n as usize + 1,
                        &n.to_string(),
                        "A",
                        &format!("N{n}"),
                        scoretable_core::model::Gender::Female,
                    )
                })
                .collect();
            file.import_competitors_from("start.csv", &drafts).unwrap();
            let amrap = file
                .add_workout(&scoretable_testkit::fixtures::workout(
                    "Amrap",
                    1,
                    ScoreType::RoundsReps,
                ))
                .unwrap();
            let values = ["5+3", "6+1", "4+9", "5+12", "7+0", "5+3"];
            let records: Vec<ImportedResult> = values
                .iter()
                .enumerate()
                .map(|(index, value)| ImportedResult {
                    row: index as u64 + 2,
                    entrant: file
                        .entrant_by_bib(amrap, &(index + 1).to_string())
                        .unwrap(),
                    value: ScoreInput::text(*value),
                    penalty_ms: 0,
                    splits: Vec::new(),
                    incidents: Vec::new(),
                    record_id: None,
                    received_at: None,
                })
                .collect();
            file.import_results(amrap, Source::File, "scores.csv", &records)
                .unwrap();
            file.close().unwrap();
            // Back to version 11 as that build left it.
            let connection = Connection::open(&path).unwrap();
            connection
                .execute_batch(
                    "DROP INDEX results_rounds_reps_by_rank;
                     DROP INDEX results_rounds_reps_extra;
                     DROP INDEX results_amended_by_workout;
                     PRAGMA user_version = 11;",
                )
                .unwrap();
            (amrap, (1..=6).map(|n| n.to_string()).collect::<Vec<_>>())
        };
        let mut file = CompetitionFile::open(&path).unwrap();
        assert_eq!(file.open_report().schema_version_found, 11);
        assert_eq!(
            schema_version(&file.connection).unwrap(),
            CURRENT_SCHEMA_VERSION
        );
        for index in ["results_rounds_reps_by_rank", "results_rounds_reps_extra"] {
            let entries: i64 = file
                .connection
                .query_row(
                    &format!("SELECT count(*) FROM results INDEXED BY {index} WHERE workout_id = ?1 AND (CASE WHEN amended THEN amended_kind ELSE source_kind END) = 'rounds_reps'"),
                    [amrap],
                    |row| row.get(0),
                )
                .unwrap();
            assert_eq!(entries, 6, "{index}");
        }
        // Who moved after an amendment in the upgraded file: 4+9 -> 6+2
        // passes 5+3 (twice), 5+12 and 6+1, leaves 7+0 ahead: four rows
        // and its own.
        let entrant = file.entrant_by_bib(amrap, &bibs[2]).unwrap();
        let before = file.workout_leaderboard(amrap, None).unwrap();
        let receipt = file
            .amend_score(amrap, entrant, "6+2", "judge", "recount", None)
            .unwrap();
        let after = file.workout_leaderboard(amrap, None).unwrap();
        let expected = crate::placement_impact(&before, &after);
        assert_eq!(receipt.moved, expected);
        assert_eq!(
            expected
                .iter()
                .filter(|change| change.division_id.is_none())
                .count(),
            5,
            "{expected:?}"
        );
    }

    /// A version-12 file (before the amended-results index) upgrades to one
    /// that has it; the read commands' counts are the same before and after
    /// and are read from indexes only.
    #[test]
    fn a_version_12_file_gets_the_amended_results_index() {
        use crate::competition_file::CompetitionFile;
        use scoretable_core::model::{Competitor, Entrant, ScoreType};

        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("v12.scoretable");
        let counts_before = {
            let mut file = CompetitionFile::create(
                &path,
                &scoretable_core::model::Competition {
                    name: "Eleven".into(),
                    slug: "eleven".into(),
                    start_date: "2026-01-01".into(),
                    end_date: "2026-01-01".into(),
                    venue: String::new(),
                    country: String::new(),
                    organiser: String::new(),
                    time_zone: "UTC".into(),
                },
            )
            .unwrap();
            let workouts: Vec<i64> = (1..=2)
                .map(|sequence| {
                    file.add_workout(&scoretable_testkit::fixtures::workout(
                        &format!("Event {sequence}"),
                        sequence,
                        ScoreType::Time,
                    ))
                    .unwrap()
                })
                .collect();
            for number in 1..=6 {
                let id = file
                    .add_competitor(&Competitor {
                        ..scoretable_testkit::fixtures::competitor(
                            number.to_string(),
                            "A",
                            format!("N{number}"),
                        )
                    })
                    .unwrap();
                for (index, workout) in workouts.iter().enumerate() {
                    if index == 1 && number > 3 {
                        continue;
                    }
                    file.enter_score(
                        *workout,
                        Entrant::Competitor(id),
                        crate::ScoreInput::text(format!("{}:00", 10 + number)),
                        "table",
                    )
                    .unwrap();
                    if number % 2 == 0 {
                        file.amend_score(
                            *workout,
                            Entrant::Competitor(id),
                            if number == 4 { "DNF" } else { "9:00" },
                            "judge",
                            "appeal",
                            None,
                        )
                        .unwrap();
                    }
                }
            }
            let counts = file.result_counts().unwrap();
            file.close().unwrap();
            // Back to version 12: no amended-results index.
            let connection = Connection::open(&path).unwrap();
            connection
                .execute_batch(
                    "DROP INDEX results_amended_by_workout;
                     PRAGMA user_version = 12;",
                )
                .unwrap();
            counts
        };
        assert_eq!(counts_before.len(), 2);
        assert_eq!(counts_before[&1].results, 6);
        assert_eq!(counts_before[&1].amended, 3);
        assert_eq!(counts_before[&2].results, 3);
        assert_eq!(counts_before[&2].amended, 1);
        let file = CompetitionFile::open(&path).unwrap();
        assert_eq!(file.open_report().schema_version_found, 12);
        assert_eq!(
            schema_version(&file.connection).unwrap(),
            CURRENT_SCHEMA_VERSION
        );
        assert_eq!(file.result_counts().unwrap(), counts_before);
        for sql in crate::counts::RESULT_COUNT_QUERIES {
            let plan: Vec<String> = file
                .connection
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap()
                .query_map([], |row| row.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(
                plan.iter().all(|step| step.contains("COVERING INDEX")),
                "{sql}\n{plan:#?}"
            );
        }
    }

    #[test]
    fn a_newer_file_is_refused() {
        let mut connection = Connection::open_in_memory().unwrap();
        connection
            .pragma_update(None, "user_version", CURRENT_SCHEMA_VERSION + 1)
            .unwrap();
        let error = migrate(&mut connection, "future.scoretable").unwrap_err();
        assert!(matches!(error, StoreError::SchemaTooNew { .. }), "{error}");
        assert!(error.to_string().contains("future.scoretable"));
    }

    #[test]
    fn enumeration_checks_reject_unknown_spellings() {
        let mut connection = Connection::open_in_memory().unwrap();
        migrate(&mut connection, ":memory:").unwrap();
        let error = connection
            .execute(
                "INSERT INTO divisions (name, kind) VALUES ('Open', 'everyone')",
                [],
            )
            .unwrap_err();
        assert!(error.to_string().contains("CHECK"), "{error}");
    }

    /// A version-13 file written by an older version with identifiers
    /// stored untrimmed: the upgrade trims each one whose trimmed form no
    /// other row holds, leaves and reports the colliding ones, and a polled
    /// record carrying the trimmed value is applied, not sent to review.
    #[test]
    fn a_version_13_file_gets_its_identifiers_trimmed_where_unambiguous() {
        use crate::competition_file::CompetitionFile;
        use crate::{Identifier, IdentifierKind, InboundRecord, InboundSource, ScoreValue};
        use scoretable_core::model::{Competitor, Entrant, Score, ScoreType, Source, Team};

        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("v13.scoretable");
        let (race, ids) = {
            let mut file = CompetitionFile::create(
                &path,
                &scoretable_testkit::fixtures::competition("Thirteen", "thirteen"),
            )
            .unwrap();
            let race = file
                .add_workout(&scoretable_testkit::fixtures::workout(
                    "Race",
                    1,
                    ScoreType::Time,
                ))
                .unwrap();
            let ids: Vec<i64> = (1..=6)
                .map(|number| {
                    let mut competitor: Competitor = scoretable_testkit::fixtures::competitor(
                        number.to_string(),
                        "A",
                        format!("N{number}"),
                    );
                    competitor.external_ids.feed_participant_id = Some(format!("F{number}"));
                    competitor.chip_ids = vec![format!("CHIP{number}")];
                    file.add_competitor(&competitor).unwrap()
                })
                .collect();
            file.add_team(&Team {
                id: 0,
                name: "Relay".into(),
                bib: Some("T1".into()),
                country: None,
                members: Vec::new(),
                division_ids: Vec::new(),
                external_ids: Default::default(),
            })
            .unwrap();
            file.close().unwrap();
            // As an older version could have stored them: surrounding
            // spaces, a no-break space, a tab; "6 " beside "6"; two feed
            // ids that trim to the same value; a blank platform id.
            let connection = Connection::open(&path).unwrap();
            connection
                .execute_batch(&format!(
                    "UPDATE competitors SET bib = ' 1 ', feed_participant_id = char(160) || 'F1'
                         WHERE id = {one};
                     UPDATE competitors SET bib = '6 ' WHERE id = {three};
                     UPDATE competitors SET feed_participant_id = ' F7' WHERE id = {four};
                     UPDATE competitors SET feed_participant_id = 'F7' || char(9),
                         runsignup_registration_id = '   ' WHERE id = {five};
                     UPDATE competitor_chips SET chip_id = ' CHIP6' || char(12288)
                         WHERE chip_id = 'CHIP6';
                     UPDATE teams SET bib = char(9) || 'T1 ';
                     PRAGMA user_version = 13;",
                    one = ids[0],
                    three = ids[2],
                    four = ids[3],
                    five = ids[4],
                ))
                .unwrap();
            (race, ids)
        };
        assert_eq!(
            MIGRATIONS[TRIMMED_IDENTIFIERS_VERSION as usize - 1],
            SCHEMA_V14
        );
        let mut file = CompetitionFile::open(&path).unwrap();
        assert_eq!(file.open_report().schema_version_found, 13);
        let column = |sql: &str, id: i64| -> Option<String> {
            file.connection
                .query_row(sql, rusqlite::params![id], |row| row.get(0))
                .unwrap()
        };
        let bib = |id| column("SELECT bib FROM competitors WHERE id = ?1", id);
        let feed = |id| {
            column(
                "SELECT feed_participant_id FROM competitors WHERE id = ?1",
                id,
            )
        };
        assert_eq!(bib(ids[0]).as_deref(), Some("1"));
        assert_eq!(feed(ids[0]).as_deref(), Some("F1"));
        // "6 " would equal competitor 6's "6": left, and reported.
        assert_eq!(bib(ids[2]).as_deref(), Some("6 "));
        assert_eq!(bib(ids[5]).as_deref(), Some("6"));
        // " F7" and "F7\t" trim to one value: both left, both reported.
        assert_eq!(feed(ids[3]).as_deref(), Some(" F7"));
        assert_eq!(feed(ids[4]).as_deref(), Some("F7\t"));
        // A blank id trims to nothing: left as it is, not reported.
        assert_eq!(
            column(
                "SELECT runsignup_registration_id FROM competitors WHERE id = ?1",
                ids[4]
            )
            .as_deref(),
            Some("   ")
        );
        assert_eq!(
            column(
                "SELECT chip_id FROM competitor_chips WHERE competitor_id = ?1",
                ids[5]
            )
            .as_deref(),
            Some("CHIP6")
        );
        assert_eq!(
            column("SELECT bib FROM teams WHERE id = ?1", 1).as_deref(),
            Some("T1")
        );
        let reported = &file.open_report().untrimmed_identifiers;
        assert_eq!(reported.len(), 3, "{reported:?}");
        assert!(
            reported[0].contains("competitors.bib \"6 \""),
            "{reported:?}"
        );
        assert!(reported[1].contains("competitors.feed_participant_id \" F7\""));
        assert!(reported[2].contains("competitors.feed_participant_id \"F7\\t\""));
        // Nothing was lost: every competitor and chip is still there.
        let count = |sql: &str| -> i64 {
            file.connection
                .query_row(sql, [], |row| row.get(0))
                .unwrap()
        };
        assert_eq!(count("SELECT count(*) FROM competitors"), 6);
        assert_eq!(count("SELECT count(*) FROM competitor_chips"), 6);

        // A poll carrying the trimmed values is applied.
        let value = ScoreValue {
            text: "20:00".into(),
            score: Some(Score::Time { ms: 1_200_000 }),
            status: None,
            tie_break_ms: None,
            penalty_ms: 0,
        };
        let record = |index: u64, kind: IdentifierKind, identifier: &str| InboundRecord {
            index,
            record_key: identifier.into(),
            identifier: Identifier {
                kind,
                value: identifier.into(),
            },
            team: None,
            teammate: None,
            value: value.clone(),
            penalty_ms: 0,
            splits: Vec::new(),
            incidents: Vec::new(),
            fields: Vec::new(),
        };
        let report = file
            .apply_inbound(
                &InboundSource {
                    name: "timing".into(),
                    kind: Source::Feed,
                },
                race,
                &[
                    record(1, IdentifierKind::FeedParticipantId, "F1"),
                    record(2, IdentifierKind::Chip, "CHIP6"),
                    record(3, IdentifierKind::Bib, "1"),
                ],
            )
            .unwrap();
        assert_eq!(report.unknown, 0, "{report:?}");
        assert_eq!(report.imported, 2, "{report:?}");
        for id in [ids[0], ids[5]] {
            assert!(file
                .result(race, Entrant::Competitor(id))
                .unwrap()
                .is_some());
        }
        assert_eq!(
            file.competitor_by_bib("1").unwrap().map(|found| found.id),
            Some(ids[0])
        );
        file.close().unwrap();
    }
}
