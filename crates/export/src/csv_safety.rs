//! Neutralising spreadsheet formulas in CSV cells.
//!
//! A spreadsheet opening a CSV treats a cell that starts with `=`, `+`, `-`
//! or `@` as a formula, and some also act on a leading tab or carriage
//! return. A competitor named `=HYPERLINK(...)` could otherwise run a formula
//! on the computer of whoever opens the results. Every CSV this crate writes
//! passes each cell through [`neutralize_cell`], which prefixes such cells
//! with a single quote `'` (the OWASP recommendation) so they show as text.
//!
//! Plain numbers are left alone so they stay numeric in a spreadsheet:
//! `-5`, `+3`, `-0.25` and `1.5e3` are numbers, `-1+2`, `-`, `+` and
//! `-5:00` are not.

use std::borrow::Cow;

/// Returns `cell` unchanged, or prefixed with `'` when a spreadsheet could
/// read it as a formula.
pub fn neutralize_cell(cell: &str) -> Cow<'_, str> {
    if needs_neutralizing(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// True when `cell` starts with a formula trigger and is not a plain number.
pub fn needs_neutralizing(cell: &str) -> bool {
    match cell.as_bytes().first() {
        Some(b'=' | b'@' | b'\t' | b'\r') => true,
        Some(b'+' | b'-') => !is_plain_number(cell),
        _ => false,
    }
}

/// True for a decimal number: an optional sign, digits with an optional
/// fraction (or a fraction alone), and an optional exponent.
pub fn is_plain_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut index = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        index += 1;
    }
    let integer_start = index;
    while index < bytes.len() && bytes[index].is_ascii_digit() {
        index += 1;
    }
    let integer_digits = index - integer_start;
    let mut fraction_digits = 0;
    if index < bytes.len() && bytes[index] == b'.' {
        index += 1;
        let fraction_start = index;
        while index < bytes.len() && bytes[index].is_ascii_digit() {
            index += 1;
        }
        fraction_digits = index - fraction_start;
    }
    if integer_digits == 0 && fraction_digits == 0 {
        return false;
    }
    if index < bytes.len() && matches!(bytes[index], b'e' | b'E') {
        index += 1;
        if index < bytes.len() && matches!(bytes[index], b'+' | b'-') {
            index += 1;
        }
        let exponent_start = index;
        while index < bytes.len() && bytes[index].is_ascii_digit() {
            index += 1;
        }
        if index == exponent_start {
            return false;
        }
    }
    index == bytes.len()
}

/// A CSV writer wrapper that neutralises every cell it writes, into
/// memory ([`SafeCsvWriter::new`]) or straight into any writer
/// ([`SafeCsvWriter::to_writer`]).
pub(crate) struct SafeCsvWriter<W: std::io::Write = Vec<u8>> {
    writer: csv::Writer<W>,
}

impl SafeCsvWriter<Vec<u8>> {
    pub(crate) fn new() -> SafeCsvWriter<Vec<u8>> {
        SafeCsvWriter::to_writer(Vec::new())
    }

    pub(crate) fn into_bytes(self) -> Result<Vec<u8>, crate::ExportError> {
        self.writer
            .into_inner()
            .map_err(|error| crate::ExportError::render("CSV", error.error()))
    }
}

impl<W: std::io::Write> SafeCsvWriter<W> {
    /// Writes rows into `out` as they are written (through a small buffer).
    pub(crate) fn to_writer(out: W) -> SafeCsvWriter<W> {
        SafeCsvWriter {
            writer: csv::WriterBuilder::new().flexible(false).from_writer(out),
        }
    }

    /// Writes one record, neutralising each cell.
    pub(crate) fn write_row<I, S>(&mut self, cells: I) -> Result<(), crate::ExportError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut record = csv::StringRecord::new();
        for cell in cells {
            record.push_field(&neutralize_cell(cell.as_ref()));
        }
        self.writer
            .write_record(&record)
            .map_err(|error| crate::ExportError::render("CSV", error))
    }

    /// Flushes the last rows into the underlying writer.
    pub(crate) fn finish(mut self) -> Result<(), crate::ExportError> {
        self.writer
            .flush()
            .map_err(|error| crate::ExportError::render("CSV", error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formula_triggers_are_prefixed() {
        assert_eq!(neutralize_cell("=1+2"), "'=1+2");
        assert_eq!(
            neutralize_cell("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(neutralize_cell("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(neutralize_cell("-2+3"), "'-2+3");
        assert_eq!(neutralize_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize_cell("\tx"), "'\tx");
        assert_eq!(neutralize_cell("\rx"), "'\rx");
        assert_eq!(neutralize_cell("-"), "'-");
        assert_eq!(neutralize_cell("+"), "'+");
        assert_eq!(neutralize_cell("-5:00"), "'-5:00");
        assert_eq!(neutralize_cell("-1e"), "'-1e");
    }

    #[test]
    fn numbers_and_ordinary_text_are_untouched() {
        for cell in [
            "-5", "+3", "-0.25", "12", "0.5", "-.5", "1.5e3", "-2E-4", "Anna", "12:03.4", "",
        ] {
            assert_eq!(neutralize_cell(cell), cell, "{cell:?}");
        }
        assert!(matches!(neutralize_cell("-5"), Cow::Borrowed(_)));
    }

    proptest! {
        #[test]
        fn any_integer_or_decimal_stays_numeric(whole in any::<i64>(), fraction in 0_u32..1000) {
            let integer = whole.to_string();
            prop_assert_eq!(neutralize_cell(&integer), integer.as_str());
            let decimal = format!("{whole}.{fraction}");
            prop_assert_eq!(neutralize_cell(&decimal), decimal.as_str());
            let signed_positive = format!("+{}", whole.unsigned_abs());
            prop_assert_eq!(neutralize_cell(&signed_positive), signed_positive.as_str());
        }

        #[test]
        fn neutralized_cells_never_start_with_a_trigger(cell in ".*") {
            let safe = neutralize_cell(&cell);
            let starts_with_trigger = matches!(
                safe.as_bytes().first(),
                Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
            );
            prop_assert!(!starts_with_trigger || is_plain_number(&safe));
            // Neutralising only ever adds one leading quote.
            let prefixed = format!("'{}", cell);
            prop_assert!(safe == cell || *safe == prefixed);
        }

        #[test]
        fn triggers_followed_by_text_are_always_prefixed(
            trigger in prop::sample::select(vec!['=', '+', '-', '@', '\t', '\r']),
            rest in "[A-Za-z(][ -~]*",
        ) {
            let cell = format!("{trigger}{rest}");
            prop_assert_eq!(neutralize_cell(&cell).into_owned(), format!("'{cell}"));
        }

        #[test]
        fn written_cells_read_back_as_their_neutralized_text(cells in prop::collection::vec(".{0,12}", 1..6)) {
            // Every export starts with a header row, as here.
            let mut writer = SafeCsvWriter::new();
            writer.write_row(vec!["cell"; cells.len()]).unwrap();
            writer.write_row(&cells).unwrap();
            let bytes = writer.into_bytes().unwrap();
            let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes.as_slice());
            let expected: Vec<String> = cells.iter().map(|cell| neutralize_cell(cell).into_owned()).collect();
            match reader.records().next() {
                Some(record) => {
                    let read: Vec<String> = record.unwrap().iter().map(str::to_string).collect();
                    prop_assert_eq!(read, expected);
                }
                // A lone empty cell is an empty line, which a reader skips.
                None => prop_assert_eq!(cells, vec![String::new()]),
            }
        }
    }
}
