//! The sealed archive: contents, manifest, hash chain, verification and tamper detection.

use crate::common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;

use common::*;
use scoretable_export::archive::{chain_amendments, chain_hash, CHAIN_GENESIS, MANIFEST_PATH};
use scoretable_export::{
    verify_archive, write_sealed_archive, ArchiveOptions, AwardRules, RunSignupOptions,
    RunSignupStatusPolicy,
};

fn write_sample_archive(directory: &Path) -> std::path::PathBuf {
    let data = sample_data();
    let backup = directory.join("harbour-games-2026.scoretable");
    std::fs::write(&backup, b"SQLite format 3\0 stand-in for the backup copy").unwrap();
    let output = directory.join("day-end.zip");
    let options = ArchiveOptions {
        runsignup: RunSignupOptions::default(),
        award_rules: Some(AwardRules::default()),
    };
    let summary = write_sealed_archive(&data, &backup, &options, &output).unwrap();
    assert_eq!(summary.amendment_entries, 2);
    output
}

fn zip_entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..archive.len())
        .map(|index| {
            let mut entry = archive.by_index(index).unwrap();
            let name = entry.name().unwrap().to_string();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (name, bytes)
        })
        .collect()
}

fn rewrite_zip(path: &Path, entries: &[(String, Vec<u8>)]) {
    let mut writer = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in entries {
        writer
            .start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap();
}

#[test]
fn archive_holds_every_export_and_verifies() {
    let directory = tempfile::tempdir().unwrap();
    let path = write_sample_archive(directory.path());
    let names: Vec<String> = zip_entries(&path)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    for expected in [
        "results/results.json",
        "results/csv/01-harbour-5k/all.csv",
        "results/csv/01-harbour-5k/women.csv",
        "results/csv/02-fran/men.csv",
        "results/csv/03-max-deadlift/all.csv",
        "results/csv/overall/all.csv",
        "results/csv/overall/women.csv",
        "results/runsignup/01-harbour-5k.csv",
        "results/runsignup/01-harbour-5k.json",
        "results/runsignup/01-harbour-5k.xml",
        "results/pdf/all.pdf",
        "results/pdf/women.pdf",
        "results/pdf/men.pdf",
        "results/awards/awards.csv",
        "results/awards/awards.pdf",
        "competition/harbour-games-2026.scoretable",
        "amendments/amendments.jsonl",
        "EXPORTS.json",
        "MANIFEST.sha256",
    ] {
        assert!(
            names.iter().any(|name| name == expected),
            "{expected} missing from {names:?}"
        );
    }
    // Fran has a WD (rejected by default) and the deadlift is not timed.
    assert!(!names
        .iter()
        .any(|name| name.starts_with("results/runsignup/02-fran")));
    assert!(!names
        .iter()
        .any(|name| name.starts_with("results/runsignup/03-max-deadlift")));
    let index: serde_json::Value = serde_json::from_slice(
        &zip_entries(&path)
            .into_iter()
            .find(|(name, _)| name == "EXPORTS.json")
            .unwrap()
            .1,
    )
    .unwrap();
    let skipped = index["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(skipped[0].as_str().unwrap().contains("WD"));

    let verification = verify_archive(&path).unwrap();
    assert!(verification.is_intact(), "{:?}", verification.problems);
    assert_eq!(verification.files_checked, names.len() - 1);
    assert_eq!(verification.amendment_entries, 2);
}

#[test]
fn mapped_statuses_put_every_timed_workout_in_the_archive() {
    let directory = tempfile::tempdir().unwrap();
    let data = sample_data();
    let backup = directory.path().join("copy.scoretable");
    std::fs::write(&backup, b"backup").unwrap();
    let options = ArchiveOptions {
        runsignup: RunSignupOptions {
            status_policy: RunSignupStatusPolicy::MapToNearest,
            ..RunSignupOptions::default()
        },
        award_rules: None,
    };
    let output = directory.path().join("out.zip");
    let summary = write_sealed_archive(&data, &backup, &options, &output).unwrap();
    assert!(summary
        .files
        .iter()
        .any(|file| file.path == "results/runsignup/02-fran.xml"));
    assert!(!summary
        .files
        .iter()
        .any(|file| file.path.starts_with("results/awards/")));
    assert_eq!(summary.skipped.len(), 1);
}

#[test]
fn manifest_is_sha256sum_compatible() {
    let directory = tempfile::tempdir().unwrap();
    let path = write_sample_archive(directory.path());
    let unpacked = directory.path().join("unpacked");
    for (name, bytes) in zip_entries(&path) {
        let target = unpacked.join(&name);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    let manifest = std::fs::read_to_string(unpacked.join(MANIFEST_PATH)).unwrap();
    assert!(manifest
        .lines()
        .any(|line| line.starts_with("# amendment-chain-head ")));
    let data_lines: Vec<&str> = manifest
        .lines()
        .filter(|line| !line.starts_with('#'))
        .collect();
    assert!(data_lines
        .iter()
        .all(|line| line.len() > 66 && &line[64..66] == "  "));
    match Command::new("sha256sum")
        .arg("--check")
        .arg("--quiet")
        .arg(MANIFEST_PATH)
        .current_dir(&unpacked)
        .output()
    {
        Ok(output) => assert!(
            output.status.success(),
            "sha256sum -c failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(_) => eprintln!("sha256sum is not installed; checked the line format only"),
    }
}

#[test]
fn a_modified_byte_is_detected() {
    let directory = tempfile::tempdir().unwrap();
    let path = write_sample_archive(directory.path());

    // Change one byte of one file and repack with the original manifest.
    let mut entries = zip_entries(&path);
    let csv = entries
        .iter_mut()
        .find(|(name, _)| name == "results/csv/01-harbour-5k/all.csv")
        .unwrap();
    let position = csv.1.iter().position(|byte| *byte == b'7').unwrap();
    csv.1[position] = b'6';
    let tampered = directory.path().join("tampered.zip");
    rewrite_zip(&tampered, &entries);
    let verification = verify_archive(&tampered).unwrap();
    assert!(!verification.is_intact());
    assert!(
        verification.problems.iter().any(|problem| problem
            .contains("results/csv/01-harbour-5k/all.csv")
            && problem.contains("modified")),
        "{:?}",
        verification.problems
    );

    // Flip one byte of the zip file itself.
    let mut raw = std::fs::read(&path).unwrap();
    let middle = raw.len() / 3;
    raw[middle] ^= 0x20;
    let corrupted = directory.path().join("corrupted.zip");
    std::fs::write(&corrupted, &raw).unwrap();
    match verify_archive(&corrupted) {
        Ok(verification) => assert!(!verification.is_intact(), "a flipped byte went unnoticed"),
        Err(error) => assert!(error.to_string().contains("corrupted.zip"), "{error}"),
    }

    // Removing a file and adding one are reported too.
    let mut entries = zip_entries(&path);
    entries.retain(|(name, _)| name != "results/awards/awards.csv");
    entries.push(("results/extra.csv".to_string(), b"bib\n1\n".to_vec()));
    let edited = directory.path().join("edited.zip");
    rewrite_zip(&edited, &entries);
    let problems = verify_archive(&edited).unwrap().problems;
    assert!(
        problems
            .iter()
            .any(|problem| problem.contains("results/awards/awards.csv")
                && problem.contains("removed")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|problem| problem.contains("results/extra.csv") && problem.contains("added")),
        "{problems:?}"
    );
}

#[test]
fn an_edited_amendment_breaks_the_chain_even_with_a_fixed_manifest() {
    let directory = tempfile::tempdir().unwrap();
    let path = write_sample_archive(directory.path());
    let mut entries = zip_entries(&path);
    // Rewrite the first amendment's reason and recompute the file hash in the
    // manifest, as a forger would: the chain still gives it away.
    let log_index = entries
        .iter()
        .position(|(name, _)| name == "amendments/amendments.jsonl")
        .unwrap();
    let log = String::from_utf8(entries[log_index].1.clone()).unwrap();
    let forged = log.replacen("Typing error", "Timing error", 1);
    assert_ne!(log, forged);
    entries[log_index].1 = forged.clone().into_bytes();
    let manifest_index = entries
        .iter()
        .position(|(name, _)| name == MANIFEST_PATH)
        .unwrap();
    let manifest = String::from_utf8(entries[manifest_index].1.clone()).unwrap();
    let old_hash = scoretable_export::archive::sha256_hex(log.as_bytes());
    let new_hash = scoretable_export::archive::sha256_hex(forged.as_bytes());
    entries[manifest_index].1 = manifest.replace(&old_hash, &new_hash).into_bytes();
    let forged_path = directory.path().join("forged.zip");
    rewrite_zip(&forged_path, &entries);
    let problems = verify_archive(&forged_path).unwrap().problems;
    assert!(
        problems
            .iter()
            .any(|problem| problem.contains("entry 1 was modified")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|problem| problem.contains("chain head")),
        "{problems:?}"
    );
}

#[test]
fn chain_hashes_follow_the_documented_rule() {
    let amendments = sample_amendments();
    let (chained, head) = chain_amendments(&amendments).unwrap();
    assert_eq!(chained[0].previous_hash, CHAIN_GENESIS);
    assert_eq!(chained[1].previous_hash, chained[0].hash);
    assert_eq!(head, chained[1].hash);
    // hash = sha256(previous hash hex || canonical JSON with sorted keys).
    let canonical = scoretable_export::archive::canonical_json(&amendments[0]).unwrap();
    let text = String::from_utf8(canonical.clone()).unwrap();
    assert!(text.starts_with("{\"amended_at\":\"2026-05-02T15:12:09Z\",\"appeal_reference\":\"A-7\",\"entrant\":{\"id\":3,\"kind\":\"competitor\"}"), "{text}");
    let mut input = CHAIN_GENESIS.as_bytes().to_vec();
    input.extend(canonical);
    assert_eq!(
        chained[0].hash,
        scoretable_export::archive::sha256_hex(&input)
    );
    assert_eq!(
        chain_hash(CHAIN_GENESIS, &amendments[0]).unwrap(),
        chained[0].hash
    );
    // Reordering changes the head.
    let reversed: Vec<_> = amendments.iter().rev().cloned().collect();
    assert_ne!(chain_amendments(&reversed).unwrap().1, head);
    // An empty log has the genesis as its head.
    assert_eq!(chain_amendments(&[]).unwrap().1, CHAIN_GENESIS);
}

#[test]
fn a_competition_without_results_still_seals_and_verifies() {
    let directory = tempfile::tempdir().unwrap();
    let mut data = sample_data();
    data.workouts.clear();
    data.workout_leaderboards.clear();
    data.overall_leaderboards.clear();
    data.amendments.clear();
    let backup = directory.path().join("empty.scoretable");
    std::fs::write(&backup, b"backup").unwrap();
    let output = directory.path().join("empty.zip");
    let summary =
        write_sealed_archive(&data, &backup, &ArchiveOptions::default(), &output).unwrap();
    assert_eq!(summary.amendment_chain_head, CHAIN_GENESIS);
    assert!(summary
        .files
        .iter()
        .any(|file| file.path == "results/results.json"));
    // No leaderboards, so no overall results and no PDFs; each is listed
    // as skipped.
    assert_eq!(summary.skipped.len(), 4, "{:?}", summary.skipped);
    let verification = verify_archive(&output).unwrap();
    assert!(verification.is_intact(), "{:?}", verification.problems);
    assert!(!directory.path().join("empty.zip.partial").exists());
}

#[test]
fn workouts_sharing_a_name_get_distinct_files() {
    let directory = tempfile::tempdir().unwrap();
    let mut data = sample_data();
    data.workouts[1].name = "Harbour 5K".to_string();
    data.workouts[1].sequence = 1;
    let backup = directory.path().join("copy.scoretable");
    std::fs::write(&backup, b"backup").unwrap();
    let output = directory.path().join("twins.zip");
    let summary =
        write_sealed_archive(&data, &backup, &ArchiveOptions::default(), &output).unwrap();
    assert!(summary
        .files
        .iter()
        .any(|file| file.path == "results/csv/01-harbour-5k-10/all.csv"));
    assert!(summary
        .files
        .iter()
        .any(|file| file.path == "results/csv/01-harbour-5k-20/all.csv"));
    assert!(verify_archive(&output).unwrap().is_intact());
}

#[test]
fn the_same_snapshot_seals_to_the_same_bytes() {
    let directory = tempfile::tempdir().unwrap();
    let data = sample_data();
    let backup = directory.path().join("copy.scoretable");
    std::fs::write(&backup, b"backup").unwrap();
    let options = ArchiveOptions {
        award_rules: Some(AwardRules::default()),
        ..ArchiveOptions::default()
    };
    let first = directory.path().join("first.zip");
    let second = directory.path().join("second.zip");
    write_sealed_archive(&data, &backup, &options, &first).unwrap();
    write_sealed_archive(&data, &backup, &options, &second).unwrap();
    assert_eq!(
        std::fs::read(&first).unwrap(),
        std::fs::read(&second).unwrap()
    );
}

#[test]
fn pdfs_are_stored_and_text_files_deflated() {
    let directory = tempfile::tempdir().unwrap();
    let path = write_sample_archive(directory.path());
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut pdfs = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().to_string();
        let expected = if name.ends_with(".pdf") {
            pdfs += 1;
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        assert_eq!(entry.compression(), expected, "{name}");
    }
    assert!(pdfs >= 4, "{pdfs} PDFs");
}

#[test]
fn an_entry_that_cannot_be_decompressed_is_reported_once_by_name() {
    let directory = tempfile::tempdir().unwrap();
    let path = write_sample_archive(directory.path());
    const DAMAGED: &str = "results/results.json";
    let (start, length) = {
        let mut archive = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        let entry = archive.by_name(DAMAGED).unwrap();
        assert_eq!(entry.compression(), zip::CompressionMethod::Deflated);
        (
            entry.data_start().unwrap() as usize,
            entry.compressed_size() as usize,
        )
    };
    let mut raw = std::fs::read(&path).unwrap();
    // Overwrite a stretch in the middle of the deflate stream.
    for byte in &mut raw[start + length / 3..start + length / 3 + 16] {
        *byte = 0xFF;
    }
    let damaged = directory.path().join("damaged.zip");
    std::fs::write(&damaged, &raw).unwrap();
    let verification = verify_archive(&damaged).unwrap();
    assert!(!verification.is_intact());
    let about_entry: Vec<&String> = verification
        .problems
        .iter()
        .filter(|problem| problem.contains(DAMAGED))
        .collect();
    assert_eq!(about_entry.len(), 1, "{:?}", verification.problems);
    assert!(
        about_entry[0].starts_with(&format!("{DAMAGED}: cannot be decompressed")),
        "{}",
        about_entry[0]
    );
    assert_eq!(
        verification.problems.len(),
        1,
        "{:?}",
        verification.problems
    );
}

/// Any byte of the entries' region flipped is reported: contents through
/// their CRC and the manifest, and local headers (names, times, sizes,
/// extra fields) against the central directory. Before the structural
/// check a flip in a local header's time or sizes went unnoticed.
#[test]
fn a_flipped_byte_in_any_local_header_or_content_is_reported() {
    let directory = tempfile::tempdir().unwrap();
    let path = write_sample_archive(directory.path());
    let raw = std::fs::read(&path).unwrap();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut offsets: Vec<usize> = Vec::new();
    for index in 0..zip.len().min(4) {
        let entry = zip.by_index_raw(index).unwrap();
        let start = entry.header_start() as usize;
        let data = entry.data_start().unwrap() as usize;
        offsets.extend(start..data);
        offsets.push(data);
    }
    let central = zip.central_directory_start() as usize;
    offsets.extend((0..central).step_by(997));
    let corrupted = directory.path().join("flipped.zip");
    for offset in offsets {
        let mut bytes = raw.clone();
        bytes[offset] ^= 0x20;
        std::fs::write(&corrupted, &bytes).unwrap();
        match verify_archive(&corrupted) {
            Ok(verification) => assert!(
                !verification.is_intact(),
                "a flipped byte at {offset} went unnoticed"
            ),
            Err(error) => assert!(error.to_string().contains("flipped.zip"), "{error}"),
        }
    }
}
