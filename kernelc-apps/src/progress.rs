//! Watching a long computation: the algorithms ([`randomized_svd_observed`],
//! [`Prone::embed_observed`]) tell an [`Observer`] when each step starts and finishes; they
//! never print. The CLI's `--verbose` lines and progress bar, and the benchmark's
//! [`Profile`], are observers. An observer only watches: results are the same bits whichever
//! observer runs.
//!
//! [`randomized_svd_observed`]: crate::svd::randomized_svd_observed
//! [`Prone::embed_observed`]: crate::prone::Prone::embed_observed
//! [`Profile`]: crate::svd::Profile

use std::fmt;
use std::time::{Duration, Instant};

/// One step of an algorithm, such as `power iteration 3/5`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// What the step does.
    pub name: &'static str,
    /// `Some((i, n))` for the `i`-th (from 1) of `n` repetitions of the step.
    pub count: Option<(usize, usize)>,
    /// The step's estimated work (roughly its floating-point operations): with the total
    /// announced by [`Observer::planned`], the fraction of the run it stands for.
    pub work: u64,
}

impl Step {
    pub fn new(name: &'static str, work: u64) -> Step {
        Step {
            name,
            count: None,
            work,
        }
    }

    /// The `index`-th (from 1) of `of` repetitions.
    pub fn counted(name: &'static str, index: usize, of: usize, work: u64) -> Step {
        Step {
            name,
            count: Some((index, of)),
            work,
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.count {
            Some((index, of)) => write!(f, "{} {index}/{of}", self.name),
            None => f.write_str(self.name),
        }
    }
}

/// How long a finished step took, and where inside it the time went.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timing {
    pub elapsed: Duration,
    /// The step's named parts (say, `sparse products` and `power normaliser`), in the order
    /// they first ran, each summed over the step.
    pub parts: Vec<(&'static str, Duration)>,
}

impl Timing {
    /// Runs `f`, adding its wall time to the part `name`.
    pub(crate) fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let value = f();
        add_time(&mut self.parts, name, start.elapsed());
        value
    }
}

/// Adds `elapsed` to the entry `name` of `totals`, appending it when new.
pub(crate) fn add_time(
    totals: &mut Vec<(&'static str, Duration)>,
    name: &'static str,
    elapsed: Duration,
) {
    match totals.iter_mut().find(|(known, _)| *known == name) {
        Some((_, total)) => *total += elapsed,
        None => totals.push((name, elapsed)),
    }
}

/// Told about a run as it goes. Every method does nothing by default.
pub trait Observer {
    /// Called once, before the first step, with the estimated work of the whole run: the
    /// sum of the `work` of the steps that follow.
    fn planned(&mut self, total_work: u64) {
        let _ = total_work;
    }

    /// `step` begins.
    fn started(&mut self, step: &Step) {
        let _ = step;
    }

    /// `step` succeeded (a failing step is never finished: the run returns its error).
    fn finished(&mut self, step: &Step, timing: &Timing) {
        let _ = (step, timing);
    }
}

/// The observer that ignores everything.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Silent;

impl Observer for Silent {}

/// Runs `body` as `step`, timing it and its parts for `observer`.
pub(crate) fn run_step<T, E>(
    observer: &mut dyn Observer,
    step: Step,
    body: impl FnOnce(&mut Timing) -> Result<T, E>,
) -> Result<T, E> {
    observer.started(&step);
    let start = Instant::now();
    let mut timing = Timing::default();
    let value = body(&mut timing)?;
    timing.elapsed = start.elapsed();
    observer.finished(&step, &timing);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counted_step_shows_its_count() {
        assert_eq!(
            Step::counted("power iteration", 3, 5, 1).to_string(),
            "power iteration 3/5"
        );
        assert_eq!(Step::new("final QR", 1).to_string(), "final QR");
    }

    #[test]
    fn parts_of_the_same_name_add_up_in_first_run_order() {
        let mut timing = Timing::default();
        let mut totals = Vec::new();
        add_time(&mut totals, "b", Duration::from_millis(1));
        add_time(&mut totals, "a", Duration::from_millis(2));
        add_time(&mut totals, "b", Duration::from_millis(3));
        assert_eq!(
            totals,
            [
                ("b", Duration::from_millis(4)),
                ("a", Duration::from_millis(2))
            ]
        );
        assert_eq!(timing.time("x", || 7), 7);
        assert_eq!(timing.parts.len(), 1);
    }

    #[derive(Default)]
    struct Log(Vec<String>);

    impl Observer for Log {
        fn started(&mut self, step: &Step) {
            self.0.push(format!("start {step}"));
        }
        fn finished(&mut self, step: &Step, _: &Timing) {
            self.0.push(format!("end {step}"));
        }
    }

    #[test]
    fn a_failing_step_starts_but_never_finishes() {
        let mut log = Log::default();
        let ok: Result<u8, ()> = run_step(&mut log, Step::new("good", 1), |_| Ok(1));
        let failed: Result<u8, ()> = run_step(&mut log, Step::new("bad", 1), |_| Err(()));
        assert_eq!((ok, failed), (Ok(1), Err(())));
        assert_eq!(log.0, ["start good", "end good", "start bad"]);
    }
}
