//! The benchmark harness binary; see `lib.rs`.

fn main() {
    std::process::exit(scoretable_bench::run_main());
}
