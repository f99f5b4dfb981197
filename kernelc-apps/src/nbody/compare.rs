//! The N-body comparison: every tier, both run structures, both sizes, timed, checked bit
//! for bit against the hand-written reference, and laid out as one table.
//!
//! Each tier is prepared (compiled) once before timing, so compile time is not in the
//! figures. Every cell gets one untimed warm-up run (whose frames are the ones checked)
//! and then the timed runs, except the interpreter, whose first run is already warm and is
//! timed too. The interpreter can be limited to one derivative evaluation on the large case
//! ([`CompareOptions::interpreter_large_full`] = false); that cell then reports the time of
//! one evaluation scaled to the run's 20 and says so.

use std::time::Instant;

use ndarray::Array3;

use super::engine::{Engine, NbodyError, Tier};
use super::init::{Bodies, RunConfig};
use crate::report::{format_duration, format_ratio, time_runs, Progress, Stats, Table};

/// How the RK2 loop is driven.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Structure {
    /// The classroom way: a Rust RK2 loop calling the derivatives kernel per evaluation.
    Driver,
    /// The whole RK2 loop in one kernel call.
    Whole,
}

impl Structure {
    pub const ALL: [Structure; 2] = [Structure::Driver, Structure::Whole];

    pub fn label(self) -> &'static str {
        match self {
            Structure::Driver => "Rust RK2 → derivatives",
            Structure::Whole => "whole-simulation kernel",
        }
    }
}

/// What to measure and how often.
#[derive(Clone, Debug)]
pub struct CompareOptions {
    /// Timed runs per cell of the classroom case (N=20).
    pub runs: usize,
    /// Timed runs per cell of the large case (N=1000).
    pub large_runs: usize,
    /// Run the interpreter on the full large case; otherwise time single evaluations and
    /// scale them to the run (the cell is marked as an estimate).
    pub interpreter_large_full: bool,
    /// The tiers to run, in table order; the interpreter (if present) is the speedup
    /// baseline and the reference (if present) the ratio baseline.
    pub tiers: Vec<Tier>,
    /// Show progress on a terminal.
    pub progress: bool,
    pub seed: u64,
}

impl Default for CompareOptions {
    fn default() -> CompareOptions {
        CompareOptions {
            runs: 5,
            large_runs: 3,
            interpreter_large_full: false,
            tiers: Tier::ALL.to_vec(),
            progress: true,
            seed: Bodies::SEED,
        }
    }
}

/// One problem size: its bodies and its run.
#[derive(Clone, Debug)]
struct Case {
    label: String,
    bodies: Bodies,
    config: RunConfig,
    runs: usize,
    large: bool,
}

impl Case {
    fn both(options: &CompareOptions) -> [Case; 2] {
        let make = |n: usize, config: RunConfig, runs: usize, large: bool| Case {
            label: format!("N={n}, {} evals", config.evaluations()),
            bodies: Bodies::uniform(n, options.seed),
            config,
            runs,
            large,
        };
        [
            make(
                RunConfig::CLASSROOM_BODIES,
                RunConfig::CLASSROOM,
                options.runs,
                false,
            ),
            make(
                RunConfig::LARGE_BODIES,
                RunConfig::LARGE,
                options.large_runs,
                true,
            ),
        ]
    }
}

/// One timed cell of the comparison.
#[derive(Clone, Debug)]
pub struct Measurement {
    pub case: String,
    pub structure: Structure,
    pub tier: Tier,
    pub stats: Stats,
    /// The stats are one evaluation's, scaled to the whole run.
    pub estimated: bool,
    /// Whether the frames equal the reference's bit for bit (`None`: not checked).
    pub bit_identical: Option<bool>,
}

/// Every measurement of one comparison.
#[derive(Clone, Debug, Default)]
pub struct Comparison {
    pub measurements: Vec<Measurement>,
}

impl Comparison {
    /// The measurement of one cell.
    pub fn get(&self, case: &str, structure: Structure, tier: Tier) -> Option<&Measurement> {
        self.measurements
            .iter()
            .find(|m| m.case == case && m.structure == structure && m.tier == tier)
    }

    /// Median of `tier` over median of `baseline` in the same cell.
    pub fn ratio(&self, m: &Measurement, baseline: Tier) -> Option<f64> {
        let base = self.get(&m.case, m.structure, baseline)?;
        Some(m.stats.median.as_secs_f64() / base.stats.median.as_secs_f64())
    }

    /// The table: per case, structure and tier, the median and range, the speedup over the
    /// interpreter, the ratio to the hand-written Rust, and the bit-identity check.
    pub fn table(&self) -> Table {
        let mut table = Table::new([
            "case",
            "structure",
            "tier",
            "median",
            "min–max",
            "runs",
            "vs interpreter",
            "vs Rust ref",
            "= ref bits",
        ]);
        for m in &self.measurements {
            let mark = if m.estimated { "~" } else { "" };
            let speedup = self
                .ratio(m, Tier::Interpreter)
                .map_or("—".to_string(), |r| format_ratio(1.0 / r));
            let to_reference = self
                .ratio(m, Tier::Reference)
                .map_or("—".to_string(), format_ratio);
            let identical = match m.bit_identical {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "—",
            };
            table.push([
                m.case.clone(),
                m.structure.label().to_string(),
                m.tier.name().to_string(),
                format!("{mark}{}", format_duration(m.stats.median)),
                m.stats.range(),
                m.stats.runs.to_string(),
                speedup,
                to_reference,
                identical.to_string(),
            ]);
        }
        table
    }

    /// Footnotes the table needs (the estimated cells).
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.measurements.iter().any(|m| m.estimated) {
            notes.push(
                "~ estimate: the interpreter timed on single derivative evaluations, scaled to \
                 the run's evaluation count (its per-evaluation time is the median divided by \
                 that count)"
                    .to_string(),
            );
        }
        notes
    }
}

/// Runs the whole comparison.
pub fn compare(options: &CompareOptions) -> Result<Comparison, NbodyError> {
    let engines = options
        .tiers
        .iter()
        .map(|&tier| Engine::new(tier))
        .collect::<Result<Vec<_>, _>>()?;
    let cases = Case::both(options);
    let mut progress = Progress::new(
        cases.len() * Structure::ALL.len() * engines.len(),
        options.progress,
    );
    let mut comparison = Comparison::default();
    for case in &cases {
        let expected = Engine::new(Tier::Reference)?.simulate(&case.bodies, &case.config)?;
        for structure in Structure::ALL {
            for engine in &engines {
                progress.step(&format!(
                    "{}, {}, {}",
                    case.label,
                    structure.label(),
                    engine.tier()
                ));
                let measurement = measure(engine, case, structure, &expected, options)?;
                comparison.measurements.push(measurement);
            }
        }
    }
    progress.finish();
    Ok(comparison)
}

fn measure(
    engine: &Engine,
    case: &Case,
    structure: Structure,
    expected: &Array3<f64>,
    options: &CompareOptions,
) -> Result<Measurement, NbodyError> {
    let interpreter = engine.tier() == Tier::Interpreter;
    if interpreter && case.large && !options.interpreter_large_full {
        return measure_one_evaluation(engine, case, structure);
    }
    let run = || match structure {
        Structure::Driver => engine.rk2(&case.bodies, &case.config),
        Structure::Whole => engine.simulate(&case.bodies, &case.config),
    };
    let (frames, stats) = if interpreter {
        time_cold(case.runs, run)?
    } else {
        time_runs(case.runs, run)?
    };
    Ok(Measurement {
        case: case.label.clone(),
        structure,
        tier: engine.tier(),
        stats,
        estimated: false,
        bit_identical: Some(same_bits(&frames, expected)),
    })
}

/// Times `runs` runs with no warm-up; returns the last run's result.
fn time_cold<T>(
    runs: usize,
    mut run: impl FnMut() -> Result<T, NbodyError>,
) -> Result<(T, Stats), NbodyError> {
    let mut samples = Vec::new();
    let mut last = None;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        last = Some(run()?);
        samples.push(start.elapsed());
    }
    match (last, Stats::from_samples(&samples)) {
        (Some(result), Some(stats)) => Ok((result, stats)),
        // Unreachable: at least one run happened; fall back to a warm run.
        _ => time_runs(1, run),
    }
}

/// The large case's interpreter cell, estimated from single evaluations (the whole run
/// would take minutes): both structures spend their time in the same evaluations.
fn measure_one_evaluation(
    engine: &Engine,
    case: &Case,
    structure: Structure,
) -> Result<Measurement, NbodyError> {
    let derivatives = engine.derivatives()?;
    let bodies = &case.bodies;
    let mut dpos = bodies.pos.clone();
    let mut dvel = bodies.pos.clone();
    let (_, stats) = time_cold(case.runs, || {
        derivatives.eval(
            bodies.pos.view(),
            bodies.vel.view(),
            &bodies.mass,
            dpos.view_mut(),
            dvel.view_mut(),
        )
    })?;
    let evaluations = u32::try_from(case.config.evaluations()).unwrap_or(u32::MAX);
    Ok(Measurement {
        case: case.label.clone(),
        structure,
        tier: engine.tier(),
        stats: stats.scaled(evaluations),
        estimated: true,
        bit_identical: None,
    })
}

/// Whether two arrays hold the same `f64` bit patterns (NaNs of equal payload included).
pub fn same_bits(a: &Array3<f64>, b: &Array3<f64>) -> bool {
    a.dim() == b.dim() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}
