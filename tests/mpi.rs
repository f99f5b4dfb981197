//! The `kernelc` command under `mpirun` (feature `mpi`), through the MPI test helper this
//! crate shares with `kernelc-apps`. Passes, saying so, where `mpirun` is not installed.

#![cfg(feature = "mpi")]

#[path = "../kernelc-apps/tests/common/mpirun.rs"]
mod mpirun;

use std::path::Path;

#[test]
fn kernelc_built_with_mpi_starts_on_every_rank() {
    let program = Path::new(env!("CARGO_BIN_EXE_kernelc"));
    let Some(run) = mpirun::run(2, program, &["--help"]) else {
        return;
    };
    assert!(run.status.success(), "{}", run.describe());
    assert_eq!(
        run.stdout.matches("Usage:").count(),
        2,
        "{}",
        run.describe()
    );
}
