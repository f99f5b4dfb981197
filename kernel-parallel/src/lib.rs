//! The chunk scheduler behind `prange` loops, shared by the JIT and native tiers, and the
//! thread count setting.
//!
//! A parallel loop of `total` iterations is split into a fixed number of contiguous chunks:
//! four per thread, so a slow chunk does not leave a core idle. Chunks run on rayon; each
//! returns its own partial result and [`run_chunks`] hands them back **in chunk order**, so a
//! caller that combines them in that order is deterministic for a given thread count.
//!
//! Errors: a chunk stops at its first runtime error. Chunks *after* the lowest failed chunk
//! are told to stop ([`Cancel::cancelled`]); chunks before it keep running, because one of
//! them may still fail at a lower iteration. The error returned is therefore the one of the
//! lowest failing iteration — the error a sequential run reports.
//!
//! Output: the chunks run with the calling thread's print sink (`kernel_ir::output`), so a
//! captured call captures what its parallel loops print too.
//!
//! Threads: rayon's global pool (the machine's cores) unless `KERNELC_THREADS` is set when the
//! first parallel loop runs or [`set_threads`] was called; either builds a dedicated pool.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use kernel_ir::output;
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

/// Runs `prange` loops on a dedicated pool of `threads` threads from now on; `0` goes back to
/// the default (`KERNELC_THREADS`, else rayon's global pool with one thread per core).
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

/// One chunk of a parallel loop: iterations `start .. start + len` of the loop's sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkSpan {
    /// The chunk's position in chunk order.
    pub index: usize,
    pub start: usize,
    pub len: usize,
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

impl<'a> Cancel<'a> {
    /// The flag [`Cancel::cancelled`] reads and this chunk's index, for generated code that
    /// polls them itself: the chunk is cancelled when `flag < index`.
    pub fn raw(self) -> (&'a AtomicUsize, usize) {
        (self.failed, self.index)
    }
}

/// Runs `body` over the chunks of a loop of `total` iterations (`None`: too many to count in a
/// `usize`, run as one chunk with `len == usize::MAX`) and returns the partials in chunk
/// order, or the error of the lowest failed chunk (see the module docs). A loop of no
/// iterations has no chunks: combining identities would turn a `-0.0` sum into `+0.0`.
pub fn run_chunks<P, E, F>(total: Option<usize>, body: &F) -> Result<Vec<P>, E>
where
    P: Send,
    E: Send,
    F: Fn(ChunkSpan, Cancel<'_>) -> Result<P, E> + Sync,
{
    let threads = current_threads();
    let chunks = |total: usize| {
        if threads <= 1 {
            1
        } else {
            total.min(threads.saturating_mul(CHUNKS_PER_THREAD))
        }
    };
    run_split(total, chunks, threads > 1, body)
}

/// Like [`run_chunks`], but the loop is split into `blocks(total)` chunks whatever the thread
/// count (one thread runs them in order): the split of a reassociated reduction is part of
/// the language's semantics, so the result must not depend on the machine.
pub fn run_blocks<P, E, F>(
    total: Option<usize>,
    blocks: impl Fn(usize) -> usize,
    body: &F,
) -> Result<Vec<P>, E>
where
    P: Send,
    E: Send,
    F: Fn(ChunkSpan, Cancel<'_>) -> Result<P, E> + Sync,
{
    run_split(total, blocks, current_threads() > 1, body)
}

/// Runs `body` over `chunks(total)` contiguous chunks, the first `total % chunks` one
/// iteration longer, on the pool when `parallel`.
fn run_split<P, E, F>(
    total: Option<usize>,
    chunks: impl Fn(usize) -> usize,
    parallel: bool,
    body: &F,
) -> Result<Vec<P>, E>
where
    P: Send,
    E: Send,
    F: Fn(ChunkSpan, Cancel<'_>) -> Result<P, E> + Sync,
{
    if total == Some(0) {
        return Ok(Vec::new());
    }
    let failed = AtomicUsize::new(usize::MAX);
    let run = |span: ChunkSpan| {
        let cancel = Cancel {
            index: span.index,
            failed: &failed,
        };
        let result = body(span, cancel);
        if result.is_err() {
            failed.fetch_min(span.index, Ordering::Relaxed);
        }
        result
    };
    let Some(total) = total else {
        return run(whole(usize::MAX)).map(|p| vec![p]);
    };
    let chunks = chunks(total).clamp(1, total);
    if chunks == 1 {
        return run(whole(total)).map(|p| vec![p]);
    }
    let bounds = |c: usize| (total / chunks) * c + (total % chunks).min(c);
    let span = |index: usize| ChunkSpan {
        index,
        start: bounds(index),
        len: bounds(index + 1) - bounds(index),
    };
    if !parallel {
        return (0..chunks).map(|index| run(span(index))).collect();
    }
    // What the kernel prints on the workers goes where it goes on the calling thread.
    let sink = output::current_sink();
    let parallel = || {
        (0..chunks)
            .into_par_iter()
            .map(|index| output::with_sink(&sink, || run(span(index))))
            .collect::<Vec<_>>()
    };
    let results = match pool() {
        Some(pool) => pool.install(parallel),
        None => parallel(),
    };
    results.into_iter().collect()
}

fn whole(len: usize) -> ChunkSpan {
    ChunkSpan {
        index: 0,
        start: 0,
        len,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn squares(total: usize) -> Result<Vec<u64>, usize> {
        run_chunks(Some(total), &|span: ChunkSpan, _| {
            Ok::<u64, usize>(
                (span.start..span.start + span.len)
                    .map(|i| (i * i) as u64)
                    .sum(),
            )
        })
        .map(|parts| vec![parts.iter().sum()])
    }

    #[test]
    fn partials_cover_every_iteration_once() {
        for total in [1, 2, 3, 7, 8, 9, 100, 1001] {
            let expected: u64 = (0..total).map(|i| (i * i) as u64).sum();
            assert_eq!(squares(total), Ok(vec![expected]), "total {total}");
        }
    }

    #[test]
    fn chunks_come_back_in_order_and_contiguous() {
        let spans = run_chunks(Some(1000), &|span: ChunkSpan, _| Ok::<_, ()>(span)).unwrap();
        let mut next = 0;
        for (position, span) in spans.iter().enumerate() {
            assert_eq!(span.index, position);
            assert_eq!(span.start, next);
            next += span.len;
        }
        assert_eq!(next, 1000);
    }

    #[test]
    fn empty_loop_has_no_partials() {
        let parts = run_chunks(Some(0), &|_, _| Ok::<u8, ()>(1)).unwrap();
        assert!(parts.is_empty());
    }

    #[test]
    fn lowest_failing_chunk_wins() {
        // Every iteration from 500 on fails: the error is the one at 500 whatever the order
        // in which chunks finish.
        for _ in 0..20 {
            let result = run_chunks(Some(1000), &|span: ChunkSpan, cancel: Cancel<'_>| {
                for i in span.start..span.start + span.len {
                    if cancel.cancelled() {
                        return Ok(());
                    }
                    if i >= 500 {
                        return Err(i);
                    }
                }
                Ok(())
            });
            assert_eq!(result, Err(500));
        }
    }

    #[test]
    fn uncountable_loops_run_as_one_chunk() {
        let spans = run_chunks(None, &|span: ChunkSpan, _| Ok::<_, ()>(span)).unwrap();
        assert_eq!(spans, vec![whole(usize::MAX)]);
    }
}
