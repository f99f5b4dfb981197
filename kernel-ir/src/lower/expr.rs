//! Expressions: literals, names and constants, operators, casts, indexing, calls, methods,
//! `if` and blocks.
//!
//! Spans of composite expressions are joined from their parts' spans rather than taken from
//! `syn` (whose `span()` walks every token of the node), which keeps lowering linear.

use super::const_items::ConstItems;
use super::items::{scalar_type, unsupported_macro};
use super::stmt::assignment_parts;
use super::suggest::closest;
use super::{consts::strip_std, node_span, span, FnCx};
use crate::diag::{Diagnostic, Span};
use crate::ir::{BinOp, Block, Builtin, Expr, ExprId, FuncId, Lit, LocalId, LogicOp, UnOp};
use crate::types::Scalar;

/// Longest fixed array a kernel may declare.
const MAX_FIXED_LEN: u32 = 4096;

/// Methods of array locals (besides the math builtins), for suggestions.
const ARRAY_METHODS: [&str; 8] = [
    "len", "shape", "len_of", "nrows", "ncols", "dim", "view", "view_mut",
];

const SUPPORTED_SUFFIXES: &str =
    "supported suffixes: `i8`, `i16`, `i32`, `i64`, `u8`, `u16`, `u32`, `u64`, `usize`, `f32`, `f64`";

impl FnCx<'_> {
    /// Lowers an expression used as a value.
    pub(super) fn lower_expr(&mut self, expr: &syn::Expr) -> ExprId {
        if !self.enter(|| node_span(expr)) {
            return self.dummy(node_span(expr));
        }
        let id = self.lower_expr_inner(expr);
        self.leave();
        id
    }

    fn lower_expr_inner(&mut self, expr: &syn::Expr) -> ExprId {
        match expr {
            syn::Expr::Lit(lit) => self.lower_lit(&lit.lit, false, span(lit.lit.span())),
            syn::Expr::Path(path) => self.lower_path(path),
            syn::Expr::Paren(paren) => self.lower_expr(&paren.expr),
            syn::Expr::Group(group) => self.lower_expr(&group.expr),
            syn::Expr::Unary(unary) => self.lower_unary(unary),
            syn::Expr::Binary(binary) if assignment_parts(expr).is_none() => {
                self.lower_binary(binary)
            }
            syn::Expr::Binary(_) | syn::Expr::Assign(_) => self.fail(
                Diagnostic::new(
                    node_span(expr),
                    "assignments cannot be used as values in kernels",
                )
                .with_help("write the assignment as its own statement"),
            ),
            syn::Expr::Cast(cast) => self.lower_cast(cast),
            syn::Expr::Index(index) => self.lower_index(index),
            syn::Expr::Call(call) => self.lower_call(call),
            syn::Expr::MethodCall(call) => self.lower_method_call(call),
            syn::Expr::If(expr_if) => self.lower_if(expr_if),
            syn::Expr::Match(expr_match) => self.lower_match(expr_match),
            syn::Expr::Block(block) => self.lower_block_expr(block),
            syn::Expr::Loop(expr) => self.lower_loop(expr),
            syn::Expr::While(expr) => self.lower_while(expr),
            syn::Expr::ForLoop(expr) => self.lower_for(expr),
            syn::Expr::Break(expr) => self.lower_break(expr),
            syn::Expr::Continue(expr) => self.lower_continue(expr),
            syn::Expr::Return(expr) => self.lower_return(expr),
            syn::Expr::Reference(reference) => match self.lower_slice_reference(reference) {
                Some(view) => view,
                None => self.fail(unsupported_expr(expr)),
            },
            syn::Expr::Macro(expr) if super::alloc::is_vec_macro(&expr.mac) => {
                self.lower_vec_macro(&expr.mac)
            }
            syn::Expr::Macro(expr) => match super::print::print_macro(&expr.mac) {
                Some((stream, newline)) => self.lower_print_macro(&expr.mac, stream, newline),
                None => self.fail(unsupported_macro(&expr.mac)),
            },
            syn::Expr::Tuple(tuple) if !tuple.elems.is_empty() => self.lower_tuple_expr(tuple),
            syn::Expr::Field(field) => self.lower_field(field),
            other => self.fail(unsupported_expr(other)),
        }
    }

    /// A `let` initialiser: fixed array literals are allowed here and only here.
    ///
    /// An array whose length is bad is still lowered as an array (with the annotation's length
    /// `annot_len` when there is one, so the two agree), so the local's later uses are checked
    /// as an array's and the length is the only error reported.
    pub(super) fn lower_init(&mut self, expr: &syn::Expr, annot_len: Option<u32>) -> ExprId {
        match expr {
            syn::Expr::Array(array) => {
                let at = span(array.bracket_token.span.join());
                if array.elems.len() > MAX_FIXED_LEN as usize {
                    self.error(too_long_array(at));
                }
                let elems = array.elems.iter().map(|e| self.lower_expr(e)).collect();
                self.push(Expr::ArrayLit(elems), at)
            }
            syn::Expr::Repeat(repeat) => {
                let at = span(repeat.bracket_token.span.join());
                let value = self.lower_expr(&repeat.expr);
                let len = match fixed_len(&repeat.len, &self.file.consts) {
                    Ok(len) => len,
                    Err(bad) => {
                        self.error(*bad.diagnostic);
                        annot_len.unwrap_or(bad.recovered)
                    }
                };
                self.push(Expr::ArrayRepeat(value, len), at)
            }
            _ => self.lower_expr(expr),
        }
    }

    /// The length of a fixed array initialiser, if `init` is one.
    pub(super) fn init_len(&self, init: ExprId) -> Option<u32> {
        match &self.func.exprs[init.index()] {
            Expr::ArrayLit(elems) => Some(elems.len() as u32),
            Expr::ArrayRepeat(_, len) => Some(*len),
            _ => None,
        }
    }

    fn lower_lit(&mut self, lit: &syn::Lit, negative: bool, at: Span) -> ExprId {
        match literal(lit, negative, at) {
            Ok((value, suffix)) => self.push(Expr::Lit(value, suffix), at),
            Err(diagnostic) => self.fail(diagnostic),
        }
    }

    fn lower_path(&mut self, path: &syn::ExprPath) -> ExprId {
        let at = node_span(path);
        let Some(segments) = plain_segments(path) else {
            return self.fail(Diagnostic::new(at, "this path is not supported in kernels"));
        };
        if let [name] = segments.as_slice() {
            if let Some(local) = self.lookup(name) {
                return self.push(Expr::Local(local), at);
            }
        }
        if let Some((value, suffix)) = self.resolve_const(&segments) {
            return self.push(Expr::Lit(value, suffix), at);
        }
        if let [name] = segments.as_slice() {
            if self.file.consts.has_failed(name) {
                // The constant's error, reported at its definition, fails the source.
                return self.dummy(at);
            }
        }
        let diagnostic = match segments.as_slice() {
            [name] => self.unknown_value(name, at),
            _ => Diagnostic::new(at, format!("cannot find value `{}` in kernels", segments.join("::")))
                .with_help("supported constants: `f64::consts::PI` (and the other `consts`), `f64::INFINITY`, `f64::NAN`, `f64::EPSILON`, `i64::MAX`, `u32::MIN`, `i32::BITS`, …"),
        };
        self.fail(diagnostic)
    }

    /// "cannot find value `x` in this scope", with the closest local or constant as help.
    pub(super) fn unknown_value(&self, name: &str, at: Span) -> Diagnostic {
        let mut candidates = self.local_names();
        candidates.extend(self.file.imports.constant_names().map(str::to_string));
        candidates.extend(self.file.consts.names().map(str::to_string));
        let diagnostic = Diagnostic::new(at, format!("cannot find value `{name}` in this scope"));
        match closest(name, candidates.iter().map(String::as_str)) {
            Some(similar) => diagnostic.with_help(format!(
                "a local variable with a similar name exists: `{similar}`"
            )),
            None => diagnostic,
        }
    }

    fn lower_unary(&mut self, unary: &syn::ExprUnary) -> ExprId {
        let op_span = match unary.op {
            syn::UnOp::Neg(t) => span(t.span),
            syn::UnOp::Not(t) => span(t.span),
            syn::UnOp::Deref(t) => span(t.span),
            _ => node_span(unary),
        };
        let op = match unary.op {
            syn::UnOp::Neg(_) => UnOp::Neg,
            syn::UnOp::Not(_) => UnOp::Not,
            _ => {
                return self.fail(
                    Diagnostic::new(
                        op_span.to(node_span(&unary.expr)),
                        "dereferencing (`*x`) is not supported in kernels",
                    )
                    .with_help("kernels have no references; use the value directly"),
                )
            }
        };
        if let (UnOp::Neg, syn::Expr::Lit(lit)) = (op, &*unary.expr) {
            if matches!(lit.lit, syn::Lit::Int(_) | syn::Lit::Float(_)) {
                return self.lower_lit(&lit.lit, true, op_span.to(span(lit.lit.span())));
            }
        }
        let operand = self.lower_expr(&unary.expr);
        let at = op_span.to(self.outer_span(&unary.expr, operand));
        self.push(Expr::Unary(op, operand), at)
    }

    /// Lowers a left-nested chain `a + b - c * d …` iteratively, so long flat chains cost no
    /// recursion depth.
    fn lower_binary(&mut self, top: &syn::ExprBinary) -> ExprId {
        let mut spine = vec![top];
        let mut leftmost = &*top.left;
        while let syn::Expr::Binary(inner) = leftmost {
            if super::stmt::compound_op(&inner.op).is_some() {
                break;
            }
            spine.push(inner);
            leftmost = &inner.left;
        }
        let mut acc = self.lower_expr(leftmost);
        let mut acc_span = self.outer_span(leftmost, acc);
        for node in spine.iter().rev() {
            let rhs = self.lower_expr(&node.right);
            let at = acc_span.to(self.outer_span(&node.right, rhs));
            let expr = match binary_op(&node.op) {
                Ok(op) => Expr::Binary(op, acc, rhs),
                Err(op) => Expr::Logic(op, acc, rhs),
            };
            acc = self.push(expr, at);
            acc_span = at;
        }
        acc
    }

    /// The span of a lowered operand including any parentheses around it.
    pub(super) fn outer_span(&self, expr: &syn::Expr, id: ExprId) -> Span {
        match expr {
            syn::Expr::Paren(paren) => span(paren.paren_token.span.join()),
            _ => self.expr_span(id),
        }
    }

    fn lower_cast(&mut self, cast: &syn::ExprCast) -> ExprId {
        let operand = self.lower_expr(&cast.expr);
        let at = self.outer_span(&cast.expr, operand).to(node_span(&cast.ty));
        match scalar_type(&cast.ty) {
            Some(scalar) => self.push(Expr::Cast(operand, scalar), at),
            None => self.fail(
                Diagnostic::new(node_span(&cast.ty), format!("cannot cast to `{}`", super::items::source_text(self.file.source, &*cast.ty)))
                    .with_help("`as` converts between the scalar types `bool`, `i8`, `i16`, `i32`, `i64`, `u8`, `u16`, `u32`, `u64`, `usize`, `f32` and `f64`"),
            ),
        }
    }

    fn lower_index(&mut self, index: &syn::ExprIndex) -> ExprId {
        let at = node_span(&index.expr).to(span(index.bracket_token.span.close()));
        if let syn::Expr::MethodCall(call) = &*index.expr {
            if call.method == "shape" && call.args.is_empty() {
                let array = self.array_receiver(&call.receiver, "shape");
                return match (array, axis_literal(&index.index)) {
                    (Some(array), Ok(axis)) => self.push(Expr::Dim(array, axis), at),
                    (_, Err(diagnostic)) => self.fail(diagnostic),
                    (None, _) => self.dummy(at),
                };
            }
        }
        match self.lower_index_parts(index) {
            Some((array, indices)) => self.push(Expr::Index { array, indices }, at),
            None => self.dummy(at),
        }
    }

    /// The array and indices of `a[i]`, `a[[i, j]]` or `a[(i, j)]`.
    pub(super) fn lower_index_parts(
        &mut self,
        index: &syn::ExprIndex,
    ) -> Option<(LocalId, Vec<ExprId>)> {
        let array = match &*index.expr {
            syn::Expr::Index(_) => {
                self.error(
                    Diagnostic::new(
                        node_span(index),
                        "chained indexing `a[i][j]` is not supported in kernels",
                    )
                    .with_help("index a 2-D array with `a[[i, j]]`"),
                );
                None
            }
            array => self.array_local(array, "indexed"),
        };
        let elems: Vec<&syn::Expr> = match &*index.index {
            syn::Expr::Array(list) => list.elems.iter().collect(),
            syn::Expr::Tuple(tuple) => tuple.elems.iter().collect(),
            syn::Expr::Range(range) => {
                self.error(
                    Diagnostic::new(
                        node_span(range),
                        "slices of arrays are not supported in kernels",
                    )
                    .with_help("index one element at a time in a loop"),
                );
                return None;
            }
            single => vec![single],
        };
        let indices = elems.into_iter().map(|e| self.lower_expr(e)).collect();
        Some((array?, indices))
    }

    /// The local named by a plain path, for array operations.
    pub(super) fn array_local(&mut self, expr: &syn::Expr, what: &str) -> Option<LocalId> {
        let at = node_span(expr);
        match plain_name(expr) {
            Some(name) => match self.lookup(&name) {
                Some(local) => Some(local),
                None => {
                    self.error(self.unknown_value(&name, at));
                    None
                }
            },
            None => {
                self.error(
                    Diagnostic::new(
                        at,
                        format!("only a local array name can be {what} in kernels"),
                    )
                    .with_help("bind the array to a parameter or `let` first"),
                );
                None
            }
        }
    }

    /// The receiver of an array query method (`a.len()`, `a.dim()`, …).
    pub(super) fn array_receiver(&mut self, receiver: &syn::Expr, method: &str) -> Option<LocalId> {
        self.array_local(receiver, &format!("the receiver of `.{method}()`"))
    }

    fn lower_call(&mut self, call: &syn::ExprCall) -> ExprId {
        let at = node_span(&call.func).to(span(call.paren_token.span.close()));
        if let Some(alloc) = self.lower_alloc_call(call, at) {
            return alloc;
        }
        let segments = match &*call.func {
            syn::Expr::Path(path) => plain_segments(path),
            _ => None,
        };
        let Some(segments) = segments else {
            return self.fail(Diagnostic::new(
                node_span(&call.func),
                "only functions of the same source can be called in kernels",
            ));
        };
        match strip_std(&segments) {
            [name] => self.lower_fn_call(name, call, at),
            [ty, method] if Scalar::from_name(ty).is_some() => {
                self.lower_path_builtin(ty, method, call, at)
            }
            _ if segments.last().is_some_and(|s| s == "prange") => self.misplaced_prange(at),
            _ => self.fail(Diagnostic::new(
                node_span(&call.func),
                format!("cannot find function `{}` in kernels", segments.join("::")),
            )),
        }
    }

    fn misplaced_prange(&mut self, at: Span) -> ExprId {
        self.fail(
            Diagnostic::new(at, "`prange` is only allowed as the range of a `for` loop")
                .with_help("write `for i in prange(a..b) { … }`"),
        )
    }

    /// `f(x, …)` of a `fn` of the same source.
    fn lower_fn_call(&mut self, name: &str, call: &syn::ExprCall, at: Span) -> ExprId {
        match name {
            "prange" => return self.misplaced_prange(at),
            "Axis" => {
                return self.fail(Diagnostic::new(
                    at,
                    "`Axis(k)` is only allowed in `a.len_of(Axis(k))`",
                ))
            }
            _ => {}
        }
        let args: Vec<ExprId> = call
            .args
            .iter()
            .map(|arg| self.lower_call_arg(arg))
            .collect();
        let Some(index) = self.file.find_fn(name) else {
            let diagnostic = Diagnostic::new(
                node_span(&call.func),
                format!("cannot find function `{name}` in this scope"),
            );
            let names = self.file.fns.iter().map(|f| f.name.as_str());
            let diagnostic = match closest(name, names) {
                Some(similar) => diagnostic.with_help(format!(
                    "a function with a similar name exists: `{similar}`"
                )),
                None => diagnostic,
            };
            return self.fail(diagnostic);
        };
        let arity = self.file.fns[index].arity;
        if arity != args.len() {
            self.error(arity_error(at, "function", arity, args.len()));
        }
        self.push(Expr::Call(FuncId(index as u32), args), at)
    }

    /// A call argument: arrays may be passed as `a`, `&a`, `&mut a`, `a.view()`, `a.view_mut()`.
    fn lower_call_arg(&mut self, arg: &syn::Expr) -> ExprId {
        let at = node_span(arg);
        if let syn::Expr::Reference(reference) = arg {
            if let Some(view) = self.lower_slice_reference(reference) {
                return view;
            }
        }
        let named = match arg {
            syn::Expr::Reference(reference) => match plain_name(&reference.expr) {
                Some(name) => Some(name),
                None => {
                    return self.fail(
                        Diagnostic::new(at, "only a local array name can be passed by reference")
                            .with_help("pass `a`, `&a`, `&mut a`, `a.view()` or `a.view_mut()`"),
                    )
                }
            },
            syn::Expr::MethodCall(call)
                if (call.method == "view" || call.method == "view_mut") && call.args.is_empty() =>
            {
                plain_name(&call.receiver)
            }
            _ => None,
        };
        match named {
            Some(name) => match self.lookup(&name) {
                Some(local) => self.push(Expr::Local(local), at),
                None => self.fail(self.unknown_value(&name, at)),
            },
            None => self.lower_expr(arg),
        }
    }

    /// `f64::sqrt(x)`, `f64::max(a, b)`: the builtin with the first argument as receiver.
    fn lower_path_builtin(
        &mut self,
        ty: &str,
        method: &str,
        call: &syn::ExprCall,
        at: Span,
    ) -> ExprId {
        let args: Vec<ExprId> = call.args.iter().map(|arg| self.lower_expr(arg)).collect();
        let Some(builtin) = Builtin::from_name(method) else {
            let diagnostic = Diagnostic::new(
                node_span(&call.func),
                format!(
                    "no function or associated item named `{method}` found for `{ty}` in kernels"
                ),
            );
            let diagnostic = match closest(method, Builtin::ALL.iter().map(|b| b.name())) {
                Some(similar) => diagnostic.with_help(format!(
                    "there is a function with a similar name: `{ty}::{similar}`"
                )),
                None => diagnostic,
            };
            return self.fail(diagnostic);
        };
        if builtin.arity() != args.len() {
            self.error(arity_error(at, "function", builtin.arity(), args.len()));
        }
        self.push(Expr::Builtin(builtin, args), at)
    }

    fn lower_method_call(&mut self, call: &syn::ExprMethodCall) -> ExprId {
        let method = call.method.to_string();
        if let Some(turbofish) = &call.turbofish {
            self.error(Diagnostic::new(
                node_span(turbofish),
                "generic arguments on methods are not supported in kernels",
            ));
        }
        if let Some(view) = self.lower_view_method(call) {
            return view;
        }
        match (method.as_str(), call.args.len()) {
            ("len", 0) | ("nrows", 0) | ("ncols", 0) | ("len_of", 1) => {
                self.lower_array_query(call, &method)
            }
            ("shape" | "dim" | "view" | "view_mut" | "rev" | "step_by", _) => {
                self.misplaced_method(call, &method)
            }
            _ => self.lower_builtin_method(call, &method),
        }
    }

    /// `a.len()`, `a.nrows()`, `a.ncols()`, `a.len_of(Axis(k))`.
    fn lower_array_query(&mut self, call: &syn::ExprMethodCall, method: &str) -> ExprId {
        let at = self.method_span(call);
        let array = self.array_receiver(&call.receiver, method);
        let expr = match method {
            "len" => array.map(Expr::Len),
            "nrows" => array.map(|a| Expr::Dim(a, 0)),
            "ncols" => array.map(|a| Expr::Dim(a, 1)),
            _ => match call.args.first().map(axis_call) {
                Some(Ok(axis)) => array.map(|a| Expr::Dim(a, axis)),
                Some(Err(diagnostic)) => return self.fail(diagnostic),
                None => None,
            },
        };
        match expr {
            Some(expr) => self.push(expr, at),
            None => self.dummy(at),
        }
    }

    fn method_span(&self, call: &syn::ExprMethodCall) -> Span {
        node_span(&call.receiver).to(span(call.paren_token.span.close()))
    }

    fn misplaced_method(&mut self, call: &syn::ExprMethodCall, method: &str) -> ExprId {
        let at = self.method_span(call);
        let (message, help) = match method {
            "shape" => (
                "`a.shape()` is only supported indexed by a constant",
                "write `a.shape()[k]`",
            ),
            "dim" => (
                "`a.dim()` is only supported destructured by `let`",
                "write `let (n, m) = a.dim();`",
            ),
            "view" | "view_mut" => (
                "array views are only allowed as call arguments",
                "pass `a.view()` directly to a function",
            ),
            _ => (
                "`.rev()` and `.step_by(s)` are only supported on the range of a `for` loop",
                "write `for i in (a..b).rev() { … }`",
            ),
        };
        self.fail(Diagnostic::new(at, message).with_help(help))
    }

    /// `x.sqrt()`, `x.max(y)`, `x.mul_add(a, b)`: receiver first.
    fn lower_builtin_method(&mut self, call: &syn::ExprMethodCall, method: &str) -> ExprId {
        let receiver = self.lower_expr(&call.receiver);
        let mut args = vec![receiver];
        args.extend(call.args.iter().map(|arg| self.lower_expr(arg)));
        let at = self
            .outer_span(&call.receiver, receiver)
            .to(span(call.paren_token.span.close()));
        let Some(builtin) = Builtin::from_name(method) else {
            let diagnostic = Diagnostic::new(
                span(call.method.span()),
                format!("no method named `{method}` found in kernels"),
            );
            let names = Builtin::ALL.iter().map(|b| b.name()).chain(ARRAY_METHODS);
            let diagnostic = match closest(method, names) {
                Some(similar) => diagnostic.with_help(format!(
                    "there is a method with a similar name: `{similar}`"
                )),
                None => diagnostic,
            };
            return self.fail(diagnostic);
        };
        if builtin.arity() != args.len() {
            self.error(arity_error(
                at,
                "method",
                builtin.arity() - 1,
                args.len() - 1,
            ));
        }
        self.push(Expr::Builtin(builtin, args), at)
    }

    fn lower_if(&mut self, expr: &syn::ExprIf) -> ExprId {
        let cond = match &*expr.cond {
            syn::Expr::Let(let_expr) => self.fail(Diagnostic::new(
                span(expr.if_token.span).to(span(let_expr.let_token.span)),
                "`if let` is not supported in kernels",
            )),
            cond => self.lower_expr(cond),
        };
        let then_block = self.lower_block(&expr.then_branch);
        let mut end = span(expr.then_branch.brace_token.span.close());
        let else_block = match expr.else_branch.as_ref().map(|(_, e)| &**e) {
            None => None,
            Some(syn::Expr::Block(block)) if block.label.is_none() => {
                end = span(block.block.brace_token.span.close());
                Some(self.lower_block(&block.block))
            }
            Some(other) => {
                // `else if …`: the nested `if` is the else block's tail.
                let tail = self.lower_expr(other);
                end = self.expr_span(tail);
                Some(Block {
                    stmts: Vec::new(),
                    tail: Some(tail),
                })
            }
        };
        let at = span(expr.if_token.span).to(end);
        self.push(
            Expr::If {
                cond,
                then_block,
                else_block,
            },
            at,
        )
    }

    fn lower_block_expr(&mut self, block: &syn::ExprBlock) -> ExprId {
        let at = span(block.block.brace_token.span.join());
        if let Some(label) = &block.label {
            self.error(
                Diagnostic::new(
                    span(label.name.span()),
                    "labelled blocks are not supported in kernels",
                )
                .with_help("use a labelled `loop` with `break 'label value`"),
            );
        }
        let body = self.lower_block(&block.block);
        self.push(Expr::Block(body), at)
    }
}

/// The value of a literal, with the minus folded in when `negative`.
pub(super) fn literal(
    lit: &syn::Lit,
    negative: bool,
    at: Span,
) -> Result<(Lit, Option<Scalar>), Diagnostic> {
    let unsupported = |what: &str| {
        Err(Diagnostic::new(
            at,
            format!("{what} are not supported in kernels"),
        ))
    };
    // A literal token may carry its own minus (`-1` in a pattern).
    match lit {
        syn::Lit::Int(int) => {
            let (digits, negative) = strip_minus(int.base10_digits(), negative);
            int_literal(digits, int.suffix(), negative, at)
        }
        syn::Lit::Float(float) => {
            let (digits, negative) = strip_minus(float.base10_digits(), negative);
            float_literal(digits, float.suffix(), negative, at)
        }
        syn::Lit::Bool(b) => Ok((Lit::Bool(b.value), Some(Scalar::Bool))),
        syn::Lit::Str(_) => unsupported("string literals"),
        syn::Lit::ByteStr(_) => unsupported("byte string literals"),
        syn::Lit::CStr(_) => unsupported("C string literals"),
        syn::Lit::Byte(_) => unsupported("byte literals"),
        syn::Lit::Char(_) => unsupported("character literals"),
        _ => unsupported("these literals"),
    }
}

/// The digits without a leading minus, and whether the literal is negative.
fn strip_minus(digits: &str, negative: bool) -> (&str, bool) {
    match digits.strip_prefix('-') {
        Some(rest) => (rest, !negative),
        None => (digits, negative),
    }
}

fn int_literal(
    digits: &str,
    suffix: &str,
    negative: bool,
    at: Span,
) -> Result<(Lit, Option<Scalar>), Diagnostic> {
    let suffix_type = match suffix {
        "" => None,
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "f32" | "f64" => {
            Scalar::from_name(suffix)
        }
        other => {
            return Err(Diagnostic::new(
                at,
                format!("integer suffix `{other}` is not supported in kernels"),
            )
            .with_help(SUPPORTED_SUFFIXES))
        }
    };
    if let Some(float) = suffix_type.filter(|s| s.is_float()) {
        // `1f64` is a float literal written without a decimal point.
        return float_literal(digits, float.name(), negative, at);
    }
    let too_large = || {
        Diagnostic::new(at, "integer literal is too large")
            .with_help("the largest integer type in kernels is 64 bits wide")
    };
    let magnitude: u128 = digits.parse().map_err(|_| too_large())?;
    let value = if negative {
        0i128
            .checked_sub_unsigned(magnitude)
            .ok_or_else(too_large)?
    } else {
        i128::try_from(magnitude).map_err(|_| too_large())?
    };
    Ok((Lit::Int(value), suffix_type))
}

fn float_literal(
    digits: &str,
    suffix: &str,
    negative: bool,
    at: Span,
) -> Result<(Lit, Option<Scalar>), Diagnostic> {
    let (value, suffix_type) = match suffix {
        "" | "f64" => (
            digits.parse::<f64>().ok(),
            (!suffix.is_empty()).then_some(Scalar::F64),
        ),
        // Parsed as f32 directly: correctly rounded from the text, then widened exactly.
        "f32" => (digits.parse::<f32>().ok().map(f64::from), Some(Scalar::F32)),
        other => {
            return Err(Diagnostic::new(
                at,
                format!("float suffix `{other}` is not supported in kernels"),
            )
            .with_help(SUPPORTED_SUFFIXES))
        }
    };
    match value {
        Some(value) if value.is_finite() => Ok((
            Lit::Float(if negative { -value } else { value }),
            suffix_type,
        )),
        _ => Err(Diagnostic::new(
            at,
            format!(
                "float literal out of range for `{}`",
                suffix_type.unwrap_or(Scalar::F64)
            ),
        )
        .with_help("use `f64::INFINITY` for an infinite value")),
    }
}

/// A fixed array length that cannot be used: the diagnostic, and the length lowering goes on
/// with so that the array is still an array to the checker (its function has failed, so no
/// backend ever sees it).
pub(super) struct BadLen {
    pub(super) diagnostic: Box<Diagnostic>,
    /// The written number when there is one that fits, else 0.
    pub(super) recovered: u32,
}

/// `[T; N]` and `[x; N]`: N must be an integer literal or a `usize` constant of at most
/// [`MAX_FIXED_LEN`].
pub(super) fn fixed_len(len: &syn::Expr, consts: &ConstItems) -> Result<u32, BadLen> {
    let at = node_span(len);
    if let Some((Lit::Int(n), Scalar::Usize)) = plain_name(len).and_then(|name| consts.get(&name)) {
        return match u32::try_from(n) {
            Ok(n) if n <= MAX_FIXED_LEN => Ok(n),
            _ => Err(BadLen {
                diagnostic: Box::new(too_long_array(at)),
                recovered: 0,
            }),
        };
    }
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Int(int),
        ..
    }) = len
    else {
        return Err(BadLen {
            diagnostic: Box::new(
                Diagnostic::new(
                    at,
                    "the length of a fixed array must be an integer literal or a `usize` constant",
                )
                .with_help("for a length known only at run time, pass an array parameter"),
            ),
            recovered: 0,
        });
    };
    match int.base10_parse::<u64>() {
        Ok(n) if n <= u64::from(MAX_FIXED_LEN) => Ok(n as u32),
        written => Err(BadLen {
            diagnostic: Box::new(too_long_array(at)),
            recovered: written
                .ok()
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0),
        }),
    }
}

fn too_long_array(at: Span) -> Diagnostic {
    Diagnostic::new(at, "fixed arrays are limited to 4096 elements")
        .with_help("pass a larger buffer as an array parameter")
}

/// An axis number written as an integer literal.
fn axis_literal(expr: &syn::Expr) -> Result<u32, Diagnostic> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        }) => int
            .base10_parse::<u32>()
            .map_err(|_| Diagnostic::new(node_span(expr), "axis number out of range")),
        _ => Err(
            Diagnostic::new(node_span(expr), "the axis must be an integer literal")
                .with_help("write `a.shape()[0]` or `a.len_of(Axis(1))`"),
        ),
    }
}

/// `Axis(k)` or `ndarray::Axis(k)`.
fn axis_call(expr: &syn::Expr) -> Result<u32, Diagnostic> {
    let bad = || {
        Diagnostic::new(
            node_span(expr),
            "expected `Axis(k)` with an integer literal `k`",
        )
    };
    let syn::Expr::Call(call) = expr else {
        return Err(bad());
    };
    let is_axis = matches!(&*call.func, syn::Expr::Path(path) if path.qself.is_none()
        && path.path.segments.last().is_some_and(|s| s.ident == "Axis"));
    match (is_axis, call.args.len(), call.args.first()) {
        (true, 1, Some(arg)) => axis_literal(arg),
        _ => Err(bad()),
    }
}

/// The segments of a path without generic arguments.
fn plain_segments(path: &syn::ExprPath) -> Option<Vec<String>> {
    if path.qself.is_some() || path.path.leading_colon.is_some() {
        return None;
    }
    path.path
        .segments
        .iter()
        .map(|s| s.arguments.is_none().then(|| s.ident.to_string()))
        .collect()
}

/// `x` for a single-name path expression.
fn plain_name(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Path(path) if path.qself.is_none() => {
            path.path.get_ident().map(|i| i.to_string())
        }
        syn::Expr::Paren(paren) => plain_name(&paren.expr),
        _ => None,
    }
}

/// Arithmetic/bitwise/comparison operators, or `&&`/`||`.
fn binary_op(op: &syn::BinOp) -> Result<BinOp, LogicOp> {
    Ok(match op {
        syn::BinOp::Add(_) => BinOp::Add,
        syn::BinOp::Sub(_) => BinOp::Sub,
        syn::BinOp::Mul(_) => BinOp::Mul,
        syn::BinOp::Div(_) => BinOp::Div,
        syn::BinOp::Rem(_) => BinOp::Rem,
        syn::BinOp::BitAnd(_) => BinOp::BitAnd,
        syn::BinOp::BitOr(_) => BinOp::BitOr,
        syn::BinOp::BitXor(_) => BinOp::BitXor,
        syn::BinOp::Shl(_) => BinOp::Shl,
        syn::BinOp::Shr(_) => BinOp::Shr,
        syn::BinOp::Eq(_) => BinOp::Eq,
        syn::BinOp::Ne(_) => BinOp::Ne,
        syn::BinOp::Lt(_) => BinOp::Lt,
        syn::BinOp::Le(_) => BinOp::Le,
        syn::BinOp::Gt(_) => BinOp::Gt,
        syn::BinOp::Ge(_) => BinOp::Ge,
        syn::BinOp::Or(_) => return Err(LogicOp::Or),
        // `&&` and the compound assignments (filtered out by the caller).
        _ => return Err(LogicOp::And),
    })
}

pub(super) fn arity_error(at: Span, what: &str, expected: usize, got: usize) -> Diagnostic {
    let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
    let verb = if got == 1 { "was" } else { "were" };
    Diagnostic::new(
        at,
        format!(
            "this {what} takes {expected} {} but {got} {} {verb} supplied",
            plural(expected),
            plural(got)
        ),
    )
}

/// The diagnostic naming an expression form outside the language.
fn unsupported_expr(expr: &syn::Expr) -> Diagnostic {
    let (what, help) = match expr {
        syn::Expr::Array(_) | syn::Expr::Repeat(_) => (
            "fixed arrays are only allowed as the initialiser of a `let`",
            Some("write `let v = [a, b, c];` or `let v = [0.0; 8];`"),
        ),
        syn::Expr::Range(_) => (
            "ranges are only supported as the bounds of a `for` loop",
            None,
        ),
        syn::Expr::Reference(_) => (
            "references are only allowed as call arguments",
            Some("kernels have no references; pass arrays to functions as `a`, `&a` or `&mut a`"),
        ),
        syn::Expr::Closure(_) => (
            "closures are not supported in kernels",
            Some("write a separate `fn`"),
        ),
        syn::Expr::Struct(_) => ("struct literals are not supported in kernels", None),
        syn::Expr::Tuple(_) => ("`()` is not a value in kernels", None),
        syn::Expr::Try(_) => ("the `?` operator is not supported in kernels", None),
        syn::Expr::Unsafe(_) => ("`unsafe` blocks are not supported in kernels", None),
        syn::Expr::Async(_) => ("`async` blocks are not supported in kernels", None),
        syn::Expr::Await(_) => ("`.await` is not supported in kernels", None),
        syn::Expr::Let(_) => ("`let` expressions are not supported in kernels", None),
        syn::Expr::Const(_) => ("`const` blocks are not supported in kernels", None),
        syn::Expr::Infer(_) => ("`_` is not an expression in kernels", None),
        syn::Expr::RawAddr(_) => ("raw pointers are not supported in kernels", None),
        syn::Expr::TryBlock(_) => ("`try` blocks are not supported in kernels", None),
        syn::Expr::Yield(_) => ("`yield` is not supported in kernels", None),
        _ => ("this expression is not supported in kernels", None),
    };
    let diagnostic = Diagnostic::new(node_span(expr), what);
    match help {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}
