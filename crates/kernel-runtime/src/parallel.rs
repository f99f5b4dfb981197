//! The parallel-for behind `prange` loops in native code, and the thread count setting.
//!
//! A parallel loop is split into a fixed number of contiguous chunks of its iteration space
//! (the exact sequence of values its range visits, `rev` and `step_by` included): four per
//! thread, so a slow chunk does not leave a core idle. Chunks run on rayon; each returns its
//! own partial reductions (started from the identities) and the caller combines them **in
//! chunk order**, so results are deterministic for a given thread count and integer results
//! equal the sequential ones exactly.
//!
//! Errors: a chunk stops at its first runtime error. Chunks *after* the lowest failed chunk
//! stop at their next iteration; chunks before it keep running, because one of them may still
//! fail at a lower iteration. The error returned is therefore the one of the lowest failing
//! iteration — the error a sequential run reports (array writes of later iterations may have
//! happened, as in any parallel run). Generated code never panics, so no panic crosses threads.
//!
//! Threads: rayon's global pool (the machine's cores) unless `KERNELC_THREADS` is set when the
//! first parallel loop runs or [`set_threads`] was called; either builds a dedicated pool.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use kernel_ir::KernelError;
use rayon::prelude::*;

/// Chunks per thread: enough to even out uneven iterations, few enough to keep partials cheap.
const CHUNKS_PER_THREAD: usize = 4;

/// The pool set by [`set_threads`]; `None` falls back to `KERNELC_THREADS`, then rayon's.
static EXPLICIT_POOL: RwLock<Option<Arc<rayon::ThreadPool>>> = RwLock::new(None);
static ENV_POOL: OnceLock<Option<Arc<rayon::ThreadPool>>> = OnceLock::new();

/// Why [`set_threads`] failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot build a pool of {threads} threads: {source}")]
pub struct ThreadPoolError {
    threads: usize,
    #[source]
    source: rayon::ThreadPoolBuildError,
}

/// Runs native `prange` loops on a dedicated pool of `threads` threads from now on; `0` goes
/// back to the default (`KERNELC_THREADS`, else rayon's global pool with one thread per core).
pub fn set_threads(threads: usize) -> Result<(), ThreadPoolError> {
    let pool = match threads {
        0 => None,
        n => Some(Arc::new(build_pool(n)?)),
    };
    match EXPLICIT_POOL.write() {
        Ok(mut slot) => *slot = pool,
        Err(poisoned) => *poisoned.into_inner() = pool,
    }
    Ok(())
}

/// The number of threads a parallel loop started now would use.
pub fn current_threads() -> usize {
    match pool() {
        Some(pool) => pool.current_num_threads(),
        None => rayon::current_num_threads(),
    }
}

fn build_pool(threads: usize) -> Result<rayon::ThreadPool, ThreadPoolError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| ThreadPoolError { threads, source })
}

fn pool() -> Option<Arc<rayon::ThreadPool>> {
    let explicit = match EXPLICIT_POOL.read() {
        Ok(slot) => slot.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    };
    explicit.or_else(|| {
        ENV_POOL
            .get_or_init(|| {
                let threads = std::env::var("KERNELC_THREADS").ok()?.trim().parse().ok()?;
                // A bad value (0, or a pool that cannot be built) keeps the default pool.
                (threads > 0)
                    .then(|| build_pool(threads).ok().map(Arc::new))
                    .flatten()
            })
            .clone()
    })
}

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

/// Tells a chunk that a lower chunk failed, so its remaining iterations are moot.
#[derive(Clone, Copy, Debug)]
pub struct Cancel<'a> {
    index: usize,
    failed: &'a AtomicUsize,
}

impl Cancel<'_> {
    /// Whether a lower chunk already failed.
    #[inline(always)]
    pub fn cancelled(self) -> bool {
        self.failed.load(Ordering::Relaxed) < self.index
    }
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
    let total = match iter.size_hint() {
        (low, Some(high)) if low == high => low,
        // Not countable in `usize`: one chunk, in order.
        _ => usize::MAX,
    };
    // SAFETY: the caller guarantees concurrent calls of `body` are sound.
    let body = unsafe { SyncBody::new(body) };
    let body = &body;
    if total == 0 {
        // No partials: combining identities would turn a `-0.0` sum into `+0.0`.
        return Ok(Vec::new());
    }
    let failed = AtomicUsize::new(usize::MAX);
    let run = |index: usize, start: usize, len: usize| {
        let chunk = Chunk {
            iter: iter.clone().skip(start).take(len),
            cancel: Cancel {
                index,
                failed: &failed,
            },
        };
        let result = body.call(chunk);
        if result.is_err() {
            failed.fetch_min(index, Ordering::Relaxed);
        }
        result
    };
    let threads = current_threads();
    let chunks = total.min(threads.saturating_mul(CHUNKS_PER_THREAD));
    if total == usize::MAX || chunks <= 1 || threads <= 1 {
        return run(0, 0, total).map(|p| vec![p]);
    }
    let bounds = |c: usize| (total / chunks) * c + (total % chunks).min(c);
    let parallel = || {
        (0..chunks)
            .into_par_iter()
            .map(|c| run(c, bounds(c), bounds(c + 1) - bounds(c)))
            .collect::<Vec<_>>()
    };
    let results = match pool() {
        Some(pool) => pool.install(parallel),
        None => parallel(),
    };
    // The lowest failed chunk holds the lowest failing iteration: chunks before it finished.
    results.into_iter().collect()
}
