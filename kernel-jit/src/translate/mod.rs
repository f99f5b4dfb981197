//! One checked kernel function → one Cranelift function (the *body* of [`crate::abi`]).
//!
//! [`FunctionCx`] holds the builder, one Cranelift `Variable` per scalar local, the SSA values
//! of every array parameter (loaded once at entry), the stack slot of every fixed local array,
//! and the break/continue targets of the enclosing loops. The work is split by concern:
//! `expr` (the match over every expression), `stmt` (statements and blocks), `loops`,
//! `builtin` (math and integer methods), `access` (array addressing and bounds checks),
//! `vectorize` (elementwise innermost loops as `f64x2`, behind a run-time guard), `slp`
//! (independent divisions paired into one `f64x2` division).
//!
//! **Invariant:** the builder never leaves an unterminated block behind: after a `Never`
//! expression (break, continue, return) translation continues in a fresh unreachable block, so
//! every later instruction has a home and the surrounding code needs no special cases.

mod access;
mod alloc;
mod expr;
mod lanes;
mod loops;
mod ops;
mod prange;
mod print;
mod profile;
mod promote;
mod slp;
mod stmt;
mod tuples;
mod vectorize;
mod versioning;
mod view;

use std::collections::HashMap;

use cranelift_codegen::ir::{
    self, types, Block, FuncRef, InstBuilder, StackSlot, StackSlotData, StackSlotKind, Value,
};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::JITModule;
use cranelift_module::Module;

use kernel_ir::analysis::bounds::{Access, BoundsTable};
use kernel_ir::analysis::promote::Promoted;
use kernel_ir::diag::Span;
use kernel_ir::ir::{ExprId, FuncId, Function, LoopId};
use kernel_ir::{ErrorKind, Program, Scalar, Type};

use crate::abi::{clif_type, ErrorSite, SiteKind, CTX_EXTENT, CTX_INDEX, CTX_INTERRUPT, CTX_SITE};
use crate::imports::MathFn;
use crate::Declared;

/// What the translator needs from the [`crate::Jit`] for one function.
pub(crate) struct Env<'a> {
    pub module: &'a mut JITModule,
    pub program: &'a Program,
    pub declared: &'a HashMap<FuncId, Declared>,
    pub sites: &'a mut Vec<ErrorSite>,
    /// The sites of print statements, whose addresses compiled code passes to the host.
    #[allow(clippy::vec_box, reason = "compiled code holds each site's address")]
    pub prints: &'a mut Vec<Box<crate::print::PrintSite>>,
    pub boundscheck: bool,
    /// The host functions (math, parallel-for, profiling hooks), declared once per module and
    /// found by symbol.
    pub imports: &'a crate::imports::Imports,
    /// Chunk functions of `prange` loops, declared while translating, defined by the Jit
    /// after the function that calls them.
    pub outlined: Vec<Outlined>,
    /// The first module error met while declaring an outlined function.
    pub error: Option<cranelift_module::ModuleError>,
    /// The profiling hooks and counter slots, when the Jit instruments its code.
    pub instrumentation: Option<&'a mut crate::profile::Instrumentation>,
}

/// The chunk function of one `prange` loop (see `prange`).
pub(crate) struct Outlined {
    pub id: cranelift_module::FuncId,
    pub func: ir::Function,
}

/// The promotable elements of every innermost loop (`kernel_ir::analysis::promote`).
pub(crate) type Promotions = HashMap<LoopId, Vec<Promoted>>;

/// An array's data pointer, extents and strides as SSA values at one use site (see
/// [`FunctionCx::array_parts`]).
#[derive(Clone, Debug)]
pub(crate) struct ArrayParts {
    pub data: Value,
    pub dims: Vec<Value>,
    pub strides: Vec<Value>,
}

/// How an array local is stored.
#[derive(Clone, Debug)]
pub(crate) enum ArrayStorage {
    /// An array parameter: the address of its descriptor (`RawArray` layout), which is never
    /// written while the function runs, so its fields are loaded where they are used and the
    /// optimiser merges and hoists the loads (see `access`).
    Desc { ptr: Value, rank: u8 },
    /// A fixed local `[T; len]`: contiguous in a stack slot.
    Fixed { slot: StackSlot, len: u32 },
    /// A fixed local array of the function that runs a `prange` loop, read by its chunk
    /// function through its address.
    FixedAt { data: Value, len: u32 },
    /// A `let` view: its data pointer, extents and strides, computed where it is declared.
    Parts(ArrayParts),
}

/// Where `break` and `continue` of one loop jump; `break` passes the loop's value, if any.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LoopTargets {
    pub break_block: Block,
    pub continue_block: Block,
    /// The type of `break value` (the break block's parameter), if the loop has a value.
    pub break_value: Option<Scalar>,
}

pub(crate) struct FunctionCx<'a, 'e> {
    pub env: &'a mut Env<'e>,
    pub b: FunctionBuilder<'a>,
    pub f: &'a Function,
    pub ctx: Value,
    pub depth: Value,
    /// The interrupt flag's address, loaded from ctx once at entry.
    pub interrupt: Value,
    pub vars: Vec<Option<Variable>>,
    pub arrays: Vec<Option<ArrayStorage>>,
    pub loops: Vec<Option<LoopTargets>>,
    /// Returns the error status (the callee's, or ours once stored in ctx).
    pub fail_block: Block,
    pub callees: HashMap<FuncId, FuncRef>,
    pub libcalls: HashMap<&'static str, FuncRef>,
    /// What the bounds analysis decided for every access of `f` (see `versioning`).
    pub bounds: &'a BoundsTable,
    /// The elements each innermost loop may keep in a register (see `promote`).
    pub promotions: &'a Promotions,
    /// The promoted elements of the loop being translated, by access: their variable and
    /// address.
    pub promoted: HashMap<Access, (Variable, Value)>,
    /// The versioned loops whose fast copy is being translated: accesses hoisted to them
    /// are not checked.
    pub fast: Vec<LoopId>,
    /// Translating the checked copy of a versioned loop: nothing inside is versioned again,
    /// so a nest's code grows linearly, not exponentially.
    pub plain: bool,
    /// Translating the chunk function of a `prange` loop (a `prange` inside runs sequentially;
    /// the checker already makes nested ones sequential).
    pub in_chunk: bool,
    /// The counters of instrumented code (`None` in ordinary code: see `profile`).
    pub profile: Option<profile::ProfileCx>,
    /// The pointer variable of each owned array local (see `alloc`).
    pub owned: Vec<(kernel_ir::ir::LocalId, alloc::OwnedVar)>,
    /// The element variables of each tuple local (see `tuples`).
    pub tuple_vars: HashMap<kernel_ir::ir::LocalId, Vec<Variable>>,
}

/// Translates checked function `id` into `func` (whose signature is already set).
pub(crate) fn translate_function(
    env: &mut Env<'_>,
    func: &mut ir::Function,
    builder_ctx: &mut FunctionBuilderContext,
    id: FuncId,
) {
    let f = env.program.function(id);
    let bounds = kernel_ir::analysis::bounds::analyze(f);
    let promotions = kernel_ir::analysis::promote::promotions(f);
    let mut b = FunctionBuilder::new(func, builder_ctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let params = b.block_params(entry).to_vec();
    let mut cx = FunctionCx::new(env, b, f, &bounds, &promotions, params[0], params[1]);
    cx.declare_locals();
    cx.bind_params(&params[2..]);
    cx.profile_enter_function(id);
    if kernel_ir::polls::calls(f) {
        // Recursion without loops must stay interruptible.
        cx.poll_interrupt(f.span);
    }
    if let Type::Tuple(_) = f.ret {
        cx.translate_tuple_body(&f.body);
    } else {
        let tail = cx.translate_block(&f.body);
        cx.emit_return(tail);
    }
    cx.emit_fail_block();
    cx.b.seal_all_blocks();
    let config = cx.env.module.target_config();
    cx.b.finalize(config);
    slp::pair_divisions(func);
}

impl<'a, 'e> FunctionCx<'a, 'e> {
    /// A translator for `f` with the builder positioned in the entry block, whose first two
    /// parameters are the context and the call depth.
    pub(crate) fn new(
        env: &'a mut Env<'e>,
        mut b: FunctionBuilder<'a>,
        f: &'a Function,
        bounds: &'a BoundsTable,
        promotions: &'a Promotions,
        ctx: Value,
        depth: Value,
    ) -> Self {
        let fail_block = b.create_block();
        b.set_cold_block(fail_block);
        let flags = ir::MemFlagsData::trusted();
        let interrupt = b.ins().load(types::I64, flags, ctx, CTX_INTERRUPT);
        FunctionCx {
            env,
            b,
            f,
            ctx,
            depth,
            interrupt,
            vars: vec![None; f.locals.len()],
            arrays: vec![None; f.locals.len()],
            loops: vec![None; f.loops.len()],
            fail_block,
            callees: HashMap::new(),
            libcalls: HashMap::new(),
            bounds,
            promotions,
            promoted: HashMap::new(),
            fast: Vec::new(),
            plain: false,
            in_chunk: false,
            profile: None,
            owned: Vec::new(),
            tuple_vars: HashMap::new(),
        }
    }
}

impl FunctionCx<'_, '_> {
    /// Gives every scalar local a variable (zero-initialised, as the IR promises for `let`
    /// without initialiser) and every fixed local array its stack slot.
    fn declare_locals(&mut self) {
        for (index, local) in self.f.locals.iter().enumerate() {
            match local.ty {
                Type::Scalar(s) => {
                    let var = self.b.declare_var(clif_type(s));
                    let init = self.zero(s);
                    self.b.def_var(var, init);
                    self.vars[index] = Some(var);
                }
                Type::Fixed { elem, len } => {
                    let size = (elem.size_bytes() as u32).saturating_mul(len.max(1));
                    let slot = self.b.create_sized_stack_slot(StackSlotData::new(
                        StackSlotKind::ExplicitSlot,
                        size,
                        3,
                    ));
                    self.arrays[index] = Some(ArrayStorage::Fixed { slot, len });
                }
                _ => {}
            }
        }
        self.declare_owned_arrays();
        self.declare_tuple_locals();
    }

    /// Binds the parameters to the entry block's values (after the context and depth).
    fn bind_params(&mut self, mut params: &[Value]) {
        for &param in &self.f.params {
            let local = self.f.local(param);
            match local.ty {
                Type::Array(a) => {
                    if let Some((&ptr, rest)) = params.split_first() {
                        params = rest;
                        self.arrays[param.index()] = Some(ArrayStorage::Desc { ptr, rank: a.rank });
                    }
                }
                _ => {
                    if let (Some(var), Some((&value, rest))) =
                        (self.vars[param.index()], params.split_first())
                    {
                        self.b.def_var(var, value);
                        params = rest;
                    }
                }
            }
        }
    }

    /// Returns normally from the function with `value` (the body's tail), status 0.
    pub(crate) fn emit_return(&mut self, value: Option<Value>) {
        self.profile_exit_function();
        let status = self.b.ins().iconst(types::I8, 0);
        self.free_owned_arrays();
        match self.f.ret.raw_scalar() {
            Some(ret) => {
                let value = value.unwrap_or_else(|| self.zero(ret));
                self.b.ins().return_(&[status, value]);
            }
            None => {
                self.b.ins().return_(&[status]);
            }
        }
    }

    fn emit_fail_block(&mut self) {
        self.b.switch_to_block(self.fail_block);
        self.profile_exit_function();
        let status = self.b.ins().iconst(types::I8, 1);
        // A chunk function returns only the status, whatever the kernel function returns.
        self.free_owned_arrays();
        let scalars = if self.in_chunk {
            Vec::new()
        } else {
            self.f.ret.raw_scalars()
        };
        let mut returned = vec![status];
        for s in scalars {
            returned.push(self.zero(s));
        }
        self.b.ins().return_(&returned);
    }

    /// Continues in a fresh block with no predecessors (after a jump or return).
    pub(crate) fn start_unreachable(&mut self) {
        let block = self.b.create_block();
        self.b.switch_to_block(block);
        self.b.seal_block(block);
    }

    pub(crate) fn zero(&mut self, s: Scalar) -> Value {
        match s {
            Scalar::F32 => self.b.ins().f32const(0.0),
            Scalar::F64 => self.b.ins().f64const(0.0),
            _ => self.b.ins().iconst(clif_type(s), 0),
        }
    }

    /// The value of a scalar expression; a zero of type `s` when the expression never
    /// produces one (it diverged, and the code using the value is unreachable).
    pub(crate) fn scalar_value(&mut self, id: ExprId, s: Scalar) -> Value {
        match self.translate_expr(id) {
            Some(value) => value,
            None => self.zero(s),
        }
    }

    /// The scalar type an expression's value is used at: its own, or (when it is `Never`)
    /// `fallback`.
    pub(crate) fn scalar_of(&self, id: ExprId, fallback: Scalar) -> Scalar {
        self.f.ty(id).as_scalar().unwrap_or(fallback)
    }

    pub(crate) fn register_site(&mut self, kind: SiteKind, span: Span) -> u32 {
        let index = self.env.sites.len() as u32;
        self.env.sites.push(ErrorSite {
            kind,
            function: self.f.name.clone(),
            line: span.line,
            col: span.col,
        });
        index
    }

    /// Branches to a cold error block when `cond` is true: it records `kind` at `span` (and
    /// the index and extent of a bounds error) in ctx and returns the error status.
    pub(crate) fn fail_if(
        &mut self,
        cond: Value,
        kind: SiteKind,
        span: Span,
        dynamic: Option<(Value, Value)>,
    ) {
        let site = self.register_site(kind, span);
        let cold = self.b.create_block();
        let cont = self.b.create_block();
        self.b.set_cold_block(cold);
        self.b.ins().brif(cond, cold, &[], cont, &[]);
        self.b.switch_to_block(cold);
        self.b.seal_block(cold);
        let flags = ir::MemFlagsData::trusted();
        let site = self.b.ins().iconst(types::I32, i64::from(site));
        self.b.ins().store(flags, site, self.ctx, CTX_SITE);
        if let Some((index, extent)) = dynamic {
            self.b.ins().store(flags, index, self.ctx, CTX_INDEX);
            self.b.ins().store(flags, extent, self.ctx, CTX_EXTENT);
        }
        self.b.ins().jump(self.fail_block, &[]);
        self.b.switch_to_block(cont);
        self.b.seal_block(cont);
    }

    /// Stops the kernel when the interrupt flag is set (see `Jit::call_interruptible`).
    pub(crate) fn poll_interrupt(&mut self, span: Span) {
        let flags = ir::MemFlagsData::trusted();
        let flag = self.b.ins().load(types::I32, flags, self.interrupt, 0);
        let set = self
            .b
            .ins()
            .icmp_imm_s(ir::condcodes::IntCC::NotEqual, flag, 0);
        let value = self.b.ins().uextend(types::I64, flag);
        let zero = self.b.ins().iconst(types::I64, 0);
        self.fail_if(set, SiteKind::Interrupt, span, Some((value, zero)));
    }

    pub(crate) fn fail_kind_if(&mut self, cond: Value, kind: ErrorKind, span: Span) {
        self.fail_if(cond, SiteKind::Fixed(kind), span, None);
    }

    /// Calls a shared math function on operands of float type `s` (`powi`: an `i32` second).
    pub(crate) fn call_math(&mut self, math: MathFn, s: Scalar, args: &[Value]) -> Value {
        let func_ref = self.host_function(math.symbol(s));
        let call = self.b.ins().call(func_ref, args);
        self.b.inst_results(call)[0]
    }

    pub(crate) fn loop_targets(&self, id: LoopId) -> Option<LoopTargets> {
        self.loops.get(id.index()).copied().flatten()
    }
}
