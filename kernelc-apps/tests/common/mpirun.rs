//! Runs a program under `mpirun` on this machine alone, for the MPI tests of this crate and of
//! the `kernelc` crate (which includes this file with
//! `#[path = "../kernelc-apps/tests/common/mpirun.rs"] mod mpirun;`).
//!
//! Every job runs over loopback and shared memory only (`--mca btl self,vader --mca
//! oob_tcp_if_include lo`), oversubscribed (more ranks than cores is the point of the tests),
//! allowed to run as root (CI does), and under a hard wall-clock limit: a job that outlives it
//! has its whole process group killed and the test fails, so a hang never stalls the suite.
//! Without `mpirun` on `PATH`, [`run`] prints `skipping: mpirun not found` and returns `None`,
//! and the test passes.

#![allow(dead_code)] // each test file uses the part it needs

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a job may run before it is killed and its test fails.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// How long `mpirun` gets to stop its ranks after SIGTERM before the group is killed outright.
const TERMINATE_GRACE: Duration = Duration::from_secs(5);

/// A finished job.
#[derive(Debug)]
pub struct MpiRun {
    /// The command line, for failure messages.
    pub command: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl MpiRun {
    /// `mpirun`'s exit code (`None` if a signal ended it).
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Everything about the run, for an assertion's message.
    pub fn describe(&self) -> String {
        format!(
            "{}\n{} after {:.1} s\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command,
            self.status,
            self.elapsed.as_secs_f64(),
            self.stdout,
            self.stderr
        )
    }
}

/// `mpirun` on `PATH`, if there is one.
pub fn find_mpirun() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("mpirun"))
        .find(|candidate| candidate.is_file())
}

/// The command that runs `program args` on `np` ranks of this machine.
pub fn mpirun_command(mpirun: &Path, np: usize, program: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(mpirun);
    command
        .args(["--oversubscribe", "--mca", "btl", "self,vader"])
        .args(["--mca", "oob_tcp_if_include", "lo"])
        .args(["-np", &np.to_string()])
        .arg(program)
        .args(args)
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
    command
}

/// Runs `program args` on `np` ranks within [`DEFAULT_TIMEOUT`]; `None` without `mpirun`.
pub fn run(np: usize, program: &Path, args: &[&str]) -> Option<MpiRun> {
    run_with_timeout(np, program, args, DEFAULT_TIMEOUT)
}

/// Runs `program args` on `np` ranks; panics (failing the test) if the job is still running
/// after `timeout`, once its process group is killed. `None` without `mpirun`.
pub fn run_with_timeout(
    np: usize,
    program: &Path,
    args: &[&str],
    timeout: Duration,
) -> Option<MpiRun> {
    let Some(mpirun) = find_mpirun() else {
        println!("skipping: mpirun not found");
        return None;
    };
    let mut command = mpirun_command(&mpirun, np, program, args);
    let description = format!("{command:?}");
    // Output goes to files, not pipes: nothing has to drain them while we wait, and a rank
    // left holding one cannot block the test after the job is killed.
    let (stdout_path, stderr_path) = output_paths();
    let start = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(create(&stdout_path))
        .stderr(create(&stderr_path))
        // Its own process group, so a timeout can end mpirun and every rank it started.
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {description}: {e}"));
    let status = wait_until(&mut child, start + timeout);
    let elapsed = start.elapsed();
    let stdout = read_and_remove(&stdout_path);
    let stderr = read_and_remove(&stderr_path);
    let Some(status) = status else {
        panic!(
            "{description}\ndid not finish within {} s; its process group was killed\n\
             --- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
            timeout.as_secs_f64()
        );
    };
    Some(MpiRun {
        command: description,
        status,
        stdout,
        stderr,
        elapsed,
    })
}

/// The child's status, or `None` after killing its process group at `deadline`.
fn wait_until(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    loop {
        if let Some(status) = child.try_wait().expect("waiting for mpirun") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            kill_group(child);
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// SIGTERM to the group (mpirun then stops its ranks), SIGKILL to whatever is left.
fn kill_group(child: &mut Child) {
    let group = libc::pid_t::try_from(child.id()).expect("a process id fits pid_t");
    signal_group(group, libc::SIGTERM);
    let deadline = Instant::now() + TERMINATE_GRACE;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    signal_group(group, libc::SIGKILL);
    let _ = child.wait();
}

fn signal_group(group: libc::pid_t, signal: libc::c_int) {
    // SAFETY: kill(2) takes plain integers and touches no memory of ours; a negative pid
    // names the process group we created for the child, so only the job is signalled.
    unsafe {
        libc::kill(-group, signal);
    }
}

/// Two fresh paths in the test target's scratch directory.
fn output_paths() -> (PathBuf, PathBuf) {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let index = NEXT.fetch_add(1, Ordering::Relaxed);
    let stem = format!("mpirun-{}-{index}", std::process::id());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    (
        dir.join(format!("{stem}.stdout")),
        dir.join(format!("{stem}.stderr")),
    )
}

fn create(path: &Path) -> File {
    File::create(path).unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()))
}

fn read_and_remove(path: &Path) -> String {
    let bytes =
        std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let _ = std::fs::remove_file(path);
    String::from_utf8_lossy(&bytes).into_owned()
}
