//! Builds the live-timing message of a file's workout N times (for a
//! profiler): `live_message_profile FILE WORKOUT_ID [N]`. The hot-path
//! bench keeps its file with `--measures live,keep-file`; its wave is the
//! second workout.
fn main() {
    let mut arguments = std::env::args().skip(1);
    let path = arguments.next().expect("a competition file");
    let workout: i64 = arguments
        .next()
        .expect("a workout id")
        .parse()
        .expect("a workout id");
    let runs: usize = arguments
        .next()
        .map_or(200, |n| n.parse().expect("a count"));
    let store = scoretable_store::CompetitionFile::open_read_only(&path).expect("opening");
    let config = serde_json::json!({});
    let start = std::time::Instant::now();
    let mut bytes = 0;
    for _ in 0..runs {
        bytes += scoretable_sync::triathlon::render_message(&store, workout, "prog-1", &config)
            .expect("building the message")
            .text()
            .len();
    }
    eprintln!(
        "{runs} messages ({} bytes each) in {:?}",
        bytes / runs.max(1),
        start.elapsed() / runs.max(1) as u32
    );
}
