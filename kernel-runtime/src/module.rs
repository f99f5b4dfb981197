//! [`Module`]: a compiled kernel source, and [`Function`]: a checked handle to one of its
//! functions, called with [`Arg`]s.
//!
//! A module compiles every checked function once into interpreter code and keeps the table
//! of compiled functions behind an `Arc`, so a handle to a non-generic function calls it
//! without taking any lock. Generic (`_`) functions are instantiated per argument signature
//! under the module's lock; `Program::instantiate` caches instances, and new ones are
//! compiled and appended to the table.

use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use kernel_jit::{Jit, JitOptions};

use kernel_ir::ir::FuncId;
use kernel_ir::{ArgType, CompileError, Diagnostic, ParamInfo, Program, Type};

use crate::arg::Arg;
use crate::error::{suggest, ArgumentError, Error};
use crate::interp::{self, Compiled, RawArg};
use crate::interrupt::{CallOptions, InterruptHandle, Watch};
use crate::value::Value;
use crate::{Backend, Options};

/// Compiled functions by `FuncId`.
type Table = Arc<[Arc<Compiled>]>;

/// The JIT of a module: calls take the read lock, compiling new instances the write lock.
pub(crate) type SharedJit = Arc<RwLock<Jit>>;

struct State {
    program: Program,
    /// Interpreter code (interpreter backend only; empty otherwise).
    table: Table,
    /// Whether each `FuncId` is a checked, runnable function (not a failed instantiation).
    runnable: Vec<bool>,
    jit: Option<SharedJit>,
    /// The instrumented JIT of `Function::profile` (JIT backend only), made on first use so
    /// that ordinary calls never share code with it.
    profile_jit: Option<SharedJit>,
}

/// Which text of a compiled function to show.
#[derive(Clone, Copy, Debug)]
enum Inspect {
    Clif,
    Asm,
}

/// Where a resolved function runs.
#[derive(Clone, Debug)]
enum Engine {
    Interpreter(Table),
    Jit(SharedJit),
}

/// A compiled kernel source. `Send + Sync`: share it between threads freely.
pub struct Module {
    options: Options,
    source: Arc<str>,
    state: Mutex<State>,
    /// Watched by every call of the module's functions.
    interrupt: InterruptHandle,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("options", &self.options)
            .field("functions", &self.function_names())
            .finish_non_exhaustive()
    }
}

impl Module {
    /// Parses, checks and compiles `source` with the default options.
    pub fn compile(source: &str) -> Result<Module, CompileError> {
        Module::compile_with(source, Options::default())
    }

    pub fn compile_with(source: &str, options: Options) -> Result<Module, CompileError> {
        let program = kernel_ir::compile(source)?;
        let jit = match options.backend {
            Backend::Jit => Some(Arc::new(RwLock::new(new_jit(&program, &options, false)?))),
            Backend::Interpreter => None,
        };
        let mut state = State {
            table: Arc::from(Vec::new()),
            runnable: Vec::new(),
            program,
            jit,
            profile_jit: None,
        };
        refresh_table(&mut state, &options)?;
        Ok(Module {
            source: state.program.source().clone(),
            options,
            state: Mutex::new(state),
            interrupt: InterruptHandle::new(),
        })
    }

    /// The handle every call of this module's functions watches: `interrupt()` on it (from
    /// any thread) stops them all at their next loop back-edge or call with
    /// `ErrorKind::Interrupted`, until `reset()`. See [`InterruptHandle`].
    pub fn interrupt_handle(&self) -> InterruptHandle {
        self.interrupt.clone()
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-updated in a way that
        // matters (the table is replaced atomically), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Function names in source order.
    pub fn function_names(&self) -> Vec<String> {
        let state = self.lock();
        state
            .program
            .function_names()
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// The parameters of `name` as declared.
    pub fn params(&self, name: &str) -> Result<Vec<ParamInfo>, Error> {
        let state = self.lock();
        state
            .program
            .params(name)
            .ok_or_else(|| unknown_function(&state.program, name))
    }

    /// A handle to function `name`, checked once; call it as often as needed.
    pub fn function(&self, name: &str) -> Result<Function<'_>, Error> {
        let mut state = self.lock();
        let program = &state.program;
        let params = program
            .params(name)
            .ok_or_else(|| unknown_function(program, name))?;
        let kind = match program.concrete(name) {
            Some(id) => {
                ensure_compiled(&mut state, id)?;
                HandleKind::Concrete(resolve(&state, id))
            }
            None => HandleKind::Generic,
        };
        Ok(Function {
            module: self,
            name: name.to_string(),
            params,
            kind,
        })
    }

    /// The Cranelift IR of the JIT-compiled function `name` (needs `Options::inspect` and the
    /// JIT backend; a generic function shows each instance compiled so far).
    pub fn clif(&self, name: &str) -> Result<String, Error> {
        self.jit_text(name, Inspect::Clif)
    }

    /// The disassembly of the JIT-compiled function `name` (see [`Module::clif`]).
    pub fn asm(&self, name: &str) -> Result<String, Error> {
        self.jit_text(name, Inspect::Asm)
    }

    fn jit_text(&self, name: &str, what: Inspect) -> Result<String, Error> {
        let mut state = self.lock();
        let program = &state.program;
        program
            .params(name)
            .ok_or_else(|| unknown_function(program, name))?;
        let instances: Vec<FuncId> = (0..state.runnable.len())
            .filter(|&index| state.runnable[index] && state.program.functions()[index].name == name)
            .map(|index| FuncId(index as u32))
            .collect();
        for id in instances {
            ensure_compiled(&mut state, id)?;
        }
        let program = &state.program;
        let (Some(jit), true) = (&state.jit, self.options.inspect) else {
            return Err(Error::Inspect {
                reason: "compile with the JIT backend and `Options::inspect = true`".into(),
            });
        };
        let jit = jit.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        let texts: Vec<String> = program
            .functions()
            .iter()
            .enumerate()
            .filter(|(index, f)| f.name == name && state.runnable.get(*index) == Some(&true))
            .filter_map(|(index, _)| {
                let id = FuncId(index as u32);
                match what {
                    Inspect::Clif => jit.clif(id),
                    Inspect::Asm => jit.asm(id),
                }
                .map(str::to_owned)
            })
            .collect();
        if texts.is_empty() {
            return Err(Error::Inspect {
                reason: format!(
                    "`{name}` is generic and has not been compiled for any argument types yet"
                ),
            });
        }
        Ok(texts.join("\n"))
    }

    /// The typed IR of one function (`Some(name)`) or of all, as text. A generic function
    /// prints each instance made so far, or its lowered template if there is none yet.
    pub fn typed_ir(&self, name: Option<&str>) -> Result<String, Error> {
        let state = self.lock();
        let program = &state.program;
        let names: Vec<String> = match name {
            Some(name) => {
                program
                    .params(name)
                    .ok_or_else(|| unknown_function(program, name))?;
                vec![name.to_string()]
            }
            None => program
                .function_names()
                .into_iter()
                .map(str::to_string)
                .collect(),
        };
        let mut parts = Vec::new();
        for name in &names {
            parts.extend(typed_ir_of(program, &state.runnable, name));
        }
        Ok(parts.join("\n"))
    }

    /// The instance of `name` for these argument types, compiled.
    /// Runs a resolved function on arguments already checked against its parameters.
    fn execute(
        &self,
        resolved: &Resolved,
        raw: &[RawArg],
        options: CallOptions<'_>,
    ) -> Result<Value, Error> {
        let watch = Watch::new(&self.interrupt, &options);
        let stop = watch.flag();
        let value = match &resolved.engine {
            Engine::Interpreter(table) => interp::run(table, resolved.id, raw, stop)?,
            Engine::Jit(jit) => {
                let jit = jit.read().unwrap_or_else(|poisoned| poisoned.into_inner());
                // SAFETY: the caller checked every argument against the checked parameter
                // types `Jit::call` expects, and the aliasing rule (`Function::bind` or
                // `Prepared::call`); the arrays are borrowed by the caller's `args` for the
                // whole call, so they stay alive; `stop` lives until `watch` drops.
                unsafe { jit.call_interruptible(resolved.id, raw, stop) }?.0
            }
        };
        Ok(Value::from_raw(resolved.ret, value))
    }

    fn instantiate(&self, name: &str, args: &[ArgType]) -> Result<Resolved, Error> {
        let mut state = self.lock();
        let id = state.program.instantiate(name, args)?;
        refresh_table(&mut state, &self.options)?;
        ensure_compiled(&mut state, id)?;
        Ok(resolve(&state, id))
    }
}

fn typed_ir_of(program: &Program, runnable: &[bool], name: &str) -> Vec<String> {
    let checked_callee = |id: FuncId| {
        program
            .functions()
            .get(id.index())
            .map_or_else(|| format!("#{}", id.0), |f| f.name.clone())
    };
    if let Some(id) = program.concrete(name) {
        return vec![kernel_ir::print::function(
            program.function(id),
            &checked_callee,
        )];
    }
    // Instances are the checked functions of this name that compiled (the others are
    // placeholders of failed instantiations).
    let instances: Vec<String> = program
        .functions()
        .iter()
        .zip(runnable.iter())
        .filter(|(f, runnable)| f.name == name && **runnable)
        .map(|(f, _)| kernel_ir::print::function(f, &checked_callee))
        .collect();
    if !instances.is_empty() {
        return instances;
    }
    // Calls in a lowered template name callees by their position in the source.
    let names = program.function_names();
    let template_callee = |id: FuncId| {
        names
            .get(id.index())
            .map_or_else(|| format!("#{}", id.0), |n| n.to_string())
    };
    program
        .template(name)
        .map(|t| vec![kernel_ir::print::function(t, &template_callee)])
        .unwrap_or_default()
}

fn unknown_function(program: &Program, name: &str) -> Error {
    let available: Vec<String> = program
        .function_names()
        .into_iter()
        .map(str::to_string)
        .collect();
    Error::UnknownFunction {
        name: name.to_string(),
        suggestion: suggest(name, available.iter().map(String::as_str)),
        available,
    }
}

/// Compiles the functions the program gained since the last refresh.
fn refresh_table(state: &mut State, options: &Options) -> Result<(), CompileError> {
    let known = state.runnable.len();
    let functions = state.program.functions();
    if known == functions.len() {
        return Ok(());
    }
    // A failed instantiation leaves an unchecked placeholder that no checked function calls.
    let runnable: Vec<bool> = functions[known..]
        .iter()
        .map(|f| f.expr_types.len() == f.exprs.len())
        .collect();
    // The JIT compiles a function when a handle to it is first made (`ensure_compiled`):
    // a module of many kernels pays only for the ones it runs.
    if state.jit.is_none() {
        refresh_interpreter(state, options, &runnable)?;
    }
    state.runnable.extend(runnable);
    Ok(())
}

/// JIT-compiles checked function `id` (and what it calls) unless it is compiled already.
fn ensure_compiled(state: &mut State, id: FuncId) -> Result<(), CompileError> {
    let Some(jit) = &state.jit else {
        return Ok(());
    };
    let mut jit = jit.write().unwrap_or_else(|poisoned| poisoned.into_inner());
    if jit.is_compiled(id) {
        return Ok(());
    }
    jit.compile(&state.program, id).map_err(|e| {
        let function = state.program.function(id);
        internal_error(&state.program, function, function.span, e)
    })
}

fn refresh_interpreter(
    state: &mut State,
    options: &Options,
    runnable: &[bool],
) -> Result<(), CompileError> {
    let functions = state.program.functions();
    let mut table: Vec<Arc<Compiled>> = state.table.to_vec();
    for ok in runnable {
        let index = table.len();
        let function = &functions[index];
        let compiled = if *ok {
            interp::compile_function(functions, FuncId(index as u32), options.boundscheck).map_err(
                |u| {
                    let what = format!("the interpreter cannot run {}", u.what);
                    internal_error(&state.program, function, u.span, what)
                },
            )?
        } else {
            interp::unreachable_stub(&function.name)
        };
        table.push(Arc::new(compiled));
    }
    state.table = Arc::from(table);
    Ok(())
}

/// A JIT for `program` with the module's options; `profile` instruments its code (and keeps
/// no text: `explain` shows the ordinary code).
fn new_jit(program: &Program, options: &Options, profile: bool) -> Result<Jit, CompileError> {
    let jit_options = JitOptions {
        boundscheck: options.boundscheck,
        keep_text: options.inspect && !profile,
        profile,
    };
    Jit::new(jit_options).map_err(|e| {
        let source = program.source().clone();
        CompileError::new(
            source,
            vec![Diagnostic::new(
                kernel_ir::Span::default(),
                format!("cannot start the JIT: {e}"),
            )],
        )
    })
}

/// A backend failure on checked IR: a bug of ours, reported as a compile error at the function.
fn internal_error(
    program: &Program,
    function: &kernel_ir::ir::Function,
    span: kernel_ir::Span,
    what: impl std::fmt::Display,
) -> CompileError {
    let message = format!("internal error in `{}`: {what}", function.name);
    CompileError::new(
        program.source().clone(),
        vec![Diagnostic::new(span, message)],
    )
}

/// A checked function ready to run: its id, its parameter types and the table to run in.
#[derive(Clone, Debug)]
struct Resolved {
    id: FuncId,
    param_types: Vec<Type>,
    ret: Type,
    engine: Engine,
}

fn resolve(state: &State, id: FuncId) -> Resolved {
    let function = state.program.function(id);
    Resolved {
        id,
        param_types: function
            .params
            .iter()
            .map(|p| function.local(*p).ty)
            .collect(),
        ret: function.ret,
        engine: match &state.jit {
            Some(jit) => Engine::Jit(jit.clone()),
            None => Engine::Interpreter(state.table.clone()),
        },
    }
}

#[derive(Debug)]
enum HandleKind {
    Concrete(Resolved),
    Generic,
}

/// A handle to one function of a [`Module`].
#[derive(Debug)]
pub struct Function<'m> {
    module: &'m Module,
    name: String,
    params: Vec<ParamInfo>,
    kind: HandleKind,
}

impl<'m> Function<'m> {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn params(&self) -> &[ParamInfo] {
        &self.params
    }

    /// Calls the function. Arguments are checked against the parameters (count, types,
    /// mutability, aliasing) before anything runs; a generic function is specialised for the
    /// arguments' types on first use of that signature.
    ///
    /// The call stops early with `ErrorKind::Interrupted` when the module's
    /// [`InterruptHandle`] is interrupted.
    pub fn call(&self, args: &mut [Arg<'_>]) -> Result<Value, Error> {
        self.call_with(args, CallOptions::default())
    }

    /// [`Function::call`] that also stops with `ErrorKind::Timeout` once `options.deadline`
    /// has passed, and with `ErrorKind::Interrupted` when `options.interrupt` is interrupted.
    /// Kernels poll at loop back-edges and calls only (see [`InterruptHandle`]), so a kernel
    /// stops within one innermost loop of the request.
    pub fn call_with(
        &self,
        args: &mut [Arg<'_>],
        options: CallOptions<'_>,
    ) -> Result<Value, Error> {
        let instance;
        let resolved = match &self.kind {
            HandleKind::Concrete(resolved) => {
                self.check_count(args)?;
                resolved
            }
            HandleKind::Generic => {
                instance = self.resolve_generic(args)?;
                &instance
            }
        };
        let raw = self.bind(resolved, args)?;
        self.module.execute(resolved, &raw, options)
    }

    /// Checks `args` once, as [`Function::call`] does (specialising a generic function for
    /// their types), and returns a handle for calling the function again and again with
    /// arguments of the same types: [`Prepared::call`] re-checks only what can change between
    /// calls (shapes and aliasing) and allocates nothing, for calls from a Rust loop.
    pub fn prepare(&self, args: &[Arg<'_>]) -> Result<Prepared<'m>, Error> {
        let resolved = match &self.kind {
            HandleKind::Concrete(resolved) => {
                self.check_count(args)?;
                resolved.clone()
            }
            HandleKind::Generic => self.resolve_generic(args)?,
        };
        let raw = self.bind(&resolved, args)?;
        let kind = match &self.kind {
            HandleKind::Concrete(resolved) => HandleKind::Concrete(resolved.clone()),
            HandleKind::Generic => HandleKind::Generic,
        };
        Ok(Prepared {
            function: Function {
                module: self.module,
                name: self.name.clone(),
                params: self.params.clone(),
                kind,
            },
            resolved,
            kinds: args.iter().map(ArgKind::of).collect(),
            raw,
        })
    }

    fn check_count(&self, args: &[Arg<'_>]) -> Result<(), ArgumentError> {
        if args.len() == self.params.len() {
            return Ok(());
        }
        Err(ArgumentError::Count {
            function: self.name.clone(),
            expected: self.params.len(),
            got: args.len(),
        })
    }

    /// The instance of a generic function for the types of `args`.
    fn resolve_generic(&self, args: &[Arg<'_>]) -> Result<Resolved, Error> {
        self.check_count(args)?;
        let arg_types = self.generic_arg_types(args)?;
        self.module.instantiate(&self.name, &arg_types)
    }

    /// The argument types a generic function is specialised for.
    fn generic_arg_types(&self, args: &[Arg<'_>]) -> Result<Vec<ArgType>, ArgumentError> {
        args.iter()
            .zip(&self.params)
            .map(|(arg, param)| {
                check_rank(arg, &param.name)?;
                arg.arg_type().ok_or_else(|| ArgumentError::Unit {
                    param: param.name.clone(),
                })
            })
            .collect()
    }

    /// Checks every argument against its parameter and lowers it to its raw form.
    fn bind(&self, resolved: &Resolved, args: &[Arg<'_>]) -> Result<Vec<RawArg>, ArgumentError> {
        let mut raw = Vec::with_capacity(args.len());
        for ((arg, param), ty) in args.iter().zip(&self.params).zip(&resolved.param_types) {
            raw.push(bind_one(arg, param, *ty)?);
        }
        check_aliasing(args, &self.params, &resolved.param_types)?;
        Ok(raw)
    }
}

/// What a profiled call needs (see `crate::profile`): a snapshot of the checked program, the
/// instance to run with its checked raw arguments, and the module's settings.
pub(crate) struct Bound {
    pub functions: Vec<kernel_ir::ir::Function>,
    pub runnable: Vec<bool>,
    pub id: FuncId,
    pub raw: Vec<RawArg>,
    pub ret: Type,
    pub source: Arc<str>,
    pub boundscheck: bool,
    /// The module's instrumented JIT, with `id` compiled, when the module's backend is the JIT.
    pub jit: Option<SharedJit>,
}

impl Function<'_> {
    /// Checks `args` as [`Function::call_with`] does, for a profiled call.
    pub(crate) fn bind_for_profile(&self, args: &[Arg<'_>]) -> Result<Bound, Error> {
        let instance;
        let resolved = match &self.kind {
            HandleKind::Concrete(resolved) => {
                self.check_count(args)?;
                resolved
            }
            HandleKind::Generic => {
                instance = self.resolve_generic(args)?;
                &instance
            }
        };
        let raw = self.bind(resolved, args)?;
        let mut state = self.module.lock();
        let jit = match state.jit {
            Some(_) => Some(profile_jit(&mut state, &self.module.options, resolved.id)?),
            None => None,
        };
        Ok(Bound {
            functions: state.program.functions().to_vec(),
            runnable: state.runnable.clone(),
            id: resolved.id,
            raw,
            ret: resolved.ret,
            source: state.program.source().clone(),
            boundscheck: self.module.options.boundscheck,
            jit,
        })
    }
}

/// The module's instrumented JIT with `id` (and every function it calls) compiled.
fn profile_jit(state: &mut State, options: &Options, id: FuncId) -> Result<SharedJit, Error> {
    let jit = match &state.profile_jit {
        Some(jit) => jit.clone(),
        None => {
            let jit = Arc::new(RwLock::new(new_jit(&state.program, options, true)?));
            state.profile_jit = Some(jit.clone());
            jit
        }
    };
    {
        let mut guard = jit.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        guard.compile(&state.program, id).map_err(|e| {
            let function = state.program.function(id);
            internal_error(&state.program, function, function.span, e)
        })?;
    }
    Ok(jit)
}

fn check_rank(arg: &Arg<'_>, param: &str) -> Result<(), ArgumentError> {
    match arg {
        Arg::Array(a) | Arg::ArrayMut(a) if !(1..=3).contains(&a.rank()) => {
            Err(ArgumentError::UnsupportedRank {
                param: param.to_string(),
                rank: a.rank(),
            })
        }
        _ => Ok(()),
    }
}

fn bind_one(arg: &Arg<'_>, param: &ParamInfo, expected: Type) -> Result<RawArg, ArgumentError> {
    let name = || param.name.clone();
    check_rank(arg, &param.name)?;
    match (arg, expected) {
        (Arg::Scalar(Value::Unit), _) => Err(ArgumentError::Unit { param: name() }),
        (Arg::Scalar(value), Type::Scalar(s)) => match value.scalar() {
            Some(got) if got == s => Ok(RawArg::Scalar(kernel_ir::abi::RawScalar(value.to_raw()))),
            got => Err(ArgumentError::ScalarType {
                param: name(),
                expected: s,
                got: got.unwrap_or(s),
            }),
        },
        (Arg::Scalar(value), expected) => Err(ArgumentError::ScalarForArray {
            param: name(),
            expected,
            got: *value,
        }),
        (Arg::Array(array) | Arg::ArrayMut(array), Type::Array(want)) => {
            let got = arg
                .arg_type()
                .ok_or_else(|| ArgumentError::Unit { param: name() })?;
            if array.elem() != want.elem {
                return Err(ArgumentError::ElementType {
                    param: name(),
                    expected,
                    got,
                });
            }
            if array.rank() != want.rank as usize {
                return Err(ArgumentError::Rank {
                    param: name(),
                    expected,
                    got,
                });
            }
            if want.mutable && matches!(arg, Arg::Array(_)) {
                return Err(ArgumentError::Mutability {
                    param: name(),
                    expected,
                    got,
                });
            }
            Ok(RawArg::Array(array.raw()))
        }
        (Arg::Array(_) | Arg::ArrayMut(_), expected) => Err(ArgumentError::ArrayForScalar {
            param: name(),
            expected,
            got: arg
                .arg_type()
                .unwrap_or(ArgType::Scalar(kernel_ir::Scalar::Bool)),
        }),
    }
}

/// Rejects a call in which an array the kernel may write overlaps another array argument.
/// It runs on every call, so the byte ranges are computed once each, on the stack for up to
/// [`STACK_ARGS`] arguments.
fn check_aliasing(
    args: &[Arg<'_>],
    params: &[ParamInfo],
    types: &[Type],
) -> Result<(), ArgumentError> {
    let range = |(arg, ty): (&Arg<'_>, &Type)| match (arg, ty) {
        (Arg::Array(a) | Arg::ArrayMut(a), Type::Array(t)) => {
            a.byte_range().map(|(lo, hi)| (lo, hi, t.mutable))
        }
        _ => None,
    };
    let mut stack = [None; STACK_ARGS];
    let mut heap = Vec::new();
    let ranges: &mut [Option<(i128, i128, bool)>] = match stack.get_mut(..args.len()) {
        Some(ranges) => ranges,
        None => {
            heap.resize(args.len(), None);
            &mut heap
        }
    };
    for (slot, pair) in ranges.iter_mut().zip(args.iter().zip(types)) {
        *slot = range(pair);
    }
    for (i, writable) in ranges.iter().enumerate() {
        let Some((lo, hi, true)) = *writable else {
            continue;
        };
        for (j, other) in ranges.iter().enumerate() {
            if let Some((other_lo, other_hi, _)) = *other {
                if i != j && lo < other_hi && other_lo < hi {
                    return Err(ArgumentError::Aliasing {
                        writable: params[i].name.clone(),
                        other: params[j].name.clone(),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Calls with up to this many arguments check aliasing without allocating.
const STACK_ARGS: usize = 16;

/// What an argument was when a [`Prepared`] handle was made: a later argument of the same kind
/// passes the same type checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ArgKind {
    Scalar(Option<kernel_ir::Scalar>),
    Array {
        elem: kernel_ir::Scalar,
        rank: usize,
        writable: bool,
    },
}

impl ArgKind {
    fn of(arg: &Arg<'_>) -> ArgKind {
        match arg {
            Arg::Scalar(value) => ArgKind::Scalar(value.scalar()),
            Arg::Array(a) | Arg::ArrayMut(a) => ArgKind::Array {
                elem: a.elem(),
                rank: a.rank(),
                writable: matches!(arg, Arg::ArrayMut(_)),
            },
        }
    }
}

/// A [`Function`] whose argument types were checked once by [`Function::prepare`].
///
/// [`Prepared::call`] takes arguments of the same kinds (scalar types, array element types,
/// ranks and writability) as the ones it was prepared with: it compares those kinds, re-checks
/// aliasing (views may change between calls; shapes need no check, kernels bounds-check) and
/// runs the kernel, reusing one argument buffer; when the arrays are the very views of the
/// previous call, even the aliasing check is skipped. Arguments of other kinds get the full checks
/// of [`Function::call`], with the same errors (and a generic function is specialised for them).
#[derive(Debug)]
pub struct Prepared<'m> {
    /// The handle it was prepared from: it serves arguments of other kinds (a generic one
    /// specialises for them).
    function: Function<'m>,
    /// The function the prepared kinds run.
    resolved: Resolved,
    kinds: Vec<ArgKind>,
    raw: Vec<RawArg>,
}

impl Prepared<'_> {
    pub fn function(&self) -> &Function<'_> {
        &self.function
    }

    /// Calls the function (see [`Function::call`]).
    pub fn call(&mut self, args: &mut [Arg<'_>]) -> Result<Value, Error> {
        self.call_with(args, CallOptions::default())
    }

    /// Calls the function with a deadline or an extra interrupt handle (see
    /// [`Function::call_with`]).
    pub fn call_with(
        &mut self,
        args: &mut [Arg<'_>],
        options: CallOptions<'_>,
    ) -> Result<Value, Error> {
        if args.len() != self.kinds.len() {
            return self.function.call_with(args, options);
        }
        // One pass: the kinds must be the prepared ones; arrays that differ from last call's
        // need the aliasing check again.
        let mut arrays_changed = false;
        for ((slot, arg), kind) in self.raw.iter_mut().zip(args.iter()).zip(&self.kinds) {
            let raw = match (arg, kind) {
                (Arg::Scalar(value), ArgKind::Scalar(scalar)) if value.scalar() == *scalar => {
                    RawArg::Scalar(kernel_ir::abi::RawScalar(value.to_raw()))
                }
                (
                    Arg::Array(a) | Arg::ArrayMut(a),
                    ArgKind::Array {
                        elem,
                        rank,
                        writable,
                    },
                ) if a.elem() == *elem
                    && a.rank() == *rank
                    && matches!(arg, Arg::ArrayMut(_)) == *writable =>
                {
                    let raw = RawArg::Array(a.raw());
                    arrays_changed |= raw != *slot;
                    raw
                }
                _ => {
                    // The next prepared call must check everything again.
                    self.forget_arrays();
                    return self.function.call_with(args, options);
                }
            };
            *slot = raw;
        }
        // Whether arrays overlap depends only on their kinds and layouts: the same views as
        // last time (a Rust loop passing the same buffers) were checked already.
        if arrays_changed {
            let checked = check_aliasing(args, &self.function.params, &self.resolved.param_types);
            if let Err(error) = checked {
                self.forget_arrays();
                return Err(error.into());
            }
        }
        self.function
            .module
            .execute(&self.resolved, &self.raw, options)
    }

    /// Makes the next call check aliasing whatever its arrays.
    fn forget_arrays(&mut self) {
        self.raw
            .iter_mut()
            .for_each(|slot| *slot = RawArg::Scalar(Default::default()));
    }
}
