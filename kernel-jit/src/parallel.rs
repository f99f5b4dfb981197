//! The run-time side of `prange` in the JIT: the `extern "C"` parallel-for that compiled code
//! calls, and the combination of per-chunk reduction partials.
//!
//! The translator outlines the body of a parallel loop into a *chunk function* (see
//! `translate::prange`) that runs iterations `first..=last` (numbered from 0 in the order the
//! sequential loop visits them) with its own partials started from the reductions'
//! identities. [`parallel_for`] hands chunks to [`kernel_parallel::run_chunks`] (so the JIT
//! chunks and orders exactly like the native tier), then combines each chunk's partials into
//! the loop's outer values **in chunk order** with the reduction's own operation. Each chunk
//! has its own [`JitCtx`] (error slot); the error of the lowest failed chunk is copied into
//! the caller's context, which is the error of the lowest failing iteration.
//!
//! The *loop environment* is a block of 8-byte slots the caller fills on its stack:
//! `[ENV_FIRST]` the first value of the loop variable (as `i64`), `[ENV_STEP]` the step,
//! then one slot per reduction holding its outer value (read and written back here), then one
//! [`describe`]d operation per reduction, then the captured locals the chunk function loads.
//! A slot holds a scalar in its low bytes (little-endian hosts only, which is all Cranelift's
//! JIT targets here).

use std::sync::atomic::AtomicUsize;

use kernel_ir::abi::{RawArray, RawScalar};
use kernel_ir::alloc::OwnedArray;
use kernel_ir::ir::{lane_tree, parallel_blocks, Lit, ReduceOp};
use kernel_ir::semantics::{combine_array, reduce_float};
use kernel_ir::{ErrorKind, Scalar};
use kernel_parallel::{run_blocks, run_chunks, Cancel, ChunkSpan};

use crate::abi::JitCtx;

/// Slot of the loop variable's first value in the loop environment.
pub(crate) const ENV_FIRST: i32 = 0;
/// Slot of the step (`1` without `step_by`).
pub(crate) const ENV_STEP: i32 = 1;
/// Slot of the error site a failed allocation of an array reduction's chunk copy reports.
pub(crate) const ENV_ALLOC_SITE: i32 = 2;
/// First slot of the reductions' outer values (for an array reduction: the address of the
/// array's descriptor); their descriptions follow them.
pub(crate) const ENV_REDUCTIONS: i32 = 3;

/// Set in a reduction's description for an array reduction.
const ARRAY_REDUCTION: i64 = 1 << 16;

/// What a chunk function receives besides the context: its iterations and its partials.
#[repr(C)]
#[derive(Debug)]
pub(crate) struct ChunkArgs {
    /// First and last iteration numbers of the chunk (inclusive; `last >= first`).
    pub first: u64,
    pub last: u64,
    /// The chunk's index and the index of the lowest failed chunk so far: the chunk stops
    /// when `*failed < index`.
    pub index: u64,
    pub failed: *const AtomicUsize,
    /// One slot per reduction: the chunk's partials, written when it finishes.
    pub partials: *mut u64,
}

pub(crate) const CHUNK_FIRST: i32 = 0;
pub(crate) const CHUNK_LAST: i32 = 8;
pub(crate) const CHUNK_INDEX: i32 = 16;
pub(crate) const CHUNK_FAILED: i32 = 24;
pub(crate) const CHUNK_PARTIALS: i32 = 32;

/// A chunk function: `(ctx, depth, env, chunk) -> status`.
type ChunkFn = unsafe extern "C" fn(*mut JitCtx, i32, *const u64, *const ChunkArgs) -> i8;

/// The symbol compiled code calls.
pub(crate) const PARALLEL_FOR_SYMBOL: &str = "kernelc_jit_parallel_for";

/// Set in [`parallel_for`]'s reduction count for a loop with lanes (`kernel_ir::ir::Lanes`):
/// it runs on the fixed blocks of `kernel_ir::ir::parallel_blocks`, and float partials fold
/// in the fixed tree.
pub(crate) const FIXED_BLOCKS: u32 = 1 << 31;

/// The 64-bit description of a reduction stored in the loop environment.
pub(crate) fn describe(op: ReduceOp, s: Scalar) -> i64 {
    let op = match op {
        ReduceOp::Add => 0,
        ReduceOp::Mul => 1,
        ReduceOp::Min => 2,
        ReduceOp::Max => 3,
    };
    let scalar = Scalar::ALL.iter().position(|x| *x == s).unwrap_or(0) as i64;
    op | scalar << 8
}

/// The description of an array reduction of `s` elements.
pub(crate) fn describe_array(op: ReduceOp, s: Scalar) -> i64 {
    describe(op, s) | ARRAY_REDUCTION
}

/// Whether a description is an array reduction's.
fn is_array(description: u64) -> bool {
    description & ARRAY_REDUCTION as u64 != 0
}

fn decode(description: u64) -> Option<(ReduceOp, Scalar)> {
    let description = description & !(ARRAY_REDUCTION as u64);
    let op = match description & 0xff {
        0 => ReduceOp::Add,
        1 => ReduceOp::Mul,
        2 => ReduceOp::Min,
        3 => ReduceOp::Max,
        _ => return None,
    };
    let scalar = *Scalar::ALL.get(usize::try_from(description >> 8).ok()?)?;
    Some((op, scalar))
}

/// `acc OP part` on the low bytes of two slots, with the reduction's sequential semantics
/// (wrapping integers, IEEE floats, `fmin`/`fmax` as the kernel's `min`/`max`).
fn combine(op: ReduceOp, s: Scalar, acc: u64, part: u64) -> u64 {
    macro_rules! int {
        ($t:ty, $u:ty) => {{
            let (a, b) = (acc as $u as $t, part as $u as $t);
            let r = match op {
                ReduceOp::Add => a.wrapping_add(b),
                ReduceOp::Mul => a.wrapping_mul(b),
                ReduceOp::Min => a.min(b),
                ReduceOp::Max => a.max(b),
            };
            r as $u as u64
        }};
    }
    macro_rules! float {
        ($t:ty, $u:ty) => {{
            let (a, b) = (<$t>::from_bits(acc as $u), <$t>::from_bits(part as $u));
            u64::from(reduce_float(op, a, b).to_bits())
        }};
    }
    match s {
        Scalar::F64 => float!(f64, u64),
        Scalar::F32 => float!(f32, u32),
        Scalar::I8 => int!(i8, u8),
        Scalar::U8 => int!(u8, u8),
        Scalar::I16 => int!(i16, u16),
        Scalar::U16 => int!(u16, u16),
        Scalar::I32 => int!(i32, u32),
        Scalar::U32 => int!(u32, u32),
        Scalar::I64 => int!(i64, u64),
        Scalar::U64 | Scalar::Usize => int!(u64, u64),
        // Not a reduction type (the checker allows numbers only); keep the outer value.
        Scalar::Bool => acc,
    }
}

/// `outer op tree(partials)`, the fold of a reassociated reduction's block partials.
fn fold_tree(op: ReduceOp, s: Scalar, outer: u64, partials: &[u64]) -> u64 {
    let identity = match (op.identity(s), s) {
        (Lit::Float(x), Scalar::F32) => u64::from((x as f32).to_bits()),
        (Lit::Float(x), _) => x.to_bits(),
        _ => return outer,
    };
    match lane_tree(partials, identity, |a, b| combine(op, s, a, b)) {
        Some(tree) => combine(op, s, outer, tree),
        None => outer,
    }
}

/// The raw pointers a chunk needs, shared by the threads of one loop.
struct Shared {
    body: ChunkFn,
    env: *const u64,
    interrupt: *const std::sync::atomic::AtomicU32,
    depth: i32,
    reductions: usize,
}

/// What one chunk leaves: its scalar partials (an array reduction's slot holds its copy's
/// data) and the copies of the array reductions, in reduction order.
type ChunkParts = (Vec<u64>, Vec<OwnedArray>);

// SAFETY: the pointers are only read (env, interrupt flag) or called (body, compiled code that
// writes only the array elements of its own iterations, disjoint by the language's rule for
// `prange`) while `parallel_for` is running, and they outlive it.
unsafe impl Sync for Shared {}

/// The error a chunk left in its context: site, index, extent.
type ChunkError = (u32, i64, u64);

impl Shared {
    /// Runs iterations `first..=last` as one chunk.
    fn run(&self, first: u64, last: u64, cancel: Cancel<'_>) -> Result<ChunkParts, ChunkError> {
        let mut partials = vec![0u64; self.reductions];
        let copies = self.array_copies(&mut partials)?;
        let (failed, index) = cancel.raw();
        let args = ChunkArgs {
            first,
            last,
            index: index as u64,
            failed,
            partials: partials.as_mut_ptr(),
        };
        let mut ctx = JitCtx {
            site: 0,
            _pad: 0,
            index: 0,
            extent: 0,
            interrupt: self.interrupt,
            // Instrumented code runs `prange` sequentially: chunks never profile.
            profile: std::ptr::null_mut(),
        };
        // SAFETY: `body` is the chunk function compiled for this loop and `env` its
        // environment, filled by the caller; `args.partials` has one slot per reduction; the
        // iterations of distinct chunks are disjoint (see `Shared`).
        let status = unsafe { (self.body)(&mut ctx, self.depth, self.env, &args) };
        if status == 0 {
            Ok((partials, copies))
        } else {
            Err((ctx.site, ctx.index, ctx.extent))
        }
    }

    /// This chunk's copy of every array reduction, filled with the identity, its data
    /// address in the reduction's partial slot (where the chunk function reads it).
    fn array_copies(&self, partials: &mut [u64]) -> Result<Vec<OwnedArray>, ChunkError> {
        let mut copies = Vec::new();
        for (r, partial) in partials.iter_mut().enumerate() {
            // SAFETY: `env` holds the outer values then the descriptions of `reductions`
            // reductions from slot `ENV_REDUCTIONS` (see `parallel_for`).
            let (outer, description) = unsafe {
                let slots = self.env.add(ENV_REDUCTIONS as usize);
                (*slots.add(r), *slots.add(self.reductions + r))
            };
            let Some((op, s)) = decode(description).filter(|_| is_array(description)) else {
                continue;
            };
            // SAFETY: an array reduction's outer slot holds the address of the array's
            // descriptor, alive for the loop.
            let array = unsafe { &*(outer as *const RawArray) };
            let fill = RawScalar(op.identity_bits(s));
            let copy = OwnedArray::allocate(s, 3, array.dims, fill, u64::MAX).map_err(|kind| {
                // SAFETY: `env` has the loop's allocation site in slot `ENV_ALLOC_SITE`.
                let site = unsafe { *self.env.add(ENV_ALLOC_SITE as usize) } as u32;
                let bytes = match kind {
                    ErrorKind::AllocationFailed { bytes } => bytes,
                    _ => u64::MAX,
                };
                (site, bytes as i64, crate::alloc::REFUSED)
            })?;
            *partial = copy.raw.data as u64;
            copies.push(copy);
        }
        Ok(copies)
    }
}

/// Runs the chunk function `body` over iterations `0..=last` of a parallel loop (see the
/// module docs); returns 0, or 1 with the error of the lowest failing iteration in `ctx`.
///
/// # Safety
/// Called only by compiled code: `ctx` is the caller's live context, `body` a chunk function
/// of the same module, `env` its loop environment with `reductions` reductions.
pub(crate) unsafe extern "C" fn parallel_for(
    ctx: *mut JitCtx,
    depth: i32,
    body: *const u8,
    env: *mut u64,
    last: u64,
    reductions: u32,
) -> i8 {
    let fixed_blocks = reductions & FIXED_BLOCKS != 0;
    let reductions = (reductions & !FIXED_BLOCKS) as usize;
    let shared = Shared {
        // SAFETY: `body` is a finalised chunk function with the `ChunkFn` signature.
        body: unsafe { std::mem::transmute::<*const u8, ChunkFn>(body) },
        env,
        // SAFETY: `ctx` is the caller's live context.
        interrupt: unsafe { (*ctx).interrupt },
        depth,
        reductions,
    };
    // `0..=u64::MAX` (or more than a `usize` counts) is one chunk, run in order.
    let total = last
        .checked_add(1)
        .and_then(|total| usize::try_from(total).ok());
    let chunk = |span: ChunkSpan, cancel: Cancel<'_>| match total {
        // Chunks are never empty.
        Some(_) => shared.run(
            span.start as u64,
            (span.start + span.len.saturating_sub(1)) as u64,
            cancel,
        ),
        None => shared.run(0, last, cancel),
    };
    let result = if fixed_blocks {
        run_blocks(total, parallel_blocks, &chunk)
    } else {
        run_chunks(total, &chunk)
    };
    match result {
        Ok(parts) => {
            // SAFETY: `env` holds the outer values then the descriptions of `reductions`
            // reductions from slot `ENV_REDUCTIONS` on.
            let slots = unsafe {
                std::slice::from_raw_parts_mut(env.add(ENV_REDUCTIONS as usize), 2 * reductions)
            };
            let (outer, descriptions) = slots.split_at_mut(reductions);
            let mut copy_index = 0;
            for (r, (acc, description)) in outer.iter_mut().zip(&*descriptions).enumerate() {
                let Some((op, s)) = decode(*description) else {
                    continue;
                };
                if is_array(*description) {
                    // SAFETY: the outer slot holds the address of the array's descriptor,
                    // alive and no longer written by any chunk; each copy has its extents.
                    let array = unsafe { &*(*acc as *const RawArray) };
                    for (_, copies) in &parts {
                        if let Some(copy) = copies.get(copy_index) {
                            // SAFETY: as above.
                            unsafe { combine_array(op, s, array, copy.raw.data) };
                        }
                    }
                    copy_index += 1;
                    continue;
                }
                let values = parts.iter().map(|(part, _)| part[r]);
                *acc = if fixed_blocks && s.is_float() {
                    fold_tree(op, s, *acc, &values.collect::<Vec<u64>>())
                } else {
                    values.fold(*acc, |acc, value| combine(op, s, acc, value))
                };
            }
            0
        }
        Err((site, index, extent)) => {
            // SAFETY: `ctx` is the caller's live context.
            let ctx = unsafe { &mut *ctx };
            ctx.site = site;
            ctx.index = index;
            ctx.extent = extent;
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_round_trip() {
        for op in [ReduceOp::Add, ReduceOp::Mul, ReduceOp::Min, ReduceOp::Max] {
            for s in Scalar::ALL {
                assert_eq!(decode(describe(op, s) as u64), Some((op, s)));
            }
        }
    }

    #[test]
    fn combine_follows_sequential_semantics() {
        let wrap = combine(ReduceOp::Add, Scalar::I32, i32::MAX as u32 as u64, 1);
        assert_eq!(wrap as u32 as i32, i32::MIN);
        let min = combine(ReduceOp::Min, Scalar::I64, (-5i64) as u64, 3);
        assert_eq!(min as i64, -5);
        let umax = combine(ReduceOp::Max, Scalar::U32, u64::from(u32::MAX), 1);
        assert_eq!(umax, u64::from(u32::MAX));
        let sum = combine(
            ReduceOp::Add,
            Scalar::F64,
            (-0.0f64).to_bits(),
            0.0f64.to_bits(),
        );
        assert_eq!(f64::from_bits(sum).to_bits(), 0.0f64.to_bits());
        let prod = combine(
            ReduceOp::Mul,
            Scalar::F32,
            3.0f32.to_bits().into(),
            0.5f32.to_bits().into(),
        );
        assert_eq!(f32::from_bits(prod as u32), 1.5);
        // Garbage above a 32-bit value's low bytes is ignored.
        let high = combine(ReduceOp::Add, Scalar::U32, 0xdead_beef_0000_0001, 1);
        assert_eq!(high, 2);
    }
}
