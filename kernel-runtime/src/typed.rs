//! [`TypedFunc`]: a handle whose Rust parameter and return types were checked against the
//! kernel's once, when it was made (in the spirit of wasmtime's `Func::typed`).
//!
//! The parameter types name the Rust types the caller passes, with `'static` standing for
//! "any lifetime": `TypedFunc<(ArrayView2<'static, f64>, ArrayViewMut1<'static, f64>, f64), f64>`
//! is called with `(x.view(), y.view_mut(), 2.0)` borrowed for as long as the call lasts
//! (inside a function body the lifetimes may be left out: `TypedFunc<(ArrayView2<f64>, f64),
//! f64>`). A call builds its arguments on the stack, checks only what types cannot promise
//! (aliasing of writable arrays; indices are bounds-checked by the kernel) and returns `R`
//! itself, not a [`Value`](crate::Value).

use std::marker::PhantomData;

use kernel_ir::abi::{RawArg, RawReturn};
use kernel_ir::{ArgType, ParamInfo, Scalar, TupleType, Type};
use ndarray::{ArrayView, ArrayViewMut, Dimension};

use crate::arg::{Arg, Element};
use crate::bind::{check_aliasing, raw_of};
use crate::error::{ArgumentError, Error};
use crate::function::Resolved;
use crate::interrupt::CallOptions;
use crate::module::Module;

/// A [`Module`] function with checked Rust types: `P` is a tuple of [`Param`]s, `R` a
/// [`Return`]. Owns a clone of the module, so it can be stored and sent anywhere.
pub struct TypedFunc<P, R> {
    module: Module,
    name: String,
    params: Vec<ParamInfo>,
    resolved: Resolved,
    _types: PhantomData<fn(P) -> R>,
}

impl<P, R> std::fmt::Debug for TypedFunc<P, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedFunc")
            .field("name", &self.name)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        TypedFunc {
            module: self.module.clone(),
            name: self.name.clone(),
            params: self.params.clone(),
            resolved: self.resolved.clone(),
            _types: PhantomData,
        }
    }
}

impl<P: Params, R: Return> TypedFunc<P, R> {
    pub(crate) fn new(module: &Module, name: &str) -> Result<TypedFunc<P, R>, Error> {
        let function = module.function(name)?;
        let types = P::types();
        function.check_count(types.len())?;
        let resolved = match function.resolved() {
            Some(resolved) => resolved.clone(),
            None => module.instantiate(name, &types)?,
        };
        for ((got, param), expected) in types
            .iter()
            .zip(function.params())
            .zip(&resolved.param_types)
        {
            if !fits(*got, *expected) {
                return Err(ArgumentError::HandleType {
                    param: param.name.clone(),
                    expected: *expected,
                    got: *got,
                }
                .into());
            }
        }
        if !returns(resolved.ret, R::kernel_type()) {
            return Err(ArgumentError::HandleReturn {
                function: name.to_string(),
                expected: resolved.ret,
                got: R::kernel_type().to_string(),
            }
            .into());
        }
        Ok(TypedFunc {
            module: module.clone(),
            name: name.to_string(),
            params: function.params().to_vec(),
            resolved,
            _types: PhantomData,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn module(&self) -> &Module {
        &self.module
    }

    /// Calls the function (see [`Function::call`](crate::Function::call)).
    pub fn call(&self, args: P::Args<'_>) -> Result<R, Error> {
        self.call_with(args, CallOptions::default())
    }

    /// Calls the function with a deadline or an extra interrupt handle (see
    /// [`Function::call_with`](crate::Function::call_with)).
    pub fn call_with(&self, args: P::Args<'_>, options: CallOptions<'_>) -> Result<R, Error> {
        P::with_args(args, |args, raw| {
            check_aliasing(args, &self.params, &self.resolved.param_types)?;
            let value = self.resolved.execute_raw(&self.module, raw, options)?;
            Ok(R::from_raw(value))
        })
    }
}

/// Whether an argument of Rust type `got` can be passed for a parameter of type `expected`
/// (a writable array may go where a read-only one is expected).
fn fits(got: ArgType, expected: Type) -> bool {
    match (got, expected) {
        (ArgType::Scalar(got), Type::Scalar(expected)) => got == expected,
        (
            ArgType::Array {
                elem,
                rank,
                mutable,
            },
            Type::Array(want),
        ) => elem == want.elem && rank == want.rank && (mutable || !want.mutable),
        _ => false,
    }
}

fn returns(ret: Type, rust: Type) -> bool {
    match (ret, rust) {
        (Type::Unit | Type::Never, Type::Unit) => true,
        (Type::Scalar(_) | Type::Tuple(_), _) => ret == rust,
        _ => false,
    }
}

/// A Rust type a [`TypedFunc`] passes for one kernel parameter: a scalar, a slice, or an
/// `ndarray` view, with `'static` standing for any lifetime ([`Param::Arg`] is the type of
/// the value actually passed).
pub trait Param: 'static {
    type Arg<'a>: Into<Arg<'a>>;
    const TYPE: ArgType;
}

macro_rules! scalar_params {
    ($($t:ty),*) => {$(
        impl Param for $t {
            type Arg<'a> = $t;
            const TYPE: ArgType = ArgType::Scalar(<$t as Element>::SCALAR);
        }
    )*};
}
scalar_params!(bool, i8, i16, i32, i64, u8, u16, u32, u64, usize, f32, f64);

const fn array<T: Element>(rank: Option<usize>, mutable: bool) -> ArgType {
    ArgType::Array {
        elem: T::SCALAR,
        rank: match rank {
            Some(rank) if rank <= 3 => rank as u8,
            // Ranks the language does not have fail the type check.
            _ => 0,
        },
        mutable,
    }
}

impl<T: Element> Param for &'static [T] {
    type Arg<'a> = &'a [T];
    const TYPE: ArgType = array::<T>(Some(1), false);
}

impl<T: Element> Param for &'static mut [T] {
    type Arg<'a> = &'a mut [T];
    const TYPE: ArgType = array::<T>(Some(1), true);
}

impl<T: Element, D: Dimension + 'static> Param for ArrayView<'static, T, D> {
    type Arg<'a> = ArrayView<'a, T, D>;
    const TYPE: ArgType = array::<T>(D::NDIM, false);
}

impl<T: Element, D: Dimension + 'static> Param for ArrayViewMut<'static, T, D> {
    type Arg<'a> = ArrayViewMut<'a, T, D>;
    const TYPE: ArgType = array::<T>(D::NDIM, true);
}

/// The parameter list of a [`TypedFunc`]: a tuple of [`Param`]s (up to 16).
pub trait Params: 'static {
    /// The values of one call.
    type Args<'a>;
    fn types() -> Vec<ArgType>;
    /// Runs `f` on the call's arguments and their raw forms, both on the stack.
    fn with_args<'a, T>(args: Self::Args<'a>, f: impl FnOnce(&[Arg<'a>], &[RawArg]) -> T) -> T;
}

impl Params for () {
    type Args<'a> = ();
    fn types() -> Vec<ArgType> {
        Vec::new()
    }
    fn with_args<'a, T>(_: (), f: impl FnOnce(&[Arg<'a>], &[RawArg]) -> T) -> T {
        f(&[], &[])
    }
}

macro_rules! tuple_params {
    ($($p:ident $a:ident),+) => {
        impl<$($p: Param),+> Params for ($($p,)+) {
            type Args<'a> = ($($p::Arg<'a>,)+);
            fn types() -> Vec<ArgType> {
                vec![$($p::TYPE),+]
            }
            fn with_args<'a, T>(
                args: Self::Args<'a>,
                f: impl FnOnce(&[Arg<'a>], &[RawArg]) -> T,
            ) -> T {
                let ($($a,)+) = args;
                let list = [$(Into::<Arg<'a>>::into($a)),+];
                let raw = list.each_ref().map(raw_of);
                f(&list, &raw)
            }
        }
    };
}
tuple_params!(A a);
tuple_params!(A a, B b);
tuple_params!(A a, B b, C c);
tuple_params!(A a, B b, C c, D d);
tuple_params!(A a, B b, C c, D d, E e);
tuple_params!(A a, B b, C c, D d, E e, F f);
tuple_params!(A a, B b, C c, D d, E e, F f, G g);
tuple_params!(A a, B b, C c, D d, E e, F f, G g, H h);
tuple_params!(A a, B b, C c, D d, E e, F f, G g, H h, I i);
tuple_params!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j);
tuple_params!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k);
tuple_params!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l);
tuple_params!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m);
tuple_params!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n);
tuple_params!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, O o);
tuple_params!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, O o, P p);

/// The Rust return type of a [`TypedFunc`]: `()`, a scalar, or a tuple of 2 to 4 scalars
/// (`(f64, i64)`).
pub trait Return: 'static {
    /// The kernel return type it stands for.
    fn kernel_type() -> Type;
    /// The value from the raw slots the tiers return (normalised for the checked type).
    fn from_raw(raw: RawReturn) -> Self;
}

/// A scalar [`Return`] type, also an element of a returned tuple.
pub trait ScalarReturn: Return {
    const SCALAR: Scalar;
    /// The value from one normalised raw slot.
    fn from_bits(bits: u64) -> Self;
}

impl Return for () {
    fn kernel_type() -> Type {
        Type::Unit
    }
    fn from_raw(_: RawReturn) {}
}

macro_rules! scalar_returns {
    ($($t:ty => |$raw:ident| $value:expr),* $(,)?) => {$(
        impl Return for $t {
            fn kernel_type() -> Type {
                Type::Scalar(<$t as Element>::SCALAR)
            }
            fn from_raw(raw: RawReturn) -> $t {
                <$t as ScalarReturn>::from_bits(raw.first())
            }
        }
        impl ScalarReturn for $t {
            const SCALAR: Scalar = <$t as Element>::SCALAR;
            fn from_bits($raw: u64) -> $t {
                $value
            }
        }
    )*};
}

macro_rules! tuple_returns {
    ($($t:ident $index:tt),+) => {
        impl<$($t: ScalarReturn),+> Return for ($($t,)+) {
            fn kernel_type() -> Type {
                TupleType::new(&[$($t::SCALAR),+]).map_or(Type::Unit, Type::Tuple)
            }
            fn from_raw(raw: RawReturn) -> Self {
                ($($t::from_bits(raw.0[$index]),)+)
            }
        }
    };
}
tuple_returns!(A 0, B 1);
tuple_returns!(A 0, B 1, C 2);
tuple_returns!(A 0, B 1, C 2, D 3);
scalar_returns!(
    bool => |raw| raw & 1 != 0,
    i8 => |raw| raw as i8,
    i16 => |raw| raw as i16,
    i32 => |raw| raw as i32,
    i64 => |raw| raw as i64,
    u8 => |raw| raw as u8,
    u16 => |raw| raw as u16,
    u32 => |raw| raw as u32,
    u64 => |raw| raw,
    usize => |raw| raw as usize,
    f32 => |raw| f32::from_bits(raw as u32),
    f64 => |raw| f64::from_bits(raw),
);
