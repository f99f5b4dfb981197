//! The thirteen benchmark cases: each holds one kernel's deterministic inputs and runs the kernel
//! on them in any tier — C ([`Case::run_c`]), native ([`Case::run_native`]), or the
//! interpreter or the JIT through a [`Prepared`] handle ([`call`], arguments from
//! [`Case::with_args`]) — so the test and the benchmark drive every kernel the same way.
//!
//! Inputs follow PolyBench's recipe: integer expressions of the indices, reduced modulo a
//! size and divided by a size, so they are exact, deterministic and free of any random number
//! generator; the matrices factorised by `lu` and `cholesky` are made symmetric positive
//! definite (`L * L^T` with a unit-diagonal `L`) so the factorisations stay finite. Every array
//! the kernel overwrites keeps a pristine copy, and [`Case::reset`] restores it, so repeated
//! runs (one per tier, or one per timing sample) all start from the same state.

use kernel_runtime::{Arg, Error, KernelError, Module, Prepared, Value};
use ndarray::{Array1, Array2, Array3, ArrayBase, Data, Dimension, Ix1};

use crate::c;
use crate::kernels::polybench;

/// Which sizes to build the cases at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dataset {
    /// A few thousand elements per array (odd sizes, so vectorised loops have remainders):
    /// the interpreter runs every kernel in milliseconds.
    Test,
    /// Around PolyBench's MEDIUM dataset (atax and durbin at LARGE, which MEDIUM makes too
    /// short to time): roughly 1–50 ms per kernel in C.
    Bench,
}

/// One written array of a kernel, as the bit patterns of its elements in row-major order
/// (`f64::to_bits`, or the `i32` sign-extended), so outputs are compared exactly, NaNs and
/// signed zeros included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    pub array: &'static str,
    /// Whether the elements are `f64` (else `i32`).
    pub float: bool,
    pub bits: Vec<u64>,
}

impl Output {
    /// Whether every element is a finite float (or an integer): a bitwise comparison of NaNs
    /// would prove little.
    pub fn all_finite(&self) -> bool {
        !self.float || self.bits.iter().all(|&b| f64::from_bits(b).is_finite())
    }

    fn f64<S: Data<Elem = f64>, D: Dimension>(array: &'static str, a: &ArrayBase<S, D>) -> Output {
        Output {
            array,
            float: true,
            bits: a.iter().map(|x| x.to_bits()).collect(),
        }
    }

    fn f64_slice(array: &'static str, a: &[f64]) -> Output {
        Output {
            array,
            float: true,
            bits: a.iter().map(|x| x.to_bits()).collect(),
        }
    }

    fn i32<S: Data<Elem = i32>, D: Dimension>(array: &'static str, a: &ArrayBase<S, D>) -> Output {
        Output {
            array,
            float: false,
            bits: a.iter().map(|&x| i64::from(x) as u64).collect(),
        }
    }
}

/// Where the first difference between two tiers' outputs is, for a readable failure.
pub fn first_difference(left: &[Output], right: &[Output]) -> Option<String> {
    if left.len() != right.len() {
        return Some(format!("{} arrays vs {}", left.len(), right.len()));
    }
    for (l, r) in left.iter().zip(right) {
        if l.array != r.array || l.bits.len() != r.bits.len() {
            return Some(format!("array `{}` vs `{}`", l.array, r.array));
        }
        if let Some(at) = (0..l.bits.len()).find(|&k| l.bits[k] != r.bits[k]) {
            let show = |bits: u64| match l.float {
                true => format!("{:e} ({bits:#018x})", f64::from_bits(bits)),
                false => format!("{}", bits as i64),
            };
            return Some(format!(
                "array `{}`, flat index {at}: {} vs {}",
                l.array,
                show(l.bits[at]),
                show(r.bits[at])
            ));
        }
    }
    None
}

/// The out-of-bounds access a case expects after [`Case::oversize`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expected {
    pub array: &'static str,
    pub axis: u32,
}

/// One kernel with its inputs, runnable in every tier.
pub trait Case {
    /// PolyBench's name of the kernel (`"2mm"`).
    fn name(&self) -> &'static str;
    /// The kernel's function in [`polybench::SOURCE`] (`"two_mm"`).
    fn function(&self) -> &'static str;
    /// Restores every array the kernel writes to its initial contents (sizes stay as they are).
    fn reset(&mut self);
    /// Runs the C version (`c/polybench.c`). Panics if a size no longer matches the arrays
    /// (after [`Case::oversize`]): in C that would be undefined behaviour.
    fn run_c(&mut self);
    /// Runs the `#[kernel]` native version.
    fn run_native(&mut self) -> Result<(), KernelError>;
    /// Calls `f` with the kernel's arguments, for a module's function (interpreter or JIT).
    fn with_args(&mut self, f: &mut dyn FnMut(&mut [Arg<'_>]));
    /// Keeps what a module's function returned (see [`call`]). The kernels that write their
    /// results into arguments return nothing, which this default ignores.
    fn returned(&mut self, value: Value) {
        debug_assert!(value.is_unit(), "{} returned {value:?}", self.name());
    }
    /// The arrays the kernel writes (or returns).
    fn outputs(&self) -> Vec<Output>;
    /// Makes one size parameter larger than the extent of an array it bounds, so the next run
    /// stops with an index out of bounds in that array and axis.
    fn oversize(&mut self) -> Expected;
}

/// A handle to the case's function in `module`, checked once against the case's arguments:
/// the cheapest way to call a module's function repeatedly.
pub fn prepare(case: &mut dyn Case, module: &Module) -> Result<Prepared, Error> {
    let function = module.function(case.function())?;
    let mut prepared = None;
    case.with_args(&mut |args| prepared = Some(function.prepare(args)));
    prepared.expect("with_args calls its closure")
}

/// Runs the case through a prepared handle (interpreter or JIT, whichever its module uses),
/// handing what the kernel returned to [`Case::returned`].
pub fn call(case: &mut dyn Case, prepared: &mut Prepared) -> Result<(), Error> {
    let mut result = None;
    case.with_args(&mut |args| result = Some(prepared.call(args)));
    let value = result.expect("with_args calls its closure")?;
    case.returned(value);
    Ok(())
}

/// Every case at the sizes of `dataset`, in the order of the benchmark table.
pub fn cases(dataset: Dataset) -> Vec<Box<dyn Case>> {
    let test = dataset == Dataset::Test;
    let pick = |small: usize, large: usize| if test { small } else { large };
    vec![
        Box::new(Gemm::new(pick(37, 200), pick(41, 220), pick(43, 240))),
        Box::new(TwoMm::new(
            pick(29, 180),
            pick(31, 190),
            pick(33, 210),
            pick(35, 220),
        )),
        Box::new(Syrk::new(pick(45, 240), pick(39, 200))),
        Box::new(Lu::new(pick(61, 400))),
        Box::new(Cholesky::new(pick(61, 400))),
        Box::new(Jacobi2d::new(pick(13, 100), pick(47, 250))),
        Box::new(Fdtd2d::new(pick(11, 100), pick(37, 200), pick(41, 240))),
        Box::new(Heat3d::new(pick(9, 100), pick(17, 40))),
        Box::new(Atax::new(pick(53, 1900), pick(59, 2100))),
        Box::new(AtaxScratch::new(pick(53, 1900), pick(59, 2100))),
        Box::new(FloydWarshall::new(pick(67, 500))),
        Box::new(Durbin::new(pick(113, 2000))),
        Box::new(Nussinov::new(pick(71, 500))),
    ]
}

/// `(numerator % modulus) / divisor` as `f64`: PolyBench's way of making exact,
/// index-dependent inputs in `[0, modulus / divisor)`.
fn frac(numerator: usize, modulus: usize, divisor: usize) -> f64 {
    (numerator % modulus) as f64 / divisor as f64
}

/// A symmetric positive-definite `n × n` matrix: `L * L^T` with `L` unit lower triangular and
/// `L[i][j] = 1 - j / n` below the diagonal. Summed over the shared columns in order, so it is
/// exact up to rounding and the same on every run.
fn spd_matrix(n: usize) -> Array2<f64> {
    let l = Array2::from_shape_fn((n, n), |(i, j)| match j {
        _ if j == i => 1.0,
        _ if j < i => 1.0 - j as f64 / n as f64,
        _ => 0.0,
    });
    Array2::from_shape_fn((n, n), |(r, s)| {
        let mut sum = 0.0;
        for t in 0..=r.min(s) {
            sum += l[[r, t]] * l[[s, t]];
        }
        sum
    })
}

/// `gemm`: `C := alpha * A * B + beta * C`.
#[derive(Debug)]
pub struct Gemm {
    ni: usize,
    nj: usize,
    nk: usize,
    alpha: f64,
    beta: f64,
    c0: Array2<f64>,
    c: Array2<f64>,
    a: Array2<f64>,
    b: Array2<f64>,
}

impl Gemm {
    pub fn new(ni: usize, nj: usize, nk: usize) -> Gemm {
        let c0 = Array2::from_shape_fn((ni, nj), |(i, j)| frac(i * j + 1, ni, ni));
        Gemm {
            ni,
            nj,
            nk,
            alpha: 1.5,
            beta: 1.2,
            c: c0.clone(),
            c0,
            a: Array2::from_shape_fn((ni, nk), |(i, k)| frac(i * (k + 1), nk, nk)),
            b: Array2::from_shape_fn((nk, nj), |(k, j)| frac(k * (j + 2), nj, nj)),
        }
    }
}

impl Case for Gemm {
    fn name(&self) -> &'static str {
        "gemm"
    }
    fn function(&self) -> &'static str {
        "gemm"
    }
    fn reset(&mut self) {
        self.c.assign(&self.c0);
    }
    fn run_c(&mut self) {
        let s = self;
        c::gemm(s.ni, s.nj, s.nk, s.alpha, s.beta, &mut s.c, &s.a, &s.b);
    }
    fn run_native(&mut self) -> Result<(), KernelError> {
        let s = self;
        polybench::gemm(
            s.ni,
            s.nj,
            s.nk,
            s.alpha,
            s.beta,
            &mut s.c,
            s.a.view(),
            s.b.view(),
        )
    }
    fn with_args(&mut self, f: &mut dyn FnMut(&mut [Arg<'_>])) {
        let s = self;
        f(&mut [
            s.ni.into(),
            s.nj.into(),
            s.nk.into(),
            s.alpha.into(),
            s.beta.into(),
            (&mut s.c).into(),
            s.a.view().into(),
            s.b.view().into(),
        ]);
    }
    fn outputs(&self) -> Vec<Output> {
        vec![Output::f64("c", &self.c)]
    }
    fn oversize(&mut self) -> Expected {
        // `a[[i, k]]` runs off the columns of `a` at `k == a.ncols()`, after row 0 of `c`
        // has been scaled and partly updated.
        self.nk += 1;
        Expected {
            array: "a",
            axis: 1,
        }
    }
}

/// `2mm`: `D := alpha * A * B * C + beta * D`.
#[derive(Debug)]
pub struct TwoMm {
    ni: usize,
    nj: usize,
    nk: usize,
    nl: usize,
    alpha: f64,
    beta: f64,
    tmp0: Array2<f64>,
    tmp: Array2<f64>,
    a: Array2<f64>,
    b: Array2<f64>,
    c: Array2<f64>,
    d0: Array2<f64>,
    d: Array2<f64>,
}

impl TwoMm {
    pub fn new(ni: usize, nj: usize, nk: usize, nl: usize) -> TwoMm {
        // `tmp` is overwritten before it is read; NaN shows if a tier ever read it first.
        let tmp0 = Array2::from_elem((ni, nj), f64::NAN);
        let d0 = Array2::from_shape_fn((ni, nl), |(i, j)| frac(i * (j + 2), nk, nk));
        TwoMm {
            ni,
            nj,
            nk,
            nl,
            alpha: 1.5,
            beta: 1.2,
            tmp: tmp0.clone(),
            tmp0,
            a: Array2::from_shape_fn((ni, nk), |(i, k)| frac(i * k + 1, ni, ni)),
            b: Array2::from_shape_fn((nk, nj), |(k, j)| frac(k * (j + 1), nj, nj)),
            c: Array2::from_shape_fn((nj, nl), |(j, l)| frac(j * (l + 3) + 1, nl, nl)),
            d: d0.clone(),
            d0,
        }
    }
}

impl Case for TwoMm {
    fn name(&self) -> &'static str {
        "2mm"
    }
    fn function(&self) -> &'static str {
        "two_mm"
    }
    fn reset(&mut self) {
        self.tmp.assign(&self.tmp0);
        self.d.assign(&self.d0);
    }
    fn run_c(&mut self) {
        let s = self;
        c::two_mm(
            s.ni, s.nj, s.nk, s.nl, s.alpha, s.beta, &mut s.tmp, &s.a, &s.b, &s.c, &mut s.d,
        );
    }
    fn run_native(&mut self) -> Result<(), KernelError> {
        let s = self;
        polybench::two_mm(
            s.ni,
            s.nj,
            s.nk,
            s.nl,
            s.alpha,
            s.beta,
            &mut s.tmp,
            s.a.view(),
            s.b.view(),
            s.c.view(),
            &mut s.d,
        )
    }
    fn with_args(&mut self, f: &mut dyn FnMut(&mut [Arg<'_>])) {
        let s = self;
        f(&mut [
            s.ni.into(),
            s.nj.into(),
            s.nk.into(),
            s.nl.into(),
            s.alpha.into(),
            s.beta.into(),
            (&mut s.tmp).into(),
            s.a.view().into(),
            s.b.view().into(),
            s.c.view().into(),
            (&mut s.d).into(),
        ]);
    }
    fn outputs(&self) -> Vec<Output> {
        vec![Output::f64("tmp", &self.tmp), Output::f64("d", &self.d)]
    }
    fn oversize(&mut self) -> Expected {
        // The whole first product completes; the second one stops at `d[[0, nl]]` (scaling
        // by `beta` is its first access of the row).
        self.nl += 1;
        Expected {
            array: "d",
            axis: 1,
        }
    }
}

/// `syrk`: lower triangle of `C := alpha * A * A^T + beta * C`.
#[derive(Debug)]
pub struct Syrk {
    n: usize,
    m: usize,
    alpha: f64,
    beta: f64,
    c0: Array2<f64>,
    c: Array2<f64>,
    a: Array2<f64>,
}

impl Syrk {
    pub fn new(n: usize, m: usize) -> Syrk {
        let c0 = Array2::from_shape_fn((n, n), |(i, j)| frac(i * j + 2, m, m));
        Syrk {
            n,
            m,
            alpha: 1.5,
            beta: 1.2,
            c: c0.clone(),
            c0,
            a: Array2::from_shape_fn((n, m), |(i, k)| frac(i * k + 1, n, n)),
        }
    }
}

impl Case for Syrk {
    fn name(&self) -> &'static str {
        "syrk"
    }
    fn function(&self) -> &'static str {
        "syrk"
    }
    fn reset(&mut self) {
        self.c.assign(&self.c0);
    }
    fn run_c(&mut self) {
        let s = self;
        c::syrk(s.n, s.m, s.alpha, s.beta, &mut s.c, &s.a);
    }
    fn run_native(&mut self) -> Result<(), KernelError> {
        let s = self;
        polybench::syrk(s.n, s.m, s.alpha, s.beta, &mut s.c, s.a.view())
    }
    fn with_args(&mut self, f: &mut dyn FnMut(&mut [Arg<'_>])) {
        let s = self;
        f(&mut [
            s.n.into(),
            s.m.into(),
            s.alpha.into(),
            s.beta.into(),
            (&mut s.c).into(),
            s.a.view().into(),
        ]);
    }
    fn outputs(&self) -> Vec<Output> {
        vec![Output::f64("c", &self.c)]
    }
    fn oversize(&mut self) -> Expected {
        // `a[[i, k]]` at `k == a.ncols()` in the first row.
        self.m += 1;
        Expected {
            array: "a",
            axis: 1,
        }
    }
}

/// `lu`: in-place LU decomposition without pivoting.
#[derive(Debug)]
pub struct Lu {
    n: usize,
    a0: Array2<f64>,
    a: Array2<f64>,
}

impl Lu {
    pub fn new(n: usize) -> Lu {
        let a0 = spd_matrix(n);
        Lu {
            n,
            a: a0.clone(),
            a0,
        }
    }
}

impl Case for Lu {
    fn name(&self) -> &'static str {
        "lu"
    }
    fn function(&self) -> &'static str {
        "lu"
    }
    fn reset(&mut self) {
        self.a.assign(&self.a0);
    }
    fn run_c(&mut self) {
        c::lu(self.n, &mut self.a);
    }
    fn run_native(&mut self) -> Result<(), KernelError> {
        polybench::lu(self.n, &mut self.a)
    }
    fn with_args(&mut self, f: &mut dyn FnMut(&mut [Arg<'_>])) {
        f(&mut [self.n.into(), (&mut self.a).into()]);
    }
    fn outputs(&self) -> Vec<Output> {
        vec![Output::f64("a", &self.a)]
    }
    fn oversize(&mut self) -> Expected {
        // Row 0 touches nothing (both k loops are empty); row 1 reads `a[[0, n]]` in its
        // upper-triangle loop.
        self.n += 1;
        Expected {
            array: "a",
            axis: 1,
        }
    }
}

/// `cholesky`: in-place Cholesky factorisation.
#[derive(Debug)]
pub struct Cholesky {
    n: usize,
    a0: Array2<f64>,
    a: Array2<f64>,
}

impl Cholesky {
    pub fn new(n: usize) -> Cholesky {
        let a0 = spd_matrix(n);
        Cholesky {
            n,
            a: a0.clone(),
            a0,
        }
    }
}

impl Case for Cholesky {
    fn name(&self) -> &'static str {
        "cholesky"
    }
    fn function(&self) -> &'static str {
        "cholesky"
    }
    fn reset(&mut self) {
        self.a.assign(&self.a0);
    }
    fn run_c(&mut self) {
        c::cholesky(self.n, &mut self.a);
    }
    fn run_native(&mut self) -> Result<(), KernelError> {
        polybench::cholesky(self.n, &mut self.a)
    }
    fn with_args(&mut self, f: &mut dyn FnMut(&mut [Arg<'_>])) {
        f(&mut [self.n.into(), (&mut self.a).into()]);
    }
    fn outputs(&self) -> Vec<Output> {
        vec![Output::f64("a", &self.a)]
    }
    fn oversize(&mut self) -> Expected {
        // The whole factor is computed; the extra row `i == n` fails at `a[[n, 0]]`.
        self.n += 1;
        Expected {
            array: "a",
            axis: 0,
        }
    }
}

/// `jacobi-2d`: 5-point Jacobi sweeps.
#[derive(Debug)]
pub struct Jacobi2d {
    tsteps: usize,
    n: usize,
    a0: Array2<f64>,
    a: Array2<f64>,
    b0: Array2<f64>,
    b: Array2<f64>,
}

impl Jacobi2d {
    pub fn new(tsteps: usize, n: usize) -> Jacobi2d {
        let nf = n as f64;
        let a0 = Array2::from_shape_fn((n, n), |(i, j)| (i as f64 * (j + 2) as f64 + 2.0) / nf);
        let b0 = Array2::from_shape_fn((n, n), |(i, j)| (i as f64 * (j + 3) as f64 + 3.0) / nf);
        Jacobi2d {
            tsteps,
            n,
            a: a0.clone(),
            a0,
            b: b0.clone(),
            b0,
        }
    }
}

impl Case for Jacobi2d {
    fn name(&self) -> &'static str {
        "jacobi-2d"
    }
    fn function(&self) -> &'static str {
        "jacobi_2d"
    }
    fn reset(&mut self) {
        self.a.assign(&self.a0);
        self.b.assign(&self.b0);
    }
    fn run_c(&mut self) {
        c::jacobi_2d(self.tsteps, self.n, &mut self.a, &mut self.b);
    }
    fn run_native(&mut self) -> Result<(), KernelError> {
        polybench::jacobi_2d(self.tsteps, self.n, &mut self.a, &mut self.b)
    }
    fn with_args(&mut self, f: &mut dyn FnMut(&mut [Arg<'_>])) {
        let s = self;
        f(&mut [
            s.tsteps.into(),
            s.n.into(),
            (&mut s.a).into(),
            (&mut s.b).into(),
        ]);
    }
    fn outputs(&self) -> Vec<Output> {
        vec![Output::f64("a", &self.a), Output::f64("b", &self.b)]
    }
    fn oversize(&mut self) -> Expected {
        // The first interior row reaches `a[[1, n]]` (its right neighbour) at the last `j`.
        self.n += 1;
        Expected {
            array: "a",
            axis: 1,
        }
    }
}

/// `fdtd-2d`: 2-D FDTD steps.
#[derive(Debug)]
pub struct Fdtd2d {
    tmax: usize,
    nx: usize,
    ny: usize,
    ex0: Array2<f64>,
    ex: Array2<f64>,
    ey0: Array2<f64>,
    ey: Array2<f64>,
    hz0: Array2<f64>,
    hz: Array2<f64>,
    fict: Vec<f64>,
}

impl Fdtd2d {
    pub fn new(tmax: usize, nx: usize, ny: usize) -> Fdtd2d {
        let field = |shift: usize, divisor: usize| {
            Array2::from_shape_fn((nx, ny), |(i, j)| {
                i as f64 * (j + shift) as f64 / divisor as f64
            })
        };
        let (ex0, ey0, hz0) = (field(1, nx), field(2, ny), field(3, nx));
        Fdtd2d {
            tmax,
            nx,
            ny,
            ex: ex0.clone(),
            ex0,
            ey: ey0.clone(),
            ey0,
            hz: hz0.clone(),
            hz0,
            fict: (0..tmax).map(|t| t as f64).collect(),
        }
    }
}

impl Case for Fdtd2d {
    fn name(&self) -> &'static str {
        "fdtd-2d"
    }
    fn function(&self) -> &'static str {
        "fdtd_2d"
    }
    fn reset(&mut self) {
        self.ex.assign(&self.ex0);
        self.ey.assign(&self.ey0);
        self.hz.assign(&self.hz0);
    }
    fn run_c(&mut self) {
        let s = self;
        c::fdtd_2d(s.tmax, s.nx, s.ny, &mut s.ex, &mut s.ey, &mut s.hz, &s.fict);
    }
    fn run_native(&mut self) -> Result<(), KernelError> {
        let s = self;
        polybench::fdtd_2d(s.tmax, s.nx, s.ny, &mut s.ex, &mut s.ey, &mut s.hz, &s.fict)
    }
    fn with_args(&mut self, f: &mut dyn FnMut(&mut [Arg<'_>])) {
        let s = self;
        f(&mut [
            s.tmax.into(),
            s.nx.into(),
            s.ny.into(),
            (&mut s.ex).into(),
            (&mut s.ey).into(),
            (&mut s.hz).into(),
            (&s.fict).into(),
        ]);
    }
    fn outputs(&self) -> Vec<Output> {
        vec![
            Output::f64("ex", &self.ex),
            Output::f64("ey", &self.ey),
            Output::f64("hz", &self.hz),
        ]
    }
    fn oversize(&mut self) -> Expected {
        // Every step but one runs in full; the extra step stops reading `fict[tmax]`.
        self.tmax += 1;
        Expected {
            array: "fict",
            axis: 0,
        }
    }
}

/// `heat-3d`: 7-point heat-equation sweeps.
#[derive(Debug)]
pub struct Heat3d {
    tsteps: usize,
    n: usize,
    a0: Array3<f64>,
    a: Array3<f64>,
    b: Array3<f64>,
}

impl Heat3d {
    pub fn new(tsteps: usize, n: usize) -> Heat3d {
        let a0 = Array3::from_shape_fn((n, n, n), |(i, j, k)| {
            (i + j + (n - k)) as f64 * 10.0 / n as f64
        });
        Heat3d {
            tsteps,
            n,
            a: a0.clone(),
            b: a0.clone(),
            a0,
        }
    }
}

impl Case for Heat3d {
    fn name(&self) -> &'static str {
        "heat-3d"
    }
    fn function(&self) -> &'static str {
        "heat_3d"
    }
    fn reset(&mut self) {
        // Both grids start equal (their boundaries are never written).
        self.a.assign(&self.a0);
        self.b.assign(&self.a0);
    }
    fn run_c(&mut self) {
        c::heat_3d(self.tsteps, self.n, &mut self.a, &mut self.b);
    }
    fn run_native(&mut self) -> Result<(), KernelError> {
        polybench::heat_3d(self.tsteps, self.n, &mut self.a, &mut self.b)
    }
    fn with_args(&mut self, f: &mut dyn FnMut(&mut [Arg<'_>])) {
        let s = self;
        f(&mut [
            s.tsteps.into(),
            s.n.into(),
            (&mut s.a).into(),
            (&mut s.b).into(),
        ]);
    }
    fn outputs(&self) -> Vec<Output> {
        vec![Output::f64("a", &self.a), Output::f64("b", &self.b)]
    }
    fn oversize(&mut self) -> Expected {
        // The first interior line reaches `a[[1, 1, n]]` (its last neighbour along k).
        self.n += 1;
        Expected {
            array: "a",
            axis: 2,
        }
    }
}

/// `atax`: `y := A^T * (A * x)`.
#[derive(Debug)]
pub struct Atax {
    m: usize,
    n: usize,
    a: Array2<f64>,
    x: Vec<f64>,
    y: Vec<f64>,
    tmp: Vec<f64>,
}

/// The inputs of `atax` and `atax-scratch`: the `m × n` matrix `a` and the vector `x`.
fn atax_inputs(m: usize, n: usize) -> (Array2<f64>, Vec<f64>) {
    (
        Array2::from_shape_fn((m, n), |(i, j)| frac(i + j, n, 5 * m)),
        (0..n).map(|j| 1.0 + j as f64 / n as f64).collect(),
    )
}

impl Atax {
    pub fn new(m: usize, n: usize) -> Atax {
        let (a, x) = atax_inputs(m, n);
        Atax {
            m,
            n,
            a,
            x,
            // Overwritten before being read: NaN would show a tier reading them first.
            y: vec![f64::NAN; n],
            tmp: vec![f64::NAN; m],
        }
    }
}

impl Case for Atax {
    fn name(&self) -> &'static str {
        "atax"
    }
    fn function(&self) -> &'static str {
        "atax"
    }
    fn reset(&mut self) {
        self.y.fill(f64::NAN);
        self.tmp.fill(f64::NAN);
    }
    fn run_c(&mut self) {
        let s = self;
        c::atax(s.m, s.n, &s.a, &s.x, &mut s.y, &mut s.tmp);
    }
    fn run_native(&mut self) -> Result<(), KernelError> {
        let s = self;
        polybench::atax(s.m, s.n, s.a.view(), &s.x, &mut s.y, &mut s.tmp)
    }
    fn with_args(&mut self, f: &mut dyn FnMut(&mut [Arg<'_>])) {
        let s = self;
        f(&mut [
            s.m.into(),
            s.n.into(),
            s.a.view().into(),
            (&s.x).into(),
            (&mut s.y).into(),
            (&mut s.tmp).into(),
        ]);
    }
    fn outputs(&self) -> Vec<Output> {
        vec![
            Output::f64_slice("y", &self.y),
            Output::f64_slice("tmp", &self.tmp),
        ]
    }
    fn oversize(&mut self) -> Expected {
        // Every row of `a` is used; the extra row stops at `tmp[m]`, the first thing it writes.
        self.m += 1;
        Expected {
            array: "tmp",
            axis: 0,
        }
    }
}

/// `atax` with allocated arrays: the kernel makes its scratch `tmp` and returns `y`.
#[derive(Debug)]
pub struct AtaxScratch {
    m: usize,
    n: usize,
    a: Array2<f64>,
    x: Vec<f64>,
    /// The last run's result; NaN after [`Case::reset`].
    y: Array1<f64>,
}

impl AtaxScratch {
    pub fn new(m: usize, n: usize) -> AtaxScratch {
        let (a, x) = atax_inputs(m, n);
        AtaxScratch {
            m,
            n,
            a,
            x,
            y: Array1::from_elem(n, f64::NAN),
        }
    }
}

impl Case for AtaxScratch {
    fn name(&self) -> &'static str {
        "atax-scratch"
    }
    fn function(&self) -> &'static str {
        "atax_scratch"
    }
    fn reset(&mut self) {
        // A stale result must not pass for a run that returned nothing.
        self.y.fill(f64::NAN);
    }
    fn run_c(&mut self) {
        self.y = c::atax_scratch(self.m, self.n, &self.a, &self.x);
    }
    fn run_native(&mut self) -> Result<(), KernelError> {
        self.y = polybench::atax_scratch(self.m, self.n, self.a.view(), &self.x)?;
        Ok(())
    }
    fn with_args(&mut self, f: &mut dyn FnMut(&mut [Arg<'_>])) {
        let s = self;
        f(&mut [s.m.into(), s.n.into(), s.a.view().into(), (&s.x).into()]);
    }
    fn returned(&mut self, value: Value) {
        self.y = value
            .into_array()
            .and_then(|array| array.into_array::<f64>().ok())
            .and_then(|array| array.into_dimensionality::<Ix1>().ok())
            .expect("atax_scratch returns an Array1<f64>");
    }
    fn outputs(&self) -> Vec<Output> {
        vec![Output::f64("y", &self.y)]
    }
    fn oversize(&mut self) -> Expected {
        // Both scratch arrays are allocated at the sizes given, so the overrun is in the
        // arguments: every row of `a` is used, then the extra row stops at `a[[m, 0]]`.
        self.m += 1;
        Expected {
            array: "a",
            axis: 0,
        }
    }
}

/// `floyd-warshall`: all-pairs shortest paths on `i32` weights.
#[derive(Debug)]
pub struct FloydWarshall {
    n: usize,
    path0: Array2<i32>,
    path: Array2<i32>,
}

impl FloydWarshall {
    pub fn new(n: usize) -> FloydWarshall {
        // Weights 1..=7, with "no edge" (999) wherever i + j is a multiple of 7, 11 or 13.
        let path0 = Array2::from_shape_fn((n, n), |(i, j)| {
            let s = i + j;
            if s % 7 == 0 || s % 11 == 0 || s % 13 == 0 {
                999
            } else {
                (i * j % 7 + 1) as i32
            }
        });
        FloydWarshall {
            n,
            path: path0.clone(),
            path0,
        }
    }
}

impl Case for FloydWarshall {
    fn name(&self) -> &'static str {
        "floyd-warshall"
    }
    fn function(&self) -> &'static str {
        "floyd_warshall"
    }
    fn reset(&mut self) {
        self.path.assign(&self.path0);
    }
    fn run_c(&mut self) {
        c::floyd_warshall(self.n, &mut self.path);
    }
    fn run_native(&mut self) -> Result<(), KernelError> {
        polybench::floyd_warshall(self.n, &mut self.path)
    }
    fn with_args(&mut self, f: &mut dyn FnMut(&mut [Arg<'_>])) {
        f(&mut [self.n.into(), (&mut self.path).into()]);
    }
    fn outputs(&self) -> Vec<Output> {
        vec![Output::i32("path", &self.path)]
    }
    fn oversize(&mut self) -> Expected {
        // `path[[0, n]]` at the end of the first row, before any other row is touched.
        self.n += 1;
        Expected {
            array: "path",
            axis: 1,
        }
    }
}

/// `durbin`: the Levinson–Durbin recursion, with its scratch vector allocated by the kernel.
#[derive(Debug)]
pub struct Durbin {
    n: usize,
    r: Vec<f64>,
    y: Vec<f64>,
}

impl Durbin {
    pub fn new(n: usize) -> Durbin {
        Durbin {
            n,
            // PolyBench's input: a decreasing ramp `n + 1 - i`.
            r: (0..n).map(|i| (n + 1 - i) as f64).collect(),
            // Overwritten before being read: NaN would show a tier reading it first.
            y: vec![f64::NAN; n],
        }
    }
}

impl Case for Durbin {
    fn name(&self) -> &'static str {
        "durbin"
    }
    fn function(&self) -> &'static str {
        "durbin"
    }
    fn reset(&mut self) {
        self.y.fill(f64::NAN);
    }
    fn run_c(&mut self) {
        c::durbin(self.n, &self.r, &mut self.y);
    }
    fn run_native(&mut self) -> Result<(), KernelError> {
        polybench::durbin(self.n, &self.r, &mut self.y)
    }
    fn with_args(&mut self, f: &mut dyn FnMut(&mut [Arg<'_>])) {
        let s = self;
        f(&mut [s.n.into(), (&s.r).into(), (&mut s.y).into()]);
    }
    fn outputs(&self) -> Vec<Output> {
        vec![Output::f64_slice("y", &self.y)]
    }
    fn oversize(&mut self) -> Expected {
        // The scratch vector is allocated at the new size, so only the arguments can be
        // overrun: every order up to the arrays' length is solved, then the extra step reads
        // `r[n]` right after summing over the whole of `y`.
        self.n += 1;
        Expected {
            array: "r",
            axis: 0,
        }
    }
}

/// `nussinov`: RNA folding on a `u8` base sequence, scores in an `i32` table.
#[derive(Debug)]
pub struct Nussinov {
    n: usize,
    seq: Vec<u8>,
    table: Array2<i32>,
}

impl Nussinov {
    pub fn new(n: usize) -> Nussinov {
        Nussinov {
            n,
            // PolyBench's input: the four bases in turn, and an all-zero table.
            seq: (0..n).map(|i| ((i + 1) % 4) as u8).collect(),
            table: Array2::zeros((n, n)),
        }
    }
}

impl Case for Nussinov {
    fn name(&self) -> &'static str {
        "nussinov"
    }
    fn function(&self) -> &'static str {
        "nussinov"
    }
    fn reset(&mut self) {
        self.table.fill(0);
    }
    fn run_c(&mut self) {
        c::nussinov(self.n, &self.seq, &mut self.table);
    }
    fn run_native(&mut self) -> Result<(), KernelError> {
        polybench::nussinov(self.n, &self.seq, &mut self.table)
    }
    fn with_args(&mut self, f: &mut dyn FnMut(&mut [Arg<'_>])) {
        let s = self;
        f(&mut [s.n.into(), (&s.seq).into(), (&mut s.table).into()]);
    }
    fn outputs(&self) -> Vec<Output> {
        vec![Output::i32("table", &self.table)]
    }
    fn oversize(&mut self) -> Expected {
        // The table grows with `n` (as a caller sizing it from `n` would) and the sequence
        // does not, so the overrun is in the `u8` array, after some writes. With `n` the old
        // size: the new row `n` is empty; row `n - 1` fills its new cell `[n - 1, n]` without
        // reading `seq` (adjacent bases may not bond); row `n - 2` fills `[n - 2, n - 1]` and
        // stops at `seq[n]` in `[n - 2, n]`.
        self.n += 1;
        self.table = Array2::zeros((self.n, self.n));
        Expected {
            array: "seq",
            axis: 0,
        }
    }
}
