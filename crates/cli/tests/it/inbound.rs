//! End-to-end tests of the inbound commands of the `scoretable` binary:
//! mappings, mapped file imports, rehearsals, polling a stand-in feed, the
//! conflict inbox and the review queue.

use crate::support;

use serde_json::Value;

use scoretable_testkit::http::{Reply, ScriptedServer};
use support::Session;

/// A competition with the timing-feed seed's three athletes and a race,
/// entered by the operator "desk".
fn feed_session() -> Session {
    let session = Session::with_operator("desk");
    session.ok(&[
        "create",
        "--name",
        "Feed Open",
        "--start-date",
        "2026-06-01",
    ]);
    session.write(
        "start.csv",
        "bib,first_name,last_name,gender,CompCornerID\n\
         1,Lexi,DeSaracho,F,524658\n2,Allison,McClellan,F,527182\n3,Cara,Moss,F,530001\n",
    );
    session.ok(&["competitors", "import", "start.csv"]);
    session.ok(&["workout", "add", "Sprint", "--type", "time"]);
    session
}

fn seed_payload(records: &[(&str, &str)]) -> String {
    let items: Vec<Value> = records
        .iter()
        .map(|(id, time)| {
            serde_json::json!({"First Name": "A", "Last Name": "B", "Gender": "Female",
                "Team Name": "", "CompCornerID": id, "CGID": "1236", "Time": time})
        })
        .collect();
    serde_json::to_string(&items).unwrap()
}

#[test]
fn a_mapped_file_import_then_a_corrected_file_goes_to_the_conflict_inbox() {
    let session = feed_session();
    session.ok(&[
        "mapping",
        "set",
        "results",
        "--workout",
        "Sprint",
        "--id",
        "Bib",
        "--id-kind",
        "bib",
        "--value",
        "Result",
        "--status",
        "Status",
        "--status-map",
        "Finished=",
    ]);
    let shown = session.json(&["mapping", "show", "results"]);
    assert_eq!(shown["mapping"]["identifier"]["field"], "Bib");
    session.write(
        "bad.csv",
        "Bib;Result;Status\n1;13:37.2;Finished\n2;soon;\n",
    );
    let preview = session.json(&["mapping", "preview", "results", "bad.csv", "--rows", "5"]);
    assert_eq!(preview["ready"], 1);
    assert_eq!(preview["invalid"], 1);
    assert_eq!(preview["rows"][1]["problems"][0]["field"], "Result");
    let (code, message) = session.fail(&["import", "Sprint", "bad.csv", "--mapping", "results"]);
    assert_eq!(code, 2);
    assert!(
        message.contains("bad.csv, row 3, field 'Result'"),
        "{message}"
    );
    session.write(
        "good.csv",
        "Bib;Result;Status\n1;13:37.2;Finished\n2;;DNF\n",
    );
    let report = session.json(&["import", "Sprint", "good.csv", "--mapping", "results"]);
    assert_eq!(report["ledger"]["imported"], 2);
    session.write(
        "fixed.csv",
        "Bib;Result;Status\n1;13:30.0;Finished\n2;;DNF\n",
    );
    let text = session.ok(&["import", "Sprint", "fixed.csv", "--mapping", "results"]);
    assert!(text.contains("1 new conflicts"), "{text}");
    let conflicts = session.json(&["conflicts", "list"]);
    let id = conflicts[0]["id"].as_i64().unwrap().to_string();
    let (code, _) = session.fail(&["conflicts", "resolve", &id, "--accept"]);
    assert_eq!(code, 2);
    let accepted = session.ok(&[
        "conflicts",
        "resolve",
        &id,
        "--accept",
        "--reason",
        "timing re-read",
    ]);
    assert!(accepted.contains("accepted"), "{accepted}");
    let board = session.ok(&["leaderboard", "Sprint"]);
    assert!(board.contains("13:30"), "{board}");
}

#[test]
fn polling_the_seed_feed_with_unknown_ids_and_rehearsing_a_recording() {
    let session = feed_session();
    let server = ScriptedServer::start(Reply::Json(seed_payload(&[
        ("524658", "00:13:37.2"),
        ("527182", "00:13:59.1"),
        ("999999", "00:15:00.0"),
    ])));
    let url = server.url.clone();
    session.ok(&[
        "mapping",
        "set",
        "cc",
        "--workout",
        "Sprint",
        "--preset",
        "timing-feed",
    ]);
    let (code, message) = session.fail(&[
        "connection",
        "add",
        "timing",
        "--url",
        "http://x.example/?token=abc",
        "--workout",
        "Sprint",
        "--mapping",
        "cc",
    ]);
    assert_eq!(code, 2);
    assert!(message.contains("--auth-env"), "{message}");
    session.ok(&[
        "connection",
        "add",
        "timing",
        "--url",
        &url,
        "--workout",
        "Sprint",
        "--mapping",
        "cc",
        "--interval-ms",
        "200",
    ]);
    let status = session.json(&["connection", "status", "timing"]);
    assert_eq!(status[0]["status"]["state"], "idle");
    let text = session.ok(&["poll", "timing", "--record", "feed.rec"]);
    assert!(text.contains("2 imported"), "{text}");
    assert!(text.contains("1 unknown"), "{text}");
    let status = session.json(&["connection", "status", "timing"]);
    assert_eq!(status[0]["status"]["state"], "ok");
    assert!(status[0]["status"]["last_success_at"].is_string());
    let watched = session.ok(&["poll", "timing", "--watch", "--max-polls", "2"]);
    assert!(watched.contains("2 polls made"), "{watched}");
    let review = session.json(&["review", "list"]);
    assert_eq!(review.as_array().unwrap().len(), 1);
    let review_id = review[0]["id"].as_i64().unwrap().to_string();
    assert_eq!(review[0]["times_seen"], 3);
    // Rehearse the recording into another workout: nothing real changes.
    session.ok(&["workout", "add", "Final", "--type", "time"]);
    let rehearsal = session.json(&[
        "rehearse",
        "timing",
        "--recording",
        "feed.rec",
        "--workout",
        "Final",
    ]);
    assert_eq!(rehearsal["imported"], 2);
    assert_eq!(rehearsal["unknown"], 1);
    let final_board = session.json(&["leaderboard", "Final"]);
    assert!(
        final_board.to_string().matches("13:37").count() == 0,
        "{final_board}"
    );
    // Assign the unknown athlete to Cara: imported.
    let assigned = session.ok(&["review", "assign", &review_id, "3"]);
    assert!(assigned.contains("imported"), "{assigned}");
    let board = session.ok(&["leaderboard", "Sprint"]);
    assert!(board.contains("15:00"), "{board}");
}

#[test]
fn a_failed_poll_exits_non_zero_with_the_reason() {
    let session = feed_session();
    session.ok(&[
        "mapping",
        "set",
        "cc",
        "--workout",
        "Sprint",
        "--preset",
        "timing-feed",
    ]);
    // Nothing listens on this port.
    let placeholder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = placeholder.local_addr().unwrap();
    drop(placeholder);
    session.ok(&[
        "connection",
        "add",
        "down",
        "--url",
        &format!("http://{address}/feed.json"),
        "--workout",
        "Sprint",
        "--mapping",
        "cc",
        "--interval-ms",
        "200",
    ]);
    let log = session.path("day.log");
    let log_text = log.display().to_string();
    let (code, message) = session.fail(&["--log-file", &log_text, "poll", "down"]);
    assert_eq!(code, 1, "{message}");
    assert!(
        message.contains("poll of down failed: network unreachable"),
        "{message}"
    );
    assert!(message.contains("backing off"), "{message}");
    // The competition-day log says what happened, when: the failed poll
    // with its connection, state and reason.
    let logged = std::fs::read_to_string(&log).unwrap();
    let failure: Value = logged
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("one JSON object a line"))
        .find(|line| line["fields"]["message"] == "poll failed")
        .unwrap_or_else(|| panic!("no 'poll failed' line in the log:\n{logged}"));
    assert!(failure["fields"]["connection_id"].is_number(), "{failure}");
    assert!(
        failure["fields"]["error"]
            .as_str()
            .is_some_and(|error| !error.is_empty()),
        "{failure}"
    );
    assert!(failure["timestamp"].is_string(), "{failure}");
    // A source that answers with an error: the reason, exit 2.
    let gone = ScriptedServer::start(Reply::Status(404));
    let url = gone.url.clone();
    session.ok(&[
        "connection",
        "add",
        "gone",
        "--url",
        &url,
        "--workout",
        "Sprint",
        "--mapping",
        "cc",
    ]);
    let (code, message) = session.fail(&["poll", "gone"]);
    assert_eq!(code, 2, "{message}");
    assert!(message.contains("HTTP 404"), "{message}");
}

#[test]
fn an_import_without_the_mapped_columns_exits_2_naming_them() {
    let session = feed_session();
    session.ok(&[
        "mapping",
        "set",
        "bibs",
        "--workout",
        "Sprint",
        "--id",
        "Bib",
        "--id-kind",
        "bib",
        "--value",
        "Time",
    ]);
    session.write("wrong.csv", "Athlete,Result\nLexi,13:37.2\n");
    let (code, message) = session.fail(&["import", "Sprint", "wrong.csv", "--mapping", "bibs"]);
    assert_eq!(code, 2, "{message}");
    assert!(message.contains("\"Bib\", \"Time\""), "{message}");
    session.write("header.csv", "Bib,Time\n");
    let (code, message) = session.fail(&["import", "Sprint", "header.csv", "--mapping", "bibs"]);
    assert_eq!(code, 2, "{message}");
    assert!(message.contains("no rows"), "{message}");
    session.write("twice.csv", "Bib,Time\n1,13:37.2\n1,13:38.0\n");
    let (code, message) = session.fail(&["import", "Sprint", "twice.csv", "--mapping", "bibs"]);
    assert_eq!(code, 2, "{message}");
    assert!(message.contains("rows 2 and 3"), "{message}");
    session.write("bad.json", "hello");
    let (code, message) = session.fail(&["import", "Sprint", "bad.json", "--mapping", "bibs"]);
    assert_eq!(code, 2, "{message}");
    assert!(message.contains("bad.json: is not valid JSON"), "{message}");
    let board = session.json(&["leaderboard", "Sprint"]);
    assert!(!board.to_string().contains("13:3"), "{board}");
}

#[test]
fn competitors_import_reads_utf16_like_every_other_reader() {
    let session = Session::with_operator("desk");
    session.ok(&[
        "create",
        "--name",
        "Wide Open",
        "--start-date",
        "2026-06-01",
    ]);
    let text = "bib,first_name,last_name\n7,Zoë,Brontë\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(session.path("wide.csv"), &bytes).unwrap();
    let imported = session.ok(&["competitors", "import", "wide.csv"]);
    assert!(imported.contains('1'), "{imported}");
    let listed = session.ok(&["competitors", "list"]);
    assert!(
        listed.contains("Zoë") && listed.contains("Brontë"),
        "{listed}"
    );
}

#[test]
fn an_oversized_value_gives_a_short_error_on_stderr() {
    let session = feed_session();
    session.ok(&[
        "mapping",
        "set",
        "bibs",
        "--workout",
        "Sprint",
        "--id",
        "Bib",
        "--id-kind",
        "bib",
        "--value",
        "Time",
    ]);
    let mut text = String::from("Bib,Time\n1,");
    text.push_str(&"7".repeat(2 << 20));
    text.push('\n');
    session.write("huge.csv", &text);
    let output = session.run(&["import", "Sprint", "huge.csv", "--mapping", "bibs"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.len() < 1000, "{} bytes on stderr", stderr.len());
    assert!(
        stderr.contains("is too long for a value (2097152 bytes"),
        "{stderr}"
    );
}
