//! Shared helpers: compile a kernel source, JIT one function, call it with raw arguments.

#![allow(dead_code)]

pub mod nbody;

use kernel_ir::abi::{RawArray, RawScalar};
use kernel_ir::KernelError;
use kernel_jit::{Jit, JitOptions, RawArg};

/// A compiled program and its JIT.
pub struct Compiled {
    pub program: kernel_ir::Program,
    pub jit: Jit,
}

pub fn compile_with(source: &str, options: JitOptions) -> Compiled {
    let program = kernel_ir::compile(source).unwrap_or_else(|e| panic!("compile error:\n{e}"));
    let mut jit = Jit::new(options).expect("Jit::new");
    for name in program.function_names() {
        if let Some(id) = program.concrete(name) {
            jit.compile(&program, id)
                .unwrap_or_else(|e| panic!("JIT error for `{name}`: {e}"));
        }
    }
    Compiled { program, jit }
}

pub fn compile(source: &str) -> Compiled {
    compile_with(source, JitOptions::default())
}

impl Compiled {
    pub fn call(&self, name: &str, args: &[RawArg]) -> Result<RawScalar, KernelError> {
        let id = self.program.concrete(name).expect("function exists");
        self.jit.check_args(id, args).expect("arguments fit");
        // SAFETY: the arguments were checked above; every array argument built by the tests
        // points at a live buffer that outlives the call and is not aliased.
        unsafe { self.jit.call(id, args) }
    }

    pub fn f64(&self, name: &str, args: &[RawArg]) -> f64 {
        self.call(name, args).expect("kernel runs").as_f64()
    }

    pub fn i64(&self, name: &str, args: &[RawArg]) -> i64 {
        self.call(name, args).expect("kernel runs").as_i64()
    }
}

/// Compiles `source` and calls `name` once.
pub fn run(source: &str, name: &str, args: &[RawArg]) -> Result<RawScalar, KernelError> {
    compile(source).call(name, args)
}

pub fn f(x: f64) -> RawArg {
    RawArg::Scalar(RawScalar::from_f64(x))
}

pub fn f32a(x: f32) -> RawArg {
    RawArg::Scalar(RawScalar::from_f32(x))
}

pub fn i(x: i64) -> RawArg {
    RawArg::Scalar(RawScalar::from_i64(x))
}

pub fn u(x: u64) -> RawArg {
    RawArg::Scalar(RawScalar(x))
}

pub fn b(x: bool) -> RawArg {
    RawArg::Scalar(RawScalar::from_bool(x))
}

/// A strided view of `data` (strides in elements).
pub fn view<T>(data: &mut [T], dims: &[u64], strides: &[i64]) -> RawArg {
    view_at(data, 0, dims, strides)
}

/// A strided view whose element `[0, 0, 0]` is `data[origin]` (for negative strides).
pub fn view_at<T>(data: &mut [T], origin: usize, dims: &[u64], strides: &[i64]) -> RawArg {
    let mut all_dims = [1u64; 3];
    let mut all_strides = [0i64; 3];
    all_dims[..dims.len()].copy_from_slice(dims);
    all_strides[..strides.len()].copy_from_slice(strides);
    assert!(origin <= data.len());
    RawArg::Array(RawArray {
        // SAFETY: `origin` is within the buffer (checked above).
        data: unsafe { data.as_mut_ptr().add(origin) } as *mut u8,
        dims: all_dims,
        strides: all_strides,
    })
}

/// A contiguous rank-1 view.
pub fn vec1<T>(data: &mut [T]) -> RawArg {
    let n = data.len() as u64;
    view(data, &[n], &[1])
}

/// A C-order rank-2 view of `data` as `rows × cols`.
pub fn mat<T>(data: &mut [T], rows: u64, cols: u64) -> RawArg {
    view(data, &[rows, cols], &[cols as i64, 1])
}

/// 1-based `(line, col)` of the first occurrence of `needle` in `source`.
pub fn pos(source: &str, needle: &str) -> (u32, u32) {
    let offset = source.find(needle).expect("needle in source");
    let before = &source[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = source[line_start..offset].chars().count() as u32 + 1;
    (line, col)
}

/// Asserts a runtime error's kind and location (`needle` marks the failing expression).
pub fn assert_error(
    result: Result<RawScalar, KernelError>,
    kind: kernel_ir::ErrorKind,
    function: &str,
    source: &str,
    needle: &str,
) {
    let error = result.expect_err("the kernel should fail");
    let (line, col) = pos(source, needle);
    assert_eq!(
        error,
        KernelError::new(kind, function, line, col),
        "rendered: {error}"
    );
}
