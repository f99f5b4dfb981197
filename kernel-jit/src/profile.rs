//! Instrumented JIT code ([`crate::JitOptions::profile`]): exact per-line hit counts and
//! per-line exclusive times of compiled kernels, with per-function calls and total times.
//!
//! **Counting.** A Jit built with `profile: true` emits calls to the `extern "C"` hooks below
//! at every statement boundary (`translate/profile.rs`); an ordinary Jit emits none, so its
//! code is unchanged. The hooks reach the call's [`ProfileBuf`] through the `profile` field of
//! the error context (`abi::JitCtx`), which is null outside [`Jit::call_profiled`] (the hooks
//! then do nothing). Hits follow `kernel_ir::profile_lines`, the interpreter's definition: a
//! statement or block tail counts once on its line when it starts, a loop header once when
//! the loop statement starts plus once per iteration started, the `fn` line once per call.
//!
//! **Timing.** Every boundary reads a cycle counter and charges the ticks since the previous
//! boundary to the statement that was running (`current`), then makes the next one current,
//! so each line's time is exclusive, as in the interpreter. Consecutive statements share one
//! boundary (one read ends the previous statement and starts the next). A function's entry
//! saves the caller's running statement (charging it the argument evaluation) and its exit
//! restores it; the error path runs the exit hook too, so a failing call still yields every
//! count and time up to the failing statement. After `break`/`continue`/`return` the
//! statement that jumped stays current until the next boundary, as the interpreter charges
//! the time until a statement has unwound to the innermost one.
//!
//! The counter is the time-stamp counter (`rdtsc`, invariant on current x86-64: a constant
//! rate of roughly one tick per nanosecond, read in ~20 cycles) on x86-64, and `Instant` in
//! nanoseconds elsewhere. Ticks become durations by calibrating the whole call against
//! `Instant` (ticks and `Instant` are both read at its start and end), so the resolution is one
//! tick and the lines' times add up to the call's wall time. Each boundary costs one call and
//! one counter read, and the calls make Cranelift spill floating-point values (every XMM
//! register is caller-saved) across statements: 15–20 ns a boundary, so the N-body
//! derivatives kernel runs 27× (N = 1000) to 39× (N = 200) slower instrumented than plain
//! (`cargo bench -p kernel-jit --bench profile_overhead`; `docs/PERFORMANCE.md`).
//!
//! **Threads.** The buffer is one call's, updated without synchronisation: an instrumented
//! call must run on one thread (parallel loops run sequentially when profiled).

use std::collections::HashMap;
use std::sync::atomic::AtomicU32;
use std::time::{Duration, Instant};

use kernel_ir::ir::FuncId;
use kernel_ir::KernelError;

use crate::abi::JitCtx;
use crate::{Jit, JitError, RawArg, RawReturn};

/// "No statement is running": the current slot before the outermost call and after it.
const NONE: u32 = u32::MAX;

/// Reads the cycle counter.
#[cfg(target_arch = "x86_64")]
fn ticks() -> u64 {
    // SAFETY: `rdtsc` exists on every x86-64 processor and only reads a counter.
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// Reads the nanoseconds since the first read in this process.
#[cfg(not(target_arch = "x86_64"))]
fn ticks() -> u64 {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

#[derive(Clone, Copy, Debug, Default)]
struct LineCounter {
    hits: u64,
    ticks: u64,
}

#[derive(Clone, Copy, Debug, Default)]
struct FuncCounter {
    calls: u64,
    /// Active calls (recursion), and the tick the outermost one started at.
    active: u32,
    started: u64,
    ticks: u64,
}

/// The counters of one profiled call (see the module doc), reached by the hooks through
/// `JitCtx::profile`.
#[derive(Debug)]
pub(crate) struct ProfileBuf {
    /// The counter at the last boundary.
    last: u64,
    /// The slot of the statement running now ([`NONE`] outside the kernel).
    current: u32,
    lines: Vec<LineCounter>,
    funcs: Vec<FuncCounter>,
}

impl ProfileBuf {
    fn new(slots: usize, functions: usize) -> ProfileBuf {
        ProfileBuf {
            last: ticks(),
            current: NONE,
            lines: vec![LineCounter::default(); slots],
            funcs: vec![FuncCounter::default(); functions],
        }
    }

    /// Charges the ticks since the last boundary to the running statement; returns now.
    fn charge(&mut self) -> u64 {
        let now = ticks();
        let elapsed = now.wrapping_sub(self.last);
        if let Some(line) = self.lines.get_mut(self.current as usize) {
            line.ticks = line.ticks.wrapping_add(elapsed);
        }
        self.last = now;
        now
    }

    fn hit(&mut self, slot: u32) {
        if let Some(line) = self.lines.get_mut(slot as usize) {
            line.hits += 1;
        }
    }

    fn enter_function(&mut self, func: u32, slot: u32) -> u32 {
        let now = self.charge();
        let saved = std::mem::replace(&mut self.current, slot);
        self.hit(slot);
        if let Some(stat) = self.funcs.get_mut(func as usize) {
            stat.calls += 1;
            if stat.active == 0 {
                stat.started = now;
            }
            stat.active += 1;
        }
        saved
    }

    fn exit_function(&mut self, func: u32, saved: u32) {
        let now = self.charge();
        self.current = saved;
        if let Some(stat) = self.funcs.get_mut(func as usize) {
            stat.active = stat.active.saturating_sub(1);
            if stat.active == 0 {
                stat.ticks = stat.ticks.wrapping_add(now.wrapping_sub(stat.started));
            }
        }
    }
}

/// Runs `update` on the buffer `buf` points to, if any.
///
/// # Safety
/// `buf` is null or points to a live `ProfileBuf` that nothing else accesses during the call
/// (the one [`Jit::call_profiled`] owns, used by the single thread running the kernel).
unsafe fn with_buf(buf: *mut ProfileBuf, update: impl FnOnce(&mut ProfileBuf)) {
    // SAFETY: guaranteed by the caller.
    if let Some(buf) = unsafe { buf.as_mut() } {
        update(buf);
    }
}

// The hooks the instrumented code calls. Compiled code passes `JitCtx::profile` unchanged,
// which is null or the buffer of the running `call_profiled` (the contract of `with_buf`).

extern "C" fn hook_enter_function(buf: *mut ProfileBuf, func: u32, slot: u32) -> u32 {
    let mut saved = NONE;
    // SAFETY: see the comment above the hooks.
    unsafe { with_buf(buf, |b| saved = b.enter_function(func, slot)) };
    saved
}

extern "C" fn hook_exit_function(buf: *mut ProfileBuf, func: u32, saved: u32) {
    // SAFETY: see the comment above the hooks.
    unsafe { with_buf(buf, |b| b.exit_function(func, saved)) }
}

extern "C" fn hook_step(buf: *mut ProfileBuf, slot: u32) {
    // SAFETY: see the comment above the hooks.
    unsafe {
        with_buf(buf, |b| {
            b.charge();
            b.current = slot;
            b.hit(slot);
        })
    }
}

extern "C" fn hook_leave(buf: *mut ProfileBuf, slot: u32) {
    // SAFETY: see the comment above the hooks.
    unsafe {
        with_buf(buf, |b| {
            b.charge();
            b.current = slot;
        })
    }
}

extern "C" fn hook_hit(buf: *mut ProfileBuf, slot: u32) {
    // SAFETY: see the comment above the hooks.
    unsafe { with_buf(buf, |b| b.hit(slot)) }
}

/// One hook the instrumented code calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hook {
    /// `(buf, func, fn_slot) -> saved`: a call starts.
    EnterFunction,
    /// `(buf, func, saved)`: a call ends, normally or by an error.
    ExitFunction,
    /// `(buf, slot)`: a statement starts (and the previous one, if any, ends).
    Step,
    /// `(buf, parent_slot)`: a block's last statement ends.
    Leave,
    /// `(buf, slot)`: a loop iteration starts.
    Hit,
}

impl Hook {
    pub(crate) const ALL: &'static [Hook] = &[
        Hook::EnterFunction,
        Hook::ExitFunction,
        Hook::Step,
        Hook::Leave,
        Hook::Hit,
    ];

    /// The symbol compiled code calls (see `crate::imports`).
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Hook::EnterFunction => "kernelc_profile_enter_function",
            Hook::ExitFunction => "kernelc_profile_exit_function",
            Hook::Step => "kernelc_profile_step",
            Hook::Leave => "kernelc_profile_leave",
            Hook::Hit => "kernelc_profile_hit",
        }
    }

    pub(crate) fn address(self) -> *const u8 {
        match self {
            Hook::EnterFunction => hook_enter_function as *const u8,
            Hook::ExitFunction => hook_exit_function as *const u8,
            Hook::Step => hook_step as *const u8,
            Hook::Leave => hook_leave as *const u8,
            Hook::Hit => hook_hit as *const u8,
        }
    }

    /// Number of `i32` parameters after the buffer pointer, and whether it returns one.
    pub(crate) fn shape(self) -> (usize, bool) {
        match self {
            Hook::EnterFunction => (2, true),
            Hook::ExitFunction => (2, false),
            Hook::Step | Hook::Leave | Hook::Hit => (1, false),
        }
    }
}

/// What an instrumented Jit keeps: the counter slot of every (function, line) its code counts
/// on.
#[derive(Debug, Default)]
pub(crate) struct Instrumentation {
    slots: HashMap<(u32, u32), u32>,
    keys: Vec<(u32, u32)>,
    functions: usize,
}

impl Instrumentation {
    /// The counter slot of `line` of function `func`, made on first use.
    pub fn slot(&mut self, func: FuncId, line: u32) -> u32 {
        self.functions = self.functions.max(func.index() + 1);
        let key = (func.0, line);
        let next = self.keys.len() as u32;
        *self.slots.entry(key).or_insert_with(|| {
            self.keys.push(key);
            next
        })
    }
}

/// Hits and time of one line of one function during a profiled call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineCount {
    pub function: FuncId,
    pub line: u32,
    pub hits: u64,
    /// Exclusive time: statements of this line, not the statements nested in them.
    pub time: Duration,
}

/// Calls and total time (callees included, recursion counted once) of one function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionCount {
    pub function: FuncId,
    pub calls: u64,
    pub total: Duration,
}

/// The counts of one [`Jit::call_profiled`]: every line and function that ran.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JitProfile {
    pub lines: Vec<LineCount>,
    pub functions: Vec<FunctionCount>,
}

/// The outcome of [`Jit::call_profiled`]: the call's result, and the profile of what ran
/// (complete on success, up to the failing statement on a runtime error).
#[derive(Debug)]
pub struct ProfiledCall {
    pub result: Result<RawReturn, KernelError>,
    pub profile: JitProfile,
}

/// Ticks → durations, calibrated over one call.
struct Clock {
    nanos_per_tick: f64,
}

impl Clock {
    fn calibrate(start: (Instant, u64), end: (Instant, u64)) -> Clock {
        let nanos = end.0.saturating_duration_since(start.0).as_nanos() as f64;
        let ticks = end.1.wrapping_sub(start.1);
        Clock {
            nanos_per_tick: if ticks == 0 {
                0.0
            } else {
                nanos / ticks as f64
            },
        }
    }

    fn duration(&self, ticks: u64) -> Duration {
        Duration::from_nanos((ticks as f64 * self.nanos_per_tick) as u64)
    }
}

impl ProfileBuf {
    fn finish(self, keys: &[(u32, u32)], clock: &Clock) -> JitProfile {
        let lines = keys
            .iter()
            .zip(&self.lines)
            .filter(|(_, c)| c.hits > 0 || c.ticks > 0)
            .map(|(&(function, line), c)| LineCount {
                function: FuncId(function),
                line,
                hits: c.hits,
                time: clock.duration(c.ticks),
            })
            .collect();
        let functions = self
            .funcs
            .iter()
            .enumerate()
            .filter(|(_, f)| f.calls > 0)
            .map(|(index, f)| FunctionCount {
                function: FuncId(index as u32),
                calls: f.calls,
                total: clock.duration(f.ticks),
            })
            .collect();
        JitProfile { lines, functions }
    }
}

impl Jit {
    /// [`Jit::call_interruptible`] with counters: returns the result and the [`JitProfile`]
    /// of the call. Needs a Jit built with [`crate::JitOptions::profile`].
    ///
    /// # Safety
    /// As for [`Jit::call`].
    pub unsafe fn call_profiled(
        &self,
        id: FuncId,
        args: &[RawArg],
        flag: &AtomicU32,
    ) -> Result<ProfiledCall, JitError> {
        let Some(instrumentation) = &self.instrumentation else {
            return Err(JitError::NotInstrumented);
        };
        let mut buf = ProfileBuf::new(instrumentation.keys.len(), instrumentation.functions);
        let mut ctx = JitCtx::new(flag);
        ctx.profile = &mut buf;
        let start = (Instant::now(), ticks());
        // SAFETY: the caller upholds `call`'s contract; `flag` outlives the call; `buf` lives
        // until after it, and only this thread's kernel code touches it meanwhile.
        let result = unsafe { self.run(id, args, ctx) };
        let end = (Instant::now(), ticks());
        let profile = buf.finish(&instrumentation.keys, &Clock::calibrate(start, end));
        Ok(ProfiledCall { result, profile })
    }
}
