//! Loop versioning: a `for` loop whose guard is non-empty (accesses inside it were hoisted to
//! it by the bounds analysis) is translated twice behind one branch on the guard.
//!
//! ```text
//!     if guard holds { <loop, hoisted accesses unchecked> } else { <loop, every check> }
//! ```
//!
//! The guard reads only values the loop never changes (integer locals, extents), so it can be
//! evaluated before the loop's own range operands, and each copy evaluates those itself. Each
//! form is computed exactly in `i128` (the analysis bounds coefficients and terms). Inside the
//! checked copy nothing is versioned again, so nested guards cost one extra copy per level, not
//! a doubling.

use cranelift_codegen::ir::{condcodes::IntCC, types, InstBuilder, Value};

use kernel_ir::analysis::{Atom, Linear};
use kernel_ir::ir::LoopId;

use super::FunctionCx;

impl FunctionCx<'_, '_> {
    /// Translates a loop with `translate`: once behind its guard when it has one (and checks
    /// are on, and this is not already a checked copy), otherwise just once.
    pub(crate) fn versioned(&mut self, loop_id: LoopId, translate: impl Fn(&mut Self)) {
        let guard = self.bounds.guard(loop_id);
        if guard.is_empty() || !self.env.boundscheck || self.plain {
            return translate(self);
        }
        let Some(holds) = self.guard_holds(guard) else {
            return translate(self);
        };
        let fast = self.b.create_block();
        let checked = self.b.create_block();
        let join = self.b.create_block();
        self.b.ins().brif(holds, fast, &[], checked, &[]);

        self.b.switch_to_block(fast);
        self.b.seal_block(fast);
        self.fast.push(loop_id);
        translate(self);
        self.fast.pop();
        self.b.ins().jump(join, &[]);

        self.b.switch_to_block(checked);
        self.b.seal_block(checked);
        self.plain = true;
        translate(self);
        self.plain = false;
        self.b.ins().jump(join, &[]);

        self.b.switch_to_block(join);
        self.b.seal_block(join);
    }

    /// `form >= 0` for every form, as one `i8` truth value; `None` when a value it reads is
    /// not available here.
    fn guard_holds(&mut self, guard: &[Linear]) -> Option<Value> {
        let mut all: Option<Value> = None;
        for form in guard {
            let value = self.linear_value(form)?;
            let zero = self.i128_const(0);
            let holds = self
                .b
                .ins()
                .icmp(IntCC::SignedGreaterThanOrEqual, value, zero);
            all = Some(match all {
                Some(previous) => self.b.ins().band(previous, holds),
                None => holds,
            });
        }
        all
    }

    fn linear_value(&mut self, form: &Linear) -> Option<Value> {
        let mut sum = self.i128_const(form.constant);
        for &(atom, coefficient) in &form.terms {
            let value = self.atom_value(atom)?;
            sum = match coefficient {
                1 => self.b.ins().iadd(sum, value),
                -1 => self.b.ins().isub(sum, value),
                c => {
                    let factor = self.i128_const(c);
                    let term = self.b.ins().imul(value, factor);
                    self.b.ins().iadd(sum, term)
                }
            };
        }
        Some(sum)
    }

    /// An atom's value widened to `i128` by its own signedness.
    fn atom_value(&mut self, atom: Atom) -> Option<Value> {
        let (value, signed) = match atom {
            Atom::Local(local) => {
                let signed = self.f.local(local).ty.as_scalar()?.is_signed_int();
                (self.local_index_value(local)?, signed)
            }
            Atom::Extent(array, axis) => {
                self.arrays.get(array.index()).cloned().flatten()?;
                (self.array_dim(array, axis), false)
            }
            Atom::Len(array) => {
                self.arrays.get(array.index()).cloned().flatten()?;
                (self.array_len(array), false)
            }
        };
        Some(if signed {
            self.b.ins().sextend(types::I128, value)
        } else {
            self.b.ins().uextend(types::I128, value)
        })
    }

    fn i128_const(&mut self, value: i128) -> Value {
        let low = self.b.ins().iconst(types::I64, value as u64 as i64);
        let high = self.b.ins().iconst(types::I64, (value >> 64) as i64);
        self.b.ins().iconcat(low, high)
    }
}
