//! Results as CSV: one file per workout and division, and overall.
//!
//! Workout files have the columns
//!
//! `rank, bib, name, gender, division, score, status, tie_break, split:<timing point>..., amended`
//!
//! - `rank` is the place on this leaderboard (the division place on a
//!   division leaderboard), empty for statuses and missing results;
//! - `score` is the score as leaderboards show it (`12:03.4`, `CAP+41`,
//!   `5+12`, `DNF`), which reads back with the core score parser;
//! - `status` is the status code (`DNF`, `DSQ`, ...) or empty;
//! - `tie_break` is the tie-break time or empty;
//! - one `split:<name>` column per timing point, in course order, holding the
//!   cumulative time at that point or empty when it was not reached;
//! - `amended` is `yes` when an official amendment set the result.
//!
//! Overall files have `rank, bib, name, gender, division, total`, then for
//! every workout `<workout>: rank`, `<workout>: score` and `<workout>: points`,
//! and `amended` (`yes` when any of the entrant's results was amended).
//!
//! Every cell goes through [`crate::csv_safety::neutralize_cell`].

use std::io::Write;

use scoretable_core::model::{Id, Millis, Workout};
use scoretable_core::score::format_workout_time;

use crate::csv_safety::SafeCsvWriter;
use crate::data::{gender_text, row_place, Exporter, OverallRows};
use crate::error::ExportError;
use scoretable_core::overall::OverallEntrants;

/// The header of the split column for a timing point called `name`.
pub fn split_column_name(name: &str) -> String {
    format!("split:{name}")
}

/// Formats a split or tie-break time the way the workout shows times.
pub(crate) fn format_time_for(workout: &Workout, ms: Millis) -> String {
    format_workout_time(workout.rounding, ms)
}

impl Exporter<'_> {
    /// The CSV of one workout's leaderboard for the whole field (`None`) or one division.
    pub fn workout_results_csv(
        &self,
        workout_id: Id,
        division_id: Option<Id>,
    ) -> Result<Vec<u8>, ExportError> {
        let mut bytes = Vec::new();
        let rendered = self.write_workout_results_csv(workout_id, division_id, &mut bytes);
        self.data.check_scratch()?;
        rendered?;
        Ok(bytes)
    }

    /// [`Exporter::workout_results_csv`] written into `out` row by row.
    pub fn write_workout_results_csv(
        &self,
        workout_id: Id,
        division_id: Option<Id>,
        out: &mut dyn Write,
    ) -> Result<(), ExportError> {
        let workout = self.data.workout(workout_id)?;
        let board = self.data.board_rows(workout_id, division_id)?;
        let division_name = match division_id {
            Some(id) => Some(self.data.division(id)?.name.clone()),
            None => None,
        };
        let mut timing_points: Vec<_> = workout.timing_points.iter().collect();
        timing_points.sort_by_key(|point| point.order);

        let mut writer = SafeCsvWriter::to_writer(out);
        let mut header: Vec<String> = [
            "rank",
            "bib",
            "name",
            "gender",
            "division",
            "score",
            "status",
            "tie_break",
        ]
        .iter()
        .map(|name| name.to_string())
        .collect();
        header.extend(
            timing_points
                .iter()
                .map(|point| split_column_name(&point.name)),
        );
        header.push("amended".to_string());
        writer.write_row(&header)?;

        let mut cells: Vec<String> = Vec::with_capacity(header.len());
        let names = self.board_names(workout_id, division_id);
        for (index, row) in board.iter().enumerate() {
            let row = row.as_ref();
            let named = names.entrant(index, row.entrant)?;
            let entrant = named.entrant();
            cells.clear();
            cells.push(
                row_place(row, division_id)
                    .map(|place| place.to_string())
                    .unwrap_or_default(),
            );
            cells.push(entrant.bib().to_string());
            cells.push(entrant.name().into_owned());
            cells.push(gender_text(entrant.gender()).to_string());
            cells.push(match &division_name {
                Some(name) => name.clone(),
                None => self.division_names(entrant.division_ids()),
            });
            cells.push(row.display.clone());
            cells.push(
                row.status
                    .map(|status| status.code().to_string())
                    .unwrap_or_default(),
            );
            cells.push(
                row.tie_break_ms
                    .map(|ms| format_time_for(workout, ms))
                    .unwrap_or_default(),
            );
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
            cells.push(if row.amended { "yes" } else { "no" }.to_string());
            writer.write_row(&cells)?;
        }
        writer.finish()
    }

    /// The CSV of the overall leaderboard for the whole field (`None`) or one division.
    pub fn overall_results_csv(&self, division_id: Option<Id>) -> Result<Vec<u8>, ExportError> {
        let mut bytes = Vec::new();
        let rendered = self.write_overall_results_csv(division_id, &mut bytes);
        self.data.check_scratch()?;
        rendered?;
        Ok(bytes)
    }

    /// [`Exporter::overall_results_csv`] written into `out` row by row.
    pub fn write_overall_results_csv(
        &self,
        division_id: Option<Id>,
        out: &mut dyn Write,
    ) -> Result<(), ExportError> {
        let board = self.data.overall_rows(division_id)?;
        self.write_overall_table_csv(board, OverallEntrants::Competitors, division_id, out)
    }

    /// The CSV of a mixed event's team overall leaderboard (teams ranked on
    /// their team workouts; individual workouts headed `(individual, not
    /// counted)`), whole field (`None`) or one division, written into `out`
    /// row by row. The same columns as [`Exporter::write_overall_results_csv`].
    pub fn write_team_overall_results_csv(
        &self,
        division_id: Option<Id>,
        out: &mut dyn Write,
    ) -> Result<(), ExportError> {
        let board = self.data.team_overall_rows(division_id)?;
        self.write_overall_table_csv(board, OverallEntrants::Teams, division_id, out)
    }

    fn write_overall_table_csv(
        &self,
        board: OverallRows<'_>,
        kind: OverallEntrants,
        division_id: Option<Id>,
        out: &mut dyn Write,
    ) -> Result<(), ExportError> {
        let division_name = match division_id {
            Some(id) => Some(self.data.division(id)?.name.clone()),
            None => None,
        };
        let mut workouts: Vec<&Workout> = self.data.workouts.iter().collect();
        workouts.sort_by_key(|workout| (workout.sequence, workout.id));

        let mut writer = SafeCsvWriter::to_writer(out);
        let mut header: Vec<String> = ["rank", "bib", "name", "gender", "division", "total"]
            .iter()
            .map(|name| name.to_string())
            .collect();
        for workout in &workouts {
            let heading = self.data.overall_heading_for(workout, kind);
            header.push(format!("{heading}: rank"));
            header.push(format!("{heading}: score"));
            header.push(format!("{heading}: points"));
        }
        header.push("amended".to_string());
        writer.write_row(&header)?;

        let mut cells: Vec<String> = Vec::with_capacity(header.len());
        let names = self.overall_names(&board);
        for (index, row) in board.iter().enumerate() {
            let named = names.entrant(index, row.entrant)?;
            let entrant = named.entrant();
            cells.clear();
            cells.push(row.rank.to_string());
            cells.push(entrant.bib().to_string());
            cells.push(entrant.name().into_owned());
            cells.push(gender_text(entrant.gender()).to_string());
            cells.push(match &division_name {
                Some(name) => name.clone(),
                None => self.division_names(entrant.division_ids()),
            });
            cells.push(row.total.to_string());
            for workout in &workouts {
                match row.cells.iter().find(|cell| cell.workout_id == workout.id) {
                    Some(cell) => {
                        cells.push(cell.rank.map(|rank| rank.to_string()).unwrap_or_default());
                        cells.push(cell.display.clone());
                        cells.push(cell.points.to_string());
                    }
                    None => cells.extend([String::new(), String::new(), String::new()]),
                }
            }
            cells.push(
                if self.has_any_amendment(row.entrant) {
                    "yes"
                } else {
                    "no"
                }
                .to_string(),
            );
            writer.write_row(&cells)?;
        }
        writer.finish()
    }
}
