//! A PostgreSQL server of the test's own (initdb, pg_ctl from the installed PostgreSQL), so a
//! test can stop and restart the database under a running service without touching the shared
//! server the other tests use. Run as root (as CI is), the server runs as the `postgres` user.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct PgCluster {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
}

impl PgCluster {
    /// A fresh cluster on a free port, started; `None` when no PostgreSQL binaries are
    /// installed (the caller says it skipped).
    pub fn start() -> Option<Self> {
        let bin = installed_bin()?;
        let port = crate::smtp::free_addr().port();
        let data = std::env::temp_dir().join(format!("lp-pg-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&data).expect("a directory for the cluster");
        if running_as_root() {
            chown_to_postgres(&data);
        }
        let cluster = Self { bin, data, port };
        cluster.run(
            "initdb",
            &["-D", cluster.data_str(), "-A", "trust", "-U", "postgres", "--no-sync"],
        );
        cluster.start_again();
        Some(cluster)
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server at once (`-m fast`: clients are disconnected).
    pub fn stop(&self) {
        self.run("pg_ctl", &["-D", self.data_str(), "-m", "fast", "-w", "stop"]);
    }

    pub fn start_again(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            self.port,
            self.data_str()
        );
        let log = self.data.join("server.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                self.data_str(),
                "-o",
                &options,
                "-l",
                log.to_str().expect("a UTF-8 path"),
                "-w",
                "start",
            ],
        );
    }

    fn data_str(&self) -> &str {
        self.data.to_str().expect("a UTF-8 path")
    }

    fn run(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program);
        let mut command = if running_as_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let output = command.args(args).output().expect("the PostgreSQL tools run");
        assert!(
            output.status.success(),
            "{} {args:?}: {}{}",
            program.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let program = self.bin.join("pg_ctl");
        let args = ["-D", self.data_str(), "-m", "immediate", "stop"];
        let _ = if running_as_root() {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&program)
                .args(args)
                .output()
        } else {
            Command::new(&program).args(args).output()
        };
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// The newest installed PostgreSQL's `bin` directory (Debian: /usr/lib/postgresql/N/bin).
fn installed_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn running_as_root() -> bool {
    std::env::var("USER").is_ok_and(|u| u == "root")
        || Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn chown_to_postgres(path: &Path) {
    let status = Command::new("chown")
        .args(["postgres:postgres", path.to_str().expect("a UTF-8 path")])
        .status()
        .expect("chown runs");
    assert!(status.success(), "chown {}", path.display());
}
