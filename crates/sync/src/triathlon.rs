//! World Triathlon Live Timing Standard v1.1 (seed 004).
//!
//! One full-state JSON message per race (workout, `prog_id`), built from the
//! file's current state each time it is sent, so a retry always carries the
//! latest message and never an older one.
//!
//! Message: `date` (publication time), `start_time` (config `start_time`, else
//! the first heat's start, left out when unknown), `event_id`, `event_name`,
//! `prog_id`, `prog_name`, `wetsuit`, `sandbox`, `num_athletes` (or
//! `num_teams` for a relay), `status` (`prerace` before any result, `live`,
//! `official` once the workout is official), `latest` (the furthest timing
//! point anyone has reached, with how many reached it; null before any),
//! `conditions` (when configured), and `athletes` (or `teams`). All values
//! are strings, as the standard recommends.
//!
//! Segments: timing point `order` is the `segment_id`; a time result adds a
//! `Finish` segment after the last timing point. Times are ISO 8601 durations
//! `HH:MM:SS.mmm`; with config `whole_seconds` they are rounded UP to the next
//! full second (`00:09:14.001` -> `00:09:15`).
//!
//! Ordering: athletes who reached a later timing point first, by position
//! there; then earlier points; athletes without data by start number; DSQ at
//! the bottom. Statuses: DNS, DNF, DSQ, LAP, NC (withdrawn is DNF; DNQ is NC);
//! incidents joined with commas.
//!
//! Delivery (config): POST to `{endpoint}{path}` (default `/v1/timing`) with
//! `Content-Type: application/json` and the API key in the `apikey` header,
//! only when the message content (everything but `date`) changed, at most one
//! push per 1000 ms per target (bursts coalesce in the outbox); or hosted as
//! a JSON file by [`HostedFeed`].

use std::sync::{Arc, Mutex};

use chrono::{SecondsFormat, Utc};
use scoretable_core::model::{
    Entrant, Id, Millis, PublicationState, RankedRow, Rounding, Score, Status, TeamMember,
};
use scoretable_core::time::{format_time, round_time, TimeStyle};
use scoretable_store::{CompetitionFile, EntityScope, LiveTimingWave, OutboxItem, RemoteRecord};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::adapter::{
    config_text, idempotency_header, payload_digest, AdapterContext, BatchResult, ItemOutcome,
    Preview, PreviewChange, RenderedRequest,
};
use crate::client::{send, SendOutcome};
use crate::error::{Result, SyncError};
use crate::http_server::{HttpReply, HttpServer};
use crate::registry::{AdapterSession, SendContext, SyncAdapter, TargetSpec};

/// A World Triathlon status word for a Scoretable status.
pub fn triathlon_status(status: Status) -> &'static str {
    match status {
        Status::Dns => "DNS",
        Status::Dnf | Status::Wd => "DNF",
        Status::Dsq => "DSQ",
        Status::Lap => "LAP",
        Status::Nc | Status::Dnq => "NC",
    }
}

struct Options {
    whole_seconds: bool,
}

fn duration_text(ms: Millis, options: &Options) -> String {
    if options.whole_seconds {
        let rounded = round_time(ms, Rounding::Up { unit_ms: 1000 });
        let text = format_time(rounded, TimeStyle::Iso);
        text.trim_end_matches(".000").to_string()
    } else {
        format_time(ms, TimeStyle::Iso)
    }
}

struct Standing<'a> {
    segment_id: u32,
    name: &'a str,
    /// The split object's bytes between its difference and its position,
    /// the same for every split at the point:
    /// `,"id":"<segment>","name":<name as a JSON string>,"position":`.
    middle: &'a [u8],
    total_ms: Millis,
    leg_ms: Millis,
    position: u32,
    difference_ms: Millis,
}

struct Participant<'a> {
    entrant: Entrant,
    start_num: &'a str,
    /// Where its standings are in the message's one vector of standings
    /// (in course order).
    standings: std::ops::Range<usize>,
    status: Option<Status>,
    incidents: &'a [String],
}

impl Participant<'_> {
    fn standings<'s, 'a>(&self, all: &'s [Standing<'a>]) -> &'s [Standing<'a>] {
        &all[self.standings.clone()]
    }
}

/// The workout's timing points by id: (id, order, name, the split bytes
/// [`Standing::middle`] at the point), sorted by id (a handful: a binary
/// search beats hashing each of the many splits, and each name is escaped
/// once, not at every split).
type Points<'a> = [(Id, u32, &'a str, Vec<u8>)];

/// [`Standing::middle`] of a point.
fn split_middle(segment_id: u32, name: &str) -> Vec<u8> {
    let mut out = JsonOut::with_capacity(name.len() + 40);
    out.bytes.extend_from_slice(b",\"id\":");
    out.number_text(u64::from(segment_id));
    out.bytes.extend_from_slice(b",\"name\":");
    out.text(name);
    out.bytes.extend_from_slice(b",\"position\":");
    out.bytes
}

/// Appends the row's standings to `all` in course order (a time result
/// adds its `Finish`) and says where they are.
fn push_standings<'a>(
    all: &mut Vec<Standing<'a>>,
    row: &RankedRow,
    points: &'a Points<'a>,
    finish_middle: &'a [u8],
    finish_segment: u32,
) -> std::ops::Range<usize> {
    let start = all.len();
    all.extend(row.splits.iter().filter_map(|split| {
        let at = points
            .binary_search_by_key(&split.timing_point_id, |point| point.0)
            .ok()?;
        let (_, order, name, ref middle) = points[at];
        Some(Standing {
            segment_id: order,
            name,
            middle,
            total_ms: split.total_ms,
            leg_ms: split.leg_ms,
            position: split.position,
            difference_ms: split.difference_ms,
        })
    }));
    // In course order already (the engine lists splits so); timing points
    // have distinct orders.
    let own = &mut all[start..];
    if !own.is_sorted_by_key(|standing| standing.segment_id) {
        own.sort_unstable_by_key(|standing| standing.segment_id);
    }
    if let (Some(Score::Time { ms }), Some(rank)) = (row.score, row.rank) {
        let previous = all[start..].last().map_or(0, |standing| standing.total_ms);
        all.push(Standing {
            segment_id: finish_segment,
            name: "Finish",
            middle: finish_middle,
            total_ms: ms,
            leg_ms: ms - previous,
            position: rank,
            difference_ms: row.difference_ms.unwrap_or(0),
        });
    }
    start..all.len()
}

/// Positions and differences at every timing point, consistent with the
/// order the athletes are listed in: a disqualified athlete is ranked after
/// every other athlete at each point (the standard lists DSQ athletes at the
/// bottom) and never moves anyone else down; the others are ranked by
/// cumulative time (equal times share a position); the difference is to the
/// fastest athlete who is not disqualified (never negative).
///
/// `all` holds every participant's standings, participant after
/// participant (so a standing's index orders participants, then their
/// standings); `segments` every segment id a standing can have, sorted.
fn rank_segments(all: &mut [Standing], participants: &[Participant], segments: &[u32]) {
    // Each segment's standings sorted by DSQ last, cumulative time, then
    // the standing's index (unique, so the order is total): bucketed by
    // segment, each bucket sorted on its own.
    let mut dsq = vec![false; all.len()];
    for participant in participants {
        if participant.status == Some(Status::Dsq) {
            dsq[participant.standings.clone()].fill(true);
        }
    }
    let bucket_of = |segment_id: u32| {
        segments
            .binary_search(&segment_id)
            .expect("every standing's segment is listed")
    };
    let mut starts = vec![0_usize; segments.len() + 1];
    for standing in all.iter() {
        starts[bucket_of(standing.segment_id) + 1] += 1;
    }
    for bucket in 1..starts.len() {
        starts[bucket] += starts[bucket - 1];
    }
    let mut next = starts.clone();
    let mut entries = vec![(false, 0 as Millis, 0_u32); all.len()];
    for (index, standing) in all.iter().enumerate() {
        let bucket = bucket_of(standing.segment_id);
        entries[next[bucket]] = (dsq[index], standing.total_ms, index as u32);
        next[bucket] += 1;
    }
    let mut keys: Vec<u64> = Vec::new();
    for bucket in 0..segments.len() {
        let segment = &mut entries[starts[bucket]..starts[bucket + 1]];
        if segment.is_empty() {
            continue;
        }
        sort_segment(segment, &mut keys);
        let leader = segment[0].1;
        let mut previous: Option<(bool, Millis, u32)> = None;
        for (rank, &(class, total, index)) in segment.iter().enumerate() {
            let position = match previous {
                Some((previous_class, previous_total, position))
                    if previous_class == class && previous_total == total =>
                {
                    position
                }
                _ => rank as u32 + 1,
            };
            previous = Some((class, total, position));
            let standing = &mut all[index as usize];
            standing.position = position;
            standing.difference_ms = (total - leader).max(0);
        }
    }
}

/// Sorts one segment's (DSQ, cumulative time, standing index) entries as
/// `sort_unstable` would (the order is total), by one 64-bit key each when
/// every field fits its bits (DSQ 1, the index as many as the largest
/// needs, the time the rest): comparing one number instead of three fields.
/// `keys` is scratch space.
fn sort_segment(entries: &mut [(bool, Millis, u32)], keys: &mut Vec<u64>) {
    let largest = entries.iter().map(|entry| entry.2).max().unwrap_or(0);
    let index_bits = u32::BITS - largest.leading_zeros();
    let time_bits = 63 - index_bits;
    let packable = entries
        .iter()
        .all(|&(_, total, _)| total >= 0 && (total as u64) >> time_bits == 0);
    if !packable {
        entries.sort_unstable();
        return;
    }
    keys.clear();
    keys.extend(entries.iter().map(|&(dsq, total, index)| {
        (u64::from(dsq) << 63) | ((total as u64) << index_bits) | u64::from(index)
    }));
    keys.sort_unstable();
    let index_mask = (1_u64 << index_bits) - 1;
    let time_mask = (1_u64 << time_bits) - 1;
    for (entry, key) in entries.iter_mut().zip(keys.iter()) {
        *entry = (
            key >> 63 == 1,
            ((key >> index_bits) & time_mask) as Millis,
            (key & index_mask) as u32,
        );
    }
}

/// The listing order: athletes who reached a later segment first, by
/// position there; then those without data; DSQ last; equal ones by start
/// number (a stable sort: else in the order given).
fn order_participants(participants: &mut Vec<Participant>, all: &[Standing]) {
    // Each participant's (DSQ, Reverse(latest segment), latest position)
    // as two numbers, and its start number parsed once.
    let keys: Vec<(u64, u32, Option<u64>)> = participants
        .iter()
        .map(|participant| {
            let latest = participant.standings(all).last();
            let dsq = u64::from(participant.status == Some(Status::Dsq));
            let segment = latest.map_or(0, |standing| standing.segment_id);
            (
                (dsq << 32) | u64::from(u32::MAX - segment),
                latest.map_or(u32::MAX, |standing| standing.position),
                participant.start_num.parse::<u64>().ok(),
            )
        })
        .collect();
    let mut order: Vec<u32> = (0..participants.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let (a_key, a_position, a_number) = keys[a as usize];
        let (b_key, b_position, b_number) = keys[b as usize];
        (a_key, a_position)
            .cmp(&(b_key, b_position))
            .then_with(|| match (a_number, b_number) {
                (Some(a), Some(b)) => a.cmp(&b),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => participants[a as usize]
                    .start_num
                    .cmp(participants[b as usize].start_num),
            })
    });
    let mut taken: Vec<Option<Participant>> = participants.drain(..).map(Some).collect();
    participants.extend(
        order
            .iter()
            .map(|&at| taken[at as usize].take().expect("each participant once")),
    );
}

/// A JSON text being written straight out, in the form `serde_json` gives a
/// `Value` (compact, the keys of every object in sorted order, as its
/// `BTreeMap`-backed maps write them), so the text is the same as building
/// the `Value` and serialising it, without the tree.
struct JsonOut {
    bytes: Vec<u8>,
    /// Whether the next key opens its object (no comma before it).
    first: bool,
}

impl JsonOut {
    fn with_capacity(capacity: usize) -> JsonOut {
        JsonOut {
            bytes: Vec::with_capacity(capacity),
            first: true,
        }
    }

    fn open(&mut self) {
        self.bytes.push(b'{');
        self.first = true;
    }

    fn close(&mut self) {
        self.bytes.push(b'}');
        self.first = false;
    }

    fn open_list(&mut self) {
        self.bytes.push(b'[');
        self.first = true;
    }

    fn close_list(&mut self) {
        self.bytes.push(b']');
        self.first = false;
    }

    /// Before an element of a list.
    fn item(&mut self) {
        if !self.first {
            self.bytes.push(b',');
        }
        self.first = false;
    }

    /// `"name":`; `name` is one of this module's plain ASCII keys.
    fn key(&mut self, name: &str) {
        self.item();
        self.bytes.push(b'"');
        self.bytes.extend_from_slice(name.as_bytes());
        self.bytes.extend_from_slice(b"\":");
    }

    fn null(&mut self) {
        self.bytes.extend_from_slice(b"null");
    }

    /// One JSON string made of `parts`, escaped as `serde_json` escapes.
    fn string(&mut self, parts: &[&str]) {
        self.bytes.push(b'"');
        for part in parts {
            let plain = part
                .bytes()
                .all(|byte| byte >= 0x20 && byte != b'"' && byte != b'\\');
            if plain {
                self.bytes.extend_from_slice(part.as_bytes());
            } else {
                let escaped = serde_json::to_string(part).unwrap_or_default();
                self.bytes
                    .extend_from_slice(&escaped.as_bytes()[1..escaped.len().saturating_sub(1)]);
            }
        }
        self.bytes.push(b'"');
    }

    fn text(&mut self, text: &str) {
        self.string(&[text]);
    }

    fn text_or_null(&mut self, text: Option<&str>) {
        match text {
            Some(text) => self.text(text),
            None => self.null(),
        }
    }

    /// A number written as a string, as the standard wants every value.
    fn number_text(&mut self, number: u64) {
        if number < 100 {
            // Segment ids and most positions: one look-up.
            let at = number as usize * 2;
            if number < 10 {
                self.bytes
                    .extend_from_slice(&[b'"', DIGIT_PAIRS[at + 1], b'"']);
            } else {
                self.bytes
                    .extend_from_slice(&[b'"', DIGIT_PAIRS[at], DIGIT_PAIRS[at + 1], b'"']);
            }
            return;
        }
        // The digits with the opening quote before them.
        let mut digits = [0_u8; 21];
        let mut at = digits.len();
        let mut rest = number;
        loop {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        at -= 1;
        digits[at] = b'"';
        self.bytes.extend_from_slice(&digits[at..]);
        self.bytes.push(b'"');
    }

    /// A duration as [`duration_text`] shows it, as a string.
    fn duration(&mut self, ms: Millis, options: &Options) {
        let shown = if options.whole_seconds {
            round_time(ms, Rounding::Up { unit_ms: 1000 })
        } else {
            ms
        };
        if shown < 0 {
            // Never for a valid race; the general formatter says it.
            let text = duration_text(ms, options);
            self.text(&text);
            return;
        }
        if shown >= 100 * 3_600_000 {
            let hours = shown / 3_600_000;
            let minutes = (shown % 3_600_000) / 60_000;
            let seconds = (shown % 60_000) / 1000;
            let millis = shown % 1000;
            let digit = |value: i64| b'0' + value as u8;
            use std::io::Write as _;
            let _ = write!(self.bytes, "\"{hours}");
            self.bytes.extend_from_slice(&[
                b':',
                digit(minutes / 10),
                digit(minutes % 10),
                b':',
                digit(seconds / 10),
                digit(seconds % 10),
            ]);
            if !(options.whole_seconds && millis == 0) {
                self.bytes.extend_from_slice(&[
                    b'.',
                    digit(millis / 100),
                    digit(millis / 10 % 10),
                    digit(millis % 10),
                ]);
            }
            self.bytes.push(b'"');
            return;
        }
        // `"HH:MM:SS.mmm"` (the milliseconds left out for a whole second
        // when whole seconds are asked for), written in one piece; under
        // 100 hours every part fits 32 bits and two digits are one table
        // look-up.
        let shown = shown as u32;
        let rest = shown % 3_600_000;
        let pair = |value: u32| {
            let at = value as usize * 2;
            [DIGIT_PAIRS[at], DIGIT_PAIRS[at + 1]]
        };
        let [h1, h2] = pair(shown / 3_600_000);
        let [m1, m2] = pair(rest / 60_000);
        let rest = rest % 60_000;
        let [s1, s2] = pair(rest / 1000);
        let millis = rest % 1000;
        if options.whole_seconds && millis == 0 {
            self.bytes
                .extend_from_slice(&[b'"', h1, h2, b':', m1, m2, b':', s1, s2, b'"']);
        } else {
            let [c1, c2] = pair(millis % 100);
            self.bytes.extend_from_slice(&[
                b'"',
                h1,
                h2,
                b':',
                m1,
                m2,
                b':',
                s1,
                s2,
                b'.',
                b'0' + (millis / 100) as u8,
                c1,
                c2,
                b'"',
            ]);
        }
    }
}

/// "00" to "99", two bytes each.
const DIGIT_PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// One built live-timing message: its JSON text, exactly as `serde_json`
/// writes the message's `Value` (compact, keys in order), and where its
/// `date` is, so the content digest needs no second rendering.
#[derive(Debug, Clone)]
pub struct LiveMessage {
    text: String,
    /// The bytes of `"date":"...",` (up to the next key).
    date: std::ops::Range<usize>,
}

impl LiveMessage {
    /// The message as sent (compact JSON).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The message as a JSON value.
    pub fn to_value(&self) -> Result<Value> {
        serde_json::from_str(&self.text).map_err(|error| SyncError::Config {
            target: "world_triathlon".to_string(),
            message: format!("the live-timing message does not parse: {error}"),
        })
    }

    /// [`content_digest`] of this message (everything but `date`), hashed
    /// from the text.
    pub fn content_digest(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(&self.text.as_bytes()[..self.date.start]);
        hasher.update(&self.text.as_bytes()[self.date.end..]);
        crate::adapter::hex(&hasher.finalize())
    }
}

/// Builds the full-state message of one workout. `prog_id` is the target's id
/// for the workout; `config` the target's config.
pub fn build_message(
    file: &CompetitionFile,
    workout_id: Id,
    prog_id: &str,
    config: &Value,
) -> Result<Value> {
    render_message(file, workout_id, prog_id, config)?.to_value()
}

/// Builds the full-state message of one workout as its JSON text, written
/// straight out from the wave's own rows (see [`build_message`]). Every
/// read is of one snapshot of the file (one read transaction), so a write
/// by another program meanwhile is wholly in the message or not at all;
/// only the workout's own results and the columns the message prints of its
/// entrants are read ([`CompetitionFile::live_timing_wave`]).
pub fn render_message(
    file: &CompetitionFile,
    workout_id: Id,
    prog_id: &str,
    config: &Value,
) -> Result<LiveMessage> {
    let wave = file.live_timing_wave(workout_id)?;
    render_wave(&wave, prog_id, config)
}

fn render_wave(wave: &LiveTimingWave, prog_id: &str, config: &Value) -> Result<LiveMessage> {
    let options = Options {
        whole_seconds: config
            .get("whole_seconds")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    let workout = &wave.workout;
    let rows = &wave.rows;
    let mut points: Vec<(Id, u32, &str, Vec<u8>)> = workout
        .timing_points
        .iter()
        .map(|point| {
            (
                point.id,
                point.order,
                point.name.as_str(),
                split_middle(point.order, &point.name),
            )
        })
        .collect();
    points.sort_unstable_by_key(|point| point.0);
    let finish_segment = workout
        .timing_points
        .iter()
        .map(|point| point.order)
        .max()
        .unwrap_or(0)
        + 1;
    let finish_middle = split_middle(finish_segment, "Finish");
    // Every segment a standing can be at, sorted.
    let mut segments: Vec<u32> = points.iter().map(|point| point.1).collect();
    segments.push(finish_segment);
    segments.sort_unstable();
    segments.dedup();
    // Everyone on the start list (heat lanes) and everyone with a result.
    let relay = wave
        .entrants
        .iter()
        .any(|entrant| matches!(entrant, Entrant::Team(_)));
    // Each entrant's row, by a binary search of (entrant, row) pairs.
    let mut row_of: Vec<(Entrant, &RankedRow)> =
        rows.iter().map(|row| (row.entrant, row)).collect();
    row_of.sort_unstable_by_key(|(entrant, _)| *entrant);

    // Every participant's standings in one vector, participant after
    // participant.
    let mut standings: Vec<Standing> =
        Vec::with_capacity(rows.iter().map(|row| row.splits.len() + 1).sum::<usize>());
    let mut participants: Vec<Participant> = wave
        .entrants
        .iter()
        .map(|entrant| {
            let row = row_of
                .binary_search_by_key(entrant, |(entrant, _)| *entrant)
                .ok()
                .map(|at| row_of[at].1);
            let start_num = match entrant {
                Entrant::Competitor(id) => {
                    wave.competitor(*id).map_or("", |competitor| competitor.bib)
                }
                Entrant::Team(id) => wave
                    .team(*id)
                    .and_then(|team| team.bib.as_deref())
                    .unwrap_or_default(),
            };
            Participant {
                entrant: *entrant,
                start_num,
                standings: match row {
                    Some(row) => {
                        push_standings(&mut standings, row, &points, &finish_middle, finish_segment)
                    }
                    None => standings.len()..standings.len(),
                },
                status: row.and_then(|row| row.status),
                incidents: wave.incidents.get(entrant).map_or(&[][..], Vec::as_slice),
            }
        })
        .collect();
    rank_segments(&mut standings, &participants, &segments);
    order_participants(&mut participants, &standings);

    let mut latest_segment: Option<(u32, &str, usize)> = None;
    for participant in &participants {
        if let Some(standing) = participant.standings(&standings).last() {
            match &mut latest_segment {
                Some((segment, _, count)) if *segment == standing.segment_id => *count += 1,
                Some((segment, _, _)) if *segment > standing.segment_id => {}
                _ => latest_segment = Some((standing.segment_id, standing.name, 1)),
            }
        }
    }

    let status = if workout.state == PublicationState::Official {
        "official"
    } else if rows
        .iter()
        .any(|row| row.score.is_some() || !row.splits.is_empty())
    {
        "live"
    } else {
        "prerace"
    };
    let start_time = config_text(config, "start_time").or_else(|| {
        workout
            .heats
            .iter()
            .find_map(|heat| heat.start_time.clone())
    });

    let writing = Writing {
        options,
        finish_segment,
        segments_per_leg: config
            .get("segments_per_leg")
            .and_then(Value::as_u64)
            .map(|n| n as u32),
    };
    let count_key = if relay { "num_teams" } else { "num_athletes" };
    let conditions: Vec<(&str, String)> = ["air_temp", "water_temp"]
        .into_iter()
        .filter_map(|key| config_text(config, key).map(|value| (key, value)))
        .collect();

    // The keys of every object in sorted order, as a `serde_json` map
    // writes them (tested: the text is its own canonical form).
    let mut out = JsonOut::with_capacity(1024 + participants.len() * 1600);
    out.open();
    if !relay {
        out.key("athletes");
        write_participants(&mut out, &participants, &standings, wave, &writing);
    }
    if !conditions.is_empty() {
        out.key("conditions");
        out.open();
        for (key, value) in &conditions {
            out.key(key);
            out.text(value);
        }
        out.close();
    }
    out.item();
    let date_start = out.bytes.len();
    out.bytes.extend_from_slice(b"\"date\":");
    out.text(&Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true));
    // The content digest leaves out `"date":"...",` (up to the next key).
    let date_end = out.bytes.len() + 1;
    out.key("event_id");
    out.text_or_null(config_text(config, "event_id").as_deref());
    out.key("event_name");
    match config_text(config, "event_name") {
        Some(name) => out.text(&name),
        None => out.text(&wave.competition_name),
    }
    out.key("latest");
    match &latest_segment {
        Some((segment, name, count)) => {
            out.open();
            out.key(count_key);
            out.number_text(*count as u64);
            out.key("segment_id");
            out.number_text(u64::from(*segment));
            out.key("segment_name");
            out.text(name);
            out.close();
        }
        None => out.null(),
    }
    out.key(count_key);
    out.number_text(participants.len() as u64);
    out.key("prog_id");
    out.text(prog_id);
    out.key("prog_name");
    out.text(&workout.name);
    out.key("sandbox");
    out.text(&config_text(config, "sandbox").unwrap_or_else(|| "true".to_string()));
    if let Some(start_time) = &start_time {
        out.key("start_time");
        out.text(start_time);
    }
    out.key("status");
    out.text(status);
    if relay {
        out.key("teams");
        write_participants(&mut out, &participants, &standings, wave, &writing);
    }
    out.key("wetsuit");
    out.text(&config_text(config, "wetsuit").unwrap_or_else(|| "false".to_string()));
    out.close();
    let text = String::from_utf8(out.bytes).map_err(|error| SyncError::Config {
        target: "world_triathlon".to_string(),
        message: format!("the live-timing message is not UTF-8: {error}"),
    })?;
    Ok(LiveMessage {
        text,
        date: date_start..date_end,
    })
}

/// What writing the participants needs besides them.
struct Writing {
    options: Options,
    finish_segment: u32,
    segments_per_leg: Option<u32>,
}

/// One split object. The keys are written as [`JsonOut::open`],
/// [`JsonOut::key`] and [`JsonOut::close`] write them (sorted, the first
/// without a comma), each with the punctuation around it in one piece.
fn write_split(out: &mut JsonOut, standing: &Standing, options: &Options) {
    out.bytes.extend_from_slice(b"{\"difference\":");
    out.duration(standing.difference_ms, options);
    out.bytes.extend_from_slice(standing.middle);
    out.number_text(u64::from(standing.position));
    out.bytes.extend_from_slice(b",\"time\":");
    out.duration(standing.leg_ms, options);
    out.bytes.extend_from_slice(b",\"total_time\":");
    out.duration(standing.total_ms, options);
    out.close();
}

/// The fields of an athlete or team from its latest standing (null before
/// any), as `key` asks for them.
fn write_head_field(
    out: &mut JsonOut,
    key: &str,
    participant: &Participant,
    latest: Option<&Standing>,
    options: &Options,
) {
    out.key(key);
    match (key, latest) {
        ("difference", Some(standing)) => out.duration(standing.difference_ms, options),
        ("position", Some(standing)) => out.number_text(u64::from(standing.position)),
        ("segment_id", Some(standing)) => out.number_text(u64::from(standing.segment_id)),
        ("time", Some(standing)) => out.duration(standing.total_ms, options),
        ("status", _) => match participant.status {
            Some(status) => out.text(triathlon_status(status)),
            None => out.null(),
        },
        ("incidents", _) => {
            if participant.incidents.is_empty() {
                out.null();
            } else {
                let mut parts: Vec<&str> = Vec::with_capacity(participant.incidents.len() * 2);
                for (index, incident) in participant.incidents.iter().enumerate() {
                    if index > 0 {
                        parts.push(", ");
                    }
                    parts.push(incident);
                }
                out.string(&parts);
            }
        }
        _ => out.null(),
    }
}

fn write_participants(
    out: &mut JsonOut,
    participants: &[Participant],
    all: &[Standing],
    wave: &LiveTimingWave,
    writing: &Writing,
) {
    let options = &writing.options;
    out.open_list();
    for participant in participants {
        let standings = participant.standings(all);
        let latest = standings.last();
        out.item();
        out.open();
        match participant.entrant {
            Entrant::Competitor(id) => {
                let competitor = wave.competitor(id);
                out.key("country");
                out.text_or_null(competitor.and_then(|c| c.country));
                write_head_field(out, "difference", participant, latest, options);
                out.key("id");
                out.text_or_null(competitor.and_then(|c| c.triathlon_athlete_id));
                write_head_field(out, "incidents", participant, latest, options);
                out.key("name");
                match competitor {
                    Some(c) => out.string(&[c.first_name, " ", c.last_name]),
                    None => out.text(""),
                }
                if let Some(class) = competitor.and_then(|c| c.para_class) {
                    out.key("paratriathlon");
                    out.open();
                    out.key("class");
                    out.text(class);
                    out.key("compensation_time");
                    out.null();
                    out.close();
                }
                write_head_field(out, "position", participant, latest, options);
                write_head_field(out, "segment_id", participant, latest, options);
                out.key("splits");
                if standings.is_empty() {
                    out.null();
                } else {
                    out.open_list();
                    for standing in standings {
                        out.item();
                        write_split(out, standing, options);
                    }
                    out.close_list();
                }
                out.key("start_num");
                out.text(participant.start_num);
                write_head_field(out, "status", participant, latest, options);
                write_head_field(out, "time", participant, latest, options);
            }
            Entrant::Team(id) => {
                let team = wave.team(id);
                out.key("athletes");
                // In member order, as the store reads them.
                let members: &[TeamMember] = team.map_or(&[][..], |t| t.members.as_slice());
                let legs = members.len().max(1) as u32;
                let per_leg = writing
                    .segments_per_leg
                    .unwrap_or_else(|| writing.finish_segment.div_ceil(legs).max(1));
                out.open_list();
                for member in members {
                    let competitor = wave.competitor(member.competitor_id);
                    let first = (member.order - 1) * per_leg + 1;
                    let last = member.order * per_leg;
                    let mut splits = standings.iter().filter(|standing| {
                        standing.segment_id >= first
                            && (standing.segment_id <= last
                                || (member.order == legs
                                    && standing.segment_id == writing.finish_segment))
                    });
                    out.item();
                    out.open();
                    out.key("country");
                    out.text_or_null(competitor.and_then(|c| c.country));
                    out.key("id");
                    out.text_or_null(competitor.and_then(|c| c.triathlon_athlete_id));
                    out.key("name");
                    match competitor {
                        Some(c) => out.string(&[c.first_name, " ", c.last_name]),
                        None => out.text(""),
                    }
                    out.key("splits");
                    match splits.next() {
                        None => out.null(),
                        Some(first_split) => {
                            out.open_list();
                            out.item();
                            write_split(out, first_split, options);
                            for standing in splits {
                                out.item();
                                write_split(out, standing, options);
                            }
                            out.close_list();
                        }
                    }
                    out.key("team_order");
                    out.number_text(u64::from(member.order));
                    out.close();
                }
                out.close_list();
                out.key("country");
                out.text_or_null(team.and_then(|t| t.country.as_deref()));
                write_head_field(out, "difference", participant, latest, options);
                out.key("id");
                out.text_or_null(team.and_then(|t| t.triathlon_athlete_id.as_deref()));
                write_head_field(out, "incidents", participant, latest, options);
                out.key("name");
                out.text(team.map_or("", |t| t.name.as_str()));
                write_head_field(out, "position", participant, latest, options);
                write_head_field(out, "segment_id", participant, latest, options);
                out.key("start_num");
                out.text(participant.start_num);
                write_head_field(out, "status", participant, latest, options);
                write_head_field(out, "time", participant, latest, options);
            }
        }
        out.close();
    }
    out.close_list();
}

/// The digest of a message's content: everything but the publication `date`.
pub fn content_digest(message: &Value) -> String {
    let mut content = message.clone();
    if let Some(object) = content.as_object_mut() {
        object.remove("date");
    }
    payload_digest(&content)
}

fn push_url(endpoint: &str, config: &Value) -> String {
    format!(
        "{}{}",
        endpoint.trim_end_matches('/'),
        config_text(config, "path").unwrap_or_else(|| "/v1/timing".to_string())
    )
}

/// The request a push would make (API key masked).
pub fn rendered_request(endpoint: &str, config: &Value, message: &Value) -> RenderedRequest {
    RenderedRequest {
        method: "POST".to_string(),
        url: format!("{} (header apikey: ***)", push_url(endpoint, config)),
        content_type: "application/json".to_string(),
        form: Vec::new(),
        body: serde_json::to_string_pretty(message).unwrap_or_default(),
    }
}

/// Pushes one message. `2xx` is the acknowledgement; the record stored is
/// the content digest, so the next push happens only on a change.
pub fn push(
    client: &reqwest::blocking::Client,
    endpoint: &str,
    config: &Value,
    api_key: &str,
    entity: &str,
    idempotency_key: &str,
    message: &LiveMessage,
) -> BatchResult {
    let outcome = send(
        client
            .post(push_url(endpoint, config))
            .header("Content-Type", "application/json")
            .header("apikey", api_key)
            .header("Idempotency-Key", idempotency_key)
            .body(message.text().to_string()),
    );
    match outcome {
        SendOutcome::Response { .. } => BatchResult::Done(vec![(
            0,
            ItemOutcome::Acked(Some(RemoteRecord {
                entity: entity.to_string(),
                remote_id: None,
                payload_digest: Some(message.content_digest()),
                payload: None,
            })),
        )]),
        failure => BatchResult::from_failure(failure),
    }
}

/// The latest message of each race, served as a hosted JSON file
/// (delivery option 1): `GET /<prog_id>.json`, or `GET /` for the only (or
/// first) race.
#[derive(Clone, Default)]
pub struct HostedFeed {
    /// Each race's `prog_id`, message text and content digest.
    messages: Arc<Mutex<Vec<(String, String, String)>>>,
}

impl HostedFeed {
    /// Replaces a race's message. Returns false when its content is
    /// unchanged (the file then keeps its old `date`).
    pub fn update(&self, prog_id: &str, message: &Value) -> bool {
        self.replace(prog_id, message.to_string(), content_digest(message))
    }

    /// [`HostedFeed::update`] with a message as built.
    pub fn update_message(&self, prog_id: &str, message: &LiveMessage) -> bool {
        self.replace(
            prog_id,
            message.text().to_string(),
            message.content_digest(),
        )
    }

    fn replace(&self, prog_id: &str, text: String, digest: String) -> bool {
        let mut messages = self
            .messages
            .lock()
            .unwrap_or_else(|error| error.into_inner());
        match messages.iter_mut().find(|(id, _, _)| id == prog_id) {
            Some((_, existing, existing_digest)) => {
                if *existing_digest == digest {
                    return false;
                }
                *existing = text;
                *existing_digest = digest;
            }
            None => messages.push((prog_id.to_string(), text, digest)),
        }
        true
    }

    /// The current message of a race.
    pub fn message(&self, prog_id: Option<&str>) -> Option<String> {
        let messages = self
            .messages
            .lock()
            .unwrap_or_else(|error| error.into_inner());
        match prog_id {
            Some(prog_id) => messages
                .iter()
                .find(|(id, _, _)| id == prog_id)
                .map(|(_, text, _)| text.clone()),
            None => messages.first().map(|(_, text, _)| text.clone()),
        }
    }

    /// Serves the feed on `address` (e.g. `127.0.0.1:8787`).
    pub fn serve(&self, address: &str) -> Result<HttpServer> {
        let feed = self.clone();
        HttpServer::start(address, move |request| {
            if request.method != "GET" {
                return HttpReply::json(405, &json!({"error": "GET only"}));
            }
            let path = request.path.trim_start_matches('/');
            let prog_id = path.strip_suffix(".json").filter(|id| !id.is_empty());
            match feed.message(prog_id) {
                Some(text) => HttpReply {
                    status: 200,
                    headers: vec![
                        ("Content-Type".to_string(), "application/json".to_string()),
                        ("Cache-Control".to_string(), "no-store".to_string()),
                    ],
                    body: text.into_bytes(),
                },
                None => HttpReply::json(404, &json!({"error": "no timing message yet"})),
            }
        })
        .map_err(|error| SyncError::Config {
            target: "hosted feed".to_string(),
            message: format!("cannot listen on {address}: {error}"),
        })
    }
}

/// World Triathlon Live Timing as a sync platform: one full-state message
/// per race (`workout/<id>` rows), pushed only when its content changed;
/// with config `delivery: hosted` it is only served as a JSON file and
/// needs no secret.
pub struct LiveTimingAdapter;

impl SyncAdapter for LiveTimingAdapter {
    fn code(&self) -> &'static str {
        "world_triathlon"
    }

    fn name(&self) -> &'static str {
        "World Triathlon"
    }

    fn remote_id_label(&self) -> &'static str {
        "World Triathlon prog_id"
    }

    fn secret_hint(&self) -> &'static str {
        "API key (not needed for hosted delivery)"
    }

    fn settings(&self) -> Vec<crate::settings::SettingInfo> {
        use crate::settings::SettingInfo;
        vec![
            SettingInfo::choice(
                "delivery",
                "Delivery",
                "Push each message to the endpoint, or host it as a JSON file for World Triathlon to fetch.",
                &[("push", "Push to the endpoint"), ("hosted", "Hosted JSON file")],
            ),
            SettingInfo::text("event_id", "Event id", "World Triathlon's id of the event."),
            SettingInfo::text("event_name", "Event name", "As the message names the event.")
                .default_value("the competition's name"),
            SettingInfo::text("start_time", "Start time", "ISO 8601; else the first heat's start.")
                .default_value("the first heat's start"),
            SettingInfo::flag("sandbox", "Sandbox", "Send to World Triathlon's sandbox (not published).")
                .default_value("true"),
            SettingInfo::flag("wetsuit", "Wetsuit swim", "Whether wetsuits were allowed.")
                .default_value("false"),
            SettingInfo::flag(
                "whole_seconds",
                "Whole seconds",
                "Round times up to the next whole second, as the standard shows them.",
            )
            .default_value("false"),
            SettingInfo::text("air_temp", "Air temperature", "Sent under conditions."),
            SettingInfo::text("water_temp", "Water temperature", "Sent under conditions."),
            SettingInfo::text("path", "Request path", "Where messages are posted.")
                .default_value("/v1/timing"),
        ]
    }

    fn scope(&self) -> EntityScope {
        EntityScope::Workout
    }

    fn validate(&self, spec: &TargetSpec) -> std::result::Result<(), String> {
        for workout in &spec.workouts {
            if workout.remote_id.trim().parse::<u64>().is_err() {
                return Err(format!(
                    "workout {}: World Triathlon prog_id {:?} must be a number",
                    workout.workout_id, workout.remote_id
                ));
            }
        }
        Ok(())
    }

    fn needs_secret(&self, config: &Value) -> bool {
        config.get("delivery").and_then(Value::as_str) != Some("hosted")
    }

    fn full_state(&self) -> bool {
        true
    }

    fn session(&self) -> Box<dyn AdapterSession> {
        Box::new(LiveTimingSession)
    }
}

struct LiveTimingSession;

impl AdapterSession for LiveTimingSession {
    fn send(&mut self, context: &mut SendContext<'_>, items: &[OutboxItem]) -> Result<BatchResult> {
        push_live_timing(context, items)
    }

    fn preview(&mut self, context: &AdapterContext<'_>, items: &[OutboxItem]) -> Result<Preview> {
        let target = context.target;
        let mut preview = Preview::default();
        for item in items {
            let Some(workout_id) = item.workout_id else {
                continue;
            };
            let Some(prog_id) = context.workout_remote_id(workout_id) else {
                continue;
            };
            let message = build_message(context.file, workout_id, prog_id, &target.config)?;
            let unchanged = context
                .remote
                .get(&item.entity)
                .and_then(|record| record.payload_digest.as_deref())
                == Some(content_digest(&message).as_str());
            preview.changes.push(PreviewChange {
                entity: item.entity.clone(),
                action: if unchanged { "unchanged" } else { "update" }.to_string(),
                before: None,
                after: Some(message.clone()),
                note: None,
            });
            if !unchanged {
                preview
                    .requests
                    .push(rendered_request(&target.endpoint, &target.config, &message));
            }
        }
        Ok(preview)
    }
}

/// World Triathlon: one message per race, only when its content changed,
/// at most one push per `live_timing_interval`.
fn push_live_timing(context: &mut SendContext<'_>, items: &[OutboxItem]) -> Result<BatchResult> {
    let target = context.target;
    let remote = context.remote;
    let hosted_only = target.config.get("delivery").and_then(Value::as_str) == Some("hosted");
    let mut outcomes = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let Some(workout_id) = item.workout_id else {
            outcomes.push((item.id, ItemOutcome::Skipped("not a race".to_string())));
            continue;
        };
        let Some(prog_id) = target
            .workouts
            .iter()
            .find(|workout| workout.workout_id == workout_id)
            .map(|workout| workout.remote_id.clone())
        else {
            outcomes.push((item.id, ItemOutcome::Skipped("race not mapped".to_string())));
            continue;
        };
        let message = render_message(context.file, workout_id, &prog_id, &target.config)?;
        if let Some(feed) = &context.options.hosted_feed {
            feed.update_message(&prog_id, &message);
        }
        let digest = message.content_digest();
        let unchanged = remote
            .get(&item.entity)
            .and_then(|record| record.payload_digest.as_deref())
            == Some(digest.as_str());
        if unchanged {
            outcomes.push((
                item.id,
                ItemOutcome::Skipped("message unchanged".to_string()),
            ));
            continue;
        }
        if hosted_only {
            outcomes.push((
                item.id,
                ItemOutcome::Acked(Some(RemoteRecord {
                    entity: item.entity.clone(),
                    remote_id: None,
                    payload_digest: Some(digest),
                    payload: None,
                })),
            ));
            continue;
        }
        // Rate limit across processes: the last push time is stored
        // before each push.
        let last_push_ms = target
            .remote_state
            .get("last_push_ms")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let interval = context.options.live_timing_interval.as_millis() as i64;
        let now_ms = Utc::now().timestamp_millis();
        let state_now = context.file.sync_target(&target.name)?.remote_state;
        let stored_last = state_now
            .get("last_push_ms")
            .and_then(Value::as_i64)
            .unwrap_or(last_push_ms);
        if now_ms - stored_last < interval {
            std::thread::sleep(std::time::Duration::from_millis(
                (interval - (now_ms - stored_last)) as u64,
            ));
        }
        // Re-render after the wait: changes during it are folded in.
        let message = if now_ms - stored_last < interval {
            render_message(context.file, workout_id, &prog_id, &target.config)?
        } else {
            message
        };
        let mut state = state_now;
        if !state.is_object() {
            state = Value::Object(Default::default());
        }
        state["last_push_ms"] = Value::from(Utc::now().timestamp_millis());
        context.file.set_sync_remote_state(target.id, &state)?;
        let key = idempotency_header(&[item.idempotency_key.as_deref().unwrap_or("")]);
        let result = push(
            context.client,
            &target.endpoint,
            &target.config,
            context.secret.unwrap_or(""),
            &item.entity,
            &key,
            &message,
        );
        // The gap is measured from when the previous push completed, so
        // a slow request cannot bring two arrivals closer than the interval.
        state["last_push_ms"] = Value::from(Utc::now().timestamp_millis());
        context.file.set_sync_remote_state(target.id, &state)?;
        match result {
            BatchResult::Done(mut pushed) => {
                let outcome = pushed.pop().map(|(_, outcome)| outcome);
                outcomes.push((
                    item.id,
                    outcome.unwrap_or(ItemOutcome::Unconfirmed(
                        "Live Timing gave no answer for this race".into(),
                    )),
                ));
            }
            failure if index == 0 && items.len() == 1 => return Ok(failure),
            BatchResult::Rejected { message } => {
                outcomes.push((item.id, ItemOutcome::Rejected(message)))
            }
            BatchResult::Retryable {
                message,
                retry_after,
            } => outcomes.push((
                item.id,
                ItemOutcome::Retry {
                    message,
                    retry_after,
                },
            )),
            BatchResult::Ambiguous { message } => {
                outcomes.push((item.id, ItemOutcome::Unconfirmed(message)))
            }
        }
    }
    Ok(BatchResult::Done(outcomes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The packed sort orders [`rank_segments`]' entries of one segment
    /// as the plain sort does, and falls back to it for values that do not
    /// fit (a negative time, a time too long for the bits the indexes
    /// leave).
    #[test]
    fn the_packed_segment_sort_equals_the_plain_sort() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |bound: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % bound
        };
        let mut keys = Vec::new();
        for round in 0..300 {
            let index_bound = match round % 3 {
                0 => 300,
                1 => 1 << 20,
                _ => u64::from(u32::MAX),
            };
            let mut entries: Vec<(bool, Millis, u32)> = (0..next(300) as usize)
                .map(|_| {
                    (
                        next(5) == 0,
                        // Many ties; round 7 also out of the packed range,
                        // rounds 11 and 14 over the bits left for a time.
                        if round == 7 && next(20) == 0 {
                            -(next(5) as Millis) - 1
                        } else if (round == 11 || round == 14) && next(20) == 0 {
                            (1 << 40) + next(3) as Millis
                        } else {
                            next(40) as Millis * 500
                        },
                        next(index_bound) as u32,
                    )
                })
                .collect();
            entries.sort_unstable_by_key(|entry| entry.2);
            entries.dedup_by_key(|entry| entry.2);
            let mut expected = entries.clone();
            expected.sort_unstable();
            sort_segment(&mut entries, &mut keys);
            assert_eq!(entries, expected, "round {round}");
        }
    }

    #[test]
    fn numbers_written_as_strings_read_as_their_digits() {
        for number in (0..1_200).chain([9_999, 10_000, 4_294_967_295, u64::MAX]) {
            let mut out = JsonOut::with_capacity(24);
            out.number_text(number);
            assert_eq!(
                String::from_utf8(out.bytes).unwrap(),
                format!("\"{number}\"")
            );
        }
    }

    #[test]
    fn whole_seconds_round_up_as_the_standard_shows() {
        let options = Options {
            whole_seconds: true,
        };
        let at = |s: Millis, ms: Millis| duration_text(9 * 60_000 + s * 1000 + ms, &options);
        assert_eq!(at(14, 0), "00:09:14");
        assert_eq!(at(14, 1), "00:09:15");
        assert_eq!(at(14, 500), "00:09:15");
        assert_eq!(at(14, 999), "00:09:15");
        assert_eq!(at(15, 0), "00:09:15");
        let exact = Options {
            whole_seconds: false,
        };
        assert_eq!(duration_text(1_117_911, &exact), "00:18:37.911");
    }

    #[test]
    fn durations_written_straight_out_read_as_duration_text() {
        for whole_seconds in [false, true] {
            let options = Options { whole_seconds };
            let mut values: Vec<Millis> = vec![
                0,
                1,
                999,
                1000,
                1001,
                59_999,
                3_599_999,
                3_600_000,
                99 * 3_600_000 + 3_599_999,
                100 * 3_600_000,
                1234 * 3_600_000 + 61_001,
                -1,
                -1000,
                -61_500,
            ];
            values.extend((0..2_000).map(|step| step * 7_919_113 % 400_000_000));
            for ms in values {
                let mut out = JsonOut::with_capacity(32);
                out.duration(ms, &options);
                assert_eq!(
                    String::from_utf8(out.bytes).unwrap(),
                    format!("\"{}\"", duration_text(ms, &options)),
                    "{ms} ms, whole seconds {whole_seconds}"
                );
            }
        }
    }

    #[test]
    fn statuses_map_to_the_standard_words() {
        assert_eq!(triathlon_status(Status::Dsq), "DSQ");
        assert_eq!(triathlon_status(Status::Wd), "DNF");
        assert_eq!(triathlon_status(Status::Dnq), "NC");
        assert_eq!(triathlon_status(Status::Lap), "LAP");
    }

    #[test]
    fn the_digest_ignores_the_publication_date() {
        let a = json!({"date": "2017-03-04T18:25:11+04:00", "status": "live"});
        let b = json!({"date": "2017-03-04T18:25:12+04:00", "status": "live"});
        let c = json!({"date": "2017-03-04T18:25:12+04:00", "status": "official"});
        assert_eq!(content_digest(&a), content_digest(&b));
        assert_ne!(content_digest(&a), content_digest(&c));
    }
}
