//! Blocks, statements (`let`, assignments) and control flow (`loop`, `while`, `for`, `break`,
//! `continue`, `return`).

use super::items::{local_type, unsupported_macro};
use super::{node_span, span, FnCx, LoopKind};
use crate::diag::{Diagnostic, Span};
use crate::ir::{
    Annot, BinOp, Block, Expr, ExprId, Local, LocalId, LocalKind, LoopId, Place, Range, Stmt,
};
use crate::types::Type;

const SUPPORTED_RANGES: &str = "supported: `a..b`, `a..=b`, `(a..b).rev()`, `(a..b).step_by(s)`, \
    `(a..b).rev().step_by(s)`, `prange(a..b)` and `prange(a..=b)`";

impl FnCx<'_> {
    /// Lowers a `{ … }` block in a new scope.
    pub(super) fn lower_block(&mut self, block: &syn::Block) -> Block {
        self.scoped(|cx| cx.lower_stmts(&block.stmts))
    }

    fn lower_stmts(&mut self, stmts: &[syn::Stmt]) -> Block {
        let mut block = Block::default();
        for (index, stmt) in stmts.iter().enumerate() {
            let is_last = index + 1 == stmts.len();
            match stmt {
                syn::Stmt::Local(local) => self.lower_let(local, &mut block.stmts),
                syn::Stmt::Item(item) => self.lower_inner_item(item),
                syn::Stmt::Macro(stmt_macro) => match super::print::print_macro(&stmt_macro.mac) {
                    Some((stream, newline)) => {
                        let id = self.lower_print_macro(&stmt_macro.mac, stream, newline);
                        if stmt_macro.semi_token.is_none() && is_last {
                            block.tail = Some(id);
                        } else {
                            block.stmts.push(Stmt::Expr(id));
                        }
                    }
                    None => self.error(unsupported_macro(&stmt_macro.mac)),
                },
                syn::Stmt::Expr(expr, semi) => {
                    if let Some((place, op, value)) = assignment_parts(expr) {
                        // An assignment in tail position is a statement: the block has no value.
                        if let Some(stmt) = self.lower_assign(expr, place, op, value) {
                            block.stmts.push(stmt);
                        }
                    } else if semi.is_none() && is_last {
                        block.tail = Some(self.lower_expr(expr));
                    } else {
                        let id = self.lower_expr(expr);
                        block.stmts.push(Stmt::Expr(id));
                    }
                }
            }
        }
        block
    }

    /// Items inside a body: `use` imports constants, anything else is rejected.
    fn lower_inner_item(&mut self, item: &syn::Item) {
        match item {
            syn::Item::Use(item_use) => {
                let mut imports = self.imports.take().unwrap_or_default();
                imports.add_use_tree(&mut Vec::new(), &item_use.tree);
                self.imports = Some(imports);
            }
            syn::Item::Fn(item_fn) => self.error(
                Diagnostic::new(
                    span(item_fn.sig.fn_token.span).to(span(item_fn.sig.ident.span())),
                    "nested `fn` items are not supported in kernels",
                )
                .with_help("move the function to the top level of the source"),
            ),
            syn::Item::Macro(item_macro) => self.error(unsupported_macro(&item_macro.mac)),
            other => self.error(Diagnostic::new(
                node_span(other),
                "items inside function bodies are not supported in kernels",
            )),
        }
    }

    fn lower_let(&mut self, local: &syn::Local, stmts: &mut Vec<Stmt>) {
        if let Some(diverge) = local.init.as_ref().and_then(|init| init.diverge.as_ref()) {
            self.error(Diagnostic::new(
                span(diverge.0.span),
                "`let … else` is not supported in kernels",
            ));
        }
        let init = local.init.as_ref().map(|init| &*init.expr);
        let (pat, ty) = match &local.pat {
            syn::Pat::Type(typed) => (&*typed.pat, Some(&*typed.ty)),
            pat => (pat, None),
        };
        match pat {
            syn::Pat::Ident(ident) if ident.by_ref.is_none() && ident.subpat.is_none() => {
                let (mut annot, annot_len_bad) = match ty.map(|ty| self.let_annot(ty)) {
                    Some((annot, len_bad)) => (annot, len_bad),
                    None => (None, false),
                };
                let annot_len = match annot {
                    Some(Annot::Known(Type::Fixed { len, .. })) if !annot_len_bad => Some(len),
                    _ => None,
                };
                let init = init.map(|init| self.lower_init(init, annot_len));
                // After a bad length in the annotation, it takes the initialiser's, so the
                // two cannot disagree and the length is the only error reported.
                if annot_len_bad {
                    if let (Some(Annot::Known(Type::Fixed { len, .. })), Some(init_len)) =
                        (annot.as_mut(), init.and_then(|init| self.init_len(init)))
                    {
                        *len = init_len;
                    }
                }
                let mutable = ident.mutability.is_some();
                let id = self.declare_let(
                    ident.ident.to_string(),
                    mutable,
                    annot,
                    span(ident.ident.span()),
                    init.is_some(),
                );
                stmts.push(Stmt::Let { local: id, init });
            }
            syn::Pat::Wild(_) => {
                if let Some(ty) = ty {
                    self.let_annot(ty);
                }
                if let Some(init) = init {
                    let id = self.lower_expr(init);
                    stmts.push(Stmt::Expr(id));
                }
            }
            syn::Pat::Tuple(tuple) if super::tuples::is_dim_call(init) => {
                self.lower_let_dim(tuple, ty, init, stmts)
            }
            syn::Pat::Tuple(tuple) => self.lower_let_tuple(tuple, ty, init, stmts),
            other => self.error(
                Diagnostic::new(
                    node_span(other),
                    "this `let` pattern is not supported in kernels",
                )
                .with_help(
                    "bind a plain name (`let x = …;`), or destructure a tuple: `let (x, y) = f(a);`, `let (n, m) = a.dim();`",
                ),
            ),
        }
    }

    /// A `let` annotation, and whether it is a fixed array recovered from a bad length.
    fn let_annot(&mut self, ty: &syn::Type) -> (Option<Annot>, bool) {
        match local_type(self.file.source, &self.file.consts, ty) {
            Ok(annot) => (annot, false),
            Err(bad) => {
                self.error(*bad.diagnostic);
                (bad.recovered, bad.recovered.is_some())
            }
        }
    }

    pub(super) fn declare_let(
        &mut self,
        name: String,
        mutable: bool,
        annot: Option<Annot>,
        at: Span,
        initialised: bool,
    ) -> LocalId {
        let ty = match annot {
            Some(Annot::Known(ty)) => ty,
            _ => Type::Unit,
        };
        let local = Local {
            name,
            kind: LocalKind::Let,
            mutable,
            annot,
            ty,
            span: at,
        };
        // `let x; x = 1;` is one legal assignment of an immutable binding; only bindings with an
        // initialiser are known to be frozen here.
        self.declare(local, !mutable && initialised)
    }

    /// `let (n, m) = a.dim();` → one `let` per component.
    fn lower_let_dim(
        &mut self,
        tuple: &syn::PatTuple,
        ty: Option<&syn::Type>,
        init: Option<&syn::Expr>,
        stmts: &mut Vec<Stmt>,
    ) {
        let array = match init {
            Some(syn::Expr::MethodCall(call)) if call.method == "dim" && call.args.is_empty() => {
                self.array_receiver(&call.receiver, "dim")
            }
            _ => {
                self.error(
                    Diagnostic::new(
                        node_span(tuple),
                        "tuple patterns are only supported as `let (n, m) = a.dim();`",
                    )
                    .with_help("kernels have no tuples; bind each value with its own `let`"),
                );
                return;
            }
        };
        let init_span = init.map_or(node_span(tuple), node_span);
        let elem_types: Vec<Option<&syn::Type>> = match ty {
            Some(syn::Type::Tuple(types)) if types.elems.len() == tuple.elems.len() => {
                types.elems.iter().map(Some).collect()
            }
            _ => vec![None; tuple.elems.len()],
        };
        for (axis, (pat, ty)) in tuple.elems.iter().zip(elem_types).enumerate() {
            // A dimension is never an array: a recovered `[T; N]` would only add errors.
            let annot = ty.and_then(|ty| match self.let_annot(ty) {
                (annot, false) => annot,
                (_, true) => None,
            });
            match pat {
                syn::Pat::Ident(ident) if ident.by_ref.is_none() && ident.subpat.is_none() => {
                    let value = match array {
                        Some(array) => self.push(Expr::Dim(array, axis as u32), init_span),
                        None => self.dummy(init_span),
                    };
                    let id = self.declare_let(
                        ident.ident.to_string(),
                        ident.mutability.is_some(),
                        annot,
                        span(ident.ident.span()),
                        true,
                    );
                    stmts.push(Stmt::Let {
                        local: id,
                        init: Some(value),
                    });
                }
                syn::Pat::Wild(_) => {}
                other => self.error(Diagnostic::new(
                    node_span(other),
                    "expected a name or `_` in a `.dim()` pattern",
                )),
            }
        }
    }

    /// `place = value` / `place op= value`; `None` when nothing is left to run.
    pub(super) fn lower_assign(
        &mut self,
        whole: &syn::Expr,
        place: &syn::Expr,
        op: Option<BinOp>,
        value: &syn::Expr,
    ) -> Option<Stmt> {
        if let syn::Expr::Infer(_) = place {
            // `_ = f(x);` evaluates and discards.
            let id = self.lower_expr(value);
            return Some(Stmt::Expr(id));
        }
        let place = self.lower_place(place);
        let value = self.lower_expr(value);
        let at = node_span_of_assign(self, whole, value);
        Some(Stmt::Assign {
            place: place?,
            op,
            value,
            span: at,
        })
    }

    fn lower_place(&mut self, place: &syn::Expr) -> Option<Place> {
        match place {
            syn::Expr::Path(path) if path.qself.is_none() && path.path.get_ident().is_some() => {
                let name = path.path.segments[0].ident.to_string();
                let at = node_span(path);
                let Some(local) = self.lookup(&name) else {
                    self.error(self.unknown_value(&name, at));
                    return None;
                };
                self.check_assignable(local, at);
                Some(Place::Local(local))
            }
            syn::Expr::Index(index) => {
                let at = node_span(&index.expr).to(span(index.bracket_token.span.close()));
                let (array, indices) = self.lower_index_parts(index)?;
                if self.frozen[array.index()]
                    && self.func.locals[array.index()].kind == LocalKind::Let
                {
                    let name = self.func.locals[array.index()].name.clone();
                    self.error(
                        Diagnostic::new(at, format!("cannot assign to `{name}[_]`, as `{name}` is not declared as mutable"))
                            .with_help(format!("consider changing this to be mutable: `mut {name}`")),
                    );
                }
                Some(Place::Index {
                    array,
                    indices,
                    span: at,
                })
            }
            syn::Expr::Paren(paren) => self.lower_place(&paren.expr),
            syn::Expr::Unary(syn::ExprUnary {
                op: syn::UnOp::Deref(_),
                ..
            }) => {
                self.error(Diagnostic::new(
                    node_span(place),
                    "dereferencing (`*x`) is not supported in kernels",
                ));
                None
            }
            syn::Expr::Field(_) => {
                self.error(Diagnostic::new(
                    node_span(place),
                    "field access is not supported in kernels",
                ));
                None
            }
            _ => {
                self.error(
                    Diagnostic::new(node_span(place), "invalid left-hand side of assignment")
                        .with_help("assign to a local (`x = …`) or an array element (`a[i] = …`, `a[[i, j]] = …`)"),
                );
                None
            }
        }
    }

    /// Immutable parameters, loop variables and initialised `let`s cannot be assigned.
    fn check_assignable(&mut self, local: LocalId, at: Span) {
        if !self.frozen[local.index()] {
            return;
        }
        let info = &self.func.locals[local.index()];
        let name = info.name.clone();
        let declared = info.span;
        let diagnostic = match info.kind {
            LocalKind::Param(_) => {
                Diagnostic::new(at, format!("cannot assign to immutable parameter `{name}`"))
                    .with_secondary(declared, "declared here")
                    .with_help(format!(
                        "make it mutable: `mut {name}: …` in the parameter list"
                    ))
            }
            LocalKind::Let | LocalKind::Pattern(_) => Diagnostic::new(
                at,
                format!("cannot assign twice to immutable variable `{name}`"),
            )
            .with_secondary(declared, "first assignment")
            .with_help(format!("make this binding mutable: `let mut {name}`")),
            LocalKind::LoopVar => {
                Diagnostic::new(at, format!("cannot assign to loop variable `{name}`")).with_help(
                    "a `for` loop variable cannot be assigned; copy it into a `let mut` local",
                )
            }
        };
        self.error(diagnostic);
    }

    pub(super) fn lower_loop(&mut self, expr: &syn::ExprLoop) -> ExprId {
        let at = loop_span(expr.label.as_ref(), span(expr.loop_token.span), &expr.body);
        let id = self.new_loop(label_name(expr.label.as_ref()), at);
        let body = self.in_loop(id, LoopKind::Loop, |cx| cx.lower_block(&expr.body));
        self.push(Expr::Loop { id, body }, at)
    }

    pub(super) fn lower_while(&mut self, expr: &syn::ExprWhile) -> ExprId {
        let at = loop_span(expr.label.as_ref(), span(expr.while_token.span), &expr.body);
        let id = self.new_loop(label_name(expr.label.as_ref()), at);
        let (cond, body) = self.in_loop(id, LoopKind::While, |cx| {
            let cond = match &*expr.cond {
                syn::Expr::Let(let_expr) => cx.fail(Diagnostic::new(
                    span(expr.while_token.span).to(span(let_expr.let_token.span)),
                    "`while let` is not supported in kernels",
                )),
                cond => cx.lower_expr(cond),
            };
            (cond, cx.lower_block(&expr.body))
        });
        self.push(Expr::While { id, cond, body }, at)
    }

    pub(super) fn lower_for(&mut self, expr: &syn::ExprForLoop) -> ExprId {
        let at = loop_span(expr.label.as_ref(), span(expr.for_token.span), &expr.body);
        let (range, parallel) = self.lower_range(&expr.expr);
        let id = self.new_loop(label_name(expr.label.as_ref()), at);
        let (name, var_span) = match &*expr.pat {
            syn::Pat::Ident(ident)
                if ident.by_ref.is_none()
                    && ident.subpat.is_none()
                    && ident.mutability.is_none() =>
            {
                (ident.ident.to_string(), span(ident.ident.span()))
            }
            syn::Pat::Wild(wild) => ("_".to_string(), span(wild.underscore_token.span)),
            other => {
                let at = node_span(other);
                self.error(
                    Diagnostic::new(at, "unsupported `for` loop pattern")
                        .with_help("the loop variable is a plain name or `_`"),
                );
                ("_".to_string(), at)
            }
        };
        let (var, body) = self.scoped(|cx| {
            let local = Local {
                name,
                kind: LocalKind::LoopVar,
                mutable: false,
                annot: None,
                ty: crate::types::Type::Unit,
                span: var_span,
            };
            let var = cx.declare(local, true);
            let body = cx.in_loop(id, LoopKind::For, |cx| cx.lower_block(&expr.body));
            (var, body)
        });
        self.push(
            Expr::For {
                id,
                var,
                range,
                parallel,
                body,
            },
            at,
        )
    }

    /// The iteration space of a `for` loop, and whether it is a `prange`.
    fn lower_range(&mut self, expr: &syn::Expr) -> (Range, bool) {
        match self.range_shape(expr) {
            Ok(shape) => {
                let start = self.lower_expr(shape.start);
                let end = self.lower_expr(shape.end);
                let step = shape.step.map(|s| self.lower_expr(s));
                let range = Range {
                    start,
                    end,
                    inclusive: shape.inclusive,
                    reverse: shape.reverse,
                    step,
                };
                (range, shape.parallel)
            }
            Err(diagnostic) => {
                let at = diagnostic.span;
                self.error(diagnostic);
                let start = self.dummy(at);
                let end = self.dummy(at);
                (
                    Range {
                        start,
                        end,
                        inclusive: false,
                        reverse: false,
                        step: None,
                    },
                    false,
                )
            }
        }
    }

    fn range_shape<'e>(&self, expr: &'e syn::Expr) -> Result<RangeShape<'e>, Diagnostic> {
        let unsupported = |what: &str| {
            Diagnostic::new(
                node_span(expr),
                format!("unsupported `for` loop iterator{what}"),
            )
            .with_help(SUPPORTED_RANGES)
        };
        match expr {
            syn::Expr::Range(range) => plain_range(range, false),
            syn::Expr::Paren(paren) => self.range_shape(&paren.expr),
            syn::Expr::Call(call) if is_prange(&call.func) => {
                match (call.args.len(), call.args.first()) {
                    (1, Some(syn::Expr::Range(range))) => plain_range(range, true),
                    _ => Err(unsupported(": `prange` takes one range `a..b` or `a..=b`")),
                }
            }
            syn::Expr::MethodCall(call) if call.method == "rev" && call.args.is_empty() => {
                let mut shape = bare_range(&call.receiver).ok_or_else(|| unsupported(""))?;
                shape.reverse = true;
                Ok(shape)
            }
            syn::Expr::MethodCall(call) if call.method == "step_by" && call.args.len() == 1 => {
                let mut shape = match &*call.receiver {
                    syn::Expr::MethodCall(inner)
                        if inner.method == "rev" && inner.args.is_empty() =>
                    {
                        let mut shape =
                            bare_range(&inner.receiver).ok_or_else(|| unsupported(""))?;
                        shape.reverse = true;
                        shape
                    }
                    receiver => bare_range(receiver).ok_or_else(|| unsupported(""))?,
                };
                shape.step = call.args.first();
                Ok(shape)
            }
            syn::Expr::MethodCall(call) if call.method == "rev" => {
                Err(unsupported(": `.rev()` after `.step_by(s)`"))
            }
            _ => Err(unsupported("")),
        }
    }

    pub(super) fn lower_break(&mut self, expr: &syn::ExprBreak) -> ExprId {
        let value = expr.expr.as_ref().map(|value| self.lower_expr(value));
        let mut at = span(expr.break_token.span);
        if let Some(label) = &expr.label {
            at = at.to(span(label.span()));
        }
        if let Some(value) = value {
            at = at.to(self.expr_span(value));
        }
        let Some((id, kind)) = self.find_loop(expr.label.as_ref(), at, "break") else {
            return self.dummy(at);
        };
        if value.is_some() && kind != LoopKind::Loop {
            let which = if kind == LoopKind::While {
                "while"
            } else {
                "for"
            };
            self.error(
                Diagnostic::new(at, format!("`break` with value from a `{which}` loop"))
                    .with_help("only a `loop` can produce a value with `break value`"),
            );
        }
        self.push(Expr::Break { id, value }, at)
    }

    pub(super) fn lower_continue(&mut self, expr: &syn::ExprContinue) -> ExprId {
        let mut at = span(expr.continue_token.span);
        if let Some(label) = &expr.label {
            at = at.to(span(label.span()));
        }
        match self.find_loop(expr.label.as_ref(), at, "continue") {
            Some((id, _)) => self.push(Expr::Continue(id), at),
            None => self.dummy(at),
        }
    }

    pub(super) fn lower_return(&mut self, expr: &syn::ExprReturn) -> ExprId {
        let value = expr.expr.as_ref().map(|value| self.lower_expr(value));
        let mut at = span(expr.return_token.span);
        if let Some(value) = value {
            at = at.to(self.expr_span(value));
        }
        self.push(Expr::Return(value), at)
    }

    /// The loop a `break`/`continue` refers to; reports unknown labels and use outside loops.
    fn find_loop(
        &mut self,
        label: Option<&syn::Lifetime>,
        at: Span,
        keyword: &str,
    ) -> Option<(LoopId, LoopKind)> {
        let Some(label) = label else {
            let found = self.loop_stack.last().copied();
            if found.is_none() {
                let message = if keyword == "break" {
                    "`break` outside of a loop or labeled block".to_string()
                } else {
                    "`continue` outside of a loop".to_string()
                };
                self.error(
                    Diagnostic::new(at, message)
                        .with_label(format!("cannot `{keyword}` outside of a loop")),
                );
            }
            return found;
        };
        let name = label.to_string();
        let found = self
            .loop_stack
            .iter()
            .rev()
            .find(|(id, _)| self.func.loops[id.index()].label.as_deref() == Some(name.as_str()))
            .copied();
        if found.is_none() {
            self.error(Diagnostic::new(
                span(label.span()),
                format!("use of undeclared label `{name}`"),
            ));
        }
        found
    }
}

/// Where a `for` loop's bounds come from, before lowering.
struct RangeShape<'e> {
    start: &'e syn::Expr,
    end: &'e syn::Expr,
    inclusive: bool,
    reverse: bool,
    step: Option<&'e syn::Expr>,
    parallel: bool,
}

fn plain_range(range: &syn::ExprRange, parallel: bool) -> Result<RangeShape<'_>, Diagnostic> {
    match (&range.start, &range.end) {
        (Some(start), Some(end)) => Ok(RangeShape {
            start,
            end,
            inclusive: matches!(range.limits, syn::RangeLimits::Closed(_)),
            reverse: false,
            step: None,
            parallel,
        }),
        _ => Err(
            Diagnostic::new(node_span(range), "a `for` loop range needs both bounds")
                .with_help(SUPPORTED_RANGES),
        ),
    }
}

/// `(a..b)` as the receiver of `.rev()` / `.step_by(s)`.
fn bare_range(expr: &syn::Expr) -> Option<RangeShape<'_>> {
    match expr {
        syn::Expr::Paren(paren) => bare_range(&paren.expr),
        syn::Expr::Range(range) => plain_range(range, false).ok(),
        _ => None,
    }
}

fn is_prange(func: &syn::Expr) -> bool {
    matches!(func, syn::Expr::Path(path) if path.qself.is_none()
        && path.path.segments.last().is_some_and(|s| s.ident == "prange"))
}

/// `place = value` or `place op= value`, if `expr` is an assignment.
pub(super) fn assignment_parts(
    expr: &syn::Expr,
) -> Option<(&syn::Expr, Option<BinOp>, &syn::Expr)> {
    match expr {
        syn::Expr::Assign(assign) => Some((&assign.left, None, &assign.right)),
        syn::Expr::Binary(binary) => {
            let op = compound_op(&binary.op)?;
            Some((&binary.left, Some(op), &binary.right))
        }
        _ => None,
    }
}

/// The operator of a compound assignment (`+=` → `Add`).
pub(super) fn compound_op(op: &syn::BinOp) -> Option<BinOp> {
    Some(match op {
        syn::BinOp::AddAssign(_) => BinOp::Add,
        syn::BinOp::SubAssign(_) => BinOp::Sub,
        syn::BinOp::MulAssign(_) => BinOp::Mul,
        syn::BinOp::DivAssign(_) => BinOp::Div,
        syn::BinOp::RemAssign(_) => BinOp::Rem,
        syn::BinOp::BitAndAssign(_) => BinOp::BitAnd,
        syn::BinOp::BitOrAssign(_) => BinOp::BitOr,
        syn::BinOp::BitXorAssign(_) => BinOp::BitXor,
        syn::BinOp::ShlAssign(_) => BinOp::Shl,
        syn::BinOp::ShrAssign(_) => BinOp::Shr,
        _ => return None,
    })
}

fn node_span_of_assign(cx: &FnCx, whole: &syn::Expr, value: ExprId) -> Span {
    let left = match whole {
        syn::Expr::Assign(assign) => node_span(&assign.left),
        syn::Expr::Binary(binary) => node_span(&binary.left),
        other => node_span(other),
    };
    left.to(cx.expr_span(value))
}

fn label_name(label: Option<&syn::Label>) -> Option<String> {
    label.map(|label| label.name.to_string())
}

/// From the label (or keyword) to the body's closing brace.
fn loop_span(label: Option<&syn::Label>, keyword: Span, body: &syn::Block) -> Span {
    let start = label.map_or(keyword, |label| span(label.name.span()));
    start.to(span(body.brace_token.span.close()))
}
