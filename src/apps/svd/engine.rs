//! Running the SVD kernels in one tier: [`Tier`] names the tiers, [`Engine`] holds what a
//! tier needs (a compiled [`Module`] for the runtime tiers) and calls a kernel by name with
//! the same arguments whichever tier runs it.

use kernel_runtime::{Arg, Backend, CompileError, KernelError, Module, Options, Value};

/// One way of running the kernels. All three give bit-identical results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Tier {
    /// kernel-runtime's interpreter (the reference semantics).
    Interpreter,
    /// The Cranelift JIT (`Backend::Jit`).
    Jit,
    /// The `#[kernel]` expansion: native Rust specialised from the same IR.
    #[default]
    Native,
}

impl Tier {
    /// Every tier.
    pub const ALL: &'static [Tier] = &[Tier::Interpreter, Tier::Jit, Tier::Native];

    pub fn name(self) -> &'static str {
        match self {
            Tier::Interpreter => "interpreter",
            Tier::Jit => "JIT",
            Tier::Native => "native",
        }
    }

    /// The runtime backend of a runtime tier (`None` for the native tier).
    fn backend(self) -> Option<Backend> {
        match self {
            Tier::Interpreter => Some(Backend::Interpreter),
            Tier::Jit => Some(Backend::Jit),
            Tier::Native => None,
        }
    }
}

impl std::fmt::Display for Tier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What can go wrong running the randomized SVD or ProNE.
#[derive(Debug, thiserror::Error)]
pub enum SvdError {
    /// The kernel source failed to compile for a runtime tier (a bug: it compiles natively).
    #[error("the kernels do not compile for the {tier}: {source}")]
    Compile {
        tier: Tier,
        #[source]
        source: Box<CompileError>,
    },
    /// A call through kernel-runtime failed (bad arguments or a runtime error).
    #[error("kernel `{kernel}` failed in the {tier}: {source}")]
    Runtime {
        kernel: &'static str,
        tier: Tier,
        #[source]
        source: Box<kernel_runtime::Error>,
    },
    /// A native kernel stopped with a runtime error.
    #[error("native kernel failed: {0}")]
    Kernel(#[from] KernelError),
    /// A kernel returned a value of an unexpected type (a bug in this module).
    #[error("kernel `{kernel}` returned {value:?}")]
    BadReturn { kernel: &'static str, value: Value },
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
}

/// A tier ready to run the kernels of one `#[kernel]` module.
#[derive(Debug)]
pub struct Engine {
    tier: Tier,
    module: Option<Module>,
}

impl Engine {
    /// Prepares `tier` for the kernel source `source` (compiled for a runtime tier).
    pub fn with_source(tier: Tier, source: &str) -> Result<Engine, SvdError> {
        let module = match tier.backend() {
            Some(backend) => {
                let options = Options {
                    backend,
                    ..Options::default()
                };
                let module =
                    Module::compile_with(source, options).map_err(|source| SvdError::Compile {
                        tier,
                        source: Box::new(source),
                    })?;
                Some(module)
            }
            None => None,
        };
        Ok(Engine { tier, module })
    }

    pub fn tier(&self) -> Tier {
        self.tier
    }

    /// The compiled module of a runtime tier (`None` for the native tier).
    pub fn module(&self) -> Option<&Module> {
        self.module.as_ref()
    }

    /// Calls `kernel` of the runtime module with `args`.
    pub fn call_runtime(
        &self,
        module: &Module,
        kernel: &'static str,
        args: &mut [Arg<'_>],
    ) -> Result<Value, SvdError> {
        let wrap = |source| SvdError::Runtime {
            kernel,
            tier: self.tier,
            source: Box::new(source),
        };
        let function = module.function(kernel).map_err(wrap)?;
        function.call(args).map_err(wrap)
    }
}

/// Calls a kernel in the engine's tier: the native function of `$kernels` when the engine has
/// no module, else the runtime module's function of the same name. Evaluates to
/// `Result<Value, SvdError>` (`Value::Unit` for the native tier's unit kernels; use
/// [`dispatch_value`] for kernels that return something).
macro_rules! dispatch {
    ($engine:expr, $kernels:ident :: $name:ident ( $($arg:expr),* $(,)? )) => {
        match $engine.module() {
            None => $kernels::$name($($arg),*)
                .map(|()| ::kernel_runtime::Value::Unit)
                .map_err($crate::apps::svd::SvdError::from),
            Some(module) => $engine.call_runtime(
                module,
                stringify!($name),
                &mut [$(::kernel_runtime::Arg::from($arg)),*],
            ),
        }
    };
}
pub(crate) use dispatch;

/// [`dispatch`] for a kernel returning a scalar: the native result is wrapped in a `Value`.
macro_rules! dispatch_value {
    ($engine:expr, $kernels:ident :: $name:ident ( $($arg:expr),* $(,)? )) => {
        match $engine.module() {
            None => $kernels::$name($($arg),*)
                .map(::kernel_runtime::Value::from)
                .map_err($crate::apps::svd::SvdError::from),
            Some(module) => $engine.call_runtime(
                module,
                stringify!($name),
                &mut [$(::kernel_runtime::Arg::from($arg)),*],
            ),
        }
    };
}
pub(crate) use dispatch_value;
