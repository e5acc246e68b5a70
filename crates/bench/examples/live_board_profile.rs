//! Builds the live board of a file's first workout N times (for a profiler):
//! `live_board_profile FILE [N] [--listed]`. With `--listed` it times the
//! export's build instead, A/B in the same process: the live board frozen
//! (`live_board` + `into_listed`) against the board built frozen
//! (`listed_board`), alternating.
fn main() {
    let mut arguments = std::env::args().skip(1);
    let path = arguments.next().expect("a competition file");
    let runs: usize = arguments.next().map_or(20, |n| n.parse().expect("a count"));
    let listed = arguments.next().is_some_and(|flag| flag == "--listed");
    let store = scoretable_store::CompetitionFile::open_read_only(&path).expect("opening");
    let workout = store.workouts().expect("workouts").remove(0);
    if !listed {
        for _ in 0..runs {
            let start = std::time::Instant::now();
            let board = store.live_board(workout.id).expect("ranking");
            eprintln!("{} rows in {:?}", board.len(), start.elapsed());
        }
        return;
    }
    let mut frozen = Vec::with_capacity(runs);
    let mut direct = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = std::time::Instant::now();
        let board = store.live_board(workout.id).expect("ranking").into_listed();
        frozen.push((start.elapsed(), board.len()));
        drop(board);
        let start = std::time::Instant::now();
        let board = store.listed_board(workout.id).expect("ranking");
        direct.push((start.elapsed(), board.len()));
    }
    for (name, mut times) in [("live board frozen", frozen), ("built frozen", direct)] {
        times.sort();
        let rows = times[0].1;
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize].0;
        eprintln!(
            "{name}: {rows} rows, p50 {:?}, p90 {:?}, max {:?}",
            at(0.5),
            at(0.9),
            at(1.0)
        );
    }
}
