//! A progress bar for long runs: one stderr line rewritten with `\r`, drawn only when stderr is
//! a terminal and the run has taken a moment, so pipes, logs and quick runs stay clean.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Runs shorter than this show no bar at all.
const SHOW_AFTER: Duration = Duration::from_millis(300);
/// Redraw at most this often.
const REDRAW_EVERY: Duration = Duration::from_millis(100);
const WIDTH: usize = 30;

/// How far a run is: `done` of `total` steps, in `stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub stage: &'static str,
    pub done: usize,
    pub total: usize,
}

pub struct ProgressBar {
    enabled: bool,
    started: Instant,
    last_drawn: Option<Instant>,
}

impl ProgressBar {
    /// A bar on stderr if stderr is a terminal; otherwise one that draws nothing.
    pub fn on_stderr() -> Self {
        Self {
            enabled: std::io::stderr().is_terminal(),
            started: Instant::now(),
            last_drawn: None,
        }
    }

    pub fn update(&mut self, progress: Progress) {
        if !self.enabled || self.started.elapsed() < SHOW_AFTER {
            return;
        }
        if self.last_drawn.is_some_and(|at| at.elapsed() < REDRAW_EVERY) {
            return;
        }
        self.last_drawn = Some(Instant::now());
        let line = render(progress);
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r{line}");
        let _ = stderr.flush();
    }

    /// Clears the line, so what follows starts on a clean one.
    pub fn finish(&mut self) {
        if self.last_drawn.take().is_some() {
            let blank = " ".repeat(
                render(Progress {
                    stage: "",
                    done: 0,
                    total: 0,
                })
                .chars()
                .count(),
            );
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r{blank}\r");
            let _ = stderr.flush();
        }
    }
}

fn render(progress: Progress) -> String {
    let fraction = if progress.total == 0 {
        1.0
    } else {
        (progress.done as f64 / progress.total as f64).clamp(0.0, 1.0)
    };
    let filled = (fraction * WIDTH as f64).round() as usize;
    format!(
        "simulating {:<9} [{}{}] {:>3}%",
        progress.stage,
        "#".repeat(filled),
        "-".repeat(WIDTH - filled),
        (fraction * 100.0).round() as u32
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_has_a_fixed_width_from_empty_to_full() {
        let at = |done| {
            render(Progress {
                stage: "cascade",
                done,
                total: 200,
            })
        };
        assert_eq!(at(0), format!("simulating cascade   [{}]   0%", "-".repeat(WIDTH)));
        assert_eq!(
            at(100),
            format!("simulating cascade   [{}{}]  50%", "#".repeat(15), "-".repeat(15))
        );
        assert_eq!(at(200).chars().count(), at(0).chars().count());
        assert!(at(200).ends_with("] 100%"));
    }
}
