//! Runs a generated program in one tier and reduces what happened to a comparable
//! [`Outcome`]: the return value's bits, every array argument's logical values after the
//! call, or the failure (runtime error with kind and location, compile or argument error,
//! panic).
//!
//! Floats compare by bits, except that every NaN is one value (the language leaves NaN sign
//! and payload unspecified). Every call runs under `catch_unwind`: a panic in any tier is an
//! outcome of its own, and always a failure.

use std::panic::{catch_unwind, AssertUnwindSafe};

use kernel_runtime::{Arg, Backend, Error, KernelError, Module, Options, Value};
use ndarray::{
    Array, ArrayD, ArrayView, ArrayViewMut, Axis, Dimension, IxDyn, ShapeBuilder, Slice,
};

use crate::gen::{Input, Layout, Param, Program, Ty};

/// Why a call did not return a value.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// A runtime error: kind, function and `line:col` all compared.
    Kernel(KernelError),
    /// The program did not compile (a generator bug or a front-end bug).
    Compile(String),
    /// The arguments were rejected (a harness bug or a runtime bug).
    Argument(String),
    /// The tier panicked.
    Panic(String),
}

/// What one tier did with one program and its inputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The return value as `(type, canonical bits)`.
    pub result: Result<(Ty, u64), Failure>,
    /// Every array argument after the call, in logical order, canonical bits.
    pub arrays: Vec<Vec<u64>>,
}

impl Outcome {
    pub fn is_panic(&self) -> bool {
        matches!(self.result, Err(Failure::Panic(_)))
    }

    pub fn is_kernel_error(&self) -> bool {
        matches!(self.result, Err(Failure::Kernel(_)))
    }

    /// A readable form for mismatch reports.
    pub fn describe(&self) -> String {
        let result = match &self.result {
            Ok((ty, bits)) => format!("returned {}", crate::gen::value_text(*ty, *bits)),
            Err(Failure::Kernel(e)) => format!("error {e} ({:?})", e.kind),
            Err(other) => format!("{other:?}"),
        };
        format!("{result}; arrays after the call: {:?}", self.arrays)
    }
}

/// Whether two tiers agree on one call of `program`: the same result (value or failure) and
/// the same arrays afterwards, except after a runtime error in a program with `prange`
/// loops, when chunks after the failing iteration's may have run some of their iterations
/// (the spec leaves that open): then the error alone must agree.
pub fn agree(program: &Program, a: &Outcome, b: &Outcome) -> bool {
    a.result == b.result && ((program.parallel && a.is_kernel_error()) || a.arrays == b.arrays)
}

/// A NaN stands for every NaN.
const CANONICAL_NAN: u64 = u64::MAX;

fn canonical(ty: Ty, bits: u64) -> u64 {
    match ty {
        Ty::F32 if f32::from_bits(bits as u32).is_nan() => CANONICAL_NAN,
        Ty::F64 if f64::from_bits(bits).is_nan() => CANONICAL_NAN,
        _ => bits,
    }
}

fn value_bits(value: Value) -> Option<(Ty, u64)> {
    let (ty, bits) = match value {
        Value::Unit => return None,
        Value::Bool(v) => (Ty::Bool, v as u64),
        Value::I32(v) => (Ty::I32, v as i64 as u64),
        Value::I64(v) => (Ty::I64, v as u64),
        Value::U32(v) => (Ty::U32, v.into()),
        Value::U64(v) => (Ty::U64, v),
        Value::Usize(v) => (Ty::Usize, v as u64),
        Value::F32(v) => (Ty::F32, v.to_bits().into()),
        Value::F64(v) => (Ty::F64, v.to_bits()),
    };
    Some((ty, canonical(ty, bits)))
}

/// An array argument's storage, owned, with its layout already applied (so its logical
/// values are the input's, whatever the strides).
#[derive(Clone, Debug)]
pub enum AnyArray {
    I32(ArrayD<i32>),
    I64(ArrayD<i64>),
    U32(ArrayD<u32>),
    U64(ArrayD<u64>),
    Usize(ArrayD<usize>),
    F32(ArrayD<f32>),
    F64(ArrayD<f64>),
    Bool(ArrayD<bool>),
}

macro_rules! each_array {
    ($value:expr, $a:ident => $body:expr) => {
        match $value {
            AnyArray::I32($a) => $body,
            AnyArray::I64($a) => $body,
            AnyArray::U32($a) => $body,
            AnyArray::U64($a) => $body,
            AnyArray::Usize($a) => $body,
            AnyArray::F32($a) => $body,
            AnyArray::F64($a) => $body,
            AnyArray::Bool($a) => $body,
        }
    };
}

/// Element types: bits in and out, and the storage variant.
pub trait Elem: Copy + Default + 'static {
    const TY: Ty;
    fn from_bits(bits: u64) -> Self;
    fn to_bits(self) -> u64;
    fn wrap(array: ArrayD<Self>) -> AnyArray;
    fn storage(array: &mut AnyArray) -> Option<&mut ArrayD<Self>>;
    fn from_value(value: Value) -> Option<Self>;
}

macro_rules! elems {
    ($($t:ty => $variant:ident, $as:ident, |$b:ident| $from:expr, |$v:ident| $to:expr);* $(;)?) => {$(
        impl Elem for $t {
            const TY: Ty = Ty::$variant;
            fn from_bits($b: u64) -> Self {
                $from
            }
            fn to_bits(self) -> u64 {
                let $v = self;
                $to
            }
            fn wrap(array: ArrayD<Self>) -> AnyArray {
                AnyArray::$variant(array)
            }
            fn storage(array: &mut AnyArray) -> Option<&mut ArrayD<Self>> {
                match array {
                    AnyArray::$variant(a) => Some(a),
                    _ => None,
                }
            }
            fn from_value(value: Value) -> Option<Self> {
                value.$as()
            }
        }
    )*};
}
elems!(
    i32 => I32, as_i32, |b| b as i32, |v| v as i64 as u64;
    i64 => I64, as_i64, |b| b as i64, |v| v as u64;
    u32 => U32, as_u32, |b| b as u32, |v| v.into();
    u64 => U64, as_u64, |b| b, |v| v;
    usize => Usize, as_usize, |b| b as usize, |v| v as u64;
    f32 => F32, as_f32, |b| f32::from_bits(b as u32), |v| v.to_bits().into();
    f64 => F64, as_f64, |b| f64::from_bits(b), |v| v.to_bits();
    bool => Bool, as_bool, |b| b & 1 != 0, |v| v as u64;
);

/// One argument, ready to be handed to any tier.
#[derive(Debug)]
pub enum Stored {
    Scalar(Value),
    /// The whole storage (gaps included, for strided arguments).
    Array {
        array: AnyArray,
        mutable: bool,
        strided: bool,
    },
}

fn build<T: Elem>(shape: &[usize], data: &[u64], layout: Layout) -> ArrayD<T> {
    let values: Vec<T> = data.iter().map(|b| T::from_bits(*b)).collect();
    let logical = ArrayD::from_shape_vec(IxDyn(shape), values)
        .unwrap_or_else(|_| ArrayD::from_elem(IxDyn(shape), T::default()));
    match layout {
        Layout::C => logical,
        Layout::Fortran => {
            let mut f = ArrayD::from_elem(IxDyn(shape).f(), T::default());
            f.assign(&logical);
            f
        }
        Layout::Reversed => {
            let mut stored = logical.clone();
            stored.invert_axis(Axis(0));
            let mut stored = stored.as_standard_layout().into_owned();
            stored.invert_axis(Axis(0));
            stored
        }
        Layout::Strided => {
            let mut doubled = shape.to_vec();
            doubled[0] *= 2;
            let mut stored = ArrayD::from_elem(IxDyn(&doubled), T::from_bits(GAP_SENTINEL));
            stored
                .slice_axis_mut(Axis(0), Slice::new(0, None, 2))
                .assign(&logical);
            stored
        }
    }
}

/// What the gaps of a strided argument hold; no tier may change it.
const GAP_SENTINEL: u64 = 0x5a5a_5a5a_5a5a_5a5a;

/// The part of `storage` the kernel sees, read-only.
fn visible_ref<T>(storage: &ArrayD<T>, strided: bool) -> ArrayView<'_, T, IxDyn> {
    let view = storage.view();
    if strided {
        view.slice_axis_move(Axis(0), Slice::new(0, None, 2))
    } else {
        view
    }
}

/// The part of `storage` the kernel sees.
fn visible<T>(storage: &mut ArrayD<T>, strided: bool) -> ArrayViewMut<'_, T, IxDyn> {
    let view = storage.view_mut();
    if strided {
        view.slice_axis_move(Axis(0), Slice::new(0, None, 2))
    } else {
        view
    }
}

fn value_of(ty: Ty, bits: u64) -> Value {
    match ty {
        Ty::Bool => Value::Bool(bits & 1 != 0),
        Ty::I32 => Value::I32(bits as i32),
        Ty::I64 => Value::I64(bits as i64),
        Ty::U32 => Value::U32(bits as u32),
        Ty::U64 => Value::U64(bits),
        Ty::Usize => Value::Usize(bits as usize),
        Ty::F32 => Value::F32(f32::from_bits(bits as u32)),
        Ty::F64 => Value::F64(f64::from_bits(bits)),
    }
}

/// Fresh storage for every argument.
pub fn store(program: &Program, inputs: &[Input]) -> Vec<Stored> {
    program
        .params
        .iter()
        .zip(inputs)
        .map(|(param, input)| match (param, input) {
            (
                Param::Array(spec),
                Input::Array {
                    elem,
                    shape,
                    data,
                    layout,
                },
            ) => {
                let array = match elem {
                    Ty::I32 => AnyArray::I32(build(shape, data, *layout)),
                    Ty::I64 => AnyArray::I64(build(shape, data, *layout)),
                    Ty::U32 => AnyArray::U32(build(shape, data, *layout)),
                    Ty::U64 => AnyArray::U64(build(shape, data, *layout)),
                    Ty::Usize => AnyArray::Usize(build(shape, data, *layout)),
                    Ty::F32 => AnyArray::F32(build(shape, data, *layout)),
                    Ty::F64 => AnyArray::F64(build(shape, data, *layout)),
                    Ty::Bool => AnyArray::Bool(build(shape, data, *layout)),
                };
                Stored::Array {
                    array,
                    mutable: spec.mutable,
                    strided: *layout == Layout::Strided,
                }
            }
            (_, Input::Scalar(ty, bits)) => Stored::Scalar(value_of(*ty, *bits)),
            (_, Input::Array { .. }) => Stored::Scalar(Value::Unit),
        })
        .collect()
}

fn array_bits(array: &AnyArray) -> Vec<u64> {
    fn bits<T: Elem>(a: &ArrayD<T>) -> Vec<u64> {
        a.iter().map(|x| canonical(T::TY, x.to_bits())).collect()
    }
    each_array!(array, a => bits(a))
}

fn arrays_after(stored: &[Stored]) -> Vec<Vec<u64>> {
    stored
        .iter()
        .filter_map(|s| match s {
            Stored::Array { array, .. } => Some(array_bits(array)),
            Stored::Scalar(_) => None,
        })
        .collect()
}

fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without message".into())
}

fn failure(error: Error) -> Failure {
    match error {
        Error::Kernel(k) => Failure::Kernel(k),
        Error::Compile(c) => Failure::Compile(c.render()),
        other => Failure::Argument(other.to_string()),
    }
}

/// Compiles the program for `backend` (`Err` if it does not compile or the compiler panics).
pub fn compile(program: &Program, backend: Backend) -> Result<Module, Failure> {
    let options = Options {
        backend,
        ..Options::default()
    };
    match catch_unwind(|| Module::compile_with(&program.source, options)) {
        Ok(Ok(module)) => Ok(module),
        Ok(Err(error)) => Err(Failure::Compile(error.render())),
        Err(payload) => Err(Failure::Panic(format!(
            "compiling: {}",
            panic_text(payload)
        ))),
    }
}

/// Runs the entry function of a compiled module on fresh copies of `inputs`.
pub fn run_module(module: &Module, program: &Program, inputs: &[Input]) -> Outcome {
    let mut stored = store(program, inputs);
    let result = catch_unwind(AssertUnwindSafe(|| {
        call_module(module, program, &mut stored)
    }));
    let result = match result {
        Ok(result) => result,
        Err(payload) => Err(Failure::Panic(panic_text(payload))),
    };
    Outcome {
        result,
        arrays: arrays_after(&stored),
    }
}

fn call_module(
    module: &Module,
    program: &Program,
    stored: &mut [Stored],
) -> Result<(Ty, u64), Failure> {
    let function = module.function(&program.entry).map_err(failure)?;
    let mut args: Vec<Arg<'_>> = stored
        .iter_mut()
        .map(|s| match s {
            Stored::Scalar(value) => Arg::from(*value),
            Stored::Array {
                array,
                mutable,
                strided,
            } => {
                if *mutable {
                    each_array!(array, a => Arg::from(visible(a, *strided)))
                } else {
                    each_array!(array, a => Arg::from(visible_ref(a, *strided)))
                }
            }
        })
        .collect();
    let value = function.call(&mut args).map_err(failure)?;
    value_bits(value).ok_or_else(|| Failure::Argument("the entry returned `()`".into()))
}

/// A native adapter generated by `build.rs`.
pub type NativeCall = fn(&mut [Stored]) -> Result<Value, KernelError>;

/// Runs a native adapter on fresh copies of `inputs`.
pub fn run_native(call: NativeCall, program: &Program, inputs: &[Input]) -> Outcome {
    let mut stored = store(program, inputs);
    let result = catch_unwind(AssertUnwindSafe(|| call(&mut stored)));
    let result = match result {
        Ok(Ok(value)) => {
            value_bits(value).ok_or_else(|| Failure::Argument("the entry returned `()`".into()))
        }
        Ok(Err(error)) => Err(Failure::Kernel(error)),
        Err(payload) => Err(Failure::Panic(panic_text(payload))),
    };
    Outcome {
        result,
        arrays: arrays_after(&stored),
    }
}

// The accessors below are called only by adapters generated from the same program
// description that `store` used, so a mismatch is a bug of this harness; they panic, and the
// panic is caught and reported like any other.
impl Stored {
    pub fn scalar<T: Elem>(&self) -> T {
        match self {
            Stored::Scalar(value) => T::from_value(*value).expect("scalar of the parameter's type"),
            Stored::Array { .. } => panic!("array given for a scalar parameter"),
        }
    }

    fn storage<T: Elem>(&mut self) -> &mut ArrayD<T> {
        match self {
            Stored::Array { array, .. } => T::storage(array).expect("element type"),
            Stored::Scalar(_) => panic!("scalar given for an array parameter"),
        }
    }

    fn strided(&self) -> bool {
        matches!(self, Stored::Array { strided: true, .. })
    }

    pub fn slice<T: Elem>(&mut self) -> &[T] {
        self.slice_mut()
    }

    pub fn slice_mut<T: Elem>(&mut self) -> &mut [T] {
        self.storage::<T>()
            .as_slice_mut()
            .expect("contiguous storage for a slice parameter")
    }

    pub fn view<T: Elem, D: Dimension>(&mut self) -> ArrayView<'_, T, D> {
        let strided = self.strided();
        visible_ref(self.storage::<T>(), strided)
            .into_dimensionality::<D>()
            .expect("rank")
    }

    pub fn view_mut<T: Elem, D: Dimension>(&mut self) -> ArrayViewMut<'_, T, D> {
        let strided = self.strided();
        visible(self.storage::<T>(), strided)
            .into_dimensionality::<D>()
            .expect("rank")
    }

    pub fn take_owned<T: Elem, D: Dimension>(&mut self) -> Array<T, D> {
        let storage = self.storage::<T>();
        let owned = std::mem::replace(storage, ArrayD::from_elem(IxDyn(&[0]), T::default()));
        owned.into_dimensionality::<D>().expect("rank")
    }

    pub fn restore_owned<T: Elem, D: Dimension>(&mut self, owned: Array<T, D>) {
        *self.storage::<T>() = owned.into_dyn();
    }
}

/// The report printed for a mismatch: seed, program, inputs and each tier's outcome.
pub fn report(program: &Program, inputs: &[Input], outcomes: &[(&str, &Outcome)]) -> String {
    let mut text = format!(
        "seed {} — program:\n{}\ninputs:\n",
        program.seed, program.source
    );
    for (param, input) in program.params.iter().zip(inputs) {
        let name = match param {
            Param::Scalar { name, .. } => name.clone(),
            Param::Array(spec) => spec.name.clone(),
        };
        text.push_str(&format!("  {name} = {input}\n"));
    }
    for (tier, outcome) in outcomes {
        text.push_str(&format!("{tier}: {}\n", outcome.describe()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::{self, Config};

    fn program_with_source(source: &str, params: Vec<Param>, ret: Ty) -> Program {
        Program {
            seed: 0,
            source: source.into(),
            entry: "k0".into(),
            params,
            ret,
            parallel: source.contains("prange("),
            sizes: Vec::new(),
            tags: Vec::new(),
        }
    }

    #[test]
    fn nan_payloads_compare_equal_but_signed_zeros_do_not() {
        let quiet = f64::NAN.to_bits();
        let other = quiet | 0x1234 | (1 << 63);
        assert_eq!(canonical(Ty::F64, quiet), canonical(Ty::F64, other));
        assert_ne!(
            canonical(Ty::F64, 0.0f64.to_bits()),
            canonical(Ty::F64, (-0.0f64).to_bits())
        );
        let nan32 = u64::from(f32::NAN.to_bits() | 0x8000_0001);
        assert_eq!(canonical(Ty::F32, nan32), CANONICAL_NAN);
    }

    /// Guards the harness: a planted difference between two tiers' outcomes is caught.
    #[test]
    fn a_planted_difference_is_detected() {
        let source =
            "// test\nfn k0(x: f64, a: &mut [f64]) -> f64 {\n    a[0] = x;\n    x * 2.0\n}\n";
        let spec = gen::ArraySpec {
            name: "a".into(),
            elem: Ty::F64,
            rank: 1,
            mutable: true,
            form: gen::Form::Slice,
        };
        let program = program_with_source(
            source,
            vec![
                Param::Scalar {
                    name: "x".into(),
                    ty: Ty::F64,
                    generic: false,
                },
                Param::Array(spec),
            ],
            Ty::F64,
        );
        let inputs = vec![
            Input::Scalar(Ty::F64, 1.5f64.to_bits()),
            Input::Array {
                elem: Ty::F64,
                shape: vec![2],
                data: vec![0, 0],
                layout: Layout::C,
            },
        ];
        let interp = compile(&program, Backend::Interpreter).expect("compiles");
        let jit = compile(&program, Backend::Jit).expect("compiles");
        let a = run_module(&interp, &program, &inputs);
        let b = run_module(&jit, &program, &inputs);
        assert_eq!(a, b);
        assert_eq!(a.result, Ok((Ty::F64, 3.0f64.to_bits())));
        assert_eq!(a.arrays, vec![vec![1.5f64.to_bits(), 0]]);
        let mut planted = b.clone();
        planted.arrays[0][1] = (-0.0f64).to_bits();
        assert_ne!(a, planted);
        let mut planted = b;
        planted.result = Ok((Ty::F64, 3.0000000000000004f64.to_bits()));
        assert_ne!(a, planted);
    }

    fn slice_program(source: &str, elem: Ty, mutable: bool, ret: Ty) -> Program {
        let spec = gen::ArraySpec {
            name: "a".into(),
            elem,
            rank: 1,
            mutable,
            form: gen::Form::Slice,
        };
        program_with_source(source, vec![Param::Array(spec)], ret)
    }

    fn slice_input(elem: Ty, data: Vec<u64>) -> Vec<Input> {
        vec![Input::Array {
            elem,
            shape: vec![data.len()],
            data,
            layout: Layout::C,
        }]
    }

    /// Guards the point of generating `prange`: under the harness the JIT really runs it in
    /// chunks (a float sum, which the generator never emits, comes out reassociated).
    #[test]
    fn the_jit_runs_prange_in_chunks_under_the_harness() {
        kernel_runtime::set_threads(2).expect("a pool of two threads");
        let source = "// test\nfn k0(a: &[f64]) -> f64 {\n    let mut s = 0.0;\n    for i in prange(0..a.len()) {\n        s += a[i];\n    }\n    s\n}\n";
        let program = slice_program(source, Ty::F64, false, Ty::F64);
        assert!(program.parallel);
        // 16 iterations in 8 chunks of 2: `1e16 + 1` rounds back to `1e16` in order, but the
        // chunks' partial sums `2.0` survive.
        let mut data = vec![1.0f64.to_bits(); 16];
        data[0] = 1e16f64.to_bits();
        let inputs = slice_input(Ty::F64, data);
        let interp = compile(&program, Backend::Interpreter).expect("compiles");
        let jit = compile(&program, Backend::Jit).expect("compiles");
        let a = run_module(&interp, &program, &inputs);
        let b = run_module(&jit, &program, &inputs);
        assert_eq!(a.result, Ok((Ty::F64, 1e16f64.to_bits())));
        assert_eq!(b.result, Ok((Ty::F64, (1e16f64 + 14.0).to_bits())));
        assert!(!agree(&program, &a, &b));
    }

    /// After a runtime error, a program with `prange` is compared on the error alone;
    /// without `prange`, on the arrays too.
    #[test]
    fn after_an_error_parallel_programs_compare_the_error_only() {
        let source = "// test\nfn k0(a: &mut [i64]) -> i64 {\n    for i in prange(0..a.len() + 1) {\n        a[i] = 7;\n    }\n    0\n}\n";
        let mut program = slice_program(source, Ty::I64, true, Ty::I64);
        let inputs = slice_input(Ty::I64, vec![0; 12]);
        let jit = compile(&program, Backend::Jit).expect("compiles");
        let a = run_module(&jit, &program, &inputs);
        assert!(a.is_kernel_error(), "{a:?}");
        assert_eq!(a.arrays, vec![vec![7; 12]]);
        let mut planted = a.clone();
        planted.arrays[0][3] = 0;
        assert!(agree(&program, &a, &a));
        assert!(agree(&program, &a, &planted));
        program.parallel = false;
        assert!(!agree(&program, &a, &planted));
        let mut other_error = planted;
        other_error.result = Ok((Ty::I64, 0));
        program.parallel = true;
        assert!(!agree(&program, &a, &other_error));
    }

    /// A good share of generated programs has `prange` loops, and the checker accepts them
    /// (its rules for parallel loops included).
    #[test]
    fn generated_parallel_loops_are_common_and_legal() {
        let mut parallel = 0;
        for seed in 0..60 {
            let program = gen::program(seed, Config { generic: true });
            if program.parallel {
                parallel += 1;
                if let Err(failure) = compile(&program, Backend::Interpreter) {
                    panic!("seed {seed}: {failure:?}\n{}", program.source);
                }
            }
        }
        assert!(parallel >= 15, "{parallel} of 60 programs have `prange`");
    }

    #[test]
    fn runtime_errors_carry_their_location() {
        let source = "// test\nfn k0(a: &[i32], i: usize) -> i32 {\n    a[i] / 1\n}\n";
        let spec = gen::ArraySpec {
            name: "a".into(),
            elem: Ty::I32,
            rank: 1,
            mutable: false,
            form: gen::Form::Slice,
        };
        let program = program_with_source(
            source,
            vec![
                Param::Array(spec),
                Param::Scalar {
                    name: "i".into(),
                    ty: Ty::Usize,
                    generic: false,
                },
            ],
            Ty::I32,
        );
        let inputs = vec![
            Input::Array {
                elem: Ty::I32,
                shape: vec![2],
                data: vec![1, 2],
                layout: Layout::C,
            },
            Input::Scalar(Ty::Usize, 7),
        ];
        let interp = compile(&program, Backend::Interpreter).expect("compiles");
        let outcome = run_module(&interp, &program, &inputs);
        let Err(Failure::Kernel(error)) = outcome.result else {
            panic!("expected a runtime error, got {outcome:?}");
        };
        assert_eq!(
            (error.line, error.col, error.function.as_str()),
            (3, 5, "k0")
        );
    }

    #[test]
    fn generation_is_deterministic() {
        for seed in 0..20 {
            let a = gen::program(seed, Config { generic: true });
            let b = gen::program(seed, Config { generic: true });
            assert_eq!(a.source, b.source);
            assert_eq!(gen::inputs(&a, 3), gen::inputs(&b, 3));
        }
    }
}
