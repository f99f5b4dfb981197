//! Running the SVD kernels in one tier: [`Engine`] holds the kernels' [`Module`] in the
//! [`Backend`] it was made for and calls a kernel by name with the same arguments whichever
//! tier runs it (all three give bit-identical results).

use kernel_runtime::{Arg, Backend, Module, NativeTable, Options, Value};

/// What can go wrong running the randomized SVD or ProNE.
#[derive(Debug, thiserror::Error)]
pub enum SvdError {
    /// The kernels could not be prepared for a tier (a bug: they compile natively).
    #[error("the kernels do not compile for the {tier}: {source}")]
    Compile {
        tier: Backend,
        #[source]
        source: Box<kernel_runtime::Error>,
    },
    /// A kernel call failed (bad arguments or a runtime error), in any tier.
    #[error("kernel `{kernel}` failed in the {tier}: {source}")]
    Runtime {
        kernel: &'static str,
        tier: Backend,
        #[source]
        source: Box<kernel_runtime::Error>,
    },
    /// A kernel returned a value of an unexpected type (a bug in this module).
    #[error("kernel `{kernel}` returned {value:?}")]
    BadReturn {
        kernel: &'static str,
        /// Boxed: a `Value` can hold a returned array, which would make every `Result` as large.
        value: Box<Value>,
    },
    /// The sparse matrix is malformed.
    #[error(transparent)]
    Csr(#[from] super::CsrError),
    /// The requested rank does not fit the matrix.
    #[error("k = {k} is out of range: it must be between 1 and min(rows, cols) = {max}")]
    BadRank { k: usize, max: usize },
    /// The Jacobi iteration did not converge (only with NaN-free input that is pathological).
    #[error("the Jacobi SVD did not converge in {sweeps} sweeps")]
    NotConverged { sweeps: usize },
    /// A dense input has no elements or is not finite where it must be.
    #[error("the matrix is {rows}×{cols}; the SVD needs at least one row and one column")]
    Empty { rows: usize, cols: usize },
    /// CholeskyQR met a Gram matrix that is not positive definite even after a shift: the
    /// factor holds NaN or infinite values.
    #[error("CholeskyQR broke down: the Gram matrix of a {rows}×{cols} factor is not positive definite even when shifted (NaN or infinite entries?)")]
    Breakdown { rows: usize, cols: usize },
    /// The normaliser needs the whole factor on one process (LU and Householder QR pivot
    /// or reflect across all rows).
    #[error("the {normalizer} normaliser does not distribute over ranks; use cholqr2 (or none)")]
    NotDistributed { normalizer: &'static str },
}

/// The kernels of one `#[kernel]` module in one tier.
#[derive(Debug)]
pub struct Engine {
    tier: Backend,
    module: Module,
}

impl Engine {
    /// Prepares `tier` for the `#[kernel]` module whose table is `kernels` (its `NATIVE`).
    pub fn new(tier: Backend, kernels: &'static NativeTable) -> Result<Engine, SvdError> {
        let options = Options {
            backend: tier,
            ..Options::default()
        };
        let module = Module::from_table(kernels, options).map_err(|source| SvdError::Compile {
            tier,
            source: Box::new(source),
        })?;
        Ok(Engine { tier, module })
    }

    pub fn tier(&self) -> Backend {
        self.tier
    }

    /// Calls `kernel` with `args`, in whichever tier the engine runs.
    pub fn call(&self, kernel: &'static str, args: &mut [Arg<'_>]) -> Result<Value, SvdError> {
        let wrap = |source| SvdError::Runtime {
            kernel,
            tier: self.tier,
            source: Box::new(source),
        };
        let function = self.module.function(kernel).map_err(wrap)?;
        function.call(args).map_err(wrap)
    }
}

/// Calls kernel `$name` of the engine's module: `call!(engine, gemm(a, b, c))` passes each
/// argument through `Arg::from` and evaluates to `Result<Value, SvdError>`.
macro_rules! call {
    ($engine:expr, $name:ident ( $($arg:expr),* $(,)? )) => {
        $engine.call(stringify!($name), &mut [$(::kernel_runtime::Arg::from($arg)),*])
    };
}
pub(crate) use call;
