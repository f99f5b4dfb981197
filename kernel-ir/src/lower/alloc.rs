//! Array allocations: `Array1::zeros(n)`, `Array2::<f32>::ones((n, m))`,
//! `ndarray::Array3::from_elem((a, b, c), x)`, `Array::zeros((n, m))` and `vec![x; n]`, all
//! lowered to one [`Expr::Alloc`].

use syn::spanned::Spanned;

use super::{node_span, span, FnCx};
use crate::diag::{Diagnostic, Span};
use crate::ir::{Expr, ExprId, Lit};
use crate::types::Scalar;

/// The constructors an allocation path may name.
const CONSTRUCTORS: [&str; 3] = ["zeros", "ones", "from_elem"];

/// `Array1`, `Array2`, `Array3` (rank given) or `Array` (rank from the shape).
fn array_rank(name: &str) -> Option<Option<u8>> {
    match name {
        "Array" => Some(None),
        "Array1" => Some(Some(1)),
        "Array2" => Some(Some(2)),
        "Array3" => Some(Some(3)),
        _ => None,
    }
}

/// The parts of an allocation path `[ndarray::]ArrayN[::<T>]::ctor`.
struct AllocPath<'a> {
    rank: Option<u8>,
    elem: Result<Option<Scalar>, &'a syn::GenericArgument>,
    constructor: String,
}

fn alloc_path(func: &syn::Expr) -> Option<AllocPath<'_>> {
    let syn::Expr::Path(path) = func else {
        return None;
    };
    if path.qself.is_some() {
        return None;
    }
    let segments: Vec<&syn::PathSegment> = path.path.segments.iter().collect();
    let (ty, ctor) = match segments.as_slice() {
        [ty, ctor] => (*ty, *ctor),
        [prefix, ty, ctor] if prefix.ident == "ndarray" => (*ty, *ctor),
        _ => return None,
    };
    let rank = array_rank(&ty.ident.to_string())?;
    let constructor = ctor.ident.to_string();
    if !CONSTRUCTORS.contains(&constructor.as_str()) || !ctor.arguments.is_none() {
        return None;
    }
    let elem = match &ty.arguments {
        syn::PathArguments::None => Ok(None),
        syn::PathArguments::AngleBracketed(args) => match args.args.first() {
            Some(syn::GenericArgument::Type(t)) if args.args.len() == 1 => {
                super::items::scalar_type(t).map(Some).ok_or(&args.args[0])
            }
            Some(other) => Err(other),
            None => Ok(None),
        },
        syn::PathArguments::Parenthesized(_) => return None,
    };
    Some(AllocPath {
        rank,
        elem,
        constructor,
    })
}

impl FnCx<'_> {
    /// An allocation call, or `None` when `call` is not one.
    pub(super) fn lower_alloc_call(&mut self, call: &syn::ExprCall, at: Span) -> Option<ExprId> {
        let path = alloc_path(&call.func)?;
        let elem = match path.elem {
            Ok(elem) => elem,
            Err(bad) => {
                return Some(
                    self.fail(
                        Diagnostic::new(node_span(bad), "unsupported array element type")
                            .with_help("arrays hold one of `bool i32 i64 u32 u64 usize f32 f64`"),
                    ),
                )
            }
        };
        let expected_args = if path.constructor == "from_elem" {
            2
        } else {
            1
        };
        let args: Vec<&syn::Expr> = call.args.iter().collect();
        if args.len() != expected_args {
            return Some(self.fail(super::expr::arity_error(
                at,
                "function",
                expected_args,
                args.len(),
            )));
        }
        let dims = self.lower_shape(args[0], path.rank);
        let fill = match path.constructor.as_str() {
            "from_elem" => self.lower_expr(args[1]),
            "ones" => self.push(Expr::Lit(Lit::Int(1), None), at),
            _ => self.push(Expr::Lit(Lit::Int(0), None), at),
        };
        Some(self.push(
            Expr::Alloc {
                elem,
                dims,
                fill,
                fill_first: false,
            },
            at,
        ))
    }

    /// A shape: `n` for one axis, `(n, m)` / `[n, m]` for two or three; `rank` is what the
    /// type named, if it named one.
    fn lower_shape(&mut self, shape: &syn::Expr, rank: Option<u8>) -> Vec<ExprId> {
        let elems: Vec<&syn::Expr> = match shape {
            syn::Expr::Tuple(tuple) => tuple.elems.iter().collect(),
            syn::Expr::Array(array) => array.elems.iter().collect(),
            syn::Expr::Paren(paren) => return self.lower_shape(&paren.expr, rank),
            single => vec![single],
        };
        let found = elems.len();
        let fits = match rank {
            Some(rank) => usize::from(rank) == found,
            None => (1..=3).contains(&found),
        };
        if !fits {
            let expected = rank.map_or("1, 2 or 3".to_string(), |r| r.to_string());
            self.error(
                Diagnostic::new(
                    node_span(shape),
                    format!("this shape has {found} axis/axes, expected {expected}"),
                )
                .with_help("give one extent per axis: `n`, `(n, m)` or `(n, m, k)`"),
            );
        }
        elems
            .into_iter()
            .take(3)
            .map(|e| self.lower_expr(e))
            .collect()
    }

    /// `vec![x; n]`; other forms of `vec!` are diagnosed.
    pub(super) fn lower_vec_macro(&mut self, mac: &syn::Macro) -> ExprId {
        let at = span(mac.path.span()).to(span(mac.delimiter.span().close()));
        let Ok(repeat) = mac.parse_body_with(parse_repeat) else {
            return self.fail(
                Diagnostic::new(at, "only `vec![value; length]` is supported in kernels")
                    .with_help("allocate with `vec![0.0; n]` and fill the elements in a loop"),
            );
        };
        let fill = self.lower_expr(&repeat.0);
        let len = self.lower_expr(&repeat.1);
        self.push(
            Expr::Alloc {
                elem: None,
                dims: vec![len],
                fill,
                fill_first: true,
            },
            at,
        )
    }
}

/// `value ; length`.
fn parse_repeat(input: syn::parse::ParseStream<'_>) -> syn::Result<(syn::Expr, syn::Expr)> {
    let value: syn::Expr = input.parse()?;
    input.parse::<syn::Token![;]>()?;
    let length: syn::Expr = input.parse()?;
    if !input.is_empty() {
        return Err(input.error("unexpected tokens after the length"));
    }
    Ok((value, length))
}

/// Whether a macro is `vec!` (or `std::vec!`, `alloc::vec!`).
pub(super) fn is_vec_macro(mac: &syn::Macro) -> bool {
    mac.path
        .segments
        .last()
        .is_some_and(|s| s.ident == "vec" && s.arguments.is_none())
}
