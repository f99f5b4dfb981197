//! `mpi_comm_check` (feature `mpi`): runs every [`Comm`] operation over MPI on each rank and
//! checks what arrived, for `tests/mpi.rs` and for checking an MPI installation by hand:
//!
//! ```text
//! mpirun -np 4 mpi_comm_check                  # exit 0 when every rank agrees
//! mpirun -np 4 mpi_comm_check --fail-rank 1    # rank 1 fails: every rank ends, status 1
//! mpirun -np 4 mpi_comm_check --panic-rank 2   # rank 2 panics: every rank ends, status 101
//! mpirun -np 2 mpi_comm_check --hang --timeout 2   # the watchdog ends the job, status 3
//! ```
//!
//! Messages are sent in pieces of `--max-piece` bytes (4096 unless given), so the ring's
//! megabyte message crosses many pieces and is large enough that MPI waits for its receiver:
//! a transport whose `shift` waited for its send to finish would deadlock there.

use std::num::NonZeroUsize;
use std::process::ExitCode;
use std::time::Duration;

use kernelc_apps::distributed::{Comm, CommError, MpiComm};

const USAGE: &str = "usage: mpi_comm_check [--max-piece BYTES] [--timeout SECONDS] \
                     [--fail-rank RANK] [--panic-rank RANK] [--hang]";

/// The ring message's length on rank 0 (each rank adds a little, so lengths differ): over a
/// megabyte, far past the eager limit of MPI's shared-memory transport.
const RING_LEN: usize = (1 << 20) + 3;

/// Small enough that every message of the checks but the smallest crosses several pieces.
const DEFAULT_MAX_PIECE: NonZeroUsize = NonZeroUsize::new(4096).unwrap();

/// What the command line asks for.
#[derive(Debug)]
struct Options {
    max_piece: NonZeroUsize,
    timeout: Duration,
    fail_rank: Option<usize>,
    panic_rank: Option<usize>,
    hang: bool,
}

/// A command line this program cannot run.
#[derive(Debug, thiserror::Error)]
enum UsageError {
    #[error("unknown argument `{0}`")]
    Unknown(String),
    #[error("`{0}` needs a value")]
    MissingValue(&'static str),
    #[error("`{flag}` needs {what}, not `{value}`")]
    BadValue {
        flag: &'static str,
        what: &'static str,
        value: String,
    },
    #[error("`{flag} {rank}` names no rank of this job of {size}")]
    NoSuchRank {
        flag: &'static str,
        rank: usize,
        size: usize,
    },
}

/// Why a rank's checks failed.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("{operation}: {source}")]
    Comm {
        operation: &'static str,
        source: CommError,
    },
    #[error("{operation}: {detail}")]
    Mismatch {
        operation: &'static str,
        detail: String,
    },
    #[error("failing on purpose (--fail-rank)")]
    Deliberate,
}

fn main() -> ExitCode {
    let comm = match MpiComm::init() {
        Ok(comm) => comm,
        Err(error) => {
            eprintln!("mpi_comm_check: {error}");
            return ExitCode::from(1);
        }
    };
    comm.abort_on_panic();
    let options = match parse_options(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(error) => usage_failure(&comm, error),
    };
    if let Err(error) = check_ranks(&comm, &options) {
        usage_failure(&comm, error)
    }
    let comm = comm.with_max_piece(options.max_piece);
    let watchdog = match comm.watchdog(options.timeout) {
        Ok(watchdog) => watchdog,
        Err(error) => fail(&comm, error),
    };
    if let Err(failure) = run(&comm, &options) {
        fail(&comm, failure)
    }
    drop(watchdog);
    if comm.rank() == 0 {
        println!(
            "mpi_comm_check: {} ranks: every operation agrees",
            comm.size()
        );
    }
    ExitCode::SUCCESS
}

/// Every rank reads the same command line and finds the same fault, so rank 0 alone reports
/// it; the others abort only after a gather that rank 0 joins once it has printed, so the
/// message is never cut off by an abort from elsewhere.
fn usage_failure(comm: &MpiComm, error: UsageError) -> ! {
    if comm.rank() == 0 {
        eprintln!("mpi_comm_check: {error}\n{USAGE}");
    }
    // A failed gather leaves nothing better to do than the abort that follows anyway.
    let _ = comm.all_gather(&[]);
    comm.abort(2)
}

/// Reports `error` with this rank's number and ends every rank with status 1.
fn fail(comm: &MpiComm, error: impl std::fmt::Display) -> ! {
    eprintln!("mpi_comm_check: rank {}: {error}", comm.rank());
    comm.abort(1)
}

fn parse_options(mut args: impl Iterator<Item = String>) -> Result<Options, UsageError> {
    let mut options = Options {
        max_piece: DEFAULT_MAX_PIECE,
        timeout: Duration::from_secs(60),
        fail_rank: None,
        panic_rank: None,
        hang: false,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--max-piece" => {
                options.max_piece = parse_value(&mut args, "--max-piece", "a byte count above 0")?
            }
            "--timeout" => {
                let seconds: f64 = parse_value(&mut args, "--timeout", "a number of seconds")?;
                options.timeout =
                    Duration::try_from_secs_f64(seconds).map_err(|_| UsageError::BadValue {
                        flag: "--timeout",
                        what: "a number of seconds",
                        value: seconds.to_string(),
                    })?;
            }
            "--fail-rank" => {
                options.fail_rank = Some(parse_value(&mut args, "--fail-rank", "a rank")?)
            }
            "--panic-rank" => {
                options.panic_rank = Some(parse_value(&mut args, "--panic-rank", "a rank")?)
            }
            "--hang" => options.hang = true,
            _ => return Err(UsageError::Unknown(arg)),
        }
    }
    Ok(options)
}

fn parse_value<T: std::str::FromStr>(
    args: &mut impl Iterator<Item = String>,
    flag: &'static str,
    what: &'static str,
) -> Result<T, UsageError> {
    let value = args.next().ok_or(UsageError::MissingValue(flag))?;
    value
        .parse()
        .map_err(|_| UsageError::BadValue { flag, what, value })
}

/// The ranks the options name exist in this job.
fn check_ranks(comm: &MpiComm, options: &Options) -> Result<(), UsageError> {
    let named = [
        ("--fail-rank", options.fail_rank),
        ("--panic-rank", options.panic_rank),
    ];
    for (flag, rank) in named {
        if let Some(rank) = rank.filter(|&rank| rank >= comm.size()) {
            return Err(UsageError::NoSuchRank {
                flag,
                rank,
                size: comm.size(),
            });
        }
    }
    Ok(())
}

/// Every check in turn; the injected faults come just before the ring, where every other
/// rank is left waiting for the faulty one.
fn run(comm: &MpiComm, options: &Options) -> Result<(), Failure> {
    if options.hang {
        hang(comm)?;
    }
    check_send_recv(comm)?;
    if options.fail_rank == Some(comm.rank()) {
        return Err(Failure::Deliberate);
    }
    if options.panic_rank == Some(comm.rank()) {
        panic!("panicking on purpose (--panic-rank)");
    }
    check_ring_shift(comm)?;
    check_broadcast(comm)?;
    check_all_to_all(comm)?;
    check_all_gather(comm)
}

/// Waits for a message the previous rank never sends (a deadlock, for the watchdog to end).
fn hang(comm: &MpiComm) -> Result<(), Failure> {
    let from = (comm.rank() + comm.size() - 1) % comm.size();
    let bytes = comm.recv(from).map_err(comm_failure("hang"))?;
    Err(Failure::Mismatch {
        operation: "hang",
        detail: format!("rank {from} sent {} bytes nobody sends", bytes.len()),
    })
}

/// Rank 0 sends each other rank a message, each answers with one of another length; the
/// lengths cover empty, shorter than a piece, exactly a piece and several pieces.
fn check_send_recv(comm: &MpiComm) -> Result<(), Failure> {
    const OPERATION: &str = "send/recv";
    let piece = comm.max_piece();
    let len = |index: usize| [0, 1, piece - 1, piece, piece + 1, 3 * piece + 5][index % 6];
    let rank = comm.rank();
    if rank == 0 {
        for to in 1..comm.size() {
            comm.send(to, &pattern(to, len(to)))
                .map_err(comm_failure(OPERATION))?;
        }
        for from in 1..comm.size() {
            let reply = comm.recv(from).map_err(comm_failure(OPERATION))?;
            compare(OPERATION, &reply, &pattern(1000 + from, len(from + 1)))?;
        }
    } else {
        let message = comm.recv(0).map_err(comm_failure(OPERATION))?;
        compare(OPERATION, &message, &pattern(rank, len(rank)))?;
        comm.send(0, &pattern(1000 + rank, len(rank + 1)))
            .map_err(comm_failure(OPERATION))?;
    }
    Ok(())
}

/// Every rank shifts a megabyte to the next rank at once (to itself on one rank).
fn check_ring_shift(comm: &MpiComm) -> Result<(), Failure> {
    let (rank, size) = (comm.rank(), comm.size());
    let ring_message = |rank: usize| pattern(2000 + rank, RING_LEN + 13 * rank);
    let from = (rank + size - 1) % size;
    let received = comm
        .shift((rank + 1) % size, &ring_message(rank), from)
        .map_err(comm_failure("shift"))?;
    compare("shift", &received, &ring_message(from))
}

/// The last rank broadcasts; the others pass nothing, which the broadcast ignores.
fn check_broadcast(comm: &MpiComm) -> Result<(), Failure> {
    let root = comm.size() - 1;
    let expected = pattern(3000, 10_001);
    let mine = if comm.rank() == root {
        expected.clone()
    } else {
        Vec::new()
    };
    let received = comm
        .broadcast(root, &mine)
        .map_err(comm_failure("broadcast"))?;
    compare("broadcast", &received, &expected)
}

/// Each pair of ranks exchanges messages of its own length, some of them empty.
fn check_all_to_all(comm: &MpiComm) -> Result<(), Failure> {
    let (rank, size) = (comm.rank(), comm.size());
    let message = |from: usize, to: usize| {
        let len = (from * 7 + to * 3) * 1000 % 9001;
        pattern(4000 + from * size + to, len)
    };
    let outgoing = (0..size).map(|to| message(rank, to)).collect();
    let incoming = comm
        .all_to_all(outgoing)
        .map_err(comm_failure("all_to_all"))?;
    for (from, received) in incoming.iter().enumerate() {
        compare("all_to_all", received, &message(from, rank))?;
    }
    Ok(())
}

/// Every rank contributes a message as long as 2500 times its rank.
fn check_all_gather(comm: &MpiComm) -> Result<(), Failure> {
    let contribution = |rank: usize| pattern(5000 + rank, 2500 * rank);
    let gathered = comm
        .all_gather(&contribution(comm.rank()))
        .map_err(comm_failure("all_gather"))?;
    if gathered.len() != comm.size() {
        return Err(Failure::Mismatch {
            operation: "all_gather",
            detail: format!("{} messages for {} ranks", gathered.len(), comm.size()),
        });
    }
    for (from, received) in gathered.iter().enumerate() {
        compare("all_gather", received, &contribution(from))?;
    }
    Ok(())
}

/// `len` bytes that differ with `seed` and along the message, so a piece out of place shows.
fn pattern(seed: usize, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| ((i * 31 + seed * 101 + 7) % 251) as u8)
        .collect()
}

fn compare(operation: &'static str, received: &[u8], expected: &[u8]) -> Result<(), Failure> {
    if received == expected {
        return Ok(());
    }
    let first_difference = received
        .iter()
        .zip(expected)
        .position(|(r, e)| r != e)
        .unwrap_or(received.len().min(expected.len()));
    Err(Failure::Mismatch {
        operation,
        detail: format!(
            "received {} bytes where {} were expected, first difference at byte {first_difference}",
            received.len(),
            expected.len()
        ),
    })
}

fn comm_failure(operation: &'static str) -> impl Fn(CommError) -> Failure {
    move |source| Failure::Comm { operation, source }
}
