//! Stopping running kernels: [`InterruptHandle`] (stop on request, from any thread) and
//! wall-clock deadlines ([`CallOptions::deadline`]).
//!
//! Every tier polls one stop flag (an `AtomicU32`: 0 run, 1 interrupted, 2 deadline passed)
//! at the same places: every iteration of `loop` and `while`, the back-edge of every `for`
//! loop whose body holds a loop or a call, and the entry of every function that calls. An
//! innermost `for` loop always ends, so it runs to its end before the kernel notices. A
//! stopped kernel returns `ErrorKind::Interrupted` or `ErrorKind::Timeout`, located at the
//! loop or function where it polled.
//!
//! A call watches exactly one flag. When it is subject to one source only (the module's
//! handle), the kernel polls that handle's flag directly; otherwise ([`CallOptions`] with a
//! second handle or a deadline) the call gets a flag of its own, linked to each handle (an
//! `interrupt()` sets it) and to the deadline timer. Deadlines are kept by one lazily started
//! timer thread per process, which sets the flags of expired calls to 2; nothing in the
//! kernel reads a clock.

use std::cell::Cell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, Weak};
use std::time::{Duration, Instant};

use kernel_ir::error::stop_flag::{self, INTERRUPTED, RUN, TIMED_OUT};

/// The flag of calls nothing can stop (native kernels outside [`interruptible`]).
static NEVER: AtomicU32 = AtomicU32::new(RUN);

/// Sets `flag` to `value` unless it is already stopped (the first cause wins).
fn raise(flag: &AtomicU32, value: u32) {
    let _ = flag.compare_exchange(RUN, value, Ordering::Relaxed, Ordering::Relaxed);
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The guarded lists stay consistent at every await point, so a poisoned lock is usable.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

struct HandleInner {
    flag: AtomicU32,
    /// Flags of calls in progress that also watch this handle (see the module doc).
    linked: Mutex<Vec<Weak<AtomicU32>>>,
}

/// Stops running kernels from any thread, in the spirit of wasmtime's epoch interruption.
///
/// [`InterruptHandle::interrupt`] makes every call watching the handle stop at its next poll
/// point with `ErrorKind::Interrupted`. The request is sticky: calls started afterwards stop
/// at their first poll point too, until [`InterruptHandle::reset`]. Cheap to clone (an `Arc`);
/// `Send + Sync`.
///
/// Every [`Module`](crate::Module) has one ([`Module::interrupt_handle`](crate::Module::interrupt_handle)),
/// which all its calls watch; [`CallOptions::interrupt`] adds another for one call.
#[derive(Clone)]
pub struct InterruptHandle {
    inner: Arc<HandleInner>,
}

impl std::fmt::Debug for InterruptHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InterruptHandle")
            .field("interrupted", &self.is_interrupted())
            .finish()
    }
}

impl Default for InterruptHandle {
    fn default() -> InterruptHandle {
        InterruptHandle::new()
    }
}

impl InterruptHandle {
    pub fn new() -> InterruptHandle {
        InterruptHandle {
            inner: Arc::new(HandleInner {
                flag: AtomicU32::new(RUN),
                linked: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Requests every call watching this handle to stop (see the type's doc).
    pub fn interrupt(&self) {
        raise(&self.inner.flag, INTERRUPTED);
        let mut linked = lock(&self.inner.linked);
        linked.retain(|weak| match weak.upgrade() {
            Some(flag) => {
                raise(&flag, INTERRUPTED);
                true
            }
            None => false,
        });
    }

    /// Whether [`InterruptHandle::interrupt`] was called since the last reset.
    pub fn is_interrupted(&self) -> bool {
        self.inner.flag.load(Ordering::Relaxed) != RUN
    }

    /// Lets calls run again. A call already stopped stays stopped.
    pub fn reset(&self) {
        self.inner.flag.store(RUN, Ordering::Relaxed);
    }

    /// The flag the kernels poll.
    pub(crate) fn flag(&self) -> &AtomicU32 {
        &self.inner.flag
    }

    /// Makes `flag` follow this handle for as long as it lives.
    fn link(&self, flag: &Arc<AtomicU32>) {
        let mut linked = lock(&self.inner.linked);
        linked.retain(|weak| weak.strong_count() > 0);
        linked.push(Arc::downgrade(flag));
        // Under the lock, so an `interrupt()` racing with this either sees the link or has
        // already set the handle's flag, which is copied here.
        if self.is_interrupted() {
            raise(flag, INTERRUPTED);
        }
    }
}

/// Per-call stopping conditions for [`Function::call_with`](crate::Function::call_with)
/// and [`interruptible`]. The default (no deadline, no handle) is a plain call.
#[derive(Clone, Copy, Debug, Default)]
pub struct CallOptions<'a> {
    /// Stop with `ErrorKind::Timeout` once this instant has passed.
    pub deadline: Option<Instant>,
    /// Stop with `ErrorKind::Interrupted` when this handle is interrupted (in addition to the
    /// module's own handle).
    pub interrupt: Option<&'a InterruptHandle>,
}

impl<'a> CallOptions<'a> {
    /// Options with a deadline `timeout` from now.
    pub fn timeout(timeout: Duration) -> CallOptions<'a> {
        CallOptions {
            deadline: Instant::now().checked_add(timeout),
            interrupt: None,
        }
    }

    /// These options, also watching `handle`.
    pub fn with_interrupt(self, handle: &'a InterruptHandle) -> CallOptions<'a> {
        CallOptions {
            interrupt: Some(handle),
            ..self
        }
    }
}

/// The flag one call polls, and what keeps it set up (timer entry, links) until the call ends.
pub(crate) struct Watch<'h> {
    flag: WatchFlag<'h>,
    /// Removes the deadline from the timer when the call ends.
    _timer: Option<TimerEntry>,
}

enum WatchFlag<'h> {
    Borrowed(&'h AtomicU32),
    Own(Arc<AtomicU32>),
}

impl<'h> Watch<'h> {
    /// The flag of a call watching `module` plus `options`.
    pub fn new(module: &'h InterruptHandle, options: &CallOptions<'_>) -> Watch<'h> {
        let extra = options
            .interrupt
            .filter(|h| !Arc::ptr_eq(&h.inner, &module.inner));
        if options.deadline.is_none() && extra.is_none() {
            return Watch {
                flag: WatchFlag::Borrowed(module.flag()),
                _timer: None,
            };
        }
        let flag = Arc::new(AtomicU32::new(RUN));
        module.link(&flag);
        if let Some(handle) = extra {
            handle.link(&flag);
        }
        let timer = options
            .deadline
            .map(|deadline| timer().add(deadline, &flag));
        Watch {
            flag: WatchFlag::Own(flag),
            _timer: timer,
        }
    }

    /// A watch on `handle` only (or nothing) plus a deadline: what [`interruptible`] uses.
    fn detached(options: &CallOptions<'h>) -> Watch<'h> {
        match (options.interrupt, options.deadline) {
            (None, None) => Watch {
                flag: WatchFlag::Borrowed(&NEVER),
                _timer: None,
            },
            (Some(handle), None) => Watch {
                flag: WatchFlag::Borrowed(handle.flag()),
                _timer: None,
            },
            (handle, Some(deadline)) => {
                let flag = Arc::new(AtomicU32::new(RUN));
                if let Some(handle) = handle {
                    handle.link(&flag);
                }
                let timer = timer().add(deadline, &flag);
                Watch {
                    flag: WatchFlag::Own(flag),
                    _timer: Some(timer),
                }
            }
        }
    }

    pub fn flag(&self) -> &AtomicU32 {
        match &self.flag {
            WatchFlag::Borrowed(flag) => flag,
            WatchFlag::Own(flag) => flag,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The deadline timer.

#[derive(Default)]
struct TimerState {
    /// Deadlines in order, with the entry each belongs to.
    queue: BinaryHeap<Reverse<(Instant, u64)>>,
    /// Live entries: the flag to raise. A cancelled entry is removed here and skipped when it
    /// reaches the head of the queue.
    flags: HashMap<u64, Weak<AtomicU32>>,
    next_id: u64,
}

struct Timer {
    state: Mutex<TimerState>,
    wake: Condvar,
}

/// A deadline registered with the timer; dropping it cancels the deadline.
pub(crate) struct TimerEntry {
    id: u64,
}

impl Drop for TimerEntry {
    fn drop(&mut self) {
        let mut state = lock(&timer().state);
        state.flags.remove(&self.id);
        // Cancelled deadlines stay queued until they expire; drop them once they dominate,
        // so a stream of short calls beside one long one keeps the queue small.
        if state.queue.len() > 2 * state.flags.len() + 64 {
            let TimerState { queue, flags, .. } = &mut *state;
            queue.retain(|Reverse((_, id))| flags.contains_key(id));
        }
    }
}

/// The process-wide timer, started on first use.
fn timer() -> &'static Timer {
    static TIMER: OnceLock<&'static Timer> = OnceLock::new();
    TIMER.get_or_init(|| {
        let timer: &'static Timer = Box::leak(Box::new(Timer {
            state: Mutex::new(TimerState::default()),
            wake: Condvar::new(),
        }));
        // If the thread cannot be started (the process is out of threads), deadlines only
        // act when they have already passed at the start of a call (see `add`); interrupt
        // handles are unaffected.
        let _ = std::thread::Builder::new()
            .name("kernel-deadlines".into())
            .spawn(move || timer.run());
        timer
    })
}

impl Timer {
    fn add(&self, deadline: Instant, flag: &Arc<AtomicU32>) -> TimerEntry {
        let mut state = lock(&self.state);
        let id = state.next_id;
        state.next_id += 1;
        if deadline <= Instant::now() {
            raise(flag, TIMED_OUT);
        }
        state.flags.insert(id, Arc::downgrade(flag));
        // The timer sleeps until the earliest queued deadline: wake it only when this one is
        // earlier (a context switch per call would cost more than the call's polls).
        let earliest = state
            .queue
            .peek()
            .is_none_or(|Reverse((first, _))| deadline < *first);
        state.queue.push(Reverse((deadline, id)));
        if earliest {
            self.wake.notify_one();
        }
        TimerEntry { id }
    }

    fn run(&self) {
        let mut state = lock(&self.state);
        loop {
            let now = Instant::now();
            while let Some(&Reverse((deadline, id))) = state.queue.peek() {
                if deadline > now {
                    break;
                }
                state.queue.pop();
                if let Some(flag) = state.flags.remove(&id).and_then(|weak| weak.upgrade()) {
                    raise(&flag, TIMED_OUT);
                }
            }
            state = match state.queue.peek() {
                Some(&Reverse((deadline, _))) => {
                    let wait = deadline.saturating_duration_since(now);
                    self.wake
                        .wait_timeout(state, wait)
                        .map(|(guard, _)| guard)
                        .unwrap_or_else(|poisoned| poisoned.into_inner().0)
                }
                None => self
                    .wake
                    .wait(state)
                    .unwrap_or_else(|poisoned| poisoned.into_inner()),
            };
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Native kernels.

thread_local! {
    /// The flag native kernels started on this thread poll: `NEVER` outside [`interruptible`].
    static CURRENT: Cell<*const AtomicU32> = const { Cell::new(&NEVER) };
}

/// Runs `f` with native (`#[kernel]`) kernels called on this thread inside it stoppable by
/// `options`: they poll the handle and the deadline at the same places as the other tiers
/// and return `ErrorKind::Interrupted` or `ErrorKind::Timeout`. Outside such a scope native
/// kernels poll a flag nothing sets. Scopes nest (the innermost one applies); kernels that
/// `f` runs on other threads are not covered.
pub fn interruptible<R>(options: CallOptions<'_>, f: impl FnOnce() -> R) -> R {
    let watch = Watch::detached(&options);
    let previous = CURRENT.with(|current| current.replace(watch.flag()));
    /// Restores the enclosing scope's flag, also when `f` panics.
    struct Restore(*const AtomicU32);
    impl Drop for Restore {
        fn drop(&mut self) {
            CURRENT.with(|current| current.set(self.0));
        }
    }
    let _restore = Restore(previous);
    f()
}

/// The stop flag a native kernel polls, captured once per call by the generated wrapper.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct StopFlag(*const AtomicU32);

impl StopFlag {
    /// The flag of the innermost [`interruptible`] scope on this thread.
    #[inline]
    pub fn current() -> StopFlag {
        StopFlag(CURRENT.with(Cell::get))
    }

    /// The flag of a call through a [`Function`](crate::Function) handle.
    pub(crate) fn of(flag: &AtomicU32) -> StopFlag {
        StopFlag(flag)
    }

    /// The flag's value: 0 keeps running.
    ///
    /// # Safety
    /// Only during the native kernel call that took this flag: the pointer is `NEVER`
    /// (static), the flag of the `interruptible` scope around that call (alive until its
    /// closure returns), or the flag a `Function` call watches (alive until the call returns).
    #[inline(always)]
    pub unsafe fn get(self) -> u32 {
        // SAFETY: the caller is inside the call that captured the pointer (see above).
        unsafe { (*self.0).load(Ordering::Relaxed) }
    }
}

/// The error of a native kernel stopped with flag value `flag` at `line:col` of `function`.
#[doc(hidden)]
#[cold]
#[inline(never)]
pub fn stopped(flag: u32, function: &'static str, line: u32, col: u32) -> kernel_ir::KernelError {
    kernel_ir::KernelError::new(stop_flag::kind(flag), function, line, col)
}
