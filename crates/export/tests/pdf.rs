//! PDF tests: structure, page numbering, marks and footnotes are checked by
//! inflating the content streams; when poppler's `pdftoppm` is installed the
//! pages are also rendered to PNG under `test-artifacts/` for a person to look at.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::*;
use scoretable_core::model::{
    Entrant, Gender, OverallMode, ResultEntry, Score, ScoreType, Status, TimingPoint,
};
use scoretable_export::{AwardBasis, AwardRules, Exporter};

/// Every content stream of the PDF, inflated and concatenated as raw bytes.
fn page_text_bytes(pdf: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut rest = pdf;
    while let Some(start) = find(rest, b">>\nstream\n") {
        let body_start = start + b">>\nstream\n".len();
        let Some(length) = find(&rest[body_start..], b"\nendstream") else {
            break;
        };
        if let Ok(inflated) =
            miniz_oxide::inflate::decompress_to_vec_zlib(&rest[body_start..body_start + length])
        {
            bytes.extend(inflated);
            bytes.push(b'\n');
        }
        rest = &rest[body_start + length + b"\nendstream".len()..];
    }
    bytes
}

/// The content streams as text, with hex strings (`<48656C6C6F> Tj`, which
/// pdf-writer uses for non-ASCII text) decoded to `(Hello) Tj` in Latin-1.
fn page_text(pdf: &[u8]) -> String {
    let bytes = page_text_bytes(pdf);
    let mut text = String::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'<' && bytes.get(index + 1) != Some(&b'<') {
            if let Some(end) = bytes[index..].iter().position(|byte| *byte == b'>') {
                let hex = &bytes[index + 1..index + end];
                if hex.iter().all(u8::is_ascii_hexdigit) && hex.len().is_multiple_of(2) {
                    text.push('(');
                    for pair in hex.chunks(2) {
                        let value =
                            u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap();
                        text.push(value as char);
                    }
                    text.push(')');
                    index += end + 1;
                    continue;
                }
            }
        }
        text.push(bytes[index] as char);
        index += 1;
    }
    text
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
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
            text.contains(&format!("(Page {page} of 4)")),
            "page {page} footer missing"
        );
    }
    assert!(text.contains("(OFFICIAL)"));
    assert!(text.contains("(PROVISIONAL)"));
    assert!(text.contains("Generated 2026-05-02T17:30:00Z"));
    assert!(text.contains("Amended 2026-05-02T15:12:09Z by Chief Referee: 18:10.2 -> 18:01.2."));
    assert!(text.contains("Appeal A-7."));
    assert!(text.contains("(*1)"));
    // Gaps are measured from the division's leader, not the whole field's.
    assert!(
        text.contains("(+0:12.277)"),
        "division-relative gap missing"
    );
    assert!(
        !text.contains("+1:00.123"),
        "gap measured from the whole field's leader"
    );
    let men = exporter.division_results_pdf(Some(MEN)).unwrap();
    render_pages("men", &men, 4);
    // WinAnsi text: Zoë Müller is written with Latin-1 bytes.
    assert!(text.contains("(Zo\u{00EB} M\u{00FC}ller)"));
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
        awards_per_division: 3,
        overall_winners_also_take_division_awards: false,
    };
    let awards = exporter.awards_pdf(&rules).unwrap();
    let text = page_text(&awards);
    assert_eq!(page_count(&awards), 3);
    assert!(text.contains("(AWARDS)"));
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
    assert!(text.contains(&format!("(Page 1 of {pages})")));
    assert!(text.contains(&format!("(Page {pages} of {pages})")));
    assert!(text.contains("(continued)"));
    // Every amended row's footnote is on the page of its row: three amendments.
    assert_eq!(text.matches("Chip mat error").count(), 3);
    // Eight splits do not fit portrait A4: the workout pages are landscape.
    assert!(String::from_utf8_lossy(&pdf).contains("/MediaBox [0 0 841.89 595.28]"));
    render_pages("large", &pdf, 2);
}
