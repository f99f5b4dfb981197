//! Print statements: the arguments evaluated left to right into a stack slot of one word
//! each, then one call of the host function `kernelc_print` with the statement's
//! [`PrintSite`] (see `crate::print`).

use cranelift_codegen::ir::{types, InstBuilder, StackSlotData, StackSlotKind};

use kernel_ir::ir::ExprId;
use kernel_ir::output::Format;

use super::FunctionCx;
use crate::abi::POINTER;
use crate::print::{PrintSite, PRINT_SYMBOL};

impl FunctionCx<'_, '_> {
    pub(crate) fn translate_print(&mut self, format: &Format, args: &[ExprId]) {
        let types: Vec<_> = args.iter().map(|arg| self.f.scalar(*arg)).collect();
        let values: Vec<_> = args
            .iter()
            .zip(&types)
            .map(|(arg, ty)| self.scalar_value(*arg, *ty))
            .collect();
        let slot = self.b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            (8 * args.len().max(1)) as u32,
            3,
        ));
        for (i, value) in values.into_iter().enumerate() {
            self.b
                .ins()
                .stack_store(POINTER, value, slot, (8 * i) as i32);
        }
        let words = self.b.ins().stack_addr(POINTER, slot, 0);
        let site = Box::new(PrintSite {
            format: format.clone(),
            types,
        });
        // The Box's heap address stays put when the Box moves into the Jit's list.
        let address = self
            .b
            .ins()
            .iconst(types::I64, &*site as *const PrintSite as i64);
        self.env.prints.push(site);
        let print = self.host_function(PRINT_SYMBOL);
        self.b.ins().call(print, &[address, words]);
    }
}
