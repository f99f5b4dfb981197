//! The JIT tier: checked kernel IR → Cranelift IR → machine code in memory.
//!
//! A [`Jit`] owns one `JITModule` (the executable memory), the reusable Cranelift contexts and
//! the table of runtime-error sites. [`Jit::compile`] translates a checked function and every
//! function it reaches by calls (incrementally: functions compiled earlier are reused), and
//! [`Jit::call`] runs one through its `extern "C"` entry trampoline
//! ([`Jit::call_interruptible`] also polls a stop flag, for interrupts and timeouts).
//!
//! Bounds checks are left out where they are proven: an index that is the variable of an
//! enclosing `for i in a..b` with `a >= 0` and `b` the extent of that array axis (directly,
//! or through an immutable local such as `let n = x.len()`), a constant inside a fixed
//! array, or an index that an earlier check on every path already covered (same immutable
//! local, or a constant no larger, on the same axis). `boundscheck: false` removes them all.
//!
//! Module map:
//! - `abi`: the calling convention between compiled functions, the entry trampolines and the
//!   error context (`abi::JitCtx`);
//! - `translate`: one kernel function → one Cranelift function (`expr`, `stmt`, `loops`,
//!   `builtin`, `access` for array addressing and bounds checks);
//! - `profile`: instrumented code's counters and hooks ([`JitOptions::profile`],
//!   [`Jit::call_profiled`]);
//! - `trampoline`: the entry thunks that unpack [`RawArg`] slots, one per signature shape,
//!   compiled once per process and shared by every `Jit`.
//!
//! **Invariant:** compiled code never traps and never touches memory outside its arguments:
//! every runtime error (bounds, division, clamp, step, recursion, interrupt) branches to a cold
//! block that records the error site in the context and returns an error status through every
//! frame, and the result is identical to the interpreter's.
//!
//! A `Jit` is `Send` and `Sync`: compiling needs `&mut`, calling only `&` (each call has its
//! own error context), so one Jit may run kernels on several threads at once.

mod abi;
mod alloc;
mod imports;
mod parallel;
mod print;
mod profile;
mod trampoline;
mod translate;

use std::collections::HashMap;
use std::sync::atomic::AtomicU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cranelift_codegen::ir::{self as clir};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{Module, ModuleError};

use kernel_ir::ir::FuncId;
use kernel_ir::{KernelError, Program, Scalar, Type, MAX_TUPLE_LEN};

use crate::abi::{ErrorSite, JitCtx, ParamKind};

pub use kernel_ir::abi::{RawArg, RawArray, RawReturn, RawScalar};
pub use profile::{FunctionCount, JitProfile, LineCount, ProfiledCall};

/// One bounds check emitted into compiled code (see [`Jit::bounds_checks`]).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BoundsCheck {
    pub function: String,
    pub line: u32,
    pub col: u32,
    pub array: String,
    pub axis: u32,
    /// In the checked copy of a versioned loop, which runs only when the loop's guard fails.
    pub checked_copy: bool,
}

/// Compile options of one [`Jit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JitOptions {
    /// Emit a bounds check on every array access (hoisted out of loops where provable).
    /// `false` removes them: out-of-range indices are then undefined behaviour.
    pub boundscheck: bool,
    /// Keep the Cranelift IR and the disassembly of every compiled function, for `explain`.
    pub keep_text: bool,
    /// Emit counters at every statement boundary for [`Jit::call_profiled`] (see `profile`).
    /// `false` emits none: ordinary code is unchanged.
    pub profile: bool,
}

impl Default for JitOptions {
    fn default() -> JitOptions {
        JitOptions {
            boundscheck: true,
            keep_text: false,
            profile: false,
        }
    }
}

/// What can go wrong while compiling (never while running: that is a [`KernelError`]).
#[derive(thiserror::Error, Debug)]
pub enum JitError {
    #[error("the host machine is not supported by Cranelift: {0}")]
    UnsupportedHost(&'static str),
    #[error("invalid Cranelift setting: {0}")]
    Settings(#[from] settings::SetError),
    #[error("Cranelift could not build the target ISA: {0}")]
    Isa(#[from] cranelift_codegen::CodegenError),
    #[error("Cranelift module error while compiling `{function}`: {source}")]
    Module {
        function: String,
        #[source]
        source: Box<ModuleError>,
    },
    #[error("generated Cranelift IR for `{function}` failed verification:\n{report}")]
    Verify { function: String, report: String },
    #[error("function id {0} is not a function of this program")]
    UnknownFunction(u32),
    #[error("function id {0} has not been compiled by this JIT")]
    NotCompiled(u32),
    #[error("`{function}` takes {expected} argument(s) but {got} were supplied")]
    ArgumentCount {
        function: String,
        expected: usize,
        got: usize,
    },
    #[error("argument {index} of `{function}`: expected {expected}, got {got}")]
    ArgumentKind {
        function: String,
        index: usize,
        expected: String,
        got: &'static str,
    },
    #[error("this JIT was built without `JitOptions::profile`, so it cannot profile")]
    NotInstrumented,
    #[error("an earlier compilation failed half way; this JIT can no longer compile")]
    Poisoned,
}

/// A compiled function: its entry trampoline and what `call` needs to unpack arguments.
#[derive(Debug)]
struct Compiled {
    name: String,
    /// Address of the `extern "C"` entry trampoline of its shape, and of the body it calls
    /// (kept as integers so `Jit` is `Send`).
    entry: usize,
    body: usize,
    params: Vec<ParamKind>,
    /// The return type, and the scalars it comes back as (one trampoline return slot each).
    ret: Type,
    ret_slots: Vec<Scalar>,
}

/// A function declared in the module (its body; trampolines belong to [`Compiled`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Declared {
    body: cranelift_module::FuncId,
}

/// The JIT: compiled code for the functions of one [`Program`].
///
/// A `Jit` serves one program: [`FuncId`]s are the program's. Dropping it frees all code.
pub struct Jit {
    options: JitOptions,
    /// `Some` until `Drop` hands it to `free_memory`. Only ever used through `&mut self`
    /// (`Mutex::get_mut`, never locked): the mutex is what makes `Jit` `Sync`, so compiled
    /// functions can be called from several threads at once.
    module: Option<Mutex<JITModule>>,
    ctx: Context,
    builder_ctx: FunctionBuilderContext,
    declared: HashMap<FuncId, Declared>,
    /// By `FuncId` index: a call finds its function without hashing.
    compiled: Vec<Option<Compiled>>,
    /// CLIF and disassembly of every body, when [`JitOptions::keep_text`] is set.
    texts: HashMap<FuncId, (String, String)>,
    sites: Vec<ErrorSite>,
    /// The print statements of compiled code, by address (see `print`).
    #[allow(clippy::vec_box, reason = "compiled code holds each site's address")]
    prints: Vec<Box<print::PrintSite>>,
    imports: imports::Imports,
    /// The hooks and counter slots of instrumented code, when [`JitOptions::profile`] is set.
    instrumentation: Option<profile::Instrumentation>,
    poisoned: bool,
    compile_time: Duration,
}

impl std::fmt::Debug for Jit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jit")
            .field("options", &self.options)
            .field("compiled", &self.compiled.iter().flatten().count())
            .field("sites", &self.sites.len())
            .finish_non_exhaustive()
    }
}

impl Drop for Jit {
    fn drop(&mut self) {
        if let Some(module) = self.module.take().and_then(|m| m.into_inner().ok()) {
            // SAFETY: the code is only reachable through `&self` (`call` borrows the Jit), so no
            // compiled function is running and no pointer into the module outlives it.
            unsafe { module.free_memory() };
        }
    }
}

fn host_isa() -> Result<OwnedTargetIsa, JitError> {
    let mut flags = settings::builder();
    flags.set("opt_level", "speed")?;
    flags.set("unwind_info", "false")?;
    flags.set("use_colocated_libcalls", "false")?;
    flags.set("is_pic", "false")?;
    // Large fixed arrays must not jump over the guard page of a thread's stack.
    flags.set("enable_probestack", "true")?;
    flags.set("probestack_strategy", "inline")?;
    // A tuple's elements come back as extra return values; those past the registers the
    // host's convention has (two integer registers on x86-64, one taken by the status) go
    // to a return area Cranelift reserves in the caller's frame, never the heap.
    flags.set("enable_multi_ret_implicit_sret", "true")?;
    let verify = if cfg!(debug_assertions) {
        "true"
    } else {
        "false"
    };
    flags.set("enable_verifier", verify)?;
    let isa_builder = cranelift_native::builder().map_err(JitError::UnsupportedHost)?;
    Ok(isa_builder.finish(settings::Flags::new(flags))?)
}

pub(crate) fn new_module() -> Result<JITModule, JitError> {
    let mut builder = JITBuilder::with_isa(host_isa()?, cranelift_module::default_libcall_names());
    imports::register(&mut builder);
    Ok(JITModule::new(builder))
}

impl Jit {
    pub fn new(options: JitOptions) -> Result<Jit, JitError> {
        let mut module = new_module()?;
        let imports =
            imports::Imports::declare(&mut module).map_err(|e| module_error("<imports>", *e))?;
        let instrumentation = options.profile.then(profile::Instrumentation::default);
        let ctx = module.make_context();
        Ok(Jit {
            options,
            module: Some(Mutex::new(module)),
            ctx,
            builder_ctx: FunctionBuilderContext::new(),
            declared: HashMap::new(),
            compiled: Vec::new(),
            texts: HashMap::new(),
            sites: Vec::new(),
            prints: Vec::new(),
            imports,
            instrumentation,
            poisoned: false,
            compile_time: Duration::ZERO,
        })
    }

    pub fn options(&self) -> JitOptions {
        self.options
    }

    /// Compiles `id` and every function reachable from it by calls that is not compiled yet
    /// (incremental: a later call may add new generic instances to the same Program). Only
    /// `id` gets an entry trampoline: functions reached only by calls need none until they are
    /// compiled as a root themselves.
    pub fn compile(&mut self, program: &Program, id: FuncId) -> Result<(), JitError> {
        if self.poisoned {
            return Err(JitError::Poisoned);
        }
        let started = Instant::now();
        let pending = self.pending_functions(program, id)?;
        if pending.is_empty() && self.is_compiled(id) {
            return Ok(());
        }
        let result = self.compile_pending(program, id, &pending);
        if result.is_err() {
            // Declared-but-undefined functions may be referenced by defined ones: finalising
            // this module again could resolve a call to nothing.
            self.poisoned = true;
        }
        self.compile_time += started.elapsed();
        result
    }

    /// Total time spent in [`Jit::compile`], in microseconds.
    pub fn compile_micros(&self) -> u128 {
        self.compile_time.as_micros()
    }

    /// Every bounds check in the code compiled so far, in emission order. A check inside a
    /// loop and in a versioned loop's fast copy appears once per copy; `checked_copy` marks
    /// those of the copies that run only when a guard fails. Tests compare this with the bounds
    /// analysis (`kernel_ir::analysis::bounds`) that `explain --annotate` shows.
    pub fn bounds_checks(&self) -> Vec<BoundsCheck> {
        self.sites
            .iter()
            .filter_map(|site| match &site.kind {
                abi::SiteKind::Bounds {
                    array,
                    axis,
                    checked_copy,
                    ..
                } => Some(BoundsCheck {
                    function: site.function.clone(),
                    line: site.line,
                    col: site.col,
                    array: array.clone(),
                    axis: *axis,
                    checked_copy: *checked_copy,
                }),
                _ => None,
            })
            .collect()
    }

    /// Whether `id` can be [`Jit::call`]ed.
    pub fn is_compiled(&self, id: FuncId) -> bool {
        self.compiled_fn(id).is_some()
    }

    fn compiled_fn(&self, id: FuncId) -> Option<&Compiled> {
        self.compiled.get(id.index()).and_then(Option::as_ref)
    }

    /// The Cranelift IR of a compiled function, as generated (before optimisation), when
    /// [`JitOptions::keep_text`] is set.
    pub fn clif(&self, id: FuncId) -> Option<&str> {
        self.texts.get(&id).map(|(clif, _)| clif.as_str())
    }

    /// The disassembly of a compiled function when [`JitOptions::keep_text`] is set.
    pub fn asm(&self, id: FuncId) -> Option<&str> {
        self.texts.get(&id).map(|(_, asm)| asm.as_str())
    }

    /// The functions reachable from `root` that still need a body, root first.
    fn pending_functions(&self, program: &Program, root: FuncId) -> Result<Vec<FuncId>, JitError> {
        let count = program.functions().len();
        let mut pending = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            if id.index() >= count {
                return Err(JitError::UnknownFunction(id.0));
            }
            if self.declared.contains_key(&id) || !seen.insert(id) {
                continue;
            }
            pending.push(id);
            for expr in &program.function(id).exprs {
                if let kernel_ir::ir::Expr::Call(callee, _) = expr {
                    stack.push(*callee);
                }
            }
        }
        Ok(pending)
    }

    fn module_mut(&mut self) -> Result<&mut JITModule, JitError> {
        module_of(&mut self.module)
    }

    fn compile_pending(
        &mut self,
        program: &Program,
        root: FuncId,
        pending: &[FuncId],
    ) -> Result<(), JitError> {
        for &id in pending {
            self.declare(program, id)?;
        }
        for &id in pending {
            if let Some(text) = self.define_body(program, id)? {
                self.texts.insert(id, text);
            }
        }
        self.module_mut()?
            .finalize_definitions()
            .map_err(|e| module_error("<finalize>", e))?;
        let function = program.function(root);
        let body_id = self.declared[&root].body;
        let body = self.module_mut()?.get_finalized_function(body_id) as usize;
        let params = abi::param_kinds(function);
        let ret_slots = function.ret.raw_scalars();
        let entry = trampoline::entry_for(&params, &ret_slots)?;
        if self.compiled.len() <= root.index() {
            self.compiled.resize_with(root.index() + 1, || None);
        }
        self.compiled[root.index()] = Some(Compiled {
            name: function.name.clone(),
            entry,
            body,
            params,
            ret: function.ret,
            ret_slots,
        });
        Ok(())
    }

    fn declare(&mut self, program: &Program, id: FuncId) -> Result<(), JitError> {
        let function = program.function(id);
        let module = self.module_mut()?;
        let body_sig = abi::body_signature(module, function);
        let body = module
            .declare_anonymous_function(&body_sig)
            .map_err(|e| module_error(&function.name, e))?;
        self.declared.insert(id, Declared { body });
        Ok(())
    }

    /// Translates and defines the body of `id`; returns its CLIF and disassembly when kept.
    fn define_body(
        &mut self,
        program: &Program,
        id: FuncId,
    ) -> Result<Option<(String, String)>, JitError> {
        let function = program.function(id);
        let module = module_of(&mut self.module)?;
        module.clear_context(&mut self.ctx);
        self.ctx.func.signature = abi::body_signature(module, function);
        let mut env = translate::Env {
            module,
            program,
            declared: &self.declared,
            sites: &mut self.sites,
            prints: &mut self.prints,
            boundscheck: self.options.boundscheck,
            imports: &self.imports,
            outlined: Vec::new(),
            error: None,
            instrumentation: self.instrumentation.as_mut(),
        };
        translate::translate_function(&mut env, &mut self.ctx.func, &mut self.builder_ctx, id);
        let (outlined, error) = (env.outlined, env.error);
        if let Some(error) = error {
            return Err(module_error(&function.name, error));
        }
        let mut text = self.finish_definition(&function.name, self.declared[&id].body)?;
        for chunk in outlined {
            module_of(&mut self.module)?.clear_context(&mut self.ctx);
            self.ctx.func = chunk.func;
            let name = format!("{} (prange chunk)", function.name);
            let chunk_text = self.finish_definition(&name, chunk.id)?;
            if let (Some((clif, asm)), Some((more_clif, more_asm))) = (&mut text, chunk_text) {
                clif.push_str(&more_clif);
                asm.push_str(&more_asm);
            }
        }
        Ok(text)
    }

    fn finish_definition(
        &mut self,
        name: &str,
        func_id: cranelift_module::FuncId,
    ) -> Result<Option<(String, String)>, JitError> {
        self.verify(name)?;
        let keep = self.options.keep_text;
        let clif = keep.then(|| self.ctx.func.display().to_string());
        self.ctx.set_disasm(keep);
        let module = module_of(&mut self.module)?;
        module
            .define_function(func_id, &mut self.ctx)
            .map_err(|e| module_error(name, e))?;
        let asm = self
            .ctx
            .compiled_code()
            .and_then(|code| code.vcode.clone())
            .unwrap_or_default();
        Ok(clif.map(|clif| (clif, asm)))
    }

    /// Runs Cranelift's verifier on the function in `ctx` (debug builds and tests only: in
    /// release builds the translator is trusted, and compile latency matters).
    fn verify(&mut self, name: &str) -> Result<(), JitError> {
        if !cfg!(debug_assertions) {
            return Ok(());
        }
        let module = module_of(&mut self.module)?;
        verify_clif(&self.ctx.func, module.isa(), name)
    }

    /// Checks that `args` fit the parameters of compiled function `id`: what [`Jit::call`]
    /// requires. The runtime calls this once per signature.
    pub fn check_args(&self, id: FuncId, args: &[RawArg]) -> Result<(), JitError> {
        let compiled = self.compiled_fn(id).ok_or(JitError::NotCompiled(id.0))?;
        abi::check_args(&compiled.name, &compiled.params, args)
    }

    /// Runs a compiled function. Args in parameter order: `RawArg::Scalar(RawScalar)`
    /// (normalised to the parameter's type) or `RawArg::Array(RawArray)` matching the
    /// parameter's element type and rank. The result is the return value's raw bits, normalised
    /// (`RawScalar(0)` for functions returning nothing).
    ///
    /// # Safety
    /// `id` was compiled by this Jit and `args` pass [`Jit::check_args`] (checked again in debug
    /// builds); arrays describe live memory for the whole call; writable parameters are not
    /// aliased by any other array argument.
    pub unsafe fn call(&self, id: FuncId, args: &[RawArg]) -> Result<RawScalar, KernelError> {
        // SAFETY: the caller upholds `call`'s contract, which is `run`'s.
        unsafe { self.run(id, args, JitCtx::uninterruptible()) }.map(|ret| RawScalar(ret.first()))
    }

    /// [`Jit::call`] that also stops when `flag` becomes non-zero: the kernel then returns
    /// `ErrorKind::Timeout` if the flag was 2 and `ErrorKind::Interrupted` otherwise. The flag
    /// is polled at every `while`/`loop` iteration, at the back-edge of every `for` loop whose
    /// body holds a loop or a call, and at the entry of every function that calls (so deep
    /// recursion stops too); an innermost `for` loop runs to its end first.
    ///
    /// # Safety
    /// As for [`Jit::call`].
    pub unsafe fn call_interruptible(
        &self,
        id: FuncId,
        args: &[RawArg],
        flag: &AtomicU32,
    ) -> Result<RawScalar, KernelError> {
        // SAFETY: the caller upholds `call`'s contract; `flag` outlives the call.
        unsafe { self.call_returning(id, args, flag) }.map(|ret| RawScalar(ret.first()))
    }

    /// [`Jit::call_interruptible`] returning every slot of the result: a tuple's elements in
    /// order, each normalised (see [`RawReturn`]).
    ///
    /// # Safety
    /// As for [`Jit::call`].
    pub unsafe fn call_returning(
        &self,
        id: FuncId,
        args: &[RawArg],
        flag: &AtomicU32,
    ) -> Result<RawReturn, KernelError> {
        // SAFETY: the caller upholds `call`'s contract; `flag` outlives the call.
        unsafe { self.run(id, args, JitCtx::new(flag)) }
    }

    /// # Safety
    /// As for [`Jit::call`]; `ctx.interrupt` points to a live flag.
    unsafe fn run(
        &self,
        id: FuncId,
        args: &[RawArg],
        mut ctx: JitCtx,
    ) -> Result<RawReturn, KernelError> {
        debug_assert!(self.check_args(id, args).is_ok(), "Jit::call precondition");
        let Some(compiled) = self.compiled_fn(id) else {
            return Ok(RawReturn::default());
        };
        // Up to 16 parameters pack into the stack: a call allocates nothing.
        let mut stack = [0u64; 16];
        let mut heap = Vec::new();
        let count = compiled.params.len();
        let slots: &mut [u64] = match stack.get_mut(..count) {
            Some(slots) => slots,
            None => {
                heap.resize(count, 0);
                &mut heap
            }
        };
        if !abi::pack_args(&compiled.params, args, slots) {
            return Ok(RawReturn::default());
        }
        let mut ret = [0u64; MAX_TUPLE_LEN];
        let entry: abi::EntryFn = {
            // SAFETY: `entry` is the address of a finalised trampoline with the `EntryFn`
            // signature, in the process-wide trampoline module that is never freed.
            unsafe { std::mem::transmute::<usize, abi::EntryFn>(compiled.entry) }
        };
        let body = compiled.body as *const u8;
        // SAFETY: `body` is this function's finalised body (alive as long as `self`) and the
        // trampoline is the one of its shape; `slots` holds one slot per parameter, the
        // layout the trampoline reads, arrays as addresses into `args` (alive for the call);
        // the caller guarantees the arrays are live and unaliased; `ret` and `ctx` are valid
        // for writes and `ctx.interrupt` for reads.
        let status = unsafe { entry(slots.as_ptr(), ret.as_mut_ptr(), &mut ctx, body) };
        if status == 0 {
            for (slot, scalar) in ret.iter_mut().zip(&compiled.ret_slots) {
                *slot = RawScalar(*slot).normalised(*scalar).0;
            }
            return Ok(RawReturn(ret));
        }
        Err(abi::kernel_error(&self.sites, &ctx))
    }

    /// The parameter types `call` expects, for callers that build arguments generically.
    pub fn signature(&self, id: FuncId) -> Option<(Vec<Type>, Type)> {
        let compiled = self.compiled_fn(id)?;
        let params = compiled.params.iter().map(|p| p.as_type()).collect();
        Some((params, compiled.ret))
    }
}

/// The module, unless `Drop` took it (or a panic poisoned it, which never locks it).
fn module_of(module: &mut Option<Mutex<JITModule>>) -> Result<&mut JITModule, JitError> {
    module
        .as_mut()
        .and_then(|m| m.get_mut().ok())
        .ok_or(JitError::Poisoned)
}

pub(crate) fn module_error(function: &str, source: ModuleError) -> JitError {
    JitError::Module {
        function: function.to_string(),
        source: Box::new(source),
    }
}

/// Verifies one Cranelift function, rendering every error with the function text.
pub(crate) fn verify_clif(
    func: &clir::Function,
    isa: &dyn cranelift_codegen::isa::TargetIsa,
    name: &str,
) -> Result<(), JitError> {
    cranelift_codegen::verify_function(func, isa).map_err(|errors| JitError::Verify {
        function: name.to_string(),
        report: cranelift_codegen::print_errors::pretty_verifier_error(func, None, errors),
    })
}
