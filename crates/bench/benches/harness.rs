//! `cargo bench -p scoretable-bench [-- --quick]` runs the same harness as the
//! `scoretable-bench` binary, in the bench profile.

fn main() {
    std::process::exit(scoretable_bench::run_main());
}
