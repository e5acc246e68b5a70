//! Printable results: one A4 PDF per division.
//!
//! A division's PDF has one section per workout (in schedule order) and then
//! the overall standings, each starting on a new page. Every page carries
//! the competition name, the section title, a PROVISIONAL or OFFICIAL mark
//! (the workout's publication state; the overall standings are official only
//! when every workout is), the venue, dates and generation time, and a footer
//! with "Page 3 of 7". Amended results get a `*n` marker and a footnote on the
//! same page with the amendment's timestamp, official, old and new value,
//! reason and appeal reference. Tables switch to landscape A4 when their
//! columns (many splits or workouts) do not fit portrait.
//!
//! The text prints in DejaVu Sans (bundled in the binary), with system
//! fallback fonts for scripts it lacks, embedded as subset Type0 fonts with
//! ToUnicode maps so names in any script print and extract correctly (see
//! `fonts.rs`). No external program is needed.

pub(crate) mod document;
pub(crate) mod fonts;
pub(crate) mod table;
pub(crate) mod text;

pub use fonts::{fallback_font_paths, missing_characters};

use scoretable_core::model::{Id, PublicationState, ScoreType, TieBreak, Workout};
use scoretable_core::time::{format_time, TimeStyle};

use crate::data::{row_place, AmendmentLogEntry, Exporter};
use crate::error::ExportError;
use crate::results_csv::format_time_for;
use document::{Align, PdfBuilder};
use table::{render_section, Cells, Column, Mark, PageHeader, RowSource, TableRow, TableSection};

/// A short description of how a workout is scored, for section subheadings.
pub(crate) fn score_type_text(workout: &Workout) -> String {
    let base = match workout.score_type {
        ScoreType::Time => "For time (lower is better)".to_string(),
        ScoreType::TimeCapped => match workout.time_cap_ms {
            Some(cap) => format!(
                "For time, capped at {} (capped athletes ranked by reps)",
                format_time(cap, TimeStyle::Compact { decimals: 0 })
            ),
            None => "For time with a cap (capped athletes ranked by reps)".to_string(),
        },
        ScoreType::RoundsReps => "Rounds + reps (higher is better)".to_string(),
        ScoreType::Reps => "Reps (higher is better)".to_string(),
        ScoreType::Load => "Load (higher is better)".to_string(),
        ScoreType::Distance => "Distance (higher is better)".to_string(),
        ScoreType::Points => "Points (higher is better)".to_string(),
    };
    match workout.tie_break {
        TieBreak::TieBreakTime => format!("{base}; ties broken by tie-break time"),
        TieBreak::None => base,
    }
}

/// The footnote text of an amendment.
pub(crate) fn amendment_note(entry: &AmendmentLogEntry) -> String {
    let old = if entry.old_value.is_empty() {
        "(none)"
    } else {
        entry.old_value.as_str()
    };
    let mut note = format!(
        "Amended {} by {}: {} -> {}.",
        entry.amended_at, entry.official, old, entry.new_value
    );
    if !entry.reason.is_empty() {
        note.push_str(&format!(" Reason: {}.", entry.reason));
    }
    if let Some(appeal) = &entry.appeal_reference {
        note.push_str(&format!(" Appeal {appeal}."));
    }
    note
}

fn mark_for(state: PublicationState) -> Mark {
    match state {
        PublicationState::Provisional => Mark::Provisional,
        PublicationState::Official => Mark::Official,
    }
}

impl Exporter<'_> {
    fn page_header(&self) -> PageHeader {
        let competition = &self.data.competition;
        let mut details = Vec::new();
        let place = [competition.venue.as_str(), competition.country.as_str()]
            .iter()
            .filter(|part| !part.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        if !place.is_empty() {
            details.push(place);
        }
        match (
            competition.start_date.as_str(),
            competition.end_date.as_str(),
        ) {
            ("", _) => {}
            (start, end) if end.is_empty() || start == end => details.push(start.to_string()),
            (start, end) => details.push(format!("{start} to {end}")),
        }
        details.push(format!("Generated {}", self.data.generated_at_text()));
        PageHeader {
            title: competition.name.clone(),
            details: details.join("  \u{2022}  "),
        }
    }

    fn workouts_in_order(&self) -> Vec<&Workout> {
        let mut workouts: Vec<&Workout> = self.data.workouts.iter().collect();
        workouts.sort_by_key(|workout| (workout.sequence, workout.id));
        workouts
    }

    fn workout_section<'s>(
        &'s self,
        workout: &'s Workout,
        division_id: Option<Id>,
        division_title: &str,
    ) -> Result<TableSection<'s>, ExportError> {
        let board = self.data.board_rows(workout.id, division_id)?;
        let mut timing_points: Vec<_> = workout.timing_points.iter().collect();
        timing_points.sort_by_key(|point| point.order);
        let (mut with_country, mut with_club) = (false, false);
        let names = self.board_names(workout.id, division_id);
        for (index, entrant) in board.iter_entrants().enumerate() {
            let named = names.entrant(index, entrant)?;
            let entrant = named.entrant();
            with_country |= entrant.country().is_some();
            with_club |= entrant.club().is_some();
        }
        // The engine measures differences from the whole field's leader; a
        // division table shows them from the division's leader.
        let leader_difference = board
            .iter()
            .find(|row| row.rank.is_some() && row.status.is_none())
            .and_then(|row| row.difference_ms)
            .unwrap_or(0);
        let behind = move |row: &scoretable_core::model::RankedRow| -> Option<i64> {
            match (row.status, row.rank, row.difference_ms) {
                (None, Some(_), Some(ms)) if ms - leader_difference > 0 => {
                    Some(ms - leader_difference)
                }
                _ => None,
            }
        };
        let with_difference = board.iter().any(|row| behind(&row).is_some());
        let with_tie_break = workout.tie_break == TieBreak::TieBreakTime;
        let with_division = division_id.is_none() && !self.data.divisions.is_empty();

        let mut columns = vec![
            Column::fixed("Pl.", 24.0, Align::Right).bold(),
            Column::fixed("Bib", 28.0, Align::Left),
            Column::flexible("Name", 110.0).bold(),
        ];
        if with_club {
            columns.push(Column::flexible("Club", 70.0).optional());
        }
        if with_country {
            columns.push(Column::fixed("Ctry", 28.0, Align::Left));
        }
        if with_division {
            columns.push(Column::flexible("Division", 60.0).optional());
        }
        columns.push(Column::fixed("Score", 40.0, Align::Right).bold());
        if with_difference {
            columns.push(Column::fixed("Behind", 36.0, Align::Right));
        }
        if with_tie_break {
            columns.push(Column::fixed("Tie-break", 36.0, Align::Right));
        }
        for point in &timing_points {
            columns.push(Column::fixed(&point.name, 30.0, Align::Right));
        }

        let column_count = columns.len();
        let row_count = board.len();
        let make_row = move |index: usize, wanted: Cells| -> Result<TableRow, ExportError> {
            let row = board.get(index).ok_or_else(|| {
                ExportError::render("results PDF", format!("no row {index} on the board"))
            })?;
            let row: &scoretable_core::model::RankedRow = &row;
            let named = names.entrant(index, row.entrant)?;
            let entrant = named.entrant();
            // Flexible columns are not measured: left empty when only the
            // fixed cells are wanted.
            let all = wanted == Cells::All;
            let mut cells = Vec::with_capacity(column_count);
            cells.push(
                row_place(row, division_id)
                    .map(|place| place.to_string())
                    .unwrap_or_default(),
            );
            cells.push(entrant.bib().to_string());
            cells.push(if all {
                entrant.name().into_owned()
            } else {
                String::new()
            });
            if with_club {
                cells.push(if all {
                    entrant.club().unwrap_or_default().to_string()
                } else {
                    String::new()
                });
            }
            if with_country {
                cells.push(entrant.country().unwrap_or_default().to_string());
            }
            if with_division {
                cells.push(if all {
                    self.division_names(entrant.division_ids())
                } else {
                    String::new()
                });
            }
            let mut score = row.display.clone();
            if row.partial {
                score.push_str(" (partial)");
            }
            cells.push(score);
            if with_difference {
                cells.push(
                    behind(row)
                        .map(|ms| format!("+{}", format_time_for(workout, ms)))
                        .unwrap_or_default(),
                );
            }
            if with_tie_break {
                cells.push(
                    row.tie_break_ms
                        .map(|ms| format_time_for(workout, ms))
                        .unwrap_or_default(),
                );
            }
            for point in &timing_points {
                let split = row
                    .splits
                    .iter()
                    .find(|split| split.timing_point_id == point.id);
                cells.push(
                    split
                        .map(|split| format_time_for(workout, split.total_ms))
                        .unwrap_or_default(),
                );
            }
            let footnote = if row.amended && all {
                Some(match self.latest_amendment(workout.id, row.entrant) {
                    Some(entry) => amendment_note(entry),
                    None => "Amended by an official (no log entry in this export).".to_string(),
                })
            } else {
                None
            };
            Ok(TableRow { cells, footnote })
        };
        Ok(TableSection {
            heading: format!(
                "{division_title}  \u{2014}  Workout {}: {}",
                workout.sequence, workout.name
            ),
            subheading: score_type_text(workout),
            mark: mark_for(workout.state),
            columns,
            rows: RowSource::new(row_count, make_row),
        })
    }

    fn overall_section(
        &self,
        division_id: Option<Id>,
        division_title: &str,
    ) -> Result<TableSection<'_>, ExportError> {
        let board = self.data.overall_rows(division_id)?;
        let workouts = self.workouts_in_order();
        let all_official = workouts
            .iter()
            .all(|workout| workout.state == PublicationState::Official);
        let mut with_country = false;
        let names = self.overall_names(&board);
        for (index, row) in board.iter().enumerate() {
            with_country |= names
                .entrant(index, row.entrant)?
                .entrant()
                .country()
                .is_some();
        }
        let mut columns = vec![
            Column::fixed("Pl.", 24.0, Align::Right).bold(),
            Column::fixed("Bib", 28.0, Align::Left),
            Column::flexible("Name", 110.0).bold(),
        ];
        if with_country {
            columns.push(Column::fixed("Ctry", 28.0, Align::Left));
        }
        columns.push(Column::fixed("Total", 44.0, Align::Right).bold());
        for workout in &workouts {
            columns.push(Column::fixed(
                &self.data.overall_heading(workout),
                52.0,
                Align::Right,
            ));
        }
        let team_rule = if workouts
            .iter()
            .any(|workout| scoretable_core::overall::is_team_workout(workout))
        {
            format!(
                " {}",
                scoretable_core::overall::team_rule_sentence(self.data.overall_team_workouts)
            )
        } else {
            String::new()
        };
        let column_count = columns.len();
        let row_count = board.len();
        let section_workouts = workouts.clone();
        let make_row = move |index: usize, wanted: Cells| -> Result<TableRow, ExportError> {
            let workouts = &section_workouts;
            let row = board.get(index);
            let named = names.entrant(index, row.entrant)?;
            let entrant = named.entrant();
            let all = wanted == Cells::All;
            let mut cells = Vec::with_capacity(column_count);
            cells.push(row.rank.to_string());
            cells.push(entrant.bib().to_string());
            cells.push(if all {
                entrant.name().into_owned()
            } else {
                String::new()
            });
            if with_country {
                cells.push(entrant.country().unwrap_or_default().to_string());
            }
            cells.push(row.total.to_string());
            let mut amended_workouts = Vec::new();
            for workout in workouts.iter() {
                let cell = row.cells.iter().find(|cell| cell.workout_id == workout.id);
                cells.push(match cell {
                    Some(cell) => match cell.rank {
                        Some(rank) if cell.points != i64::from(rank) => {
                            format!("{rank} ({})", cell.points)
                        }
                        Some(rank) => rank.to_string(),
                        None => cell.display.clone(),
                    },
                    None => String::new(),
                });
                if !all {
                    continue;
                }
                if let Some(entry) = self.latest_amendment(workout.id, row.entrant) {
                    amended_workouts.push(format!("{} amended {}", workout.name, entry.amended_at));
                }
            }
            let footnote = if amended_workouts.is_empty() {
                None
            } else {
                Some(format!(
                    "Includes amended results: {}.",
                    amended_workouts.join("; ")
                ))
            };
            Ok(TableRow { cells, footnote })
        };
        Ok(TableSection {
            heading: format!("{division_title}  \u{2014}  Overall standings"),
            subheading: format!(
                "Cells show the workout place, with the points earned in brackets when they differ.{team_rule}"
            ),
            mark: if all_official {
                Mark::Official
            } else {
                Mark::Provisional
            },
            columns,
            rows: RowSource::new(row_count, make_row),
        })
    }

    /// The printable results of one division (or the whole field, `None`):
    /// every workout, then the overall standings when the snapshot has them.
    pub fn division_results_pdf(&self, division_id: Option<Id>) -> Result<Vec<u8>, ExportError> {
        let mut bytes = Vec::new();
        let rendered = self.write_division_results_pdf(division_id, &mut bytes);
        self.data.check_scratch()?;
        rendered?;
        Ok(bytes)
    }

    /// [`Exporter::division_results_pdf`] written into `out` as it is made,
    /// one PDF object (a page's content, a footer, a font) at a time, so a
    /// document of thousands of pages is never held whole. Nothing is
    /// written when there is nothing to print (the error comes first).
    pub fn write_division_results_pdf(
        &self,
        division_id: Option<Id>,
        out: &mut dyn std::io::Write,
    ) -> Result<(), ExportError> {
        let division_title = match division_id {
            Some(id) => self.data.division(id)?.name.clone(),
            None => "All competitors".to_string(),
        };
        let header = self.page_header();
        let title = format!(
            "{} \u{2014} {} results",
            self.data.competition.name, division_title
        );
        let footer = format!(
            "{}  \u{2022}  {}  \u{2022}  Generated {} by Scoretable",
            self.data.competition.name,
            division_title,
            self.data.generated_at_text()
        );
        let mut builder = PdfBuilder::writing_into(&title, &footer, self.data.generated_at, out);
        for workout in self.workouts_in_order() {
            if !self.data.has_workout_leaderboard(workout.id, division_id) {
                continue;
            }
            let section = self.workout_section(workout, division_id, &division_title)?;
            render_section(&mut builder, &header, &section)?;
        }
        if self.data.overall_rows(division_id).is_ok() {
            let section = self.overall_section(division_id, &division_title)?;
            render_section(&mut builder, &header, &section)?;
        }
        if builder.page_count() == 0 {
            return Err(ExportError::MissingLeaderboard {
                workout_id: None,
                division_id,
            });
        }
        builder.finish().map(|_| ())
    }
}
