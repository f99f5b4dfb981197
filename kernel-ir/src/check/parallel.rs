//! Rules of `prange` loops (SPEC §4), checked on the typed function.
//!
//! Inside a parallel loop, a scalar declared outside the loop may only be a reduction
//! (`x += e`, `x *= e`, `x = x.min(e)`, `x = x.max(e)`) and is then read nowhere else in the
//! loop; local fixed arrays declared outside cannot be written; nothing may `break` out of the
//! loop or `return` from inside it. The reductions found are recorded on the loop's
//! [`LoopInfo`](crate::ir::LoopInfo). A `prange` nested inside another one runs sequentially
//! (its `parallel` flag is cleared): one level of parallelism is enough for two cores or
//! sixty-four, and it keeps the backends simple.

use std::collections::{HashMap, HashSet};

use crate::diag::{Diagnostic, Span};
use crate::ir::walk::{walk_expr, walk_stmt, Visitor};
use crate::ir::{BinOp, Expr, ExprId, Function, LocalId, LoopId, Place, ReduceOp, Reduction, Stmt};
use crate::types::Type;

/// Checks every outermost `prange` loop of `f`, records its reductions and makes nested
/// `prange` loops sequential.
/// `written`: the array locals the function writes through anywhere, passing them to a
/// writable parameter included.
pub(super) fn check_parallel_loops(
    f: &mut Function,
    written: &HashSet<LocalId>,
) -> Vec<Diagnostic> {
    let mut outer = OuterParallelLoops {
        f,
        found: Vec::new(),
    };
    outer.visit_block(&f.body);
    let outer_loops = outer.found;
    let mut diagnostics = Vec::new();
    for loop_expr in outer_loops {
        let Expr::For { id, body, var, .. } = f.expr(loop_expr) else {
            continue;
        };
        let id = *id;
        let mut scan = Scan::new(f, id, written);
        scan.inside.insert(*var);
        scan.loop_var = Some(*var);
        scan.visit_block(body);
        let array_reductions = scan.array_reductions();
        if let (Some(_), Some(first)) = (f.reassociate, array_reductions.first()) {
            let name = &f.local(first.local).name;
            diagnostics.push(
                Diagnostic::new(
                    f.loops[id.index()].span,
                    format!("this parallel loop combines updates of the array `{name}`, which a `#[reassociate]` function does not support"),
                )
                .with_help("move the loop into a function without `#[reassociate]`, or make each iteration update its own elements"),
            );
        }
        let (reductions, nested, mut errors) = scan.finish();
        diagnostics.append(&mut errors);
        f.loops[id.index()].reductions = reductions;
        f.loops[id.index()].array_reductions = array_reductions;
        for nested in nested {
            if let Expr::For { parallel, .. } = &mut f.exprs[nested.index()] {
                *parallel = false;
            }
        }
    }
    diagnostics
}

/// Collects the `prange` loops not nested in another `prange`, wherever they sit (in a
/// condition, an operand or a loop range as well as in a statement).
struct OuterParallelLoops<'f> {
    f: &'f Function,
    found: Vec<ExprId>,
}

impl<'f> Visitor<'f> for OuterParallelLoops<'f> {
    fn function(&self) -> &'f Function {
        self.f
    }

    fn visit_expr(&mut self, id: ExprId) {
        match self.f.expr(id) {
            Expr::For { parallel: true, .. } => self.found.push(id),
            _ => walk_expr(self, id),
        }
    }
}

/// One walk over the body of a parallel loop.
struct Scan<'f> {
    f: &'f Function,
    written: &'f HashSet<LocalId>,
    /// The parallel loop and the loops inside it (targets `break`/`continue` may name).
    own_loops: HashSet<LoopId>,
    parallel_loop: LoopId,
    /// Locals declared inside the loop (its variable included).
    inside: HashSet<LocalId>,
    reductions: HashMap<LocalId, (ReduceOp, Span)>,
    /// Receivers of `x = x.min(e)` statements: the one place a reduction local may be read.
    reduction_receivers: HashSet<ExprId>,
    /// Reads of locals declared outside the loop.
    outer_reads: Vec<(LocalId, Span)>,
    nested_parallel: Vec<ExprId>,
    diagnostics: Vec<Diagnostic>,
    /// The parallel loop's variable.
    loop_var: Option<LocalId>,
    /// Element writes of arrays declared outside the loop: the operator of a compound
    /// assignment (`None`: a plain one) and whether an axis is indexed by the loop variable.
    outer_array_writes: HashMap<LocalId, Vec<(Option<BinOp>, bool)>>,
    /// Arrays declared outside the loop whose elements are read, or that are passed on or
    /// viewed: never array reductions.
    outer_array_uses: HashSet<LocalId>,
}

impl<'f> Scan<'f> {
    fn new(f: &'f Function, parallel_loop: LoopId, written: &'f HashSet<LocalId>) -> Scan<'f> {
        Scan {
            f,
            written,
            own_loops: HashSet::from([parallel_loop]),
            parallel_loop,
            inside: HashSet::new(),
            reductions: HashMap::new(),
            reduction_receivers: HashSet::new(),
            outer_reads: Vec::new(),
            nested_parallel: Vec::new(),
            diagnostics: Vec::new(),
            loop_var: None,
            outer_array_writes: HashMap::new(),
            outer_array_uses: HashSet::new(),
        }
    }

    /// The outer arrays whose every use in the loop is `a[idx] += e` (or every one `*=`),
    /// at least once at an index that is not the iteration's own (see
    /// [`crate::ir::LoopInfo::array_reductions`]).
    fn array_reductions(&self) -> Vec<Reduction> {
        let mut found: Vec<Reduction> = self
            .outer_array_writes
            .iter()
            .filter(|(array, _)| !self.outer_array_uses.contains(array))
            .filter(|(array, _)| {
                self.f
                    .local(**array)
                    .ty
                    .array_elem()
                    .is_some_and(|e| e != crate::types::Scalar::Bool)
            })
            .filter_map(|(array, writes)| {
                let op = match writes.first()?.0? {
                    BinOp::Add => ReduceOp::Add,
                    BinOp::Mul => ReduceOp::Mul,
                    _ => return None,
                };
                let same = writes.iter().all(|(o, _)| *o == writes[0].0);
                let shared = writes.iter().any(|(_, own)| !own);
                (same && shared).then_some(Reduction { local: *array, op })
            })
            .collect();
        found.sort_by_key(|r| r.local);
        found
    }

    /// Whether one of `indices` is exactly the loop variable: the element belongs to one
    /// iteration.
    fn owned_by_iteration(&self, indices: &[ExprId]) -> bool {
        indices
            .iter()
            .any(|&i| matches!(self.f.expr(i), Expr::Local(l) if Some(*l) == self.loop_var))
    }

    fn finish(mut self) -> (Vec<Reduction>, Vec<ExprId>, Vec<Diagnostic>) {
        let mut reported = HashSet::new();
        for (local, span) in std::mem::take(&mut self.outer_reads) {
            if self.reductions.contains_key(&local) && reported.insert(local) {
                let name = &self.f.local(local).name;
                self.diagnostics.push(
                    Diagnostic::new(
                        span,
                        format!(
                            "reduction variable `{name}` cannot be read inside the parallel loop"
                        ),
                    )
                    .with_help("its value is only known after the loop; read it there"),
                );
            }
        }
        let mut reductions: Vec<Reduction> = self
            .reductions
            .iter()
            .map(|(local, (op, _))| Reduction {
                local: *local,
                op: *op,
            })
            .collect();
        reductions.sort_by_key(|r| r.local);
        (reductions, self.nested_parallel, self.diagnostics)
    }

    fn outer_assignment(&mut self, local: LocalId, op: Option<BinOp>, value: ExprId, span: Span) {
        let reduce = match op {
            Some(BinOp::Add) => Some(ReduceOp::Add),
            Some(BinOp::Mul) => Some(ReduceOp::Mul),
            Some(_) => None,
            None => self.min_max_reduction(local, value),
        };
        let name = self.f.local(local).name.clone();
        let Some(reduce) = reduce else {
            self.diagnostics.push(
                Diagnostic::new(span, format!("cannot assign to `{name}` inside a parallel loop: it is declared outside the loop"))
                    .with_help(format!(
                        "only reductions are allowed: `{name} += …`, `{name} *= …`, `{name} = {name}.min(…)`, `{name} = {name}.max(…)`; or declare `{name}` inside the loop"
                    )),
            );
            return;
        };
        match self.reductions.get(&local) {
            Some((existing, _)) if *existing != reduce => self.diagnostics.push(Diagnostic::new(
                span,
                format!("`{name}` is combined in two different ways inside one parallel loop"),
            )),
            _ => {
                self.reductions.insert(local, (reduce, span));
            }
        }
    }

    /// `x = x.min(e)` / `x = x.max(e)`: the reduction, with the receiver read allowed.
    fn min_max_reduction(&mut self, local: LocalId, value: ExprId) -> Option<ReduceOp> {
        let (op, receiver) = self.f.min_max_update(local, value)?;
        self.reduction_receivers.insert(receiver);
        Some(op)
    }

    fn array_write(&mut self, array: LocalId, span: Span) {
        let is_fixed = matches!(self.f.local(array).ty, Type::Fixed { .. });
        if is_fixed && !self.inside.contains(&array) {
            let name = &self.f.local(array).name;
            self.diagnostics.push(
                Diagnostic::new(span, format!("cannot write to the local array `{name}` declared outside the parallel loop"))
                    .with_help("declare it inside the loop, or write to an array argument"),
            );
        }
    }

    /// An outer fixed array handed to a callee that may write it would be shared by every
    /// iteration: rejected (the checker knows the function writes it somewhere; that is the
    /// conservative approximation of "this call writes it").
    fn call_argument(&mut self, arg: ExprId) {
        if let Expr::Local(local) = self.f.expr(arg) {
            let is_fixed = matches!(self.f.local(*local).ty, Type::Fixed { .. });
            if is_fixed && !self.inside.contains(local) {
                if self.written.contains(local) {
                    self.array_write(*local, self.f.span(arg));
                }
                return;
            }
        }
        self.visit_expr(arg);
    }

    /// A `break`/`continue` must stay inside the parallel loop.
    fn leave(&mut self, target: LoopId, span: Span, what: &str) {
        if !self.own_loops.contains(&target) {
            self.diagnostics.push(Diagnostic::new(
                span,
                format!("`{what}` cannot leave a parallel loop"),
            ));
        }
    }
}

impl<'f> Visitor<'f> for Scan<'f> {
    fn function(&self) -> &'f Function {
        self.f
    }

    fn visit_stmt(&mut self, stmt: &'f Stmt) {
        let Stmt::Assign {
            place,
            op,
            value,
            span,
        } = stmt
        else {
            walk_stmt(self, stmt);
            if let Stmt::Let { local, .. } = stmt {
                self.inside.insert(*local);
            }
            return;
        };
        if let (Place::Local(local), None) = (place, op) {
            // Mark the receiver of `x = x.min(e)` before the value is scanned for reads.
            if !self.inside.contains(local) {
                self.min_max_reduction(*local, *value);
            }
        }
        walk_stmt(self, stmt);
        match place {
            Place::Local(local) if !self.inside.contains(local) => {
                self.outer_assignment(*local, *op, *value, *span)
            }
            Place::Local(_) => {}
            Place::Index {
                array,
                span,
                indices,
            } => {
                self.array_write(*array, *span);
                if !self.inside.contains(array) {
                    let own = self.owned_by_iteration(indices);
                    self.outer_array_writes
                        .entry(*array)
                        .or_default()
                        .push((*op, own));
                }
            }
        }
    }

    fn visit_expr(&mut self, e: ExprId) {
        let f = self.f;
        let span = f.span(e);
        match f.expr(e) {
            Expr::Local(local) => {
                if !self.inside.contains(local) && !self.reduction_receivers.contains(&e) {
                    self.outer_reads.push((*local, span));
                    if f.local(*local).ty.is_array() {
                        self.outer_array_uses.insert(*local);
                    }
                }
            }
            Expr::Index { array, .. } | Expr::View { array, .. }
                if !self.inside.contains(array) =>
            {
                self.outer_array_uses.insert(*array);
                walk_expr(self, e);
            }
            Expr::Continue(id) => self.leave(*id, span, "continue"),
            Expr::Call(_, args) => {
                for &arg in args {
                    self.call_argument(arg);
                }
            }
            Expr::Loop { id, .. } | Expr::While { id, .. } => {
                self.own_loops.insert(*id);
                walk_expr(self, e);
            }
            Expr::For {
                id, var, parallel, ..
            } => {
                if *parallel {
                    self.nested_parallel.push(e);
                }
                self.own_loops.insert(*id);
                // The variable is fresh: the range cannot read it, so it may join first.
                self.inside.insert(*var);
                walk_expr(self, e);
            }
            Expr::Break { id, .. } => {
                walk_expr(self, e);
                if *id == self.parallel_loop {
                    self.diagnostics.push(
                        Diagnostic::new(span, "`break` cannot leave a parallel loop").with_help(
                            "iterations run in any order; use a sequential `for` to stop early",
                        ),
                    );
                } else {
                    self.leave(*id, span, "break");
                }
            }
            Expr::Return(_) => {
                walk_expr(self, e);
                self.diagnostics.push(
                    Diagnostic::new(span, "`return` inside a parallel loop is not supported")
                        .with_help(
                            "compute into an array or a reduction and return after the loop",
                        ),
                );
            }
            _ => walk_expr(self, e),
        }
    }
}
