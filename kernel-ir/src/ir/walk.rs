//! Generic traversals of the typed IR, so a pass names only the variants it cares about and a
//! new [`Expr`] variant is taught to this file (and to the passes that translate or print every
//! variant), not to every analysis.
//!
//! A [`Visitor`] overrides `visit_expr`, `visit_stmt` or `visit_block`, handles what it cares
//! about and calls [`walk_expr`], [`walk_stmt`] or [`walk_block`] to visit the children; a
//! method it does not override just walks. Children are visited in evaluation order (an
//! assignment's value before its place's indices; a `for` loop's range before its body), so
//! passes that follow control flow (the bounds analysis) can rely on it.
//!
//! There is no mutable visitor: expressions live in the arena [`Function::exprs`], so a pass
//! that rewrites them collects the [`ExprId`]s first and then edits `f.exprs[id]` directly.

use super::{Block, Expr, ExprId, Function, LocalId, Place, Stmt};

/// A traversal over one function's statements and expressions; every method defaults to
/// visiting the children.
pub trait Visitor<'f> {
    /// The function whose expressions the visitor walks.
    fn function(&self) -> &'f Function;

    fn visit_block(&mut self, block: &'f Block) {
        walk_block(self, block);
    }

    fn visit_stmt(&mut self, stmt: &'f Stmt) {
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, id: ExprId) {
        walk_expr(self, id);
    }
}

/// Visits a block's statements, then its tail.
pub fn walk_block<'f, V: Visitor<'f> + ?Sized>(visitor: &mut V, block: &'f Block) {
    for stmt in &block.stmts {
        visitor.visit_stmt(stmt);
    }
    if let Some(tail) = block.tail {
        visitor.visit_expr(tail);
    }
}

/// Visits a statement's expressions in evaluation order: a `let`'s initialiser; an
/// assignment's value, then its place's indices.
pub fn walk_stmt<'f, V: Visitor<'f> + ?Sized>(visitor: &mut V, stmt: &'f Stmt) {
    match stmt {
        Stmt::Let { init, .. } => {
            if let Some(init) = init {
                visitor.visit_expr(*init);
            }
        }
        Stmt::Assign { place, value, .. } => {
            visitor.visit_expr(*value);
            match place {
                Place::Local(_) => {}
                Place::Index { indices, .. } => visit_all(visitor, indices),
            }
        }
        Stmt::Expr(e) => visitor.visit_expr(*e),
    }
}

/// Visits the operands and blocks of expression `id` in evaluation order.
pub fn walk_expr<'f, V: Visitor<'f> + ?Sized>(visitor: &mut V, id: ExprId) {
    let f = visitor.function();
    match f.expr(id) {
        Expr::Lit(..) | Expr::Local(_) | Expr::Len(_) | Expr::Dim(..) | Expr::Continue(_) => {}
        Expr::Unary(_, e) | Expr::Cast(e, _) | Expr::ArrayRepeat(e, _) | Expr::Field(e, _) => {
            visitor.visit_expr(*e)
        }
        Expr::Binary(_, a, b) | Expr::Logic(_, a, b) => {
            visitor.visit_expr(*a);
            visitor.visit_expr(*b);
        }
        Expr::Index { indices: ids, .. }
        | Expr::ArrayLit(ids)
        | Expr::Tuple(ids)
        | Expr::Builtin(_, ids)
        | Expr::Call(_, ids)
        | Expr::Print { args: ids, .. } => visit_all(visitor, ids),
        Expr::Alloc {
            dims,
            fill,
            fill_first,
            ..
        } => {
            for operand in alloc_operands(dims, *fill, *fill_first) {
                visitor.visit_expr(operand);
            }
        }
        Expr::View { axes, .. } => {
            for axis in axes {
                visit_all(visitor, &axis.operands());
            }
        }
        Expr::If {
            cond,
            then_block,
            else_block,
        } => {
            visitor.visit_expr(*cond);
            visitor.visit_block(then_block);
            if let Some(block) = else_block {
                visitor.visit_block(block);
            }
        }
        Expr::Block(block) | Expr::Loop { body: block, .. } => visitor.visit_block(block),
        Expr::While { cond, body, .. } => {
            visitor.visit_expr(*cond);
            visitor.visit_block(body);
        }
        Expr::For { range, body, .. } => {
            visitor.visit_expr(range.start);
            visitor.visit_expr(range.end);
            if let Some(step) = range.step {
                visitor.visit_expr(step);
            }
            visitor.visit_block(body);
        }
        Expr::Break { value, .. } | Expr::Return(value) => {
            if let Some(value) = value {
                visitor.visit_expr(*value);
            }
        }
    }
}

fn visit_all<'f, V: Visitor<'f> + ?Sized>(visitor: &mut V, ids: &[ExprId]) {
    for id in ids {
        visitor.visit_expr(*id);
    }
}

/// Whether any expression inside `block` (at any depth, in nested blocks and loops too)
/// satisfies `test`. Stops looking at the first match.
pub fn any_expr_in_block(f: &Function, block: &Block, test: impl FnMut(&Expr) -> bool) -> bool {
    struct Search<'f, T> {
        f: &'f Function,
        test: T,
        found: bool,
    }
    impl<'f, T: FnMut(&Expr) -> bool> Visitor<'f> for Search<'f, T> {
        fn function(&self) -> &'f Function {
            self.f
        }
        fn visit_expr(&mut self, id: ExprId) {
            if self.found {
                return;
            }
            if (self.test)(self.f.expr(id)) {
                self.found = true;
            } else {
                walk_expr(self, id);
            }
        }
    }
    let mut search = Search {
        f,
        test,
        found: false,
    };
    search.visit_block(block);
    search.found
}

/// The operands of an [`Expr::Alloc`] in evaluation order.
pub fn alloc_operands(dims: &[ExprId], fill: ExprId, fill_first: bool) -> Vec<ExprId> {
    let mut operands = dims.to_vec();
    if fill_first {
        operands.insert(0, fill);
    } else {
        operands.push(fill);
    }
    operands
}

/// Every `let` of `f` with its initialiser, in source order.
pub fn lets(f: &Function) -> Vec<(LocalId, Option<ExprId>)> {
    struct Lets<'f> {
        f: &'f Function,
        found: Vec<(LocalId, Option<ExprId>)>,
    }
    impl<'f> Visitor<'f> for Lets<'f> {
        fn function(&self) -> &'f Function {
            self.f
        }
        fn visit_stmt(&mut self, stmt: &'f Stmt) {
            if let Stmt::Let { local, init } = stmt {
                self.found.push((*local, *init));
            }
            walk_stmt(self, stmt);
        }
    }
    let mut lets = Lets {
        f,
        found: Vec::new(),
    };
    lets.visit_block(&f.body);
    lets.found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Expr, ExprId};

    /// Records every expression visited, in order.
    struct Order<'f> {
        f: &'f Function,
        seen: Vec<ExprId>,
    }

    impl<'f> Visitor<'f> for Order<'f> {
        fn function(&self) -> &'f Function {
            self.f
        }
        fn visit_expr(&mut self, id: ExprId) {
            self.seen.push(id);
            walk_expr(self, id);
        }
    }

    fn program(source: &str) -> crate::Program {
        crate::compile(source).expect("compiles")
    }

    #[test]
    fn every_expression_is_visited_once() {
        let p = program(
            "fn g(x: f64) -> f64 { x }\n\
             fn f(a: &mut [f64], n: usize) -> f64 {\n\
                 let mut s = 0.0;\n\
                 for i in (0..n).step_by(2) { a[i % a.len()] += g(s).max(1.0); }\n\
                 while s < 3.0 { s += 1.0; if s > 2.0 { break; } else { continue; } }\n\
                 let b = [1.0, -2.0];\n\
                 let c = [0.5; 3];\n\
                 let r = loop { break b[0] + c[1]; };\n\
                 if n == 0 && r > 0.0 { return { r as f64 }; }\n\
                 s\n\
             }",
        );
        for f in p.functions() {
            let mut order = Order {
                f,
                seen: Vec::new(),
            };
            order.visit_block(&f.body);
            let mut sorted = order.seen.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(
                sorted.len(),
                order.seen.len(),
                "visited twice in {}",
                f.name
            );
            assert_eq!(
                sorted.len(),
                f.exprs.len(),
                "missed an expression in {}",
                f.name
            );
        }
    }

    #[test]
    fn assignments_visit_the_value_before_the_place() {
        let p = program("fn f(a: &mut [f64], i: usize, x: f64) { a[i] = x; }");
        let f = &p.functions()[0];
        let mut order = Order {
            f,
            seen: Vec::new(),
        };
        order.visit_block(&f.body);
        let kinds: Vec<&Expr> = order.seen.iter().map(|id| f.expr(*id)).collect();
        let x = f.params[2];
        let i = f.params[1];
        assert_eq!(kinds, [&Expr::Local(x), &Expr::Local(i)]);
    }

    #[test]
    fn any_expr_in_block_finds_nested_calls() {
        let p = program(
            "fn g() -> f64 { 1.0 }\n\
             fn f(n: usize) -> f64 { let x = 1.0 + { if n > 0 { g() } else { 0.0 } }; x }",
        );
        let f = p.functions().iter().find(|f| f.name == "f").expect("f");
        assert!(any_expr_in_block(f, &f.body, |e| matches!(
            e,
            Expr::Call(..)
        )));
        assert!(!any_expr_in_block(f, &f.body, |e| matches!(
            e,
            Expr::For { .. }
        )));
    }
}
