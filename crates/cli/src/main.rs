//! `scoretable`: the headless command line over the Scoretable core and store.
//! See `scoretable --help` and the README's CLI section.

fn main() {
    scoretable_cli::context::enable_backup_hand_off();
    std::process::exit(scoretable_cli::run_main());
}
