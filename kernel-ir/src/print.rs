//! The IR printer: a checked function as Rust-like text with every local's type and every
//! literal's suffix spelled out (`kernelc explain`, numba's `inspect_types`).
//!
//! Lowered (unchecked) functions print too; their unknown types show as `_`.

use std::fmt::Write;

use crate::ir::{
    Annot, Block, Expr, ExprId, Function, Lit, LocalId, LogicOp, Place, Range, Stmt, UnOp,
};

/// Prints one function. `callee_name` names call targets (checked functions refer to
/// instances by `FuncId`).
pub fn function(f: &Function, callee_name: &dyn Fn(crate::ir::FuncId) -> String) -> String {
    let mut printer = Printer {
        f,
        out: String::new(),
        indent: 0,
        callee_name,
        checked: !f.expr_types.is_empty(),
    };
    printer.print_header();
    printer.print_block_lines(&f.body);
    printer.out.push_str("}\n");
    printer.out
}

struct Printer<'a> {
    f: &'a Function,
    out: String,
    indent: usize,
    callee_name: &'a dyn Fn(crate::ir::FuncId) -> String,
    checked: bool,
}

impl Printer<'_> {
    /// `/* lanes(8): s */ ` before a loop whose reductions run in lanes (`ir::Lanes`).
    fn lanes_note(&self, id: crate::ir::LoopId, parallel: bool) -> String {
        let Some(lanes) = self.f.loops.get(id.index()).and_then(|l| l.lanes.as_ref()) else {
            return String::new();
        };
        let names: Vec<String> = lanes
            .reductions
            .iter()
            .map(|r| self.local_name(r.local))
            .collect();
        let layout = if parallel {
            "blocks".to_string()
        } else {
            format!("lanes({})", lanes.count)
        };
        format!("/* {layout}: {} */ ", names.join(", "))
    }

    fn local_type(&self, local: LocalId) -> String {
        let decl = self.f.local(local);
        if self.checked {
            return decl.ty.to_string();
        }
        match decl.annot {
            Some(Annot::Known(ty)) => ty.to_string(),
            _ => "_".to_owned(),
        }
    }

    fn local_name(&self, local: LocalId) -> String {
        let decl = self.f.local(local);
        let shadowed = self
            .f
            .locals
            .iter()
            .take(local.index())
            .any(|other| other.name == decl.name);
        if shadowed {
            format!("{}#{}", decl.name, local.0)
        } else {
            decl.name.clone()
        }
    }

    fn print_header(&mut self) {
        let params: Vec<String> = self
            .f
            .params
            .iter()
            .map(|p| {
                let m = if self.f.local(*p).mutable { "mut " } else { "" };
                format!("{m}{}: {}", self.local_name(*p), self.local_type(*p))
            })
            .collect();
        let ret = if self.checked {
            self.f.ret.to_string()
        } else {
            match self.f.ret_annot {
                Annot::Known(ty) => ty.to_string(),
                Annot::Infer => "_".to_owned(),
            }
        };
        let _ = writeln!(
            self.out,
            "fn {}({}) -> {ret} {{",
            self.f.name,
            params.join(", ")
        );
    }

    fn line(&mut self, text: &str) {
        for _ in 0..=self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn print_block_lines(&mut self, block: &Block) {
        for stmt in &block.stmts {
            self.print_stmt(stmt);
        }
        if let Some(tail) = block.tail {
            let text = self.expr(tail);
            self.line(&text);
        }
    }

    fn print_stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Let { local, init } => {
                let m = if self.f.local(*local).mutable {
                    "mut "
                } else {
                    ""
                };
                let name = self.local_name(*local);
                let ty = self.local_type(*local);
                match init {
                    Some(init) => {
                        let value = self.expr(*init);
                        self.line(&format!("let {m}{name}: {ty} = {value};"));
                    }
                    None => self.line(&format!("let {m}{name}: {ty};")),
                }
            }
            Stmt::Assign {
                place, op, value, ..
            } => {
                let target = self.place(place);
                let op = op.map(|o| o.symbol()).unwrap_or("");
                let value = self.expr(*value);
                self.line(&format!("{target} {op}= {value};"));
            }
            Stmt::Expr(e) => {
                let text = self.expr(*e);
                self.line(&format!("{text};"));
            }
        }
    }

    fn place(&mut self, place: &Place) -> String {
        match place {
            Place::Local(local) => self.local_name(*local),
            Place::Index { array, indices, .. } => self.index(*array, indices),
        }
    }

    fn index(&mut self, array: LocalId, indices: &[ExprId]) -> String {
        let parts: Vec<String> = indices.iter().map(|i| self.expr(*i)).collect();
        if parts.len() == 1 {
            format!("{}[{}]", self.local_name(array), parts[0])
        } else {
            format!("{}[[{}]]", self.local_name(array), parts.join(", "))
        }
    }

    /// A block printed inline: `{` newline, statements one level deeper, `}`.
    fn block(&mut self, block: &Block) -> String {
        let saved = std::mem::take(&mut self.out);
        self.indent += 1;
        self.print_block_lines(block);
        self.indent -= 1;
        let body = std::mem::replace(&mut self.out, saved);
        let closing = "    ".repeat(self.indent + 1);
        format!("{{\n{body}{closing}}}")
    }

    fn label(&self, id: crate::ir::LoopId) -> String {
        match &self.f.loops[id.index()].label {
            Some(label) => format!("{label}: "),
            None => String::new(),
        }
    }

    fn view_axis(&mut self, axis: &crate::ir::ViewAxis) -> String {
        match *axis {
            crate::ir::ViewAxis::Index(index) => self.expr(index),
            crate::ir::ViewAxis::Range {
                start,
                end,
                inclusive,
                step,
            } => {
                let start = start.map_or(String::new(), |e| self.expr(e));
                let end = end.map_or(String::new(), |e| self.expr(e));
                let dots = if inclusive { "..=" } else { ".." };
                let step = step.map_or(String::new(), |e| format!(";{}", self.expr(e)));
                format!("{start}{dots}{end}{step}")
            }
        }
    }

    fn expr(&mut self, e: ExprId) -> String {
        let f = self.f;
        match f.expr(e) {
            Expr::Lit(lit, suffix) => literal(*lit, *suffix),
            Expr::Local(local) => self.local_name(*local),
            Expr::Unary(op, x) => {
                let symbol = match op {
                    UnOp::Neg => "-",
                    UnOp::Not => "!",
                };
                format!("{symbol}{}", self.expr(*x))
            }
            Expr::Binary(op, a, b) => {
                format!("({} {} {})", self.expr(*a), op.symbol(), self.expr(*b))
            }
            Expr::Logic(op, a, b) => {
                let symbol = if *op == LogicOp::And { "&&" } else { "||" };
                format!("({} {symbol} {})", self.expr(*a), self.expr(*b))
            }
            Expr::Cast(x, ty) => format!("({} as {ty})", self.expr(*x)),
            Expr::Index { array, indices } => self.index(*array, indices),
            Expr::ArrayLit(elems) => {
                let parts: Vec<String> = elems.iter().map(|x| self.expr(*x)).collect();
                format!("[{}]", parts.join(", "))
            }
            Expr::ArrayRepeat(x, len) => format!("[{}; {len}]", self.expr(*x)),
            Expr::View {
                array,
                axes,
                mutable,
            } => {
                let entries: Vec<String> = axes.iter().map(|axis| self.view_axis(axis)).collect();
                let method = if *mutable { "slice_mut" } else { "slice" };
                format!(
                    "{}.{method}(s![{}])",
                    self.local_name(*array),
                    entries.join(", ")
                )
            }
            Expr::Alloc {
                elem,
                dims,
                fill,
                fill_first,
            } => {
                let fill = self.expr(*fill);
                let dims: Vec<String> = dims.iter().map(|d| self.expr(*d)).collect();
                let elem = elem.map_or(String::new(), |t| format!("::<{t}>"));
                match dims.as_slice() {
                    [len] if *fill_first => format!("vec![{fill}; {len}]"),
                    [len] => format!("Array1{elem}::from_elem({len}, {fill})"),
                    _ => format!(
                        "Array{}{elem}::from_elem(({}), {fill})",
                        dims.len(),
                        dims.join(", ")
                    ),
                }
            }
            Expr::Tuple(elems) => {
                let parts: Vec<String> = elems.iter().map(|x| self.expr(*x)).collect();
                format!("({})", parts.join(", "))
            }
            Expr::Field(tuple, index) => format!("{}.{index}", self.expr(*tuple)),
            Expr::Len(array) => format!("{}.len()", self.local_name(*array)),
            Expr::Dim(array, axis) => format!("{}.shape()[{axis}]", self.local_name(*array)),
            Expr::Builtin(builtin, args) => {
                let receiver = self.expr(args[0]);
                let rest: Vec<String> = args[1..].iter().map(|x| self.expr(*x)).collect();
                format!("{receiver}.{}({})", builtin.name(), rest.join(", "))
            }
            Expr::Call(callee, args) => {
                let parts: Vec<String> = args.iter().map(|x| self.expr(*x)).collect();
                format!("{}({})", (self.callee_name)(*callee), parts.join(", "))
            }
            Expr::If {
                cond,
                then_block,
                else_block,
            } => {
                let mut text = format!("if {} {}", self.expr(*cond), self.block(then_block));
                if let Some(else_block) = else_block {
                    text.push_str(&format!(" else {}", self.block(else_block)));
                }
                text
            }
            Expr::Block(block) => self.block(block),
            Expr::Loop { id, body } => format!("{}loop {}", self.label(*id), self.block(body)),
            Expr::While { id, cond, body } => {
                format!(
                    "{}while {} {}",
                    self.label(*id),
                    self.expr(*cond),
                    self.block(body)
                )
            }
            Expr::For {
                id,
                var,
                range,
                parallel,
                body,
            } => {
                let range = self.range(range);
                let range = if *parallel {
                    format!("prange({range})")
                } else {
                    range
                };
                let var_text = format!("{}: {}", self.local_name(*var), self.local_type(*var));
                format!(
                    "{}{}for {var_text} in {range} {}",
                    self.lanes_note(*id, *parallel),
                    self.label(*id),
                    self.block(body)
                )
            }
            Expr::Break { id, value } => {
                let label = f.loops[id.index()]
                    .label
                    .clone()
                    .map(|l| format!(" {l}"))
                    .unwrap_or_default();
                match value {
                    Some(v) => format!("break{label} {}", self.expr(*v)),
                    None => format!("break{label}"),
                }
            }
            Expr::Continue(id) => {
                let label = f.loops[id.index()]
                    .label
                    .clone()
                    .map(|l| format!(" {l}"))
                    .unwrap_or_default();
                format!("continue{label}")
            }
            Expr::Return(value) => match value {
                Some(v) => format!("return {}", self.expr(*v)),
                None => "return".to_owned(),
            },
            Expr::Print { format, args } => {
                let mut parts = vec![format!("{:?}", format.template())];
                parts.extend(args.iter().map(|x| self.expr(*x)));
                format!("{}!({})", format.macro_name(), parts.join(", "))
            }
        }
    }

    fn range(&mut self, range: &Range) -> String {
        let dots = if range.inclusive { "..=" } else { ".." };
        let mut text = format!("{}{dots}{}", self.expr(range.start), self.expr(range.end));
        if range.reverse || range.step.is_some() {
            text = format!("({text})");
        }
        if range.reverse {
            text.push_str(".rev()");
        }
        if let Some(step) = range.step {
            text.push_str(&format!(".step_by({})", self.expr(step)));
        }
        text
    }
}

fn literal(lit: Lit, suffix: Option<crate::Scalar>) -> String {
    let suffix = suffix.map(|s| s.name()).unwrap_or("");
    match lit {
        Lit::Bool(b) => b.to_string(),
        Lit::Int(v) => format!("{v}{suffix}"),
        Lit::Float(v) if v.is_nan() => format!("NAN{suffix}"),
        Lit::Float(v) if v.is_infinite() => {
            let sign = if v < 0.0 { "-" } else { "" };
            format!("{sign}INFINITY{suffix}")
        }
        Lit::Float(v) => format!("{v:?}{suffix}"),
    }
}
