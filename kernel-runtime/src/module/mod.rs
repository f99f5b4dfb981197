//! [`Module`]: a kernel source checked by the front end and ready to run in one tier.
//!
//! A module keeps its checked program and its tier's state behind a lock; handles
//! ([`Function`], [`TypedFunc`]) resolve a function once and then call it without taking
//! the lock. Generic (`_`) functions are instantiated per argument signature under the lock:
//! `Program::instantiate` caches instances, and new ones are compiled for the tier.
//!
//! Seams: `function` (handles and the one call path), `bind` (argument checks), `backend`
//! (the three tiers), `inspect` here (the texts `kernelc explain` shows).

mod inspect;

use std::sync::{Arc, Mutex, MutexGuard};

use kernel_ir::ir::FuncId;
use kernel_ir::{ArgType, Diagnostic, ParamInfo, Program};

use crate::backend::interp::{self, Table};
#[cfg(feature = "jit")]
use crate::backend::jit::{self, SharedJit};
use crate::backend::native::NativeTable;
use crate::backend::Engine;
use crate::error::{suggest, BackendError, Error};
use crate::function::{Function, Resolved};
use crate::interrupt::InterruptHandle;
use crate::typed::{Params, Return, TypedFunc};
use crate::{Backend, Options};

/// A compiled kernel source. Cheap to clone (a shared handle); `Send + Sync`: share it
/// between threads freely.
#[derive(Clone)]
pub struct Module {
    shared: Arc<Shared>,
}

struct Shared {
    options: Options,
    source: Arc<str>,
    state: Mutex<State>,
    /// Watched by every call of the module's functions.
    interrupt: InterruptHandle,
}

pub(crate) struct State {
    pub program: Program,
    /// Whether each `FuncId` is a checked, runnable function (not a failed instantiation).
    pub runnable: Vec<bool>,
    pub tier: Tier,
}

/// What the module's backend keeps between calls.
pub(crate) enum Tier {
    /// Every runnable function, compiled when the program gains it.
    Interpreter(Table),
    #[cfg(feature = "jit")]
    Jit {
        jit: SharedJit,
        /// The instrumented JIT of `Function::profile`, made on first use so that ordinary
        /// calls never share code with it.
        profile: Option<SharedJit>,
    },
    Native(&'static NativeTable),
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("options", &self.shared.options)
            .field("functions", &self.function_names())
            .finish_non_exhaustive()
    }
}

/// The front end's share of the options.
fn compile_options(options: &Options) -> kernel_ir::CompileOptions {
    kernel_ir::CompileOptions {
        reassociate: options.reassociate,
        max_alloc_bytes: Some(options.max_alloc_bytes),
    }
}

impl Module {
    /// Parses, checks and compiles `source` with the default options.
    pub fn compile(source: &str) -> Result<Module, Error> {
        Module::compile_with(source, Options::default())
    }

    /// Parses and checks `source` and prepares it for `options.backend`: the interpreter or
    /// the JIT. Native code comes from `#[kernel]` ([`Module::native`]).
    pub fn compile_with(source: &str, options: Options) -> Result<Module, Error> {
        let program = kernel_ir::compile_with(source, compile_options(&options))?;
        let tier = match options.backend {
            Backend::Interpreter => Tier::Interpreter(Arc::from(Vec::new())),
            #[cfg(feature = "jit")]
            Backend::Jit => Tier::Jit {
                jit: jit::new(&options, false)?,
                profile: None,
            },
            #[cfg(not(feature = "jit"))]
            Backend::Jit => return Err(backend_error(Backend::Jit, BackendError::NoJit)),
            Backend::Native => {
                return Err(backend_error(Backend::Native, BackendError::NoNativeCode))
            }
        };
        Module::with_tier(program, tier, options)
    }

    /// The native code of a `#[kernel]` item (`name::NATIVE`), behind the same handles as
    /// the other tiers. The item's source is checked again by the front end (a fraction of a
    /// millisecond) for the parameters, names and `explain` texts.
    pub fn native(table: &'static NativeTable) -> Result<Module, Error> {
        let options = Options {
            backend: Backend::Native,
            boundscheck: table.boundscheck,
            inspect: false,
            reassociate: table.reassociate(),
            max_alloc_bytes: table.max_alloc_bytes,
        };
        let program = kernel_ir::compile_with(table.source, compile_options(&options))?;
        for name in program.function_names() {
            if table.entry(name).is_none() && program.concrete(name).is_some() {
                return Err(Error::Backend {
                    backend: Backend::Native,
                    function: Some(name.to_string()),
                    source: BackendError::MissingNative,
                });
            }
        }
        Module::with_tier(program, Tier::Native(table), options)
    }

    /// A `#[kernel]` item in the tier `options.backend` picks: its native code, or its source
    /// compiled for the interpreter or the JIT. What the generated `name::module(options)`
    /// calls, so applications choose a tier by value.
    /// The item's `#[kernel(reassociate)]` applies in every tier, so they give the same bits.
    pub fn from_table(table: &'static NativeTable, options: Options) -> Result<Module, Error> {
        match options.backend {
            Backend::Native => Module::native(table),
            _ => Module::compile_with(
                table.source,
                Options {
                    reassociate: table.reassociate(),
                    max_alloc_bytes: table.max_alloc_bytes,
                    ..options
                },
            ),
        }
    }

    fn with_tier(program: Program, tier: Tier, options: Options) -> Result<Module, Error> {
        let mut state = State {
            runnable: Vec::new(),
            program,
            tier,
        };
        refresh(&mut state, &options)?;
        Ok(Module {
            shared: Arc::new(Shared {
                source: state.program.source().clone(),
                options,
                state: Mutex::new(state),
                interrupt: InterruptHandle::new(),
            }),
        })
    }

    /// The handle every call of this module's functions watches: `interrupt()` on it (from
    /// any thread) stops them all at their next loop back-edge or call with
    /// `ErrorKind::Interrupted`, until `reset()`. See [`InterruptHandle`].
    pub fn interrupt_handle(&self) -> InterruptHandle {
        self.shared.interrupt.clone()
    }

    pub(crate) fn interrupt(&self) -> &InterruptHandle {
        &self.shared.interrupt
    }

    pub fn options(&self) -> &Options {
        &self.shared.options
    }

    /// Which tier runs this module's functions.
    pub fn backend(&self) -> Backend {
        self.shared.options.backend
    }

    pub fn source(&self) -> &str {
        &self.shared.source
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-updated in a way that
        // matters (tables are replaced atomically), so a poisoned lock is still usable.
        self.shared
            .state
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

    /// The warnings of the source (code that compiles but is almost certainly a mistake,
    /// such as `x >= 0` with `x: usize`), in source order. Render one with
    /// `warning.render(module.source())`. The warnings of a generic (`_`) function's
    /// instance join the list when a call first makes that instance.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        self.lock().program.warnings().to_vec()
    }

    /// [`Module::warnings`] rendered like rustc (`warning: …`), separated by blank lines;
    /// empty when there are none.
    pub fn render_warnings(&self) -> String {
        self.lock().program.render_warnings()
    }

    /// The parameters of `name` as declared.
    pub fn params(&self, name: &str) -> Result<Vec<ParamInfo>, Error> {
        let state = self.lock();
        state
            .program
            .params(name)
            .ok_or_else(|| unknown_function(&state.program, name))
    }

    /// A handle to function `name`, checked once; call it as often as needed. The JIT
    /// compiles the function (and what it calls) now.
    pub fn function(&self, name: &str) -> Result<Function, Error> {
        let mut state = self.lock();
        let program = &state.program;
        let params = program
            .params(name)
            .ok_or_else(|| unknown_function(program, name))?;
        let resolved = match program.concrete(name) {
            Some(id) => Some(resolve(&mut state, id)?),
            None => None,
        };
        Ok(Function::new(self.clone(), name, params, resolved))
    }

    /// A handle to function `name` with Rust parameter and return types, checked against the
    /// kernel's once, here; see [`TypedFunc`]. The handle owns a clone of the module.
    pub fn typed<P: Params, R: Return>(&self, name: &str) -> Result<TypedFunc<P, R>, Error> {
        TypedFunc::new(self, name)
    }

    /// The instance of generic function `name` for these argument types, compiled.
    pub(crate) fn instantiate(&self, name: &str, args: &[ArgType]) -> Result<Resolved, Error> {
        let mut state = self.lock();
        let id = state.program.instantiate(name, args)?;
        refresh(&mut state, &self.shared.options)?;
        resolve(&mut state, id)
    }
}

/// Brings the tier up to date with the functions the program gained since the last refresh.
fn refresh(state: &mut State, options: &Options) -> Result<(), Error> {
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
    if let Tier::Interpreter(table) = &state.tier {
        let table = interp::extend(table, &state.program, &runnable, options.boundscheck)?;
        state.tier = Tier::Interpreter(table);
    }
    state.runnable.extend(runnable);
    Ok(())
}

/// Checked function `id`, compiled for the tier, with what a handle needs to call it.
fn resolve(state: &mut State, id: FuncId) -> Result<Resolved, Error> {
    let engine = match &state.tier {
        Tier::Interpreter(table) => Engine::Interpreter(table.clone()),
        #[cfg(feature = "jit")]
        Tier::Jit { jit, .. } => {
            jit::ensure_compiled(jit, &state.program, id)?;
            Engine::Jit(jit.clone())
        }
        Tier::Native(table) => {
            let name = &state.program.function(id).name;
            let entry = table.entry(name).ok_or_else(|| Error::Backend {
                backend: Backend::Native,
                function: Some(name.clone()),
                source: BackendError::MissingNative,
            })?;
            Engine::Native(entry)
        }
    };
    Ok(Resolved::new(state.program.function(id), id, engine))
}

pub(crate) fn unknown_function(program: &Program, name: &str) -> Error {
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

fn backend_error(backend: Backend, source: BackendError) -> Error {
    Error::Backend {
        backend,
        function: None,
        source,
    }
}
