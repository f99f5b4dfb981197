//! Line-level counters of a profiled interpreter call: the interpreter's compiler wraps
//! statements, loop iterations and function bodies with hooks feeding a [`Sink`] when a
//! function is compiled for a profile (`kernel-runtime`'s `Function::profile` turns the
//! [`Counts`] into its report). Hits follow `kernel_ir::profile_lines`, as the JIT's do.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use kernel_ir::ir::{LoopId, Stmt};
use kernel_ir::profile_lines;

use crate::frame::{Code, Frame};
use crate::FnCx;

/// A (function, line) pair: the key of every counter.
pub type Key = (u32, u32);

/// The hits and exclusive time of one line.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LineCount {
    pub hits: u64,
    pub time: Duration,
}

/// Hits and times by (function, line), calls and total time by function: what either tier's
/// counters hold after a profiled call.
#[derive(Debug, Default)]
pub struct Counts {
    pub lines: HashMap<Key, LineCount>,
    pub funcs: HashMap<u32, (u64, Duration)>,
}

#[derive(Clone, Copy, Debug, Default)]
struct FuncStat {
    calls: u64,
    total: Duration,
    /// Active calls of this function (recursion), and when the outermost one started.
    active: u32,
    started: Option<Instant>,
}

#[derive(Debug)]
struct State {
    lines: HashMap<Key, LineCount>,
    funcs: HashMap<u32, FuncStat>,
    /// The statements running now, innermost last.
    stack: Vec<Key>,
    last: Instant,
}

impl State {
    /// Charges the time since the last boundary to the innermost running statement.
    fn charge(&mut self, now: Instant) {
        if let Some(top) = self.stack.last() {
            let elapsed = now.saturating_duration_since(self.last);
            self.lines.entry(*top).or_default().time += elapsed;
        }
        self.last = now;
    }

    fn enter(&mut self, key: Key, now: Instant) {
        self.charge(now);
        self.stack.push(key);
        self.lines.entry(key).or_default().hits += 1;
    }

    fn exit(&mut self, now: Instant) {
        self.charge(now);
        self.stack.pop();
    }
}

/// The counters of one profiled call, shared by all its instrumented code.
#[derive(Debug)]
pub struct Sink {
    state: Mutex<State>,
}

impl Default for Sink {
    fn default() -> Sink {
        Sink {
            state: Mutex::new(State {
                lines: HashMap::new(),
                funcs: HashMap::new(),
                stack: Vec::new(),
                last: Instant::now(),
            }),
        }
    }
}

impl Sink {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A counter update cannot leave the state inconsistent, so a poisoned lock is usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn enter(&self, key: Key) {
        self.lock().enter(key, Instant::now());
    }

    fn exit(&self) {
        self.lock().exit(Instant::now());
    }

    fn hit(&self, key: Key) {
        self.lock().lines.entry(key).or_default().hits += 1;
    }

    /// What the counters hold now.
    pub fn counts(&self) -> Counts {
        let state = self.lock();
        Counts {
            lines: state.lines.clone(),
            funcs: state
                .funcs
                .iter()
                .map(|(&func, stat)| (func, (stat.calls, stat.total)))
                .collect(),
        }
    }

    fn enter_function(&self, key: Key) {
        let now = Instant::now();
        let mut state = self.lock();
        state.enter(key, now);
        let stat = state.funcs.entry(key.0).or_default();
        stat.calls += 1;
        if stat.active == 0 {
            stat.started = Some(now);
        }
        stat.active += 1;
    }

    fn exit_function(&self, func: u32) {
        let now = Instant::now();
        let mut state = self.lock();
        state.exit(now);
        let stat = state.funcs.entry(func).or_default();
        stat.active = stat.active.saturating_sub(1);
        if stat.active == 0 {
            if let Some(started) = stat.started.take() {
                stat.total += now.saturating_duration_since(started);
            }
        }
    }
}

/// The hooks the interpreter's compiler calls; each returns `code` unchanged unless this
/// function is being compiled for a profile.
impl FnCx<'_> {
    /// Counts `code` as one statement on `line`.
    pub(crate) fn profile_stmt(&self, line: u32, code: Code) -> Code {
        let Some(sink) = self.profile.clone() else {
            return code;
        };
        let key = (self.func, line);
        Box::new(move |frame| {
            sink.enter(key);
            let result = code(frame);
            sink.exit();
            result
        })
    }

    /// Counts one header hit of loop `id` before each run of its body.
    pub(crate) fn profile_iteration(&self, id: LoopId, body: Code) -> Code {
        let Some(sink) = self.profile.clone() else {
            return body;
        };
        let key = (self.func, profile_lines::loop_line(self.function, id));
        Box::new(move |frame| {
            sink.hit(key);
            body(frame)
        })
    }

    /// Counts calls and total time of the whole function body.
    pub(crate) fn profile_function(&self, body: Code) -> Code {
        let Some(sink) = self.profile.clone() else {
            return body;
        };
        let key = (self.func, self.function.span.line);
        Box::new(move |frame: &mut Frame<'_>| {
            sink.enter_function(key);
            let result = body(frame);
            sink.exit_function(key.0);
            result
        })
    }

    /// The line a statement is counted on.
    pub(crate) fn stmt_line(&self, stmt: &Stmt) -> u32 {
        profile_lines::stmt_line(self.function, stmt)
    }
}
