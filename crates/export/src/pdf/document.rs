//! A small page-by-page PDF builder on top of `pdf-writer`.
//!
//! Pages are drawn one at a time on a [`Canvas`] and compressed into the
//! output as soon as they are finished, so a document of thousands of pages
//! never holds more than one page's drawing in memory. Each page has two
//! content streams: its body, and a footer written at the end when the page
//! count is known, which carries the footer text and "Page 3 of 7".
//!
//! Text is written as two-byte character codes of Type0 fonts (Identity-H,
//! so each code is a CID). Each font's glyphs are numbered in first-use
//! order as pages are drawn; those numbers are the glyph ids of the subset
//! font embedded at the end (`subsetter` keeps that order), and a
//! `CIDToGIDMap` maps codes to them (see [`FaceUse`]). A `/W` width array
//! and a ToUnicode map come with each font, so that text extracts and copies
//! as the original characters.
//!
//! Coordinates are PDF points from the bottom-left corner of the page.

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::writers::{Catalog, DocumentInfo};
use pdf_writer::{Chunk, Content, Date, Filter, Finish, Name, Rect, Ref, Str, TextStr};

use super::fonts::{self, FaceIndex, FontFace, Glyph};
use super::text::{fit_text, text_width, Font};
use crate::error::ExportError;

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

/// Deflate level for the embedded font subsets and ToUnicode maps: written
/// once per document, so the better ratio is worth it.
const FONT_COMPRESSION_LEVEL: u8 = 6;

const FONT_NAMES: [&[u8]; 8] = [b"F0", b"F1", b"F2", b"F3", b"F4", b"F5", b"F6", b"F7"];

/// The resource name of a font in page content.
fn font_resource_name(face: FaceIndex) -> std::borrow::Cow<'static, [u8]> {
    match FONT_NAMES.get(usize::from(face)) {
        Some(name) => std::borrow::Cow::Borrowed(*name),
        None => std::borrow::Cow::Owned(format!("F{face}").into_bytes()),
    }
}

/// The bytes a character code is made of in page content, chosen so that
/// pdf-writer writes a run of codes as a plain literal string of two bytes
/// per glyph: printable ASCII other than the string delimiters `(`, `)`
/// and `\\`. (Codes with other bytes are written as a hex string, four
/// bytes per glyph, which makes the content streams half as large again.)
const CODE_BYTES: &[u8; 92] = b" !\"#$%&'*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~";

/// The glyphs used from one font so far, numbered in first-use order.
///
/// Each glyph gets a subset glyph id (its position in first-use order; the
/// subset font numbers its glyphs the same way) and a two-byte character
/// code, which under Identity-H is also its CID. For a TrueType font the
/// codes are made of [`CODE_BYTES`] and a `CIDToGIDMap` stream maps them to
/// the subset glyph ids; for a CFF font (whose subset is CID-keyed with CID
/// equal to glyph id) the code is the subset glyph id itself.
#[derive(Debug, Default)]
struct FaceUse {
    /// Original glyph id to its index in `original_ids` (0 while unused).
    subset_ids: Vec<u16>,
    /// Subset glyph id to original glyph id; `.notdef` (0) first.
    original_ids: Vec<u16>,
    /// Subset glyph id to character code.
    codes: Vec<u16>,
    /// Subset glyph id to the character it prints.
    characters: Vec<char>,
}

impl FaceUse {
    fn code_for_subset_id(subset_id: usize, printable_codes: bool) -> u16 {
        let base = CODE_BYTES.len();
        if !printable_codes {
            return subset_id as u16;
        }
        if subset_id < base * base {
            u16::from_be_bytes([CODE_BYTES[subset_id / base], CODE_BYTES[subset_id % base]])
        } else {
            // Beyond 8,464 glyphs of one font in one document: codes above
            // every printable pair, written as hex.
            0x8000 + subset_id as u16
        }
    }
}

/// The glyphs used per font, indexed by [`FaceIndex`].
#[derive(Debug)]
pub(crate) struct GlyphUse {
    faces: Vec<FaceUse>,
    /// The loaded font of a face index ([`fonts::face`]; tests put others in).
    face_of: fn(FaceIndex) -> &'static FontFace,
}

impl Default for GlyphUse {
    fn default() -> GlyphUse {
        GlyphUse {
            faces: Vec::new(),
            face_of: fonts::face,
        }
    }
}

impl GlyphUse {
    /// The character code of `glyph`, numbering it on first use.
    fn code(&mut self, glyph: Glyph) -> u16 {
        let face_index = usize::from(glyph.face);
        if self.faces.len() <= face_index {
            self.faces.resize_with(face_index + 1, FaceUse::default);
        }
        let face_use = &mut self.faces[face_index];
        let original = usize::from(glyph.glyph_id);
        if let Some(&subset_id) = face_use.subset_ids.get(original) {
            if subset_id != 0 {
                return face_use.codes[usize::from(subset_id)];
            }
        }
        if face_use.subset_ids.len() <= original {
            face_use.subset_ids.resize(original + 1, 0);
        }
        let printable_codes = !(self.face_of)(glyph.face).is_cff();
        if face_use.original_ids.is_empty() {
            face_use.original_ids.push(0);
            face_use.codes.push(0);
            face_use.characters.push('\u{FFFD}');
        }
        let subset_id = face_use.original_ids.len();
        let code = FaceUse::code_for_subset_id(subset_id, printable_codes);
        face_use.subset_ids[original] = subset_id as u16;
        face_use.original_ids.push(glyph.glyph_id);
        face_use.codes.push(code);
        face_use.characters.push(glyph.character);
        code
    }
}

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
    glyphs: GlyphUse,
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
        self.content.begin_text();
        self.content.next_line(x, y);
        // One run per stretch of characters from the same font (a CJK name
        // in a Latin table switches to the fallback font and back).
        let mut run_face: Option<FaceIndex> = None;
        let mut run: Vec<u8> = Vec::with_capacity(text.len() * 2);
        for character in text.chars() {
            let glyph = fonts::glyph_for(character, font);
            if glyph.glyph_id == 0 {
                continue;
            }
            if run_face != Some(glyph.face) {
                if !run.is_empty() {
                    self.content.show(Str(&run));
                    run.clear();
                }
                self.content
                    .set_font(Name(&font_resource_name(glyph.face)), size);
                run_face = Some(glyph.face);
            }
            let code = self.glyphs.code(glyph);
            run.extend_from_slice(&code.to_be_bytes());
        }
        if !run.is_empty() {
            self.content.show(Str(&run));
        }
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

#[derive(Debug, Clone, Copy)]
struct FinishedPage {
    page_id: Ref,
    body_id: Ref,
    orientation: Orientation,
}

/// Bytes of a [`FinishedPage`] in the pages' scratch file: the page's id
/// and its body's (4 bytes each, little-endian) and the orientation (0
/// portrait, 1 landscape).
const PAGE_RECORD: usize = 9;

impl FinishedPage {
    fn record(&self) -> [u8; PAGE_RECORD] {
        let mut record = [0u8; PAGE_RECORD];
        record[..4].copy_from_slice(&self.page_id.get().to_le_bytes());
        record[4..8].copy_from_slice(&self.body_id.get().to_le_bytes());
        record[8] = match self.orientation {
            Orientation::Portrait => 0,
            Orientation::Landscape => 1,
        };
        record
    }

    fn from_record(record: &[u8; PAGE_RECORD]) -> Option<FinishedPage> {
        let id = |bytes: &[u8]| {
            let id = i32::from_le_bytes(bytes.try_into().expect("4 bytes"));
            (id > 0).then(|| Ref::new(id))
        };
        Some(FinishedPage {
            page_id: id(&record[..4])?,
            body_id: id(&record[4..8])?,
            orientation: match record[8] {
                0 => Orientation::Portrait,
                1 => Orientation::Landscape,
                _ => return None,
            },
        })
    }
}

/// The finished pages in order, in a scratch file of [`PAGE_RECORD`]-byte
/// records (written through a buffer, read back through the spill's small
/// block cache), so the builder holds nothing per page.
#[derive(Debug, Default)]
struct PageList {
    /// Created with the first page.
    writer: Option<crate::spill::SpillWriter>,
    count: usize,
}

impl PageList {
    fn push(&mut self, page: FinishedPage) -> std::io::Result<()> {
        let writer = match &mut self.writer {
            Some(writer) => writer,
            none => none.insert(crate::spill::SpillWriter::new()?),
        };
        writer.write(&page.record())?;
        self.count += 1;
        Ok(())
    }

    /// The pages, ready to be read (none when no page was finished).
    fn finish(self) -> std::io::Result<Option<crate::spill::Spill>> {
        self.writer.map(|writer| writer.finish()).transpose()
    }
}

/// Page `index` of the pages' spill.
fn read_page(
    pages: Option<&crate::spill::Spill>,
    index: usize,
) -> Result<FinishedPage, ExportError> {
    let mut record = [0u8; PAGE_RECORD];
    let read = pages.is_some_and(|pages| pages.copy_to((index * PAGE_RECORD) as u64, &mut record));
    if !read {
        let failure = pages
            .and_then(|pages| pages.failure())
            .unwrap_or("no pages were kept");
        return Err(ExportError::render(
            "PDF",
            format!("the scratch file of pages: {failure}"),
        ));
    }
    FinishedPage::from_record(&record).ok_or_else(|| {
        ExportError::render(
            "PDF",
            format!("page {index} in the scratch file of pages does not decode"),
        )
    })
}

/// Where a [`PdfBuilder`] writes the document.
enum Destination<'w> {
    Memory(Vec<u8>),
    Writer(&'w mut dyn std::io::Write),
}

/// The start of every file `pdf-writer` makes (version 1.7 and a binary
/// marker), as `pdf_writer::Pdf` writes it.
const PDF_HEADER: &[u8] = b"%PDF-1.7\n%\x80\x80\x80\x80\n\n";

/// Builds one PDF document page by page, writing each indirect object into
/// its destination as soon as the next one starts: the bytes are those
/// `pdf_writer::Pdf` would hold for the same objects (header, objects in
/// order, cross-reference table, trailer), without holding the document.
pub(crate) struct PdfBuilder<'w> {
    destination: Destination<'w>,
    /// The object being written (at most one).
    chunk: Chunk,
    /// Bytes written so far (the next object's offset).
    written: usize,
    /// Each written object's offset by id (a scratch file).
    offsets: ObjectOffsets,
    /// The first write error; later writes are skipped and `finish` reports it.
    failed: Option<std::io::Error>,
    next_id: i32,
    /// The glyphs used so far; lent to the page being drawn.
    glyphs: GlyphUse,
    /// The finished pages (a scratch file).
    pages: PageList,
    title: String,
    footer_left: String,
    created: chrono::DateTime<chrono::Utc>,
}

impl PdfBuilder<'static> {
    /// Starts a document held in memory. `footer_left` is printed at the
    /// bottom left of every page.
    pub(crate) fn new(
        title: &str,
        footer_left: &str,
        created: chrono::DateTime<chrono::Utc>,
    ) -> PdfBuilder<'static> {
        PdfBuilder::with_destination(title, footer_left, created, Destination::Memory(Vec::new()))
    }
}

impl<'w> PdfBuilder<'w> {
    /// Starts a document written into `out` object by object.
    pub(crate) fn writing_into(
        title: &str,
        footer_left: &str,
        created: chrono::DateTime<chrono::Utc>,
        out: &'w mut dyn std::io::Write,
    ) -> PdfBuilder<'w> {
        PdfBuilder::with_destination(title, footer_left, created, Destination::Writer(out))
    }

    fn with_destination(
        title: &str,
        footer_left: &str,
        created: chrono::DateTime<chrono::Utc>,
        destination: Destination<'w>,
    ) -> PdfBuilder<'w> {
        PdfBuilder {
            destination,
            chunk: Chunk::new(),
            written: 0,
            offsets: ObjectOffsets::default(),
            failed: None,
            // 1: catalog, 2: page tree, 3: document info.
            next_id: 4,
            glyphs: GlyphUse::default(),
            pages: PageList::default(),
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

    fn write_out(&mut self, bytes: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        let result = match &mut self.destination {
            Destination::Memory(buffer) => {
                buffer.extend_from_slice(bytes);
                Ok(())
            }
            Destination::Writer(out) => out.write_all(bytes),
        };
        match result {
            Ok(()) => self.written += bytes.len(),
            Err(error) => self.failed = Some(error),
        }
    }

    /// Writes the finished object (the header first, before the first one).
    fn flush_object(&mut self) {
        if self.chunk.len() == 0 {
            return;
        }
        if self.written == 0 {
            self.write_out(PDF_HEADER);
        }
        let chunk = std::mem::replace(&mut self.chunk, Chunk::new());
        let mut refs = chunk.refs();
        if let Some(id) = refs.next() {
            if self.failed.is_none() {
                if let Err(error) = self.offsets.record(id, self.written) {
                    self.failed = Some(error);
                }
            }
        }
        if refs.next().is_some() && self.failed.is_none() {
            self.failed = Some(std::io::Error::other(
                "two PDF objects were written as one (a PdfBuilder defect)",
            ));
        }
        self.write_out(chunk.as_bytes());
    }

    /// The chunk to write the next object into, once the previous object
    /// went out.
    fn object(&mut self) -> &mut Chunk {
        self.flush_object();
        &mut self.chunk
    }

    /// A blank page to draw on.
    pub(crate) fn begin_page(&mut self, orientation: Orientation) -> Canvas {
        Canvas {
            content: Content::new(),
            orientation,
            glyphs: std::mem::take(&mut self.glyphs),
        }
    }

    /// Compresses the page's drawing into the document.
    pub(crate) fn end_page(&mut self, canvas: Canvas) {
        let page_id = self.allocate();
        let body_id = self.allocate();
        self.glyphs = canvas.glyphs;
        let bytes = canvas.content.finish();
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&bytes, PAGE_COMPRESSION_LEVEL);
        self.object()
            .stream(body_id, &compressed)
            .filter(Filter::FlateDecode);
        let page = FinishedPage {
            page_id,
            body_id,
            orientation: canvas.orientation,
        };
        if self.failed.is_none() {
            if let Err(error) = self.pages.push(page) {
                self.failed = Some(error);
            }
        }
    }

    /// The number of pages finished so far.
    pub(crate) fn page_count(&self) -> usize {
        self.pages.count
    }

    /// Writes the footers, page tree, fonts and trailer, and returns the
    /// file's bytes (empty when written into a writer).
    pub(crate) fn finish(mut self) -> Result<Vec<u8>, ExportError> {
        self.write_end()?;
        match self.destination {
            Destination::Memory(bytes) => Ok(bytes),
            Destination::Writer(_) => Ok(Vec::new()),
        }
    }

    /// The footers, page tree, fonts, cross-reference table and trailer.
    fn write_end(&mut self) -> Result<(), ExportError> {
        let catalog_id = Ref::new(1);
        let page_tree_id = Ref::new(2);
        let info_id = Ref::new(3);
        let page_total = self.pages.count;
        let pages = std::mem::take(&mut self.pages).finish();
        if let Some(error) = self.failed.take() {
            return Err(ExportError::render("PDF", error));
        }
        let pages = pages.map_err(|error| ExportError::render("PDF", error))?;
        let pages = pages.as_ref();
        // The footers take the ids after the pages', one a page in page
        // order, so page `index`'s footer is `first_footer_id + index`.
        let first_footer_id = self.next_id;
        for index in 0..page_total {
            let page = read_page(pages, index)?;
            let mut canvas = Canvas {
                content: Content::new(),
                orientation: page.orientation,
                glyphs: std::mem::take(&mut self.glyphs),
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
            debug_assert_eq!(footer_id.get(), first_footer_id + index as i32);
            self.glyphs = canvas.glyphs;
            let bytes = canvas.content.finish();
            let compressed =
                miniz_oxide::deflate::compress_to_vec_zlib(&bytes, PAGE_COMPRESSION_LEVEL);
            self.object()
                .stream(footer_id, &compressed)
                .filter(Filter::FlateDecode);
        }
        for index in 0..page_total {
            let page = read_page(pages, index)?;
            let footer_id = Ref::new(first_footer_id + index as i32);
            let (width, height) = page.orientation.size();
            let mut page_writer = self.object().page(page.page_id);
            page_writer
                .parent(page_tree_id)
                .media_box(Rect::new(0.0, 0.0, width, height))
                .contents_array([page.body_id, footer_id]);
            page_writer.finish();
        }
        let glyphs = std::mem::take(&mut self.glyphs);
        let mut font_resources = Vec::new();
        for (face_index, face_use) in glyphs.faces.iter().enumerate() {
            if face_use.original_ids.len() <= 1 {
                continue;
            }
            let face_index = face_index as FaceIndex;
            let font = (glyphs.face_of)(face_index);
            let font_id = self.embed_font(font, face_use)?;
            font_resources.push((font_resource_name(face_index), font_id));
        }
        self.object()
            .indirect(catalog_id)
            .start::<Catalog>()
            .pages(page_tree_id);
        self.write_page_tree(page_tree_id, page_total, pages, &font_resources)?;
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
        let title = std::mem::take(&mut self.title);
        self.object()
            .indirect(info_id)
            .start::<DocumentInfo>()
            .title(TextStr(&title))
            .producer(TextStr("Scoretable"))
            .creation_date(date);
        self.flush_object();
        let offsets = std::mem::take(&mut self.offsets);
        if self.failed.is_none() {
            let xref_offset = self.written;
            let written = write_cross_reference_and_trailer(
                &offsets,
                xref_offset,
                catalog_id,
                info_id,
                &mut |bytes| self.write_out(bytes),
            );
            if let Err(error) = written {
                self.failed.get_or_insert(error);
            }
        }
        if let Some(error) = self.failed.take() {
            return Err(ExportError::render("PDF", error));
        }
        if let Destination::Writer(out) = &mut self.destination {
            out.flush()
                .map_err(|error| ExportError::render("PDF", error))?;
        }
        Ok(())
    }

    /// Writes the page tree object, its `/Kids` array streamed from the
    /// pages' scratch file: the object is made by pdf-writer with one
    /// placeholder kid ([`KIDS_PLACEHOLDER`]), and the page ids are written
    /// in its place as pdf-writer writes an array of references (`4 0 R`
    /// and a space between), so the bytes are those of the object with
    /// every kid and the builder holds none of them.
    fn write_page_tree(
        &mut self,
        page_tree_id: Ref,
        page_total: usize,
        pages: Option<&crate::spill::Spill>,
        font_resources: &[(std::borrow::Cow<'static, [u8]>, Ref)],
    ) -> Result<(), ExportError> {
        let mut chunk = Chunk::new();
        let mut page_tree = chunk.pages(page_tree_id);
        page_tree.kids([KIDS_PLACEHOLDER]).count(page_total as i32);
        {
            let mut resources = page_tree.resources();
            let mut font_dictionary = resources.fonts();
            for (name, font_id) in font_resources {
                font_dictionary.pair(Name(name), *font_id);
            }
        }
        page_tree.finish();
        let bytes = chunk.as_bytes();
        let placeholder = format!("[{} 0 R]", KIDS_PLACEHOLDER.get());
        let Some(at) = bytes
            .windows(placeholder.len())
            .position(|window| window == placeholder.as_bytes())
        else {
            return Err(ExportError::render(
                "PDF",
                "the page tree has no kids array (a PdfBuilder defect)",
            ));
        };
        // The previous object out, then this one by hand.
        self.flush_object();
        if self.failed.is_none() {
            if let Err(error) = self.offsets.record(page_tree_id, self.written) {
                self.failed = Some(error);
            }
        }
        self.write_out(&bytes[..=at]);
        let mut kids = Vec::with_capacity(XREF_BUFFER + 32);
        for index in 0..page_total {
            use std::io::Write as _;
            let page = read_page(pages, index)?;
            if index > 0 {
                kids.push(b' ');
            }
            let _ = write!(kids, "{} 0 R", page.page_id.get());
            if kids.len() >= XREF_BUFFER {
                self.write_out(&kids);
                kids.clear();
            }
        }
        self.write_out(&kids);
        self.write_out(&bytes[at + placeholder.len() - 1..]);
        Ok(())
    }

    /// Embeds the subset of one font the document uses as a Type0 font with
    /// Identity-H encoding, and returns the Type0 font's id.
    fn embed_font(&mut self, font: &FontFace, face_use: &FaceUse) -> Result<Ref, ExportError> {
        let type0_id = self.allocate();
        let cid_font_id = self.allocate();
        let descriptor_id = self.allocate();
        let font_file_id = self.allocate();
        let to_unicode_id = self.allocate();

        let remapper = subsetter::GlyphRemapper::new_from_glyphs(&face_use.original_ids);
        let subset =
            subsetter::subset(font.data, font.collection_index, &remapper).map_err(|error| {
                ExportError::render(
                    format!(
                        "PDF font subset of {} ({})",
                        font.postscript_name, font.source
                    ),
                    format!("{error:?}"),
                )
            })?;
        // A subset's name starts with a tag derived from its glyphs, so two
        // different subsets of one font never share a name.
        let mut tag_seed: u32 = 2_166_136_261;
        for glyph_id in &face_use.original_ids {
            for byte in glyph_id.to_be_bytes() {
                tag_seed = (tag_seed ^ u32::from(byte)).wrapping_mul(16_777_619);
            }
        }
        let tag: String = (0..6)
            .map(|position| (b'A' + ((tag_seed >> (position * 5)) % 26) as u8) as char)
            .collect();
        let base_font = format!("{tag}+{}", font.postscript_name);
        let base_font = Name(base_font.as_bytes());
        let system_info = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };

        self.object()
            .type0_font(type0_id)
            .base_font(base_font)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_font_id)
            .to_unicode(to_unicode_id);

        let is_cff = font.is_cff();
        let cid_to_gid_map_id = if is_cff { None } else { Some(self.allocate()) };
        let mut cid_font = self.object().cid_font(cid_font_id);
        cid_font
            .subtype(if is_cff {
                CidFontType::Type0
            } else {
                CidFontType::Type2
            })
            .base_font(base_font)
            .system_info(system_info)
            .font_descriptor(descriptor_id)
            .default_width(0.0);
        if let Some(map_id) = cid_to_gid_map_id {
            cid_font.cid_to_gid_map_stream(map_id);
        }
        // Widths by code, in runs of consecutive codes.
        let mut by_code: Vec<(u16, f32)> = face_use
            .codes
            .iter()
            .zip(&face_use.original_ids)
            .skip(1)
            .map(|(code, glyph_id)| (*code, f32::from(font.advance(*glyph_id))))
            .collect();
        by_code.sort_by_key(|(code, _)| *code);
        {
            let mut widths = cid_font.widths();
            let mut start = 0;
            while start < by_code.len() {
                let mut end = start + 1;
                while end < by_code.len() && by_code[end].0 == by_code[end - 1].0 + 1 {
                    end += 1;
                }
                widths.consecutive(
                    by_code[start].0,
                    by_code[start..end].iter().map(|(_, width)| *width),
                );
                start = end;
            }
        }
        cid_font.finish();
        if let Some(map_id) = cid_to_gid_map_id {
            let highest_code = by_code.last().map(|(code, _)| *code).unwrap_or(0);
            let mut map = vec![0u8; (usize::from(highest_code) + 1) * 2];
            for (subset_id, code) in face_use.codes.iter().enumerate().skip(1) {
                let at = usize::from(*code) * 2;
                map[at..at + 2].copy_from_slice(&(subset_id as u16).to_be_bytes());
            }
            let compressed_map =
                miniz_oxide::deflate::compress_to_vec_zlib(&map, FONT_COMPRESSION_LEVEL);
            self.object()
                .stream(map_id, &compressed_map)
                .filter(Filter::FlateDecode);
        }

        let face = &font.face;
        let bounding_box = face.global_bounding_box();
        let ascent = font.scaled(face.ascender());
        let mut flags = FontFlags::SYMBOLIC;
        if face.is_italic() {
            flags |= FontFlags::ITALIC;
        }
        if face.is_monospaced() {
            flags |= FontFlags::FIXED_PITCH;
        }
        let mut descriptor = self.object().font_descriptor(descriptor_id);
        descriptor
            .name(base_font)
            .flags(flags)
            .bbox(Rect::new(
                font.scaled(bounding_box.x_min),
                font.scaled(bounding_box.y_min),
                font.scaled(bounding_box.x_max),
                font.scaled(bounding_box.y_max),
            ))
            .italic_angle(face.italic_angle())
            .ascent(ascent)
            .descent(font.scaled(face.descender()))
            .cap_height(
                face.capital_height()
                    .map(|height| font.scaled(height))
                    .unwrap_or(ascent),
            )
            .stem_v(if face.is_bold() { 140.0 } else { 80.0 });
        if is_cff {
            descriptor.font_file3(font_file_id);
        } else {
            descriptor.font_file2(font_file_id);
        }
        descriptor.finish();

        let compressed_font =
            miniz_oxide::deflate::compress_to_vec_zlib(&subset, FONT_COMPRESSION_LEVEL);
        let mut font_file = self.object().stream(font_file_id, &compressed_font);
        font_file.filter(Filter::FlateDecode);
        if is_cff {
            font_file.pair(Name(b"Subtype"), Name(b"OpenType"));
        }
        font_file.finish();

        let mut to_unicode = UnicodeCmap::new(Name(b"Scoretable-UTF16"), system_info);
        for (code, character) in face_use.codes.iter().zip(&face_use.characters).skip(1) {
            to_unicode.pair(*code, *character);
        }
        let to_unicode = to_unicode.finish();
        let compressed_map = miniz_oxide::deflate::compress_to_vec_zlib(
            to_unicode.as_slice(),
            FONT_COMPRESSION_LEVEL,
        );
        self.object()
            .stream(to_unicode_id, &compressed_map)
            .filter(Filter::FlateDecode);
        Ok(type0_id)
    }
}

/// Each written object's byte offset by object id, in a scratch file of
/// 8-byte little-endian records (record `id` at byte `8 * id`; 0 where no
/// object was written, which no object's offset is, as the header comes
/// first), so the builder holds nothing per object. Object ids are dense
/// (the builder counts them up), so the file is about 8 bytes an object.
#[derive(Debug, Default)]
struct ObjectOffsets {
    /// Created with the first record.
    file: Option<std::fs::File>,
    /// The highest id recorded (0: none).
    last_id: u64,
}

/// Ids a reader of [`ObjectOffsets`] reads at a time.
const OFFSETS_BLOCK_IDS: u64 = 2048;

impl ObjectOffsets {
    /// Records that object `id` starts at byte `offset` (one positioned
    /// write).
    fn record(&mut self, id: Ref, offset: usize) -> std::io::Result<()> {
        let id = u64::try_from(id.get()).unwrap_or(0);
        let file = match &mut self.file {
            Some(file) => file,
            none => none.insert(tempfile::tempfile()?),
        };
        crate::spill::write_all_at(file, &(offset as u64).to_le_bytes(), id * 8)?;
        self.last_id = self.last_id.max(id);
        Ok(())
    }

    /// A reader of the offsets in increasing id order.
    fn reader(&self) -> OffsetsReader<'_> {
        OffsetsReader {
            offsets: self,
            first_id: 0,
            block: Vec::new(),
        }
    }
}

/// Reads [`ObjectOffsets`] forward a block of ids at a time.
struct OffsetsReader<'o> {
    offsets: &'o ObjectOffsets,
    /// The id of the block's first record.
    first_id: u64,
    block: Vec<u8>,
}

impl OffsetsReader<'_> {
    /// Object `id`'s offset (0: not written). Asked in increasing id order,
    /// each block is read once.
    fn offset(&mut self, id: u64) -> std::io::Result<u64> {
        if id > self.offsets.last_id {
            return Ok(0);
        }
        let Some(file) = &self.offsets.file else {
            return Ok(0);
        };
        let in_block = id >= self.first_id && id - self.first_id < self.block.len() as u64 / 8;
        if !in_block {
            let first_id = id - id % OFFSETS_BLOCK_IDS;
            let ids = (self.offsets.last_id + 1 - first_id).min(OFFSETS_BLOCK_IDS);
            self.block.resize(ids as usize * 8, 0);
            self.first_id = first_id;
            if let Err(error) = crate::spill::read_exact_at(file, &mut self.block, first_id * 8) {
                self.block.clear();
                return Err(error);
            }
        }
        let at = ((id - self.first_id) * 8) as usize;
        Ok(u64::from_le_bytes(
            self.block[at..at + 8].try_into().expect("8 bytes"),
        ))
    }
}

/// The kid the page tree is made with, replaced by the pages' ids as it
/// is written ([`PdfBuilder::write_page_tree`]).
const KIDS_PLACEHOLDER: Ref = Ref::new(i32::MAX);

/// Bytes of the cross-reference table (and of the page tree's kids)
/// gathered before they are written.
const XREF_BUFFER: usize = 64 * 1024;

/// Writes, through `out`, the cross-reference table and trailer
/// `pdf_writer::Pdf::finish` writes after the objects at `offsets` (the
/// table starting at byte `xref_offset`), with the catalog and document
/// info in the trailer: one entry of 20 bytes an id from 0 to the highest
/// written, read from the scratch file in id order. Ids without an object
/// are free, linked as pdf-writer links them: each to the next free id
/// (the last to 0; id 0 heads the list with generation 65535).
fn write_cross_reference_and_trailer(
    offsets: &ObjectOffsets,
    xref_offset: usize,
    catalog_id: Ref,
    info_id: Ref,
    out: &mut dyn FnMut(&[u8]),
) -> std::io::Result<()> {
    use std::io::Write as _;
    let xref_len = offsets.last_id + 1;
    let mut buffer = Vec::with_capacity(XREF_BUFFER + 64);
    let _ = write!(buffer, "xref\n0 {xref_len}\n");
    let mut entries = offsets.reader();
    // A second reader finds the next free id after a free one: it moves
    // forward only, over each run of used ids once.
    let mut ahead = offsets.reader();
    for id in 0..xref_len {
        let offset = if id == 0 { 0 } else { entries.offset(id)? };
        if offset != 0 {
            let _ = write!(buffer, "{offset:010} {:05} n\r\n", 0);
        } else {
            let mut next = id + 1;
            while next < xref_len && ahead.offset(next)? != 0 {
                next += 1;
            }
            let generation = if id == 0 { 65535 } else { 0 };
            let _ = write!(buffer, "{:010} {generation:05} f\r\n", next % xref_len);
        }
        if buffer.len() >= XREF_BUFFER {
            out(&buffer);
            buffer.clear();
        }
    }
    let _ = write!(
        buffer,
        "trailer\n<<\n  /Size {xref_len}\n  /Root {} 0 R\n  /Info {} 0 R\n>>\nstartxref\n{xref_offset}\n%%EOF",
        catalog_id.get(),
        info_id.get()
    );
    out(&buffer);
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;

    /// The cross-reference table and trailer as the builder wrote it before
    /// the offsets were spilled (the whole table in memory), kept as the
    /// oracle of [`write_cross_reference_and_trailer`]: the table and trailer `pdf_writer::Pdf::finish` writes
    /// after objects at `offsets` (the table starting at byte `xref_offset`),
    /// with the catalog and document info in the trailer.
    fn cross_reference_and_trailer(
        mut offsets: Vec<(Ref, usize)>,
        xref_offset: usize,
        catalog_id: Ref,
        info_id: Ref,
    ) -> Vec<u8> {
        use std::io::Write as _;
        offsets.sort();
        let xref_len = 1 + offsets.last().map_or(0, |(id, _)| id.get());
        let mut out = Vec::with_capacity(64 + offsets.len() * 20);
        let _ = write!(out, "xref\n0 {xref_len}\n");
        if offsets.is_empty() {
            let _ = write!(out, "{:010} {:05} f\r\n", 0, 65535);
        }
        // The free list as pdf-writer links it: each unused id points at the
        // next unused one (id 0 heads it, generation 65535).
        let mut written = 0;
        for (index, (object_id, offset)) in offsets.iter().enumerate() {
            for free_id in written..object_id.get() {
                let mut next = free_id + 1;
                if next == object_id.get() {
                    for (used_id, _) in &offsets[index..] {
                        if next < used_id.get() {
                            break;
                        }
                        next = used_id.get() + 1;
                    }
                }
                let generation = if free_id == 0 { 65535 } else { 0 };
                let _ = write!(out, "{:010} {generation:05} f\r\n", next % xref_len);
            }
            written = written.max(object_id.get());
            let _ = write!(out, "{offset:010} {:05} n\r\n", 0);
            written += 1;
        }
        let _ = write!(
            out,
            "trailer\n<<\n  /Size {xref_len}\n  /Root {} 0 R\n  /Info {} 0 R\n>>\nstartxref\n{xref_offset}\n%%EOF",
            catalog_id.get(),
            info_id.get()
        );
        out
    }

    /// A CFF-flavoured OpenType font, like the Noto CJK fonts that are the
    /// usual CJK fallback on Linux (Debian: fonts-urw-base35).
    const CFF_FONT: &str = "/usr/share/fonts/opentype/urw-base35/NimbusSans-Regular.otf";

    fn cff_font() -> Option<&'static FontFace> {
        static FONT: OnceLock<Option<FontFace>> = OnceLock::new();
        FONT.get_or_init(|| {
            let bytes = std::fs::read(CFF_FONT).ok()?;
            FontFace::parse(Box::leak(bytes.into_boxed_slice()), 0, CFF_FONT.to_string())
        })
        .as_ref()
    }

    /// The bundled fonts, with the CFF font as face 2.
    fn faces_with_cff(index: FaceIndex) -> &'static FontFace {
        match index {
            2 => cff_font().expect("the CFF test font"),
            other => fonts::face(other),
        }
    }

    /// The offsets of objects `ids` (written in reverse order, each at an
    /// offset of its own) in the scratch file and as the old table's list.
    fn offsets_of(ids: &[i32]) -> (ObjectOffsets, Vec<(Ref, usize)>) {
        let mut offsets = ObjectOffsets::default();
        let mut listed = Vec::new();
        for &id in ids.iter().rev() {
            let offset = PDF_HEADER.len() + id as usize * 37;
            offsets.record(Ref::new(id), offset).unwrap();
            listed.push((Ref::new(id), offset));
        }
        (offsets, listed)
    }

    /// The table and trailer read back from the scratch file are the bytes
    /// the in-memory table made, free-list links included, with gaps at
    /// the start, in the middle (one id, consecutive ids, across a block of
    /// the reader), before the last object, and with no object at all.
    #[test]
    fn the_streamed_cross_reference_equals_the_in_memory_one() {
        let mut patterns: Vec<Vec<i32>> = vec![
            vec![],
            vec![1],
            vec![2],
            vec![1, 2, 3],
            vec![3, 4, 5],
            vec![1, 2, 5],
            vec![1, 3, 5, 7],
            vec![2, 3, 7, 8, 10],
            vec![1, 10],
            vec![4, 5, 6, 7, 1, 2, 3],
        ];
        let many: Vec<i32> = (1..9_000)
            .filter(|id| id % 97 != 0 && !(2_040..2_100).contains(id) && *id != 4_096)
            .collect();
        patterns.push(many);
        let dense_then_gap: Vec<i32> = (1..5_000).chain([6_000, 8_193]).collect();
        patterns.push(dense_then_gap);
        for ids in patterns {
            let (offsets, listed) = offsets_of(&ids);
            let expected = cross_reference_and_trailer(listed, 123_456, Ref::new(1), Ref::new(3));
            let mut streamed = Vec::new();
            write_cross_reference_and_trailer(
                &offsets,
                123_456,
                Ref::new(1),
                Ref::new(3),
                &mut |bytes| streamed.extend_from_slice(bytes),
            )
            .unwrap();
            assert!(
                streamed == expected,
                "ids {:?}..: {} bytes streamed, {} expected",
                &ids[..ids.len().min(8)],
                streamed.len(),
                expected.len()
            );
        }
    }

    /// The page tree's kids, written from the pages' scratch file, are the
    /// array pdf-writer writes for the same page ids.
    #[test]
    fn the_streamed_kids_are_pdf_writers_array() {
        let mut builder = PdfBuilder::new("Kids", "Kids footer", chrono::Utc::now());
        let mut page_ids = Vec::new();
        for index in 0..3 {
            let orientation = if index == 1 {
                Orientation::Landscape
            } else {
                Orientation::Portrait
            };
            let mut canvas = builder.begin_page(orientation);
            canvas.text(72.0, 500.0, Font::Regular, 12.0, BLACK, "Kids");
            builder.end_page(canvas);
            page_ids.push(Ref::new(builder.next_id - 2));
        }
        let pdf = builder.finish().unwrap();
        let mut chunk = Chunk::new();
        chunk.pages(Ref::new(2)).kids(page_ids).count(3);
        let line = |bytes: &[u8]| -> String {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let start = text.find("/Kids ").expect("a kids array");
            text[start..start + text[start..].find('\n').unwrap()].to_string()
        };
        assert_eq!(line(&pdf), line(chunk.as_bytes()));
        assert_eq!(line(&pdf), "/Kids [4 0 R 6 0 R 8 0 R]");
        let text = String::from_utf8_lossy(&pdf);
        assert_eq!(text.matches("/MediaBox [0 0 841.89 595.28]").count(), 1);
    }

    fn two_page_document() -> PdfBuilder<'static> {
        let mut builder = PdfBuilder::new("Scratch", "Scratch footer", chrono::Utc::now());
        for orientation in [Orientation::Portrait, Orientation::Landscape] {
            let mut canvas = builder.begin_page(orientation);
            canvas.text(72.0, 500.0, Font::Regular, 12.0, BLACK, "Scratch");
            builder.end_page(canvas);
        }
        builder
    }

    /// A scratch file that cannot be written (here one opened read-only)
    /// makes `finish` an error, not a panic nor a document without its
    /// table.
    #[test]
    fn a_scratch_file_that_fails_makes_finish_an_error() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("read-only");
        std::fs::write(&path, b"").unwrap();

        let mut builder = PdfBuilder::new("Scratch", "Scratch footer", chrono::Utc::now());
        builder.offsets.file = Some(std::fs::File::open(&path).unwrap());
        let mut canvas = builder.begin_page(Orientation::Portrait);
        canvas.text(72.0, 500.0, Font::Regular, 12.0, BLACK, "Scratch");
        builder.end_page(canvas);
        let error = builder.finish().unwrap_err();
        assert!(error.to_string().contains("PDF"), "{error}");

        let mut builder = two_page_document();
        let writer = builder.pages.writer.take().unwrap();
        // The pages' scratch file loses its records: reading them back fails.
        let read_only = std::fs::File::open(&path).unwrap();
        drop(writer);
        builder.pages.writer = Some(crate::spill::SpillWriter::over(read_only));
        let error = builder.finish().unwrap_err();
        assert!(error.to_string().contains("PDF"), "{error}");

        // Unharmed, the same document finishes and reads.
        let pdf = two_page_document().finish().unwrap();
        assert!(pdf.starts_with(PDF_HEADER) && pdf.ends_with(b"%%EOF"));
    }

    #[test]
    fn a_cff_font_embeds_as_cid_font_type0_and_extracts() {
        let Some(font) = cff_font() else {
            eprintln!("{CFF_FONT} is not installed; the CFF embedding is not exercised");
            return;
        };
        assert!(font.is_cff());
        let mut builder = PdfBuilder::new("CFF", "CFF footer", chrono::Utc::now());
        builder.glyphs.face_of = faces_with_cff;
        let mut canvas = builder.begin_page(Orientation::Portrait);
        let mut codes = Vec::new();
        for character in "Nimbus Sans".chars() {
            let glyph_id = font.face.glyph_index(character).unwrap().0;
            let glyph = Glyph {
                face: 2,
                glyph_id,
                advance: font.advance(glyph_id),
                character,
            };
            codes.extend_from_slice(&canvas.glyphs.code(glyph).to_be_bytes());
        }
        canvas.content.begin_text();
        canvas.content.set_font(Name(b"F2"), 14.0);
        canvas.content.next_line(72.0, 700.0);
        canvas.content.show(Str(&codes));
        canvas.content.end_text();
        builder.end_page(canvas);
        let pdf = builder.finish().unwrap();
        let raw = String::from_utf8_lossy(&pdf);
        assert!(
            raw.contains("/CIDFontType0"),
            "a CFF font is a CIDFontType0"
        );
        assert!(raw.contains("/FontFile3") && raw.contains("/Subtype /OpenType"));
        assert!(raw.contains("+NimbusSans-Regular"));

        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("cff.pdf");
        std::fs::write(&path, &pdf).unwrap();
        let output = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(&path)
            .arg("-")
            .output()
            .expect("the PDF tests need poppler's pdftotext (Debian: poppler-utils)");
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.contains("Nimbus Sans"), "{text}");
        assert!(text.contains("Page 1 of 1"), "{text}");
        let fonts = std::process::Command::new("pdffonts")
            .arg(&path)
            .output()
            .expect("pdffonts (poppler-utils)");
        let listing = String::from_utf8_lossy(&fonts.stdout);
        let line = listing
            .lines()
            .find(|line| line.contains("NimbusSans"))
            .unwrap_or_else(|| panic!("{listing}"));
        assert!(
            line.contains("CID Type 0C") && line.contains(" yes yes yes "),
            "{line}"
        );
        // For a person to look at: the glyphs must be the right ones, which
        // text extraction (through ToUnicode) cannot show.
        let artifacts = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../test-artifacts/export");
        std::fs::create_dir_all(&artifacts).unwrap();
        std::fs::write(artifacts.join("cff-font.pdf"), &pdf).unwrap();
        let _ = std::process::Command::new("pdftoppm")
            .args(["-png", "-r", "60"])
            .arg(artifacts.join("cff-font.pdf"))
            .arg(artifacts.join("cff-font"))
            .status();
    }
}
