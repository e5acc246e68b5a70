//! Reading competitors and scores from CSV files.
//!
//! # File handling
//!
//! - The first row is a header. Column names are matched case-insensitively
//!   with spaces, `_` and `-` ignored, against the aliases listed on
//!   [`read_competitors_csv`] and [`read_scores_csv`]. Unknown columns are
//!   ignored.
//! - The delimiter is sniffed from the header row: whichever of comma,
//!   semicolon and tab occurs most outside quotes (comma when none does).
//! - Text is UTF-8 with an optional byte order mark. A file that is not valid
//!   UTF-8 is read as Windows-1252, which is what spreadsheet programs on
//!   Windows write.
//! - Rows are numbered by the line they start on, counting the header as
//!   row 1, so row 2 is the first data row, as a spreadsheet shows it. Blank
//!   lines are skipped but still counted.
//!
//! # Errors
//!
//! Every problem in the file is collected, not just the first, into one
//! [`ImportError`] whose message lists each as
//! `competitors.csv row 14, field "gender": expected F, M, X..., got "Q"`.
//! A file with any problem imports nothing.

use crate::fast_hash::{fast_hash_map, FastHashMap};

use chrono::Datelike;
use std::fmt;
use std::io::Read;

use crate::model::{ExternalIds, Gender, Millis, Score, Split, Status, Workout};
use crate::score::{parse_score, STATUS_CODES};
use crate::time::parse_time;

/// One problem found in an imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// 1-based row, counting the header as row 1; `None` for the whole file.
    pub row: Option<usize>,
    /// The column the problem is in, as named in the file's header.
    pub field: Option<String>,
    pub message: String,
}

/// Everything wrong with one imported file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ImportError {
    pub file_name: String,
    pub problems: Vec<RowProblem>,
}

impl fmt::Display for ImportError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                writeln!(formatter)?;
            }
            write!(formatter, "{}", self.file_name)?;
            if let Some(row) = problem.row {
                write!(formatter, " row {row}")?;
            }
            if let Some(field) = &problem.field {
                write!(formatter, ", field \"{field}\"")?;
            }
            write!(formatter, ": {}", problem.message)?;
        }
        Ok(())
    }
}

impl ImportError {
    fn whole_file(file_name: &str, message: impl Into<String>) -> ImportError {
        ImportError {
            file_name: file_name.to_string(),
            problems: vec![RowProblem {
                row: None,
                field: None,
                message: message.into(),
            }],
        }
    }
}

/// Collects problems while a file is read.
pub(crate) struct Problems {
    file_name: String,
    problems: Vec<RowProblem>,
}

impl Problems {
    pub(crate) fn new(file_name: &str) -> Problems {
        Problems {
            file_name: file_name.to_string(),
            problems: Vec::new(),
        }
    }

    pub(crate) fn add(&mut self, row: usize, field: Option<&str>, message: impl Into<String>) {
        self.problems.push(RowProblem {
            row: Some(row),
            field: field.map(str::to_string),
            message: message.into(),
        });
    }

    pub(crate) fn finish<T>(self, value: T) -> Result<T, ImportError> {
        if self.problems.is_empty() {
            Ok(value)
        } else {
            Err(ImportError {
                file_name: self.file_name,
                problems: self.problems,
            })
        }
    }
}

/// A parsed CSV file: its header and data rows with their 1-based row numbers.
pub(crate) struct Table {
    pub(crate) header: Vec<String>,
    /// Data rows with their 1-based row numbers, fields trimmed.
    pub(crate) rows: Vec<(usize, csv::StringRecord)>,
}

impl Table {
    /// The index of the first column whose normalised name is one of `aliases`.
    pub(crate) fn column(&self, aliases: &[&str]) -> Option<usize> {
        self.header
            .iter()
            .position(|name| aliases.contains(&normalise_header(name).as_str()))
    }
}

/// Lowercases and drops spaces, `_`, `-` and `.`, so `First Name`,
/// `first_name` and `FIRSTNAME` all match `firstname`.
pub(crate) fn normalise_header(name: &str) -> String {
    name.chars()
        .filter(|character| !matches!(character, ' ' | '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Reads a whole CSV file: decoding, delimiter sniffing, header and rows.
pub(crate) fn read_table(mut reader: impl Read, file_name: &str) -> Result<Table, ImportError> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(|error| {
        ImportError::whole_file(file_name, format!("could not be read: {error}"))
    })?;
    // Plain UTF-8 (the usual case) becomes the text without a copy.
    let text = match String::from_utf8(bytes) {
        Ok(text) if crate::text::is_plain_utf8(text.as_bytes()) => text,
        Ok(text) => decode_text(text.as_bytes()),
        Err(error) => decode_text(error.as_bytes()),
    };
    let first_line = text
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("");
    let delimiter = sniff_delimiter(first_line);
    let mut csv_reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    // The csv crate does not count blank lines, so rows are numbered by the
    // physical line they start on, counted from the byte offset.
    let text_bytes = text.as_bytes();
    let mut counted_up_to = 0_usize;
    let mut line_number = 1_usize;
    for record in csv_reader.records() {
        let record = record.map_err(|error| {
            let row = error.position().map(|position| position.line() as usize);
            ImportError {
                file_name: file_name.to_string(),
                problems: vec![RowProblem {
                    row,
                    field: None,
                    message: format!("is not valid CSV: {error}"),
                }],
            }
        })?;
        // The reported start may sit before blank lines the reader skipped.
        let mut start = record
            .position()
            .map_or(counted_up_to, |position| position.byte() as usize);
        while start < text_bytes.len() && matches!(text_bytes[start], b'\n' | b'\r') {
            start += 1;
        }
        line_number += text_bytes[counted_up_to..start.max(counted_up_to)]
            .iter()
            .filter(|byte| **byte == b'\n')
            .count();
        counted_up_to = start.max(counted_up_to);
        let row_number = line_number;
        let mut fields = record;
        // Trimming builds a new record; most rows have nothing to trim.
        let padded = |field: &str| {
            field.starts_with(char::is_whitespace) || field.ends_with(char::is_whitespace)
        };
        if fields.iter().any(padded) {
            fields.trim();
        }
        if fields.iter().all(str::is_empty) {
            continue;
        }
        if header.is_none() {
            header = Some(fields.iter().map(str::to_string).collect());
        } else {
            rows.push((row_number, fields));
        }
    }
    let Some(header) = header else {
        return Err(ImportError::whole_file(
            file_name,
            "is empty; expected a header row",
        ));
    };
    Ok(Table { header, rows })
}

/// Bytes to text with the one shared decoder ([`crate::text::decode_text`]):
/// byte order marks (UTF-8, UTF-16), UTF-8, UTF-16 without a mark, else
/// Windows-1252.
pub(crate) fn decode_text(bytes: &[u8]) -> String {
    crate::text::decode_text(bytes).0
}

pub(crate) use crate::text::sniff_delimiter;

/// A competitor read from a file: no id yet, divisions by name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CompetitorDraft {
    /// The 1-based file row this came from (header is row 1).
    pub row: usize,
    pub bib: String,
    pub chip_ids: Vec<String>,
    pub first_name: String,
    pub last_name: String,
    pub gender: Option<Gender>,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    pub country: Option<String>,
    pub club: Option<String>,
    pub external_ids: ExternalIds,
    pub division_names: Vec<String>,
    pub para_class: Option<String>,
}

const BIB_ALIASES: &[&str] = &[
    "bib",
    "bibnum",
    "bibnumber",
    "bibno",
    "startnum",
    "startnumber",
    "number",
];

/// Reads a competitor list.
///
/// Columns (any order, case-insensitive, spaces/`_`/`-` ignored):
///
/// | Field          | Header aliases                                                  |
/// |----------------|-----------------------------------------------------------------|
/// | bib (required) | bib, bib_num, bib number, start_num, number                     |
/// | first name     | first_name, first name, first, given name, forename             |
/// | last name      | last_name, last name, last, surname, family name                |
/// | full name      | name, full name, athlete, competitor (split when no first/last) |
/// | gender         | gender, sex                                                     |
/// | date of birth  | dob, date_of_birth, birth date, birthday                        |
/// | country        | country, nation, nationality, noc                               |
/// | club           | club, team, team name, affiliate, gym                           |
/// | chip ids       | chip, chip_id, chips, chip_ids, tag, transponder (`;`-separated)|
/// | divisions      | division, divisions, category (`;`-separated names)             |
/// | external ids   | registration_id, opentrack_id, athlete_id, participant_id / CompCornerID |
/// | para class     | para_class, class                                               |
///
/// A full name is split at its last space (`Javier Gomez Noya` gives first
/// `Javier Gomez`, last `Noya`), or at a comma as `Last, First`. Genders read
/// F/Female/W/Woman/Women, M/Male/Man/Men, X/Other/Non-binary, Mixed (case
/// insensitive; blank is unknown). Dates of birth read `YYYY-MM-DD`, and also
/// `DD/MM/YYYY` and `DD.MM.YYYY` as day first (never US month first). Bibs
/// are required and unique; chip ids are unique across the file.
pub fn read_competitors_csv(
    reader: impl Read,
    file_name: &str,
) -> Result<Vec<CompetitorDraft>, ImportError> {
    let table = read_table(reader, file_name)?;
    let mut problems = Problems::new(file_name);
    let column = |aliases: &[&str]| table.column(aliases);
    let bib_column = column(BIB_ALIASES);
    let first_column = column(&["firstname", "first", "givenname", "forename"]);
    let last_column = column(&["lastname", "last", "surname", "familyname"]);
    let name_column = column(&[
        "name",
        "fullname",
        "athlete",
        "athletename",
        "competitor",
        "competitorname",
    ]);
    let gender_column = column(&["gender", "sex"]);
    let dob_column = column(&["dob", "dateofbirth", "birthdate", "birthday", "born"]);
    let country_column = column(&["country", "nation", "nationality", "noc", "countrycode"]);
    let club_column = column(&[
        "club",
        "team",
        "teamname",
        "affiliate",
        "affiliation",
        "gym",
    ]);
    let chip_column = column(&[
        "chip",
        "chipid",
        "chipids",
        "chips",
        "chipnum",
        "tag",
        "transponder",
    ]);
    let division_column = column(&["division", "divisions", "category", "categories"]);
    let registration_column = column(&["registrationid", "runsignupregistrationid"]);
    let opentrack_column = column(&["opentrackid", "opentrack"]);
    let athlete_column = column(&["athleteid", "triathlonathleteid"]);
    let participant_column = column(&["participantid", "compcornerid", "feedparticipantid"]);
    let para_column = column(&["paraclass", "class", "paratriathlonclass"]);

    let Some(bib_column) = bib_column else {
        problems.add(
            1,
            None,
            "has no bib column; expected one named bib, bib_num, start_num or number",
        );
        return problems.finish(Vec::new());
    };
    if first_column.is_none() && last_column.is_none() && name_column.is_none() {
        problems.add(
            1,
            None,
            "has no name column; expected first_name and last_name, or name",
        );
        return problems.finish(Vec::new());
    }

    let header_name = |index: usize| table.header[index].clone();
    let mut drafts = Vec::with_capacity(table.rows.len());
    let mut row_of_bib: FastHashMap<&str, usize> = fast_hash_map(table.rows.len());
    let mut row_of_chip: FastHashMap<&str, usize> = fast_hash_map(table.rows.len());
    for (row, fields) in &table.rows {
        let row = *row;
        let cell = |index: Option<usize>| -> &str {
            index.and_then(|index| fields.get(index)).unwrap_or("")
        };
        let mut draft = CompetitorDraft {
            row,
            ..CompetitorDraft::default()
        };

        let bib = cell(Some(bib_column));
        if bib.is_empty() {
            problems.add(
                row,
                Some(&header_name(bib_column)),
                "the bib is missing; every competitor needs one",
            );
        } else if let Some(first_row) = row_of_bib.insert(bib, row) {
            problems.add(
                row,
                Some(&header_name(bib_column)),
                format!("bib \"{bib}\" is already used by row {first_row}"),
            );
            row_of_bib.insert(bib, first_row);
        }
        draft.bib = bib.to_string();

        draft.first_name = cell(first_column).to_string();
        draft.last_name = cell(last_column).to_string();
        if draft.first_name.is_empty() && draft.last_name.is_empty() {
            let (first, last) = split_full_name(cell(name_column));
            draft.first_name = first;
            draft.last_name = last;
        }
        if draft.first_name.is_empty() && draft.last_name.is_empty() {
            let field = first_column
                .or(name_column)
                .or(last_column)
                .map(header_name);
            problems.add(row, field.as_deref(), "the name is missing");
        }

        let gender_text = cell(gender_column);
        match parse_gender(gender_text) {
            Ok(gender) => draft.gender = gender,
            Err(message) => problems.add(row, gender_column.map(header_name).as_deref(), message),
        }
        let dob_text = cell(dob_column);
        match parse_date_of_birth(dob_text) {
            Ok(date) => draft.date_of_birth = date,
            Err(message) => problems.add(row, dob_column.map(header_name).as_deref(), message),
        }
        let country = cell(country_column);
        draft.country = (!country.is_empty()).then(|| country.to_uppercase());
        let club = cell(club_column);
        draft.club = (!club.is_empty()).then(|| club.to_string());
        draft.chip_ids = split_list(cell(chip_column));
        let chip_text = cell(chip_column);
        for chip in chip_text
            .split(';')
            .map(str::trim)
            .filter(|chip| !chip.is_empty())
        {
            // One hash a chip: the first row keeps it.
            let first_row = *row_of_chip.entry(chip).or_insert(row);
            if first_row != row {
                problems.add(
                    row,
                    chip_column.map(header_name).as_deref(),
                    format!("chip \"{chip}\" is already used by row {first_row}"),
                );
            }
        }
        draft.division_names = split_list(cell(division_column));
        let optional = |index: Option<usize>| {
            let value = cell(index);
            (!value.is_empty()).then(|| value.to_string())
        };
        draft.external_ids = ExternalIds {
            runsignup_registration_id: optional(registration_column),
            opentrack_id: optional(opentrack_column),
            triathlon_athlete_id: optional(athlete_column),
            feed_participant_id: optional(participant_column),
        };
        draft.para_class = optional(para_column);
        drafts.push(draft);
    }
    problems.finish(drafts)
}

/// Splits `a; b ;c` into trimmed, non-empty parts.
fn split_list(text: &str) -> Vec<String> {
    text.split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(str::to_string)
        .collect()
}

/// Splits a full name into first and last names (see [`read_competitors_csv`]).
pub fn split_full_name(name: &str) -> (String, String) {
    let name = name.trim();
    if let Some((last, first)) = name.split_once(',') {
        return (first.trim().to_string(), last.trim().to_string());
    }
    match name.rsplit_once(char::is_whitespace) {
        Some((first, last)) => (first.trim().to_string(), last.trim().to_string()),
        None => (name.to_string(), String::new()),
    }
}

/// Reads a gender; blank is unknown.
pub fn parse_gender(text: &str) -> Result<Option<Gender>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    // Compared without case and without lowercasing a copy (an import reads
    // tens of thousands of these).
    let one_of = |words: &[&str]| words.iter().any(|word| text.eq_ignore_ascii_case(word));
    let gender = if one_of(&["f", "female", "w", "woman", "women", "girl", "girls"]) {
        Gender::Female
    } else if one_of(&["m", "male", "man", "men", "boy", "boys"]) {
        Gender::Male
    } else if one_of(&["mixed", "mx"]) {
        Gender::Mixed
    } else if one_of(&["x", "other", "nonbinary", "non-binary", "nb"]) {
        Gender::Other
    } else {
        return Err(format!(
            "expected F, M, X, Female, Male, Mixed or Other, got \"{text}\""
        ));
    };
    Ok(Some(gender))
}

/// Reads a date of birth as `YYYY-MM-DD`, `DD/MM/YYYY` or `DD.MM.YYYY`; blank is unknown.
pub fn parse_date_of_birth(text: &str) -> Result<Option<String>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let numbers = |parts: [&str; 3], widths: [usize; 3]| -> Option<[u32; 3]> {
        let mut values = [0_u32; 3];
        for ((part, width), value) in parts.iter().zip(widths).zip(values.iter_mut()) {
            let width_ok = if width == 4 {
                part.len() == 4
            } else {
                (1..=2).contains(&part.len())
            };
            if !width_ok || !part.bytes().all(|byte| byte.is_ascii_digit()) {
                return None;
            }
            *value = part.parse().ok()?;
        }
        Some(values)
    };
    let split3 = |separator: char| -> Option<[&str; 3]> {
        let mut parts = text.split(separator);
        let parts = [parts.next()?, parts.next()?, parts.next()?];
        (text.matches(separator).count() == 2).then_some(parts)
    };
    let year_month_day = if let Some(parts) = split3('-') {
        numbers(parts, [4, 2, 2])
    } else if let Some([day, month, year]) = split3('/').or_else(|| split3('.')) {
        numbers([year, month, day], [4, 2, 2])
    } else {
        None
    };
    match year_month_day
        .and_then(|[year, month, day]| chrono::NaiveDate::from_ymd_opt(year as i32, month, day))
    {
        Some(date) => Ok(Some(format!(
            "{:04}-{:02}-{:02}",
            date.year(),
            date.month(),
            date.day()
        ))),
        None => Err(format!(
            "expected a date like 1990-07-21 or 21/07/1990 (day first), got \"{text}\""
        )),
    }
}

/// A score read from a file, for one workout, not yet matched to an entrant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreDraft {
    /// The 1-based file row this came from (header is row 1).
    pub row: usize,
    pub bib: String,
    pub score: Option<Score>,
    pub status: Option<Status>,
    pub tie_break_ms: Option<Millis>,
    pub penalty_ms: Millis,
    /// Splits by the workout's timing point ids.
    pub splits: Vec<Split>,
}

/// Reads scores for one workout.
///
/// Columns: `bib` (required; aliases as for competitors), `score` (aliases
/// `result`, `time`, `value`, `reps`, `load`, `points`), optional `tiebreak`
/// (`tie_break`, `tiebreak time`), optional `status`, optional `penalty` (a
/// time), and optional `split:<timing point name>` columns (the name matched
/// case-insensitively against the workout's timing points). The score cell
/// may hold a status instead of a score. Each row needs a score or a status;
/// a row may have both (for example a disqualified athlete's time). Bibs must
/// be unique within the file.
pub fn read_scores_csv(
    reader: impl Read,
    file_name: &str,
    workout: &Workout,
) -> Result<Vec<ScoreDraft>, ImportError> {
    let table = read_table(reader, file_name)?;
    let mut problems = Problems::new(file_name);
    let bib_column = table.column(BIB_ALIASES);
    let score_column = table.column(&[
        "score",
        "result",
        "time",
        "value",
        "reps",
        "load",
        "points",
        "clocktime",
        "chiptime",
    ]);
    let tie_break_column = table.column(&["tiebreak", "tiebreaktime", "tb"]);
    let status_column = table.column(&["status"]);
    let penalty_column = table.column(&["penalty", "penaltytime", "penalties"]);
    let mut split_columns: Vec<(usize, crate::model::Id)> = Vec::new();
    for (index, name) in table.header.iter().enumerate() {
        let trimmed = name.trim();
        let Some(point_name) = trimmed
            .get(..6)
            .filter(|prefix| prefix.eq_ignore_ascii_case("split:"))
            .map(|_| &trimmed[6..])
        else {
            continue;
        };
        match workout
            .timing_points
            .iter()
            .find(|point| point.name.trim().eq_ignore_ascii_case(point_name.trim()))
        {
            Some(point) => split_columns.push((index, point.id)),
            None => {
                let known: Vec<&str> = workout
                    .timing_points
                    .iter()
                    .map(|point| point.name.as_str())
                    .collect();
                problems.add(
                    1,
                    Some(name),
                    format!(
                        "\"{}\" is not a timing point of {}; expected one of: {}",
                        point_name.trim(),
                        workout.name,
                        if known.is_empty() {
                            "(none defined)".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                );
            }
        }
    }
    let Some(bib_column) = bib_column else {
        problems.add(
            1,
            None,
            "has no bib column; expected one named bib, bib_num, start_num or number",
        );
        return problems.finish(Vec::new());
    };
    if score_column.is_none() && status_column.is_none() {
        problems.add(
            1,
            None,
            "has no score column; expected one named score, result or time, or a status column",
        );
        return problems.finish(Vec::new());
    }
    let header_name = |index: usize| table.header[index].clone();
    let mut drafts = Vec::with_capacity(table.rows.len());
    let mut row_of_bib: FastHashMap<&str, usize> = fast_hash_map(table.rows.len());
    for (row, fields) in &table.rows {
        let row = *row;
        let cell = |index: Option<usize>| -> &str {
            index.and_then(|index| fields.get(index)).unwrap_or("")
        };
        let bib_text = cell(Some(bib_column));
        let bib = bib_text.to_string();
        if bib.is_empty() {
            problems.add(row, Some(&header_name(bib_column)), "the bib is missing");
        } else if let Some(first_row) = row_of_bib.get(bib_text) {
            problems.add(
                row,
                Some(&header_name(bib_column)),
                format!("bib \"{bib}\" already has a score in row {first_row}"),
            );
        } else {
            row_of_bib.insert(bib_text, row);
        }
        let mut draft = ScoreDraft {
            row,
            bib,
            score: None,
            status: None,
            tie_break_ms: None,
            penalty_ms: 0,
            splits: Vec::new(),
        };
        let score_text = cell(score_column);
        if !score_text.is_empty() {
            match parse_score(workout, score_text) {
                Ok(parsed) => {
                    draft.score = parsed.score;
                    draft.status = parsed.status;
                }
                Err(error) => problems.add(
                    row,
                    score_column.map(header_name).as_deref(),
                    error.to_string(),
                ),
            }
        }
        let status_text = cell(status_column);
        if !status_text.is_empty() {
            match Status::parse(status_text) {
                Ok(status) => {
                    if draft.status.is_some_and(|existing| existing != status) {
                        problems.add(
                            row,
                            status_column.map(header_name).as_deref(),
                            format!(
                                "status {status} contradicts the score column's {}",
                                draft.status.unwrap_or(status)
                            ),
                        );
                    }
                    draft.status = Some(status);
                }
                Err(error) => problems.add(
                    row,
                    status_column.map(header_name).as_deref(),
                    error.to_string(),
                ),
            }
        }
        if draft.score.is_none()
            && draft.status.is_none()
            && score_text.is_empty()
            && status_text.is_empty()
        {
            let field = score_column.or(status_column).map(header_name);
            problems.add(
                row,
                field.as_deref(),
                format!("no score and no status; expected a score or one of {STATUS_CODES}"),
            );
        }
        let tie_break_text = cell(tie_break_column);
        if !tie_break_text.is_empty() {
            match parse_time(tie_break_text) {
                Ok(ms) => draft.tie_break_ms = Some(ms),
                Err(error) => problems.add(
                    row,
                    tie_break_column.map(header_name).as_deref(),
                    error.to_string(),
                ),
            }
        }
        let penalty_text = cell(penalty_column);
        if !penalty_text.is_empty() {
            match parse_time(penalty_text) {
                Ok(ms) => draft.penalty_ms = ms,
                Err(error) => problems.add(
                    row,
                    penalty_column.map(header_name).as_deref(),
                    error.to_string(),
                ),
            }
        }
        for (index, timing_point_id) in &split_columns {
            let text = cell(Some(*index));
            if text.is_empty() {
                continue;
            }
            match parse_time(text) {
                Ok(total_ms) => draft.splits.push(Split {
                    timing_point_id: *timing_point_id,
                    total_ms,
                }),
                Err(error) => problems.add(row, Some(&header_name(*index)), error.to_string()),
            }
        }
        drafts.push(draft);
    }
    problems.finish(drafts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ScoreType, TimingPoint};
    use crate::score::tests::workout;

    #[test]
    fn reads_competitors_with_aliases_bom_and_semicolons() {
        let text =
            "\u{feff}Bib;First Name;LAST_NAME;Sex;DOB;Country;Team;Chip;Division;CompCornerID\n\
                    7;Ada;Lovelace;F;1990-07-21;gbr;Harbour CF;\"C1; C2\";Women RX;524658\n\
                    \n\
                    12;Bo;Berg;male;21/07/1985;;;;\"Men RX;Masters 35+\";\n";
        let drafts = read_competitors_csv(text.as_bytes(), "competitors.csv").unwrap();
        assert_eq!(drafts.len(), 2);
        assert_eq!(drafts[0].bib, "7");
        assert_eq!(drafts[0].first_name, "Ada");
        assert_eq!(drafts[0].last_name, "Lovelace");
        assert_eq!(drafts[0].gender, Some(Gender::Female));
        assert_eq!(drafts[0].country.as_deref(), Some("GBR"));
        assert_eq!(drafts[0].club.as_deref(), Some("Harbour CF"));
        assert_eq!(drafts[0].chip_ids, ["C1", "C2"]);
        assert_eq!(drafts[0].division_names, ["Women RX"]);
        assert_eq!(
            drafts[0].external_ids.feed_participant_id.as_deref(),
            Some("524658")
        );
        assert_eq!(drafts[1].division_names, ["Men RX", "Masters 35+"]);
        assert_eq!(drafts[1].row, 4);
        assert_eq!(drafts[1].date_of_birth.as_deref(), Some("1985-07-21"));
        assert_eq!(drafts[1].gender, Some(Gender::Male));
    }

    #[test]
    fn splits_full_names_and_lists() {
        let text = "bib,name,chip,division\n1,Javier Gomez Noya,A;B,Elite Men; Age 30-34\n2,\"Brownlee, Alistair\",,\n";
        let drafts = read_competitors_csv(text.as_bytes(), "c.csv").unwrap();
        assert_eq!(
            (drafts[0].first_name.as_str(), drafts[0].last_name.as_str()),
            ("Javier Gomez", "Noya")
        );
        assert_eq!(drafts[0].chip_ids, ["A", "B"]);
        assert_eq!(drafts[0].division_names, ["Elite Men", "Age 30-34"]);
        assert_eq!(
            (drafts[1].first_name.as_str(), drafts[1].last_name.as_str()),
            ("Alistair", "Brownlee")
        );
    }

    #[test]
    fn collects_every_row_problem() {
        let text = "bib\tfirst_name\tlast_name\tgender\tdob\tchip\n\
                    1\tAda\tL\tF\t1990-01-01\tC1\n\
                    1\tBo\tB\tQ\t1990-13-01\tC1\n\
                    \tCy\tC\tM\t\t\n";
        let error = read_competitors_csv(text.as_bytes(), "competitors.csv").unwrap_err();
        let message = error.to_string();
        assert_eq!(error.problems.len(), 5, "{message}");
        assert!(
            message.contains(
                "competitors.csv row 3, field \"bib\": bib \"1\" is already used by row 2"
            ),
            "{message}"
        );
        assert!(message.contains("competitors.csv row 3, field \"gender\": expected F, M, X, Female, Male, Mixed or Other, got \"Q\""), "{message}");
        assert!(message.contains("row 3, field \"dob\""), "{message}");
        assert!(
            message.contains("row 3, field \"chip\": chip \"C1\" is already used by row 2"),
            "{message}"
        );
        assert!(
            message.contains("row 4, field \"bib\": the bib is missing"),
            "{message}"
        );
    }

    #[test]
    fn missing_columns_and_empty_files_are_errors() {
        assert!(
            read_competitors_csv("first_name\nAda\n".as_bytes(), "c.csv")
                .unwrap_err()
                .to_string()
                .contains("c.csv row 1: has no bib column")
        );
        assert!(read_competitors_csv("".as_bytes(), "c.csv")
            .unwrap_err()
            .to_string()
            .contains("c.csv: is empty"));
    }

    #[test]
    fn dates_of_birth() {
        assert_eq!(
            parse_date_of_birth("1990-07-21"),
            Ok(Some("1990-07-21".to_string()))
        );
        assert_eq!(
            parse_date_of_birth("1990-7-1"),
            Ok(Some("1990-07-01".to_string()))
        );
        assert_eq!(
            parse_date_of_birth("21/07/1990"),
            Ok(Some("1990-07-21".to_string()))
        );
        assert_eq!(
            parse_date_of_birth("1.7.1990"),
            Ok(Some("1990-07-01".to_string()))
        );
        assert_eq!(parse_date_of_birth(""), Ok(None));
        for bad in [
            "1990-02-30",
            "07/21/1990",
            "90-07-21",
            "1990/07/21",
            "1990-07-21-01",
            "x",
            "1990-07-2a",
        ] {
            assert!(parse_date_of_birth(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn utf16_competitor_files_are_read() {
        for little_endian in [true, false] {
            let mut bytes = if little_endian {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            for unit in "bib,first_name,last_name\n7,Zoë,Brontë\n".encode_utf16() {
                bytes.extend(if little_endian {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                });
            }
            let drafts = read_competitors_csv(&bytes[..], "utf16.csv").unwrap();
            assert_eq!(drafts[0].bib, "7");
            assert_eq!(drafts[0].first_name, "Zoë");
        }
    }

    #[test]
    fn windows_1252_is_decoded() {
        let bytes = b"bib,name\n1,Jos\xe9 M\xfcller\n";
        let drafts = read_competitors_csv(&bytes[..], "c.csv").unwrap();
        assert_eq!(drafts[0].first_name, "José");
        assert_eq!(drafts[0].last_name, "Müller");
    }

    #[test]
    fn reads_scores_with_statuses_tie_breaks_and_splits() {
        let mut race = workout(ScoreType::TimeCapped);
        race.time_cap_ms = Some(720_000);
        race.timing_points = vec![TimingPoint {
            id: 5,
            order: 1,
            name: "Row".to_string(),
        }];
        let text = "Bib,Result,Tiebreak,Status,split:row\n1,11:03.4,4:10,,2:01.5\n2,CAP+41,,,\n3,DNF,,,\n4,10:00,,dq,\n";
        let drafts = read_scores_csv(text.as_bytes(), "scores.csv", &race).unwrap();
        assert_eq!(drafts[0].score, Some(Score::Time { ms: 663_400 }));
        assert_eq!(drafts[0].tie_break_ms, Some(250_000));
        assert_eq!(
            drafts[0].splits,
            [Split {
                timing_point_id: 5,
                total_ms: 121_500
            }]
        );
        assert_eq!(drafts[1].score, Some(Score::Capped { reps: 41 }));
        assert_eq!(drafts[2].status, Some(Status::Dnf));
        assert_eq!(
            (drafts[3].score, drafts[3].status),
            (Some(Score::Time { ms: 600_000 }), Some(Status::Dsq))
        );
    }

    #[test]
    fn score_errors_name_row_and_field() {
        let mut race = workout(ScoreType::Time);
        race.timing_points = vec![TimingPoint {
            id: 5,
            order: 1,
            name: "Row".to_string(),
        }];
        let text = "bib,time,split:Bike\n1,12;03\n1,\n";
        let error = read_scores_csv(text.as_bytes(), "scores.csv", &race).unwrap_err();
        let message = error.to_string();
        assert!(
            message
                .contains("scores.csv row 1, field \"split:Bike\": \"Bike\" is not a timing point"),
            "{message}"
        );
        assert!(
            message.contains(
                "scores.csv row 2, field \"time\": expected a time like 12:03.4 or a status"
            ),
            "{message}"
        );
        assert!(
            message.contains(
                "scores.csv row 3, field \"bib\": bib \"1\" already has a score in row 2"
            ),
            "{message}"
        );
        assert!(
            message.contains("scores.csv row 3, field \"time\": no score and no status"),
            "{message}"
        );
    }
}
