//! Compilation of statements, blocks and control flow: `let`, assignments, `if`, the three
//! loops (with Rust's exact range semantics), `break`, `continue` and `return`.

use kernel_ir::ir::{BinOp, Block, Expr, ExprId, LocalId, LoopId, Place, Range, Stmt};
use kernel_ir::{ErrorKind, Scalar, Span, Type};

use super::frame::{with_operand, Code, Eval, Flow, Frame, Operand, Site};
use super::lanes::LanePlan;
use super::ops::{self, BinaryVisitor};
use super::poll::{block_has_loop_or_call, poll};
use super::scalar::store_raw;
use super::{CompileResult, FnCx};

/// What a loop does after one run of its body.
enum Next {
    Go,
    Stop(u64),
}

/// Runs a loop body once, catching this loop's own `break` and `continue`.
#[inline(always)]
fn run_body(body: &Code, frame: &mut Frame<'_>, loop_id: u32) -> Result<Next, Flow> {
    match body(frame) {
        Ok(_) => Ok(Next::Go),
        Err(Flow::Continue(id)) if id == loop_id => Ok(Next::Go),
        Err(Flow::Break(id, value)) if id == loop_id => Ok(Next::Stop(value)),
        Err(flow) => Err(flow),
    }
}

impl FnCx<'_> {
    pub fn compile_block(&self, block: &Block) -> CompileResult<Code> {
        let stmts = block
            .stmts
            .iter()
            .map(|s| Ok(self.profile_stmt(self.stmt_line(s), self.compile_stmt(s)?)))
            .collect::<CompileResult<Vec<Code>>>()?;
        let tail = block
            .tail
            .map(|t| Ok(self.profile_stmt(self.function.span(t).line, self.compile_expr(t)?)))
            .transpose()?;
        Ok(match (stmts.len(), tail) {
            (0, Some(tail)) => tail,
            (0, None) => Box::new(|_| Ok(0)),
            (_, tail) => {
                let stmts = stmts.into_boxed_slice();
                match tail {
                    Some(tail) => Box::new(move |frame| {
                        for stmt in stmts.iter() {
                            stmt(frame)?;
                        }
                        tail(frame)
                    }),
                    None => Box::new(move |frame| {
                        for stmt in stmts.iter() {
                            stmt(frame)?;
                        }
                        Ok(0)
                    }),
                }
            }
        })
    }

    fn compile_stmt(&self, stmt: &Stmt) -> CompileResult<Code> {
        match stmt {
            Stmt::Let { local, init } => self.compile_let(*local, *init),
            Stmt::Assign {
                place,
                op,
                value,
                span,
            } => match place {
                Place::Local(local) => self.compile_local_assign(*local, *op, *value, *span),
                Place::Index {
                    array,
                    indices,
                    span: place_span,
                } => self.compile_index_assign(*array, indices, *place_span, *op, *value, *span),
            },
            Stmt::Expr(expr) if matches!(self.function.ty(*expr), Type::Array(_)) => {
                self.compile_discarded_array(*expr)
            }
            Stmt::Expr(expr) => self.compile_expr(*expr),
        }
    }

    fn compile_let(&self, local: LocalId, init: Option<ExprId>) -> CompileResult<Code> {
        let span = self.function.local(local).span;
        match self.function.local(local).ty {
            Type::Fixed { elem, len } => self.compile_fixed_init(local, elem, len, init, span),
            Type::Array(_) => match init {
                Some(init) if matches!(self.function.expr(init), Expr::View { .. }) => {
                    self.compile_view_let(local, init, span)
                }
                _ => self.compile_owned_let(local, init, span),
            },
            Type::Tuple(_) => self.compile_tuple_let(local, init, span),
            _ => {
                let slot = local.index();
                match init {
                    Some(init) => {
                        let init = self.compile_expr(init)?;
                        Ok(Box::new(move |frame| {
                            frame.slots[slot] = init(frame)?;
                            Ok(0)
                        }))
                    }
                    None => Ok(Box::new(move |frame| {
                        frame.slots[slot] = 0;
                        Ok(0)
                    })),
                }
            }
        }
    }

    /// `let a = [x, y, z]`, `let a = [x; n]` or `let a;`: fills the array's frame storage.
    fn compile_fixed_init(
        &self,
        local: LocalId,
        elem: Scalar,
        len: u32,
        init: Option<ExprId>,
        span: Span,
    ) -> CompileResult<Code> {
        let array = self.array_index(local, span)?;
        let size = elem.size_bytes();
        let store = move |frame: &mut Frame<'_>, i: usize, value: u64| {
            let data = frame.arrays[array].data;
            // SAFETY: `i < len` and the frame's fixed storage holds `len` elements of `elem`
            // for this array (Frame invariant).
            unsafe { store_raw(elem, data.add(i * size), value) };
        };
        match init.map(|i| self.function.expr(i)) {
            Some(Expr::ArrayLit(items)) if items.len() == len as usize => {
                let items = items
                    .iter()
                    .map(|i| self.compile_expr(*i))
                    .collect::<CompileResult<Vec<Code>>>()?;
                Ok(Box::new(move |frame| {
                    for (i, item) in items.iter().enumerate() {
                        let value = item(frame)?;
                        store(frame, i, value);
                    }
                    Ok(0)
                }))
            }
            Some(Expr::ArrayRepeat(item, n)) if *n == len => {
                let item = self.compile_expr(*item)?;
                Ok(Box::new(move |frame| {
                    let value = item(frame)?;
                    for i in 0..len as usize {
                        store(frame, i, value);
                    }
                    Ok(0)
                }))
            }
            None => Ok(Box::new(move |frame| {
                for i in 0..len as usize {
                    store(frame, i, 0);
                }
                Ok(0)
            })),
            Some(_) => Err(self.unsupported(span, "a fixed array initialised from a non-literal")),
        }
    }

    fn compile_local_assign(
        &self,
        local: LocalId,
        op: Option<BinOp>,
        value: ExprId,
        span: Span,
    ) -> CompileResult<Code> {
        let slot = local.index();
        let Some(op) = op else {
            return Ok(match self.operand(value)? {
                Operand::Const(c) => Box::new(move |frame| {
                    frame.slots[slot] = c;
                    Ok(0)
                }),
                value => {
                    let value = value.into_code();
                    Box::new(move |frame| {
                        frame.slots[slot] = value(frame)?;
                        Ok(0)
                    })
                }
            });
        };
        let ty = self
            .function
            .local(local)
            .ty
            .as_scalar()
            .ok_or_else(|| self.unsupported(span, "compound assignment to an array"))?;
        let visitor = CompoundLocal {
            slot,
            value: self.operand(value)?,
            site: self.site(span),
        };
        ops::binary_op(op, ty, visitor)
            .ok_or_else(|| self.unsupported(span, format!("`{}=` on {ty}", op.symbol())))
    }

    pub fn compile_if(
        &self,
        cond: ExprId,
        then_block: &Block,
        else_block: Option<&Block>,
    ) -> CompileResult<Code> {
        let cond = self.compile_expr(cond)?;
        let then_code = self.compile_block(then_block)?;
        Ok(match else_block {
            Some(else_block) => {
                let else_code = self.compile_block(else_block)?;
                Box::new(move |frame| {
                    if cond(frame)? != 0 {
                        then_code(frame)
                    } else {
                        else_code(frame)
                    }
                })
            }
            None => Box::new(move |frame| {
                if cond(frame)? != 0 {
                    then_code(frame)?;
                }
                Ok(0)
            }),
        })
    }

    /// Where a stopped loop is reported: the loop itself.
    fn loop_site(&self, id: LoopId) -> Site {
        let span = self
            .function
            .loops
            .get(id.index())
            .map_or(self.function.span, |info| info.span);
        self.site(span)
    }

    pub fn compile_loop(&self, id: LoopId, body: &Block) -> CompileResult<Code> {
        let site = self.loop_site(id);
        let body = self.profile_iteration(id, self.compile_block(body)?);
        let id = id.0;
        Ok(Box::new(move |frame| loop {
            poll(frame, &site)?;
            if let Next::Stop(value) = run_body(&body, frame, id)? {
                return Ok(value);
            }
        }))
    }

    pub fn compile_while(&self, id: LoopId, cond: ExprId, body: &Block) -> CompileResult<Code> {
        let site = self.loop_site(id);
        let cond = self.compile_expr(cond)?;
        let body = self.profile_iteration(id, self.compile_block(body)?);
        let id = id.0;
        Ok(Box::new(move |frame| {
            while {
                poll(frame, &site)?;
                cond(frame)? != 0
            } {
                if let Next::Stop(_) = run_body(&body, frame, id)? {
                    break;
                }
            }
            Ok(0)
        }))
    }

    /// A `for` loop. The counter runs in `i128`, wide enough for every bound of every integer
    /// type plus a step, so no counter arithmetic wraps (`0..=u64::MAX` ends after `MAX`).
    pub fn compile_for(
        &self,
        id: LoopId,
        var: LocalId,
        range: &Range,
        body: &Block,
        parallel: bool,
    ) -> CompileResult<Code> {
        let ty = self
            .function
            .local(var)
            .ty
            .as_scalar()
            .filter(|s| s.is_int())
            .ok_or_else(|| {
                self.unsupported(self.function.local(var).span, "a non-integer loop variable")
            })?;
        let signed = ty.is_signed_int();
        let widen = move |raw: u64| -> i128 {
            if signed {
                i128::from(raw as i64)
            } else {
                i128::from(raw)
            }
        };
        let start = self.compile_expr(range.start)?;
        let end = self.compile_expr(range.end)?;
        let step = match range.step {
            Some(step) => Some((
                self.compile_expr(step)?,
                self.site(self.function.span(step)),
            )),
            None => None,
        };
        // Only a loop around other loops or calls polls at its back-edge: an innermost one
        // always ends, and stays free of the check.
        let poll_site = block_has_loop_or_call(self.function, body).then(|| self.loop_site(id));
        let body = self.profile_iteration(id, self.compile_block(body)?);
        let lanes = LanePlan::new(self.function, id, parallel);
        let (inclusive, reverse, id, slot) = (range.inclusive, range.reverse, id.0, var.index());
        Ok(Box::new(move |frame| {
            let first = widen(start(frame)?);
            let end = widen(end(frame)?);
            let step = match &step {
                Some((step, site)) => match step(frame)? {
                    0 => return Err(site.error(ErrorKind::ZeroStep)),
                    step => i128::from(step),
                },
                None => 1,
            };
            let last = if inclusive { end } else { end - 1 };
            let (from, delta) = if reverse {
                (last, -step)
            } else {
                (first, step)
            };
            let in_range = |i: i128| i >= first && i <= last;
            if let Some(plan) = &lanes {
                let n = trip_count(first, last, step);
                let mut run = plan.start(&frame.slots, n);
                let mut i = from;
                let mut k = 0;
                while in_range(i) {
                    frame.slots[slot] = i as u64;
                    plan.enter(&mut run, &mut frame.slots, k);
                    // No `break` leaves a loop with lanes (`kernel_ir::ir::Lanes`).
                    run_body(&body, frame, id)?;
                    plan.leave(&mut run, &frame.slots);
                    if let Some(site) = &poll_site {
                        poll(frame, site)?;
                    }
                    i += delta;
                    k += 1;
                }
                plan.finish(&mut run, &mut frame.slots);
                return Ok(0);
            }
            let mut i = from;
            while in_range(i) {
                frame.slots[slot] = i as u64;
                if let Next::Stop(_) = run_body(&body, frame, id)? {
                    break;
                }
                if let Some(site) = &poll_site {
                    poll(frame, site)?;
                }
                i += delta;
            }
            Ok(0)
        }))
    }

    pub fn compile_break(&self, id: LoopId, value: Option<ExprId>) -> CompileResult<Code> {
        let id = id.0;
        Ok(match value {
            Some(value) => {
                let value = self.compile_expr(value)?;
                Box::new(move |frame| Err(Flow::Break(id, value(frame)?)))
            }
            None => Box::new(move |_| Err(Flow::Break(id, 0))),
        })
    }

    pub fn compile_return(&self, value: Option<ExprId>) -> CompileResult<Code> {
        Ok(match value {
            Some(value) => {
                let value = self.compile_expr(value)?;
                Box::new(move |frame| Err(Flow::Return(value(frame)?)))
            }
            None => Box::new(|_| Err(Flow::Return(0))),
        })
    }
}

/// The iterations of `first..=last` by `step`, saturated to `u64` (only `0..=u64::MAX` and
/// the like saturate, and they never finish).
fn trip_count(first: i128, last: i128, step: i128) -> u64 {
    if last < first {
        return 0;
    }
    u64::try_from((last - first) / step + 1).unwrap_or(u64::MAX)
}

/// `local op= value`, specialised on the value operand.
struct CompoundLocal {
    slot: usize,
    value: Operand,
    site: Site,
}

impl BinaryVisitor for CompoundLocal {
    type Out = Code;
    fn visit<F>(self, f: F) -> Code
    where
        F: Fn(u64, u64) -> Result<u64, ErrorKind> + Copy + Send + Sync + 'static,
    {
        let (slot, site) = (self.slot, self.site);
        with_operand!(self.value, |value| compound_local(slot, value, f, site))
    }
}

fn compound_local<A: Eval, F>(slot: usize, value: A, f: F, site: Site) -> Code
where
    F: Fn(u64, u64) -> Result<u64, ErrorKind> + Copy + Send + Sync + 'static,
{
    Box::new(move |frame| {
        let rhs = value.eval(frame)?;
        frame.slots[slot] = f(frame.slots[slot], rhs).map_err(|kind| site.error(kind))?;
        Ok(0)
    })
}
