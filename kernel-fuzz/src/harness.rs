//! Runs a generated program in one tier and reduces what happened to a comparable
//! [`Outcome`]: the return value's bits, every array argument's storage after the call, or
//! the failure (runtime error with kind and location, compile or argument error, panic).
//!
//! Every tier is a [`Module`] called through `Function::call`: the interpreter and the JIT
//! compile the program's source, the native tier is `Module::native` over a table `build.rs`
//! generated. Arguments are the test kit's owned arrays ([`kernel_testkit::TestArray`]), laid
//! out as the generator asked.
//!
//! Floats compare by bits, except that every NaN is one value (the language leaves NaN sign
//! and payload unspecified). Every call runs under `catch_unwind`: a panic in any tier is an
//! outcome of its own, and always a failure.

use std::panic::{catch_unwind, AssertUnwindSafe};

use kernel_runtime::{Backend, Error, KernelError, Module, Options, Scalar, Value};
use kernel_testkit::arg::{call, value_bits, value_from_bits};
use kernel_testkit::{array, OwnedArg, TestArray};

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
    /// Every array argument's whole storage after the call (gaps of strided arrays
    /// included), in logical order, canonical bits.
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

fn canonical(scalar: Scalar, bits: u64) -> u64 {
    match scalar {
        Scalar::F32 if f32::from_bits(bits as u32).is_nan() => CANONICAL_NAN,
        Scalar::F64 if f64::from_bits(bits).is_nan() => CANONICAL_NAN,
        _ => bits,
    }
}

/// The runtime's scalar type of a generator type.
fn scalar_of(ty: Ty) -> Scalar {
    Scalar::from_name(ty.name()).expect("every generator type is a kernel scalar")
}

/// The generator type of a runtime scalar type.
fn ty_of(scalar: Scalar) -> Ty {
    Ty::ALL
        .into_iter()
        .find(|ty| ty.name() == scalar.name())
        .expect("every kernel scalar is a generator type")
}

fn layout_of(layout: Layout) -> array::Layout {
    match layout {
        Layout::C => array::Layout::C,
        Layout::Fortran => array::Layout::Fortran,
        Layout::Reversed => array::Layout::Reversed,
        Layout::Strided => array::Layout::Strided,
    }
}

/// Fresh storage for every argument.
pub fn store(program: &Program, inputs: &[Input]) -> Vec<OwnedArg> {
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
            ) => OwnedArg::Array {
                array: TestArray::from_bits(scalar_of(*elem), shape, data, layout_of(*layout)),
                mutable: spec.mutable,
            },
            (_, Input::Scalar(ty, bits)) => {
                OwnedArg::Scalar(value_from_bits(scalar_of(*ty), *bits))
            }
            (_, Input::Array { .. }) => OwnedArg::Scalar(Value::Unit),
        })
        .collect()
}

fn arrays_after(args: &[OwnedArg]) -> Vec<Vec<u64>> {
    args.iter()
        .filter_map(OwnedArg::as_array)
        .map(|array| {
            let elem = array.elem();
            array
                .storage_bits()
                .into_iter()
                .map(|bits| canonical(elem, bits))
                .collect()
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

/// Runs the entry function of a module, in any tier (the native tier's from
/// `Module::native`), on fresh copies of `inputs`.
pub fn run_module(module: &Module, program: &Program, inputs: &[Input]) -> Outcome {
    let mut args = store(program, inputs);
    let result = catch_unwind(AssertUnwindSafe(|| call_module(module, program, &mut args)));
    let result = match result {
        Ok(result) => result,
        Err(payload) => Err(Failure::Panic(panic_text(payload))),
    };
    Outcome {
        result,
        arrays: arrays_after(&args),
    }
}

fn call_module(
    module: &Module,
    program: &Program,
    args: &mut [OwnedArg],
) -> Result<(Ty, u64), Failure> {
    let function = module.function(&program.entry).map_err(failure)?;
    let value = call(&function, args).map_err(failure)?;
    let (scalar, bits) =
        value_bits(&value).ok_or_else(|| Failure::Argument("the entry returned `()`".into()))?;
    Ok((ty_of(scalar), canonical(scalar, bits)))
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
        assert_eq!(canonical(Scalar::F64, quiet), canonical(Scalar::F64, other));
        assert_ne!(
            canonical(Scalar::F64, 0.0f64.to_bits()),
            canonical(Scalar::F64, (-0.0f64).to_bits())
        );
        let nan32 = u64::from(f32::NAN.to_bits() | 0x8000_0001);
        assert_eq!(canonical(Scalar::F32, nan32), CANONICAL_NAN);
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
