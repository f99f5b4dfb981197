//! The type checker: whole-function inference of locals and literals, then the checked IR.
//!
//! One walk over the lowered function gives every expression and scalar local a type variable
//! and unifies them as the language's rules say (`infer`); `finish` then fixes every variable
//! (open literals take their default), range-checks literals, and writes the concrete types
//! into a copy of the function. All errors of a function are collected; the first one does not
//! stop the walk.
//!
//! `lint` then reads a checked function for warnings: code that is well-typed but almost
//! certainly a mistake (a comparison always true or false for its type).
//!
//! **Invariant:** a function that passes `check_function` satisfies every typing rule written
//! on the `ir::Expr` variants, so backends never re-check types.

mod alloc;
mod expr;
mod finish;
mod infer;
mod lint;
mod matches;
mod parallel;
mod print;
mod stmt;
mod tuples;
mod view;

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::diag::{Diagnostic, Span};
use crate::ir::{ExprId, FuncId, Function, LocalId};
use crate::program::Program;
use crate::types::{ArrayType, TupleType, Type};

use infer::{Described, Mask, VarId, Vars};
pub(crate) use lint::warnings;

/// Checks template `template` of `program` with the given parameter types (`None` never
/// reaches here for a parameter: generic parameters arrive with their instantiated types).
pub(crate) fn check_function(
    program: &mut Program,
    template: usize,
    param_types: &[Option<Type>],
) -> Result<Function, Vec<Diagnostic>> {
    let function = Rc::new(program.template_at(template).clone());
    let source = program.source().clone();
    let mut checker = Checker::new(program, function, source, param_types);
    checker.check_body();
    checker.finish()
}

/// What the checker knows of a local.
#[derive(Clone, Copy, Debug)]
enum LocalTy {
    /// Not declared yet (lowering guarantees uses come after declarations).
    Pending,
    Scalar(VarId),
    Array(ArrayType),
    Fixed {
        elem: VarId,
        len: u32,
    },
    /// An array the function owns: bound to an allocation or to a call returning an array.
    Owned {
        elem: VarId,
        rank: u8,
    },
    /// A tuple local: bound to a call returning a tuple (or to another tuple local).
    Tuple(TupleType),
}

struct Checker<'p> {
    program: &'p mut Program,
    f: Rc<Function>,
    source: std::sync::Arc<str>,
    vars: Vars,
    expr_vars: Vec<Option<VarId>>,
    locals: Vec<LocalTy>,
    /// The value type of each `loop` (None for `while`/`for`), and whether anything breaks it.
    loop_vars: Vec<Option<VarId>>,
    loop_broken: Vec<bool>,
    ret: VarId,
    /// Checked callee of each call expression.
    call_targets: HashMap<ExprId, FuncId>,
    /// Array locals passed whole to a call or returned (their expression's type is the
    /// array's type).
    array_args: Vec<(ExprId, LocalId)>,
    /// Tuple-typed expressions in a place that takes a tuple (see `tuples`).
    tuple_uses: HashSet<ExprId>,
    /// Allocations: the expression, its element variable and its rank.
    allocs: Vec<(ExprId, VarId, u8)>,
    /// Views (`Expr::View`) and their types.
    views: Vec<(ExprId, ArrayType)>,
    /// Array locals the body writes through (directly or by passing to a writable parameter).
    written: HashSet<LocalId>,
    /// `_` array parameters, provisionally writable until `written` says otherwise.
    generic_array_params: HashSet<LocalId>,
    diagnostics: Vec<Diagnostic>,
}

impl<'p> Checker<'p> {
    fn new(
        program: &'p mut Program,
        f: Rc<Function>,
        source: std::sync::Arc<str>,
        param_types: &[Option<Type>],
    ) -> Checker<'p> {
        let mut vars = Vars::default();
        let ret = match f.ret_annot {
            crate::ir::Annot::Known(ty) => vars.known(ty),
            crate::ir::Annot::Infer => vars.fresh(Mask::ANY, false),
        };
        let mut checker = Checker {
            program,
            expr_vars: vec![None; f.exprs.len()],
            locals: vec![LocalTy::Pending; f.locals.len()],
            loop_vars: vec![None; f.loops.len()],
            loop_broken: vec![false; f.loops.len()],
            f,
            source,
            vars,
            ret,
            call_targets: HashMap::new(),
            array_args: Vec::new(),
            allocs: Vec::new(),
            views: Vec::new(),
            tuple_uses: HashSet::new(),
            written: HashSet::new(),
            generic_array_params: HashSet::new(),
            diagnostics: Vec::new(),
        };
        checker.declare_params(param_types);
        checker
    }

    fn declare_params(&mut self, param_types: &[Option<Type>]) {
        let f = self.f.clone();
        for (index, param) in f.params.iter().enumerate() {
            let ty = param_types
                .get(index)
                .copied()
                .flatten()
                .unwrap_or(Type::Unit);
            if f.local(*param).annot == Some(crate::ir::Annot::Infer) && ty.is_array() {
                self.generic_array_params.insert(*param);
            }
            self.locals[param.index()] = match ty {
                Type::Array(array) => LocalTy::Array(array),
                Type::Fixed { elem, len } => LocalTy::Fixed {
                    elem: self.vars.known(Type::Scalar(elem)),
                    len,
                },
                other => LocalTy::Scalar(self.vars.known(other)),
            };
        }
    }

    fn check_body(&mut self) {
        let f = self.f.clone();
        if let Some(array) = self.returned_array() {
            return self.check_body_returning_array(array);
        }
        if let Some(tuple) = self.returned_tuple() {
            return self.check_body_returning_tuple(tuple);
        }
        let body = self.check_block(&f.body);
        if let Err(mismatch) = self.vars.unify(self.ret, body) {
            let span = f.body.tail.map(|t| f.span(t)).unwrap_or(f.span);
            let mut diagnostic = Diagnostic::new(
                span,
                format!(
                    "mismatched types: `{}` returns `{}` but its body has type `{}`",
                    f.name, mismatch.expected, mismatch.found
                ),
            );
            if tuples::is_tuple(mismatch.found) {
                diagnostic = diagnostic.with_help(tuples::TUPLE_HELP);
            }
            if f.body.tail.is_none() {
                diagnostic = diagnostic
                    .with_label("the body has no tail expression")
                    .with_help("end the body with the value to return, or use `return value;`");
            }
            self.diagnostics.push(diagnostic);
        }
    }

    fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// The source text of a span, for help lines.
    fn text(&self, span: Span) -> Option<&str> {
        self.source
            .get(span.lo as usize..span.hi as usize)
            .filter(|t| !t.is_empty() && t.len() <= 60 && !t.contains('\n'))
    }

    /// Unifies, reporting a mismatch at `span` (the place of the found value).
    fn expect(&mut self, expected: VarId, found: VarId, span: Span) {
        if let Err(mismatch) = self.vars.unify(expected, found) {
            let diagnostic = self.mismatch_diagnostic(mismatch.expected, mismatch.found, span);
            self.error(diagnostic);
        }
    }

    fn mismatch_diagnostic(&self, expected: Described, found: Described, span: Span) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(
            span,
            format!("mismatched types: expected `{expected}`, found `{found}`"),
        )
        .with_label(format!("expected `{expected}`, found `{found}`"));
        if let Some(target) = expected.scalar() {
            if found.is_numeric() && target != crate::Scalar::Bool {
                let text = self.text(span).map(str::to_owned);
                let help = match text {
                    Some(text) if needs_parens(&text) => {
                        format!("convert with `as`: `({text}) as {target}`")
                    }
                    Some(text) => format!("convert with `as`: `{text} as {target}`"),
                    None => format!("convert the value with `as {target}`"),
                };
                diagnostic = diagnostic.with_help(help);
            }
        }
        if tuples::is_tuple(found) {
            diagnostic = diagnostic.with_help(tuples::TUPLE_HELP);
        }
        diagnostic
    }

    /// Restricts `v` to `mask`; on failure reports `message(found)` and returns false.
    fn require(
        &mut self,
        v: VarId,
        mask: Mask,
        message: impl FnOnce(Described) -> Diagnostic,
    ) -> bool {
        match self.vars.constrain(v, mask) {
            Ok(()) => true,
            Err(found) => {
                let diagnostic = message(found);
                self.error(diagnostic);
                false
            }
        }
    }

    /// The type of a scalar or tuple local, for messages.
    fn describe_value_local(&mut self, local: LocalId) -> Described {
        match self.locals[local.index()] {
            LocalTy::Scalar(v) => self.vars.describe(v),
            LocalTy::Tuple(tuple) => Described::Type(Type::Tuple(tuple)),
            _ => Described::Type(Type::Unit),
        }
    }

    fn bool_var(&mut self) -> VarId {
        self.vars.known(Type::Scalar(crate::Scalar::Bool))
    }

    fn unit_var(&mut self) -> VarId {
        self.vars.known(Type::Unit)
    }

    fn never_var(&mut self) -> VarId {
        self.vars.known(Type::Never)
    }
}

fn needs_parens(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(
            c,
            ' ' | '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<' | '>'
        )
    })
}
