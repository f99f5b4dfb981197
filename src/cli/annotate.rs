//! `kernelc explain FILE --annotate`: the source of every checked function, each line followed
//! by what it defines (inferred types of its locals) and what compiled code keeps on it — the
//! analogue of Cython's `-a` report.
//!
//! Per line: `let` and loop variables with their types (parameters on the `fn` line); every
//! array access with what the bounds analysis (`kernel_ir::analysis::bounds`, the one the JIT
//! and native code follow) decided for its check: **proven**, **implied** by an earlier check,
//! **hoisted** to a loop's entry (that loop's line then shows its range check), or **in loop**
//! / **checked**; integer `/` and `%` (zero and overflow checks); calls into libm (the shared
//! wrappers of `kernel_ir::semantics`); calls of other kernel functions. A line with a check or
//! call inside a loop is marked `+`, like Cython's yellow lines.
//!
//! Generic functions have no checked body until they are called, so only their source shows.

use super::error::CliError;
use super::{print_stdout, run::ensure_function, source};
use kernel_ir::analysis::bounds::{self, Access, BoundsTable, Check};
use kernel_ir::ir::walk::{walk_expr, walk_stmt, Visitor};
use kernel_ir::ir::{
    BinOp, Block, Builtin, Expr, ExprId, Function, LocalId, LoopId, Place, Range, ReduceOp, Stmt,
};
use kernel_ir::Type;
use kernel_runtime::{Backend, Module, Options};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

pub fn annotate(
    file: &Path,
    function: Option<&str>,
    reassociate: super::ReassociateArg,
) -> Result<(), CliError> {
    let source = source::read_source(file)?;
    let options = Options {
        backend: Backend::Interpreter,
        reassociate: reassociate.reassociate,
        ..Options::default()
    };
    let module = Module::compile_with(&source, options).map_err(CliError::Runtime)?;
    if let Some(name) = function {
        ensure_function(&module, name, file)?;
    }
    let compile_options = kernel_ir::CompileOptions {
        reassociate: reassociate.reassociate,

        ..Default::default()
    };
    let program = kernel_ir::compile_with(&source, compile_options).map_err(CliError::Compile)?;
    let lines: Vec<&str> = source.lines().collect();
    let mut out = String::new();
    for f in program.functions() {
        if function.is_some_and(|name| name != f.name) || f.expr_types.len() != f.exprs.len() {
            continue;
        }
        out.push_str(&render(f, program.functions(), &source, &lines));
        out.push('\n');
    }
    print_stdout(&out);
    Ok(())
}

/// One note on a line; `hot` when it costs something at run time inside a loop.
struct Note {
    text: String,
    hot: bool,
}

struct Annotator<'f> {
    f: &'f Function,
    /// Every checked function, for callee names.
    all: &'f [Function],
    /// The source text, for index expressions.
    source: &'f str,
    bounds: BoundsTable,
    /// Depth of enclosing loops of any kind.
    depth: usize,
    notes: BTreeMap<u32, Vec<Note>>,
}

fn render(f: &Function, all: &[Function], source: &str, lines: &[&str]) -> String {
    let mut a = Annotator {
        f,
        all,
        source,
        bounds: bounds::analyze(f),
        depth: 0,
        notes: BTreeMap::new(),
    };
    let params: Vec<String> = f
        .params
        .iter()
        .map(|p| format!("{}: {}", f.local(*p).name, f.local(*p).ty))
        .collect();
    a.note(f.span.line, format!("params {}", params.join(", ")), false);
    if f.ret != Type::Unit {
        a.note(f.span.line, format!("returns {}", f.ret), false);
    }
    a.visit_block(&f.body);
    let last = f
        .expr_spans
        .iter()
        .chain(f.locals.iter().map(|l| &l.span))
        .map(|s| s.line)
        .chain(a.notes.keys().copied())
        .max()
        .unwrap_or(f.span.line);
    let mut out = format!("; fn {}  (+ = a check or call inside a loop)\n", f.name);
    for line in f.span.line..=lines.len() as u32 {
        let notes = a.notes.get(&line).map(Vec::as_slice).unwrap_or(&[]);
        let text = lines.get((line as usize).wrapping_sub(1)).unwrap_or(&"");
        if line > last && text.trim() != "}" {
            break;
        }
        let mark = if notes.iter().any(|n| n.hot) {
            '+'
        } else {
            ' '
        };
        let _ = writeln!(out, "{mark}{line:>5} | {text}");
        for note in notes {
            let _ = writeln!(out, "       |     # {}", note.text);
        }
    }
    out
}

impl<'f> Visitor<'f> for Annotator<'f> {
    fn function(&self) -> &'f Function {
        self.f
    }

    fn visit_stmt(&mut self, stmt: &'f Stmt) {
        if let Stmt::Let { local, .. } = stmt {
            let l = self.f.local(*local);
            self.note(l.span.line, format!("let {}: {}", l.name, l.ty), false);
        }
        walk_stmt(self, stmt);
        if let Stmt::Assign {
            place, op, value, ..
        } = stmt
        {
            if let Place::Index {
                array,
                indices,
                span,
            } = place
            {
                self.access(Access::Write(*value), *array, indices, span.line);
            }
            if let (Some(op), Place::Local(local)) = (op, place) {
                let line = self.f.span(*value).line;
                self.division(*op, self.f.local(*local).ty, Some(*value), line);
            }
        }
    }

    fn visit_expr(&mut self, id: ExprId) {
        let line = self.f.span(id).line;
        match self.f.expr(id) {
            Expr::Binary(op, l, r) => {
                walk_expr(self, id);
                self.division(*op, self.f.ty(*l), Some(*r), line);
            }
            Expr::Index { array, indices } => {
                walk_expr(self, id);
                self.access(Access::Read(id), *array, indices, line);
            }
            Expr::Builtin(b, args) => {
                walk_expr(self, id);
                self.builtin(*b, args, line);
            }
            Expr::Call(callee, _) => {
                walk_expr(self, id);
                let hot = self.depth > 0;
                self.note(
                    line,
                    format!("call `{}`", self.callee_name(callee.index())),
                    hot,
                );
            }
            Expr::Loop { body, .. } => self.in_loop(body),
            Expr::While { cond, body, .. } => {
                self.depth += 1;
                self.visit_expr(*cond);
                self.depth -= 1;
                self.in_loop(body);
            }
            Expr::For {
                id,
                var,
                range,
                body,
                parallel,
            } => {
                self.range(range);
                let v = self.f.local(*var);
                self.note(v.span.line, format!("for {}: {}", v.name, v.ty), false);
                if *parallel {
                    let note = self.parallel_note(*id);
                    self.note(v.span.line, note, false);
                }
                self.guard(*id, v.span.line);
                self.in_loop(body);
            }
            _ => walk_expr(self, id),
        }
    }
}

impl<'f> Annotator<'f> {
    fn note(&mut self, line: u32, text: String, hot: bool) {
        self.notes.entry(line).or_default().push(Note { text, hot });
    }

    /// What a `prange` loop shares among threads: its reductions, combined in chunk order.
    fn parallel_note(&self, id: LoopId) -> String {
        let reductions: Vec<String> = self
            .f
            .loops
            .get(id.index())
            .map(|info| info.reductions.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|r| {
                let op = match r.op {
                    ReduceOp::Add => "+=",
                    ReduceOp::Mul => "*=",
                    ReduceOp::Min => "min",
                    ReduceOp::Max => "max",
                };
                format!("{} ({op})", self.f.local(r.local).name)
            })
            .collect();
        if reductions.is_empty() {
            "parallel loop (JIT and native): chunks on the thread pool, no reductions".to_string()
        } else {
            format!(
                "parallel loop (JIT and native): per-chunk partials of {}, combined in chunk order",
                reductions.join(", ")
            )
        }
    }

    fn range(&mut self, range: &Range) {
        self.visit_expr(range.start);
        self.visit_expr(range.end);
        if let Some(step) = range.step {
            self.visit_expr(step);
        }
    }

    fn in_loop(&mut self, body: &'f Block) {
        self.depth += 1;
        self.visit_block(body);
        self.depth -= 1;
    }

    /// The range check a versioned loop runs at its entry.
    fn guard(&mut self, id: LoopId, line: u32) {
        let forms: Vec<String> = self
            .bounds
            .guard(id)
            .iter()
            .map(|form| format!("{} >= 0", BoundsTable::form_text(self.f, form)))
            .collect();
        if !forms.is_empty() {
            let note = format!(
                "range check on entry: {} (then the loop runs without the checks hoisted here)",
                forms.join(" && ")
            );
            self.note(line, note, false);
        }
    }

    /// The bounds-check note of `array[indices]`: one verdict, or one per axis when they
    /// differ.
    fn access(&mut self, access: Access, array: LocalId, indices: &[ExprId], line: u32) {
        let name = &self.f.local(array).name;
        let checks: Vec<Check> = (0..indices.len())
            .map(|axis| self.bounds.check(access, axis))
            .collect();
        let in_place = checks.contains(&Check::InPlace);
        let text = if checks.windows(2).all(|w| w[0] == w[1]) {
            checks.first().map_or(String::new(), |c| self.verdict(*c))
        } else {
            let axes: Vec<String> = checks
                .iter()
                .enumerate()
                .map(|(axis, c)| format!("axis {axis} {}", self.verdict(*c)))
                .collect();
            axes.join(", ")
        };
        let subscript: Vec<&str> = indices.iter().map(|i| self.text(*i)).collect();
        let subscript = subscript.join(", ");
        let hot = in_place && self.depth > 0;
        self.note(
            line,
            format!("{name}[{subscript}]: bounds check {text}"),
            hot,
        );
    }

    fn verdict(&self, check: Check) -> String {
        match check {
            Check::Proven => "proven".to_string(),
            Check::Implied => "implied by an earlier check".to_string(),
            Check::Hoisted(loop_id) => {
                let line = self.f.loops.get(loop_id.index()).map_or(0, |l| l.span.line);
                format!("hoisted to the loop on line {line}")
            }
            Check::InPlace if self.depth > 0 => "in loop".to_string(),
            Check::InPlace => "at run time".to_string(),
        }
    }

    /// The source text of an expression (`_` when its span is not in the source).
    fn text(&self, id: ExprId) -> &str {
        let span = self.f.span(id);
        self.source
            .get(span.lo as usize..span.hi as usize)
            .unwrap_or("_")
    }

    /// Checks of an integer division or remainder by `divisor` (`None`: a compound
    /// assignment, whose value is not looked at). A literal divisor other than 0 and -1
    /// needs no check.
    fn division(&mut self, op: BinOp, ty: Type, divisor: Option<ExprId>, line: u32) {
        let Some(scalar) = ty.as_scalar() else {
            return;
        };
        let constant = divisor.is_some_and(|d| {
            matches!(self.f.expr(d), Expr::Lit(kernel_ir::ir::Lit::Int(v), _) if *v != 0 && *v != -1)
        });
        if constant && scalar.is_int() {
            return;
        }
        let hot = self.depth > 0;
        match op {
            BinOp::Div | BinOp::Rem if scalar.is_int() => {
                let checks = if scalar.is_signed_int() {
                    "zero and MIN / -1 checks"
                } else {
                    "zero check"
                };
                self.note(line, format!("integer `{}`: {checks}", op.symbol()), hot);
            }
            BinOp::Rem if scalar.is_float() => {
                self.note(line, format!("libm call fmod_{scalar}"), hot);
            }
            _ => {}
        }
    }

    fn builtin(&mut self, b: Builtin, args: &[ExprId], line: u32) {
        let Some(first) = args.first() else {
            return;
        };
        let scalar = self.f.scalar(*first);
        let hot = self.depth > 0;
        if scalar.is_float() {
            if let Some(symbol) = libm_symbol(b) {
                self.note(line, format!("libm call {symbol}_{scalar}"), hot);
            }
        }
        if b == Builtin::Clamp {
            self.note(line, "clamp bounds check".to_string(), hot);
        }
    }

    fn callee_name(&self, index: usize) -> &str {
        self.all.get(index).map_or("?", |f| f.name.as_str())
    }
}

/// The shared library wrapper a float builtin calls (`kernel_ir::semantics`), if any.
fn libm_symbol(b: Builtin) -> Option<&'static str> {
    Some(match b {
        Builtin::Sin => "sin",
        Builtin::Cos => "cos",
        Builtin::Tan => "tan",
        Builtin::Asin => "asin",
        Builtin::Acos => "acos",
        Builtin::Atan => "atan",
        Builtin::Atan2 => "atan2",
        Builtin::Sinh => "sinh",
        Builtin::Cosh => "cosh",
        Builtin::Tanh => "tanh",
        Builtin::Exp => "exp",
        Builtin::Exp2 => "exp2",
        Builtin::Ln | Builtin::Log => "ln",
        Builtin::Log2 => "log2",
        Builtin::Log10 => "log10",
        Builtin::Cbrt => "cbrt",
        Builtin::Powf => "powf",
        Builtin::Hypot => "hypot",
        Builtin::Round => "round",
        _ => return None,
    })
}
