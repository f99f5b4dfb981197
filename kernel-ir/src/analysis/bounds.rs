//! The bounds analysis: one verdict per array access and axis, read by the JIT, the native
//! emitter and `kernelc explain --annotate`.
//!
//! Each axis of each access gets a [`Check`]:
//! - **proven** when the loop ranges around it keep the index inside the extent for every
//!   possible input (`for i in 0..a.len() { a[i] }`, `for j in 0..i` under `for i in 0..n`
//!   with `let n = a.nrows()`, a constant into a fixed array);
//! - **implied** when an earlier check of the same array, axis and unchanging index passed on
//!   every path to it;
//! - **hoisted** to a `for` loop when the index's least and greatest values over every
//!   iteration of that loop's nest are linear forms of values fixed while it runs (size
//!   parameters, extents, outer loop variables): the loop's *guard* checks them once at its
//!   entry. Backends version the loop: a copy without those checks runs when the guard holds,
//!   the ordinary checked loop otherwise, so a failing access still reports exactly the
//!   interpreter's error after exactly its writes. The guard is conservative (it ignores
//!   `if`s and early exits), never wrong: when it fails the checked copy decides;
//! - **in place** otherwise.
//!
//! An index's range is derived from its expression: literals, `+`, `-`, multiplication by a
//! literal, integer casts, extents (`len()`, `dim()`, …), loop variables (through their
//! ranges: `start..end`, `..=`, `rev()` and `step_by` stay inside `[start, end)`), immutable
//! locals through their initialiser, and any integer local the loop never assigns, read at its
//! entry. Every intermediate value must not wrap in its type; where that is not certain the
//! guard checks it too (`n - 1` with `n: usize` needs `n >= 1`), so the forms are exact.
//!
//! The guard of a loop is the conjunction of `form >= 0` over its [`Linear`] forms, evaluated
//! in `i128` (exact: see `linear`). The hoist target is the outermost loop where the index is
//! analysable, so a gemm nest over size parameters is checked once, before its outer loop.

use std::collections::{HashMap, HashSet};

use crate::diag::Span;
use crate::ir::walk::{walk_expr, walk_stmt, Visitor};
use crate::ir::{Block, Expr, ExprId, Function, Lit, LocalId, LoopId, Place, Range, Stmt};
use crate::types::{Scalar, Type};

use super::linear::{Atom, Linear};

/// Steps one index's analysis may take (chains of locals are followed through their
/// initialisers; this bounds the work on adversarial sources).
const STEP_BUDGET: u32 = 4096;

/// An array access: a read (`Expr::Index`) or the write of an assignment, named by the
/// assignment's value expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Access {
    Read(ExprId),
    Write(ExprId),
}

/// What happens to the bounds check of one axis of one access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// Always in bounds: no check.
    Proven,
    /// An earlier check of the same array, axis and index dominates it: no check. (When the
    /// axis could be hoisted as well, its loop's guard covers it too:
    /// [`BoundsTable::also_hoisted`].)
    Implied,
    /// Covered by the guard of this `for` loop: unchecked in the loop's fast copy, checked in
    /// its checked copy.
    Hoisted(LoopId),
    /// Checked where it is.
    InPlace,
}

/// The verdicts of one function and the guards of its loops.
#[derive(Clone, Debug, Default)]
pub struct BoundsTable {
    checks: HashMap<Access, (Span, Vec<Check>)>,
    /// Implied accesses whose implying checks all ran before the innermost loop around
    /// them: they are in bounds at that loop's entry already.
    implied_on_entry: HashSet<Access>,
    /// Implied axes that the guard of this loop covers too.
    also_hoisted: HashMap<(Access, usize), LoopId>,
    guards: HashMap<LoopId, Vec<Linear>>,
}

impl BoundsTable {
    /// The verdict of `axis` of `access` ([`Check::InPlace`] for anything unknown).
    pub fn check(&self, access: Access, axis: usize) -> Check {
        self.checks
            .get(&access)
            .and_then(|(_, axes)| axes.get(axis))
            .copied()
            .unwrap_or(Check::InPlace)
    }

    /// Whether every axis of `access` that is [`Check::Implied`] is implied by a check made
    /// before the innermost loop around the access (so it holds at that loop's entry).
    pub fn implied_on_entry(&self, access: Access) -> bool {
        self.implied_on_entry.contains(&access)
    }

    /// The loop whose guard also covers an implied axis (see [`Check::Implied`]).
    pub fn also_hoisted(&self, access: Access, axis: usize) -> Option<LoopId> {
        self.also_hoisted.get(&(access, axis)).copied()
    }

    /// The forms that must all be `>= 0` at the entry of `loop_id` for its fast copy to run;
    /// empty when the loop is not versioned.
    pub fn guard(&self, loop_id: LoopId) -> &[Linear] {
        self.guards.get(&loop_id).map_or(&[], Vec::as_slice)
    }

    /// Every analysed access with its location (the `a[..]` expression or place) and
    /// verdicts, in source order.
    pub fn accesses(&self) -> Vec<(Access, Span, &[Check])> {
        let mut all: Vec<_> = self
            .checks
            .iter()
            .map(|(access, (span, checks))| (*access, *span, checks.as_slice()))
            .collect();
        all.sort_by_key(|(access, span, _)| {
            (span.line, span.col, matches!(access, Access::Write(_)))
        });
        all
    }
}

/// Analyses every array access of a checked function.
pub fn analyze(f: &Function) -> BoundsTable {
    let mut shape = Shape::new(f);
    shape.visit_block(&f.body);
    let mut walker = Walker {
        shape,
        enclosing: Vec::new(),
        facts: Vec::new(),
        table: BoundsTable::default(),
        worth_versioning: HashSet::new(),
    };
    walker.visit_block(&f.body);
    walker.drop_cold_guards();
    walker.table
}

/// Where locals are defined and assigned, and how loops nest.
pub(super) struct Shape<'f> {
    pub(super) f: &'f Function,
    /// The innermost loop around each local's definition (for a loop variable: its loop).
    pub(super) home: Vec<Option<LoopId>>,
    pub(super) parent: Vec<Option<LoopId>>,
    /// Each `for` loop's variable and range.
    pub(super) ranges: Vec<Option<(LocalId, Range)>>,
    /// Locals assigned anywhere inside each loop, its range expressions included.
    pub(super) assigned_in: Vec<HashSet<LocalId>>,
    /// Loops with another loop inside them.
    has_inner_loop: HashSet<LoopId>,
    /// Each `for` loop's body.
    pub(super) bodies: Vec<Option<&'f Block>>,
    assigned: HashSet<LocalId>,
    inits: HashMap<LocalId, ExprId>,
    stack: Vec<LoopId>,
}

impl<'f> Shape<'f> {
    pub(super) fn new(f: &'f Function) -> Self {
        Shape {
            f,
            home: vec![None; f.locals.len()],
            parent: vec![None; f.loops.len()],
            ranges: vec![None; f.loops.len()],
            assigned_in: vec![HashSet::new(); f.loops.len()],
            has_inner_loop: HashSet::new(),
            bodies: vec![None; f.loops.len()],
            assigned: HashSet::new(),
            inits: HashMap::new(),
            stack: Vec::new(),
        }
    }

    fn set_home(&mut self, local: LocalId) {
        if let Some(slot) = self.home.get_mut(local.index()) {
            *slot = self.stack.last().copied();
        }
    }

    fn enter(&mut self, loop_id: LoopId) {
        if let Some(&outer) = self.stack.last() {
            self.has_inner_loop.insert(outer);
        }
        if let Some(slot) = self.parent.get_mut(loop_id.index()) {
            *slot = self.stack.last().copied();
        }
        self.stack.push(loop_id);
    }

    /// Whether `home` is `root` or a loop nested inside it.
    pub(super) fn within(&self, mut home: Option<LoopId>, root: LoopId) -> bool {
        while let Some(loop_id) = home {
            if loop_id == root {
                return true;
            }
            home = self.parent.get(loop_id.index()).copied().flatten();
        }
        false
    }

    /// Whether code directly in this loop's body runs often: the loop holds no other loop and
    /// is not a `for` over a literal range of at most 8 values.
    fn is_hot(&self, loop_id: LoopId) -> bool {
        if self.has_inner_loop.contains(&loop_id) {
            return false;
        }
        let short = match self.ranges.get(loop_id.index()) {
            Some(Some((_, range))) => match (self.f.expr(range.start), self.f.expr(range.end)) {
                (Expr::Lit(Lit::Int(a), _), Expr::Lit(Lit::Int(b), _)) => b - a <= 8,
                _ => false,
            },
            _ => false,
        };
        !short
    }

    /// A local no statement assigns after its definition.
    fn is_constant(&self, local: LocalId) -> bool {
        !self.f.local(local).mutable && !self.assigned.contains(&local)
    }
}

/// The first pass: records homes, initialisers, assignments and the loop nest.
impl<'f> Visitor<'f> for Shape<'f> {
    fn function(&self) -> &'f Function {
        self.f
    }

    fn visit_stmt(&mut self, stmt: &'f Stmt) {
        if let Stmt::Let { local, init } = stmt {
            self.set_home(*local);
            if let Some(init) = init {
                self.inits.insert(*local, *init);
            }
        }
        walk_stmt(self, stmt);
        if let Stmt::Assign {
            place: Place::Local(local),
            ..
        } = stmt
        {
            self.assigned.insert(*local);
            for loop_id in &self.stack {
                self.assigned_in[loop_id.index()].insert(*local);
            }
        }
    }

    fn visit_expr(&mut self, id: ExprId) {
        let f = self.f;
        match f.expr(id) {
            Expr::For {
                id: loop_id,
                var,
                range,
                body,
                ..
            } => {
                self.enter(*loop_id);
                if let Some(slot) = self.ranges.get_mut(loop_id.index()) {
                    *slot = Some((*var, range.clone()));
                }
                if let Some(slot) = self.bodies.get_mut(loop_id.index()) {
                    *slot = Some(body);
                }
                self.set_home(*var);
                walk_expr(self, id);
                self.stack.pop();
            }
            Expr::Loop { id: loop_id, .. } | Expr::While { id: loop_id, .. } => {
                self.enter(*loop_id);
                walk_expr(self, id);
                self.stack.pop();
            }
            _ => walk_expr(self, id),
        }
    }
}

/// "`index` is inside axis `axis` of `array`", true while the fact is in scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fact {
    array: LocalId,
    axis: usize,
    index: FactIndex,
    /// How many loops enclosed the check that established it.
    depth: usize,
}

/// An index whose value cannot change while a fact about it is in scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FactIndex {
    /// A passed check of constant `c` also covers every constant in `0..=c`.
    Const(i128),
    /// A local no statement assigns (an immutable `let`, a loop variable, a parameter).
    Local(LocalId),
}

/// The second pass: every access in evaluation order, with the checks that dominate it.
///
/// Facts follow the structured control flow the way the backends translate it: the operands
/// of a `for` range and a `while` condition run before (or at least once around) the body and
/// stay; a branch, the right side of `&&`/`||` and a loop body may not run, so what they
/// establish is dropped when they end.
struct Walker<'f> {
    shape: Shape<'f>,
    /// The loops around the current point, outermost first.
    enclosing: Vec<LoopId>,
    facts: Vec<Fact>,
    table: BoundsTable,
    /// Loops whose guard removes a check from code that runs often (see `drop_cold_guards`).
    worth_versioning: HashSet<LoopId>,
}

impl Walker<'_> {
    /// Versioning copies a loop: it pays only when the guard takes checks out of an
    /// innermost loop. A guard that would only remove checks made once per iteration of an
    /// outer loop (the N-body kernel's `out[[i, 0]]` beside its inner loop) is dropped, and
    /// its accesses are checked in place.
    fn drop_cold_guards(&mut self) {
        let worth = &self.worth_versioning;
        self.table
            .guards
            .retain(|loop_id, _| worth.contains(loop_id));
        for (_, checks) in self.table.checks.values_mut() {
            for check in checks {
                if matches!(check, Check::Hoisted(l) if !worth.contains(l)) {
                    *check = Check::InPlace;
                }
            }
        }
        self.table
            .also_hoisted
            .retain(|_, loop_id| worth.contains(loop_id));
    }

    fn scoped(&mut self, body: impl FnOnce(&mut Self)) {
        let mark = self.facts.len();
        body(self);
        self.facts.truncate(mark);
    }

    /// Decides every axis of one access, then records what its checks establish.
    fn access(&mut self, access: Access, span: Span, array: LocalId, indices: &[ExprId]) {
        let mut checks = Vec::with_capacity(indices.len());
        let mut on_entry = true;
        let depth = self.enclosing.len();
        for (axis, &index) in indices.iter().enumerate() {
            let fact = self.fact_index(index).map(|index| Fact {
                array,
                axis,
                index,
                depth,
            });
            let check = self.decide((access, array, axis), index, fact);
            if check == Check::Implied {
                on_entry &= fact.is_some_and(|wanted| self.implied_before(wanted, depth));
            }
            checks.push(check);
            self.facts.extend(fact);
        }
        if on_entry && checks.contains(&Check::Implied) {
            self.table.implied_on_entry.insert(access);
        }
        self.table.checks.insert(access, (span, checks));
    }

    fn fact_index(&self, index: ExprId) -> Option<FactIndex> {
        match self.shape.f.expr(index) {
            Expr::Lit(Lit::Int(value), _) if *value >= 0 => Some(FactIndex::Const(*value)),
            Expr::Local(local) if self.shape.is_constant(*local) => Some(FactIndex::Local(*local)),
            _ => None,
        }
    }

    /// The verdict of one axis. An implied axis that could also be hoisted records that loop
    /// in `also_hoisted` (and adds its conditions to the guard), so a backend may rely on it
    /// at the loop's entry (see `promote`).
    fn decide(
        &mut self,
        (access, array, axis): (Access, LocalId, usize),
        index: ExprId,
        fact: Option<Fact>,
    ) -> Check {
        let f = self.shape.f;
        if let (Expr::Lit(Lit::Int(value), _), Type::Fixed { len, .. }) =
            (f.expr(index), f.local(array).ty)
        {
            if (0..i128::from(len)).contains(value) {
                return Check::Proven;
            }
        }
        // Innermost loop first: a proof there needs no guard; the outermost loop where the
        // index is analysable takes the guard.
        let mut outermost = None;
        let roots: Vec<LoopId> = self
            .enclosing
            .iter()
            .rev()
            .copied()
            .filter(|l| matches!(self.shape.ranges.get(l.index()), Some(Some(_))))
            .collect();
        for root in roots {
            let mut ranges = Ranges {
                shape: &self.shape,
                root,
                steps: 0,
            };
            if let Some(conditions) = ranges.access_conditions(array, axis, index) {
                if conditions.is_empty() {
                    return Check::Proven;
                }
                outermost = Some((root, conditions));
            }
        }
        let implied = fact.is_some_and(|wanted| self.implied(wanted));
        match outermost {
            Some((root, conditions)) => {
                let innermost = self.enclosing.last().copied();
                if !implied && innermost.is_some_and(|l| self.shape.is_hot(l)) {
                    self.worth_versioning.insert(root);
                }
                let guard = self.table.guards.entry(root).or_default();
                conditions.into_iter().for_each(|c| add_condition(guard, c));
                if implied {
                    self.table.also_hoisted.insert((access, axis), root);
                    return Check::Implied;
                }
                Check::Hoisted(root)
            }
            None if implied => Check::Implied,
            None => Check::InPlace,
        }
    }

    fn implied(&self, wanted: Fact) -> bool {
        self.facts.iter().any(|known| covers(known, &wanted))
    }

    /// Whether a check made outside the innermost of `depth` enclosing loops implies it.
    fn implied_before(&self, wanted: Fact, depth: usize) -> bool {
        self.facts
            .iter()
            .any(|known| known.depth < depth && covers(known, &wanted))
    }
}

/// The second pass: decides each access where evaluation reaches it, keeping the facts of
/// code that may not run (branches, right sides of `&&`/`||`, loop bodies) scoped to it.
impl<'f> Visitor<'f> for Walker<'f> {
    fn function(&self) -> &'f Function {
        self.shape.f
    }

    fn visit_stmt(&mut self, stmt: &'f Stmt) {
        walk_stmt(self, stmt);
        if let Stmt::Assign {
            place:
                Place::Index {
                    array,
                    indices,
                    span,
                },
            value,
            ..
        } = stmt
        {
            self.access(Access::Write(*value), *span, *array, indices);
        }
    }

    fn visit_expr(&mut self, id: ExprId) {
        let f = self.shape.f;
        match f.expr(id) {
            Expr::Index { array, indices } => {
                walk_expr(self, id);
                self.access(Access::Read(id), f.span(id), *array, indices);
            }
            Expr::Logic(_, a, b) => {
                self.visit_expr(*a);
                self.scoped(|w| w.visit_expr(*b));
            }
            Expr::If {
                cond,
                then_block,
                else_block,
            } => {
                self.visit_expr(*cond);
                self.scoped(|w| w.visit_block(then_block));
                if let Some(block) = else_block {
                    self.scoped(|w| w.visit_block(block));
                }
            }
            Expr::Loop { id: loop_id, body } => {
                self.enclosing.push(*loop_id);
                self.scoped(|w| w.visit_block(body));
                self.enclosing.pop();
            }
            Expr::While {
                id: loop_id,
                cond,
                body,
            } => {
                self.enclosing.push(*loop_id);
                self.visit_expr(*cond);
                self.scoped(|w| w.visit_block(body));
                self.enclosing.pop();
            }
            Expr::For {
                id: loop_id,
                range,
                body,
                ..
            } => {
                let operands = [Some(range.start), Some(range.end), range.step];
                operands
                    .into_iter()
                    .flatten()
                    .for_each(|e| self.visit_expr(e));
                self.enclosing.push(*loop_id);
                self.scoped(|w| w.visit_block(body));
                self.enclosing.pop();
            }
            _ => walk_expr(self, id),
        }
    }
}

/// Adds `condition >= 0` to a guard, keeping only the strongest of the conditions that
/// differ in their constant alone (`n - 1 >= 0` makes `n + 2 >= 0` redundant).
fn add_condition(guard: &mut Vec<Linear>, condition: Linear) {
    match guard.iter_mut().find(|c| c.terms == condition.terms) {
        Some(existing) => existing.constant = existing.constant.min(condition.constant),
        None => guard.push(condition),
    }
}

/// Whether a passed check `known` implies `wanted`.
fn covers(known: &Fact, wanted: &Fact) -> bool {
    let same_axis = known.array == wanted.array && known.axis == wanted.axis;
    same_axis
        && match (known.index, wanted.index) {
            (FactIndex::Const(have), FactIndex::Const(want)) => want <= have,
            (have, want) => have == want,
        }
}

/// The range of index expressions over every iteration of one root loop's nest.
pub(super) struct Ranges<'s, 'f> {
    pub(super) shape: &'s Shape<'f>,
    pub(super) root: LoopId,
    pub(super) steps: u32,
}

/// The least and greatest value of an expression, as forms of values fixed in the root loop.
pub(super) type Interval = (Linear, Linear);

impl Ranges<'_, '_> {
    /// The conditions (`form >= 0`) under which `array[.., index, ..]` is inside axis `axis`
    /// in every iteration, those not always true; `None` when the index is not analysable.
    fn access_conditions(
        &mut self,
        array: LocalId,
        axis: usize,
        index: ExprId,
    ) -> Option<Vec<Linear>> {
        let mut conditions = Vec::new();
        let (low, high) = self.interval(index, &mut conditions)?;
        let extent = self.extent(array, axis as u32)?;
        conditions.push(low);
        conditions.push(extent.offset(-1)?.sub(&high)?);
        let shape = self.shape;
        conditions.retain(|c| !always_nonnegative(shape.f, c));
        conditions.dedup();
        Some(conditions)
    }

    fn extent(&self, array: LocalId, axis: u32) -> Option<Linear> {
        match self.shape.f.local(array).ty {
            Type::Fixed { len, .. } if axis == 0 => Some(Linear::constant(i128::from(len))),
            // An array allocated inside the root loop has no extent at the loop's entry (and
            // another one at each iteration): nothing about it is fixed in the root.
            Type::Array(_) if self.allocated_within_root(array) => None,
            Type::Array(a) if axis < u32::from(a.rank) => {
                Some(Linear::atom(Atom::Extent(array, axis)))
            }
            _ => None,
        }
    }

    fn allocated_within_root(&self, array: LocalId) -> bool {
        let local = self.shape.f.local(array);
        local.kind == crate::ir::LocalKind::Let
            && self.shape.within(
                self.shape.home.get(array.index()).copied().flatten(),
                self.root,
            )
    }

    pub(super) fn interval(
        &mut self,
        id: ExprId,
        conditions: &mut Vec<Linear>,
    ) -> Option<Interval> {
        self.steps += 1;
        if self.steps > STEP_BUDGET {
            return None;
        }
        let f = self.shape.f;
        let ty = f.ty(id).as_scalar().filter(|s| s.is_int())?;
        let (low, high) = match f.expr(id) {
            Expr::Lit(Lit::Int(value), _) => (Linear::constant(*value), Linear::constant(*value)),
            Expr::Local(local) => return self.local(*local, conditions),
            Expr::Dim(array, axis) => {
                let extent = self.extent(*array, *axis)?;
                (extent.clone(), extent)
            }
            Expr::Len(array) => {
                let len = match f.local(*array).ty {
                    Type::Array(a) if a.rank == 1 => self.extent(*array, 0)?,
                    Type::Array(_) => Linear::atom(Atom::Len(*array)),
                    Type::Fixed { len, .. } => Linear::constant(i128::from(len)),
                    _ => return None,
                };
                (len.clone(), len)
            }
            Expr::Binary(op, a, b) => {
                let (a_low, a_high) = self.interval(*a, conditions)?;
                let (b_low, b_high) = self.interval(*b, conditions)?;
                match op {
                    crate::ir::BinOp::Add => (a_low.add(&b_low)?, a_high.add(&b_high)?),
                    crate::ir::BinOp::Sub => (a_low.sub(&b_high)?, a_high.sub(&b_low)?),
                    crate::ir::BinOp::Mul => {
                        let (factor, (low, high)) = match (a_low.as_constant(), b_low.as_constant())
                        {
                            (Some(c), _) if a_low == a_high => (c, (b_low, b_high)),
                            (_, Some(c)) if b_low == b_high => (c, (a_low, a_high)),
                            _ => return None,
                        };
                        let (low, high) = (low.scale(factor)?, high.scale(factor)?);
                        if factor < 0 {
                            (high, low)
                        } else {
                            (low, high)
                        }
                    }
                    _ => return None,
                }
            }
            Expr::Cast(inner, _) => {
                f.ty(*inner).as_scalar().filter(|s| s.is_int())?;
                self.interval(*inner, conditions)?
            }
            _ => return None,
        };
        no_wrap(f, ty, &low, &high, conditions)?;
        Some((low, high))
    }

    fn local(&mut self, local: LocalId, conditions: &mut Vec<Linear>) -> Option<Interval> {
        let shape = self.shape;
        let info = shape.f.local(local);
        let home = shape.home.get(local.index()).copied().flatten();
        if let Some(loop_id) = home.filter(|&l| shape.within(Some(l), self.root)) {
            if let Some(Some((var, range))) = shape.ranges.get(loop_id.index()) {
                if *var == local {
                    return self.loop_var(range, conditions);
                }
            }
            // Defined inside the nest: its value is its initialiser's.
            let init = *shape.inits.get(&local)?;
            return shape
                .is_constant(local)
                .then(|| self.interval(init, conditions))
                .flatten();
        }
        if shape.assigned_in[self.root.index()].contains(&local) {
            return None;
        }
        info.ty.as_scalar().filter(|s| s.is_int())?;
        // Defined before the loop and fixed in it: an extent it was bound to (so that
        // `let n = a.len(); for i in 0..n { a[i] }` is proven), else its value at entry.
        if let Some(&init) = shape.inits.get(&local).filter(|_| shape.is_constant(local)) {
            let mut exact = Vec::new();
            if let Some((low, high)) = self.interval(init, &mut exact) {
                let fixed = |form: &Linear| {
                    form.terms
                        .iter()
                        .all(|(atom, _)| !matches!(atom, Atom::Local(l) if !shape.is_constant(*l)))
                };
                if exact.is_empty() && low == high && fixed(&low) {
                    return Some((low, high));
                }
            }
        }
        let form = Linear::atom(Atom::Local(local));
        Some((form.clone(), form))
    }

    /// A loop variable takes values in `[start, end)` (`[start, end]` for `..=`), whatever
    /// `rev()` or `step_by` do to the order and spacing.
    fn loop_var(&mut self, range: &Range, conditions: &mut Vec<Linear>) -> Option<Interval> {
        let (low, _) = self.interval(range.start, conditions)?;
        let (_, end) = self.interval(range.end, conditions)?;
        let high = if range.inclusive {
            end
        } else {
            end.offset(-1)?
        };
        Some((low, high))
    }
}

/// Adds the conditions under which `[low, high]` fits `ty` (so no operation wrapped).
fn no_wrap(
    f: &Function,
    ty: Scalar,
    low: &Linear,
    high: &Linear,
    conditions: &mut Vec<Linear>,
) -> Option<()> {
    let (min, max) = scalar_range(ty);
    for condition in [low.offset(-min)?, Linear::constant(max).sub(high)?] {
        if !always_nonnegative(f, &condition) && !conditions.contains(&condition) {
            conditions.push(condition);
        }
    }
    Some(())
}

/// Whether a form is `>= 0` for every value its atoms can take.
pub(super) fn always_nonnegative(f: &Function, form: &Linear) -> bool {
    form.minimum(|atom| atom_range(f, atom))
        .is_some_and(|m| m >= 0)
}

fn atom_range(f: &Function, atom: Atom) -> (i128, i128) {
    match atom {
        Atom::Local(local) => scalar_range(f.local(local).ty.as_scalar().unwrap_or(Scalar::I64)),
        // Extents of arrays in memory never exceed `isize::MAX` (ndarray's own invariant).
        Atom::Extent(..) => (0, i128::from(i64::MAX)),
        Atom::Len(_) => (0, i128::from(u64::MAX)),
    }
}

/// The values of an integer type. Narrow types must get their own range, not a wider one: the
/// range is what makes `no_wrap` demand that an `u8` sum stays below 256.
fn scalar_range(s: Scalar) -> (i128, i128) {
    match s {
        Scalar::I8 => (i128::from(i8::MIN), i128::from(i8::MAX)),
        Scalar::I16 => (i128::from(i16::MIN), i128::from(i16::MAX)),
        Scalar::I32 => (i128::from(i32::MIN), i128::from(i32::MAX)),
        Scalar::I64 => (i128::from(i64::MIN), i128::from(i64::MAX)),
        Scalar::U8 => (0, i128::from(u8::MAX)),
        Scalar::U16 => (0, i128::from(u16::MAX)),
        Scalar::U32 => (0, i128::from(u32::MAX)),
        Scalar::U64 | Scalar::Usize => (0, i128::from(u64::MAX)),
        Scalar::Bool | Scalar::F32 | Scalar::F64 => (0, 1),
    }
}

impl BoundsTable {
    /// A guard form spelt with the function's names (`n - 1`, `a.dim(1) - m`).
    pub fn form_text(f: &Function, form: &Linear) -> String {
        form.display_with(|atom| atom_name(f, atom))
    }

    /// The table as text: each access with its verdicts by axis (`proven`, `implied`,
    /// `hoisted@L<loop line>`, `checked`), then each guard; for tests and `explain`.
    pub fn render(&self, f: &Function) -> String {
        let mut out = String::new();
        for (access, span, checks) in self.accesses() {
            let verb = match access {
                Access::Read(_) => "read",
                Access::Write(_) => "write",
            };
            let verdicts: Vec<String> = checks.iter().map(|c| check_text(f, *c)).collect();
            let line = format!(
                "{}:{} {verb} [{}]\n",
                span.line,
                span.col,
                verdicts.join(", ")
            );
            out.push_str(&line);
        }
        let mut loops: Vec<_> = self.guards.keys().copied().collect();
        loops.sort();
        for loop_id in loops {
            let span = f.loops[loop_id.index()].span;
            let forms: Vec<String> = self
                .guard(loop_id)
                .iter()
                .map(|form| format!("{} >= 0", Self::form_text(f, form)))
                .collect();
            let line = format!("guard L{}: {}\n", span.line, forms.join(" && "));
            out.push_str(&line);
        }
        out
    }
}

fn check_text(f: &Function, check: Check) -> String {
    match check {
        Check::Proven => "proven".into(),
        Check::Implied => "implied".into(),
        Check::Hoisted(loop_id) => format!("hoisted@L{}", f.loops[loop_id.index()].span.line),
        Check::InPlace => "checked".into(),
    }
}

fn atom_name(f: &Function, atom: Atom) -> String {
    match atom {
        Atom::Local(local) => f.local(local).name.clone(),
        Atom::Extent(array, axis) => format!("{}.dim({axis})", f.local(array).name),
        Atom::Len(array) => format!("{}.len()", f.local(array).name),
    }
}
