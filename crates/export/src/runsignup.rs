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
//! [`ExportError::RunSignupScoreType`].

//!
//! The fields and statuses are rendered by `scoretable_core::runsignup`
//! (shared with the sync adapter); this module writes them as files.

use std::io::Write;

use scoretable_core::model::{Entrant, Id};
use scoretable_core::runsignup::{empty_header, JsonResults, RunSignupEntrant, XmlResults};
pub use scoretable_core::runsignup::{
    runsignup_status_code, runsignup_time, RunSignupCustomField, RunSignupOptions, RunSignupResult,
    RunSignupStatusPolicy, RunSignupValue,
};

use crate::csv_safety::SafeCsvWriter;
use crate::data::Exporter;
use crate::error::ExportError;
use crate::request::RunSignupFormat;

/// The three request bodies of one workout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSignupFiles {
    pub csv: Vec<u8>,
    pub json: Vec<u8>,
    pub xml: Vec<u8>,
}

impl Exporter<'_> {
    /// The RunSignup results of one workout, field by field.
    pub fn runsignup_results(
        &self,
        workout_id: Id,
        options: &RunSignupOptions,
    ) -> Result<Vec<RunSignupResult>, ExportError> {
        let mut results = Vec::new();
        self.for_each_runsignup_result(workout_id, options, &mut |result| {
            results.push(result);
            Ok(())
        })?;
        Ok(results)
    }

    /// Checks that the workout can go to RunSignup under `options`: a time
    /// workout with a leaderboard and, unless statuses are mapped, no status
    /// RunSignup refuses. The error is the one rendering would give.
    pub fn runsignup_check(
        &self,
        workout_id: Id,
        options: &RunSignupOptions,
    ) -> Result<(), ExportError> {
        self.for_each_runsignup_result(workout_id, options, &mut |_| Ok(()))
    }

    /// The RunSignup results of one workout, handed to `each` one at a time
    /// in leaderboard order, so a writer can stream them.
    fn for_each_runsignup_result(
        &self,
        workout_id: Id,
        options: &RunSignupOptions,
        each: &mut dyn FnMut(RunSignupResult) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        let workout = self.data.workout(workout_id)?;
        scoretable_core::runsignup::check_score_type(workout)?;
        let board = self.data.board_rows(workout_id, options.division_id)?;
        // Both walks (the registration ids, then the rows) read the board
        // in listing order: the name at the next row, or at the first when
        // a walk begins again; any other call is looked up by id.
        let names = self.board_names(workout_id, options.division_id);
        let next = std::cell::Cell::new(0usize);
        let entrant_of = |entrant: Entrant| -> Result<RunSignupEntrant, ExportError> {
            let at = next.get();
            let named = match names.entrant(at, entrant) {
                Ok(named) => {
                    next.set(at + 1);
                    named
                }
                Err(_) => match names.entrant(0, entrant) {
                    Ok(named) if at > 0 => {
                        next.set(1);
                        named
                    }
                    _ => self.directory.entrant(entrant)?,
                },
            };
            let display = named.entrant().display();
            Ok(RunSignupEntrant {
                bib: display.bib,
                name: display.name,
                first_name: display.first_name,
                last_name: display.last_name,
                gender: display.gender,
                country: display.country,
                club: display.club,
                registration_id: display.runsignup_registration_id,
            })
        };
        scoretable_core::runsignup::for_each_result_of(
            workout,
            board.iter_entrants(),
            board.iter(),
            options,
            &entrant_of,
            each,
        )
    }

    /// RunSignup's CSV request body for one workout.
    pub fn runsignup_csv(
        &self,
        workout_id: Id,
        options: &RunSignupOptions,
    ) -> Result<Vec<u8>, ExportError> {
        self.runsignup_bytes(workout_id, RunSignupFormat::Csv, options)
    }

    /// RunSignup's JSON request body (`{"results": [...]}`) for one workout.
    pub fn runsignup_json(
        &self,
        workout_id: Id,
        options: &RunSignupOptions,
    ) -> Result<Vec<u8>, ExportError> {
        self.runsignup_bytes(workout_id, RunSignupFormat::Json, options)
    }

    /// RunSignup's XML request body (`<request><result><field>...`) for one workout.
    pub fn runsignup_xml(
        &self,
        workout_id: Id,
        options: &RunSignupOptions,
    ) -> Result<Vec<u8>, ExportError> {
        self.runsignup_bytes(workout_id, RunSignupFormat::Xml, options)
    }

    fn runsignup_bytes(
        &self,
        workout_id: Id,
        format: RunSignupFormat,
        options: &RunSignupOptions,
    ) -> Result<Vec<u8>, ExportError> {
        let mut bytes = Vec::new();
        let rendered = self.write_runsignup(workout_id, format, options, &mut bytes);
        self.data.check_scratch()?;
        rendered?;
        Ok(bytes)
    }

    /// All three RunSignup request bodies of one workout.
    pub fn runsignup_files(
        &self,
        workout_id: Id,
        options: &RunSignupOptions,
    ) -> Result<RunSignupFiles, ExportError> {
        Ok(RunSignupFiles {
            csv: self.runsignup_csv(workout_id, options)?,
            json: self.runsignup_json(workout_id, options)?,
            xml: self.runsignup_xml(workout_id, options)?,
        })
    }

    /// One RunSignup request body written into `out` result by result.
    pub fn write_runsignup(
        &self,
        workout_id: Id,
        format: RunSignupFormat,
        options: &RunSignupOptions,
        out: &mut dyn Write,
    ) -> Result<(), ExportError> {
        match format {
            RunSignupFormat::Csv => {
                let mut writer = SafeCsvWriter::to_writer(&mut *out);
                let mut header_written = false;
                self.for_each_runsignup_result(workout_id, options, &mut |result| {
                    if !header_written {
                        writer.write_row(result.fields.iter().map(|(name, _)| name.as_str()))?;
                        header_written = true;
                    }
                    writer.write_row(result.fields.iter().map(|(_, value)| value.as_text()))
                })?;
                if !header_written {
                    let workout = self.data.workout(workout_id)?;
                    writer.write_row(empty_header(workout, options))?;
                }
                writer.finish()
            }
            RunSignupFormat::Json => {
                let error = |error| ExportError::render("RunSignup JSON", error);
                let mut json = JsonResults::new(out).map_err(error)?;
                self.for_each_runsignup_result(workout_id, options, &mut |result| {
                    json.result(&result).map_err(error)
                })?;
                json.finish().map_err(error)
            }
            RunSignupFormat::Xml => {
                let error = |error| ExportError::render("RunSignup XML", error);
                let mut xml = XmlResults::new(out).map_err(error)?;
                self.for_each_runsignup_result(workout_id, options, &mut |result| {
                    xml.result(&result).map_err(error)
                })?;
                xml.finish().map_err(error)
            }
        }
    }
}

/// Writes `{"results": [...]}` with one result object per line, fields in
/// RunSignup order, numbers unquoted and blank fields left out.
pub fn render_runsignup_json(results: &[RunSignupResult]) -> Result<Vec<u8>, ExportError> {
    Ok(scoretable_core::runsignup::render_json(results))
}

/// Writes `<request><result><field><name>..</name><value>..</value></field>...`,
/// blank fields left out.
pub fn render_runsignup_xml(results: &[RunSignupResult]) -> Vec<u8> {
    scoretable_core::runsignup::render_xml(results)
}
