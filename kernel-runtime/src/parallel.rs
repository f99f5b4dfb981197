//! The parallel-for behind `prange` loops in native code: an iterator adapter over
//! [`kernel_parallel::run_chunks`] (chunking, error order and thread count are documented
//! there). Each chunk gets the exact sub-sequence of values its range visits (`rev` and
//! `step_by` included), so generated code loops over a plain iterator.

use kernel_ir::KernelError;

pub use kernel_parallel::{current_threads, set_threads, Cancel, ThreadPoolError};

/// A loop body closure shared by the threads of a parallel loop.
struct SyncBody<F>(F);

// SAFETY: `SyncBody::new` is unsafe and its caller guarantees that calling the closure from
// several threads at once is sound.
unsafe impl<F> Sync for SyncBody<F> {}
// SAFETY: as above.
unsafe impl<F> Send for SyncBody<F> {}

impl<F> std::fmt::Debug for SyncBody<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyncBody")
    }
}

impl<F> SyncBody<F> {
    /// Wraps a loop body for [`parallel_for`].
    ///
    /// # Safety
    /// Running `body` concurrently on disjoint chunks must be sound: what it captures (raw
    /// array pointers, the stop flag, read-only locals) stays alive for the loop, and distinct
    /// iterations write disjoint elements (the language's rule for `prange`).
    unsafe fn new(body: F) -> SyncBody<F> {
        SyncBody(body)
    }

    /// Calls the body; a method, so closures capture the whole `Sync` wrapper, not its field.
    #[inline(always)]
    fn call<A, R>(&self, arg: A) -> R
    where
        F: Fn(A) -> R,
    {
        (self.0)(arg)
    }
}

/// One chunk of a parallel loop: its iterations and the loop's cancellation state.
#[derive(Debug)]
pub struct Chunk<'a, I> {
    pub iter: std::iter::Take<std::iter::Skip<I>>,
    pub cancel: Cancel<'a>,
}

/// Fixes the closure type of a loop body over `iter` (closures only get a higher-ranked
/// signature from a bound at their definition).
#[inline(always)]
pub fn chunk_body<I, P, F>(_iter: &I, body: F) -> F
where
    F: Fn(Chunk<'_, I>) -> Result<P, KernelError>,
{
    body
}

/// Runs `body` over the chunks of `iter` and returns their partials in chunk order, or the
/// error of the lowest failing iteration (see the module docs).
///
/// # Safety
/// As for [`SyncBody::new`]: running `body` concurrently on disjoint chunks must be sound.
pub unsafe fn parallel_for<I, P, F>(iter: I, body: &F) -> Result<Vec<P>, KernelError>
where
    I: Iterator + Clone + Send + Sync,
    P: Send,
    F: Fn(Chunk<'_, I>) -> Result<P, KernelError>,
{
    // SAFETY: the caller's guarantee.
    unsafe { run(iter, body, false) }
}

/// [`parallel_for`] over the fixed blocks of a reassociated reduction
/// (`kernel_ir::ir::parallel_blocks`): the split depends on the iteration count only.
///
/// # Safety
/// As for [`parallel_for`].
pub unsafe fn parallel_for_blocks<I, P, F>(iter: I, body: &F) -> Result<Vec<P>, KernelError>
where
    I: Iterator + Clone + Send + Sync,
    P: Send,
    F: Fn(Chunk<'_, I>) -> Result<P, KernelError>,
{
    // SAFETY: the caller's guarantee.
    unsafe { run(iter, body, true) }
}

/// # Safety
/// As for [`parallel_for`].
unsafe fn run<I, P, F>(iter: I, body: &F, fixed_blocks: bool) -> Result<Vec<P>, KernelError>
where
    I: Iterator + Clone + Send + Sync,
    P: Send,
    F: Fn(Chunk<'_, I>) -> Result<P, KernelError>,
{
    let total = match iter.size_hint() {
        (low, Some(high)) if low == high => Some(low),
        _ => None,
    };
    // SAFETY: the caller guarantees concurrent calls of `body` are sound.
    let body = unsafe { SyncBody::new(body) };
    let chunk = |span: kernel_parallel::ChunkSpan, cancel: Cancel<'_>| {
        body.call(Chunk {
            iter: iter.clone().skip(span.start).take(span.len),
            cancel,
        })
    };
    if fixed_blocks {
        kernel_parallel::run_blocks(total, kernel_ir::ir::parallel_blocks, &chunk)
    } else {
        kernel_parallel::run_chunks(total, &chunk)
    }
}
