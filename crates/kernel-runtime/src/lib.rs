//! kernel-runtime: the library kernel users depend on.
//!
//! Compile a kernel source into a [`Module`], take a [`Function`] handle by name, and call it
//! with [`Arg`]s built from scalars, slices and `ndarray` views:
//!
//! ```ignore
//! use kernel_runtime::{Arg, Backend, Module, Options};
//! let module = Module::compile_with(SOURCE, Options { backend: Backend::Interpreter, ..Default::default() })?;
//! let f = module.function("pairwise")?;
//! let v = f.call(&mut [Arg::from(x.view()), Arg::from(d.view_mut()), Arg::from(3.0)])?;
//! ```
//!
//! Arguments are checked against the parameters before anything runs (count, scalar type,
//! element type, rank, mutability, and overlap of a writable array with any other array
//! argument); every mismatch is an [`ArgumentError`] naming the parameter. Runtime failures
//! are [`KernelError`]s; nothing panics.
//!
//! The interpreter tier (`interp`) is the language's reference semantics: it compiles each
//! checked function once into specialised closures and runs them over raw 64-bit slots.

mod arg;
mod error;
mod interp;
mod module;
mod value;

pub use kernel_ir as ir;
pub use kernel_ir::{
    ArgType, CompileError, Diagnostic, ErrorKind, KernelError, ParamInfo, Scalar, Span, Type,
};

pub use arg::{Arg, ArrayArg, Element};
pub use error::{ArgumentError, Error};
pub use module::{Function, Module};
pub use value::Value;

/// Which tier runs the kernels of a module.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Backend {
    /// The interpreter: runs the typed IR; the reference semantics.
    #[default]
    Interpreter,
}

/// Compile options of a [`Module`].
#[derive(Clone, Debug)]
pub struct Options {
    pub backend: Backend,
    /// Check every array index (the default). `false` removes the checks: an out-of-bounds
    /// index then reads or writes outside the array, which is undefined behaviour — only for
    /// kernels already known to index correctly.
    pub boundscheck: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            backend: Backend::default(),
            boundscheck: true,
        }
    }
}
