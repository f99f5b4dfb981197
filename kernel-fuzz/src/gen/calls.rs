//! Calls of the functions generated after this one, and of the self-recursive function with
//! its clamped depth argument.

use super::function::FnGen;
use super::{Form, Sig, Ty, MAX_LOOP_DEPTH};

impl FnGen<'_> {
    /// A call of a callee returning `ret` (any type when `None`) that fits the loop budget.
    pub(super) fn call_any(&mut self, ret: Option<Ty>) -> Option<String> {
        let callees = self.callees;
        let fitting: Vec<&Sig> = callees
            .iter()
            .filter(|s| ret.is_none_or(|t| s.ret == t))
            .filter(|s| self.loop_depth + s.loop_depth <= MAX_LOOP_DEPTH)
            .filter(|s| s.arrays.iter().all(|a| self.sig.arrays.contains(a)))
            // In a parallel loop, a callee writing an array would race with other iterations.
            .filter(|s| self.parallel.is_none() || s.arrays.iter().all(|a| !a.mutable))
            .collect();
        if fitting.is_empty() {
            return None;
        }
        let sig = *self.rng.pick(&fitting);
        self.max_depth = self.max_depth.max(self.loop_depth + sig.loop_depth);
        let args = self.call_args(sig, false);
        Some(format!("{}({args})", sig.name))
    }

    pub(super) fn call_args(&mut self, sig: &Sig, recursive: bool) -> String {
        let mut args: Vec<String> = Vec::new();
        for (i, (name, ty)) in sig.scalars.iter().enumerate() {
            if let Some(size) = sig.sizes.iter().find(|s| &s.name == name) {
                args.push(if recursive {
                    name.clone()
                } else {
                    self.size_arg(size)
                });
                continue;
            }
            args.push(match ty {
                Some(_) if recursive && i == 0 => "depth - 1".to_string(),
                Some(_) if sig.deep && i == 0 => format!("{}u32", 400 + self.rng.below(300)),
                Some(t) if sig.recursive && i == 0 => {
                    let e = self.expr(*t, 1, true);
                    format!("({e} % 5)")
                }
                Some(t) => self.expr(*t, 2, true),
                None => {
                    let t = *self.rng.pick(&Ty::ALL);
                    self.expr(t, 2, false)
                }
            });
        }
        for a in &sig.arrays {
            if self.rng.chance(10) {
                args.push(view_arg(a, self.rng.below(2)));
                continue;
            }
            args.push(match (a.mutable, a.form, self.rng.below(3)) {
                (_, _, 0) => a.name.clone(),
                (true, Form::View, 1) => format!("{}.view_mut()", a.name),
                (false, Form::View, 1) => format!("{}.view()", a.name),
                (true, _, _) => format!("&mut {}", a.name),
                (false, _, _) => format!("&{}", a.name),
            });
        }
        args.join(", ")
    }
}

/// A view of all of `a` but its first `skip` rows (`&a[1..]`, `a.slice_mut(s![1.., ..])`): the
/// callee sees the same elements at other indices and a smaller extent.
fn view_arg(a: &super::ArraySpec, skip: u64) -> String {
    let rest = vec![".."; a.rank.saturating_sub(1)];
    match (a.rank, a.mutable) {
        (1, true) => format!("&mut {}[{skip}..]", a.name),
        (1, false) => format!("&{}[{skip}..]", a.name),
        (_, mutable) => {
            let method = if mutable { "slice_mut" } else { "slice" };
            let entries = std::iter::once(format!("{skip}.."))
                .chain(rest.into_iter().map(str::to_string))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{}.{method}(s![{entries}])", a.name)
        }
    }
}
