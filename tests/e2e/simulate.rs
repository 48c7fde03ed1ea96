//! `linguapool simulate` as an operator runs it: no database, one JSON object.

use std::process::Command;

#[test]
fn simulate_compares_the_three_strategies_without_a_database() {
    let output = Command::new(env!("CARGO_BIN_EXE_linguapool"))
        .args([
            "simulate",
            "--volunteers",
            "40",
            "--requests",
            "200",
            "--seed",
            "7",
            "--json",
        ])
        .env("LINGUAPOOL__DATABASE__URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .expect("the linguapool binary runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("one JSON object");
    for strategy in ["broadcast", "cascade", "optimum"] {
        let numbers = &report["strategies"][strategy];
        assert!(numbers["fill_rate"].as_f64().is_some(), "{strategy}: {numbers}");
        assert!(numbers["gini"].as_f64().is_some(), "{strategy}: {numbers}");
    }
    let cascade = &report["strategies"]["cascade"];
    assert_eq!(cascade["violations"], 0, "no offer breaks a hard rule");
    assert!(cascade["mails_per_fill"].as_f64().unwrap() > 0.0);
    let optimum = report["strategies"]["optimum"]["filled"].as_u64().unwrap();
    assert!(
        cascade["filled"].as_u64().unwrap() <= optimum,
        "the optimum bounds every strategy"
    );
}
