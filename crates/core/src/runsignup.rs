//! Results in the shapes RunSignup's "Post Event Results" accepts, for manual upload.
//!
//! One file per workout, in any of RunSignup's three request formats:
//!
//! - CSV: a header row of field names, then one result per row;
//! - JSON: `{"results": [{"bib": 123, "place": 1, "clock_time": "17:00.1", ...}]}`;
//! - XML: `<request><result><field><name>bib</name><value>123</value></field>...</result></request>`.
//!
//! Fields, in this order:
//!
//! - `place`: the place on the exported leaderboard (the whole field by
//!   default); empty (CSV) or absent (JSON, XML) for statuses;
//! - `bib`: the bib number (a JSON number when it is one, else a string);
//! - `registration_id`: present only when at least one entrant has a RunSignup
//!   registration id, so RunSignup can match registrants exactly;
//! - `first_name`, `last_name`: RunSignup needs them when it cannot match a
//!   registrant, and ignores them for registrants it matches;
//! - `clock_time`, `chip_time`: the official time. Scoretable records one
//!   official time per result (the one it ranks on, after penalties and the
//!   event's rounding), so both fields carry it. It is written `m:ss.s` below
//!   an hour and `h:mm:ss.s` from an hour on, with one decimal as RunSignup's
//!   examples show; a time with finer digits is rounded **up** to the next
//!   tenth, as timing rules require when precision is reduced. For a status
//!   both fields carry the status code;
//! - `split-<split id>`: one per timing point, the cumulative time at that
//!   point in the same format. The split id is RunSignup's (from "Get Splits
//!   for Result Sets"); see [`RunSignupOptions::split_ids`]. A split the
//!   entrant did not reach is left blank, which RunSignup treats as "do not
//!   change" (never `X`, which would clear it);
//! - `split-<split id>-place` (with [`RunSignupOptions::split_places`]):
//!   after each split, the entrant's position at that timing point among
//!   everyone who reached it (the whole field, whatever the exported
//!   leaderboard); blank when the entrant did not reach it;
//! - `division-<division id>-place`: only for the divisions given in
//!   [`RunSignupOptions::division_ids`], with RunSignup's division ids;
//! - `custom-field-<custom field id>`: only for the custom fields given in
//!   [`RunSignupOptions::custom_fields`], each filled from one entrant field
//!   ([`RunSignupCustomField`]: club, country or gender); blank when the
//!   entrant has none.
//!
//! Not written: `result_id` (RunSignup's id of an existing result, which a
//! manual upload does not know; the sync adapter adds it once RunSignup has
//! told it), `chip_num` (chip ids stay out of exports) and personal fields
//! such as date of birth or age.
//!
//! Statuses: RunSignup accepts `DQ`, `DNS`, `DNF` and `DNQ`. Scoretable's
//! `DSQ` is written `DQ`. `LAP`, `NC` and `WD` have no RunSignup equivalent;
//! by default ([`RunSignupStatusPolicy::Reject`]) the export fails and names
//! the first entrant with such a status, so nobody uploads a status RunSignup
//! would misread. With [`RunSignupStatusPolicy::MapToNearest`] they are
//! written as the nearest accepted status: `LAP` (lapped out) and `NC` (not
//! classified) as `DNF`, because the athlete started but has no valid
//! finish; `WD` (withdrawn) as `DNS`, because withdrawal is recorded before
//! the start.
//!
//! Score types: RunSignup results are times, so only `Time` and `TimeCapped`
//! workouts can be exported. In a time-capped workout an athlete who hit the
//! cap has no finish time; they keep their place and get `DNF` in both time
//! fields (RunSignup has no field for reps). Other score types fail with
//! [`RunSignupRefusal::ScoreType`].

//!
//! This module is the pure field renderer: the export crate writes these
//! results as upload files, the sync crate sends them (see
//! `scoretable-export`'s `runsignup` and `scoretable-sync`'s `runsignup`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::model::{
    gender_text, row_place, Entrant, Gender, Id, Millis, RankedRow, Rounding, Score, ScoreType,
    Status, Workout,
};
use crate::time::{format_time, round_time, TimeStyle};

/// What to do with statuses RunSignup does not accept (`LAP`, `NC`, `WD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunSignupStatusPolicy {
    /// Fail with an error naming the entrant.
    #[default]
    Reject,
    /// `LAP` and `NC` become `DNF`, `WD` becomes `DNS`.
    MapToNearest,
}

/// Choices for a RunSignup export.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RunSignupOptions {
    /// Export this division's leaderboard instead of the whole field.
    pub division_id: Option<Id>,
    pub status_policy: RunSignupStatusPolicy,
    /// RunSignup split ids by Scoretable timing point id. `None` writes every
    /// timing point under its Scoretable id, which is right when the timing
    /// points were created from RunSignup's splits with the same ids. With a
    /// map, only the mapped timing points are written.
    pub split_ids: Option<BTreeMap<Id, String>>,
    /// RunSignup division ids by Scoretable division id; each mapped division
    /// gets a `division-<id>-place` field with the entrant's division place.
    pub division_ids: BTreeMap<Id, String>,
    /// Write `split-<id>-place` after each split field.
    pub split_places: bool,
    /// Entrant fields to write as `custom-field-<id>`, by RunSignup custom
    /// field id.
    pub custom_fields: BTreeMap<String, RunSignupCustomField>,
}

/// An entrant field a RunSignup custom field can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunSignupCustomField {
    Club,
    /// The country code as entered (e.g. `IRL`).
    Country,
    /// `Female`, `Male`, `Mixed` or `Other`.
    Gender,
}

impl RunSignupCustomField {
    /// Parses `club`, `country` or `gender` (any case).
    pub fn parse(text: &str) -> Option<RunSignupCustomField> {
        match text.trim().to_ascii_lowercase().as_str() {
            "club" => Some(RunSignupCustomField::Club),
            "country" => Some(RunSignupCustomField::Country),
            "gender" => Some(RunSignupCustomField::Gender),
            _ => None,
        }
    }
}

/// One RunSignup result: field names and values in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSignupResult {
    pub fields: Vec<(String, RunSignupValue)>,
}

/// A field value; numbers are written unquoted in JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunSignupValue {
    Number(String),
    Text(String),
    /// No value: an empty CSV cell, and the field is left out of JSON and XML.
    Blank,
}

impl RunSignupValue {
    /// The value as CSV and XML write it (empty for blank).
    pub fn as_text(&self) -> &str {
        match self {
            RunSignupValue::Number(text) | RunSignupValue::Text(text) => text,
            RunSignupValue::Blank => "",
        }
    }
}

/// The RunSignup code for a status, or `None` when RunSignup has none.
pub fn runsignup_status_code(status: Status) -> Option<&'static str> {
    match status {
        Status::Dsq => Some("DQ"),
        Status::Dns => Some("DNS"),
        Status::Dnf => Some("DNF"),
        Status::Dnq => Some("DNQ"),
        Status::Lap | Status::Nc | Status::Wd => None,
    }
}

/// The nearest RunSignup code for a status RunSignup does not accept.
fn nearest_runsignup_status_code(status: Status) -> &'static str {
    match status {
        Status::Lap | Status::Nc => "DNF",
        Status::Wd => "DNS",
        other => runsignup_status_code(other).unwrap_or("DNF"),
    }
}

/// A time as RunSignup takes it: `m:ss.s` or `h:mm:ss.s`, rounded up to the tenth.
pub fn runsignup_time(ms: Millis) -> String {
    format_time(
        round_time(ms, Rounding::Up { unit_ms: 100 }),
        TimeStyle::Compact { decimals: 1 },
    )
}

fn is_json_number(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 15
        && text.bytes().all(|byte| byte.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'))
}

/// What a RunSignup renderer needs to know about one entrant.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunSignupEntrant {
    pub bib: String,
    /// `First Last` (competitors) or the team name.
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub gender: Option<Gender>,
    pub country: Option<String>,
    pub club: Option<String>,
    pub registration_id: Option<String>,
}

/// Why a workout or a row cannot go to RunSignup.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunSignupRefusal {
    #[error(
        "workout \"{workout}\" is scored as {score_type:?}; RunSignup results take times only, \
         so only Time and TimeCapped workouts can be exported for RunSignup"
    )]
    ScoreType {
        workout: String,
        score_type: ScoreType,
    },
    #[error(
        "workout \"{workout}\": bib {bib} ({name}) has status {status}, which RunSignup does not \
         accept (it takes DQ, DNS, DNF and DNQ); choose RunSignupStatusPolicy::MapToNearest to \
         export LAP and NC as DNF and WD as DNS, or amend the status first"
    )]
    Status {
        workout: String,
        bib: String,
        name: String,
        status: Status,
    },
}

/// Checks that `workout` is a time workout RunSignup can take.
pub fn check_score_type(workout: &Workout) -> Result<(), RunSignupRefusal> {
    if matches!(workout.score_type, ScoreType::Time | ScoreType::TimeCapped) {
        Ok(())
    } else {
        Err(RunSignupRefusal::ScoreType {
            workout: workout.name.clone(),
            score_type: workout.score_type,
        })
    }
}

/// The RunSignup results of `rows` (one leaderboard of `workout`, in
/// order), handed to `each` one at a time. `entrant_of` gives each row's
/// entrant; an error it returns, and a refused status under
/// [`RunSignupStatusPolicy::Reject`], stop the rendering.
pub fn for_each_result<E: From<RunSignupRefusal>>(
    workout: &Workout,
    rows: &[RankedRow],
    options: &RunSignupOptions,
    entrant_of: &dyn Fn(Entrant) -> Result<RunSignupEntrant, E>,
    each: &mut dyn FnMut(RunSignupResult) -> Result<(), E>,
) -> Result<(), E> {
    for_each_result_of(
        workout,
        rows.iter().map(|row| row.entrant),
        rows.iter(),
        options,
        entrant_of,
        each,
    )
}

/// [`for_each_result`] over rows an iterator makes, so a caller can make
/// the rows as they are rendered instead of holding a whole leaderboard;
/// `entrants` are the rows' entrants in the same order (read before the
/// rows, to know whether any has a registration id).
pub fn for_each_result_of<E, R>(
    workout: &Workout,
    mut entrants: impl Iterator<Item = Entrant>,
    rows: impl Iterator<Item = R>,
    options: &RunSignupOptions,
    entrant_of: &dyn Fn(Entrant) -> Result<RunSignupEntrant, E>,
    each: &mut dyn FnMut(RunSignupResult) -> Result<(), E>,
) -> Result<(), E>
where
    E: From<RunSignupRefusal>,
    R: std::borrow::Borrow<RankedRow>,
{
    check_score_type(workout)?;
    let mut timing_points: Vec<_> = workout.timing_points.iter().collect();
    timing_points.sort_by_key(|point| point.order);
    let split_fields: Vec<(Id, String)> = timing_points
        .iter()
        .filter_map(|point| match &options.split_ids {
            None => Some((point.id, format!("split-{}", point.id))),
            Some(map) => map
                .get(&point.id)
                .map(|id| (point.id, format!("split-{id}"))),
        })
        .collect();
    let with_registration_ids = entrants.any(|entrant| {
        entrant_of(entrant)
            .map(|entrant| entrant.registration_id.is_some())
            .unwrap_or(false)
    });
    for row in rows {
        let row: &RankedRow = row.borrow();
        let entrant = entrant_of(row.entrant)?;
        let time_value = match (row.status, row.score) {
            (Some(status), _) => {
                let code = match (runsignup_status_code(status), options.status_policy) {
                    (Some(code), _) => code,
                    (None, RunSignupStatusPolicy::MapToNearest) => {
                        nearest_runsignup_status_code(status)
                    }
                    (None, RunSignupStatusPolicy::Reject) => {
                        return Err(RunSignupRefusal::Status {
                            workout: workout.name.clone(),
                            bib: entrant.bib.clone(),
                            name: entrant.name.clone(),
                            status,
                        }
                        .into())
                    }
                };
                RunSignupValue::Text(code.to_string())
            }
            (None, Some(Score::Time { ms })) => RunSignupValue::Text(runsignup_time(ms)),
            (None, Some(Score::Capped { .. })) => RunSignupValue::Text("DNF".to_string()),
            (None, _) => RunSignupValue::Blank,
        };
        let place = match row.status {
            Some(_) => None,
            None => row_place(row, options.division_id),
        };
        let mut fields = Vec::with_capacity(8 + split_fields.len());
        fields.push((
            "place".to_string(),
            place.map_or(RunSignupValue::Blank, |place| {
                RunSignupValue::Number(place.to_string())
            }),
        ));
        let bib = if is_json_number(&entrant.bib) {
            RunSignupValue::Number(entrant.bib.clone())
        } else if entrant.bib.is_empty() {
            RunSignupValue::Blank
        } else {
            RunSignupValue::Text(entrant.bib.clone())
        };
        fields.push(("bib".to_string(), bib));
        if with_registration_ids {
            let registration = match &entrant.registration_id {
                Some(id) if is_json_number(id) => RunSignupValue::Number(id.clone()),
                Some(id) => RunSignupValue::Text(id.clone()),
                None => RunSignupValue::Blank,
            };
            fields.push(("registration_id".to_string(), registration));
        }
        fields.push((
            "first_name".to_string(),
            RunSignupValue::Text(entrant.first_name.clone()),
        ));
        fields.push((
            "last_name".to_string(),
            RunSignupValue::Text(entrant.last_name.clone()),
        ));
        fields.push(("clock_time".to_string(), time_value.clone()));
        fields.push(("chip_time".to_string(), time_value));
        for (timing_point_id, field_name) in &split_fields {
            let value = row
                .splits
                .iter()
                .find(|split| split.timing_point_id == *timing_point_id)
                .map_or(RunSignupValue::Blank, |split| {
                    RunSignupValue::Text(runsignup_time(split.total_ms))
                });
            fields.push((field_name.clone(), value));
            if options.split_places {
                let position = row
                    .splits
                    .iter()
                    .find(|split| split.timing_point_id == *timing_point_id)
                    .map_or(RunSignupValue::Blank, |split| {
                        RunSignupValue::Number(split.position.to_string())
                    });
                fields.push((format!("{field_name}-place"), position));
            }
        }
        for (division_id, runsignup_division_id) in &options.division_ids {
            let division_place = if row.status.is_some() || row.rank.is_none() {
                None
            } else {
                row.division_ranks
                    .iter()
                    .find(|(id, _)| id == division_id)
                    .map(|(_, place)| *place)
            };
            fields.push((
                format!("division-{runsignup_division_id}-place"),
                division_place.map_or(RunSignupValue::Blank, |place| {
                    RunSignupValue::Number(place.to_string())
                }),
            ));
        }
        for (custom_field_id, source) in &options.custom_fields {
            let value = match source {
                RunSignupCustomField::Club => entrant.club.clone(),
                RunSignupCustomField::Country => entrant.country.clone(),
                RunSignupCustomField::Gender => entrant
                    .gender
                    .map(|gender| gender_text(Some(gender)).to_string()),
            };
            fields.push((
                format!("custom-field-{custom_field_id}"),
                match value {
                    Some(text) if !text.is_empty() => RunSignupValue::Text(text),
                    _ => RunSignupValue::Blank,
                },
            ));
        }
        each(RunSignupResult { fields })?;
    }
    Ok(())
}

/// The CSV header for a workout with no results yet.
pub fn empty_header(workout: &Workout, options: &RunSignupOptions) -> Vec<String> {
    let mut header: Vec<String> = [
        "place",
        "bib",
        "first_name",
        "last_name",
        "clock_time",
        "chip_time",
    ]
    .iter()
    .map(|name| name.to_string())
    .collect();
    let mut timing_points: Vec<_> = workout.timing_points.iter().collect();
    timing_points.sort_by_key(|point| point.order);
    for point in timing_points {
        match &options.split_ids {
            None => header.push(format!("split-{}", point.id)),
            Some(map) => {
                if let Some(id) = map.get(&point.id) {
                    header.push(format!("split-{id}"));
                }
            }
        }
    }
    for runsignup_division_id in options.division_ids.values() {
        header.push(format!("division-{runsignup_division_id}-place"));
    }
    header
}

/// Writes `{"results": [...]}` result by result, one object per line,
/// fields in RunSignup order, numbers unquoted, blank fields left out.
pub struct JsonResults<W: Write> {
    out: W,
    first: bool,
    line: Vec<u8>,
}

impl<W: Write> JsonResults<W> {
    pub fn new(mut out: W) -> std::io::Result<Self> {
        out.write_all(b"{\"results\": [")?;
        Ok(JsonResults {
            out,
            first: true,
            line: Vec::with_capacity(512),
        })
    }

    pub fn result(&mut self, result: &RunSignupResult) -> std::io::Result<()> {
        let bytes = &mut self.line;
        bytes.clear();
        bytes.extend_from_slice(if self.first { b"\n  {" } else { b",\n  {" });
        self.first = false;
        let mut first_field = true;
        for (name, value) in &result.fields {
            if matches!(value, RunSignupValue::Blank) {
                continue;
            }
            if !first_field {
                bytes.extend_from_slice(b", ");
            }
            first_field = false;
            serde_json::to_writer(&mut *bytes, name)?;
            bytes.extend_from_slice(b": ");
            match value {
                RunSignupValue::Number(text) if is_json_number(text) => {
                    bytes.extend_from_slice(text.as_bytes())
                }
                RunSignupValue::Number(text) | RunSignupValue::Text(text) => {
                    serde_json::to_writer(&mut *bytes, text)?
                }
                RunSignupValue::Blank => {}
            }
        }
        bytes.push(b'}');
        self.out.write_all(bytes)
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        self.out.write_all(b"\n]}\n")
    }
}

/// Writes `<request><result><field><name>..</name><value>..</value></field>...`
/// result by result, blank fields left out.
pub struct XmlResults<W: Write> {
    out: W,
    text: String,
}

impl<W: Write> XmlResults<W> {
    pub fn new(mut out: W) -> std::io::Result<Self> {
        out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<request>\n")?;
        Ok(XmlResults {
            out,
            text: String::with_capacity(1024),
        })
    }

    pub fn result(&mut self, result: &RunSignupResult) -> std::io::Result<()> {
        let xml = &mut self.text;
        xml.clear();
        xml.push_str("\t<result>\n");
        for (name, value) in &result.fields {
            if matches!(value, RunSignupValue::Blank) {
                continue;
            }
            xml.push_str("\t\t<field>\n\t\t\t<name>");
            escape_xml_into(xml, name);
            xml.push_str("</name>\n\t\t\t<value>");
            escape_xml_into(xml, value.as_text());
            xml.push_str("</value>\n\t\t</field>\n");
        }
        xml.push_str("\t</result>\n");
        self.out.write_all(xml.as_bytes())
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        self.out.write_all(b"</request>\n")
    }
}

/// The JSON request body of `results` (see [`JsonResults`]).
pub fn render_json(results: &[RunSignupResult]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(32 + results.len() * 320);
    // Writing into memory cannot fail.
    if let Ok(mut writer) = JsonResults::new(&mut bytes) {
        for result in results {
            let _ = writer.result(result);
        }
        let _ = writer.finish();
    }
    bytes
}

/// The XML request body of `results` (see [`XmlResults`]).
pub fn render_xml(results: &[RunSignupResult]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(64 + results.len() * 400);
    if let Ok(mut writer) = XmlResults::new(&mut bytes) {
        for result in results {
            let _ = writer.result(result);
        }
        let _ = writer.finish();
    }
    bytes
}

/// Appends `text` to `xml` with the five XML special characters escaped and
/// characters XML 1.0 cannot carry dropped.
pub fn escape_xml_into(xml: &mut String, text: &str) {
    for character in text.chars() {
        match character {
            '&' => xml.push_str("&amp;"),
            '<' => xml.push_str("&lt;"),
            '>' => xml.push_str("&gt;"),
            '"' => xml.push_str("&quot;"),
            '\'' => xml.push_str("&apos;"),
            '\t' | '\n' | '\r' => {
                let _ = write!(xml, "&#{};", character as u32);
            }
            control if (control as u32) < 0x20 => {}
            other => xml.push(other),
        }
    }
}
