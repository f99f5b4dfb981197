//! [`Function`]: a checked handle to one function of a [`Module`], and [`Prepared`]: one
//! whose argument kinds were checked once. The one call path of every tier: check the
//! arguments (`crate::bind`), specialise a generic function, then run the resolved function
//! in its [`Engine`] under the module's interrupt handle.

use kernel_ir::abi::{RawArg, RawReturn, RawScalar};
use kernel_ir::ir::FuncId;
use kernel_ir::{ArgType, ParamInfo, Type};

use crate::arg::Arg;
use crate::backend::Engine;
use crate::bind::{bind, check_aliasing, check_rank, ArgKind};
use crate::error::{ArgumentError, Error};
use crate::interrupt::{CallOptions, Watch};
use crate::module::Module;
use crate::value::Value;

/// A checked function ready to run: its id, its parameter types and where it runs.
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    pub id: FuncId,
    pub param_types: Vec<Type>,
    pub ret: Type,
    pub engine: Engine,
}

impl Resolved {
    pub(crate) fn new(function: &kernel_ir::ir::Function, id: FuncId, engine: Engine) -> Resolved {
        Resolved {
            id,
            param_types: function
                .params
                .iter()
                .map(|p| function.local(*p).ty)
                .collect(),
            ret: function.ret,
            engine,
        }
    }

    /// Runs the function on arguments already checked against its parameters.
    pub(crate) fn execute(
        &self,
        module: &Module,
        raw: &[RawArg],
        options: CallOptions<'_>,
    ) -> Result<Value, Error> {
        let value = self.execute_raw(module, raw, options)?;
        // SAFETY: `value` is what the call of the function returning `self.ret` produced,
        // used once.
        Ok(unsafe { Value::from_returned(self.ret, value) })
    }

    /// [`Resolved::execute`] returning the raw slots of the result.
    pub(crate) fn execute_raw(
        &self,
        module: &Module,
        raw: &[RawArg],
        options: CallOptions<'_>,
    ) -> Result<RawReturn, Error> {
        let watch = Watch::new(module.interrupt(), &options);
        // SAFETY: every caller bound `raw` with `crate::bind` (or checked the argument types
        // once, as `Prepared` and `TypedFunc` do, and aliasing per call) against
        // `param_types`; the arrays are borrowed by the caller's `args` for the whole call,
        // so they stay alive; the flag lives until `watch` drops.
        Ok(unsafe { self.engine.run(self.id, raw, watch.flag()) }?)
    }
}

/// A handle to one function of a [`Module`]. It owns a clone of the module (a shared
/// handle), so it can be stored, sent to other threads and outlive the `Module` it came from.
#[derive(Clone, Debug)]
pub struct Function {
    module: Module,
    name: String,
    params: Vec<ParamInfo>,
    /// `None` for a generic function, resolved per call from the arguments' types.
    resolved: Option<Resolved>,
}

impl Function {
    pub(crate) fn new(
        module: Module,
        name: &str,
        params: Vec<ParamInfo>,
        resolved: Option<Resolved>,
    ) -> Function {
        Function {
            module,
            name: name.to_string(),
            params,
            resolved,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn params(&self) -> &[ParamInfo] {
        &self.params
    }

    pub(crate) fn module(&self) -> &Module {
        &self.module
    }

    /// The function a non-generic handle runs.
    pub(crate) fn resolved(&self) -> Option<&Resolved> {
        self.resolved.as_ref()
    }

    /// Calls the function. Arguments are checked against the parameters (count, types,
    /// mutability, aliasing) before anything runs; a generic function is specialised for the
    /// arguments' types on first use of that signature.
    ///
    /// The call stops early with `ErrorKind::Interrupted` when the module's
    /// [`InterruptHandle`](crate::InterruptHandle) is interrupted.
    pub fn call(&self, args: &mut [Arg<'_>]) -> Result<Value, Error> {
        self.call_with(args, CallOptions::default())
    }

    /// [`Function::call`] that also stops with `ErrorKind::Timeout` once `options.deadline`
    /// has passed, and with `ErrorKind::Interrupted` when `options.interrupt` is interrupted.
    /// Kernels poll at loop back-edges and calls only (see
    /// [`InterruptHandle`](crate::InterruptHandle)), so a kernel stops within one innermost
    /// loop of the request.
    pub fn call_with(
        &self,
        args: &mut [Arg<'_>],
        options: CallOptions<'_>,
    ) -> Result<Value, Error> {
        let (resolved, raw) = self.bind(args)?;
        resolved.execute(&self.module, &raw, options)
    }

    /// Checks `args` once, as [`Function::call`] does (specialising a generic function for
    /// their types), and returns a handle for calling the function again and again with
    /// arguments of the same types: [`Prepared::call`] re-checks only what can change between
    /// calls (shapes and aliasing) and allocates nothing, for calls from a Rust loop.
    pub fn prepare(&self, args: &[Arg<'_>]) -> Result<Prepared, Error> {
        let (resolved, raw) = self.bind(args)?;
        let resolved = resolved.into_owned();
        Ok(Prepared {
            function: self.clone(),
            resolved,
            kinds: args.iter().map(ArgKind::of).collect(),
            raw,
        })
    }

    /// The function to run for `args` (the instance of a generic function for their types)
    /// and the checked raw arguments.
    pub(crate) fn bind(
        &self,
        args: &[Arg<'_>],
    ) -> Result<(std::borrow::Cow<'_, Resolved>, Vec<RawArg>), Error> {
        self.check_count(args.len())?;
        let resolved = match &self.resolved {
            Some(resolved) => std::borrow::Cow::Borrowed(resolved),
            None => std::borrow::Cow::Owned(self.resolve_generic(args)?),
        };
        let raw = bind(args, &self.params, &resolved.param_types)?;
        Ok((resolved, raw))
    }

    pub(crate) fn check_count(&self, got: usize) -> Result<(), ArgumentError> {
        if got == self.params.len() {
            return Ok(());
        }
        Err(ArgumentError::Count {
            function: self.name.clone(),
            expected: self.params.len(),
            got,
        })
    }

    /// The instance of a generic function for the types of `args`.
    fn resolve_generic(&self, args: &[Arg<'_>]) -> Result<Resolved, Error> {
        let arg_types = self.generic_arg_types(args)?;
        self.module.instantiate(&self.name, &arg_types)
    }

    /// The argument types a generic function is specialised for.
    fn generic_arg_types(&self, args: &[Arg<'_>]) -> Result<Vec<ArgType>, ArgumentError> {
        args.iter()
            .zip(&self.params)
            .map(|(arg, param)| {
                check_rank(arg, &param.name)?;
                arg.arg_type().ok_or_else(|| ArgumentError::Unit {
                    param: param.name.clone(),
                })
            })
            .collect()
    }
}

/// A [`Function`] whose argument types were checked once by [`Function::prepare`].
///
/// [`Prepared::call`] takes arguments of the same kinds (scalar types, array element types,
/// ranks and writability) as the ones it was prepared with: it compares those kinds, re-checks
/// aliasing (views may change between calls; shapes need no check, kernels bounds-check) and
/// runs the kernel, reusing one argument buffer; when the arrays are the very views of the
/// previous call, even the aliasing check is skipped. Arguments of other kinds get the full
/// checks of [`Function::call`], with the same errors (and a generic function is specialised
/// for them).
#[derive(Debug)]
pub struct Prepared {
    /// The handle it was prepared from: it serves arguments of other kinds (a generic one
    /// specialises for them).
    function: Function,
    /// The function the prepared kinds run.
    resolved: Resolved,
    kinds: Vec<ArgKind>,
    raw: Vec<RawArg>,
}

impl Prepared {
    pub fn function(&self) -> &Function {
        &self.function
    }

    /// Calls the function (see [`Function::call`]).
    pub fn call(&mut self, args: &mut [Arg<'_>]) -> Result<Value, Error> {
        self.call_with(args, CallOptions::default())
    }

    /// Calls the function with a deadline or an extra interrupt handle (see
    /// [`Function::call_with`]).
    pub fn call_with(
        &mut self,
        args: &mut [Arg<'_>],
        options: CallOptions<'_>,
    ) -> Result<Value, Error> {
        if args.len() != self.kinds.len() {
            return self.function.call_with(args, options);
        }
        // One pass: the kinds must be the prepared ones; arrays that differ from last call's
        // need the aliasing check again.
        let mut arrays_changed = false;
        for ((slot, arg), kind) in self.raw.iter_mut().zip(args.iter()).zip(&self.kinds) {
            let raw = match (arg, kind) {
                (Arg::Scalar(value), ArgKind::Scalar(scalar)) if value.scalar() == *scalar => {
                    RawArg::Scalar(RawScalar(value.to_raw()))
                }
                (
                    Arg::Array(a) | Arg::ArrayMut(a),
                    ArgKind::Array {
                        elem,
                        rank,
                        writable,
                    },
                ) if a.elem() == *elem
                    && a.rank() == *rank
                    && matches!(arg, Arg::ArrayMut(_)) == *writable =>
                {
                    let raw = RawArg::Array(a.raw());
                    arrays_changed |= raw != *slot;
                    raw
                }
                _ => {
                    // The next prepared call must check everything again.
                    self.forget_arrays();
                    return self.function.call_with(args, options);
                }
            };
            *slot = raw;
        }
        // Whether arrays overlap depends only on their kinds and layouts: the same views as
        // last time (a Rust loop passing the same buffers) were checked already.
        if arrays_changed {
            let checked = check_aliasing(args, &self.function.params, &self.resolved.param_types);
            if let Err(error) = checked {
                self.forget_arrays();
                return Err(error.into());
            }
        }
        self.resolved
            .execute(&self.function.module, &self.raw, options)
    }

    /// Makes the next call check aliasing whatever its arrays.
    fn forget_arrays(&mut self) {
        self.raw
            .iter_mut()
            .for_each(|slot| *slot = RawArg::Scalar(Default::default()));
    }
}
