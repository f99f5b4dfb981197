//! Ctrl-C during a kernel call.
//!
//! A kernel runs with the GIL released, so Python's own SIGINT handling (a flag checked
//! between bytecodes) cannot reach it. Calls on Python's main thread (the only one that
//! receives `KeyboardInterrupt`) therefore watch one more [`InterruptHandle`], which a SIGINT
//! interrupts: a handler chained in front of Python's writes a byte to a pipe (all a signal
//! handler may safely do) and then runs Python's handler as before; a watcher thread reading
//! the pipe interrupts the handle. The kernel stops at its next loop back-edge and the call
//! raises the `KeyboardInterrupt` Python's handler queued.
//!
//! The chain is checked by main-thread calls and put back if Python code replaced the
//! handler (`signal.signal`); a SIGINT that is ignored or left to the default action is the
//! user's choice, and then nothing is chained. The check is a system call, a good part of a
//! short call's cost, so it runs at most every [`RECHECK`]: a kernel started within that
//! time of a `signal.signal(SIGINT, …)` may run to its end before the handler sees Ctrl-C.

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use kernel_runtime::InterruptHandle;

/// The handle main-thread calls watch; a SIGINT interrupts it.
static HANDLE: OnceLock<Option<InterruptHandle>> = OnceLock::new();
/// The pipe's write end, for the signal handler (-1 until set up).
static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);
/// The handler found before ours, called after ours, and whether it takes `siginfo`.
static PREVIOUS: AtomicUsize = AtomicUsize::new(libc::SIG_DFL);
static PREVIOUS_SIGINFO: AtomicBool = AtomicBool::new(false);
/// `threading.main_thread().ident`: the `pthread_t` of Python's main thread.
static MAIN_THREAD: AtomicU64 = AtomicU64::new(0);
/// When the chain was last found in place (only the main thread reads and writes it).
static CHAINED_AT: Mutex<Option<Instant>> = Mutex::new(None);
/// How long a verified chain is trusted.
const RECHECK: Duration = Duration::from_millis(100);

/// Remembers which thread is Python's main thread (called when the module is imported).
pub fn set_main_thread(ident: u64) {
    MAIN_THREAD.store(ident, Ordering::Relaxed);
}

/// The handle the current call should watch for Ctrl-C, reset for this call: `None` off
/// Python's main thread, or when SIGINT is ignored or left to its default action.
pub fn arm() -> Option<&'static InterruptHandle> {
    // SAFETY: `pthread_self` has no preconditions.
    let this_thread = unsafe { libc::pthread_self() } as u64;
    if this_thread != MAIN_THREAD.load(Ordering::Relaxed) {
        return None;
    }
    let handle = HANDLE.get_or_init(start_watcher).as_ref()?;
    if !chained() {
        return None;
    }
    handle.reset();
    Some(handle)
}

/// Whether our handler is in front of SIGINT's, checked at most every [`RECHECK`].
fn chained() -> bool {
    let mut chained_at = CHAINED_AT.lock().unwrap_or_else(|p| p.into_inner());
    let now = Instant::now();
    if chained_at.is_some_and(|at| now.duration_since(at) < RECHECK) {
        return true;
    }
    let chained = chain_handler();
    *chained_at = chained.then_some(now);
    chained
}

/// The pipe and the thread that turns its bytes into interrupts.
fn start_watcher() -> Option<InterruptHandle> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return None;
    }
    let [read_end, write_end] = fds;
    // The handler must never block: a full pipe already means "interrupt".
    // SAFETY: `write_end` is the descriptor just created.
    unsafe { libc::fcntl(write_end, libc::F_SETFL, libc::O_NONBLOCK) };
    let handle = InterruptHandle::new();
    let watched = handle.clone();
    let spawned = std::thread::Builder::new()
        .name("kernelc-sigint".into())
        .spawn(move || watch_pipe(read_end, &watched));
    if spawned.is_err() {
        // SAFETY: both descriptors are ours and unused.
        unsafe {
            libc::close(read_end);
            libc::close(write_end);
        }
        return None;
    }
    PIPE_WRITE.store(write_end, Ordering::Release);
    Some(handle)
}

fn watch_pipe(read_end: i32, handle: &InterruptHandle) {
    let mut buffer = [0u8; 64];
    loop {
        // SAFETY: `buffer` is valid for its length; `read_end` stays open for the process.
        let n = unsafe { libc::read(read_end, buffer.as_mut_ptr().cast(), buffer.len()) };
        if n > 0 {
            handle.interrupt();
        } else if n == 0
            || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted
        {
            return;
        }
    }
}

/// Makes sure our handler runs first on SIGINT; `false` when SIGINT is ignored or has its
/// default action.
fn chain_handler() -> bool {
    // SAFETY: an all-zero `sigaction` is a valid value of the plain C struct.
    let mut current: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: with a null new action, `sigaction` only reads the current one into `current`.
    if unsafe { libc::sigaction(libc::SIGINT, std::ptr::null(), &mut current) } != 0 {
        return false;
    }
    let ours = on_sigint as *const () as usize;
    if current.sa_sigaction == ours {
        return true;
    }
    if current.sa_sigaction == libc::SIG_IGN || current.sa_sigaction == libc::SIG_DFL {
        return false;
    }
    PREVIOUS_SIGINFO.store(current.sa_flags & libc::SA_SIGINFO != 0, Ordering::Relaxed);
    PREVIOUS.store(current.sa_sigaction, Ordering::Release);
    let mut action = current;
    action.sa_sigaction = ours;
    action.sa_flags = current.sa_flags | libc::SA_SIGINFO;
    // SAFETY: `action` is a complete, valid action (Python's mask and flags, our handler).
    unsafe { libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut()) == 0 }
}

/// The SIGINT handler: only async-signal-safe calls (`write`), then the previous handler.
extern "C" fn on_sigint(
    signal: libc::c_int,
    info: *mut libc::siginfo_t,
    context: *mut libc::c_void,
) {
    // SAFETY: `__errno_location` is the thread's errno; it is restored before returning so
    // the interrupted code sees its own.
    let saved_errno = unsafe { *libc::__errno_location() };
    let fd = PIPE_WRITE.load(Ordering::Acquire);
    if fd >= 0 {
        let byte = 1u8;
        // SAFETY: `write` is async-signal-safe; a full pipe (EAGAIN) is fine.
        unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
    }
    let previous = PREVIOUS.load(Ordering::Acquire);
    if previous != libc::SIG_DFL && previous != libc::SIG_IGN {
        if PREVIOUS_SIGINFO.load(Ordering::Relaxed) {
            // SAFETY: `previous` was installed with SA_SIGINFO, so it has this signature.
            let handler: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                unsafe { std::mem::transmute(previous) };
            handler(signal, info, context);
        } else {
            // SAFETY: `previous` was installed without SA_SIGINFO: a plain handler.
            let handler: extern "C" fn(libc::c_int) = unsafe { std::mem::transmute(previous) };
            handler(signal);
        }
    }
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = saved_errno };
}
