//! PDF tests: structure, page numbering, marks, footnotes and names in
//! several scripts are checked on the text poppler's `pdftotext` extracts
//! (so through the embedded fonts' ToUnicode maps); when `pdftoppm` is
//! installed the pages are also rendered to PNG under `test-artifacts/` for
//! a person to look at.

use crate::common;

use std::path::PathBuf;
use std::process::Command;

use common::*;
use scoretable_core::model::{
    Entrant, Gender, OverallMode, ResultEntry, Score, ScoreType, Status, TimingPoint,
};
use scoretable_export::{AwardBasis, AwardRules, Exporter};

/// The text of the PDF as a reader extracts it, through poppler's
/// `pdftotext`: this goes through the embedded fonts' ToUnicode maps, so it
/// checks what a person copying from the PDF gets.
fn page_text(pdf: &[u8]) -> String {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("extract.pdf");
    std::fs::write(&path, pdf).unwrap();
    let output = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("the PDF tests need poppler's pdftotext (Debian: poppler-utils)");
    assert!(
        output.status.success(),
        "pdftotext could not read the PDF: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("pdftotext writes UTF-8")
}

fn page_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.matches("/Type /Page\n").count()
        + text.matches("/Type /Page ").count()
        + text.matches("/Type /Page/").count()
}

fn artifacts_directory() -> PathBuf {
    let directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-artifacts/export");
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

/// Renders `pdf` to PNG pages with pdftoppm when it is installed.
fn render_pages(name: &str, pdf: &[u8], last_page: u32) {
    let directory = artifacts_directory();
    let path = directory.join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    let rendered = Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-l", &last_page.to_string()])
        .arg(&path)
        .arg(directory.join(name))
        .status();
    match rendered {
        Ok(status) => assert!(status.success(), "pdftoppm could not render {name}.pdf"),
        Err(_) => eprintln!("pdftoppm is not installed; {name}.pdf was written but not rendered"),
    }
}

#[test]
fn division_pdf_has_numbered_pages_marks_and_amendment_footnotes() {
    let data = sample_data();
    let exporter = Exporter::new(&data);
    let pdf = exporter.division_results_pdf(Some(WOMEN)).unwrap();
    render_pages("women", &pdf, 4);
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.ends_with(b"%%EOF") || pdf.ends_with(b"%%EOF\n"));
    // Three workouts and the overall standings, one page each.
    assert_eq!(page_count(&pdf), 4);
    let text = page_text(&pdf);
    for page in 1..=4 {
        assert!(
            text.contains(&format!("Page {page} of 4")),
            "page {page} footer missing"
        );
    }
    assert!(text.contains("OFFICIAL"));
    assert!(text.contains("PROVISIONAL"));
    assert!(text.contains("Generated 2026-05-02T17:30:00Z"));
    assert!(text.contains("Amended 2026-05-02T15:12:09Z by Chief Referee: 18:10.2 -> 18:01.2."));
    assert!(text.contains("Appeal A-7."));
    assert!(text.contains("*1"));
    // Gaps are measured from the division's leader, not the whole field's.
    assert!(text.contains("+0:12.277"), "division-relative gap missing");
    assert!(
        !text.contains("+1:00.123"),
        "gap measured from the whole field's leader"
    );
    let men = exporter.division_results_pdf(Some(MEN)).unwrap();
    render_pages("men", &men, 4);
    assert!(text.contains("Zo\u{00EB} M\u{00FC}ller"));
}

#[test]
fn whole_field_pdf_and_awards_render() {
    let data = sample_data();
    let exporter = Exporter::new(&data);
    let pdf = exporter.division_results_pdf(None).unwrap();
    assert!(page_text(&pdf).contains("All competitors"));
    render_pages("all", &pdf, 4);
    let rules = AwardRules {
        basis: AwardBasis::Overall,
        overall_awards: 3,
        gender_overall_awards: 0,
        awards_per_division: 3,
        overall_winners_also_take_division_awards: false,
    };
    let awards = exporter.awards_pdf(&rules).unwrap();
    let text = page_text(&awards);
    assert_eq!(page_count(&awards), 3);
    assert!(text.contains("AWARDS"));
    assert!(text.contains("Overall winners do not take division awards."));
    render_pages("awards", &awards, 3);
}

/// A division of `athletes` finishers with `splits` timing points.
fn large_data(athletes: i64, splits: u32) -> scoretable_export::ExportData {
    let mut run = workout(RUN, "City Marathon", 1, ScoreType::Time);
    run.timing_points = (1..=splits)
        .map(|order| TimingPoint {
            id: 100 + order as i64,
            order,
            name: format!("{} km", order * 4),
        })
        .collect();
    let competitors: Vec<_> = (1..=athletes)
        .map(|id| {
            competitor(
                id,
                &id.to_string(),
                &format!("Runner{id}"),
                "Lastname",
                if id % 2 == 0 {
                    Gender::Male
                } else {
                    Gender::Female
                },
            )
        })
        .collect();
    let results: Vec<ResultEntry> = (1..=athletes)
        .map(|id| {
            let finish = 7_200_000 + id * 1_733;
            let mut entry = result(
                id,
                Some(Score::Time { ms: finish }),
                if id % 97 == 0 {
                    Some(Status::Dnf)
                } else {
                    None
                },
            );
            entry.splits = (1..=splits as i64)
                .map(|order| scoretable_core::model::Split {
                    timing_point_id: 100 + order,
                    total_ms: finish * order / (splits as i64 + 1),
                })
                .collect();
            if id % 500 == 0 {
                entry.amended = true;
            }
            entry
        })
        .collect();
    let amendments = (1..=athletes)
        .filter(|id| id % 500 == 0)
        .enumerate()
        .map(|(index, id)| scoretable_export::AmendmentLogEntry {
            sequence: index as u64 + 1,
            event_id: index as i64 + 1,
            workout_id: RUN,
            entrant: Entrant::Competitor(id),
            amended_at: "2026-05-02T16:00:00Z".to_string(),
            official: "Referee".to_string(),
            old_value: "2:00:00.0".to_string(),
            new_value: "2:00:01.0".to_string(),
            reason: "Chip mat error".to_string(),
            appeal_reference: None,
        })
        .collect();
    assemble(
        sample_competition(),
        sample_divisions(),
        competitors,
        vec![(run, results)],
        amendments,
        OverallMode::RankSum,
    )
}

#[test]
fn long_results_paginate_with_a_consistent_page_total() {
    let data = large_data(1_500, 8);
    let exporter = Exporter::new(&data);
    let pdf = exporter.division_results_pdf(None).unwrap();
    let pages = page_count(&pdf);
    // 1,500 rows at about 50 rows a page, twice (workout and overall).
    assert!((50..=80).contains(&pages), "{pages} pages");
    let text = page_text(&pdf);
    assert!(text.contains(&format!("Page 1 of {pages}")));
    assert!(text.contains(&format!("Page {pages} of {pages}")));
    assert!(text.contains("(continued)"));
    // Every amended row's footnote is on the page of its row: three amendments.
    assert_eq!(text.matches("Chip mat error").count(), 3);
    // Eight splits do not fit portrait A4: the workout pages are landscape.
    assert!(String::from_utf8_lossy(&pdf).contains("/MediaBox [0 0 841.89 595.28]"));
    render_pages("large", &pdf, 2);
}

/// Names in several scripts: each prints with a real glyph and extracts as
/// the same characters.
fn unicode_data() -> scoretable_export::ExportData {
    let names = [
        ("Ёлкина", "Мария", Gender::Female),
        ("Σοφία", "Παπαδοπούλου", Gender::Female),
        ("Zoë", "Łukasiewicz", Gender::Female),
        ("王", "秀英", Gender::Female),
        ("Ada", "Unprintable\u{10FFFD}", Gender::Female),
        ("Đorđe", "Čubrilović", Gender::Male),
    ];
    let competitors: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(index, (first, last, gender))| {
            competitor(
                index as i64 + 1,
                &format!("{}", 201 + index),
                first,
                last,
                *gender,
            )
        })
        .collect();
    let results: Vec<ResultEntry> = (1..=names.len() as i64)
        .map(|id| {
            result(
                id,
                Some(Score::Time {
                    ms: 1_000_000 + id * 1_000,
                }),
                None,
            )
        })
        .collect();
    let mut competition = sample_competition();
    competition.name = "Кубок Гавани 2026".to_string();
    assemble(
        competition,
        sample_divisions(),
        competitors,
        vec![(workout(RUN, "Бег 5 км", 1, ScoreType::Time), results)],
        Vec::new(),
        OverallMode::RankSum,
    )
}

#[test]
fn names_in_any_script_print_and_extract_exactly() {
    let data = unicode_data();
    let exporter = Exporter::new(&data);
    let pdf = exporter.division_results_pdf(None).unwrap();
    render_pages("unicode", &pdf, 2);
    let text = page_text(&pdf);
    for name in [
        "Ёлкина Мария",
        "Σοφία Παπαδοπούλου",
        "Zoë Łukasiewicz",
        "Đorđe Čubrilović",
        "Кубок Гавани 2026",
        "Бег 5 км",
    ] {
        assert!(text.contains(name), "{name} missing from:\n{text}");
    }
    // Page numbers and headers are still there.
    assert!(text.contains("Page 1 of 2"), "{text}");
    assert!(text.contains("Page 2 of 2"), "{text}");
    assert!(text.contains("Overall standings"));
    assert!(text.contains("OFFICIAL"));
    // No character silently became a question mark.
    assert!(!text.contains('?'), "{text}");
    // A character no font has prints as the replacement mark and is reported.
    assert!(text.contains("Ada Unprintable\u{FFFD}"), "{text}");
    assert_eq!(
        scoretable_export::pdf::missing_characters("Ada Unprintable\u{10FFFD}"),
        vec!['\u{10FFFD}']
    );
    // CJK prints with a system fallback font when one is installed (Debian:
    // fonts-droid-fallback, fonts-noto-cjk, fonts-wqy-*), and as replacement
    // marks, reported as missing, when none is.
    let cjk_missing = scoretable_export::pdf::missing_characters("王 秀英");
    if cjk_missing.is_empty() {
        assert!(text.contains("王 秀英"), "{text}");
        assert!(!scoretable_export::pdf::fallback_font_paths().is_empty());
    } else {
        assert_eq!(cjk_missing, vec!['王', '秀', '英']);
        assert!(text.contains("\u{FFFD} \u{FFFD}\u{FFFD}"), "{text}");
    }
}

#[test]
fn fonts_are_embedded_as_subsets() {
    let data = unicode_data();
    let exporter = Exporter::new(&data);
    let pdf = exporter.division_results_pdf(Some(WOMEN)).unwrap();
    let raw = String::from_utf8_lossy(&pdf);
    assert!(raw.contains("/Identity-H"));
    assert!(raw.contains("/ToUnicode"));
    assert!(raw.contains("/CIDFontType2"));
    assert!(!raw.contains("/Helvetica"));
    // Subset names carry a six-letter tag.
    let base_fonts: Vec<&str> = raw
        .match_indices("/BaseFont /")
        .map(|(index, _)| raw[index + 11..].split(['\n', ' ', '/']).next().unwrap())
        .collect();
    assert!(
        base_fonts.iter().any(|name| name.ends_with("+DejaVuSans")),
        "{base_fonts:?}"
    );
    assert!(base_fonts
        .iter()
        .any(|name| name.ends_with("+DejaVuSans-Bold")));
    for name in &base_fonts {
        let (tag, _) = name.split_once('+').expect("a subset tag");
        assert!(
            tag.len() == 6 && tag.bytes().all(|byte| byte.is_ascii_uppercase()),
            "{name}"
        );
    }
    // The bundled fonts are 760 kB and 709 kB; subsets of the glyphs a
    // results page uses are a few tens of kB. A CJK fallback font, when one
    // is installed, adds only its few glyphs.
    assert!(pdf.len() < 120_000, "{} bytes", pdf.len());
    if let Ok(output) = Command::new("pdffonts")
        .arg(write_artifact("subset", &pdf))
        .output()
    {
        let listing = String::from_utf8_lossy(&output.stdout);
        for line in listing.lines().skip(2) {
            // Columns: name type encoding emb sub uni; every font embedded, subset, mapped.
            assert!(
                line.contains("Identity-H") && line.contains(" yes yes yes "),
                "{line}"
            );
        }
    }
}

fn write_artifact(name: &str, pdf: &[u8]) -> PathBuf {
    let path = artifacts_directory().join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    path
}

/// The PDFs are written object by object into their destination; their
/// bytes are those of the in-memory `pdf_writer::Pdf` document they were
/// built as before (SHA-256 taken from that writer): a whole field, one
/// division, the award list, and a 1,500-athlete field of 60 pages with
/// ten splits (fonts subset at the end, footers after every page).
#[test]
fn pdf_bytes_are_those_of_the_in_memory_writer() {
    let data = sample_data();
    let exporter = Exporter::new(&data);
    let rules = AwardRules {
        basis: AwardBasis::Overall,
        overall_awards: 3,
        gender_overall_awards: 0,
        awards_per_division: 3,
        overall_winners_also_take_division_awards: false,
    };
    let division = data.divisions[0].id;
    let large = large_data(1_500, 10);
    let large_exporter = Exporter::new(&large);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "whole field",
            exporter.division_results_pdf(None).unwrap(),
            "f7aa382ce53f24033849519319bba1a5159d592ac6c1e405684d5f677067ab77",
        ),
        (
            "one division",
            exporter.division_results_pdf(Some(division)).unwrap(),
            "04d219b4ea99720e9f4875462a6e21dea5e528477bf90d48438c5058c310d207",
        ),
        (
            "awards",
            exporter.awards_pdf(&rules).unwrap(),
            "8f81f3e9d460866fedc77141540f77abb72dc7f17778f39f63a50a66519cb2ca",
        ),
        (
            "1,500 athletes",
            large_exporter.division_results_pdf(None).unwrap(),
            "75f7ebfc2222b54025c480e76549d644ff3ccbb9e6f237c5a1c32c4fdac9fc66",
        ),
    ];
    let mut streamed = Vec::new();
    large_exporter
        .write_division_results_pdf(None, &mut streamed)
        .unwrap();
    assert_eq!(
        streamed, cases[3].1,
        "written into a writer, the same bytes"
    );
    for (name, pdf, expected) in cases {
        let sha = scoretable_export::archive::sha256_hex(&pdf);
        if std::env::var_os("SCORETABLE_PRINT_PDF_HASHES").is_some() {
            eprintln!("{name}: {sha} ({} bytes)", pdf.len());
        } else {
            assert_eq!(sha, expected, "{name}");
        }
    }
}
