//! `scoretable sync ...` end to end against the RunSignup stand-in: target
//! add, secret set (stdin), preview, sync, status, remove; and the secret
//! never reaches the competition file.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use scoretable_core::model::{Competition, Competitor, ExternalIds, ScoreType};
use scoretable_store::{CompetitionFile, ScoreInput};
use scoretable_testkit::standin::{Registration, RunSignupStandin};
use serde_json::Value;

fn scoretable(path: &Path, secrets: &Path, arguments: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scoretable"))
        .arg("--file")
        .arg(path)
        .args(arguments)
        .env("SCORETABLE_SECRET_BACKEND", "file")
        .env("SCORETABLE_SECRETS_DIR", secrets)
        .env_remove("SCORETABLE_FAILPOINT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn json_of(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn targets_secrets_preview_sync_and_status_from_the_command_line() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("cli-sync.scoretable");
    let secrets = directory.path().join("secrets");
    let mut file = CompetitionFile::create(
        &path,
        &Competition {
            name: "CLI Cup".to_string(),
            slug: "cli-cup".to_string(),
            start_date: "2026-08-01".to_string(),
            end_date: "2026-08-01".to_string(),
            venue: String::new(),
            country: "GBR".to_string(),
            organiser: String::new(),
            time_zone: "UTC".to_string(),
        },
    )
    .unwrap();
    for bib in 1..=3 {
        file.add_competitor(&Competitor {
            external_ids: ExternalIds {
                runsignup_registration_id: Some(format!("{}", 500 + bib)),
                ..ExternalIds::default()
            },
            ..scoretable_testkit::fixtures::competitor(bib.to_string(), format!("R{bib}"), "Unner")
        })
        .unwrap();
    }
    let workout_id = file
        .add_workout(&scoretable_testkit::fixtures::workout(
            "5k",
            1,
            ScoreType::Time,
        ))
        .unwrap();
    file.enter_score_by_bib(workout_id, "1", ScoreInput::text("18:00.0"), "t")
        .unwrap();
    file.enter_score_by_bib(workout_id, "2", ScoreInput::text("18:30.0"), "t")
        .unwrap();
    file.close().unwrap();

    let standin = RunSignupStandin::start("99", "cli-key", "cli-very-secret").unwrap();
    standin.add_registrations((1..=3).map(|bib| Registration {
        registration_id: format!("{}", 500 + bib),
        bib: bib.to_string(),
        chip: None,
    }));
    // Credentials inside the endpoint URL are refused, never stored or printed.
    for endpoint in [
        format!(
            "http://cli-key:cli-very-secret@{}",
            &standin.base_url()[7..]
        ),
        format!("{}/?api_secret=cli-very-secret", standin.base_url()),
    ] {
        let refused = scoretable(
            &path,
            &secrets,
            &[
                "sync",
                "target",
                "add",
                "leaky",
                "--platform",
                "runsignup",
                "--endpoint",
                &endpoint,
                "--race-id",
                "99",
            ],
            None,
        );
        assert!(!refused.status.success());
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains("credential"), "{stderr}");
        assert!(!stderr.contains("cli-very-secret"), "{stderr}");
    }
    let added = json_of(&scoretable(
        &path,
        &secrets,
        &[
            "--json",
            "sync",
            "target",
            "add",
            "results",
            "--platform",
            "runsignup",
            "--endpoint",
            &standin.base_url(),
            "--race-id",
            "99",
            "--map",
            "5k=123",
            "--set",
            "auth=rsu_api_key",
        ],
        None,
    ));
    assert_eq!(added["queued"], 2);
    // Without a secret the drain names the missing secret.
    let missing = scoretable(&path, &secrets, &["sync"], None);
    assert!(String::from_utf8_lossy(&missing.stdout).contains("secret set results"));
    let stored = scoretable(
        &path,
        &secrets,
        &["sync", "secret", "set", "results"],
        Some("cli-key:cli-very-secret\n"),
    );
    assert!(
        stored.status.success(),
        "{}",
        String::from_utf8_lossy(&stored.stderr)
    );

    // `sync target list` says which store holds the secret, never the secret.
    let listed = scoretable(&path, &secrets, &["sync", "target", "list"], None);
    let listed_text = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed_text.contains("secret: file ") && listed_text.contains("(mode 0600)"),
        "{listed_text}"
    );
    assert!(!listed_text.contains("cli-very-secret"));
    let listed = json_of(&scoretable(
        &path,
        &secrets,
        &["--json", "sync", "target", "list"],
        None,
    ));
    assert!(listed["secret_stored_in"]["results"]
        .as_str()
        .unwrap()
        .starts_with("file "));

    let preview = json_of(&scoretable(
        &path,
        &secrets,
        &["--json", "sync", "preview", "results"],
        None,
    ));
    assert_eq!(preview["changes"].as_array().unwrap().len(), 2);
    assert_eq!(preview["changes"][0]["action"], "create");
    assert!(!preview.to_string().contains("cli-very-secret"));
    assert_eq!(standin.posts(), 0, "preview sends nothing");

    let synced = json_of(&scoretable(&path, &secrets, &["--json", "sync"], None));
    assert_eq!(synced["reports"][0]["acked"], 2);
    assert_eq!(standin.results().len(), 2);

    // `sync retry` queues rejected rows again; none are rejected here.
    let retried = json_of(&scoretable(
        &path,
        &secrets,
        &["--json", "sync", "retry", "results"],
        None,
    ));
    assert_eq!(retried["queued"], 0);
    let status = json_of(&scoretable(
        &path,
        &secrets,
        &["--json", "sync", "status"],
        None,
    ));
    assert_eq!(status["targets"][0]["queued"], 0);
    assert_eq!(status["targets"][0]["acked"], 2);
    assert!(status["targets"][0]["last_success_at"].is_string());
    assert_eq!(status["targets"][0]["duplicates"], serde_json::json!([]));
    assert!(status["targets"][0]["problem"].is_null(), "{status}");

    // What a later read-back found held twice (a request that landed after
    // its rows were created again) is listed until a read-back clears it.
    {
        let mut file = CompetitionFile::open(&path).unwrap();
        let target = file.sync_target("results").unwrap();
        let mut state = target.remote_state.clone();
        state["duplicates"] = serde_json::json!({"1": [
            "event 501: 2 results for registration 3201 (bib 1), result ids 1, 3; Scoretable edits 3: delete 1 in RunSignup"
        ]});
        file.set_sync_remote_state(target.id, &state).unwrap();
    }
    let text = scoretable(&path, &secrets, &["sync", "status"], None);
    assert!(
        String::from_utf8_lossy(&text.stdout).contains(
            "  RunSignup holds one entrant twice: delete the extra result in RunSignup.\n"
        ),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );
    assert!(
        String::from_utf8_lossy(&text.stdout).contains(
            "  held twice: event 501: 2 results for registration 3201 (bib 1), result ids 1, 3; Scoretable edits 3: delete 1 in RunSignup\n"
        ),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );
    let status = json_of(&scoretable(
        &path,
        &secrets,
        &["--json", "sync", "status"],
        None,
    ));
    assert_eq!(
        status["targets"][0]["duplicates"].as_array().unwrap().len(),
        1
    );
    assert_eq!(
        status["targets"][0]["problem"],
        "RunSignup holds one entrant twice: delete the extra result in RunSignup."
    );

    let bytes = std::fs::read(&path).unwrap();
    let needle = b"cli-very-secret";
    assert!(!bytes.windows(needle.len()).any(|window| window == needle));

    let removed = scoretable(
        &path,
        &secrets,
        &["sync", "target", "remove", "results"],
        None,
    );
    assert!(removed.status.success());
    assert_eq!(
        std::fs::read_dir(&secrets)
            .map(|entries| entries.count())
            .unwrap_or(0),
        0,
        "the secret file went with the target"
    );
}
