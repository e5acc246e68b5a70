//! A small page-by-page PDF builder on top of `pdf-writer`.
//!
//! Pages are drawn one at a time on a [`Canvas`] and compressed into the
//! output as soon as they are finished, so a document of thousands of pages
//! never holds more than one page's drawing in memory. Each page has two
//! content streams: its body, and a footer written at the end when the page
//! count is known, which carries the footer text and "Page 3 of 7".
//!
//! Coordinates are PDF points from the bottom-left corner of the page.

use pdf_writer::{Content, Date, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::text::{encode, fit_text, text_width, Font};

/// A4 portrait width in points.
pub(crate) const A4_SHORT: f32 = 595.28;
/// A4 portrait height in points.
pub(crate) const A4_LONG: f32 = 841.89;
/// The page margin on every side.
pub(crate) const MARGIN: f32 = 36.0;

/// Deflate level for page content: the fastest level already shrinks the
/// repetitive text operators about fourfold, and higher levels cost several
/// times the time on a thousand-page document for a few per cent.
const PAGE_COMPRESSION_LEVEL: u8 = 1;

const REGULAR_FONT: Name<'static> = Name(b"F1");
const BOLD_FONT: Name<'static> = Name(b"F2");

/// Page orientation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Orientation {
    Portrait,
    Landscape,
}

impl Orientation {
    pub(crate) fn size(self) -> (f32, f32) {
        match self {
            Orientation::Portrait => (A4_SHORT, A4_LONG),
            Orientation::Landscape => (A4_LONG, A4_SHORT),
        }
    }
}

/// A gray level or colour for text and fills.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Colour {
    Gray(f32),
    Rgb(f32, f32, f32),
}

pub(crate) const BLACK: Colour = Colour::Gray(0.0);

/// Horizontal text alignment within a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
    Centre,
}

/// The drawing surface of one page.
pub(crate) struct Canvas {
    content: Content,
    pub(crate) orientation: Orientation,
}

impl Canvas {
    pub(crate) fn width(&self) -> f32 {
        self.orientation.size().0
    }

    pub(crate) fn height(&self) -> f32 {
        self.orientation.size().1
    }

    fn set_fill(&mut self, colour: Colour) {
        match colour {
            Colour::Gray(gray) => self.content.set_fill_gray(gray),
            Colour::Rgb(red, green, blue) => self.content.set_fill_rgb(red, green, blue),
        };
    }

    fn set_stroke(&mut self, colour: Colour) {
        match colour {
            Colour::Gray(gray) => self.content.set_stroke_gray(gray),
            Colour::Rgb(red, green, blue) => self.content.set_stroke_rgb(red, green, blue),
        };
    }

    /// Writes `text` with its left end at `x` and baseline at `y`.
    pub(crate) fn text(
        &mut self,
        x: f32,
        y: f32,
        font: Font,
        size: f32,
        colour: Colour,
        text: &str,
    ) {
        if text.is_empty() {
            return;
        }
        self.set_fill(colour);
        let font_name = match font {
            Font::Regular => REGULAR_FONT,
            Font::Bold => BOLD_FONT,
        };
        self.content.begin_text();
        self.content.set_font(font_name, size);
        self.content.next_line(x, y);
        self.content.show(Str(&encode(text)));
        self.content.end_text();
    }

    /// Writes `text` inside the box from `x` to `x + width`, aligned, and cut
    /// with an ellipsis when it does not fit.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn text_in_box(
        &mut self,
        x: f32,
        width: f32,
        y: f32,
        align: Align,
        font: Font,
        size: f32,
        colour: Colour,
        text: &str,
    ) {
        if text.is_empty() {
            return;
        }
        let fitted = fit_text(text, font, size, width);
        let text_width = text_width(&fitted, font, size);
        let start = match align {
            Align::Left => x,
            Align::Right => x + width - text_width,
            Align::Centre => x + (width - text_width) / 2.0,
        };
        self.text(start, y, font, size, colour, &fitted);
    }

    /// Fills a rectangle whose bottom-left corner is `(x, y)`.
    pub(crate) fn fill_rect(&mut self, x: f32, y: f32, width: f32, height: f32, colour: Colour) {
        self.set_fill(colour);
        self.content.rect(x, y, width, height);
        self.content.fill_nonzero();
    }

    /// Strokes a rectangle outline.
    pub(crate) fn stroke_rect(
        &mut self,
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        line_width: f32,
        colour: Colour,
    ) {
        self.set_stroke(colour);
        self.content.set_line_width(line_width);
        self.content.rect(x, y, width, height);
        self.content.stroke();
    }

    /// Draws a straight line.
    pub(crate) fn line(
        &mut self,
        from: (f32, f32),
        to: (f32, f32),
        line_width: f32,
        colour: Colour,
    ) {
        self.set_stroke(colour);
        self.content.set_line_width(line_width);
        self.content.move_to(from.0, from.1);
        self.content.line_to(to.0, to.1);
        self.content.stroke();
    }
}

struct FinishedPage {
    page_id: Ref,
    body_id: Ref,
    orientation: Orientation,
}

/// Builds one PDF document page by page.
pub(crate) struct PdfBuilder {
    pdf: Pdf,
    next_id: i32,
    pages: Vec<FinishedPage>,
    title: String,
    footer_left: String,
    created: chrono::DateTime<chrono::Utc>,
}

impl PdfBuilder {
    /// Starts a document. `footer_left` is printed at the bottom left of every page.
    pub(crate) fn new(
        title: &str,
        footer_left: &str,
        created: chrono::DateTime<chrono::Utc>,
    ) -> PdfBuilder {
        PdfBuilder {
            pdf: Pdf::new(),
            // 1: catalog, 2: page tree, 3 and 4: fonts, 5: document info.
            next_id: 6,
            pages: Vec::new(),
            title: title.to_string(),
            footer_left: footer_left.to_string(),
            created,
        }
    }

    fn allocate(&mut self) -> Ref {
        let id = Ref::new(self.next_id);
        self.next_id += 1;
        id
    }

    /// A blank page to draw on.
    pub(crate) fn begin_page(&self, orientation: Orientation) -> Canvas {
        Canvas {
            content: Content::new(),
            orientation,
        }
    }

    /// Compresses the page's drawing into the document.
    pub(crate) fn end_page(&mut self, canvas: Canvas) {
        let page_id = self.allocate();
        let body_id = self.allocate();
        let bytes = canvas.content.finish();
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&bytes, PAGE_COMPRESSION_LEVEL);
        self.pdf
            .stream(body_id, &compressed)
            .filter(Filter::FlateDecode);
        self.pages.push(FinishedPage {
            page_id,
            body_id,
            orientation: canvas.orientation,
        });
    }

    /// The number of pages finished so far.
    pub(crate) fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Writes the footers, page tree, fonts and trailer, and returns the file's bytes.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        let catalog_id = Ref::new(1);
        let page_tree_id = Ref::new(2);
        let regular_font_id = Ref::new(3);
        let bold_font_id = Ref::new(4);
        let info_id = Ref::new(5);
        let page_total = self.pages.len();
        let pages = std::mem::take(&mut self.pages);
        let mut footer_ids = Vec::with_capacity(page_total);
        for (index, page) in pages.iter().enumerate() {
            let mut canvas = Canvas {
                content: Content::new(),
                orientation: page.orientation,
            };
            let width = canvas.width();
            let footer_line_y = MARGIN + 10.0;
            canvas.line(
                (MARGIN, footer_line_y),
                (width - MARGIN, footer_line_y),
                0.5,
                Colour::Gray(0.6),
            );
            canvas.text_in_box(
                MARGIN,
                width - 2.0 * MARGIN - 110.0,
                MARGIN,
                Align::Left,
                Font::Regular,
                7.5,
                Colour::Gray(0.3),
                &self.footer_left,
            );
            canvas.text_in_box(
                width - MARGIN - 100.0,
                100.0,
                MARGIN,
                Align::Right,
                Font::Bold,
                8.0,
                BLACK,
                &format!("Page {} of {}", index + 1, page_total),
            );
            let footer_id = self.allocate();
            let bytes = canvas.content.finish();
            let compressed =
                miniz_oxide::deflate::compress_to_vec_zlib(&bytes, PAGE_COMPRESSION_LEVEL);
            self.pdf
                .stream(footer_id, &compressed)
                .filter(Filter::FlateDecode);
            footer_ids.push(footer_id);
        }
        for (page, footer_id) in pages.iter().zip(&footer_ids) {
            let (width, height) = page.orientation.size();
            let mut page_writer = self.pdf.page(page.page_id);
            page_writer
                .parent(page_tree_id)
                .media_box(Rect::new(0.0, 0.0, width, height))
                .contents_array([page.body_id, *footer_id]);
            page_writer.finish();
        }
        self.pdf.catalog(catalog_id).pages(page_tree_id);
        let mut page_tree = self.pdf.pages(page_tree_id);
        page_tree
            .kids(pages.iter().map(|page| page.page_id))
            .count(page_total as i32);
        page_tree
            .resources()
            .fonts()
            .pair(REGULAR_FONT, regular_font_id)
            .pair(BOLD_FONT, bold_font_id);
        page_tree.finish();
        self.pdf
            .type1_font(regular_font_id)
            .base_font(Name(b"Helvetica"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        self.pdf
            .type1_font(bold_font_id)
            .base_font(Name(b"Helvetica-Bold"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        use chrono::{Datelike, Timelike};
        let created = self.created;
        let date = Date::new(created.year().clamp(0, 9999) as u16)
            .month(created.month() as u8)
            .day(created.day() as u8)
            .hour(created.hour() as u8)
            .minute(created.minute() as u8)
            .second(created.second() as u8)
            .utc_offset_hour(0)
            .utc_offset_minute(0);
        self.pdf
            .document_info(info_id)
            .title(TextStr(&self.title))
            .producer(TextStr("Scoretable"))
            .creation_date(date);
        self.pdf.finish()
    }
}
