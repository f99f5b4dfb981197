//! Tuples: a tuple-typed expression translates to one SSA value per element
//! ([`FunctionCx::translate_tuple`]); a tuple local is one `Variable` per element; a function
//! returning a tuple returns `(status, elements…)` (see `crate::abi`), so tuples travel in
//! registers and never touch memory.

use cranelift_codegen::ir::{InstBuilder, Value};

use kernel_ir::ir::{Block, Expr, ExprId, LocalId};
use kernel_ir::Type;

use super::FunctionCx;
use crate::abi::clif_type;

impl FunctionCx<'_, '_> {
    /// Gives every tuple local one variable per element.
    pub(super) fn declare_tuple_locals(&mut self) {
        for (index, local) in self.f.locals.iter().enumerate() {
            if let Type::Tuple(tuple) = local.ty {
                let vars = tuple
                    .elems()
                    .iter()
                    .map(|&s| {
                        let var = self.b.declare_var(clif_type(s));
                        let zero = self.zero(s);
                        self.b.def_var(var, zero);
                        var
                    })
                    .collect();
                self.tuple_vars.insert(LocalId(index as u32), vars);
            }
        }
    }

    /// The elements of a tuple-typed expression (a tuple expression, a call, a tuple local);
    /// `None` when it never produces a value (it diverged).
    pub(crate) fn translate_tuple(&mut self, id: ExprId) -> Option<Vec<Value>> {
        match self.f.expr(id) {
            Expr::Tuple(elems) => {
                let tuple = self.f.ty(id).as_tuple()?;
                let values = elems
                    .iter()
                    .zip(tuple.elems())
                    .map(|(&elem, &s)| self.scalar_value(elem, s))
                    .collect();
                Some(values)
            }
            Expr::Call(callee, args) => self.call_results(*callee, args, self.f.span(id)),
            Expr::Local(local) => {
                let vars = self.tuple_vars.get(local)?.clone();
                Some(vars.into_iter().map(|var| self.b.use_var(var)).collect())
            }
            _ => self.translate_expr(id).and(None),
        }
    }

    /// `tuple.k`.
    pub(super) fn translate_field(&mut self, tuple: ExprId, k: u32) -> Option<Value> {
        self.translate_tuple(tuple)?.get(k as usize).copied()
    }

    /// `let t = f(x);` of a tuple local.
    pub(super) fn translate_tuple_let(&mut self, local: LocalId, init: Option<ExprId>) {
        let values = init.and_then(|init| self.translate_tuple(init));
        let (Some(values), Some(vars)) = (values, self.tuple_vars.get(&local).cloned()) else {
            return;
        };
        for (var, value) in vars.into_iter().zip(values) {
            self.b.def_var(var, value);
        }
    }

    /// The body of a function returning a tuple: its statements, then the returned tail.
    pub(super) fn translate_tuple_body(&mut self, body: &Block) {
        let tail = Block {
            stmts: body.stmts.clone(),
            tail: None,
        };
        self.translate_block(&tail);
        let values = body.tail.and_then(|tail| self.translate_tuple(tail));
        self.emit_tuple_return(values);
    }

    /// Returns `(0, elements…)`; zeros when the value never came (unreachable code).
    pub(crate) fn emit_tuple_return(&mut self, values: Option<Vec<Value>>) {
        self.profile_exit_function();
        let status = self.b.ins().iconst(cranelift_codegen::ir::types::I8, 0);
        self.free_owned_arrays();
        let scalars = self.f.ret.raw_scalars();
        let values = match values {
            Some(values) if values.len() == scalars.len() => values,
            _ => scalars.iter().map(|&s| self.zero(s)).collect(),
        };
        let mut returned = vec![status];
        returned.extend(values);
        self.b.ins().return_(&returned);
    }
}
