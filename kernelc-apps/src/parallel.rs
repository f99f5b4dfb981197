//! Parallel loops where they pay (issue 7): the N-body derivatives at N = 1000 and pairwise
//! distances of 2000 points in 64 dimensions, each run sequentially and with its outer loop a
//! `prange`, in the native and JIT tiers, side by side.
//!
//! Neither loop has a reduction across iterations (each iteration owns one output row and
//! accumulates in order), so the parallel results are bit-identical to the sequential ones;
//! [`compare`] checks that before it reports a time.

use kernel_runtime::{current_threads, kernel, Arg, Module, Options};
use ndarray::Array2;

use crate::nbody::{nbody_kernels, Bodies};
use std::time::{Duration, Instant};

use crate::report::{format_duration, format_ratio, Stats, Table};

/// The parallel N-body derivatives (the sequential kernel is `nbody_kernels::derivatives`,
/// kept in its own module so the N-body module stays as small as the classroom's), and
/// pairwise Euclidean distances, sequential and row-parallel.
#[kernel]
pub mod parallel_kernels {
    use ndarray::{ArrayView2, ArrayViewMut2};

    /// `nbody_kernels::derivatives` with the bodies shared among threads (`prange`): bit-identical.
    pub fn derivatives_parallel(
        pos: ArrayView2<f64>,
        vel: ArrayView2<f64>,
        mass: &[f64],
        mut dpos: ArrayViewMut2<f64>,
        mut dvel: ArrayViewMut2<f64>,
    ) {
        let n = pos.nrows();
        for i in prange(0..n) {
            let mut ax = 0.0;
            let mut ay = 0.0;
            let mut az = 0.0;
            for j in 0..n {
                if j != i {
                    let rx = pos[[j, 0]] - pos[[i, 0]];
                    let ry = pos[[j, 1]] - pos[[i, 1]];
                    let rz = pos[[j, 2]] - pos[[i, 2]];
                    let rnorm = (rx * rx + ry * ry + rz * rz).sqrt();
                    let scale = mass[j] / (rnorm * rnorm);
                    ax += scale * (rx / rnorm);
                    ay += scale * (ry / rnorm);
                    az += scale * (rz / rnorm);
                }
            }
            dpos[[i, 0]] = vel[[i, 0]];
            dpos[[i, 1]] = vel[[i, 1]];
            dpos[[i, 2]] = vel[[i, 2]];
            dvel[[i, 0]] = ax;
            dvel[[i, 1]] = ay;
            dvel[[i, 2]] = az;
        }
    }

    /// `d[i, j] = sqrt(Σ_k (x[i, k] - x[j, k])²)`, summed over `k` in order.
    pub fn pairwise(x: ArrayView2<f64>, mut d: ArrayViewMut2<f64>) {
        let (n, dims) = x.dim();
        for i in 0..n {
            for j in 0..n {
                let mut sum = 0.0;
                for k in 0..dims {
                    let diff = x[[i, k]] - x[[j, k]];
                    sum += diff * diff;
                }
                d[[i, j]] = sum.sqrt();
            }
        }
    }

    /// [`pairwise`] with the rows shared among threads: bit-identical.
    pub fn pairwise_parallel(x: ArrayView2<f64>, mut d: ArrayViewMut2<f64>) {
        let (n, dims) = x.dim();
        for i in prange(0..n) {
            for j in 0..n {
                let mut sum = 0.0;
                for k in 0..dims {
                    let diff = x[[i, k]] - x[[j, k]];
                    sum += diff * diff;
                }
                d[[i, j]] = sum.sqrt();
            }
        }
    }
}

/// What went wrong while comparing.
#[derive(Debug, thiserror::Error)]
pub enum ParallelError {
    #[error("the JIT could not compile the {workload} kernels: {source}")]
    Compile {
        workload: &'static str,
        #[source]
        source: Box<kernel_runtime::Error>,
    },
    #[error("{workload} ({tier}) failed: {source}")]
    Run {
        workload: &'static str,
        tier: &'static str,
        #[source]
        source: Box<kernel_runtime::Error>,
    },
    #[error("a comparison needs at least one timed run")]
    NoRuns,
    #[error("{workload} ({tier}): the prange result differs from the sequential one")]
    Mismatch {
        workload: &'static str,
        tier: &'static str,
    },
}

/// Sizes and repetitions of a comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParallelOptions {
    pub bodies: usize,
    pub points: usize,
    pub dims: usize,
    pub runs: usize,
}

impl Default for ParallelOptions {
    /// The benchmark sizes: N-body N = 1000, pairwise 2000×64.
    fn default() -> ParallelOptions {
        ParallelOptions {
            bodies: 1000,
            points: 2000,
            dims: 64,
            runs: 5,
        }
    }
}

/// One workload in one tier.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub workload: &'static str,
    pub tier: &'static str,
    pub sequential: Stats,
    pub parallel: Stats,
}

impl Row {
    /// Best sequential time over best parallel time: on a shared machine the minimum is the
    /// estimate least disturbed by other processes taking a core.
    pub fn speedup(&self) -> f64 {
        self.sequential.min.as_secs_f64() / self.parallel.min.as_secs_f64()
    }
}

/// The measured rows and the thread count they ran with.
#[derive(Clone, Debug, PartialEq)]
pub struct ParallelComparison {
    pub threads: usize,
    pub rows: Vec<Row>,
}

impl ParallelComparison {
    pub fn table(&self) -> Table {
        let mut table = Table::new([
            "workload",
            "tier",
            "sequential best",
            "prange best",
            "speedup",
            "sequential median",
            "prange median",
        ]);
        for row in &self.rows {
            table.push([
                row.workload.to_string(),
                row.tier.to_string(),
                format_duration(row.sequential.min),
                format_duration(row.parallel.min),
                format_ratio(row.speedup()),
                format_duration(row.sequential.median),
                format_duration(row.parallel.median),
            ]);
        }
        table
    }
}

/// Runs both workloads in the native and JIT tiers (see the module docs).
pub fn compare(options: &ParallelOptions) -> Result<ParallelComparison, ParallelError> {
    let mut rows = Vec::new();
    rows.extend(nbody(options)?);
    rows.extend(pairwise(options)?);
    Ok(ParallelComparison {
        threads: current_threads(),
        rows,
    })
}

fn jit_module(workload: &'static str, source: &str) -> Result<Module, ParallelError> {
    Module::compile_with(source, Options::default()).map_err(|source| ParallelError::Compile {
        workload,
        source: Box::new(source),
    })
}

/// Measures one workload in one tier: `kernel(parallel, out)` writes into `out`; the outputs
/// of the two variants must agree to the bit.
fn row(
    workload: &'static str,
    tier: &'static str,
    runs: usize,
    shape: (usize, usize),
    mut kernel: impl FnMut(bool, &mut Array2<f64>) -> Result<(), kernel_runtime::Error>,
) -> Result<Row, ParallelError> {
    let run_error = |source| ParallelError::Run {
        workload,
        tier,
        source: Box::new(source),
    };
    let mut outputs = [Array2::zeros(shape), Array2::zeros(shape)];
    for (parallel, out) in outputs.iter_mut().enumerate() {
        kernel(parallel == 1, out).map_err(run_error)?;
    }
    let same = outputs[0]
        .iter()
        .zip(outputs[1].iter())
        .all(|(a, b)| a.to_bits() == b.to_bits());
    if !same {
        return Err(ParallelError::Mismatch { workload, tier });
    }
    let [mut out, _] = outputs;
    // Alternating runs: a burst of load from elsewhere hits both variants alike.
    let mut samples = [Vec::with_capacity(runs), Vec::with_capacity(runs)];
    for _ in 0..runs.max(1) {
        for (parallel, times) in samples.iter_mut().enumerate() {
            let start = Instant::now();
            kernel(parallel == 1, &mut out).map_err(run_error)?;
            times.push(start.elapsed());
        }
    }
    let stats = |times: &[Duration]| Stats::from_samples(times).ok_or(ParallelError::NoRuns);
    let (sequential, parallel) = (stats(&samples[0])?, stats(&samples[1])?);
    Ok(Row {
        workload,
        tier,
        sequential,
        parallel,
    })
}

const NBODY: &str = "N-body derivatives";
const PAIRWISE: &str = "pairwise distances";

fn nbody(options: &ParallelOptions) -> Result<Vec<Row>, ParallelError> {
    let n = options.bodies;
    let workload = NBODY;
    let bodies = Bodies::uniform(n, Bodies::SEED);
    let mut dpos = Array2::zeros((n, 3));
    let native = row(
        workload,
        "native",
        options.runs,
        (n, 3),
        |parallel, dvel| {
            let run = if parallel {
                parallel_kernels::derivatives_parallel
            } else {
                nbody_kernels::derivatives
            };
            let (pos, vel) = (bodies.pos.view(), bodies.vel.view());
            run(pos, vel, &bodies.mass, dpos.view_mut(), dvel.view_mut())
                .map_err(kernel_runtime::Error::Kernel)
        },
    )?;
    let sequential = jit_module(workload, nbody_kernels::SOURCE)?;
    let parallel_module = jit_module(workload, parallel_kernels::SOURCE)?;
    let jit = row(workload, "JIT", options.runs, (n, 3), |parallel, dvel| {
        let function = if parallel {
            parallel_module.function("derivatives_parallel")?
        } else {
            sequential.function("derivatives")?
        };
        function.call(&mut [
            Arg::from(bodies.pos.view()),
            Arg::from(bodies.vel.view()),
            Arg::from(&bodies.mass[..]),
            Arg::from(dpos.view_mut()),
            Arg::from(dvel.view_mut()),
        ])?;
        Ok(())
    })?;
    Ok(vec![native, jit])
}

fn pairwise(options: &ParallelOptions) -> Result<Vec<Row>, ParallelError> {
    let (n, dims) = (options.points, options.dims);
    let workload = PAIRWISE;
    let mut rng = crate::nbody::SplitMix64::new(7);
    let x = Array2::from_shape_simple_fn((n, dims), || rng.next_f64());
    let native = row(workload, "native", options.runs, (n, n), |parallel, d| {
        let run = if parallel {
            parallel_kernels::pairwise_parallel
        } else {
            parallel_kernels::pairwise
        };
        run(x.view(), d.view_mut()).map_err(kernel_runtime::Error::Kernel)
    })?;
    let module = jit_module(workload, parallel_kernels::SOURCE)?;
    let jit = row(workload, "JIT", options.runs, (n, n), |parallel, d| {
        let name = if parallel {
            "pairwise_parallel"
        } else {
            "pairwise"
        };
        module
            .function(name)?
            .call(&mut [Arg::from(x.view()), Arg::from(d.view_mut())])?;
        Ok(())
    })?;
    Ok(vec![native, jit])
}

/// The showcase's parallel section: the table and how to read it.
pub fn showcase_section() -> Result<String, ParallelError> {
    let options = ParallelOptions {
        runs: 5,
        ..ParallelOptions::default()
    };
    let comparison = compare(&options)?;
    Ok(format!(
        "N-body derivatives at N={} and pairwise distances of {}×{} points, each kernel \
         sequential and with its outer loop a `prange`, on {} threads (KERNELC_THREADS sets \
         it). {} alternating runs of each after a warm-up; the speedup compares the best runs, \
         which a shared machine disturbs least. The parallel results equal the sequential ones \
         bit for bit (checked).\n\n{}",
        options.bodies,
        options.points,
        options.dims,
        comparison.threads,
        options.runs,
        comparison.table()
    ))
}
