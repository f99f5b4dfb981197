//! Interrupt polling in native code: the same poll points as the interpreter and the JIT
//! (every `loop`/`while` iteration, the back-edge of a `for` loop whose body holds a loop or a
//! call, the entry of a function that calls). Each reads the call's stop flag
//! (`__k_stop`, taken by the wrapper from `kernel_runtime::interruptible`) with one relaxed
//! load; an innermost `for` loop has none, so hot loops are unchanged.

use kernel_ir::Span;
use proc_macro2::TokenStream;
use quote::quote;

use super::FnEmitter;

impl FnEmitter<'_> {
    /// Returns `Interrupted`/`Timeout` located at `span` when the stop flag is set.
    pub(crate) fn poll(&self, span: Span) -> TokenStream {
        let site = self.site(span);
        quote! {
            // SAFETY (emitted): inside the kernel call that captured `__k_stop`.
            let __k_flag = unsafe { __k_stop.get() };
            if __k_flag != 0 {
                return ::core::result::Result::Err(__k_rt::stopped(__k_flag, #site));
            }
        }
    }

    /// Where a stopped loop is reported: the loop itself.
    pub(crate) fn loop_span(&self, id: kernel_ir::ir::LoopId) -> Span {
        self.function
            .loops
            .get(id.index())
            .map_or(self.function.span, |info| info.span)
    }
}

pub(crate) use kernel_ir::polls::{block_has_loop_or_call, calls};
