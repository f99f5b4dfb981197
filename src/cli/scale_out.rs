//! `kernelc svd|prone` on several ranks (issue 19, docs/SCALE-OUT.md): under `mpirun` or
//! `srun` (feature `mpi`), or as threads of one process (`--ranks N`, the same algorithm
//! and the same bits without MPI).
//!
//! Faults: input is read and checked on every rank, and the ranks agree on the outcome
//! before any of them starts the computation, so bad input makes every rank exit with the
//! failing rank's message and status 2. A failure after that point (a kernel error, a lost
//! peer) is not agreed: under MPI the failing rank prints its error and aborts the job;
//! as threads, its peers stop at their next message. `--timeout` stops every rank with
//! status 3.

use std::path::Path;
use std::time::Duration;

use clap::Args;

use super::error::CliError;
use super::progress::ReportArgs;
use kernelc_apps::distributed::{Comm, DistError, Group, ThreadComm, Traffic};

/// The scale-out options of `kernelc svd` and `kernelc prone`.
#[derive(Debug, Args)]
pub struct ScaleOutArgs {
    /// Run the distributed algorithm on N ranks as threads of this process (what
    /// `mpirun -np N` runs, with the same results, on one machine and without MPI).
    #[arg(long, value_name = "N")]
    pub ranks: Option<usize>,
    /// Stop (every rank) with exit status 3 when the command has run this long.
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Print each rank's communication volume on stderr (distributed runs).
    #[arg(long)]
    pub traffic: bool,
}

/// Where a command runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ranks {
    /// One process, the single-process algorithm.
    One,
    /// `n` ranks as threads.
    Threads(usize),
    /// The ranks of the MPI job that started this process.
    Mpi,
}

impl Ranks {
    /// `--ranks`, or the MPI launcher's job, or one process.
    fn choose(args: &ScaleOutArgs) -> Result<Ranks, CliError> {
        match (args.ranks, launcher_size()) {
            (Some(_), Some(_)) => Err(CliError::Usage(
                "--ranks runs ranks as threads; under mpirun or srun, choose the ranks with -np / -n"
                    .into(),
            )),
            (Some(0), None) => Err(CliError::Usage("--ranks must be at least 1".into())),
            (Some(n), None) => Ok(Ranks::Threads(n)),
            (None, Some(_)) if cfg!(feature = "mpi") => Ok(Ranks::Mpi),
            (None, Some(1)) => Ok(Ranks::One),
            (None, Some(size)) => Err(CliError::NoMpi { size }),
            (None, None) => Ok(Ranks::One),
        }
    }
}

/// The size of the job an MPI launcher started this process in (Open MPI's `mpirun`,
/// MPICH/Hydra, Slurm's `srun`), if any.
fn launcher_size() -> Option<usize> {
    [
        "OMPI_COMM_WORLD_SIZE",
        "PMI_SIZE",
        "PMIX_SIZE",
        "MPI_LOCALNRANKS",
        "SLURM_STEP_NUM_TASKS",
    ]
    .iter()
    .find_map(|name| std::env::var(name).ok()?.trim().parse().ok())
}

/// A rank's failure, and whether every rank already knows of it.
#[derive(Debug)]
pub struct RankFailure {
    /// Boxed: a `CliError` is large, and every step of a rank returns this.
    pub error: Box<CliError>,
    /// The ranks agreed on this failure (every rank returns an error at the same point).
    pub agreed: bool,
}

impl RankFailure {
    pub fn agreed(error: CliError) -> RankFailure {
        RankFailure {
            error: Box::new(error),
            agreed: true,
        }
    }
}

impl From<CliError> for RankFailure {
    fn from(error: CliError) -> RankFailure {
        RankFailure {
            error: Box::new(error),
            agreed: false,
        }
    }
}

/// Runs a command where its options say: `single` in this process alone, or — once
/// `check_distributed` accepts the options — `body` on every rank, reporting the first
/// failing rank's own error (not a peer's echo of it).
pub fn run_command<F>(
    args: &ScaleOutArgs,
    single: impl FnOnce() -> Result<(), CliError>,
    check_distributed: impl FnOnce() -> Result<(), CliError>,
    body: F,
) -> Result<(), CliError>
where
    F: Fn(&dyn Comm) -> Result<(), RankFailure> + Sync,
{
    match Ranks::choose(args)? {
        Ranks::One => {
            exit_after(args.timeout)?;
            single()
        }
        Ranks::Threads(n) => {
            check_distributed()?;
            exit_after(args.timeout)?;
            // The rank threads share one `prange` pool of this machine's cores.
            let results = ThreadComm::run(n, |comm| body(&comm).map_err(|f| *f.error));
            first_cause(results, n)
        }
        Ranks::Mpi => {
            check_distributed()?;
            run_on_mpi(args, body)
        }
    }
}

/// The error to report from the ranks' results: the lowest rank's error that is its own,
/// else the lowest rank's.
fn first_cause(results: Vec<Result<(), CliError>>, size: usize) -> Result<(), CliError> {
    let failures: Vec<(usize, CliError)> = results
        .into_iter()
        .enumerate()
        .filter_map(|(rank, r)| r.err().map(|e| (rank, e)))
        .collect();
    let index = failures.iter().position(|(_, e)| !e.is_echo()).unwrap_or(0);
    match failures.into_iter().nth(index) {
        None => Ok(()),
        Some((rank, error)) => Err(CliError::OnRank {
            rank,
            size,
            source: Box::new(error),
        }),
    }
}

/// The ranks on one machine share its cores: each rank's `prange` loops get their share,
/// unless `KERNELC_THREADS` says otherwise.
#[cfg(feature = "mpi")]
fn share_cores(ranks: usize) -> Result<(), CliError> {
    if std::env::var_os("KERNELC_THREADS").is_some() {
        return Ok(());
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    kernel_runtime::set_threads((cores / ranks.max(1)).max(1))
        .map_err(|e| CliError::Usage(e.to_string()))
}

/// Starts a timer that ends the process with status 3 after `seconds`.
pub fn exit_after(seconds: Option<f64>) -> Result<(), CliError> {
    let Some(limit) = timeout(seconds)? else {
        return Ok(());
    };
    std::thread::Builder::new()
        .name("kernelc-timeout".into())
        .spawn(move || {
            std::thread::sleep(limit);
            eprintln!("error: timed out after {} s; stopping", limit.as_secs_f64());
            std::process::exit(i32::from(super::error::status::KERNEL_ERROR));
        })
        .map(drop)
        .map_err(|e| CliError::Usage(format!("cannot start the --timeout timer: {e}")))
}

fn timeout(seconds: Option<f64>) -> Result<Option<Duration>, CliError> {
    match seconds {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 && s < 1e9 => Ok(Some(Duration::from_secs_f64(s))),
        Some(s) => Err(CliError::Usage(format!(
            "--timeout must be a positive number of seconds, not {s}"
        ))),
    }
}

#[cfg(feature = "mpi")]
fn run_on_mpi<F>(args: &ScaleOutArgs, body: F) -> Result<(), CliError>
where
    F: Fn(&dyn Comm) -> Result<(), RankFailure> + Sync,
{
    use kernelc_apps::distributed::MpiComm;
    let comm = MpiComm::init().map_err(CliError::Mpi)?;
    comm.abort_on_panic();
    let limit = timeout(args.timeout)?;
    let _watchdog = limit
        .map(|limit| comm.watchdog(limit))
        .transpose()
        .map_err(CliError::Mpi)?;
    share_cores(local_ranks())?;
    let rank = comm.rank();
    let size = comm.size();
    match body(&comm) {
        Ok(()) => Ok(()),
        Err(failure) if failure.agreed => Err(CliError::OnRank {
            rank,
            size,
            source: failure.error,
        }),
        Err(failure) => {
            let error = CliError::OnRank {
                rank,
                size,
                source: failure.error,
            };
            eprint!("{}", error.report());
            eprintln!("error: rank {rank} of {size}: aborting every rank");
            comm.abort(i32::from(error.exit_status()))
        }
    }
}

/// The ranks of this job on this machine (they share its cores).
#[cfg(feature = "mpi")]
fn local_ranks() -> usize {
    [
        "OMPI_COMM_WORLD_LOCAL_SIZE",
        "MPI_LOCALNRANKS",
        "SLURM_NTASKS_PER_NODE",
    ]
    .iter()
    .find_map(|name| std::env::var(name).ok()?.trim().parse().ok())
    .unwrap_or(1)
}

#[cfg(not(feature = "mpi"))]
fn run_on_mpi<F>(_: &ScaleOutArgs, _: F) -> Result<(), CliError>
where
    F: Fn(&dyn Comm) -> Result<(), RankFailure> + Sync,
{
    Err(CliError::NoMpi {
        size: launcher_size().unwrap_or(0),
    })
}

/// Only rank 0 draws the bar and prints the steps.
pub fn rank_report(args: &ReportArgs, rank: usize) -> ReportArgs {
    ReportArgs {
        verbose: args.verbose && rank == 0,
        quiet: args.quiet || rank != 0,
    }
}

/// The agreement after reading: every rank's input is fine, or every rank stops, each
/// with its own error or else the lowest failing rank's.
pub fn agree<T>(group: &Group, path: &Path, input: Result<T, CliError>) -> Result<T, RankFailure> {
    let status = group.agree_on(input.as_ref().err().map(ToString::to_string));
    match (input, status) {
        (Err(own), _) => Err(RankFailure::agreed(own)),
        (Ok(value), Ok(())) => Ok(value),
        (Ok(_), Err(DistError::Remote { rank, message })) => {
            Err(RankFailure::agreed(CliError::OtherRank { rank, message }))
        }
        (Ok(_), Err(error)) => Err(RankFailure::from(dist_error(path, error))),
    }
}

/// A distributed step's error as the command reports it.
pub fn dist_error(path: &std::path::Path, error: DistError) -> CliError {
    match error {
        DistError::Local(error) => super::svd::svd_error(path, error),
        DistError::Remote { rank, message } => CliError::OtherRank { rank, message },
        DistError::Comm(error) => CliError::Mpi(error),
    }
}

/// With `--traffic`: every rank's bytes sent, on rank 0's stderr. Collective.
pub fn report_traffic(group: &Group, enabled: bool) -> Result<(), CliError> {
    if !enabled {
        return Ok(());
    }
    let t = group.traffic();
    let mine = [
        t.setup,
        t.halo,
        t.reductions,
        t.control,
        t.output,
        t.products,
        t.reduction_count,
    ]
    .map(|v| v as usize);
    let all = group
        .all_gather(&kernelc_apps::distributed::usizes_to_bytes(&mine))
        .map_err(CliError::Mpi)?;
    if group.rank() != 0 {
        return Ok(());
    }
    eprintln!("{}", traffic_header());
    for (rank, bytes) in all.iter().enumerate() {
        let v = kernelc_apps::distributed::bytes_to_usizes(bytes).map_err(CliError::Mpi)?;
        let t = Traffic {
            setup: v[0] as u64,
            halo: v[1] as u64,
            reductions: v[2] as u64,
            control: v[3] as u64,
            output: v[4] as u64,
            products: v[5] as u64,
            reduction_count: v[6] as u64,
        };
        eprintln!("{}", traffic_line(rank, &t));
    }
    Ok(())
}

fn traffic_header() -> String {
    format!(
        "{:>5} {:>10} {:>10} {:>9} {:>14} {:>13} {:>14} {:>10}",
        "rank",
        "setup MB",
        "halo MB",
        "products",
        "halo/product",
        "reductions",
        "kB/reduction",
        "output MB"
    )
}

fn traffic_line(rank: usize, t: &Traffic) -> String {
    let mb = |b: u64| b as f64 / 1e6;
    let per = |b: u64, n: u64| if n == 0 { 0.0 } else { b as f64 / n as f64 };
    format!(
        "{rank:>5} {:>10.3} {:>10.3} {:>9} {:>11.1} kB {:>13} {:>14.2} {:>10.3}",
        mb(t.setup),
        mb(t.halo),
        t.products,
        per(t.halo, t.products) / 1e3,
        t.reduction_count,
        per(t.reductions, t.reduction_count) / 1e3,
        mb(t.output)
    )
}
