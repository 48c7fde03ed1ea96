//! The default simulated year without the service's binary: `cargo run --release -p
//! linguapool-simulate --example year [-- --json]`. Uses the matcher's built-in settings
//! (`MatchConfig::default()`, which `config/default.toml` repeats), not the config files.

fn main() {
    let config = linguapool_simulate::SimulationConfig::default();
    let report = linguapool_simulate::run_in_terminal(&config);
    if std::env::args().any(|arg| arg == "--json") {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.table());
    }
}
