//! What `kernelc svd` and `kernelc prone` tell the user while they run, on stderr: with
//! `--verbose`, one line per finished step with its wall time, then the total; on a
//! terminal (unless `--quiet`), a progress bar redrawn in place: the current step, the
//! fraction of the estimated work done and the elapsed time.
//!
//! The algorithms report their steps through [`kernelc_apps::progress::Observer`]; the
//! command's own steps (reading, writing) go through [`Reporter::step`]. The bar is never
//! drawn when stderr is not a terminal, so tests, pipes and logs see only the lines.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use clap::Args;

use super::error::CliError;
use kernelc_apps::progress::{Observer, Step, Timing};
use kernelc_apps::report::format_duration;

/// How often the bar is redrawn (its only redraws: the elapsed time moves even while a long
/// step runs, and a run shorter than this never flashes a bar).
const REDRAW_EVERY: Duration = Duration::from_millis(100);

/// Width of the bar between its brackets.
const BAR_WIDTH: usize = 24;

/// Width of the step column of the `--verbose` lines.
const NAME_WIDTH: usize = 24;

/// Erases the terminal line the cursor is on and returns to its start.
const CLEAR_LINE: &str = "\r\x1b[2K";

/// `--verbose` and `--quiet`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Print each step on stderr as it finishes, with its wall time, and the total.
    #[arg(short, long)]
    pub verbose: bool,
    /// Do not draw the progress bar (drawn on stderr only when it is a terminal).
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
}

/// Prints the `--verbose` lines and runs the progress bar of one command.
#[derive(Debug)]
pub struct Reporter {
    verbose: bool,
    start: Instant,
    bar: Option<Bar>,
}

impl Reporter {
    pub fn new(args: &ReportArgs) -> Reporter {
        let start = Instant::now();
        let bar = (!args.quiet && std::io::stderr().is_terminal()).then(|| Bar::start(start));
        Reporter {
            verbose: args.verbose,
            start,
            bar,
        }
    }

    /// Runs one of the command's own steps; once it succeeds, `detail` describes its result
    /// on the `--verbose` line.
    pub fn step<T>(
        &mut self,
        name: &str,
        run: impl FnOnce() -> Result<T, CliError>,
        detail: impl FnOnce(&T) -> String,
    ) -> Result<T, CliError> {
        self.update_bar(|state| state.step = name.to_owned());
        let start = Instant::now();
        let value = run()?;
        self.print_line(&step_line(name, start.elapsed(), &detail(&value)));
        Ok(value)
    }

    /// Clears the bar and prints the `--verbose` total.
    pub fn finish(mut self) {
        self.stop_bar();
        if self.verbose {
            eprintln!("{}", step_line("total", self.start.elapsed(), ""));
        }
    }

    fn update_bar(&self, update: impl FnOnce(&mut BarState)) {
        if let Some(bar) = &self.bar {
            update(&mut bar.lock().state);
        }
    }

    /// Prints a `--verbose` line above the bar (which the next redraw brings back).
    fn print_line(&self, line: &str) {
        if !self.verbose {
            return;
        }
        let mut shared = self.bar.as_ref().map(Bar::lock);
        let mut stderr = std::io::stderr().lock();
        if let Some(shared) = shared.as_mut().filter(|shared| shared.drawn) {
            let _ = stderr.write_all(CLEAR_LINE.as_bytes());
            shared.drawn = false;
        }
        let _ = writeln!(stderr, "{line}");
    }

    fn stop_bar(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.stop();
        }
    }
}

impl Drop for Reporter {
    /// Clears the bar on every exit, so an error message starts on a clean line.
    fn drop(&mut self) {
        self.stop_bar();
    }
}

impl Observer for Reporter {
    fn planned(&mut self, total_work: u64) {
        self.update_bar(|state| state.total = total_work);
    }

    fn started(&mut self, step: &Step) {
        self.update_bar(|state| state.step = step.to_string());
    }

    fn finished(&mut self, step: &Step, timing: &Timing) {
        self.update_bar(|state| state.done = state.done.saturating_add(step.work));
        // A single part is the whole step: only a split says where the time went.
        let parts = match timing.parts.as_slice() {
            [_, _, ..] => timing
                .parts
                .iter()
                .map(|(name, time)| format!("{name} {}", format_duration(*time)))
                .collect::<Vec<_>>()
                .join(", "),
            _ => String::new(),
        };
        self.print_line(&step_line(&step.to_string(), timing.elapsed, &parts));
    }
}

/// A `--verbose` line: the step, its wall time, and what it found or where its time went.
pub fn step_line(name: &str, elapsed: Duration, detail: &str) -> String {
    let line = format!(
        "{name:<NAME_WIDTH$} {:>9}  {detail}",
        format_duration(elapsed)
    );
    line.trim_end().to_owned()
}

/// What the bar shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BarState {
    /// The step under way.
    pub step: String,
    /// The estimated work of the finished steps, out of `total` (0 until the algorithm
    /// announces its plan).
    pub done: u64,
    pub total: u64,
    pub elapsed: Duration,
}

/// The bar's line: `[##########--------------]  42%  power iteration 3/7  1.84 s`.
pub fn render_bar(state: &BarState) -> String {
    let fraction = if state.total == 0 {
        0.0
    } else {
        (state.done as f64 / state.total as f64).min(1.0)
    };
    let filled = (fraction * BAR_WIDTH as f64).floor() as usize;
    // Rounded down: 100% only once everything is done.
    let percent = (fraction * 100.0).floor() as u32;
    format!(
        "[{}{}] {percent:>3}%  {}  {}",
        "#".repeat(filled),
        "-".repeat(BAR_WIDTH - filled),
        state.step,
        format_duration(state.elapsed)
    )
}

/// The bar: a thread redraws it every [`REDRAW_EVERY`] from the state the reporter updates.
#[derive(Debug)]
struct Bar {
    shared: Arc<Mutex<Shared>>,
    redraw: JoinHandle<()>,
}

#[derive(Debug, Default)]
struct Shared {
    state: BarState,
    /// Whether the bar is on the screen now.
    drawn: bool,
    stopped: bool,
}

impl Bar {
    fn start(start: Instant) -> Bar {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let redraw = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || loop {
                std::thread::park_timeout(REDRAW_EVERY);
                let mut shared = shared.lock().unwrap_or_else(|e| e.into_inner());
                if shared.stopped {
                    break;
                }
                shared.state.elapsed = start.elapsed();
                // The bar is best effort: a failed write to the terminal is not an error.
                let _ = write!(
                    std::io::stderr().lock(),
                    "{CLEAR_LINE}{}",
                    render_bar(&shared.state)
                );
                shared.drawn = true;
            })
        };
        Bar { shared, redraw }
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A poisoned lock only means a redraw panicked; the state is still usable.
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stops the redraws and erases the bar.
    fn stop(self) {
        {
            let mut shared = self.lock();
            shared.stopped = true;
            if shared.drawn {
                let _ = write!(std::io::stderr().lock(), "{CLEAR_LINE}");
            }
        }
        self.redraw.thread().unpark();
        let _ = self.redraw.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(done: u64, total: u64) -> BarState {
        BarState {
            step: "power iteration 3/7".into(),
            done,
            total,
            elapsed: Duration::from_millis(1844),
        }
    }

    #[test]
    fn the_bar_shows_the_step_the_fraction_and_the_time() {
        assert_eq!(
            render_bar(&state(42, 100)),
            "[##########--------------]  42%  power iteration 3/7  1.84 s"
        );
        assert_eq!(
            render_bar(&state(100, 100)),
            "[########################] 100%  power iteration 3/7  1.84 s"
        );
    }

    #[test]
    fn the_bar_is_empty_until_planned_and_full_only_when_done() {
        assert!(render_bar(&state(0, 0)).starts_with("[------------------------]   0%"));
        assert!(render_bar(&state(999, 1000)).contains("]  99%"));
        // More work done than planned (a rough estimate) stays at 100%.
        assert!(render_bar(&state(7, 5)).contains("] 100%"));
    }

    #[test]
    fn verbose_lines_align_the_times() {
        assert_eq!(
            step_line("final QR", Duration::from_micros(12_340), ""),
            "final QR                   12.3 ms"
        );
        assert_eq!(
            step_line(
                "power iteration 1/4",
                Duration::from_millis(1844),
                "sparse products 1.20 s"
            ),
            "power iteration 1/4         1.84 s  sparse products 1.20 s"
        );
    }
}
