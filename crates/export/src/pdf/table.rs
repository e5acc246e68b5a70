//! Paginated tables with a repeating page header and per-page footnotes.
//!
//! A [`TableSection`] is one titled table (a workout's or the overall
//! leaderboard). [`render_section`] lays it out over as many pages as it
//! needs: every page repeats the competition header, the section title, the
//! provisional/official mark and the column headings; rows are striped for
//! reading across; a row with a footnote gets a `*n` marker in its last
//! column and the note itself at the foot of the same page.

use super::document::{Align, Canvas, Colour, Orientation, PdfBuilder, BLACK, MARGIN};
use super::text::{text_width, Font};
use crate::error::ExportError;

/// Body text size of table rows.
const ROW_FONT_SIZE: f32 = 8.0;
const ROW_HEIGHT: f32 = 12.0;
const HEADING_FONT_SIZE: f32 = 7.5;
const HEADER_ROW_HEIGHT: f32 = 20.0;
const FOOTNOTE_FONT_SIZE: f32 = 7.0;
const FOOTNOTE_HEIGHT: f32 = 9.0;
/// Lowest baseline a row may use: just above the footer rule.
const CONTENT_BOTTOM: f32 = MARGIN + 20.0;
/// Width of the footnote-marker column every table ends with.
const NOTE_COLUMN_WIDTH: f32 = 22.0;
const CELL_PADDING: f32 = 3.0;

/// One table column.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub(crate) title: String,
    /// For a fixed column, its minimum width in points: it grows to fit its
    /// widest cell. `None` for a flexible column, which shares the remaining width.
    pub(crate) width: Option<f32>,
    /// Minimum width of a flexible column.
    pub(crate) min_width: f32,
    pub(crate) align: Align,
    pub(crate) font: Font,
    /// A flexible column that is left out, rather than squeezing the others,
    /// when the page is too narrow (club, division).
    pub(crate) optional: bool,
}

impl Column {
    pub(crate) fn fixed(title: &str, width: f32, align: Align) -> Column {
        Column {
            title: title.to_string(),
            width: Some(width),
            min_width: width,
            align,
            font: Font::Regular,
            optional: false,
        }
    }

    pub(crate) fn flexible(title: &str, min_width: f32) -> Column {
        Column {
            title: title.to_string(),
            width: None,
            min_width,
            align: Align::Left,
            font: Font::Regular,
            optional: false,
        }
    }

    pub(crate) fn optional(mut self) -> Column {
        self.optional = true;
        self
    }

    pub(crate) fn bold(mut self) -> Column {
        self.font = Font::Bold;
        self
    }
}

/// One table row: a cell per column, and an optional footnote.
#[derive(Debug, Clone)]
pub(crate) struct TableRow {
    pub(crate) cells: Vec<String>,
    pub(crate) footnote: Option<String>,
}

/// The mark printed at the top right of every page of a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    Provisional,
    Official,
}

/// Text printed at the top of every page.
#[derive(Debug, Clone)]
pub(crate) struct PageHeader {
    /// Large first line: the competition name.
    pub(crate) title: String,
    /// Small gray line under the section title: venue, dates, generation time.
    pub(crate) details: String,
}

/// One titled, marked table.
pub(crate) struct TableSection<'a> {
    pub(crate) heading: String,
    /// A line under the heading: score type, time cap, notes.
    pub(crate) subheading: String,
    pub(crate) mark: Mark,
    pub(crate) columns: Vec<Column>,
    pub(crate) rows: RowSource<'a>,
}

/// A table's rows, made one at a time when drawn, so a 60,000-row table
/// never holds all its cells in memory at once.
pub(crate) struct RowSource<'a> {
    len: usize,
    #[allow(clippy::type_complexity)]
    make: Box<dyn Fn(usize, Cells) -> Result<TableRow, ExportError> + 'a>,
}

/// Which cells a row is made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cells {
    /// Every cell and the footnote: the row as drawn.
    All,
    /// The fixed columns' cells only (the others empty, no footnote): what
    /// fitting the columns' widths measures.
    Fixed,
}

impl<'a> RowSource<'a> {
    /// `len` rows; `make(index, cells)` makes one.
    pub(crate) fn new(
        len: usize,
        make: impl Fn(usize, Cells) -> Result<TableRow, ExportError> + 'a,
    ) -> RowSource<'a> {
        RowSource {
            len,
            make: Box::new(make),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn get(&self, index: usize) -> Result<TableRow, ExportError> {
        (self.make)(index, Cells::All)
    }

    /// The row at `index` with its fixed columns' cells only.
    fn get_fixed(&self, index: usize) -> Result<TableRow, ExportError> {
        (self.make)(index, Cells::Fixed)
    }
}

/// Column positions after fitting to a page.
struct Layout {
    orientation: Orientation,
    /// Left edge and width of each column, the note column last.
    columns: Vec<(f32, f32)>,
}

/// Widens each fixed column to its widest cell (and its heading).
fn fit_fixed_columns(columns: &[Column], rows: &RowSource) -> Result<Vec<Column>, ExportError> {
    let mut fitted = columns.to_vec();
    let mut widest_cells = vec![0.0_f32; fitted.len()];
    for row_index in 0..rows.len() {
        let row = rows.get_fixed(row_index)?;
        for ((column, widest), cell) in fitted.iter().zip(&mut widest_cells).zip(&row.cells) {
            if column.width.is_some() {
                *widest = widest.max(text_width(cell, column.font, ROW_FONT_SIZE));
            }
        }
    }
    for (column, widest_cell) in fitted.iter_mut().zip(widest_cells) {
        let Some(minimum) = column.width else {
            continue;
        };
        // Headings wrap onto two lines, so only their longest word must fit.
        let heading = column
            .title
            .split(' ')
            .map(|word| text_width(word, Font::Bold, HEADING_FONT_SIZE))
            .fold(0.0_f32, f32::max);
        column.width = Some(minimum.max(heading.max(widest_cell) + 2.0 * CELL_PADDING + 1.0));
    }
    Ok(fitted)
}

fn layout_columns(columns: &[Column]) -> Layout {
    let layout = layout_with(columns);
    let available = layout.orientation.size().0 - 2.0 * MARGIN;
    let fixed: f32 = columns
        .iter()
        .filter_map(|column| column.width)
        .sum::<f32>()
        + NOTE_COLUMN_WIDTH;
    let flexible_minimum: f32 = columns
        .iter()
        .filter(|column| column.width.is_none())
        .map(|column| column.min_width)
        .sum();
    if fixed + flexible_minimum <= available || !columns.iter().any(|column| column.optional) {
        return layout;
    }
    // Too narrow even in landscape: leave out the optional columns so the
    // names keep their room.
    let without_optional: Vec<Column> = columns
        .iter()
        .map(|column| {
            let mut column = column.clone();
            if column.optional && column.width.is_none() {
                column.min_width = 0.0;
            }
            column
        })
        .collect();
    layout_with(&without_optional)
}

fn layout_with(columns: &[Column]) -> Layout {
    let fixed: f32 = columns
        .iter()
        .filter_map(|column| column.width)
        .sum::<f32>()
        + NOTE_COLUMN_WIDTH;
    let flexible_minimum: f32 = columns
        .iter()
        .filter(|column| column.width.is_none())
        .map(|column| column.min_width)
        .sum();
    let portrait_width = Orientation::Portrait.size().0 - 2.0 * MARGIN;
    let orientation = if fixed + flexible_minimum <= portrait_width {
        Orientation::Portrait
    } else {
        Orientation::Landscape
    };
    let available = orientation.size().0 - 2.0 * MARGIN;
    // When even landscape is too narrow, flexible columns (names, clubs)
    // give up to half of their width first; only then do fixed columns
    // shrink proportionally, cutting their text with an ellipsis.
    let flexible_floor = flexible_minimum * 0.5;
    let fixed_scale = if fixed + flexible_floor > available {
        ((available - flexible_floor - NOTE_COLUMN_WIDTH) / (fixed - NOTE_COLUMN_WIDTH))
            .clamp(0.3, 1.0)
    } else {
        1.0
    };
    let scaled_fixed: f32 = columns
        .iter()
        .filter_map(|column| column.width)
        .map(|width| width * fixed_scale)
        .sum::<f32>()
        + NOTE_COLUMN_WIDTH;
    let flexible_space = (available - scaled_fixed).max(flexible_floor).max(0.0);
    let mut positions = Vec::with_capacity(columns.len() + 1);
    let mut x = MARGIN;
    for column in columns {
        let width = match column.width {
            Some(width) => width * fixed_scale,
            None => {
                if flexible_minimum > 0.0 {
                    flexible_space * column.min_width / flexible_minimum
                } else {
                    0.0
                }
            }
        };
        positions.push((x, width));
        x += width;
    }
    positions.push((x, NOTE_COLUMN_WIDTH));
    Layout {
        orientation,
        columns: positions,
    }
}

/// Draws the header of a page and returns the baseline of the first row.
fn draw_page_header(
    canvas: &mut Canvas,
    header: &PageHeader,
    section: &TableSection,
    columns: &[Column],
    layout: &Layout,
    continued: bool,
) -> f32 {
    let width = canvas.width();
    let top = canvas.height() - MARGIN;
    let content_width = width - 2.0 * MARGIN;

    // The mark: a coloured box at the top right.
    let (mark_text, mark_colour) = match section.mark {
        Mark::Provisional => ("PROVISIONAL", Colour::Rgb(0.78, 0.33, 0.0)),
        Mark::Official => ("OFFICIAL", Colour::Rgb(0.0, 0.45, 0.2)),
    };
    let mark_width = 92.0;
    let mark_x = width - MARGIN - mark_width;
    canvas.stroke_rect(mark_x, top - 20.0, mark_width, 20.0, 1.2, mark_colour);
    canvas.text_in_box(
        mark_x,
        mark_width,
        top - 14.5,
        Align::Centre,
        Font::Bold,
        10.0,
        mark_colour,
        mark_text,
    );

    canvas.text_in_box(
        MARGIN,
        content_width - mark_width - 10.0,
        top - 14.0,
        Align::Left,
        Font::Bold,
        14.0,
        BLACK,
        &header.title,
    );
    let heading = if continued {
        format!("{} (continued)", section.heading)
    } else {
        section.heading.clone()
    };
    canvas.text_in_box(
        MARGIN,
        content_width,
        top - 32.0,
        Align::Left,
        Font::Bold,
        11.0,
        BLACK,
        &heading,
    );
    canvas.text_in_box(
        MARGIN,
        content_width,
        top - 44.0,
        Align::Left,
        Font::Regular,
        8.0,
        Colour::Gray(0.25),
        &section.subheading,
    );
    canvas.text_in_box(
        MARGIN,
        content_width,
        top - 55.0,
        Align::Left,
        Font::Regular,
        7.5,
        Colour::Gray(0.4),
        &header.details,
    );

    // Column headings on a gray band.
    let band_top = top - 62.0;
    canvas.fill_rect(
        MARGIN,
        band_top - HEADER_ROW_HEIGHT,
        content_width,
        HEADER_ROW_HEIGHT,
        Colour::Gray(0.86),
    );
    for (column, (x, column_width)) in columns.iter().zip(&layout.columns) {
        if *column_width <= 0.0 {
            continue;
        }
        let inner_width = (column_width - 2.0 * CELL_PADDING).max(1.0);
        let lines = wrap_heading(&column.title, inner_width);
        let first_baseline = if lines.len() == 1 {
            band_top - 12.5
        } else {
            band_top - 8.5
        };
        for (index, line) in lines.iter().enumerate() {
            draw_cell(
                canvas,
                *x,
                *column_width,
                first_baseline - index as f32 * 8.0,
                column.align,
                Font::Bold,
                HEADING_FONT_SIZE,
                line,
            );
        }
    }
    band_top - HEADER_ROW_HEIGHT - ROW_HEIGHT + 3.0
}

/// Splits a heading into at most two lines that fit `width`: the first line
/// takes as many words as fit, the second the rest (cut with an ellipsis
/// when even that is too long).
fn wrap_heading(title: &str, width: f32) -> Vec<String> {
    if text_width(title, Font::Bold, HEADING_FONT_SIZE) <= width || !title.contains(' ') {
        return vec![title.to_string()];
    }
    let words: Vec<&str> = title.split(' ').collect();
    let mut split_at = 1;
    for count in 1..words.len() {
        if text_width(&words[..count].join(" "), Font::Bold, HEADING_FONT_SIZE) <= width {
            split_at = count;
        } else {
            break;
        }
    }
    vec![words[..split_at].join(" "), words[split_at..].join(" ")]
}

#[allow(clippy::too_many_arguments)]
fn draw_cell(
    canvas: &mut Canvas,
    x: f32,
    width: f32,
    baseline: f32,
    align: Align,
    font: Font,
    size: f32,
    text: &str,
) {
    if width <= 2.0 * CELL_PADDING {
        return;
    }
    let inner_width = width - 2.0 * CELL_PADDING;
    canvas.text_in_box(
        x + CELL_PADDING,
        inner_width,
        baseline,
        align,
        font,
        size,
        BLACK,
        text,
    );
}

/// Lays `section` out over as many pages as it needs.
pub(crate) fn render_section(
    builder: &mut PdfBuilder,
    header: &PageHeader,
    section: &TableSection,
) -> Result<(), ExportError> {
    let columns = fit_fixed_columns(&section.columns, &section.rows)?;
    let layout = layout_columns(&columns);
    let mut row_index = 0;
    let mut continued = false;
    loop {
        let mut canvas = builder.begin_page(layout.orientation);
        let mut baseline =
            draw_page_header(&mut canvas, header, section, &columns, &layout, continued);
        let content_width = canvas.width() - 2.0 * MARGIN;
        let mut footnotes: Vec<String> = Vec::new();
        if section.rows.is_empty() {
            canvas.text(
                MARGIN + CELL_PADDING,
                baseline,
                Font::Regular,
                ROW_FONT_SIZE,
                Colour::Gray(0.35),
                "No results yet.",
            );
        }
        let mut rows_on_page = 0;
        while row_index < section.rows.len() {
            let row = section.rows.get(row_index)?;
            let footnotes_after = footnotes.len() + usize::from(row.footnote.is_some());
            let lowest_allowed = CONTENT_BOTTOM + footnotes_after as f32 * FOOTNOTE_HEIGHT;
            if baseline - 3.0 < lowest_allowed && rows_on_page > 0 {
                break;
            }
            if rows_on_page % 2 == 1 {
                canvas.fill_rect(
                    MARGIN,
                    baseline - 3.0,
                    content_width,
                    ROW_HEIGHT,
                    Colour::Gray(0.95),
                );
            }
            for ((column, (x, width)), cell) in columns.iter().zip(&layout.columns).zip(&row.cells)
            {
                draw_cell(
                    &mut canvas,
                    *x,
                    *width,
                    baseline,
                    column.align,
                    column.font,
                    ROW_FONT_SIZE,
                    cell,
                );
            }
            if let Some(note) = &row.footnote {
                footnotes.push(note.clone());
                let marker = format!("*{}", footnotes.len());
                let (x, width) = layout.columns[layout.columns.len() - 1];
                draw_cell(
                    &mut canvas,
                    x,
                    width,
                    baseline,
                    Align::Left,
                    Font::Bold,
                    ROW_FONT_SIZE,
                    &marker,
                );
            }
            baseline -= ROW_HEIGHT;
            rows_on_page += 1;
            row_index += 1;
        }
        // Footnotes sit above the footer rule, first note on top.
        let mut footnote_baseline = CONTENT_BOTTOM - 6.0 + footnotes.len() as f32 * FOOTNOTE_HEIGHT;
        if !footnotes.is_empty() {
            let rule_y = footnote_baseline + FOOTNOTE_HEIGHT - 1.0;
            canvas.line(
                (MARGIN, rule_y),
                (MARGIN + 120.0, rule_y),
                0.5,
                Colour::Gray(0.5),
            );
        }
        for (index, note) in footnotes.iter().enumerate() {
            let text = format!("*{} {}", index + 1, note);
            canvas.text_in_box(
                MARGIN,
                content_width,
                footnote_baseline,
                Align::Left,
                Font::Regular,
                FOOTNOTE_FONT_SIZE,
                Colour::Gray(0.15),
                &text,
            );
            footnote_baseline -= FOOTNOTE_HEIGHT;
        }
        builder.end_page(canvas);
        continued = true;
        if row_index >= section.rows.len() {
            break;
        }
    }
    Ok(())
}
