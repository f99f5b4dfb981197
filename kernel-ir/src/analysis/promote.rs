//! Array elements an innermost loop can keep in a register.
//!
//! In `for k in 0..j { a[[i, j]] -= a[[i, k]] * a[[k, j]]; }` the element `a[[i, j]]` is the
//! same in every iteration. A backend may load it once before the loop, read it from a
//! register and, on every write, update the register *and* store to memory (so memory is
//! always current: a runtime error or a later read sees exactly the interpreter's values).
//! What it removes is the store-to-load round trip that otherwise sits on the loop-carried
//! dependency of every reduction into an array element, and the reload of every invariant
//! operand.
//!
//! An element qualifies in a `for` loop whose body holds no loop and no call (a callee could
//! write the array) when
//! - each index is a literal or a local the loop never assigns and does not define;
//! - every other access of the same array in the body is provably a different element: on
//!   some axis the two indices' ranges (over the loop, or over an enclosing loop's nest: see
//!   `bounds`) do not overlap, for every possible input (`k < j` above);
//! - no other array of the body shares its memory through a view (`let r = a.row_mut(i)`
//!   beside `a`).
//!
//! Whether the element is in bounds is the backend's business: it must hoist the load only
//! when one of the element's accesses needs no check there (proven, or hoisted to a loop
//! whose fast copy it is in).

use std::collections::HashMap;

use crate::ir::walk::{walk_expr, walk_stmt, Visitor};
use crate::ir::{Block, Expr, ExprId, Function, Lit, LocalId, LoopId, Place, Stmt};

use super::bounds::{always_nonnegative, Access, Ranges, Shape};

/// One index of a loop-invariant element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ElementIndex {
    Const(i128),
    Local(LocalId),
}

/// An element one loop keeps in a register, with every access of the body that names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Promoted {
    pub array: LocalId,
    pub indices: Vec<ElementIndex>,
    /// In evaluation order; reads and writes.
    pub accesses: Vec<Access>,
    pub written: bool,
}

/// The promotable elements of every innermost `for` loop of `f`.
pub fn promotions(f: &Function) -> HashMap<LoopId, Vec<Promoted>> {
    let mut shape = Shape::new(f);
    shape.visit_block(&f.body);
    let mut out = HashMap::new();
    for (index, body) in shape.bodies.iter().enumerate() {
        let loop_id = LoopId(index as u32);
        let Some(body) = *body else { continue };
        if crate::polls::block_has_loop_or_call(f, body) {
            continue;
        }
        let found = loop_promotions(&shape, loop_id, body);
        if !found.is_empty() {
            out.insert(loop_id, found);
        }
    }
    out
}

/// One access of a loop body.
struct BodyAccess {
    access: Access,
    array: LocalId,
    indices: Vec<ExprId>,
    write: bool,
}

fn loop_promotions(shape: &Shape<'_>, loop_id: LoopId, body: &Block) -> Vec<Promoted> {
    let mut collect = Collect {
        f: shape.f,
        accesses: Vec::new(),
    };
    collect.visit_block(body);
    let accesses = collect.accesses;
    let mut found: Vec<Promoted> = Vec::new();
    for candidate in &accesses {
        let Some(key) = element_key(shape, loop_id, &candidate.indices) else {
            continue;
        };
        if found
            .iter()
            .any(|p| p.array == candidate.array && p.indices == key)
        {
            continue;
        }
        // A view and the array it looks into (or two views of one array) share memory: an
        // access through the other name could be the same element.
        let family = view_root(shape.f, candidate.array);
        let aliased = accesses.iter().any(|other| {
            other.array != candidate.array && view_root(shape.f, other.array) == family
        });
        if aliased {
            continue;
        }
        let mut promoted = Promoted {
            array: candidate.array,
            indices: key.clone(),
            accesses: Vec::new(),
            written: false,
        };
        let all_apart = accesses
            .iter()
            .filter(|other| other.array == candidate.array)
            .all(|other| {
                if element_key(shape, loop_id, &other.indices).as_ref() == Some(&key) {
                    promoted.accesses.push(other.access);
                    promoted.written |= other.write;
                    true
                } else {
                    apart(shape, loop_id, &candidate.indices, &other.indices)
                }
            });
        if all_apart {
            found.push(promoted);
        }
    }
    found
}

/// The array a view ultimately looks into (the local itself when it is not a view).
fn view_root(f: &Function, mut local: LocalId) -> LocalId {
    while let Some(parent) = f.view_parent(local) {
        local = parent;
    }
    local
}

/// The element's key when every index is fixed while the loop runs.
fn element_key(
    shape: &Shape<'_>,
    loop_id: LoopId,
    indices: &[ExprId],
) -> Option<Vec<ElementIndex>> {
    indices
        .iter()
        .map(|&index| match shape.f.expr(index) {
            Expr::Lit(Lit::Int(value), _) => Some(ElementIndex::Const(*value)),
            Expr::Local(local) => {
                let home = shape.home.get(local.index()).copied().flatten();
                let fixed = !shape.within(home, loop_id)
                    && !shape.assigned_in[loop_id.index()].contains(local);
                fixed.then_some(ElementIndex::Local(*local))
            }
            _ => None,
        })
        .collect()
}

/// Whether two accesses of one array name different elements in every iteration: on some
/// axis their indices' ranges, over the loop or an enclosing loop's nest, never meet.
fn apart(shape: &Shape<'_>, loop_id: LoopId, a: &[ExprId], b: &[ExprId]) -> bool {
    let mut root = Some(loop_id);
    while let Some(current) = root {
        if matches!(shape.ranges.get(current.index()), Some(Some(_))) {
            let disjoint_axis = a
                .iter()
                .zip(b)
                .any(|(&x, &y)| disjoint(shape, current, x, y));
            if disjoint_axis {
                return true;
            }
        }
        root = shape.parent.get(current.index()).copied().flatten();
    }
    false
}

/// Whether the values of `x` and `y` over `root`'s nest are always apart.
fn disjoint(shape: &Shape<'_>, root: LoopId, x: ExprId, y: ExprId) -> bool {
    let mut ranges = Ranges {
        shape,
        root,
        steps: 0,
    };
    let mut conditions = Vec::new();
    let (Some((x_low, x_high)), Some((y_low, y_high))) = (
        ranges.interval(x, &mut conditions),
        ranges.interval(y, &mut conditions),
    ) else {
        return false;
    };
    // The forms are exact only under their no-wrap conditions: require none.
    if !conditions.is_empty() {
        return false;
    }
    let below = |high: &crate::analysis::Linear, low: &crate::analysis::Linear| {
        low.sub(high)
            .and_then(|gap| gap.offset(-1))
            .is_some_and(|gap| always_nonnegative(shape.f, &gap))
    };
    below(&x_high, &y_low) || below(&y_high, &x_low)
}

/// Every array access of a loop body, in evaluation order. (A body holding a loop is never
/// promoted in, so the accesses of nested loops never matter.)
struct Collect<'f> {
    f: &'f Function,
    accesses: Vec<BodyAccess>,
}

impl<'f> Visitor<'f> for Collect<'f> {
    fn function(&self) -> &'f Function {
        self.f
    }

    fn visit_stmt(&mut self, stmt: &'f Stmt) {
        walk_stmt(self, stmt);
        if let Stmt::Assign {
            place: Place::Index { array, indices, .. },
            value,
            ..
        } = stmt
        {
            self.accesses.push(BodyAccess {
                access: Access::Write(*value),
                array: *array,
                indices: indices.clone(),
                write: true,
            });
        }
    }

    fn visit_expr(&mut self, id: ExprId) {
        walk_expr(self, id);
        if let Expr::Index { array, indices } = self.f.expr(id) {
            self.accesses.push(BodyAccess {
                access: Access::Read(id),
                array: *array,
                indices: indices.clone(),
                write: false,
            });
        }
    }
}
