//! Times ranking a file's first workout into a spilled board as `export
//! all` does it, A/B in one process, alternating:
//! `board_rank_profile FILE [N]`. "frozen": the store's `listed_board`
//! (the frozen build in memory, with every entrant's bib and divisions)
//! then `SpilledBoard::spill`; "external": the store's cursor with bibs and
//! divisions joined in SQL, an external sort in a fixed budget, placed and
//! spilled as the records come out (round 10). Wall and the process's CPU
//! (user + system) per build.
fn cpu_seconds() -> f64 {
    // /proc/self/stat fields 14 and 15: user and system time in ticks.
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |at: usize| {
        fields
            .get(at)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let mut arguments = std::env::args().skip(1);
    let path = arguments.next().expect("a competition file");
    let runs: usize = arguments.next().map_or(10, |n| n.parse().expect("a count"));
    let store = scoretable_store::CompetitionFile::open_read_only(&path).expect("opening");
    let workout = store.workouts().expect("workouts").remove(0);
    let mut times: [Vec<(std::time::Duration, f64)>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    let mut rows = [0; 3];
    for _ in 0..runs {
        for at in 0..3 {
            let (start, cpu) = (std::time::Instant::now(), cpu_seconds());
            rows[at] = if at == 2 {
                // The store's cursor alone (its SQL join), nothing kept.
                let mut count = 0;
                store
                    .for_each_rank_entry_with_info::<scoretable_store::StoreError>(
                        workout.id,
                        &mut |_, _, _| {
                            count += 1;
                            Ok(())
                        },
                    )
                    .expect("reading");
                count
            } else {
                scoretable_export::rank_first_board_for_profile(&store, at == 1).expect("ranking")
            };
            times[at].push((start.elapsed(), cpu_seconds() - cpu));
        }
    }
    for (at, name) in ["frozen", "external", "cursor alone"].iter().enumerate() {
        let mut wall: Vec<_> = times[at].iter().map(|(wall, _)| *wall).collect();
        let mut cpu: Vec<f64> = times[at].iter().map(|(_, cpu)| *cpu).collect();
        wall.sort();
        cpu.sort_by(f64::total_cmp);
        let q = |n: usize, p: f64| ((n - 1) as f64 * p).round() as usize;
        eprintln!(
            "{name}: {} rows, wall p50 {:?} p90 {:?}; CPU p50 {:.3} s p90 {:.3} s",
            rows[at],
            wall[q(wall.len(), 0.5)],
            wall[q(wall.len(), 0.9)],
            cpu[q(cpu.len(), 0.5)],
            cpu[q(cpu.len(), 0.9)],
        );
    }
}
