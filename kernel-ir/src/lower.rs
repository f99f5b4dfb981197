//! Lowering: kernel source text → lowered IR [`Function`]s, or diagnostics.
//!
//! The pass parses with `syn`, then walks each `fn` item once: it resolves names with block
//! scoping and shadowing (every `let` is a new local), resolves loop labels, calls, methods and
//! constant paths, and rejects everything outside the kernel language with a diagnostic that names
//! the construct. Types are only recorded where the source wrote them; inference is `check`'s job.
//!
//! **Invariant:** no input panics or overflows the stack. A pre-scan ([`scan`]) bounds bracket
//! nesting and operator chains before `syn` sees the text, lowering stops descending past
//! [`MAX_DEPTH`] nested expressions, and flat binary chains are lowered iteratively.
//!
//! After an error the pass keeps going (a bad expression becomes a dummy `0` literal) so that
//! every error of a function is reported; the function is then marked not ok.

mod alloc;
mod const_items;
mod consts;
mod expr;
mod items;
mod matching;
mod print;
mod scan;
mod stmt;
mod suggest;
#[cfg(test)]
mod tests;
mod tuples;
mod view;

use crate::diag::{Diagnostic, Span};
use crate::ir::{Expr, ExprId, Function, Lit, Local, LocalId, LoopId, LoopInfo};

use consts::Imports;

/// Deepest nesting of expressions inside expressions that lowering descends into.
const MAX_DEPTH: usize = 128;

/// The result of lowering one source.
#[derive(Debug)]
pub(crate) struct Lowered {
    /// One per `fn` item, in source order (the index is the `FuncId` used by `Expr::Call` in
    /// lowered functions). Bodies of functions with errors may be partial.
    pub functions: Vec<Function>,
    /// `body_ok[i]` is false when lowering function i produced a diagnostic.
    pub body_ok: Vec<bool>,
    pub diagnostics: Vec<Diagnostic>,
    /// The `const` items that evaluated, in source order.
    pub constants: Vec<(String, Lit, crate::types::Scalar)>,
}

impl Lowered {
    fn failed(diagnostic: Diagnostic) -> Lowered {
        Lowered {
            functions: Vec::new(),
            body_ok: Vec::new(),
            constants: Vec::new(),
            diagnostics: vec![diagnostic],
        }
    }
}

/// Parses and lowers a kernel source.
pub(crate) fn lower_source(source: &str) -> Lowered {
    let lowered = parse_and_lower(source);
    // Spans live in a thread-local source map that grows with every parse; all spans have been
    // converted to `Span` values by now, so the map can be emptied.
    proc_macro2::extra::invalidate_current_thread_spans();
    lowered
}

fn parse_and_lower(source: &str) -> Lowered {
    if let Some(diagnostic) = scan::prescan(source) {
        return Lowered::failed(diagnostic);
    }
    match syn::parse_file(source) {
        Ok(file) => items::lower_file(source, &file),
        Err(error) => Lowered::failed(Diagnostic::new(span(error.span()), error.to_string())),
    }
}

/// Converts a `proc_macro2` span (with `span-locations`) to ours.
pub(super) fn span(span: proc_macro2::Span) -> Span {
    let range = span.byte_range();
    let start = span.start();
    Span {
        lo: range.start as u32,
        hi: range.end as u32,
        line: start.line as u32,
        col: start.column as u32 + 1,
    }
}

/// The span of any syntax node. Costs a walk over the node's tokens, so hot paths build spans
/// from their children's instead.
pub(super) fn node_span(node: &impl syn::spanned::Spanned) -> Span {
    span(node.span())
}

/// What a loop is, for the rules on `break value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LoopKind {
    Loop,
    While,
    For,
}

/// One `fn` of the source as seen by callers.
#[derive(Clone, Debug)]
pub(super) struct FnSig {
    pub name: String,
    pub arity: usize,
}

/// Per-source state shared by every function.
#[derive(Debug)]
pub(super) struct FileCx<'a> {
    pub(super) source: &'a str,
    /// Every `fn` item in source order; the index is the `FuncId`.
    pub(super) fns: Vec<FnSig>,
    pub(super) imports: Imports,
    /// The source's `const` items, evaluated.
    pub(super) consts: const_items::ConstItems,
}

impl FileCx<'_> {
    /// The first `fn` with this name.
    pub(super) fn find_fn(&self, name: &str) -> Option<usize> {
        self.fns.iter().position(|f| f.name == name)
    }
}

/// The state of lowering one function.
#[derive(Debug)]
pub(super) struct FnCx<'a> {
    pub(super) file: &'a FileCx<'a>,
    pub(super) func: Function,
    /// Innermost scope last; each maps a name to the local it currently means.
    pub(super) scopes: Vec<Vec<(String, LocalId)>>,
    /// Enclosing loops, innermost last.
    pub(super) loop_stack: Vec<(LoopId, LoopKind)>,
    pub(super) diagnostics: Vec<Diagnostic>,
    /// Locals that may not be assigned: parameters and `let`s without `mut` that have an
    /// initialiser, and loop variables.
    pub(super) frozen: Vec<bool>,
    /// Imports made by `use` items inside the body.
    pub(super) imports: Option<Imports>,
    depth: usize,
    reported_too_deep: bool,
}

impl<'a> FnCx<'a> {
    pub(super) fn new(file: &'a FileCx<'a>, func: Function) -> FnCx<'a> {
        FnCx {
            file,
            func,
            scopes: vec![Vec::new()],
            loop_stack: Vec::new(),
            diagnostics: Vec::new(),
            frozen: Vec::new(),
            imports: None,
            depth: 0,
            reported_too_deep: false,
        }
    }

    /// Records a diagnostic; the function will be marked not ok.
    pub(super) fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Adds an expression with its span; the only way expressions enter the arena, so `exprs` and
    /// `expr_spans` stay parallel.
    pub(super) fn push(&mut self, expr: Expr, span: Span) -> ExprId {
        let id = ExprId(self.func.exprs.len() as u32);
        self.func.exprs.push(expr);
        self.func.expr_spans.push(span);
        id
    }

    /// A stand-in for an expression that could not be lowered.
    pub(super) fn dummy(&mut self, span: Span) -> ExprId {
        self.push(Expr::Lit(Lit::Int(0), None), span)
    }

    /// Reports `diagnostic` and returns a dummy expression at its span.
    pub(super) fn fail(&mut self, diagnostic: Diagnostic) -> ExprId {
        let span = diagnostic.span;
        self.error(diagnostic);
        self.dummy(span)
    }

    pub(super) fn expr_span(&self, id: ExprId) -> Span {
        self.func.expr_spans[id.index()]
    }

    /// Declares a new local in the innermost scope (shadowing any earlier one of that name).
    pub(super) fn declare(&mut self, local: Local, frozen: bool) -> LocalId {
        let id = LocalId(self.func.locals.len() as u32);
        if local.name != "_" {
            if let Some(scope) = self.scopes.last_mut() {
                scope.push((local.name.clone(), id));
            }
        }
        self.func.locals.push(local);
        self.frozen.push(frozen);
        id
    }

    pub(super) fn lookup(&self, name: &str) -> Option<LocalId> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|scope| scope.iter().rev())
            .find(|(n, _)| n == name)
            .map(|(_, id)| *id)
    }

    /// Names of the locals in scope (for suggestions).
    pub(super) fn local_names(&self) -> Vec<String> {
        self.scopes
            .iter()
            .flat_map(|scope| scope.iter().map(|(n, _)| n.clone()))
            .collect()
    }

    /// Runs `f` inside a new block scope.
    pub(super) fn scoped<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.scopes.push(Vec::new());
        let result = f(self);
        self.scopes.pop();
        result
    }

    pub(super) fn new_loop(&mut self, label: Option<String>, span: Span) -> LoopId {
        let id = LoopId(self.func.loops.len() as u32);
        self.func.loops.push(LoopInfo {
            label,
            span,
            reductions: Vec::new(),
            array_reductions: Vec::new(),
            lanes: None,
        });
        id
    }

    /// Runs `f` with the loop `id` innermost.
    pub(super) fn in_loop<T>(
        &mut self,
        id: LoopId,
        kind: LoopKind,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        self.loop_stack.push((id, kind));
        let result = f(self);
        self.loop_stack.pop();
        result
    }

    /// Enters one level of expression nesting; false (after one diagnostic per function) when
    /// the nesting is too deep to descend further.
    pub(super) fn enter(&mut self, span: impl FnOnce() -> Span) -> bool {
        self.depth += 1;
        if self.depth <= MAX_DEPTH {
            return true;
        }
        self.depth -= 1;
        // One report per function: every deeper sibling is the same problem.
        if !self.reported_too_deep {
            self.reported_too_deep = true;
            self.error(
                Diagnostic::new(span(), "expression nested too deeply")
                    .with_help("split the expression into several `let` statements"),
            );
        }
        false
    }

    pub(super) fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Resolves a constant path: imports from the body first, then the source's `const` items,
    /// then its `use` items.
    pub(super) fn resolve_const(
        &self,
        segments: &[String],
    ) -> Option<(Lit, Option<crate::types::Scalar>)> {
        let item = || match segments {
            [name] => self
                .file
                .consts
                .get(name)
                .map(|(value, ty)| (value, Some(ty))),
            _ => None,
        };
        self.imports
            .as_ref()
            .and_then(|imports| imports.resolve(segments))
            .or_else(item)
            .or_else(|| self.file.imports.resolve(segments))
    }

    pub(super) fn finish(self) -> (Function, Vec<Diagnostic>) {
        (self.func, self.diagnostics)
    }
}
