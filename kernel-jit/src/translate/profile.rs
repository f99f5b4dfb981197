//! The counter calls of instrumented code (`crate::profile` describes the counters): emitted
//! only when the Jit was built with `JitOptions::profile`, so every method here emits nothing
//! for ordinary code.
//!
//! Statement boundaries are placed by `translate_block`, the one place every statement and
//! block tail is translated: a `step` hook before each of them and a `leave` hook after the
//! last, handing the time back to the enclosing statement (or the `fn` line). Loop iterations
//! call `hit`; the function's entry, its returns and its error exit call the function hooks.

use cranelift_codegen::ir::{types, FuncRef, InstBuilder, MemFlagsData, Value};

use cranelift_module::Module;
use kernel_ir::ir::{FuncId, LoopId, Stmt};
use kernel_ir::profile_lines;

use super::FunctionCx;
use crate::abi::CTX_PROFILE;
use crate::profile::Hook;

/// The profiling state of one instrumented function.
pub(crate) struct ProfileCx {
    /// `JitCtx::profile`, loaded at entry.
    buf: Value,
    /// The caller's running statement, returned by the entry hook, restored at exit.
    saved: Value,
    func: FuncId,
    fn_slot: u32,
    /// The counter slots of the statements being translated, innermost last: the statement a
    /// block hands the time back to when it ends.
    running: Vec<u32>,
    hooks: HookRefs,
}

/// The hooks, declared in the function being translated.
#[derive(Clone, Copy)]
struct HookRefs {
    enter_function: FuncRef,
    exit_function: FuncRef,
    step: FuncRef,
    leave: FuncRef,
    hit: FuncRef,
}

impl FunctionCx<'_, '_> {
    /// Counts the call at function entry (instrumented code only).
    pub(crate) fn profile_enter_function(&mut self, func: FuncId) {
        let Some(hooks) = self.declare_hooks() else {
            return;
        };
        let flags = MemFlagsData::trusted();
        let buf = self.b.ins().load(types::I64, flags, self.ctx, CTX_PROFILE);
        let fn_slot = self.profile_slot(func, self.f.span.line);
        let mut cx = ProfileCx {
            buf,
            saved: buf,
            func,
            fn_slot,
            running: Vec::new(),
            hooks,
        };
        let func_arg = self.b.ins().iconst(types::I32, i64::from(func.0));
        let slot_arg = self.b.ins().iconst(types::I32, i64::from(fn_slot));
        let call = self
            .b
            .ins()
            .call(hooks.enter_function, &[buf, func_arg, slot_arg]);
        cx.saved = self.b.inst_results(call)[0];
        self.profile = Some(cx);
    }

    /// Ends the call's counting before a return or the error exit.
    pub(crate) fn profile_exit_function(&mut self) {
        let Some(cx) = &self.profile else {
            return;
        };
        let (buf, saved, exit, func) = (cx.buf, cx.saved, cx.hooks.exit_function, cx.func);
        let func_arg = self.b.ins().iconst(types::I32, i64::from(func.0));
        self.b.ins().call(exit, &[buf, func_arg, saved]);
    }

    /// A statement (or block tail) on `line` starts; pair with [`Self::profile_stmt_end`].
    pub(crate) fn profile_stmt_start(&mut self, line: u32) {
        let Some(mut cx) = self.profile.take() else {
            return;
        };
        let slot = self.profile_slot(cx.func, line);
        self.call_hook(&cx, cx.hooks.step, slot);
        cx.running.push(slot);
        self.profile = Some(cx);
    }

    /// The statement started last has been translated.
    pub(crate) fn profile_stmt_end(&mut self) {
        if let Some(cx) = &mut self.profile {
            cx.running.pop();
        }
    }

    /// A block whose statements or tail ran ends: the enclosing statement runs again.
    pub(crate) fn profile_block_end(&mut self) {
        let Some(cx) = self.profile.take() else {
            return;
        };
        let parent = cx.running.last().copied().unwrap_or(cx.fn_slot);
        self.call_hook(&cx, cx.hooks.leave, parent);
        self.profile = Some(cx);
    }

    /// One iteration of loop `id` starts.
    pub(crate) fn profile_iteration(&mut self, id: LoopId) {
        let Some(cx) = self.profile.take() else {
            return;
        };
        let slot = self.profile_slot(cx.func, profile_lines::loop_line(self.f, id));
        self.call_hook(&cx, cx.hooks.hit, slot);
        self.profile = Some(cx);
    }

    /// The line statement `stmt` counts on.
    pub(crate) fn stmt_line(&self, stmt: &Stmt) -> u32 {
        profile_lines::stmt_line(self.f, stmt)
    }

    fn profile_slot(&mut self, func: FuncId, line: u32) -> u32 {
        match self.env.instrumentation.as_deref_mut() {
            Some(instrumentation) => instrumentation.slot(func, line),
            None => 0,
        }
    }

    fn call_hook(&mut self, cx: &ProfileCx, hook: FuncRef, slot: u32) {
        let slot = self.b.ins().iconst(types::I32, i64::from(slot));
        self.b.ins().call(hook, &[cx.buf, slot]);
    }

    /// Declares the hooks in this function; `None` when the Jit does not instrument.
    fn declare_hooks(&mut self) -> Option<HookRefs> {
        self.env.instrumentation.as_deref()?;
        let ids = [
            Hook::EnterFunction,
            Hook::ExitFunction,
            Hook::Step,
            Hook::Leave,
            Hook::Hit,
        ]
        .map(|hook| self.env.imports.get(hook.symbol()));
        let [enter_function, exit_function, step, leave, hit] =
            ids.map(|id| self.env.module.declare_func_in_func(id, self.b.func));
        Some(HookRefs {
            enter_function,
            exit_function,
            step,
            leave,
            hit,
        })
    }
}
