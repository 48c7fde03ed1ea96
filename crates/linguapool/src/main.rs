//! `linguapool`: the one binary. Wires configuration, database, mail delivery and the web
//! server together, and offers the operator's commands.

mod config;
mod demo;
mod serve;

use anyhow::Context;
use clap::{Parser, Subcommand};
use config::Config;
use lp_core::vocab::Role;
use lp_registry::staff::{self, StaffUserInput};
use lp_requests::RequestSettings;
use sea_orm_migration::MigratorTrait;
use uuid::Uuid;

/// Where the settings come from, shown below every `--help`.
const CONFIGURATION_HELP: &str = "\
Configuration, read from the working directory, later sources overriding earlier ones:
  config/default.toml    every key with its default
  config/local.toml      your local changes (optional, not committed)
  LINGUAPOOL__SECTION__KEY environment variables, e.g.
                         LINGUAPOOL__DATABASE__URL=postgres://user@host/linguapool
                         LINGUAPOOL__SERVER__ADDR=0.0.0.0:8080
                         LINGUAPOOL__PUBLIC_BASE_URL=https://pool.example.org
A bad value stops the start with a message naming the key. Log level: LINGUAPOOL_LOG=debug.";

#[derive(Parser)]
#[command(
    name = "linguapool",
    version,
    about = "A volunteer interpreter pool: requests, offers by email, trainings",
    after_help = CONFIGURATION_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server and the mail worker.
    #[command(after_help = CONFIGURATION_HELP)]
    Serve {
        /// Do not apply pending migrations at start.
        #[arg(long)]
        no_migrate: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage staff users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Fill an empty database with a realistic demo pool, print its credentials, then serve.
    #[command(after_help = CONFIGURATION_HELP)]
    Demo {
        /// Seed of the generated pool.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Volunteers in the pool (the town `simulate` replays).
        #[arg(long, default_value_t = 70, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        volunteers: u32,
        /// Days of past requests to seed before today, with their offers, at about 20
        /// assignments per volunteer and year (e.g. 1095 for three years); a year by default,
        /// so the reports have figures to show.
        #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(0..=3660))]
        history_days: u32,
        /// Start afresh: delete the database (the SQLite file, or every table on PostgreSQL)
        /// and the mails in email.file_dir, then seed the demo again. The server key stays.
        #[arg(long)]
        reset: bool,
    },
    /// Replay a synthetic year of requests against the matcher and compare mailing everyone,
    /// the offer cascade before and as configured, its variants and the offline optimum (fill
    /// against the optimum, spread against the most even, mails and minutes per filled
    /// request). Needs no database.
    Simulate {
        /// The town's shape: default (70 volunteers, 1,000 requests), staffed (the same, all
        /// at B1 or better, 70 % serving the whole district), large (360 volunteers in 90
        /// languages, 20,000 requests).
        #[arg(long, default_value = "default")]
        town: lp_simulate::generate::Town,
        /// Seed of the generated year.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Volunteers in the pool [default: the town's].
        #[arg(long)]
        volunteers: Option<usize>,
        /// Requests over the year [default: the town's].
        #[arg(long)]
        requests: Option<usize>,
        /// Offers per cascade wave [default: matching.wave_size].
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=50))]
        wave_size: Option<u32>,
        /// Wait before the next wave [default: matching.wave_interval_minutes].
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        wave_interval_minutes: Option<u32>,
        /// Print one JSON object instead of the table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a coordinator or caseworker. Prints a one-time password, or with --api-token the
    /// API token, alone on the last line.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The caseworker's organisation id.
        #[arg(long)]
        organisation: Option<Uuid>,
        /// Print the API token instead of the one-time password.
        #[arg(long)]
        api_token: bool,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse().map_err(|e: lp_core::vocab::UnknownValue| e.to_string())
}

fn main() -> anyhow::Result<()> {
    limit_malloc_arenas();
    let cli = Cli::parse();
    serve::init_logging();
    // Needs neither the database nor the runtime.
    if let Command::Simulate {
        town,
        seed,
        volunteers,
        requests,
        wave_size,
        wave_interval_minutes,
        json,
    } = cli.command
    {
        let scenario = lp_simulate::Scenario {
            town,
            seed,
            volunteers: volunteers.unwrap_or(town.volunteers()),
            requests: requests.unwrap_or(town.requests()),
        };
        return simulate(scenario, wave_size, wave_interval_minutes, json);
    }
    let config = Config::load()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(cli.command, config))
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve { no_migrate } => {
            let db = serve::connect(&config).await?;
            if config.database.migrate_on_start && !no_migrate {
                lp_migrations::Migrator::up(&db, None)
                    .await
                    .context("migrating the database")?;
            }
            serve::serve(config, db).await
        }
        Command::Migrate => {
            let db = serve::connect(&config).await?;
            lp_migrations::Migrator::up(&db, None)
                .await
                .context("migrating the database")?;
            println!("database is up to date");
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    name,
                    role,
                    organisation,
                    api_token,
                },
        } => {
            let db = serve::connect(&config).await?;
            lp_migrations::Migrator::up(&db, None)
                .await
                .context("migrating the database")?;
            let input = StaffUserInput {
                email,
                name,
                role,
                organisation_id: organisation,
                password: None,
            };
            let prepared = staff::prepare(&input, true).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let created = staff::insert(&db, prepared, chrono::Utc::now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "created {} {} ({})",
                created.user.role, created.user.email, created.user.id
            );
            if api_token {
                println!("API token (shown once):");
                println!("{}", created.api_token);
            } else {
                println!("one-time password (shown once; change it after the first login):");
                println!("{}", created.one_time_password.unwrap_or_default());
            }
            Ok(())
        }
        Command::Demo {
            seed,
            volunteers,
            history_days,
            reset,
        } => {
            if reset {
                reset_demo(&config).await?;
            }
            let db = serve::connect(&config).await?;
            lp_migrations::Migrator::up(&db, None)
                .await
                .context("migrating the database")?;
            let settings: RequestSettings = config.request_settings(std::sync::Arc::new(config.server_key()?));
            if demo::is_empty(&db).await? {
                let options = demo::DemoOptions {
                    seed,
                    volunteers: volunteers as usize,
                    history_days,
                };
                let pool = demo::seed(&db, &settings, chrono::Utc::now(), &options).await?;
                print_demo(&pool);
                let staff = demo::DemoStaff {
                    coordinator: pool.coordinator,
                    caseworkers: pool.caseworkers,
                };
                print_credentials(&staff, &config, true);
            } else {
                match demo::staff_again(&db, &settings.server_key).await? {
                    Some(staff) => {
                        println!();
                        println!("The database holds the demo pool already; not seeding it again.");
                        println!("(`linguapool demo --reset` deletes it and its mails and seeds afresh.)");
                        print_credentials(&staff, &config, false);
                    }
                    None => {
                        println!("The database holds data that is not the demo pool; not seeding the demo.");
                        println!("(`linguapool demo --reset` deletes that database and seeds the demo afresh.)");
                    }
                }
            }
            serve::serve(config, db).await
        }
        Command::Simulate { .. } => unreachable!("`simulate` runs before the configuration is loaded"),
    }
}

/// Runs `simulate` with the configured matching settings, or the built-in ones if the
/// configuration does not load; `--wave-size` and `--wave-interval-minutes` override either.
fn simulate(
    scenario: lp_simulate::Scenario,
    wave_size: Option<u32>,
    wave_interval_minutes: Option<u32>,
    json: bool,
) -> anyhow::Result<()> {
    let mut config = lp_simulate::SimulationConfig {
        scenario,
        ..Default::default()
    };
    match Config::load() {
        Ok(loaded) => {
            config.cascade = loaded.cascade_config();
            config.training_validity_months = loaded.training.validity_months;
            config.matching = loaded.match_config();
        }
        Err(err) => eprintln!("warning: {err:#}; simulating with the built-in matching settings"),
    }
    if let Some(size) = wave_size {
        config.cascade.wave_size = size;
    }
    if let Some(minutes) = wave_interval_minutes {
        config.cascade.wave_interval_minutes = minutes;
    }
    let report = lp_simulate::run_in_terminal(&config);
    if json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.table());
    }
    Ok(())
}

/// `demo --reset`: removes the database and the mails of the local mailbox, so the new demo's
/// mails do not mix with the old ones. The server key stays: the demo's tokens derive from it.
async fn reset_demo(config: &Config) -> anyhow::Result<()> {
    if config.database.url.starts_with("sqlite:") {
        if let Some(file) = config.sqlite_file() {
            // The write-ahead log and its index belong to the database; a stale WAL next to a
            // new file would be replayed into it.
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut path = file.clone().into_os_string();
                path.push(suffix);
                match std::fs::remove_file(&path) {
                    Ok(()) => println!("Removed {}", std::path::Path::new(&path).display()),
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                    Err(err) => {
                        return Err(err)
                            .with_context(|| format!("cannot remove {}", std::path::Path::new(&path).display()));
                    }
                }
            }
        }
    } else {
        let db = serve::connect(config).await?;
        lp_migrations::Migrator::fresh(&db)
            .await
            .context("dropping and re-creating the database's tables")?;
        println!("Dropped every table of the database and migrated it afresh.");
    }
    let mails = remove_mails(&config.email.file_dir)?;
    println!("Removed {mails} mails from {}", config.email.file_dir.display());
    Ok(())
}

/// Removes the `.eml` files the file transport wrote into `dir`, and nothing else: the folder
/// is configurable, and a reset must never empty a folder that holds other files.
fn remove_mails(dir: &std::path::Path) -> anyhow::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", dir.display())),
    };
    let mut removed = 0;
    for entry in entries {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|ext| ext == "eml") {
            std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
            removed += 1;
        }
    }
    Ok(removed)
}

fn print_demo(pool: &demo::DemoPool) {
    println!();
    println!(
        "Demo pool: {} organisations, {} volunteers, {} requests.",
        pool.organisations, pool.volunteers, pool.requests
    );
    if let Some(past) = &pool.history {
        println!(
            "Past {} days: {} requests ({} taken), {} offers; replayed in {:.1} s, stored in {:.1} s.",
            past.days, past.requests, past.assignments, past.offers, past.replay_seconds, past.store_seconds
        );
    }
    let t = &pool.trainings;
    println!(
        "Trainings: a basic training six weeks ago ({} attended); a refresher in three weeks ({} registered, {} waiting, {} invited by mail).",
        t.attended, t.registered, t.waiting, t.invited_by_mail
    );
}

/// The demo staff's sign-ins, printed on every run of `demo`.
fn print_credentials(staff: &demo::DemoStaff, config: &Config, first_run: bool) {
    if first_run {
        println!("Staff (password / API token):");
    } else {
        println!("Staff (password as seeded, unless changed since / API token):");
    }
    for person in std::iter::once(&staff.coordinator).chain(&staff.caseworkers) {
        let org = person.organisation.as_deref().unwrap_or("Koordination");
        println!(
            "  {:<40} {:<45} {} / {}",
            person.email, org, person.password, person.api_token
        );
    }
    println!();
    println!(
        "Sign in at {}/login with an email address above and its password.",
        config.public_base_url
    );
    println!(
        "API docs: {}/api/docs.  Try:  curl -H 'Authorization: Bearer {}' {}/api/v1/requests",
        config.public_base_url, staff.coordinator.api_token, config.public_base_url
    );
    if config.email.transport == lp_notify::TransportKind::File {
        println!(
            "Emails the demo sent (click the offer links): {}/mailbox",
            config.public_base_url
        );
    }
    println!();
}

/// glibc's malloc gives each thread that allocates an arena of its own (up to eight per core)
/// and keeps what they freed: with the runtime's workers and one thread per pooled SQLite
/// connection, a busy process's resident memory crept to 98 MiB; two arenas keep it near 75
/// (measured with bench/soak). The limit is read only when a process starts, and setting it
/// from inside needs `unsafe` (the workspace forbids it), so the process starts itself once
/// more with `MALLOC_ARENA_MAX=2`, same pid, arguments and descriptors. An operator's own
/// value is kept; if the start fails, it goes on as it is.
#[cfg(target_os = "linux")]
fn limit_malloc_arenas() {
    use std::os::unix::process::CommandExt;
    const ARENAS: &str = "MALLOC_ARENA_MAX";
    if std::env::var_os(ARENAS).is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    // Only returns if the new image could not start.
    let _ = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(ARENAS, "2")
        .exec();
}

#[cfg(not(target_os = "linux"))]
fn limit_malloc_arenas() {}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn help_names_the_configuration_files_and_environment_variables() {
        for mut command in [Cli::command(), Cli::command().find_subcommand("serve").unwrap().clone()] {
            let help = command.render_long_help().to_string();
            for needle in ["config/default.toml", "config/local.toml", "LINGUAPOOL__SECTION__KEY"] {
                assert!(help.contains(needle), "{needle} missing from:\n{help}");
            }
        }
    }

    #[test]
    fn a_reset_removes_only_the_mails_of_the_mail_folder() {
        let dir = std::env::temp_dir().join(format!("lp-reset-{}", Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("keep")).unwrap();
        for file in ["a.eml", "b.eml", "notes.txt"] {
            std::fs::write(dir.join(file), "x").unwrap();
        }
        assert_eq!(remove_mails(&dir).unwrap(), 2);
        let mut left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["keep", "notes.txt"]);
        assert_eq!(remove_mails(&dir.join("none")).unwrap(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
