//! Typing of print statements ([`Expr::Print`]): every argument is a scalar whose type
//! supports each spec that formats it (`{:x}` integers only, `{:e}` numbers only).

use super::infer::{Mask, VarId};
use super::{Checker, LocalTy};
use crate::diag::Diagnostic;
use crate::ir::{Expr, ExprId};
use crate::output::{Format, Kind, Piece, Spec};

/// The scalar types a spec's trait is implemented for (see `Kind::supports`).
fn kind_mask(kind: Kind) -> Mask {
    match kind {
        Kind::Display | Kind::Debug => Mask::SCALAR,
        Kind::LowerExp | Kind::UpperExp => Mask::NUM,
        Kind::LowerHex | Kind::UpperHex | Kind::Octal | Kind::Binary => Mask::INT,
    }
}

impl Checker<'_> {
    pub(super) fn infer_print(&mut self, format: &Format, args: &[ExprId]) -> VarId {
        let f = self.f.clone();
        // Lowering makes every argument appear in some piece, so every one is checked.
        for (index, &arg) in args.iter().enumerate() {
            if let Expr::Local(local) = f.expr(arg) {
                if !matches!(self.locals[local.index()], LocalTy::Scalar(_)) {
                    let name = &f.local(*local).name;
                    self.error(
                        Diagnostic::new(
                            f.span(arg),
                            format!(
                                "`{}!` prints scalars, but `{name}` is an array",
                                format.macro_name()
                            ),
                        )
                        .with_help(format!("print its elements one by one: `{name}[i]`")),
                    );
                    self.expr_vars[arg.index()] = Some(self.never_var());
                    continue;
                }
            }
            let var = self.check_expr(arg);
            let specs: Vec<&Spec> = format
                .pieces
                .iter()
                .filter_map(|piece| match piece {
                    Piece::Arg { index: i, spec } if *i == index => Some(spec),
                    _ => None,
                })
                .collect();
            for spec in &specs {
                let mask = kind_mask(spec.kind);
                let ok = self.require(var, mask, |found| {
                    let what = if mask == Mask::SCALAR {
                        "a scalar".to_string()
                    } else {
                        format!("a value of type `{found}`")
                    };
                    Diagnostic::new(
                        f.span(arg),
                        format!("`{{:{spec}}}` cannot format {what}"),
                    )
                    .with_help(format!("`{}!` prints numbers and `bool`s; `{{:x}}`, `{{:X}}`, `{{:o}}`, `{{:b}}` take integers and `{{:e}}`, `{{:E}}` numbers", format.macro_name()))
                });
                if !ok {
                    break;
                }
            }
        }
        self.unit_var()
    }
}
