//! Compilation of expressions: literals, locals, operators, casts, builtins and array
//! queries. Control-flow expressions are in `stmt`, element access in `array`, calls in `call`.

use kernel_ir::ir::{BinOp, Builtin, Expr, ExprId, Lit, LogicOp, UnOp};
use kernel_ir::{ErrorKind, Scalar, Span};

use super::frame::{with_operand, Code, CodeOp, Eval, Flow, Frame, Operand, Site, SlotOp};
use super::ops::{self, BinaryVisitor, UnaryVisitor};
use super::{CompileResult, FnCx};

impl FnCx<'_> {
    /// Compiles one expression. This is the interpreter's one big `match` over `Expr`.
    pub fn compile_expr(&self, id: ExprId) -> CompileResult<Code> {
        let span = self.function.span(id);
        match self.function.expr(id) {
            Expr::Lit(lit, _) => {
                let value = self.lit_raw(id, *lit)?;
                Ok(Box::new(move |_| Ok(value)))
            }
            Expr::Local(local) if matches!(self.function.ty(id), kernel_ir::Type::Array(_)) => {
                self.compile_move_out(*local, span)
            }
            Expr::Alloc { .. } => self.compile_alloc(id, span),
            Expr::View { .. } => {
                Err(self.unsupported(span, "a view outside `let` and call arguments"))
            }
            Expr::Local(local) if matches!(self.function.ty(id), kernel_ir::Type::Tuple(_)) => {
                self.compile_tuple_local(*local, span)
            }
            Expr::Tuple(elems) => self.compile_tuple(elems, span),
            Expr::Field(tuple, k) => self.compile_field(*tuple, *k, span),
            Expr::Local(local) => {
                if self.function.local(*local).ty.is_array() {
                    return Err(self.unsupported(span, "an array used as a value"));
                }
                let slot = local.index();
                Ok(Box::new(move |frame| Ok(frame.slots[slot])))
            }
            Expr::Unary(op, operand) => self.compile_unary(*op, *operand, span),
            Expr::Binary(op, lhs, rhs) => self.compile_binary(*op, *lhs, *rhs, span),
            Expr::Logic(op, lhs, rhs) => self.compile_logic(*op, *lhs, *rhs),
            Expr::Cast(operand, to) => self.compile_cast(*operand, *to, span),
            Expr::Index { array, indices } => self.compile_index_read(*array, indices, span),
            Expr::ArrayLit(_) | Expr::ArrayRepeat(..) => {
                Err(self.unsupported(span, "an array literal outside `let`"))
            }
            Expr::Len(local) => {
                let array = self.array_index(*local, span)?;
                Ok(Box::new(move |frame| {
                    let dims = frame.arrays[array].dims;
                    Ok(dims[0].wrapping_mul(dims[1]).wrapping_mul(dims[2]))
                }))
            }
            Expr::Dim(local, axis) => {
                let array = self.array_index(*local, span)?;
                let axis = *axis as usize;
                if axis >= 3 {
                    return Err(self.unsupported(span, "an axis past rank 3"));
                }
                Ok(Box::new(move |frame| Ok(frame.arrays[array].dims[axis])))
            }
            Expr::Builtin(builtin, args) => self.compile_builtin(*builtin, args, span),
            Expr::Call(callee, args) => self.compile_call(*callee, args, span),
            Expr::If {
                cond,
                then_block,
                else_block,
            } => self.compile_if(*cond, then_block, else_block.as_ref()),
            Expr::Block(block) => self.compile_block(block),
            Expr::Loop { id, body } => self.compile_loop(*id, body),
            Expr::While { id, cond, body } => self.compile_while(*id, *cond, body),
            Expr::For {
                id,
                var,
                range,
                body,
                parallel,
            } => {
                let code = self.compile_for(*id, *var, range, body, *parallel)?;
                self.with_array_reductions(*id, code)
            }
            Expr::Break { id, value } => self.compile_break(*id, *value),
            Expr::Continue(loop_id) => {
                let loop_id = loop_id.0;
                Ok(Box::new(move |_| Err(Flow::Continue(loop_id))))
            }
            Expr::Return(value) => self.compile_return(*value),
            Expr::Print { format, args } => self.compile_print(format, args),
        }
    }

    /// Compiles an expression as an operand, recognising locals and literals.
    pub fn operand(&self, id: ExprId) -> CompileResult<Operand> {
        match self.function.expr(id) {
            Expr::Lit(lit, _) => Ok(Operand::Const(self.lit_raw(id, *lit)?)),
            Expr::Local(local) if !self.function.local(*local).ty.is_array() => {
                Ok(Operand::Slot(local.index()))
            }
            _ => Ok(Operand::Code(self.compile_expr(id)?)),
        }
    }

    /// A literal's raw slot value for the literal's checked type.
    fn lit_raw(&self, id: ExprId, lit: Lit) -> CompileResult<u64> {
        let ty = self.scalar(id)?;
        Ok(match (lit, ty) {
            (Lit::Bool(b), _) => b as u64,
            (Lit::Int(v), Scalar::F64) => (v as f64).to_bits(),
            (Lit::Int(v), Scalar::F32) => (v as f32).to_bits() as u64,
            (Lit::Int(v), _) if ty.is_signed_int() => v as i64 as u64,
            (Lit::Int(v), _) => v as u64,
            (Lit::Float(x), Scalar::F32) => (x as f32).to_bits() as u64,
            (Lit::Float(x), _) => x.to_bits(),
        })
    }

    fn compile_unary(&self, op: UnOp, operand: ExprId, span: Span) -> CompileResult<Code> {
        let ty = self.scalar(operand)?;
        let visitor = UnaryCode {
            operand: self.operand(operand)?,
            site: self.site(span),
        };
        ops::unary_op(op, ty, visitor)
            .ok_or_else(|| self.unsupported(span, format!("unary `{op:?}` on {ty}")))
    }

    fn compile_binary(
        &self,
        op: BinOp,
        lhs: ExprId,
        rhs: ExprId,
        span: Span,
    ) -> CompileResult<Code> {
        let ty = self.scalar(lhs)?;
        let visitor = BinaryCode {
            lhs: self.operand(lhs)?,
            rhs: self.operand(rhs)?,
            site: self.site(span),
        };
        ops::binary_op(op, ty, visitor)
            .ok_or_else(|| self.unsupported(span, format!("`{}` on {ty}", op.symbol())))
    }

    fn compile_logic(&self, op: LogicOp, lhs: ExprId, rhs: ExprId) -> CompileResult<Code> {
        let lhs = self.compile_expr(lhs)?;
        let rhs = self.compile_expr(rhs)?;
        Ok(match op {
            LogicOp::And => Box::new(
                move |frame| {
                    if lhs(frame)? != 0 {
                        rhs(frame)
                    } else {
                        Ok(0)
                    }
                },
            ),
            LogicOp::Or => Box::new(
                move |frame| {
                    if lhs(frame)? != 0 {
                        Ok(1)
                    } else {
                        rhs(frame)
                    }
                },
            ),
        })
    }

    fn compile_cast(&self, operand: ExprId, to: Scalar, span: Span) -> CompileResult<Code> {
        let from = self.scalar(operand)?;
        let visitor = UnaryCode {
            operand: self.operand(operand)?,
            site: self.site(span),
        };
        ops::cast_op(from, to, visitor)
            .ok_or_else(|| self.unsupported(span, format!("a cast from {from} to {to}")))
    }

    fn compile_builtin(
        &self,
        builtin: Builtin,
        args: &[ExprId],
        span: Span,
    ) -> CompileResult<Code> {
        let bad = || self.unsupported(span, format!("`{}` with these arguments", builtin.name()));
        if args.len() != builtin.arity() {
            return Err(bad());
        }
        let ty = self.scalar(args[0])?;
        let site = self.site(span);
        match args {
            [x] => {
                let visitor = UnaryCode {
                    operand: self.operand(*x)?,
                    site,
                };
                ops::builtin_unary(builtin, ty, visitor).ok_or_else(bad)
            }
            [x, y] => {
                let visitor = BinaryCode {
                    lhs: self.operand(*x)?,
                    rhs: self.operand(*y)?,
                    site,
                };
                ops::builtin_binary(builtin, ty, visitor).ok_or_else(bad)
            }
            [x, y, z] => {
                let f = ops::builtin_ternary(builtin, ty).ok_or_else(bad)?;
                let (x, y, z) = (
                    self.compile_expr(*x)?,
                    self.compile_expr(*y)?,
                    self.compile_expr(*z)?,
                );
                Ok(Box::new(move |frame| {
                    let (a, b, c) = (x(frame)?, y(frame)?, z(frame)?);
                    f(a, b, c).map_err(|kind| site.error(kind))
                }))
            }
            _ => Err(bad()),
        }
    }
}

/// Builds a binary operation over two specialised operands (a constant left operand is rare
/// and goes through the general path).
pub(crate) struct BinaryCode {
    pub lhs: Operand,
    pub rhs: Operand,
    pub site: Site,
}

impl BinaryVisitor for BinaryCode {
    type Out = Code;

    fn visit<F>(self, f: F) -> Code
    where
        F: Fn(u64, u64) -> Result<u64, ErrorKind> + Copy + Send + Sync + 'static,
    {
        let site = self.site;
        match self.lhs {
            Operand::Slot(slot) => {
                with_operand!(self.rhs, |rhs| binary(SlotOp(slot), rhs, f, site))
            }
            lhs => {
                let lhs = CodeOp(lhs.into_code());
                with_operand!(self.rhs, |rhs| binary(lhs, rhs, f, site))
            }
        }
    }
}

fn binary<A: Eval, B: Eval, F>(lhs: A, rhs: B, f: F, site: Site) -> Code
where
    F: Fn(u64, u64) -> Result<u64, ErrorKind> + Copy + Send + Sync + 'static,
{
    Box::new(move |frame: &mut Frame<'_>| {
        let a = lhs.eval(frame)?;
        let b = rhs.eval(frame)?;
        f(a, b).map_err(|kind| site.error(kind))
    })
}

/// Builds a one-operand operation over a specialised operand.
pub(crate) struct UnaryCode {
    pub operand: Operand,
    pub site: Site,
}

impl UnaryVisitor for UnaryCode {
    type Out = Code;

    fn visit<F>(self, f: F) -> Code
    where
        F: Fn(u64) -> Result<u64, ErrorKind> + Copy + Send + Sync + 'static,
    {
        let site = self.site;
        match self.operand {
            Operand::Slot(slot) => unary(SlotOp(slot), f, site),
            operand => unary(CodeOp(operand.into_code()), f, site),
        }
    }
}

fn unary<A: Eval, F>(operand: A, f: F, site: Site) -> Code
where
    F: Fn(u64) -> Result<u64, ErrorKind> + Copy + Send + Sync + 'static,
{
    Box::new(move |frame: &mut Frame<'_>| {
        let a = operand.eval(frame)?;
        f(a).map_err(|kind| site.error(kind))
    })
}
