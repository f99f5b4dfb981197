//! Reassociated reductions (`kernel_ir::ir::Lanes`), done the plain way: the interpreter is
//! the reference the compiled tiers' vector accumulators and parallel blocks must match.
//!
//! Before each iteration that belongs to a lane, every reduction local's slot is loaded from
//! that lane; after it, stored back. When the lane phase ends the lanes are folded by
//! `kernel_ir::ir::lane_tree` and combined into the value the local had before the loop.

use kernel_ir::ir::{lane_tree, LoopId, ReduceOp};
use kernel_ir::semantics;
use kernel_ir::{ir::Function, Scalar};

use super::scalar::Repr;

/// How iterations map to lanes.
#[derive(Clone, Copy, Debug)]
enum Layout {
    /// A sequential loop: iteration `k` of the first `n - n % count` goes to lane `k % count`.
    Interleaved { count: u32 },
    /// A `prange` loop: contiguous blocks, the first `n % blocks` one iteration longer.
    Blocks,
}

/// One reduction local of a reassociated loop.
#[derive(Clone, Copy, Debug)]
struct LaneLocal {
    slot: usize,
    op: ReduceOp,
    scalar: Scalar,
}

/// What a reassociated loop needs at run time; built once when the loop is compiled.
#[derive(Clone, Debug)]
pub(crate) struct LanePlan {
    layout: Layout,
    locals: Vec<LaneLocal>,
}

impl LanePlan {
    /// The plan of loop `id` if it has lanes, over its float reductions (an integer
    /// reduction of a `prange` comes out the same in any order, so it keeps the plain
    /// sequential update).
    pub fn new(f: &Function, id: LoopId, parallel: bool) -> Option<LanePlan> {
        let (count, reductions) = f.float_lanes(id)?;
        let locals = reductions
            .iter()
            .filter_map(|r| {
                Some(LaneLocal {
                    slot: r.local.index(),
                    op: r.op,
                    scalar: f.local(r.local).ty.as_scalar()?,
                })
            })
            .collect();
        let layout = if parallel {
            Layout::Blocks
        } else {
            Layout::Interleaved { count }
        };
        Some(LanePlan { layout, locals })
    }

    /// The state of one run of the loop over `n` iterations (saturated to `u64`).
    pub fn start(&self, slots: &[u64], n: u64) -> LaneRun {
        let lanes = match self.layout {
            Layout::Interleaved { count } => count as u64,
            Layout::Blocks => kernel_ir::ir::parallel_blocks(n as usize) as u64,
        };
        let phase_end = match self.layout {
            Layout::Interleaved { count } => n - n % count as u64,
            Layout::Blocks => n,
        };
        let values = self
            .locals
            .iter()
            .map(|l| vec![identity(l); lanes as usize])
            .collect();
        LaneRun {
            before: self.locals.iter().map(|l| slots[l.slot]).collect(),
            values,
            lanes,
            n,
            phase_end,
            current: None,
        }
    }

    /// Loads the lane of iteration `k` into the reduction slots (before the body runs).
    pub fn enter(&self, run: &mut LaneRun, slots: &mut [u64], k: u64) {
        if k == run.phase_end && run.phase_end > 0 {
            self.fold(run, slots);
        }
        run.current = (k < run.phase_end).then(|| run.lane_of(self.layout, k));
        if let Some(lane) = run.current {
            for (local, values) in self.locals.iter().zip(&run.values) {
                slots[local.slot] = values[lane];
            }
        }
    }

    /// Stores the reduction slots back into the current lane (after the body ran).
    pub fn leave(&self, run: &mut LaneRun, slots: &[u64]) {
        if let Some(lane) = run.current {
            for (local, values) in self.locals.iter().zip(&mut run.values) {
                values[lane] = slots[local.slot];
            }
        }
    }

    /// Ends the loop: folds the lanes if the lane phase covered every iteration.
    pub fn finish(&self, run: &mut LaneRun, slots: &mut [u64]) {
        if run.phase_end == run.n && run.n > 0 {
            self.fold(run, slots);
        }
    }

    fn fold(&self, run: &LaneRun, slots: &mut [u64]) {
        for ((local, values), before) in self.locals.iter().zip(&run.values).zip(&run.before) {
            let op = |a, b| combine(local, a, b);
            let tree = lane_tree(values, identity(local), op).unwrap_or(identity(local));
            slots[local.slot] = combine(local, *before, tree);
        }
    }
}

/// One run of a reassociated loop.
pub(crate) struct LaneRun {
    /// Each reduction's value before the loop.
    before: Vec<u64>,
    /// Each reduction's lanes.
    values: Vec<Vec<u64>>,
    lanes: u64,
    n: u64,
    /// Iterations below this index go to lanes; the rest update the locals directly.
    phase_end: u64,
    current: Option<usize>,
}

impl LaneRun {
    fn lane_of(&self, layout: Layout, k: u64) -> usize {
        match layout {
            Layout::Interleaved { .. } => (k % self.lanes) as usize,
            Layout::Blocks => {
                let (short, long) = (self.n / self.lanes, self.n % self.lanes);
                let in_long = long * (short + 1);
                if k < in_long {
                    (k / (short + 1)) as usize
                } else {
                    (long + (k - in_long) / short) as usize
                }
            }
        }
    }
}

fn identity(local: &LaneLocal) -> u64 {
    let kernel_ir::ir::Lit::Float(x) = local.op.identity(local.scalar) else {
        return 0;
    };
    match local.scalar {
        Scalar::F32 => (x as f32).to_raw(),
        _ => x.to_raw(),
    }
}

fn combine(local: &LaneLocal, a: u64, b: u64) -> u64 {
    let op = local.op;
    match local.scalar {
        Scalar::F32 => semantics::reduce_float(op, f32::from_raw(a), f32::from_raw(b)).to_raw(),
        _ => semantics::reduce_float(op, f64::from_raw(a), f64::from_raw(b)).to_raw(),
    }
}
