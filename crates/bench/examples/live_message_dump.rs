//! Throwaway A/B check: prints every workout's live-timing message (date
//! blanked) under several configs, for byte comparison between builds.
fn main() {
    let mut arguments = std::env::args().skip(1);
    let path = arguments.next().expect("a competition file");
    let skip_large = arguments.next().is_some();
    let store = scoretable_store::CompetitionFile::open_read_only(&path).expect("opening");
    let configs = [
        serde_json::json!({}),
        serde_json::json!({"whole_seconds": true, "event_name": "E\"v\\ent", "air_temp": "21", "start_time": "2026-01-01T08:00:00Z"}),
        serde_json::json!({"segments_per_leg": 2, "wetsuit": "true", "sandbox": "false", "event_id": "77"}),
    ];
    for workout in store.workouts().expect("workouts") {
        if skip_large && workout.id == 1 {
            continue;
        }
        for config in &configs {
            let message =
                scoretable_sync::triathlon::render_message(&store, workout.id, "prog-1", config)
                    .expect("building the message");
            let text = message.text();
            let at = text.find("\"date\":\"").expect("a date") + 8;
            let end = at + text[at..].find('"').unwrap();
            println!(
                "{} {} {}DATE{}",
                workout.id,
                config,
                &text[..at],
                &text[end..]
            );
        }
    }
}
