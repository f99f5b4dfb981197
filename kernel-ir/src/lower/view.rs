//! Sub-views: `&a[lo..hi]`, `&mut a[lo..]`, `a.slice(s![lo..hi;step, j, ..])`,
//! `a.slice_mut(…)`, `a.row(i)`, `a.column(j)` and their `_mut` forms, all lowered to one
//! [`Expr::View`].

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;

use super::{node_span, span, FnCx};
use crate::diag::Diagnostic;
use crate::ir::{Expr, ExprId, ViewAxis};

/// One entry of `s![…]`: an index or a range, with an optional `;step`.
struct SliceEntry {
    expr: syn::Expr,
    step: Option<syn::Expr>,
}

impl Parse for SliceEntry {
    fn parse(input: ParseStream<'_>) -> syn::Result<SliceEntry> {
        let expr: syn::Expr = input.parse()?;
        let step = if input.peek(syn::Token![;]) {
            input.parse::<syn::Token![;]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        Ok(SliceEntry { expr, step })
    }
}

impl FnCx<'_> {
    /// `&a[range]` / `&mut a[range]`, or `None` when `reference` is not one.
    pub(super) fn lower_slice_reference(
        &mut self,
        reference: &syn::ExprReference,
    ) -> Option<ExprId> {
        if let syn::Expr::MethodCall(call) = &*reference.expr {
            // `&a.row(i)`, `&mut a.slice_mut(…)`: the view itself.
            return self.lower_view_method(call);
        }
        let syn::Expr::Index(index) = &*reference.expr else {
            return None;
        };
        let syn::Expr::Range(range) = &*index.index else {
            return None;
        };
        let at = node_span(reference);
        let array = self.array_local(&index.expr, "sliced")?;
        let axis = self.lower_view_range(range, None);
        let mutable = reference.mutability.is_some();
        Some(self.push(
            Expr::View {
                array,
                axes: vec![axis],
                mutable,
            },
            at,
        ))
    }

    /// `a.slice(s![…])`, `a.slice_mut(s![…])`, `a.row(i)`, `a.column(j)` (`_mut` too), or
    /// `None` when the method is none of them.
    pub(super) fn lower_view_method(&mut self, call: &syn::ExprMethodCall) -> Option<ExprId> {
        let method = call.method.to_string();
        let (base, mutable) = match method.strip_suffix("_mut") {
            Some(base) => (base, true),
            None => (method.as_str(), false),
        };
        if !matches!(base, "slice" | "row" | "column") {
            return None;
        }
        let at = node_span(&call.receiver).to(span(call.paren_token.span.close()));
        let args: Vec<&syn::Expr> = call.args.iter().collect();
        let [arg] = args.as_slice() else {
            return Some(self.fail(super::expr::arity_error(at, "method", 1, args.len())));
        };
        let Some(array) = self.array_receiver(&call.receiver, &method) else {
            return Some(self.dummy(at));
        };
        let axes = match base {
            "slice" => match self.lower_slice_macro(arg) {
                Some(axes) => axes,
                None => return Some(self.dummy(at)),
            },
            // `a.row(i)` is `s![i, ..]`, `a.column(j)` is `s![.., j]`.
            _ => {
                let index = ViewAxis::Index(self.lower_expr(arg));
                let all = ViewAxis::Range {
                    start: None,
                    end: None,
                    inclusive: false,
                    step: None,
                };
                if base == "row" {
                    vec![index, all]
                } else {
                    vec![all, index]
                }
            }
        };
        Some(self.push(
            Expr::View {
                array,
                axes,
                mutable,
            },
            at,
        ))
    }

    /// The entries of `s![…]`, or `None` after a diagnostic.
    fn lower_slice_macro(&mut self, arg: &syn::Expr) -> Option<Vec<ViewAxis>> {
        let syn::Expr::Macro(mac) = arg else {
            self.error(
                Diagnostic::new(node_span(arg), "`.slice()` takes an `s![…]` argument")
                    .with_help("for example `a.slice(s![1..n, ..])`"),
            );
            return None;
        };
        let name = mac.mac.path.segments.last().map(|s| s.ident.to_string());
        let entries = match name.as_deref() {
            Some("s") => mac
                .mac
                .parse_body_with(Punctuated::<SliceEntry, syn::Token![,]>::parse_terminated),
            _ => {
                self.error(Diagnostic::new(
                    node_span(arg),
                    "`.slice()` takes an `s![…]` argument",
                ));
                return None;
            }
        };
        let Ok(entries) = entries else {
            self.error(
                Diagnostic::new(node_span(arg), "malformed `s![…]`")
                    .with_help("write one entry per axis: an index `i`, a range `a..b`, `a..`, `..b` or `..`, optionally with a step `a..b;2`"),
            );
            return None;
        };
        Some(
            entries
                .iter()
                .map(|entry| match &entry.expr {
                    syn::Expr::Range(range) => self.lower_view_range(range, entry.step.as_ref()),
                    index => {
                        if let Some(step) = &entry.step {
                            self.error(Diagnostic::new(
                                node_span(step),
                                "a step needs a range: `a..b;step`",
                            ));
                        }
                        ViewAxis::Index(self.lower_expr(index))
                    }
                })
                .collect(),
        )
    }

    fn lower_view_range(&mut self, range: &syn::ExprRange, step: Option<&syn::Expr>) -> ViewAxis {
        let inclusive = matches!(range.limits, syn::RangeLimits::Closed(_));
        let start = range.start.as_deref().map(|e| self.lower_expr(e));
        let end = range.end.as_deref().map(|e| self.lower_expr(e));
        let step = step.map(|e| self.lower_expr(e));
        ViewAxis::Range {
            start,
            end,
            inclusive,
            step,
        }
    }
}
