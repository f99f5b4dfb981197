//! Statements and blocks: `let` (scalars and fixed arrays), assignments and compound
//! assignments to locals and array elements, expression statements.
//!
//! Evaluation order of an assignment follows Rust for primitive operands: the right-hand side
//! first, then the place's indices, then the bounds check, then (compound) the read of the old
//! value.

use cranelift_codegen::ir::{InstBuilder, MemFlagsData, Value};

use kernel_ir::analysis::bounds::Access;
use kernel_ir::diag::Span;
use kernel_ir::ir::{BinOp, Block, Expr, ExprId, LocalId, Place, Stmt};
use kernel_ir::{Scalar, Type};

use super::{ArrayStorage, FunctionCx};
use crate::abi::POINTER;

/// Fixed arrays up to this length are initialised by straight-line stores, longer ones by a
/// loop.
const UNROLLED_INIT: u32 = 32;

impl FunctionCx<'_, '_> {
    pub(crate) fn translate_block(&mut self, block: &Block) -> Option<Value> {
        for stmt in &block.stmts {
            self.profile_stmt_start(self.stmt_line(stmt));
            self.translate_stmt(stmt);
            self.profile_stmt_end();
        }
        let tail = block.tail.and_then(|tail| {
            self.profile_stmt_start(self.f.span(tail).line);
            let value = self.translate_expr(tail);
            self.profile_stmt_end();
            value
        });
        if !block.stmts.is_empty() || block.tail.is_some() {
            self.profile_block_end();
        }
        tail
    }

    fn translate_stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Let { local, init } => self.translate_let(*local, *init),
            Stmt::Assign {
                place,
                op,
                value,
                span,
            } => self.translate_assign(place, *op, *value, *span),
            Stmt::Expr(expr) => {
                let value = self.translate_expr(*expr);
                if let (Some(array), Type::Array(_)) = (value, self.f.ty(*expr)) {
                    // A call's returned array nobody binds.
                    self.free_array(array);
                }
            }
        }
    }

    fn translate_let(&mut self, local: LocalId, init: Option<ExprId>) {
        let info = self.f.local(local);
        match info.ty {
            Type::Fixed { elem, len } => self.init_fixed(local, elem, len, init),
            Type::Array(_) => match init {
                Some(init) if matches!(self.f.expr(init), Expr::View { .. }) => {
                    self.translate_view_let(local, init)
                }
                _ => self.translate_owned_let(local, init),
            },
            Type::Tuple(_) => self.translate_tuple_let(local, init),
            Type::Scalar(s) => {
                let value = match init {
                    Some(expr) => self.scalar_value(expr, s),
                    None => self.zero(s),
                };
                if let Some(var) = self.vars[local.index()] {
                    self.b.def_var(var, value);
                }
            }
            _ => {
                if let Some(expr) = init {
                    self.translate_expr(expr);
                }
            }
        }
    }

    fn init_fixed(&mut self, local: LocalId, elem: Scalar, len: u32, init: Option<ExprId>) {
        let Some(ArrayStorage::Fixed { slot, .. }) = self.arrays[local.index()].clone() else {
            return;
        };
        let size = elem.size_bytes() as i32;
        let pointer = POINTER;
        let base = self.b.ins().stack_addr(pointer, slot, 0);
        let elements = init.map(|expr| (expr, self.f.expr(expr)));
        match elements {
            Some((_, Expr::ArrayLit(items))) => {
                for (i, item) in items.iter().enumerate() {
                    let value = self.scalar_value(*item, elem);
                    let offset = (i as i32).saturating_mul(size);
                    self.b
                        .ins()
                        .store(MemFlagsData::trusted(), value, base, offset);
                }
            }
            Some((_, Expr::ArrayRepeat(item, _))) => {
                let value = self.scalar_value(*item, elem);
                self.fill(base, value, size, len);
            }
            other => {
                if let Some((expr, _)) = other {
                    self.translate_expr(expr);
                }
                let zero = self.zero(elem);
                self.fill(base, zero, size, len);
            }
        }
    }

    /// Stores `value` into `len` consecutive elements of `size` bytes from `base`.
    fn fill(&mut self, base: Value, value: Value, size: i32, len: u32) {
        if len <= UNROLLED_INIT {
            for i in 0..len as i32 {
                self.b
                    .ins()
                    .store(MemFlagsData::trusted(), value, base, i * size);
            }
            return;
        }
        let pointer = POINTER;
        let end = self
            .b
            .ins()
            .iadd_imm_s(base, i64::from(len) * i64::from(size));
        let header = self.b.create_block();
        let exit = self.b.create_block();
        let p = self.b.append_block_param(header, pointer);
        self.b.ins().jump(header, &[base.into()]);
        self.b.switch_to_block(header);
        self.b.ins().store(MemFlagsData::trusted(), value, p, 0);
        let next = self.b.ins().iadd_imm_s(p, i64::from(size));
        let more = self.b.ins().icmp(
            cranelift_codegen::ir::condcodes::IntCC::UnsignedLessThan,
            next,
            end,
        );
        self.b.ins().brif(more, header, &[next.into()], exit, &[]);
        self.b.seal_block(header);
        self.b.switch_to_block(exit);
        self.b.seal_block(exit);
    }

    fn translate_assign(&mut self, place: &Place, op: Option<BinOp>, value: ExprId, span: Span) {
        match place {
            Place::Local(local) => {
                let s = self.f.local(*local).ty.as_scalar().unwrap_or(Scalar::Bool);
                let rhs = self.assigned_value(op, value, s);
                let Some(var) = self.vars[local.index()] else {
                    return;
                };
                let result = match op {
                    None => rhs,
                    Some(op) => {
                        let current = self.b.use_var(var);
                        let rhs_scalar = self.scalar_of(value, s);
                        self.binary(op, s, current, rhs, rhs_scalar, span)
                    }
                };
                self.b.def_var(var, result);
            }
            Place::Index {
                array,
                indices,
                span: place_span,
            } => {
                let s = self.f.local(*array).ty.array_elem().unwrap_or(Scalar::Bool);
                let rhs = self.assigned_value(op, value, s);
                if let Some(&(var, address)) = self.promoted.get(&Access::Write(value)) {
                    return self.assign_promoted(var, address, (s, op), rhs, value, span);
                }
                let address =
                    self.element_address(Access::Write(value), *array, indices, *place_span);
                let result = match op {
                    None => rhs,
                    Some(op) => {
                        let current = self.b.ins().load(
                            super::access::elem_type(s),
                            MemFlagsData::trusted(),
                            address,
                            0,
                        );
                        let rhs_scalar = self.scalar_of(value, s);
                        self.binary(op, s, current, rhs, rhs_scalar, span)
                    }
                };
                self.b
                    .ins()
                    .store(MemFlagsData::trusted(), result, address, 0);
            }
        }
    }

    /// The right-hand side of an assignment: of the place's type, or any integer for shifts.
    fn assigned_value(&mut self, op: Option<BinOp>, value: ExprId, place: Scalar) -> Value {
        let s = match op {
            Some(op) if op.is_shift() => self.scalar_of(value, Scalar::U32),
            _ => place,
        };
        self.scalar_value(value, s)
    }
}
