//! The fonts the PDFs print with: bundled DejaVu Sans, system fallbacks, and
//! the glyph each character prints as.
//!
//! DejaVu Sans and DejaVu Sans Bold (Bitstream Vera licence, see
//! `assets/fonts/LICENSE-DejaVu.txt`) are compiled into the binary with
//! `include_bytes!`, so an export needs nothing at run time for Latin, Greek,
//! Cyrillic, Armenian, Georgian, Hebrew and many symbols. A character neither
//! bundled font has (Chinese, Japanese, Korean, Devanagari, ...) is looked up
//! in fallback fonts found in the standard font directories of Linux, macOS
//! and Windows (Noto CJK, Source Han, Droid Sans Fallback, WenQuanYi, the
//! platform CJK fonts, then any script-specific Noto Sans). The directories
//! are searched once, and only when the first such character turns up, so
//! exports of Latin, Greek and Cyrillic names never touch the disk. A
//! character no font covers prints as U+FFFD (a visible replacement mark);
//! [`missing_characters`] lists them so the export summary can warn.
//!
//! Every font is embedded as a Type0 font (Identity-H, two-byte glyph ids)
//! with a ToUnicode map, subset to the glyphs used (see `document.rs`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::text::Font;

static REGULAR_FONT_BYTES: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans.ttf");
static BOLD_FONT_BYTES: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans-Bold.ttf");

/// The character printed for one no font covers.
pub(crate) const REPLACEMENT_CHARACTER: char = '\u{FFFD}';

/// Characters below this code point are resolved once, up front, into a table.
const TABLE_SIZE: usize = 0x800;

/// Fallback font files in order of preference (lower-case file names).
const PREFERRED_FALLBACK_FILES: &[&str] = &[
    "notosanscjk-regular.ttc",
    "notosanscjksc-regular.otf",
    "notosanscjkjp-regular.otf",
    "notosanscjktc-regular.otf",
    "notosanscjkkr-regular.otf",
    "notosanssc-regular.otf",
    "notosanssc-regular.ttf",
    "sourcehansans-regular.ttc",
    "sourcehanssans-regular.ttc",
    "droidsansfallbackfull.ttf",
    "droidsansfallback.ttf",
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
    "pingfang.ttc",
    "hiragino sans gb.ttc",
    "applesdgothicneo.ttc",
    "arial unicode.ttf",
    "arialuni.ttf",
    "msyh.ttc",
    "yugothm.ttc",
    "msgothic.ttc",
    "malgun.ttf",
    "simsun.ttc",
    "nirmala.ttf",
];

/// At most this many fallback fonts are loaded.
const MAX_FALLBACK_FONTS: usize = 48;
/// Font files larger than this are skipped.
const MAX_FALLBACK_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Which loaded font a glyph comes from: 0 is DejaVu Sans, 1 DejaVu Sans
/// Bold, 2 and up the fallback fonts in the order they were found.
pub(crate) type FaceIndex = u16;

/// How one character prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Glyph {
    pub(crate) face: FaceIndex,
    /// The glyph id in the original (not subset) font.
    pub(crate) glyph_id: u16,
    /// Advance width in thousandths of the font size.
    pub(crate) advance: u16,
    /// The text a PDF reader extracts for this glyph.
    pub(crate) character: char,
}

/// One loaded font file (or one face of a collection).
pub(crate) struct FontFace {
    pub(crate) data: &'static [u8],
    /// The face's index within a `.ttc` collection; 0 for a single font.
    pub(crate) collection_index: u32,
    pub(crate) face: ttf_parser::Face<'static>,
    /// The PostScript name, for the PDF's `BaseFont`.
    pub(crate) postscript_name: String,
    /// Where the font came from: "bundled" or the file's path.
    pub(crate) source: String,
}

impl FontFace {
    pub(crate) fn parse(
        data: &'static [u8],
        collection_index: u32,
        source: String,
    ) -> Option<FontFace> {
        let face = ttf_parser::Face::parse(data, collection_index).ok()?;
        let postscript_name = face
            .names()
            .into_iter()
            .filter(|name| name.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .find_map(|name| name.to_string())
            .map(|name| {
                name.chars()
                    .filter(|character| character.is_ascii_graphic() && *character != '/')
                    .collect::<String>()
            })
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| "Font".to_string());
        Some(FontFace {
            data,
            collection_index,
            face,
            postscript_name,
            source,
        })
    }

    /// Whether the outlines are CFF (embedded as CIDFontType0) rather than
    /// TrueType (CIDFontType2).
    pub(crate) fn is_cff(&self) -> bool {
        self.face.tables().cff.is_some()
    }

    fn units_per_em(&self) -> f32 {
        f32::from(self.face.units_per_em().max(1))
    }

    /// The advance of a glyph in thousandths of the font size.
    pub(crate) fn advance(&self, glyph_id: u16) -> u16 {
        let units = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(glyph_id))
            .unwrap_or(0);
        (f32::from(units) * 1000.0 / self.units_per_em()).round() as u16
    }

    /// A length in font units scaled to thousandths of the font size.
    pub(crate) fn scaled(&self, units: i16) -> f32 {
        f32::from(units) * 1000.0 / self.units_per_em()
    }

    fn glyph(&self, face: FaceIndex, character: char) -> Option<Glyph> {
        let glyph_id = self.face.glyph_index(character)?;
        if glyph_id.0 == 0 {
            return None;
        }
        Some(Glyph {
            face,
            glyph_id: glyph_id.0,
            advance: self.advance(glyph_id.0),
            character,
        })
    }
}

struct FontSet {
    regular: FontFace,
    bold: FontFace,
    /// Glyphs of the first [`TABLE_SIZE`] characters in the bundled fonts,
    /// regular then bold; `None` where the bundled font lacks the character.
    table: [Vec<Option<Glyph>>; 2],
    fallbacks: OnceLock<Vec<FontFace>>,
}

fn font_set() -> &'static FontSet {
    static FONTS: OnceLock<FontSet> = OnceLock::new();
    FONTS.get_or_init(|| {
        let regular = FontFace::parse(REGULAR_FONT_BYTES, 0, "bundled".to_string())
            .expect("the bundled DejaVu Sans parses");
        let bold = FontFace::parse(BOLD_FONT_BYTES, 0, "bundled".to_string())
            .expect("the bundled DejaVu Sans Bold parses");
        let mut set = FontSet {
            regular,
            bold,
            table: [Vec::new(), Vec::new()],
            fallbacks: OnceLock::new(),
        };
        for (style, font) in [Font::Regular, Font::Bold].into_iter().enumerate() {
            let table = (0..TABLE_SIZE as u32)
                .map(|code| {
                    let character = char::from_u32(code).unwrap_or(REPLACEMENT_CHARACTER);
                    set.resolve_bundled(character, font)
                })
                .collect();
            set.table[style] = table;
        }
        set
    })
}

impl FontSet {
    fn bundled(&self, font: Font) -> (&FontFace, FaceIndex) {
        match font {
            Font::Regular => (&self.regular, 0),
            Font::Bold => (&self.bold, 1),
        }
    }

    fn fallbacks(&self) -> &[FontFace] {
        self.fallbacks
            .get_or_init(|| load_fallback_fonts(&standard_font_directories()))
    }

    /// The glyph of a character in the style's bundled font (control and
    /// format characters print as nothing), if it has one.
    fn resolve_bundled(&self, character: char, font: Font) -> Option<Glyph> {
        let character = match character {
            '\t' | '\n' | '\r' => ' ',
            other => other,
        };
        let (bundled, bundled_index) = self.bundled(font);
        if let Some(glyph) = bundled.glyph(bundled_index, character) {
            return Some(glyph);
        }
        if character.is_control() || is_default_ignorable(character) {
            return Some(Glyph {
                face: bundled_index,
                glyph_id: 0,
                advance: 0,
                character,
            });
        }
        None
    }

    /// The glyph of a character in the style's bundled font, or failing that
    /// the first fallback font that has it, or the replacement mark.
    fn resolve(&self, character: char, font: Font) -> Glyph {
        if let Some(glyph) = self.resolve_bundled(character, font) {
            return glyph;
        }
        let (bundled, bundled_index) = self.bundled(font);
        if !character.is_ascii() {
            for (position, fallback) in self.fallbacks().iter().enumerate() {
                if let Some(glyph) = fallback.glyph(2 + position as FaceIndex, character) {
                    return glyph;
                }
            }
        }
        bundled
            .glyph(bundled_index, REPLACEMENT_CHARACTER)
            .expect("DejaVu Sans has U+FFFD")
    }
}

fn is_default_ignorable(character: char) -> bool {
    matches!(
        character,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
    )
}

/// How `character` prints in `font`.
pub(crate) fn glyph_for(character: char, font: Font) -> Glyph {
    let set = font_set();
    let style = match font {
        Font::Regular => 0,
        Font::Bold => 1,
    };
    match set.table[style].get(character as usize) {
        Some(Some(glyph)) => *glyph,
        _ => set.resolve(character, font),
    }
}

/// The loaded font a glyph comes from.
pub(crate) fn face(index: FaceIndex) -> &'static FontFace {
    let set = font_set();
    match index {
        0 => &set.regular,
        1 => &set.bold,
        other => &set.fallbacks()[usize::from(other) - 2],
    }
}

/// The characters of `text` no font covers (each once, in order); they
/// print as U+FFFD.
pub fn missing_characters(text: &str) -> Vec<char> {
    let mut missing = Vec::new();
    for character in text.chars() {
        let glyph = glyph_for(character, Font::Regular);
        if glyph.character != character
            && glyph.character == REPLACEMENT_CHARACTER
            && !missing.contains(&character)
        {
            missing.push(character);
        }
    }
    missing
}

/// The fallback fonts in use: their file paths, in order of preference.
/// Empty when no character has needed one yet or none was found.
pub fn fallback_font_paths() -> Vec<String> {
    font_set()
        .fallbacks
        .get()
        .map(|fonts| fonts.iter().map(|font| font.source.clone()).collect())
        .unwrap_or_default()
}

/// The standard font directories of Linux, macOS and Windows that exist here.
fn standard_font_directories() -> Vec<PathBuf> {
    let mut directories: Vec<PathBuf> = Vec::new();
    let home = std::env::var_os("HOME").map(PathBuf::from);
    if let Some(data_home) = std::env::var_os("XDG_DATA_HOME") {
        directories.push(PathBuf::from(data_home).join("fonts"));
    }
    if let Some(home) = &home {
        directories.push(home.join(".local/share/fonts"));
        directories.push(home.join(".fonts"));
        directories.push(home.join("Library/Fonts"));
    }
    if let Some(data_dirs) = std::env::var_os("XDG_DATA_DIRS") {
        for directory in std::env::split_paths(&data_dirs) {
            directories.push(directory.join("fonts"));
        }
    }
    directories.push(PathBuf::from("/usr/share/fonts"));
    directories.push(PathBuf::from("/usr/local/share/fonts"));
    directories.push(PathBuf::from("/System/Library/Fonts"));
    directories.push(PathBuf::from("/Library/Fonts"));
    if let Some(windows) = std::env::var_os("WINDIR").or_else(|| std::env::var_os("SystemRoot")) {
        directories.push(PathBuf::from(windows).join("Fonts"));
    }
    if let Some(local) = std::env::var_os("LOCALAPPDATA") {
        directories.push(PathBuf::from(local).join("Microsoft/Windows/Fonts"));
    }
    let mut unique = Vec::new();
    for directory in directories {
        if directory.is_dir() && !unique.contains(&directory) {
            unique.push(directory);
        }
    }
    unique
}

/// Collects font files under `directory` (a few levels deep).
fn collect_font_files(directory: &Path, depth: usize, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if depth < 5 {
                collect_font_files(&path, depth + 1, files);
            }
        } else if path
            .extension()
            .and_then(|extension| extension.to_str())
            .map(|extension| {
                matches!(
                    extension.to_ascii_lowercase().as_str(),
                    "ttf" | "otf" | "ttc" | "otc"
                )
            })
            .unwrap_or(false)
        {
            files.push(path);
        }
    }
}

/// The fallback font files under `directories`, best first: the preferred
/// CJK fonts, then script-specific Noto Sans regular fonts.
pub(crate) fn find_fallback_files(directories: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for directory in directories {
        collect_font_files(directory, 0, &mut files);
    }
    let lower_name = |path: &PathBuf| {
        path.file_name()
            .map(|name| name.to_string_lossy().to_lowercase())
            .unwrap_or_default()
    };
    let mut chosen: Vec<PathBuf> = Vec::new();
    for preferred in PREFERRED_FALLBACK_FILES {
        for file in &files {
            if lower_name(file) == *preferred && !chosen.contains(file) {
                chosen.push(file.clone());
            }
        }
    }
    for file in &files {
        let name = lower_name(file);
        let script_specific = name.starts_with("notosans")
            && !name.starts_with("notosansmono")
            && name.contains("-regular.");
        if script_specific && !chosen.contains(file) {
            chosen.push(file.clone());
        }
    }
    chosen.truncate(MAX_FALLBACK_FONTS);
    chosen
}

/// Reads and parses the fallback fonts under `directories`. A file that
/// cannot be read or parsed is skipped.
fn load_fallback_fonts(directories: &[PathBuf]) -> Vec<FontFace> {
    let mut fonts = Vec::new();
    for path in find_fallback_files(directories) {
        let too_big = std::fs::metadata(&path)
            .map(|metadata| metadata.len() > MAX_FALLBACK_FILE_BYTES)
            .unwrap_or(true);
        if too_big {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        // The fonts live as long as the process, like the bundled ones.
        let data: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        if let Some(font) = FontFace::parse(data, 0, path.display().to_string()) {
            fonts.push(font);
        }
    }
    fonts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_fonts_cover_latin_greek_and_cyrillic() {
        for text in ["Zoë Łukasiewicz", "Σοφία Παπαδοπούλου", "Ёлкина Мария"]
        {
            for character in text.chars() {
                let glyph = glyph_for(character, Font::Regular);
                assert!(glyph.face == 0 && glyph.glyph_id != 0, "{character}");
                let bold = glyph_for(character, Font::Bold);
                assert!(bold.face == 1 && bold.glyph_id != 0, "{character}");
            }
            assert!(missing_characters(text).is_empty());
        }
    }

    #[test]
    fn uncovered_characters_print_as_the_replacement_mark() {
        // A private-use character no font defines.
        let glyph = glyph_for('\u{10FFFD}', Font::Regular);
        assert_eq!(glyph.character, REPLACEMENT_CHARACTER);
        assert_ne!(glyph.glyph_id, 0);
        assert_eq!(
            missing_characters("Ann \u{10FFFD}x\u{10FFFD}"),
            vec!['\u{10FFFD}']
        );
    }

    #[test]
    fn finds_fallback_fonts_by_preference() {
        let directory = tempfile::tempdir().unwrap();
        let nested = directory.path().join("truetype/wqy");
        std::fs::create_dir_all(&nested).unwrap();
        for name in [
            "truetype/wqy/wqy-zenhei.ttc",
            "DroidSansFallbackFull.ttf",
            "NotoSansDevanagari-Regular.ttf",
            "NotoSansMono-Regular.ttf",
            "Unrelated.ttf",
            "notes.txt",
        ] {
            std::fs::write(directory.path().join(name), b"").unwrap();
        }
        let found = find_fallback_files(&[directory.path().to_path_buf()]);
        let names: Vec<String> = found
            .iter()
            .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "DroidSansFallbackFull.ttf",
                "wqy-zenhei.ttc",
                "NotoSansDevanagari-Regular.ttf"
            ]
        );
    }
}
