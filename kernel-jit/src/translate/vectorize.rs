//! Vectorisation of elementwise innermost `for` loops into `f64x2` operations.
//!
//! Cranelift neither vectorises nor unrolls, so the translator does it for the one shape where
//! it needs no reassociation: a loop `for v in a..b` whose iterations are independent. The
//! body qualifies (see [`plan`]) when it only
//! - assigns array elements (`=`, `+=`, `-=`, `*=`, `/=`) and binds immutable `f64` locals,
//! - accesses `f64` array parameters as `x[[p.., v + c]]`: `v` plus a literal offset `c` as
//!   the last index (a stencil's `x[v - 1]`, `x[v + 1]`), a prefix `p` of literals and locals
//!   the body does not bind, possibly plus or minus a literal (loop-invariant, since the body
//!   assigns no local), or reads one loop-invariant element `x[[p..]]` of an array the body
//!   does not write (gemm's `a[[i, k]]` in `c[[i, j]] += alpha * a[[i, k]] * b[[k, j]]`), loaded
//!   once before the vector loop and used in both lanes, or reads `x[[p.., v + c, q..]]` with
//!   `v` in a leading index of an array the body does not write (syrk's `a[[j, k]]` over `j`):
//!   the two lanes' elements are loaded one by one and paired,
//! - computes with `+ - * /`, negation, `sqrt`, `abs`, `f64` literals and locals,
//! - accesses every array it writes with one and the same prefix and offset 0.
//!
//! Then iteration `v` reads and writes only element `v` of the rows it writes (writable
//! parameters alias no other argument), so running iterations `v` and `v + 1` side by side in
//! the two lanes of a vector performs exactly the scalar operations, in the same order per
//! element: results are bit-identical.
//!
//! **Loop versioning:** the vector loop runs only when, at run time, every accessed array has
//! innermost stride 1 and (with bounds checks on) every access of every iteration is in bounds
//! (`0 <= a`, `b <=` the innermost extent, each prefix index `<` its extent, the offset rows
//! `v + c` and the invariant elements inside theirs). It covers a multiple of four iterations
//! from `a` (two vector iterations per trip); the ordinary scalar loop then runs the rest: at
//! most three iterations, or the whole range when the guard failed, so out-of-bounds errors are
//! reported exactly as without vectorisation.

use std::collections::HashMap;

use cranelift_codegen::ir::{condcodes::IntCC, types, InstBuilder, MemFlagsData, Value};
use cranelift_frontend::Variable;

use kernel_ir::ir::{BinOp, Block, Builtin, Expr, ExprId, Function, Lit, LocalId, Place, Stmt};
use kernel_ir::ir::{Range, ReduceOp, Reduction, UnOp};
use kernel_ir::{Scalar, Type};

use super::{ArrayParts, ArrayStorage, FunctionCx};

/// Lanes per vector (`f64x2`).
const LANES: i64 = 2;

/// Vector iterations per trip through the loop: two, so that the loop's own counting and
/// branching is shared by four elements.
const UNROLL: i64 = 2;

/// Largest literal offset accepted in an index (`v + c`, `p - c`).
const MAX_OFFSET: i128 = 1 << 31;

/// A loop-invariant index of an access prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PrefixIndex {
    Const(i128),
    Local(LocalId),
    /// A 64-bit local plus a literal (`i - 1`, `1 + i`): computed with `i64` wrapping, which
    /// is the language's arithmetic for these types.
    Offset(LocalId, i64),
}

/// One array row the loop touches: `array[[prefix.., v + offset]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Row {
    array: LocalId,
    prefix: Vec<PrefixIndex>,
    offset: i64,
}

/// One loop-invariant element the loop reads: `array[[indices..]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Invariant {
    array: LocalId,
    indices: Vec<PrefixIndex>,
}

/// One strided element the loop reads: `array[[indices..]]` with the loop variable plus
/// `offset` on axis `axis` (not the last) and loop-invariant indices elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Gather {
    array: LocalId,
    axis: usize,
    offset: i64,
    /// The other indices, in order (without `axis`).
    fixed: Vec<PrefixIndex>,
}

/// What one access of the body is.
enum Access {
    Row(Row),
    Invariant,
    Gather,
}

/// What [`plan`] found: the rows the vector loop addresses and the invariant elements it
/// reads.
#[derive(Debug)]
pub(crate) struct Plan {
    var: LocalId,
    /// The loop's lane reductions (`kernel_ir::ir::Lanes`), each an `f64` sum or product.
    reductions: Vec<Reduction>,
    gathers: Vec<Gather>,
    /// `a..=b`: the vector loop covers `a..b + 1` when `b + 1` does not wrap.
    inclusive: bool,
    rows: Vec<Row>,
    invariants: Vec<Invariant>,
}

/// The analysis of one loop body (see the module docs for the accepted shape).
struct Analysis<'f> {
    f: &'f Function,
    var: LocalId,
    lets: Vec<LocalId>,
    rows: Vec<Row>,
    invariants: Vec<Invariant>,
    gathers: Vec<Gather>,
    written: Vec<Row>,
    reductions: &'f [Reduction],
}

/// The vectorisation plan of `for var in range { body }`, if the loop qualifies.
/// `reductions`: the loop's lane reductions, which its body may update (`x += e`, `x *= e`).
pub(crate) fn plan(
    f: &Function,
    var: LocalId,
    range: &Range,
    body: &Block,
    reductions: &[Reduction],
) -> Option<Plan> {
    let vector_reduction = |r: &Reduction| {
        matches!(r.op, ReduceOp::Add | ReduceOp::Mul)
            && f.local(r.local).ty == Type::Scalar(Scalar::F64)
    };
    if !reductions.iter().all(vector_reduction) {
        return None;
    }
    let counter = f.local(var).ty.as_scalar()?;
    let wide_counter = matches!(counter, Scalar::Usize | Scalar::U64 | Scalar::I64);
    if range.step.is_some() || range.reverse || !wide_counter {
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
        invariants: Vec::new(),
        gathers: Vec::new(),
        written: Vec::new(),
        reductions,
    };
    for stmt in &body.stmts {
        analysis.stmt(stmt)?;
    }
    // Every access of a written array must be to the row it writes; no invariant element
    // may sit in a written array (a write of the loop could change it).
    let consistent = analysis.written.iter().all(|w| {
        w.offset == 0
            && analysis
                .rows
                .iter()
                .all(|row| row.array != w.array || row == w)
            && analysis.invariants.iter().all(|inv| inv.array != w.array)
            && analysis.gathers.iter().all(|g| g.array != w.array)
    });
    consistent.then_some(Plan {
        var,
        reductions: reductions.to_vec(),
        inclusive: range.inclusive,
        rows: analysis.rows,
        invariants: analysis.invariants,
        gathers: analysis.gathers,
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
                let Access::Row(row) = self.access(*array, indices)? else {
                    return None;
                };
                if !self.written.contains(&row) {
                    self.written.push(row);
                }
                Some(())
            }
            Stmt::Assign {
                place: Place::Local(local),
                op: Some(op),
                value,
                ..
            } => {
                let reduce = match op {
                    BinOp::Add => ReduceOp::Add,
                    BinOp::Mul => ReduceOp::Mul,
                    _ => return None,
                };
                let reduction = Reduction {
                    local: *local,
                    op: reduce,
                };
                if !self.reductions.contains(&reduction) {
                    return None;
                }
                self.value(*value)
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

    /// Checks `array[[indices]]` and records its row or invariant element.
    fn access(&mut self, array: LocalId, indices: &[ExprId]) -> Option<Access> {
        let Type::Array(ty) = self.f.local(array).ty else {
            return None;
        };
        let (last, prefix) = indices.split_last()?;
        if ty.elem != Scalar::F64 || indices.len() != usize::from(ty.rank) {
            return None;
        }
        let bound_here = |index: &ExprId| {
            let locals = index_locals(self.f, *index);
            locals.iter().any(|l| self.lets.contains(l))
        };
        if indices.iter().any(bound_here) {
            return None;
        }
        if let Some(offset) = var_offset(self.f, self.var, *last) {
            let prefix = prefix_key(self.f, self.var, prefix)?;
            let row = Row {
                array,
                prefix,
                offset,
            };
            if !self.rows.contains(&row) {
                self.rows.push(row.clone());
            }
            return Some(Access::Row(row));
        }
        if let Some(gather) = gather_key(self.f, self.var, array, indices) {
            if !self.gathers.contains(&gather) {
                self.gathers.push(gather);
            }
            return Some(Access::Gather);
        }
        let invariant = Invariant {
            array,
            indices: prefix_key(self.f, self.var, indices)?,
        };
        if !self.invariants.contains(&invariant) {
            self.invariants.push(invariant);
        }
        Some(Access::Invariant)
    }
}

/// `array[[indices]]` as a gather: the loop variable (plus a literal) on exactly one leading
/// axis, loop-invariant indices elsewhere.
fn gather_key(f: &Function, var: LocalId, array: LocalId, indices: &[ExprId]) -> Option<Gather> {
    let (_, leading) = indices.split_last()?;
    let axis = leading
        .iter()
        .position(|&index| var_offset(f, var, index).is_some())?;
    let offset = var_offset(f, var, indices[axis])?;
    let others: Vec<ExprId> = indices
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != axis)
        .map(|(_, &index)| index)
        .collect();
    Some(Gather {
        array,
        axis,
        offset,
        fixed: prefix_key(f, var, &others)?,
    })
}

/// The locals an index expression reads.
fn index_locals(f: &Function, index: ExprId) -> Vec<LocalId> {
    match f.expr(index) {
        Expr::Local(local) => vec![*local],
        Expr::Binary(_, a, b) => {
            let mut locals = index_locals(f, *a);
            locals.extend(index_locals(f, *b));
            locals
        }
        _ => Vec::new(),
    }
}

/// `c` when `index` is `var`, `var + c`, `c + var` or `var - c` with a small literal `c`.
fn var_offset(f: &Function, var: LocalId, index: ExprId) -> Option<i64> {
    match local_offset(f, index)? {
        (local, offset) if local == var => Some(offset),
        _ => None,
    }
}

/// `(l, c)` when `index` is a 64-bit local `l` (`c = 0`), `l + c`, `c + l` or `l - c`.
fn local_offset(f: &Function, index: ExprId) -> Option<(LocalId, i64)> {
    let literal = |id: ExprId| match f.expr(id) {
        Expr::Lit(Lit::Int(c), _) if c.abs() <= MAX_OFFSET => Some(*c as i64),
        _ => None,
    };
    let wide = |local: LocalId| {
        matches!(
            f.local(local).ty.as_scalar(),
            Some(Scalar::Usize | Scalar::U64 | Scalar::I64)
        )
    };
    let (local, offset) = match f.expr(index) {
        Expr::Local(local) => (*local, 0),
        Expr::Binary(BinOp::Add, a, b) => match (f.expr(*a), f.expr(*b)) {
            (Expr::Local(local), _) => (*local, literal(*b)?),
            (_, Expr::Local(local)) => (*local, literal(*a)?),
            _ => return None,
        },
        Expr::Binary(BinOp::Sub, a, b) => match f.expr(*a) {
            Expr::Local(local) => (*local, -literal(*b)?),
            _ => return None,
        },
        _ => return None,
    };
    (offset == 0 || wide(local)).then_some((local, offset))
}

/// The loop-invariant `indices` as a key: literals, and locals other than `var` (plus or
/// minus a literal).
fn prefix_key(f: &Function, var: LocalId, indices: &[ExprId]) -> Option<Vec<PrefixIndex>> {
    indices
        .iter()
        .map(|&index| match f.expr(index) {
            Expr::Lit(Lit::Int(value), _) => Some(PrefixIndex::Const(*value)),
            _ => match local_offset(f, index)? {
                (local, _) if local == var => None,
                (local, 0) => Some(PrefixIndex::Local(local)),
                (local, offset) => Some(PrefixIndex::Offset(local, offset)),
            },
        })
        .collect()
}

/// A row's address of element 0 of its innermost axis, computed once before the loop.
struct RowBase {
    row: Row,
    base: Value,
}

/// A gather's address at `v = 0` and its step between lanes, in bytes.
#[derive(Clone)]
struct GatherBase {
    gather: Gather,
    base: Value,
    step: Value,
}

/// The state of the vector loop body being emitted.
struct Lanes {
    var: LocalId,
    bases: Vec<RowBase>,
    /// The invariant elements, loaded once and splatted.
    invariants: Vec<(Invariant, Value)>,
    gathers: Vec<GatherBase>,
    /// The current iteration's `v` and the byte offset of its first element (`8 * v`).
    counter: Value,
    offset: Value,
    /// The vector values of the body's `let`s.
    lets: HashMap<LocalId, Value>,
    /// Each lane reduction's accumulators, one `f64x2` per unrolled copy of the body.
    accumulators: HashMap<LocalId, Vec<Variable>>,
    /// The unrolled copy being emitted.
    copy: usize,
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
        self.vector_loop(plan, body, s, (start, end), UNROLL).0
    }

    /// The vector prefix of a loop with `count` lanes (see `lanes`): it covers a multiple of
    /// `count` iterations, copy `j` of the body accumulating lanes `2j` and `2j + 1`. Returns
    /// where the scalar loop must start and each reduction's `count` lane values, in the
    /// order of `plan`'s reductions (identities when the vector loop did not run).
    pub(crate) fn vector_lane_prefix(
        &mut self,
        plan: &Plan,
        body: &Block,
        s: Scalar,
        start: Value,
        end: Value,
        count: u32,
    ) -> (Value, Vec<Vec<Value>>) {
        let (vec_end, accumulators) =
            self.vector_loop(plan, body, s, (start, end), i64::from(count) / LANES);
        let lanes = plan
            .reductions
            .iter()
            .map(|r| {
                let vectors = accumulators.get(&r.local).cloned().unwrap_or_default();
                vectors
                    .iter()
                    .flat_map(|v| {
                        let vector = self.b.use_var(*v);
                        [0, 1].map(|lane| self.b.ins().extractlane(vector, lane))
                    })
                    .collect()
            })
            .collect();
        (vec_end, lanes)
    }

    /// The guarded vector loop, `unroll` vector iterations per trip, and the accumulator
    /// variables of the plan's reductions.
    fn vector_loop(
        &mut self,
        plan: &Plan,
        body: &Block,
        s: Scalar,
        (start, end): (Value, Value),
        unroll: i64,
    ) -> (Value, HashMap<LocalId, Vec<Variable>>) {
        // The accumulators exist (at the identity) on every path, the guard's failure too.
        let accumulators: HashMap<LocalId, Vec<Variable>> = plan
            .reductions
            .iter()
            .map(|r| {
                let identity = self.identity_value(r.op, Scalar::F64);
                let splat = self.b.ins().splat(types::F64X2, identity);
                let vars = (0..unroll)
                    .map(|_| {
                        let var = self.b.declare_var(types::F64X2);
                        self.b.def_var(var, splat);
                        var
                    })
                    .collect();
                (r.local, vars)
            })
            .collect();
        if self.profile.is_some() {
            // Counted code runs every iteration through the scalar body.
            return (start, accumulators);
        }
        let (end, end_ok) = self.exclusive_end(plan, s, end);
        let Some((ok, bases, elements)) = self.vector_guard(plan, s, start, end) else {
            return (start, accumulators);
        };
        let Some((gathers_ok, gathers)) = self.gather_guard(plan, start, end) else {
            return (start, accumulators);
        };
        let ok = self.b.ins().band(ok, gathers_ok);
        let ok = self.b.ins().band(ok, end_ok);
        let non_empty = self.compare(BinOp::Lt, s, start, end);
        let span = self.b.ins().isub(end, start);
        let zero = self.b.ins().iconst(types::I64, 0);
        let len = self.b.ins().select(non_empty, span, zero);
        let even = self.b.ins().band_imm_s(len, !(LANES * unroll - 1));
        let count = self.b.ins().select(ok, even, zero);
        let vec_end = self.b.ins().iadd(start, count);

        let preheader = self.b.create_block();
        let header = self.b.create_block();
        let after = self.b.create_block();
        let i = self.b.append_block_param(header, types::I64);
        self.b.ins().brif(count, preheader, &[], after, &[]);
        // The guard proved the invariant elements in bounds: load each once.
        self.b.switch_to_block(preheader);
        self.b.seal_block(preheader);
        let invariants = plan
            .invariants
            .iter()
            .zip(elements)
            .map(|(invariant, address)| {
                let scalar = self.b.ins().load(types::F64, vector_flags(), address, 0);
                (invariant.clone(), self.b.ins().splat(types::F64X2, scalar))
            })
            .collect();
        self.b.ins().jump(header, &[start.into()]);
        self.b.switch_to_block(header);
        let offset = self.b.ins().ishl_imm_u(i, 3);
        let mut lanes = Lanes {
            var: plan.var,
            bases,
            invariants,
            gathers,
            counter: i,
            offset,
            lets: HashMap::new(),
            accumulators,
            copy: 0,
        };
        // Iterations are independent (see the module docs), so running the body for
        // `v, v + 1` and then for `v + 2, v + 3` performs every iteration's operations; a
        // reduction's copies add into their own accumulators, the lanes of the language.
        for copy in 0..unroll {
            if copy > 0 {
                lanes.counter = self.b.ins().iadd_imm_s(i, copy * LANES);
                lanes.offset = self.b.ins().iadd_imm_s(offset, copy * LANES * 8);
                lanes.lets.clear();
            }
            lanes.copy = copy as usize;
            for stmt in &body.stmts {
                self.vector_stmt(stmt, &mut lanes);
            }
        }
        let next = self.b.ins().iadd_imm_s(i, LANES * unroll);
        let done = self.b.ins().icmp(IntCC::Equal, next, vec_end);
        self.b.ins().brif(done, after, &[], header, &[next.into()]);
        self.b.seal_block(header);
        self.b.switch_to_block(after);
        self.b.seal_block(after);
        (vec_end, lanes.accumulators)
    }

    /// The exclusive end of the vector range and whether it is usable: for `a..=b`, `b + 1`
    /// unless that wraps (`b` the largest value of the counter type).
    fn exclusive_end(&mut self, plan: &Plan, s: Scalar, end: Value) -> (Value, Value) {
        if !plan.inclusive {
            let yes = self.b.ins().iconst(types::I8, 1);
            return (end, yes);
        }
        let largest = if s.is_signed_int() { i64::MAX } else { -1 };
        let fits = self.b.ins().icmp_imm_s(IntCC::NotEqual, end, largest);
        (self.b.ins().iadd_imm_s(end, 1), fits)
    }

    /// The run-time condition for the vector loop, every row's base address (of the element
    /// `v = 0` of the row) and every invariant element's address.
    fn vector_guard(
        &mut self,
        plan: &Plan,
        s: Scalar,
        start: Value,
        end: Value,
    ) -> Option<(Value, Vec<RowBase>, Vec<Value>)> {
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
            let (row_ok, base) = self.row_guard(row, start, end)?;
            ok = self.b.ins().band(ok, row_ok);
            bases.push(RowBase {
                row: row.clone(),
                base,
            });
        }
        let mut elements = Vec::with_capacity(plan.invariants.len());
        for invariant in &plan.invariants {
            let (inside, address) = self.element_guard(invariant.array, &invariant.indices)?;
            ok = self.b.ins().band(ok, inside);
            elements.push(address);
        }
        Some((ok, bases, elements))
    }

    /// Whether the row has unit stride and `v + offset` stays inside it for every `v` in
    /// `start..end` (and its prefix inside the other axes), and its base address.
    fn row_guard(&mut self, row: &Row, start: Value, end: Value) -> Option<(Value, Value)> {
        if !self.vectorizable_storage(row.array) {
            return None;
        }
        let parts = self.array_parts(row.array)?;
        let (&inner_dim, &inner_stride) = (parts.dims.last()?, parts.strides.last()?);
        let mut ok = self.b.ins().icmp_imm_s(IntCC::Equal, inner_stride, 1);
        if self.env.boundscheck {
            let fits = self.offset_fits(row.offset, start, end, inner_dim);
            ok = self.b.ins().band(ok, fits);
        }
        let (prefix_ok, mut base) = self.prefix_address(&parts, &row.prefix);
        ok = self.b.ins().band(ok, prefix_ok);
        if row.offset != 0 {
            base = self.b.ins().iadd_imm_s(base, row.offset.wrapping_mul(8));
        }
        Some((ok, base))
    }

    /// Whether every gather stays inside its array for `v` in `start..end`, and each one's
    /// address at `v = 0` with its step in bytes.
    fn gather_guard(
        &mut self,
        plan: &Plan,
        start: Value,
        end: Value,
    ) -> Option<(Value, Vec<GatherBase>)> {
        let mut ok = self.b.ins().iconst(types::I8, 1);
        let mut out = Vec::with_capacity(plan.gathers.len());
        for gather in &plan.gathers {
            if !self.vectorizable_storage(gather.array) {
                return None;
            }
            let mut parts = self.array_parts(gather.array)?;
            let dim = parts.dims.remove(gather.axis);
            let stride = parts.strides.remove(gather.axis);
            if self.env.boundscheck {
                let fits = self.offset_fits(gather.offset, start, end, dim);
                ok = self.b.ins().band(ok, fits);
            }
            let (fixed_ok, base) = self.prefix_address(&parts, &gather.fixed);
            ok = self.b.ins().band(ok, fixed_ok);
            let step = self.b.ins().ishl_imm_u(stride, 3);
            let shift = self.b.ins().imul_imm_s(step, gather.offset);
            let base = self.b.ins().iadd(base, shift);
            out.push(GatherBase {
                gather: gather.clone(),
                base,
                step,
            });
        }
        Some((ok, out))
    }

    /// `0 <= v + offset < dim` for every `v` in `start..end` (known non-negative): `start +
    /// offset >= 0` and `end + offset <= dim`, without wrapping (`dim <= isize::MAX`).
    fn offset_fits(&mut self, offset: i64, start: Value, end: Value, dim: Value) -> Value {
        if offset >= 0 {
            let room = self
                .b
                .ins()
                .icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, dim, offset);
            let limit = self.b.ins().iadd_imm_s(dim, -offset);
            let fits = self
                .b
                .ins()
                .icmp(IntCC::UnsignedLessThanOrEqual, end, limit);
            self.b.ins().band(room, fits)
        } else {
            let low = self
                .b
                .ins()
                .icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, start, -offset);
            let limit = self.b.ins().iadd_imm_s(dim, -offset);
            let fits = self
                .b
                .ins()
                .icmp(IntCC::UnsignedLessThanOrEqual, end, limit);
            self.b.ins().band(low, fits)
        }
    }

    /// The address of the element a prefix of indices selects on the leading axes, and
    /// whether every index is inside its axis (true when checks are off).
    fn prefix_address(&mut self, parts: &ArrayParts, prefix: &[PrefixIndex]) -> (Value, Value) {
        let mut ok = self.b.ins().iconst(types::I8, 1);
        let mut base = parts.data;
        for (axis, index) in prefix.iter().enumerate() {
            let value = self.prefix_value(*index);
            if self.env.boundscheck {
                let inside = self
                    .b
                    .ins()
                    .icmp(IntCC::UnsignedLessThan, value, parts.dims[axis]);
                ok = self.b.ins().band(ok, inside);
            }
            let elements = self.b.ins().imul(value, parts.strides[axis]);
            let bytes = self.b.ins().ishl_imm_u(elements, 3);
            base = self.b.ins().iadd(base, bytes);
        }
        (ok, base)
    }

    /// Whether the vector loop may address `array`: an argument (its descriptor) or an array
    /// the function allocated (its own parts, shared with nothing); not a fixed array on the
    /// stack, nor a view, which shares memory with the array it looks into.
    fn vectorizable_storage(&self, array: LocalId) -> bool {
        match self.arrays.get(array.index()) {
            Some(Some(ArrayStorage::Desc { .. })) => true,
            Some(Some(ArrayStorage::Parts(_))) => self.f.owns_array(array),
            _ => false,
        }
    }

    /// Whether an invariant element is in bounds, and its address.
    fn element_guard(&mut self, array: LocalId, indices: &[PrefixIndex]) -> Option<(Value, Value)> {
        if !self.vectorizable_storage(array) {
            return None;
        }
        let parts = self.array_parts(array)?;
        Some(self.prefix_address(&parts, indices))
    }

    /// A prefix index widened to `i64` by its own signedness (as a bounds check sees it).
    fn prefix_value(&mut self, index: PrefixIndex) -> Value {
        match index {
            // Prefix literals are in range for their integer type, hence for `i64` bits.
            PrefixIndex::Const(value) => self.b.ins().iconst(types::I64, value as i64),
            PrefixIndex::Local(local) => self.local_as_i64(local),
            PrefixIndex::Offset(local, offset) => {
                let value = self.local_as_i64(local);
                self.b.ins().iadd_imm_s(value, offset)
            }
        }
    }

    fn local_as_i64(&mut self, local: LocalId) -> Value {
        match self.local_index_value(local) {
            Some(value) => value,
            None => self.b.ins().iconst(types::I64, 0),
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
            Stmt::Assign {
                place: Place::Local(local),
                op: Some(op),
                value,
                ..
            } => {
                let rhs = self.vector_value(*value, lanes);
                let Some(var) = lanes
                    .accumulators
                    .get(local)
                    .and_then(|vars| vars.get(lanes.copy))
                    .copied()
                else {
                    return;
                };
                let current = self.b.use_var(var);
                let result = self.vector_binary(*op, current, rhs);
                self.b.def_var(var, result);
            }
            _ => {}
        }
    }

    fn vector_value(&mut self, id: ExprId, lanes: &Lanes) -> Value {
        match self.f.expr(id) {
            Expr::Index { array, indices } => {
                if let Some(address) = self.row_address(*array, indices, lanes) {
                    return self.b.ins().load(types::F64X2, vector_flags(), address, 0);
                }
                let invariant = prefix_key(self.f, lanes.var, indices).and_then(|indices| {
                    let key = Invariant {
                        array: *array,
                        indices,
                    };
                    lanes.invariants.iter().find(|(inv, _)| *inv == key)
                });
                if let Some((_, value)) = invariant {
                    return *value;
                }
                let gather = gather_key(self.f, lanes.var, *array, indices)
                    .and_then(|key| lanes.gathers.iter().find(|g| g.gather == key).cloned());
                match gather {
                    Some(g) => self.gather_load(g.base, g.step, lanes),
                    None => self.vector_splat(id),
                }
            }
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

    /// The two lanes of a gather at the current iteration: `base + v·step` and the next.
    fn gather_load(&mut self, base: Value, step: Value, lanes: &Lanes) -> Value {
        let moved = self.b.ins().imul(lanes.counter, step);
        let first = self.b.ins().iadd(base, moved);
        let second = self.b.ins().iadd(first, step);
        let low = self.b.ins().load(types::F64, vector_flags(), first, 0);
        let high = self.b.ins().load(types::F64, vector_flags(), second, 0);
        let vector = self.b.ins().scalar_to_vector(types::F64X2, low);
        self.b.ins().insertlane(vector, high, 1)
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
        let (last, prefix) = indices.split_last()?;
        let key = Row {
            array,
            prefix: prefix_key(self.f, lanes.var, prefix)?,
            offset: var_offset(self.f, lanes.var, *last)?,
        };
        let base = lanes.bases.iter().find(|base| base.row == key)?;
        Some(self.b.ins().iadd(base.base, lanes.offset))
    }
}

/// Vector accesses may be unaligned: only "cannot trap" (the guard proved them in bounds).
fn vector_flags() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}
