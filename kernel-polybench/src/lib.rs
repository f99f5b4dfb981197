//! kernel-polybench: thirteen PolyBench-style loop nests (gemm, 2mm, syrk, lu, cholesky,
//! jacobi-2d, fdtd-2d, heat-3d, atax, atax-scratch, floyd-warshall, durbin, nussinov) run in
//! every kernelc tier and in C compiled by gcc, to check that they agree bit for bit and to
//! time the tiers against gcc. The last ones are written as a new user would with the
//! language's allocated arrays, small integers and `match`: `durbin` allocates its scratch
//! vector (`vec![0.0; n]`), `atax-scratch` allocates its intermediate and returns its result
//! (`-> Array1<f64>`), `nussinov` folds a `u8` sequence, scoring pairs with a `match` on a
//! `const`.
//!
//! - [`kernels`]: the kernels in the kernel language, one `#[kernel] mod` feeding the native
//!   tier, the interpreter and the JIT.
//! - [`c`]: the same kernels in C (`c/polybench.c`, built by `build.rs` with
//!   `-O3 -march=native -ffp-contract=off`) behind safe wrappers.
//! - [`suite`]: each kernel's deterministic inputs and how to run it in each tier.
//!
//! `tests/agree.rs` checks the tiers against C (and a too-large size parameter against each
//! other); `benches/polybench.rs` times them (`cargo bench -p kernel-polybench`). These are
//! our own versions of the kernels, written from the algorithms' descriptions; the loop orders
//! and input recipes follow PolyBench/C 4.2.1 so the timings are comparable in spirit.

pub mod c;
pub mod kernels;
pub mod suite;

pub use kernels::polybench;
