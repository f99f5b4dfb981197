//! Vectorisation of elementwise innermost `for` loops into `f64x2` operations.
//!
//! Cranelift neither vectorises nor unrolls, so the translator does it for the one shape where
//! it needs no reassociation: a loop `for v in a..b` whose iterations are independent. The
//! body qualifies (see [`plan`]) when it only
//! - assigns array elements (`=`, `+=`, `-=`, `*=`, `/=`) and binds immutable `f64` locals,
//! - accesses `f64` array parameters as `x[[p.., v]]`: `v` as the last index, a prefix `p` of
//!   literals and locals the body does not bind (loop-invariant, since the body assigns no
//!   local),
//! - computes with `+ - * /`, negation, `sqrt`, `abs`, `f64` literals and locals,
//! - accesses every array it writes with one and the same prefix.
//!
//! Then iteration `v` reads and writes only element `v` of the rows it writes (writable
//! parameters alias no other argument), so running iterations `v` and `v + 1` side by side in
//! the two lanes of a vector performs exactly the scalar operations, in the same order per
//! element: results are bit-identical.
//!
//! **Loop versioning:** the vector loop runs only when, at run time, every accessed array has
//! innermost stride 1 and (with bounds checks on) every access of every iteration is in bounds
//! (`0 <= a`, `b <=` the innermost extent, each prefix index `<` its extent). It covers an even
//! number of iterations from `a`; the ordinary scalar loop then runs the rest: at most one
//! iteration, or the whole range when the guard failed, so out-of-bounds errors are reported
//! exactly as without vectorisation.

use std::collections::HashMap;

use cranelift_codegen::ir::{condcodes::IntCC, types, InstBuilder, MemFlagsData, Value};

use kernel_ir::ir::{BinOp, Block, Builtin, Expr, ExprId, Function, Lit, LocalId, Place, Stmt};
use kernel_ir::ir::{Range, UnOp};
use kernel_ir::{Scalar, Type};

use super::{ArrayStorage, FunctionCx};

/// Lanes per vector (`f64x2`).
const LANES: i64 = 2;

/// A loop-invariant index of an access prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PrefixIndex {
    Const(i128),
    Local(LocalId),
}

/// One array row the loop touches: `array[[prefix.., v]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Row {
    array: LocalId,
    prefix: Vec<PrefixIndex>,
}

/// What [`plan`] found: the rows the vector loop addresses.
#[derive(Debug)]
pub(crate) struct Plan {
    var: LocalId,
    rows: Vec<Row>,
}

/// The analysis of one loop body (see the module docs for the accepted shape).
struct Analysis<'f> {
    f: &'f Function,
    var: LocalId,
    lets: Vec<LocalId>,
    rows: Vec<Row>,
    written: Vec<Row>,
}

/// The vectorisation plan of `for var in range { body }`, if the loop qualifies.
pub(crate) fn plan(f: &Function, var: LocalId, range: &Range, body: &Block) -> Option<Plan> {
    let counter = f.local(var).ty.as_scalar()?;
    let wide_counter = matches!(counter, Scalar::Usize | Scalar::U64 | Scalar::I64);
    if range.step.is_some() || range.reverse || range.inclusive || !wide_counter {
        return None;
    }
    if body.tail.is_some() || body.stmts.is_empty() {
        return None;
    }
    let mut analysis = Analysis {
        f,
        var,
        lets: Vec::new(),
        rows: Vec::new(),
        written: Vec::new(),
    };
    for stmt in &body.stmts {
        analysis.stmt(stmt)?;
    }
    // Every access of a written array must be to the row it writes.
    let consistent = analysis.written.iter().all(|w| {
        analysis
            .rows
            .iter()
            .all(|row| row.array != w.array || row == w)
    });
    consistent.then_some(Plan {
        var,
        rows: analysis.rows,
    })
}

impl Analysis<'_> {
    fn stmt(&mut self, stmt: &Stmt) -> Option<()> {
        match stmt {
            Stmt::Let {
                local,
                init: Some(init),
            } => {
                let info = self.f.local(*local);
                if info.mutable || info.ty != Type::Scalar(Scalar::F64) {
                    return None;
                }
                self.value(*init)?;
                self.lets.push(*local);
                Some(())
            }
            Stmt::Assign {
                place: Place::Index { array, indices, .. },
                op,
                value,
                ..
            } => {
                if !matches!(
                    op,
                    None | Some(BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div)
                ) {
                    return None;
                }
                self.value(*value)?;
                let row = self.access(*array, indices)?;
                if !self.written.contains(&row) {
                    self.written.push(row);
                }
                Some(())
            }
            _ => None,
        }
    }

    /// Checks a value expression; every accepted one has type `f64`.
    fn value(&mut self, id: ExprId) -> Option<()> {
        if self.f.ty(id) != Type::Scalar(Scalar::F64) {
            return None;
        }
        match self.f.expr(id) {
            Expr::Lit(Lit::Float(_), _) => Some(()),
            Expr::Local(local) => (*local != self.var).then_some(()),
            Expr::Index { array, indices } => self.access(*array, indices).map(|_| ()),
            Expr::Binary(BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div, a, b) => {
                self.value(*a)?;
                self.value(*b)
            }
            Expr::Unary(UnOp::Neg, a) => self.value(*a),
            Expr::Builtin(Builtin::Sqrt | Builtin::Abs, args) if args.len() == 1 => {
                self.value(args[0])
            }
            _ => None,
        }
    }

    /// Checks `array[[indices]]` and records its row.
    fn access(&mut self, array: LocalId, indices: &[ExprId]) -> Option<Row> {
        let Type::Array(ty) = self.f.local(array).ty else {
            return None;
        };
        let (last, prefix) = indices.split_last()?;
        if ty.elem != Scalar::F64 || indices.len() != usize::from(ty.rank) {
            return None;
        }
        if *self.f.expr(*last) != Expr::Local(self.var) {
            return None;
        }
        if prefix
            .iter()
            .any(|index| matches!(self.f.expr(*index), Expr::Local(l) if self.lets.contains(l)))
        {
            return None;
        }
        let prefix = prefix_key(self.f, self.var, prefix)?;
        let row = Row { array, prefix };
        if !self.rows.contains(&row) {
            self.rows.push(row.clone());
        }
        Some(row)
    }
}

/// The loop-invariant prefix `indices` as a row key: literals and locals other than `var`.
fn prefix_key(f: &Function, var: LocalId, indices: &[ExprId]) -> Option<Vec<PrefixIndex>> {
    indices
        .iter()
        .map(|&index| match f.expr(index) {
            Expr::Lit(Lit::Int(value), _) => Some(PrefixIndex::Const(*value)),
            Expr::Local(local) if *local != var => Some(PrefixIndex::Local(*local)),
            _ => None,
        })
        .collect()
}

/// A row's address of element 0 of its innermost axis, computed once before the loop.
struct RowBase {
    row: Row,
    base: Value,
}

/// The state of the vector loop body being emitted.
struct Lanes {
    var: LocalId,
    bases: Vec<RowBase>,
    /// The byte offset of the current iteration's first element (`8 * v`).
    offset: Value,
    /// The vector values of the body's `let`s.
    lets: HashMap<LocalId, Value>,
}

impl FunctionCx<'_, '_> {
    /// Emits the guarded vector loop for `plan` over `start..end` (counter type `s`) and
    /// returns where the scalar loop must start: after the last vectorised iteration.
    pub(crate) fn vector_prefix(
        &mut self,
        plan: &Plan,
        body: &Block,
        s: Scalar,
        start: Value,
        end: Value,
    ) -> Value {
        if self.profile.is_some() {
            // Counted code runs every iteration through the scalar body.
            return start;
        }
        let Some((ok, bases)) = self.vector_guard(plan, s, start, end) else {
            return start;
        };
        let non_empty = self.compare(BinOp::Lt, s, start, end);
        let span = self.b.ins().isub(end, start);
        let zero = self.b.ins().iconst(types::I64, 0);
        let len = self.b.ins().select(non_empty, span, zero);
        let even = self.b.ins().band_imm_s(len, !(LANES - 1));
        let count = self.b.ins().select(ok, even, zero);
        let vec_end = self.b.ins().iadd(start, count);

        let header = self.b.create_block();
        let after = self.b.create_block();
        let i = self.b.append_block_param(header, types::I64);
        self.b
            .ins()
            .brif(count, header, &[start.into()], after, &[]);
        self.b.switch_to_block(header);
        let offset = self.b.ins().ishl_imm_u(i, 3);
        let mut lanes = Lanes {
            var: plan.var,
            bases,
            offset,
            lets: HashMap::new(),
        };
        for stmt in &body.stmts {
            self.vector_stmt(stmt, &mut lanes);
        }
        let next = self.b.ins().iadd_imm_s(i, LANES);
        let done = self.b.ins().icmp(IntCC::Equal, next, vec_end);
        self.b.ins().brif(done, after, &[], header, &[next.into()]);
        self.b.seal_block(header);
        self.b.switch_to_block(after);
        self.b.seal_block(after);
        vec_end
    }

    /// The run-time condition for the vector loop, and every row's base address.
    fn vector_guard(
        &mut self,
        plan: &Plan,
        s: Scalar,
        start: Value,
        end: Value,
    ) -> Option<(Value, Vec<RowBase>)> {
        let mut ok = self.b.ins().iconst(types::I8, 1);
        if self.env.boundscheck && s.is_signed_int() {
            let non_negative = self
                .b
                .ins()
                .icmp_imm_s(IntCC::SignedGreaterThanOrEqual, start, 0);
            ok = self.b.ins().band(ok, non_negative);
        }
        let mut bases = Vec::with_capacity(plan.rows.len());
        for row in &plan.rows {
            let Some(Some(ArrayStorage::Desc { .. })) = self.arrays.get(row.array.index()) else {
                return None;
            };
            let parts = self.array_parts(row.array)?;
            let (&inner_dim, &inner_stride) = (parts.dims.last()?, parts.strides.last()?);
            let unit = self.b.ins().icmp_imm_s(IntCC::Equal, inner_stride, 1);
            ok = self.b.ins().band(ok, unit);
            if self.env.boundscheck {
                let fits = self
                    .b
                    .ins()
                    .icmp(IntCC::UnsignedLessThanOrEqual, end, inner_dim);
                ok = self.b.ins().band(ok, fits);
            }
            let mut base = parts.data;
            for (axis, index) in row.prefix.iter().enumerate() {
                let value = self.prefix_value(*index);
                if self.env.boundscheck {
                    let inside =
                        self.b
                            .ins()
                            .icmp(IntCC::UnsignedLessThan, value, parts.dims[axis]);
                    ok = self.b.ins().band(ok, inside);
                }
                let elements = self.b.ins().imul(value, parts.strides[axis]);
                let bytes = self.b.ins().ishl_imm_u(elements, 3);
                base = self.b.ins().iadd(base, bytes);
            }
            bases.push(RowBase {
                row: row.clone(),
                base,
            });
        }
        Some((ok, bases))
    }

    /// A prefix index widened to `i64` by its own signedness (as a bounds check sees it).
    fn prefix_value(&mut self, index: PrefixIndex) -> Value {
        match index {
            // Prefix literals are in range for their integer type, hence for `i64` bits.
            PrefixIndex::Const(value) => self.b.ins().iconst(types::I64, value as i64),
            PrefixIndex::Local(local) => {
                let s = self.f.local(local).ty.as_scalar().unwrap_or(Scalar::I64);
                let value = match self.vars[local.index()] {
                    Some(var) => self.b.use_var(var),
                    None => self.b.ins().iconst(types::I64, 0),
                };
                self.index_to_i64(value, s)
            }
        }
    }

    fn vector_stmt(&mut self, stmt: &Stmt, lanes: &mut Lanes) {
        match stmt {
            Stmt::Let {
                local,
                init: Some(init),
            } => {
                let value = self.vector_value(*init, lanes);
                lanes.lets.insert(*local, value);
            }
            Stmt::Assign {
                place: Place::Index { array, indices, .. },
                op,
                value,
                ..
            } => {
                let rhs = self.vector_value(*value, lanes);
                let Some(address) = self.row_address(*array, indices, lanes) else {
                    return;
                };
                let result = match op {
                    Some(op) => {
                        let current = self.b.ins().load(types::F64X2, vector_flags(), address, 0);
                        self.vector_binary(*op, current, rhs)
                    }
                    None => rhs,
                };
                self.b.ins().store(vector_flags(), result, address, 0);
            }
            _ => {}
        }
    }

    fn vector_value(&mut self, id: ExprId, lanes: &Lanes) -> Value {
        match self.f.expr(id) {
            Expr::Index { array, indices } => match self.row_address(*array, indices, lanes) {
                Some(address) => self.b.ins().load(types::F64X2, vector_flags(), address, 0),
                None => self.vector_splat(id),
            },
            Expr::Local(local) if lanes.lets.contains_key(local) => lanes.lets[local],
            Expr::Binary(op, a, b) => {
                let a = self.vector_value(*a, lanes);
                let b = self.vector_value(*b, lanes);
                self.vector_binary(*op, a, b)
            }
            Expr::Unary(_, a) => {
                let a = self.vector_value(*a, lanes);
                self.b.ins().fneg(a)
            }
            Expr::Builtin(builtin, args) if !args.is_empty() => {
                let a = self.vector_value(args[0], lanes);
                match builtin {
                    Builtin::Sqrt => self.b.ins().sqrt(a),
                    _ => self.b.ins().fabs(a),
                }
            }
            _ => self.vector_splat(id),
        }
    }

    /// Literals and loop-invariant locals: one scalar in both lanes.
    fn vector_splat(&mut self, id: ExprId) -> Value {
        let scalar = self.scalar_value(id, Scalar::F64);
        self.b.ins().splat(types::F64X2, scalar)
    }

    fn vector_binary(&mut self, op: BinOp, a: Value, b: Value) -> Value {
        match op {
            BinOp::Add => self.b.ins().fadd(a, b),
            BinOp::Sub => self.b.ins().fsub(a, b),
            BinOp::Mul => self.b.ins().fmul(a, b),
            _ => self.b.ins().fdiv(a, b),
        }
    }

    /// The address of `array[[prefix.., i]]` in the current vector iteration. [`plan`]
    /// recorded the row of every access, so the lookup always succeeds (a miss, impossible,
    /// would drop the store instead of addressing wild memory).
    fn row_address(&mut self, array: LocalId, indices: &[ExprId], lanes: &Lanes) -> Option<Value> {
        let (_, prefix) = indices.split_last()?;
        let key = Row {
            array,
            prefix: prefix_key(self.f, lanes.var, prefix)?,
        };
        let base = lanes.bases.iter().find(|base| base.row == key)?;
        Some(self.b.ins().iadd(base.base, lanes.offset))
    }
}

/// Vector accesses may be unaligned: only "cannot trap" (the guard proved them in bounds).
fn vector_flags() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}
