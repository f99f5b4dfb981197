//! Line-level profiles of calls ([`Function::profile`]), the kernel analogue of
//! line_profiler's `%lprun` with `%prun`-style per-function totals, in the module's tier.
//!
//! Profiling compiles a *separate* copy of every function with counters, so ordinary calls
//! carry no instrumentation at all. In the interpreter, hooks (`kernel_interp::profile`)
//! wrap the code of a copy compiled with a [`Sink`] attached; a JIT module
//! keeps a second, instrumented `Jit` (`JitOptions::profile`, made and compiled on the first
//! profile) whose code counts at statement boundaries (`kernel_jit`'s `profile` module).
//!
//! **Hits.** Every executed statement and block tail expression counts one hit on the line its
//! span starts on. A loop counts one hit on its header line when it is entered (as the
//! statement it is) plus one per iteration started, so a `for` loop running `n` times has
//! `n + 1` header hits — its `n + 1` iteration checks — while its body lines are hit `n`
//! times each. The `fn` line is hit once per call.
//!
//! **Time.** Each line's time is *exclusive*: wall time (`Instant`) between statement
//! boundaries is charged to the innermost statement running, so a loop's header line carries
//! only its loop control, not its body. A function's own time is the sum of its lines; its
//! total time also includes the functions it calls (counted once for recursive calls).
//!
//! Both tiers count hits by the same definition (`kernel_ir::profile_lines`), so hit counts
//! are exact and equal across tiers. Timings include the counters' own overhead: tens of
//! nanoseconds a statement in the interpreter (`Instant` under a lock); in the JIT one hook
//! call and one cycle-counter read per boundary, 15–20 ns: on the N-body derivatives kernel
//! instrumented code runs 27–39× slower than plain JIT code (`cargo bench -p kernel-jit
//! --bench profile_overhead`, `docs/PERFORMANCE.md`), so lines of very short statements carry
//! relatively more of the time than they would unprofiled.

use std::fmt;
use std::sync::atomic::AtomicU32;
use std::sync::Arc;
use std::time::Duration;

use kernel_ir::abi::{RawArg, RawReturn};
use kernel_ir::ir::{self, Block, FuncId, Place, Stmt};
use kernel_ir::KernelError;
#[cfg(feature = "jit")]
use kernel_jit::JitProfile;

use crate::arg::Arg;
#[cfg(feature = "jit")]
use crate::backend::jit::{self, SharedJit};
use crate::error::{BackendError, Error};
use crate::function::Function;
use crate::module::{Module, Tier};
use crate::value::Value;
use crate::Backend;
#[cfg(feature = "jit")]
use kernel_interp::profile::LineCount;
use kernel_interp::profile::{Counts, Sink};
use kernel_interp::{self as interp, Compiled};

/// The counts of a profiled JIT call, in the interpreter's terms.
#[cfg(feature = "jit")]
fn counts_of_jit(profile: &JitProfile) -> Counts {
    let lines = profile.lines.iter().map(|l| {
        let stat = LineCount {
            hits: l.hits,
            time: l.time,
        };
        ((l.function.0, l.line), stat)
    });
    let funcs = profile
        .functions
        .iter()
        .map(|f| (f.function.0, (f.calls, f.total)));
    Counts {
        lines: lines.collect(),
        funcs: funcs.collect(),
    }
}

/// One source line of a profiled function.
#[derive(Clone, Debug, PartialEq)]
pub struct LineProfile {
    /// 1-based line number in the module's source.
    pub line: u32,
    pub hits: u64,
    /// Exclusive time spent in statements of this line.
    pub time: Duration,
    pub contents: String,
}

/// One function (instance) that ran during a profiled call.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionProfile {
    pub name: String,
    pub calls: u64,
    /// Time inside the function, callees included.
    pub total: Duration,
    /// Time in the function's own lines.
    pub own: Duration,
    /// Every line from the `fn` line to the function's last line, hit or not.
    pub lines: Vec<LineProfile>,
}

impl FunctionProfile {
    /// The profile of one source line, if it belongs to this function.
    pub fn line(&self, line: u32) -> Option<&LineProfile> {
        self.lines.iter().find(|l| l.line == line)
    }
}

/// The result of [`Function::profile`]: per-line hits and times of every function that ran.
/// Displays as line_profiler's table per function, then `%prun`-style totals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    pub functions: Vec<FunctionProfile>,
}

impl Profile {
    /// The first profiled function called `name`.
    pub fn function(&self, name: &str) -> Option<&FunctionProfile> {
        self.functions.iter().find(|f| f.name == name)
    }

    fn build(counts: &Counts, functions: &[ir::Function], source: &str) -> Profile {
        let text: Vec<&str> = source.lines().collect();
        let mut out = Vec::new();
        for (index, function) in functions.iter().enumerate() {
            let Some(&(calls, total)) = counts.funcs.get(&(index as u32)) else {
                continue;
            };
            let first = function.span.line;
            let last = last_line(function).max(first);
            let lines: Vec<LineProfile> = (first..=last)
                .map(|line| {
                    let stat = counts
                        .lines
                        .get(&(index as u32, line))
                        .copied()
                        .unwrap_or_default();
                    LineProfile {
                        line,
                        hits: stat.hits,
                        time: stat.time,
                        contents: text
                            .get((line as usize).wrapping_sub(1))
                            .unwrap_or(&"")
                            .to_string(),
                    }
                })
                .collect();
            out.push(FunctionProfile {
                name: function.name.clone(),
                calls,
                total,
                own: lines.iter().map(|l| l.time).sum(),
                lines,
            });
        }
        Profile { functions: out }
    }
}

/// The last source line any part of `function` sits on.
fn last_line(function: &ir::Function) -> u32 {
    let spans = function
        .expr_spans
        .iter()
        .chain(function.locals.iter().map(|l| &l.span))
        .chain(function.loops.iter().map(|l| &l.span));
    let mut last = spans.map(|s| s.line).max().unwrap_or(0);
    last = last.max(block_last_line(&function.body));
    last
}

fn block_last_line(block: &Block) -> u32 {
    block
        .stmts
        .iter()
        .map(|s| match s {
            Stmt::Assign {
                span,
                place: Place::Index { span: p, .. },
                ..
            } => span.line.max(p.line),
            Stmt::Assign { span, .. } => span.line,
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

impl fmt::Display for FunctionProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = self.lines.first().map_or(0, |l| l.line);
        writeln!(f, "Timer unit: 1e-06 s")?;
        writeln!(f)?;
        writeln!(f, "Total time: {:.6} s", self.total.as_secs_f64())?;
        writeln!(f, "Function: {} at line {first}", self.name)?;
        writeln!(f)?;
        writeln!(
            f,
            "{:>6} {:>12} {:>14} {:>10} {:>8}  Line Contents",
            "Line #", "Hits", "Time", "Per Hit", "% Time"
        )?;
        writeln!(f, "{}", "=".repeat(72))?;
        let own = micros(self.own);
        for line in &self.lines {
            if line.hits == 0 {
                writeln!(f, "{:>6} {:>48}  {}", line.line, "", line.contents)?;
                continue;
            }
            let time = micros(line.time);
            let share = if own > 0.0 { 100.0 * time / own } else { 0.0 };
            writeln!(
                f,
                "{:>6} {:>12} {:>14.1} {:>10.1} {:>8.1}  {}",
                line.line,
                line.hits,
                time,
                time / line.hits as f64,
                share,
                line.contents
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for function in &self.functions {
            writeln!(f, "{function}")?;
        }
        writeln!(
            f,
            "{:>8} {:>12} {:>12}  function",
            "ncalls", "tottime", "cumtime"
        )?;
        let mut by_own: Vec<&FunctionProfile> = self.functions.iter().collect();
        by_own.sort_by_key(|f| std::cmp::Reverse(f.own));
        for function in by_own {
            writeln!(
                f,
                "{:>8} {:>12.6} {:>12.6}  {}",
                function.calls,
                function.own.as_secs_f64(),
                function.total.as_secs_f64(),
                function.name
            )?;
        }
        Ok(())
    }
}

/// A profiled call that failed: the error, and the profile of what ran before it (`None`
/// when the call failed before running, e.g. on a bad argument).
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct ProfileError {
    /// Boxed: `Error` is large and the happy path should stay small.
    pub error: Box<Error>,
    pub profile: Option<Profile>,
}

impl From<Error> for ProfileError {
    fn from(error: Error) -> ProfileError {
        ProfileError {
            error: Box::new(error),
            profile: None,
        }
    }
}

impl Function {
    /// Calls the function with line-level counters in the module's tier (an instrumented
    /// copy of its code) and returns its value and [`Profile`]. Arguments are checked as
    /// [`Function::call`] checks them. A runtime error still yields the profile of everything
    /// that ran before it, in the error. Native code has no instrumented copy: profile the
    /// same source in the interpreter or the JIT.
    pub fn profile(&self, args: &mut [Arg<'_>]) -> Result<(Value, Profile), ProfileError> {
        let (resolved, raw) = self.bind(args)?;
        let bound = Bound::take(self.module(), resolved.id, raw)?;
        let (result, counts) = match &bound.tier {
            #[cfg(feature = "jit")]
            ProfiledTier::Jit(jit) => profile_jit(jit, &bound)?,
            ProfiledTier::Interpreter => profile_interpreter(&bound)?,
        };
        let profile = Profile::build(&counts, &bound.functions, &bound.source);
        match result {
            // SAFETY: `raw` is what the call of the function returning `resolved.ret`
            // produced, used once.
            Ok(raw) => Ok((unsafe { Value::from_returned(resolved.ret, raw) }, profile)),
            Err(error) => Err(ProfileError {
                error: Box::new(error.into()),
                profile: Some(profile),
            }),
        }
    }
}

/// What a profiled call needs: a snapshot of the checked program, the instance to run with
/// its checked raw arguments, and the module's settings.
struct Bound {
    functions: Vec<ir::Function>,
    runnable: Vec<bool>,
    id: FuncId,
    raw: Vec<RawArg>,
    source: Arc<str>,
    boundscheck: bool,
    tier: ProfiledTier,
}

enum ProfiledTier {
    Interpreter,
    /// The module's instrumented JIT, with the function compiled.
    #[cfg(feature = "jit")]
    Jit(SharedJit),
}

impl Bound {
    fn take(module: &Module, id: FuncId, raw: Vec<RawArg>) -> Result<Bound, Error> {
        let mut state = module.lock();
        let tier = match &mut state.tier {
            Tier::Interpreter(_) => ProfiledTier::Interpreter,
            #[cfg(feature = "jit")]
            Tier::Jit { profile, .. } => {
                let jit = match profile {
                    Some(jit) => jit.clone(),
                    None => profile.insert(jit::new(module.options(), true)?).clone(),
                };
                jit::ensure_compiled(&jit, &state.program, id)?;
                ProfiledTier::Jit(jit)
            }
            Tier::Native(_) => {
                return Err(Error::Backend {
                    backend: Backend::Native,
                    function: Some(state.program.function(id).name.clone()),
                    source: BackendError::NotNative("profiling"),
                })
            }
        };
        Ok(Bound {
            functions: state.program.functions().to_vec(),
            runnable: state.runnable.clone(),
            id,
            raw,
            source: state.program.source().clone(),
            boundscheck: module.options().boundscheck,
            tier,
        })
    }
}

/// The raw result of a profiled call and its counts.
type Outcome = (Result<RawReturn, KernelError>, Counts);

fn profile_interpreter(bound: &Bound) -> Result<Outcome, Error> {
    let sink = Arc::new(Sink::default());
    let table = instrumented_table(&bound.functions, &bound.runnable, bound.boundscheck, &sink)?;
    let stop = AtomicU32::new(0);
    let result = interp::run(&table, bound.id, &bound.raw, &stop);
    Ok((result, sink.counts()))
}

#[cfg(feature = "jit")]
fn profile_jit(jit: &SharedJit, bound: &Bound) -> Result<Outcome, Error> {
    let jit_guard = jit.read().unwrap_or_else(|poisoned| poisoned.into_inner());
    let stop = AtomicU32::new(0);
    // SAFETY: `Function::bind` checked every argument against the checked parameter types
    // and the aliasing rule, as `Function::call` does; the arrays are borrowed by the
    // caller's `args` for the whole call; `stop` outlives it.
    let call = unsafe { jit_guard.call_profiled(bound.id, &bound.raw, &stop) };
    let name = bound
        .functions
        .get(bound.id.index())
        .map(|f| f.name.as_str());
    let call = call.map_err(|e| jit::failure(name, e))?;
    Ok((call.result, counts_of_jit(&call.profile)))
}

/// Every function of the program compiled with counters feeding `sink`.
fn instrumented_table(
    functions: &[ir::Function],
    runnable: &[bool],
    boundscheck: bool,
    sink: &Arc<Sink>,
) -> Result<Vec<Arc<Compiled>>, Error> {
    let mut table = Vec::with_capacity(functions.len());
    for (index, function) in functions.iter().enumerate() {
        let compiled = if runnable.get(index).copied().unwrap_or(false) {
            interp::compile_function_with(
                functions,
                FuncId(index as u32),
                boundscheck,
                Some(sink.clone()),
            )
            .map_err(|u| Error::Backend {
                backend: Backend::Interpreter,
                function: Some(function.name.clone()),
                source: BackendError::Interpreter {
                    what: u.what,
                    line: u.span.line,
                    col: u.span.col,
                },
            })?
        } else {
            interp::unreachable_stub(&function.name)
        };
        table.push(Arc::new(compiled));
    }
    Ok(table)
}
