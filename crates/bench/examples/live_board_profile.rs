//! Builds the live board of a file's first workout N times (for a profiler):
//! `live_board_profile FILE [N]`.
fn main() {
    let mut arguments = std::env::args().skip(1);
    let path = arguments.next().expect("a competition file");
    let runs: usize = arguments.next().map_or(20, |n| n.parse().expect("a count"));
    let store = scoretable_store::CompetitionFile::open_read_only(&path).expect("opening");
    let workout = store.workouts().expect("workouts").remove(0);
    for _ in 0..runs {
        let start = std::time::Instant::now();
        let board = store.live_board(workout.id).expect("ranking");
        eprintln!("{} rows in {:?}", board.len(), start.elapsed());
    }
}
