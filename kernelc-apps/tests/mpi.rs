//! The MPI transport on real ranks: `mpi_comm_check` under `mpirun` on 1 to 4 ranks of this
//! machine, and the faults that must end every rank with a clear status instead of a hang (a
//! failing rank, a panicking rank, the watchdog). Each test passes, saying so, where
//! `mpirun` is not installed.

#![cfg(feature = "mpi")]

#[path = "common/mpirun.rs"]
mod mpirun;

use std::path::Path;
use std::time::Duration;

fn check_program() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_mpi_comm_check"))
}

/// The checks' own watchdog limit in the fault tests: a job that ends well before it was
/// ended by the fault's abort, not by the watchdog.
const FAULT_TIMEOUT: &str = "60";

#[test]
fn every_operation_agrees_on_one_to_four_ranks() {
    for np in 1..=4 {
        let Some(run) = mpirun::run(np, check_program(), &[]) else {
            return;
        };
        assert!(run.status.success(), "{}", run.describe());
        let summary = format!("mpi_comm_check: {np} ranks: every operation agrees");
        assert!(run.stdout.contains(&summary), "{}", run.describe());
    }
}

#[test]
fn messages_split_into_tiny_pieces_arrive_whole() {
    let args = ["--max-piece", "61"];
    let Some(run) = mpirun::run(3, check_program(), &args) else {
        return;
    };
    assert!(run.status.success(), "{}", run.describe());
}

#[test]
fn a_failing_rank_ends_every_rank_promptly_with_its_message() {
    let args = ["--fail-rank", "1", "--timeout", FAULT_TIMEOUT];
    let Some(run) = mpirun::run(3, check_program(), &args) else {
        return;
    };
    assert_eq!(run.code(), Some(1), "{}", run.describe());
    assert!(
        run.stderr
            .contains("mpi_comm_check: rank 1: failing on purpose (--fail-rank)"),
        "{}",
        run.describe()
    );
    assert!(run.elapsed < Duration::from_secs(30), "{}", run.describe());
}

#[test]
fn a_panicking_rank_ends_every_rank_with_the_panic_status() {
    let args = ["--panic-rank", "2", "--timeout", FAULT_TIMEOUT];
    let Some(run) = mpirun::run(3, check_program(), &args) else {
        return;
    };
    assert_eq!(run.code(), Some(101), "{}", run.describe());
    assert!(
        run.stderr.contains("kernelc: rank 2: panicked at"),
        "{}",
        run.describe()
    );
    assert!(
        run.stderr.contains("panicking on purpose (--panic-rank)"),
        "{}",
        run.describe()
    );
    assert!(run.elapsed < Duration::from_secs(30), "{}", run.describe());
}

#[test]
fn the_watchdog_ends_a_hung_job_with_the_timeout_status() {
    let args = ["--hang", "--timeout", "2"];
    let Some(run) = mpirun::run(2, check_program(), &args) else {
        return;
    };
    assert_eq!(run.code(), Some(3), "{}", run.describe());
    assert!(
        run.stderr
            .contains("timed out after 2 s; aborting every rank"),
        "{}",
        run.describe()
    );
}

#[test]
fn a_rank_outside_the_job_is_a_usage_error() {
    let Some(run) = mpirun::run(2, check_program(), &["--fail-rank", "5"]) else {
        return;
    };
    assert_eq!(run.code(), Some(2), "{}", run.describe());
    assert!(
        run.stderr
            .contains("`--fail-rank 5` names no rank of this job of 2"),
        "{}",
        run.describe()
    );
}

#[test]
fn the_helper_kills_a_job_that_outlives_its_limit() {
    let limit = Duration::from_secs(3);
    let args = ["--hang", "--timeout", "600"];
    let start = std::time::Instant::now();
    let outcome =
        std::panic::catch_unwind(|| mpirun::run_with_timeout(2, check_program(), &args, limit));
    let message = match outcome {
        Ok(None) => return,
        Ok(Some(run)) => panic!("the hung job finished:\n{}", run.describe()),
        Err(payload) => payload
            .downcast::<String>()
            .map(|message| *message)
            .unwrap_or_default(),
    };
    assert!(
        message.contains("did not finish within 3 s; its process group was killed"),
        "{message}"
    );
    // The limit, the grace mpirun gets after SIGTERM, and slack for a loaded machine.
    assert!(start.elapsed() < Duration::from_secs(20), "{message}");
}
