//! Plain-text tables with aligned columns, and CSV rendering of the same rows.
//!
//! Widths are measured in characters, not bytes, so names with accents line
//! up. Columns marked right-aligned (ranks, totals) are padded on the left.

use scoretable_export::csv_safety::neutralize_cell;
use std::fmt::Write as _;

/// Which side of its column a value sits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table of text cells with a header row.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub alignments: Vec<Align>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Starts a table from `(header, alignment)` pairs.
    pub fn new(columns: &[(&str, Align)]) -> Table {
        Table {
            headers: columns
                .iter()
                .map(|(header, _)| header.to_string())
                .collect(),
            alignments: columns.iter().map(|(_, alignment)| *alignment).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; it must have one cell per column.
    pub fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.headers.len());
        // Escaped here (not only when printed) so the columns line up with
        // what the terminal shows.
        let row = row
            .into_iter()
            .map(|cell| match crate::output::escape_for_terminal(&cell) {
                std::borrow::Cow::Borrowed(_) => cell,
                std::borrow::Cow::Owned(escaped) => escaped,
            })
            .collect();
        self.rows.push(row);
    }

    /// Renders the table with two spaces between columns and a rule under the
    /// header. Trailing spaces are trimmed from every line.
    pub fn render(&self) -> String {
        let column_count = self.headers.len();
        let mut widths: Vec<usize> = self
            .headers
            .iter()
            .map(|header| header.chars().count())
            .collect();
        for row in &self.rows {
            for (index, cell) in row.iter().enumerate().take(column_count) {
                widths[index] = widths[index].max(cell.chars().count());
            }
        }
        let mut output = String::new();
        let render_line = |output: &mut String, cells: &[String]| {
            let mut line = String::new();
            for (index, cell) in cells.iter().enumerate().take(column_count) {
                if index > 0 {
                    line.push_str("  ");
                }
                let padding = widths[index].saturating_sub(cell.chars().count());
                match self.alignments[index] {
                    Align::Left => {
                        line.push_str(cell);
                        line.push_str(&" ".repeat(padding));
                    }
                    Align::Right => {
                        line.push_str(&" ".repeat(padding));
                        line.push_str(cell);
                    }
                }
            }
            let _ = writeln!(output, "{}", line.trim_end());
        };
        render_line(&mut output, &self.headers);
        let rule: Vec<String> = widths.iter().map(|width| "-".repeat(*width)).collect();
        render_line(&mut output, &rule);
        for row in &self.rows {
            render_line(&mut output, row);
        }
        output
    }

    /// Renders the header and rows as CSV.
    pub fn to_csv(&self) -> Result<String, csv::Error> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&self.headers)?;
        for row in &self.rows {
            // The dash a table shows for "nothing" is an empty cell in CSV.
            // Names and clubs come from registration files, so a cell such as
            // `=HYPERLINK(...)` must not become a live spreadsheet formula.
            writer.write_record(row.iter().map(|cell| {
                if cell == "-" {
                    String::new()
                } else {
                    neutralize_cell(cell).into_owned()
                }
            }))?;
        }
        let bytes = writer
            .into_inner()
            .map_err(|error| csv::Error::from(error.into_error()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_by_character_width() {
        let mut table = Table::new(&[("Rank", Align::Right), ("Name", Align::Left)]);
        table.push(vec!["1".into(), "Zoë Ärnström".into()]);
        table.push(vec!["10".into(), "Al".into()]);
        let rendered = table.render();
        let lines: Vec<&str> = rendered.lines().collect();
        assert_eq!(lines[0], "Rank  Name");
        assert_eq!(lines[1], "----  ------------");
        assert_eq!(lines[2], "   1  Zoë Ärnström");
        assert_eq!(lines[3], "  10  Al");
    }

    #[test]
    fn csv_quotes_cells_with_commas() {
        let mut table = Table::new(&[("Name", Align::Left), ("Score", Align::Right)]);
        table.push(vec!["Smith, Jo".into(), "12:03.4".into()]);
        assert_eq!(
            table.to_csv().unwrap(),
            "Name,Score\n\"Smith, Jo\",12:03.4\n"
        );
    }
}

#[cfg(test)]
mod csv_safety_tests {
    use super::*;

    #[test]
    fn csv_cells_that_look_like_formulas_are_neutralized_and_numbers_stay_numeric() {
        let mut table = Table::new(&[
            ("Rank", Align::Right),
            ("Name", Align::Left),
            ("Behind", Align::Right),
        ]);
        table.push(vec!["1".into(), "=HYPERLINK(\"x\")".into(), "-5".into()]);
        table.push(vec!["2".into(), "@SUM(A1)".into(), "+0:30.0".into()]);
        table.push(vec!["-".into(), "-Dash".into(), "-".into()]);
        let csv = table.to_csv().unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[1], "1,\"'=HYPERLINK(\"\"x\"\")\",-5");
        assert_eq!(lines[2], "2,'@SUM(A1),'+0:30.0");
        assert_eq!(lines[3], ",'-Dash,");
    }
}
