//! Linear forms over loop-invariant values, in exact integer arithmetic.
//!
//! A range check hoisted to a loop's entry compares such forms with zero. Every operation is
//! checked: a form whose coefficients or terms grow past the limits below is given up on
//! (`None`), which keeps the evaluation in `i128` at run time exact (|coefficient| ≤ 2³²,
//! |atom| < 2⁶⁴, at most [`MAX_TERMS`] terms, |constant| ≤ 2⁹⁶: every partial sum stays far
//! inside `i128`).

use crate::ir::LocalId;

/// Most terms a form may have.
pub const MAX_TERMS: usize = 8;
const MAX_COEFFICIENT: i128 = 1 << 32;
const MAX_CONSTANT: i128 = 1 << 96;

/// A value that does not change while the loop that reads it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Atom {
    /// An integer scalar local, read at the loop's entry (the loop never assigns it).
    Local(LocalId),
    /// The extent of axis `k` of an array parameter.
    Extent(LocalId, u32),
    /// `a.len()` of an array parameter of rank 2 or 3: the wrapping product of its extents.
    Len(LocalId),
}

/// `constant + Σ coefficient · atom`, with the atoms sorted and every coefficient non-zero.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Linear {
    pub constant: i128,
    pub terms: Vec<(Atom, i128)>,
}

impl Linear {
    pub fn constant(value: i128) -> Linear {
        Linear {
            constant: value,
            terms: Vec::new(),
        }
    }

    pub fn atom(atom: Atom) -> Linear {
        Linear {
            constant: 0,
            terms: vec![(atom, 1)],
        }
    }

    /// The value when the form has no terms.
    pub fn as_constant(&self) -> Option<i128> {
        self.terms.is_empty().then_some(self.constant)
    }

    pub fn add(&self, other: &Linear) -> Option<Linear> {
        let mut terms = self.terms.clone();
        for &(atom, coefficient) in &other.terms {
            match terms.binary_search_by_key(&atom, |&(a, _)| a) {
                Ok(at) => {
                    let sum = terms[at].1.checked_add(coefficient)?;
                    if sum == 0 {
                        terms.remove(at);
                    } else {
                        terms[at].1 = sum;
                    }
                }
                Err(at) => terms.insert(at, (atom, coefficient)),
            }
        }
        Linear {
            constant: self.constant.checked_add(other.constant)?,
            terms,
        }
        .within_limits()
    }

    pub fn scale(&self, factor: i128) -> Option<Linear> {
        if factor == 0 {
            return Some(Linear::constant(0));
        }
        let terms = self
            .terms
            .iter()
            .map(|&(atom, c)| Some((atom, c.checked_mul(factor)?)))
            .collect::<Option<Vec<_>>>()?;
        Linear {
            constant: self.constant.checked_mul(factor)?,
            terms,
        }
        .within_limits()
    }

    pub fn sub(&self, other: &Linear) -> Option<Linear> {
        self.add(&other.scale(-1)?)
    }

    pub fn offset(&self, amount: i128) -> Option<Linear> {
        self.add(&Linear::constant(amount))
    }

    /// The least value the form takes when every atom ranges over `range(atom)` (inclusive).
    pub fn minimum(&self, range: impl Fn(Atom) -> (i128, i128)) -> Option<i128> {
        self.terms
            .iter()
            .try_fold(self.constant, |sum, &(atom, c)| {
                let (low, high) = range(atom);
                let end = if c > 0 { low } else { high };
                sum.checked_add(c.checked_mul(end)?)
            })
    }

    fn within_limits(self) -> Option<Linear> {
        let small = self.constant.abs() <= MAX_CONSTANT
            && self.terms.len() <= MAX_TERMS
            && self.terms.iter().all(|(_, c)| c.abs() <= MAX_COEFFICIENT);
        small.then_some(self)
    }
}

impl Linear {
    /// The form as text, with `name` spelling each atom.
    pub fn display_with(&self, name: impl Fn(Atom) -> String) -> String {
        let mut out = String::new();
        for &(atom, c) in &self.terms {
            let sign = if c < 0 { "-" } else { "+" };
            if out.is_empty() {
                if c < 0 {
                    out.push('-');
                }
            } else {
                out.push_str(&format!(" {sign} "));
            }
            if c.abs() != 1 {
                out.push_str(&format!("{}·", c.abs()));
            }
            out.push_str(&name(atom));
        }
        match (out.is_empty(), self.constant) {
            (true, c) => out = c.to_string(),
            (false, 0) => {}
            (false, c) if c < 0 => out.push_str(&format!(" - {}", -c)),
            (false, c) => out.push_str(&format!(" + {c}")),
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n() -> Linear {
        Linear::atom(Atom::Local(LocalId(0)))
    }

    #[test]
    fn terms_cancel_and_constants_fold() {
        let form = n()
            .offset(-1)
            .unwrap()
            .sub(&n().offset(-3).unwrap())
            .unwrap();
        assert_eq!(form, Linear::constant(2));
    }

    #[test]
    fn minimum_takes_the_worst_end_of_each_atom() {
        let form = Linear::constant(10).sub(&n()).unwrap();
        assert_eq!(form.minimum(|_| (0, 4)), Some(6));
        assert_eq!(n().scale(3).unwrap().minimum(|_| (2, 9)), Some(6));
    }

    #[test]
    fn huge_coefficients_are_given_up() {
        assert_eq!(n().scale(1 << 40), None);
        assert!(n().scale(1 << 20).is_some());
    }

    #[test]
    fn display_reads_like_source() {
        let m = Linear::atom(Atom::Extent(LocalId(1), 0));
        let form = m.sub(&n().scale(2).unwrap()).unwrap().offset(-1).unwrap();
        let text = form.display_with(|atom| match atom {
            Atom::Local(_) => "i".into(),
            _ => "a.dim(0)".into(),
        });
        assert_eq!(text, "-2·i + a.dim(0) - 1");
    }
}
