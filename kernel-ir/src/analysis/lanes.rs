//! Which loops of a `#[reassociate]` function compute their float reductions in lanes
//! ([`Lanes`]): the decision is made once, here, so every tier splits the same loops.
//!
//! A sequential `for` loop qualifies for a float local `x` declared outside it when every
//! mention of `x` in the loop is a reduction statement of one operator (`x += e`, `x *= e`,
//! `x = x.min(e)`, `x = x.max(e)`) directly in the loop's body (inside `if`s, not inside a
//! nested loop: the innermost loop around the statements is the one that splits), and nothing
//! leaves the loop early (`break` of it, `return`, a `break`/`continue` naming an outer loop),
//! so the lanes are always combined. A `prange` loop of such a function takes every reduction
//! the parallel check recorded, when one of them is a float.

use std::collections::{HashMap, HashSet};

use crate::ir::walk::{walk_expr, walk_stmt, Visitor};
use crate::ir::{
    BinOp, Expr, ExprId, Function, Lanes, LocalId, LoopId, Place, ReduceOp, Reduction, Stmt,
};

/// Records the lanes of every qualifying loop of `f` (a checked function).
pub(crate) fn mark_lanes(f: &mut Function) {
    let Some(count) = f.reassociate else {
        return;
    };
    let mut found = Vec::new();
    let mut loops = ForLoops {
        f,
        found: Vec::new(),
    };
    loops.visit_block(&f.body);
    for loop_expr in loops.found {
        let Expr::For {
            id, parallel, body, ..
        } = f.expr(loop_expr)
        else {
            continue;
        };
        let reductions = if *parallel {
            parallel_reductions(f, *id)
        } else {
            let mut scan = Scan::new(f, *id);
            scan.visit_block(body);
            scan.finish()
        };
        if !reductions.is_empty() {
            found.push((*id, reductions));
        }
    }
    for (id, reductions) in found {
        f.loops[id.index()].lanes = Some(Lanes { count, reductions });
    }
}

/// A `prange` loop reassociates all its reductions when one is a float: the blocks' partials
/// of an integer reduction combine to the same value in any order.
fn parallel_reductions(f: &Function, id: LoopId) -> Vec<Reduction> {
    let reductions = &f.loops[id.index()].reductions;
    let any_float = reductions.iter().any(|r| is_float(f, r.local));
    if any_float {
        reductions.clone()
    } else {
        Vec::new()
    }
}

fn is_float(f: &Function, local: LocalId) -> bool {
    f.local(local).ty.as_scalar().is_some_and(|s| s.is_float())
}

/// Every `for` loop of a function, wherever it sits.
struct ForLoops<'f> {
    f: &'f Function,
    found: Vec<ExprId>,
}

impl<'f> Visitor<'f> for ForLoops<'f> {
    fn function(&self) -> &'f Function {
        self.f
    }

    fn visit_expr(&mut self, id: ExprId) {
        if matches!(self.f.expr(id), Expr::For { .. }) {
            self.found.push(id);
        }
        walk_expr(self, id);
    }
}

/// One walk over the body of a sequential `for` loop.
struct Scan<'f> {
    f: &'f Function,
    this_loop: LoopId,
    /// The loops nested inside (targets a `break`/`continue` may name without leaving).
    inner_loops: HashSet<LoopId>,
    /// How deep inside nested loops the walk is.
    depth: u32,
    /// Candidate reductions: float locals declared outside, with their operator so far.
    candidates: HashMap<LocalId, ReduceOp>,
    /// Locals that cannot be reductions of this loop (read, assigned otherwise, inside a
    /// nested loop, or combined in two ways).
    disqualified: HashSet<LocalId>,
    /// Locals declared inside the loop.
    inside: HashSet<LocalId>,
    /// Receivers of `x = x.min(e)`: the one read a reduction local may have.
    receivers: HashSet<ExprId>,
    leaves_early: bool,
}

impl<'f> Scan<'f> {
    fn new(f: &'f Function, this_loop: LoopId) -> Scan<'f> {
        Scan {
            f,
            this_loop,
            inner_loops: HashSet::new(),
            depth: 0,
            candidates: HashMap::new(),
            disqualified: HashSet::new(),
            inside: HashSet::new(),
            receivers: HashSet::new(),
            leaves_early: false,
        }
    }

    fn finish(self) -> Vec<Reduction> {
        if self.leaves_early {
            return Vec::new();
        }
        let mut reductions: Vec<Reduction> = self
            .candidates
            .into_iter()
            .filter(|(local, _)| !self.disqualified.contains(local))
            .map(|(local, op)| Reduction { local, op })
            .collect();
        reductions.sort_by_key(|r| r.local);
        reductions
    }

    /// An assignment `x op= value` (or `x = value`) to a local declared outside the loop.
    fn outer_assignment(&mut self, local: LocalId, op: Option<BinOp>, value: ExprId) {
        let reduce = match op {
            Some(BinOp::Add) => Some(ReduceOp::Add),
            Some(BinOp::Mul) => Some(ReduceOp::Mul),
            Some(_) => None,
            None => self.min_max(local, value),
        };
        match reduce {
            Some(reduce) if self.depth == 0 && is_float(self.f, local) => {
                let previous = *self.candidates.entry(local).or_insert(reduce);
                if previous != reduce {
                    self.disqualified.insert(local);
                }
            }
            _ => {
                self.disqualified.insert(local);
            }
        }
    }

    /// `x = x.min(e)` / `x = x.max(e)`, marking the receiver as the allowed read.
    fn min_max(&mut self, local: LocalId, value: ExprId) -> Option<ReduceOp> {
        let (op, receiver) = self.f.min_max_update(local, value)?;
        self.receivers.insert(receiver);
        Some(op)
    }

    fn target_leaves(&self, target: LoopId) -> bool {
        target != self.this_loop && !self.inner_loops.contains(&target)
    }
}

impl<'f> Visitor<'f> for Scan<'f> {
    fn function(&self) -> &'f Function {
        self.f
    }

    fn visit_stmt(&mut self, stmt: &'f Stmt) {
        match stmt {
            Stmt::Assign {
                place: Place::Local(local),
                op,
                value,
                ..
            } if !self.inside.contains(local) => {
                // The receiver of `x = x.min(e)` is marked before the value is walked.
                self.outer_assignment(*local, *op, *value);
                walk_stmt(self, stmt);
            }
            Stmt::Let { local, .. } => {
                walk_stmt(self, stmt);
                self.inside.insert(*local);
            }
            _ => walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, id: ExprId) {
        match self.f.expr(id) {
            Expr::Local(local) => {
                if !self.inside.contains(local) && !self.receivers.contains(&id) {
                    self.disqualified.insert(*local);
                }
            }
            Expr::Break { id: target, .. } => {
                walk_expr(self, id);
                if *target == self.this_loop || self.target_leaves(*target) {
                    self.leaves_early = true;
                }
            }
            Expr::Continue(target) => {
                if self.target_leaves(*target) {
                    self.leaves_early = true;
                }
            }
            Expr::Return(_) => {
                walk_expr(self, id);
                self.leaves_early = true;
            }
            Expr::Loop { id: inner, .. } | Expr::While { id: inner, .. } => {
                self.inner_loops.insert(*inner);
                self.depth += 1;
                walk_expr(self, id);
                self.depth -= 1;
            }
            Expr::For {
                id: inner,
                var,
                range,
                body,
                ..
            } => {
                self.inner_loops.insert(*inner);
                self.inside.insert(*var);
                // The range runs once per iteration of this loop, outside the nested one.
                self.visit_expr(range.start);
                self.visit_expr(range.end);
                if let Some(step) = range.step {
                    self.visit_expr(step);
                }
                self.depth += 1;
                self.visit_block(body);
                self.depth -= 1;
            }
            _ => walk_expr(self, id),
        }
    }
}
