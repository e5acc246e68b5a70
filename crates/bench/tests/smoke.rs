//! A tiny run of the whole harness: every code path, no timing assertions.

use scoretable_bench::{parse_arguments, render_report, run, Config};

#[test]
fn tiny_run_measures_every_figure_and_writes_json() {
    let directory = tempfile::tempdir().unwrap();
    let output = directory.path().join("results.json");
    let config = Config {
        athletes: 120,
        team_athletes: 30,
        iterations: 1,
        amend_runs: 2,
        work_dir: Some(directory.path().join("work")),
        output: output.clone(),
        ..Config::quick()
    };
    let mut messages = Vec::new();
    let report = run(&config, &mut |message| messages.push(message.to_string())).unwrap();
    assert!(!messages.is_empty());

    assert_eq!(report.cases.len(), 2);
    let case_a = &report.cases[0];
    assert_eq!(case_a.athletes, 120);
    assert_eq!(case_a.results, 120);
    let names: Vec<&str> = case_a
        .figures
        .iter()
        .map(|figure| figure.name.as_str())
        .collect();
    for expected in [
        "competitors CSV: raw csv crate parse",
        "competitors CSV: import into a fresh file",
        "scores CSV: import (parse + bib match + store)",
        "re-rank workout (load from file + rank)",
        "re-rank every division board",
        "amend -> updated leaderboard",
    ] {
        assert!(
            names.contains(&expected),
            "case A lacks {expected}: {names:?}"
        );
    }
    let ratio = case_a.import_to_raw_parse_ratio.unwrap();
    assert!(ratio.is_finite() && ratio > 0.0);
    assert!(case_a.competition_file_bytes > 0);
    let amend = case_a
        .figures
        .iter()
        .find(|figure| figure.name == "amend -> updated leaderboard")
        .unwrap();
    assert_eq!(amend.timing.iterations, 2);

    let case_b = &report.cases[1];
    assert_eq!(case_b.athletes, 30);
    assert_eq!(case_b.workouts, 8);
    assert_eq!(case_b.teams, 10);
    // Case B mixes individual and team workouts: the overall ranks the 30
    // athletes only (teams are ranked on the team workouts' boards).
    assert!(case_b
        .figures
        .iter()
        .any(|figure| figure.name == "overall leaderboard, rank sum" && figure.items == Some(30)));

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    assert_eq!(json["cases"].as_array().unwrap().len(), 2);
    assert_eq!(json["cases"][0]["results"], 120);
    assert!(json["cases"][0]["figures"][0]["timing"]["median_ms"].is_number());

    let text = render_report(&report);
    assert!(text.contains("Case A") && text.contains("Case B"));
}

#[test]
fn arguments_scale_the_run() {
    let arguments: Vec<String> = ["--quick", "--athletes", "500", "--case", "b"]
        .iter()
        .map(|text| text.to_string())
        .collect();
    let config = parse_arguments(&arguments).unwrap();
    assert_eq!(config.athletes, 500);
    assert_eq!(config.team_athletes, Config::quick().team_athletes);
    assert!(!config.run_case_a && config.run_case_b);
    assert!(parse_arguments(&["--athletes".to_string(), "0".to_string()]).is_err());
    assert!(parse_arguments(&["--frobnicate".to_string()]).is_err());
    assert_eq!(parse_arguments(&[]).unwrap().athletes, 60_000);
}

#[test]
fn tiny_hot_path_run_keeps_the_board_equal_to_a_full_ranking() {
    // The in-process hot-path measures on 200 athletes; the run fails if the
    // board kept through the amendments differs from a full ranking. The
    // fresh-process measures need the `scoretable` binary and are skipped
    // when it is not beside the test binary.
    let directory = tempfile::tempdir().unwrap();
    let config = Config {
        run_case_a: false,
        run_case_b: false,
        hot: Some(scoretable_bench::hot_path::HotConfig {
            sizes: vec![200],
            amendments: 30,
            runs: 2,
            budget_seconds: 5.0,
            cli: Some(directory.path().join("no-such-binary")),
            seed: 7,
            measures: Vec::new(),
        }),
        work_dir: Some(directory.path().join("work")),
        output: directory.path().join("hot.json"),
        ..Config::quick()
    };
    let result = run(&config, &mut |_| {});
    // Without the binary the first fresh-process measure fails to start;
    // everything before it (floors, re-rank, amend → board, live timing) ran.
    let error = result
        .err()
        .map(|error| error.to_string())
        .unwrap_or_default();
    assert!(
        error.contains("starting a child process"),
        "unexpected outcome: {error}"
    );
}
