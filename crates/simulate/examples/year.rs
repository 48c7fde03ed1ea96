//! A simulated year without the service's binary: `cargo run --release -p
//! linguapool-simulate --example year [-- --town default|staffed|large] [--seed N] [--json]`.
//! Uses the matcher's built-in settings (`MatchConfig::default()`, which `config/default.toml`
//! repeats), not the config files.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1));
    let town = value("--town").map_or(Ok(Default::default()), |t| t.parse());
    let town = town.unwrap_or_else(|err| {
        eprintln!("{err}");
        std::process::exit(2)
    });
    let seed = value("--seed").and_then(|s| s.parse().ok()).unwrap_or(2026);
    let config = linguapool_simulate::SimulationConfig {
        scenario: linguapool_simulate::Scenario::of(town, seed),
        ..Default::default()
    };
    let report = linguapool_simulate::run_in_terminal(&config);
    if args.iter().any(|arg| arg == "--json") {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.table());
    }
}
