//! The kernelc side of the peer benchmarks (`benches/peers/run.sh`, issue 9).
//!
//! One invocation times one kernelc variant on one case, reading the inputs the driver
//! generated for every peer (`.npy`, and the graph as a scipy `.npz`), and prints one line of
//! JSON: the timed runs (warm-up excluded), the compile time of the module (JIT or
//! interpreter; `null` for code compiled ahead of time) and the first call's time. The result
//! of the last run is saved as `.npy` so the driver can check it against the reference.
//!
//! ```text
//! cargo run --release -p kernelc-apps --example peers_kernelc -- nbody --variant jit-whole \
//!     --data target/peers/data --n 20 --frames 100 --runs 5 --out /tmp/r.npy
//! ```
//!
//! Variants: N-body `{interp,jit,native}-{driver,whole}` and `rust-whole` (the hand-written
//! reference); pairwise `interp`, `jit`, `native`, `jit-reassociate`, `native-reassociate`
//! (`#[reassociate]`); SVD `jit`, `native`. "driver" is a Rust RK2
//! loop calling the derivatives kernel for every evaluation (the numba/Cython "derivatives
//! only" structure); "whole" is the whole simulation in one kernel call.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use kernel_npy::{read_npy, write_npy, NpyArray, NpyData};
use kernel_runtime::{kernel, Backend, Module, Options};
use kernelc_apps::nbody::{self, Bodies, RunConfig};
use kernelc_apps::svd::{self, Normalizer, Ops, SvdParams};
use ndarray::{Array2, ArrayD, ArrayView2, ArrayViewMut2, Ix1, Ix2};

/// The pairwise-distance kernel of `examples/kernels/pairwise.rs`, as a `#[kernel] mod` so the
/// native tier is the macro's expansion and the other tiers run `pairwise_kernels::SOURCE`.
#[kernel]
mod pairwise_kernels {
    use ndarray::{ArrayView2, ArrayViewMut2};

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

    /// The same kernel with its sums in 8 lanes combined in a fixed tree (the
    /// `*-reassociate` variants): vectorised, same bits in every tier.
    #[reassociate]
    pub fn pairwise_lanes(x: ArrayView2<f64>, mut d: ArrayViewMut2<f64>) {
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
}

#[derive(Parser, Debug)]
#[command(about = "Times one kernelc variant on one peer-benchmark case and prints JSON")]
struct Cli {
    #[command(subcommand)]
    case: Case,
}

#[derive(Subcommand, Debug)]
enum Case {
    /// N-body RK2 (unit masses, dt = 0.001): `DATA/nbody_N{n}_{pos,vel,mass}.npy`.
    Nbody {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        n: usize,
        #[arg(long)]
        frames: usize,
        #[arg(long, default_value_t = 10)]
        steps_per_frame: usize,
    },
    /// Pairwise distances of the rows of `DATA/{name}.npy` (e.g. `dist_100x100`).
    Pairwise {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        name: String,
    },
    /// Randomized SVD (k = 128, 10 oversamples, 5 LU power iterations) of `DATA/graph.npz`;
    /// saves the singular values.
    Svd {
        #[command(flatten)]
        common: Common,
        #[arg(long, default_value_t = 128)]
        k: usize,
    },
}

#[derive(Args, Debug)]
struct Common {
    #[arg(long)]
    variant: String,
    #[arg(long)]
    data: PathBuf,
    #[arg(long, default_value_t = 5)]
    runs: usize,
    #[arg(long, default_value_t = 1)]
    warmup: usize,
    /// Where to save the last run's result (`.npy`).
    #[arg(long)]
    out: PathBuf,
}

/// What one invocation measured, printed as JSON.
#[derive(Debug, Default)]
struct Timing {
    compile_s: Option<f64>,
    first_call_s: f64,
    times: Vec<f64>,
}

impl Timing {
    fn json(&self, variant: &str) -> String {
        let times: Vec<String> = self.times.iter().map(|t| format!("{t:e}")).collect();
        let compile = self
            .compile_s
            .map_or_else(|| "null".to_string(), |t| format!("{t:e}"));
        format!(
            "{{\"variant\": \"{variant}\", \"compile_s\": {compile}, \"first_call_s\": {:e}, \"times\": [{}]}}",
            self.first_call_s,
            times.join(", ")
        )
    }
}

/// Runs `call` once (the first call, timed on its own and counted as the first warm-up run),
/// then the rest of `warmup` untimed and `runs` timed calls; returns the timing and the last
/// result.
fn measure<T>(
    common: &Common,
    compile_s: Option<f64>,
    mut call: impl FnMut() -> Result<T, Box<dyn Error>>,
) -> Result<(Timing, T), Box<dyn Error>> {
    let start = Instant::now();
    let mut last = call()?;
    let first_call_s = start.elapsed().as_secs_f64();
    let mut times = Vec::with_capacity(common.runs);
    // Without warm-up (runs of tens of seconds) the first call is also the first timed run.
    if common.warmup == 0 {
        times.push(first_call_s);
    }
    for _ in 1..common.warmup {
        last = call()?;
    }
    while times.len() < common.runs {
        let start = Instant::now();
        last = call()?;
        times.push(start.elapsed().as_secs_f64());
    }
    let timing = Timing {
        compile_s,
        first_call_s,
        times,
    };
    Ok((timing, last))
}

fn read_f64<D: ndarray::Dimension>(path: &Path) -> Result<ndarray::Array<f64, D>, Box<dyn Error>> {
    match read_npy(path)?.data {
        NpyData::F64(array) => Ok(array
            .into_dimensionality::<D>()?
            .as_standard_layout()
            .into_owned()),
        other => Err(format!(
            "{}: expected float64, got {}",
            path.display(),
            other.dtype()
        )
        .into()),
    }
}

fn save(path: &Path, array: ArrayD<f64>) -> Result<(), Box<dyn Error>> {
    write_npy(path, &NpyArray::from(array))?;
    Ok(())
}

/// Compiles `source` for a runtime backend, returning the module and the compile time.
/// The pairwise kernel in `backend`, and the time it took to prepare when the backend
/// compiles at run time.
fn pairwise_module(backend: Backend) -> Result<(Module, Option<f64>), Box<dyn Error>> {
    let start = Instant::now();
    let options = Options {
        backend,
        ..Options::default()
    };
    let module = pairwise_kernels::module(options)?;
    let compile_s = (backend != Backend::Native).then(|| start.elapsed().as_secs_f64());
    Ok((module, compile_s))
}

fn run_nbody(
    common: &Common,
    n: usize,
    config: RunConfig,
) -> Result<(Timing, ArrayD<f64>), Box<dyn Error>> {
    let data = &common.data;
    let bodies = Bodies {
        pos: read_f64::<Ix2>(&data.join(format!("nbody_N{n}_pos.npy")))?,
        vel: read_f64::<Ix2>(&data.join(format!("nbody_N{n}_vel.npy")))?,
        mass: read_f64::<Ix1>(&data.join(format!("nbody_N{n}_mass.npy")))?.to_vec(),
    };
    let (tier, structure) = match common.variant.as_str() {
        "interp-driver" => (nbody::Tier::Interpreter, nbody::Structure::Driver),
        "interp-whole" => (nbody::Tier::Interpreter, nbody::Structure::Whole),
        "jit-driver" => (nbody::Tier::Jit, nbody::Structure::Driver),
        "jit-whole" => (nbody::Tier::Jit, nbody::Structure::Whole),
        "native-driver" => (nbody::Tier::Native, nbody::Structure::Driver),
        "native-whole" => (nbody::Tier::Native, nbody::Structure::Whole),
        "rust-whole" => (nbody::Tier::Reference, nbody::Structure::Whole),
        other => return Err(format!("unknown N-body variant `{other}`").into()),
    };
    let start = Instant::now();
    let engine = nbody::Engine::new(tier)?;
    let compile_s = matches!(tier, nbody::Tier::Interpreter | nbody::Tier::Jit)
        .then(|| start.elapsed().as_secs_f64());
    let (timing, frames) = measure(common, compile_s, || {
        let frames = match structure {
            nbody::Structure::Driver => engine.rk2(&bodies, &config)?,
            nbody::Structure::Whole => engine.simulate(&bodies, &config)?,
        };
        Ok(frames)
    })?;
    Ok((timing, frames.into_dyn()))
}

fn run_pairwise(common: &Common, name: &str) -> Result<(Timing, ArrayD<f64>), Box<dyn Error>> {
    let x = read_f64::<Ix2>(&common.data.join(format!("{name}.npy")))?;
    let rows = x.nrows();
    let mut d = Array2::<f64>::zeros((rows, rows));
    let (tier, function) = match common.variant.strip_suffix("-reassociate") {
        Some(tier) => (tier, "pairwise_lanes"),
        None => (common.variant.as_str(), "pairwise"),
    };
    let backend: Backend = tier.parse().map_err(|e| format!("pairwise variant: {e}"))?;
    let (module, compile_s) = pairwise_module(backend)?;
    let pairwise = module.typed::<(ArrayView2<f64>, ArrayViewMut2<f64>), ()>(function)?;
    let (timing, ()) = measure(common, compile_s, || {
        pairwise.call((x.view(), d.view_mut()))?;
        Ok(())
    })?;
    Ok((timing, d.into_dyn()))
}

fn run_svd(common: &Common, k: usize) -> Result<(Timing, ArrayD<f64>), Box<dyn Error>> {
    let graph = svd::Csr::try_from(kernel_npy::read_sparse_npz(&common.data.join("graph.npz"))?)?;
    let tier: Backend = common.variant.parse()?;
    let start = Instant::now();
    let ops = Ops::new(tier)?;
    let compile_s = (tier != Backend::Native).then(|| start.elapsed().as_secs_f64());
    let params = SvdParams {
        k,
        n_oversamples: 10,
        n_iter: Some(5),
        normalizer: Normalizer::Auto,
        seed: 0,
    };
    let (timing, result) = measure(common, compile_s, || {
        Ok(svd::randomized_svd_observed(
            &ops,
            &graph,
            &params,
            &mut svd::Profile::default(),
        )?)
    })?;
    Ok((timing, result.s.into_dyn()))
}

fn main() -> Result<(), Box<dyn Error>> {
    let cli = Cli::parse();
    let (common, (timing, result)) = match &cli.case {
        Case::Nbody {
            common,
            n,
            frames,
            steps_per_frame,
        } => {
            let config = RunConfig {
                dt: 0.001,
                steps_per_frame: *steps_per_frame,
                frames: *frames,
            };
            (common, run_nbody(common, *n, config)?)
        }
        Case::Pairwise { common, name } => (common, run_pairwise(common, name)?),
        Case::Svd { common, k } => (common, run_svd(common, *k)?),
    };
    save(&common.out, result)?;
    println!("{}", timing.json(&common.variant));
    Ok(())
}
