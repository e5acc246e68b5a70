//! Writes what the hot path's competitors-import measure starts from, for a
//! profiler: `import_setup DIR [ATHLETES]` writes `DIR/competitors.csv` (the
//! generated field) and `DIR/template.scoretable` (the competition and its
//! divisions, no competitors). Copy the template and run
//! `scoretable -f COPY competitors import DIR/competitors.csv` under `perf`.
fn main() {
    let mut arguments = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(arguments.next().expect("an output directory"));
    let athletes: usize = arguments
        .next()
        .map_or(60_000, |n| n.parse().expect("a count"));
    std::fs::create_dir_all(&dir).expect("creating the directory");
    let event = scoretable_core::generate::large_individual_event(athletes, 12, 10, 1);
    std::fs::write(dir.join("competitors.csv"), event.competitors_csv()).expect("writing the CSV");
    let template = dir.join("template.scoretable");
    let _ = std::fs::remove_file(&template);
    let mut store = scoretable_store::CompetitionFile::create(&template, &event.competition)
        .expect("creating the file");
    for division in &event.divisions {
        store.add_division(division).expect("adding a division");
    }
    store.close().expect("closing");
}
