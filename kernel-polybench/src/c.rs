//! The gcc side: `extern "C"` declarations of `c/polybench.c` (built by `build.rs`) and safe
//! wrappers over them.
//!
//! The C functions take C99 variable-length-array parameters (`double c[ni][nj]`): dense
//! row-major blocks whose extents are the size parameters. The wrappers therefore check that
//! every array has exactly the extents the sizes describe, in standard (contiguous row-major)
//! layout, and that the sizes fit a C `int`, before passing the raw pointers; a mismatch
//! panics instead of letting C read or write outside an array. (Running a kernel with a size
//! larger than its arrays is the kernel language's business, tested on the three kernelc
//! tiers only: in C it would be undefined behaviour.)

use std::ffi::c_int;

use ndarray::{Array1, Array2, Array3, ArrayBase, Data, Dimension};

mod ffi {
    use std::ffi::c_int;

    extern "C" {
        pub fn pb_gemm(
            ni: c_int,
            nj: c_int,
            nk: c_int,
            alpha: f64,
            beta: f64,
            c: *mut f64,
            a: *const f64,
            b: *const f64,
        );
        pub fn pb_2mm(
            ni: c_int,
            nj: c_int,
            nk: c_int,
            nl: c_int,
            alpha: f64,
            beta: f64,
            tmp: *mut f64,
            a: *const f64,
            b: *const f64,
            c: *const f64,
            d: *mut f64,
        );
        pub fn pb_syrk(n: c_int, m: c_int, alpha: f64, beta: f64, c: *mut f64, a: *const f64);
        pub fn pb_lu(n: c_int, a: *mut f64);
        pub fn pb_cholesky(n: c_int, a: *mut f64);
        pub fn pb_jacobi_2d(tsteps: c_int, n: c_int, a: *mut f64, b: *mut f64);
        pub fn pb_fdtd_2d(
            tmax: c_int,
            nx: c_int,
            ny: c_int,
            ex: *mut f64,
            ey: *mut f64,
            hz: *mut f64,
            fict: *const f64,
        );
        pub fn pb_heat_3d(tsteps: c_int, n: c_int, a: *mut f64, b: *mut f64);
        pub fn pb_atax(
            m: c_int,
            n: c_int,
            a: *const f64,
            x: *const f64,
            y: *mut f64,
            tmp: *mut f64,
        );
        pub fn pb_atax_scratch(m: c_int, n: c_int, a: *const f64, x: *const f64, y: *mut f64);
        pub fn pb_floyd_warshall(n: c_int, path: *mut i32);
        pub fn pb_durbin(n: c_int, r: *const f64, y: *mut f64);
        pub fn pb_nussinov(n: c_int, seq: *const u8, table: *mut i32);
    }
}

/// `size` as a C `int`.
fn int(size: usize) -> c_int {
    c_int::try_from(size).expect("a size passed to C fits an int")
}

/// Asserts that `array` is the dense row-major block of extents `shape`, as the C function's
/// VLA parameter declares it.
fn check<S: Data, D: Dimension>(name: &str, array: &ArrayBase<S, D>, shape: &[usize]) {
    assert_eq!(
        array.shape(),
        shape,
        "C argument `{name}`: the extents must equal the size parameters"
    );
    assert!(
        array.is_standard_layout(),
        "C argument `{name}`: the C code needs a contiguous row-major array"
    );
}

/// Asserts that the slice `array` has exactly `len` elements.
fn check_len(name: &str, array: &[impl Copy], len: usize) {
    assert_eq!(
        array.len(),
        len,
        "C argument `{name}`: the length must equal the size parameter"
    );
}

/// `pb_gemm`: `c := alpha * a * b + beta * c`.
#[allow(clippy::too_many_arguments)]
pub fn gemm(
    ni: usize,
    nj: usize,
    nk: usize,
    alpha: f64,
    beta: f64,
    c: &mut Array2<f64>,
    a: &Array2<f64>,
    b: &Array2<f64>,
) {
    check("c", c, &[ni, nj]);
    check("a", a, &[ni, nk]);
    check("b", b, &[nk, nj]);
    // SAFETY: each array is a live, contiguous row-major block of exactly the extents the
    // sizes declare (checked above), so the C loops stay inside them; `c` is borrowed
    // exclusively, so no other argument overlaps it.
    unsafe {
        ffi::pb_gemm(
            int(ni),
            int(nj),
            int(nk),
            alpha,
            beta,
            c.as_mut_ptr(),
            a.as_ptr(),
            b.as_ptr(),
        )
    }
}

/// `pb_2mm`: `tmp := alpha * a * b`, `d := tmp * c + beta * d`.
#[allow(clippy::too_many_arguments)]
pub fn two_mm(
    ni: usize,
    nj: usize,
    nk: usize,
    nl: usize,
    alpha: f64,
    beta: f64,
    tmp: &mut Array2<f64>,
    a: &Array2<f64>,
    b: &Array2<f64>,
    c: &Array2<f64>,
    d: &mut Array2<f64>,
) {
    check("tmp", tmp, &[ni, nj]);
    check("a", a, &[ni, nk]);
    check("b", b, &[nk, nj]);
    check("c", c, &[nj, nl]);
    check("d", d, &[ni, nl]);
    // SAFETY: as in `gemm`: extents and layout checked above; the two written arrays are
    // exclusive borrows.
    unsafe {
        ffi::pb_2mm(
            int(ni),
            int(nj),
            int(nk),
            int(nl),
            alpha,
            beta,
            tmp.as_mut_ptr(),
            a.as_ptr(),
            b.as_ptr(),
            c.as_ptr(),
            d.as_mut_ptr(),
        )
    }
}

/// `pb_syrk`: lower triangle of `c := alpha * a * a^T + beta * c`.
pub fn syrk(n: usize, m: usize, alpha: f64, beta: f64, c: &mut Array2<f64>, a: &Array2<f64>) {
    check("c", c, &[n, n]);
    check("a", a, &[n, m]);
    // SAFETY: as in `gemm`.
    unsafe { ffi::pb_syrk(int(n), int(m), alpha, beta, c.as_mut_ptr(), a.as_ptr()) }
}

/// `pb_lu`: in-place LU decomposition.
pub fn lu(n: usize, a: &mut Array2<f64>) {
    check("a", a, &[n, n]);
    // SAFETY: as in `gemm`.
    unsafe { ffi::pb_lu(int(n), a.as_mut_ptr()) }
}

/// `pb_cholesky`: in-place Cholesky factor (lower triangle).
pub fn cholesky(n: usize, a: &mut Array2<f64>) {
    check("a", a, &[n, n]);
    // SAFETY: as in `gemm`.
    unsafe { ffi::pb_cholesky(int(n), a.as_mut_ptr()) }
}

/// `pb_jacobi_2d`: `tsteps` double Jacobi sweeps.
pub fn jacobi_2d(tsteps: usize, n: usize, a: &mut Array2<f64>, b: &mut Array2<f64>) {
    check("a", a, &[n, n]);
    check("b", b, &[n, n]);
    // SAFETY: as in `gemm`.
    unsafe { ffi::pb_jacobi_2d(int(tsteps), int(n), a.as_mut_ptr(), b.as_mut_ptr()) }
}

/// `pb_fdtd_2d`: `tmax` FDTD steps.
pub fn fdtd_2d(
    tmax: usize,
    nx: usize,
    ny: usize,
    ex: &mut Array2<f64>,
    ey: &mut Array2<f64>,
    hz: &mut Array2<f64>,
    fict: &[f64],
) {
    check("ex", ex, &[nx, ny]);
    check("ey", ey, &[nx, ny]);
    check("hz", hz, &[nx, ny]);
    check_len("fict", fict, tmax);
    // SAFETY: as in `gemm`.
    unsafe {
        ffi::pb_fdtd_2d(
            int(tmax),
            int(nx),
            int(ny),
            ex.as_mut_ptr(),
            ey.as_mut_ptr(),
            hz.as_mut_ptr(),
            fict.as_ptr(),
        )
    }
}

/// `pb_heat_3d`: `tsteps` double heat-equation sweeps.
pub fn heat_3d(tsteps: usize, n: usize, a: &mut Array3<f64>, b: &mut Array3<f64>) {
    check("a", a, &[n, n, n]);
    check("b", b, &[n, n, n]);
    // SAFETY: as in `gemm`.
    unsafe { ffi::pb_heat_3d(int(tsteps), int(n), a.as_mut_ptr(), b.as_mut_ptr()) }
}

/// `pb_atax`: `y := a^T * (a * x)`, with `tmp = a * x`.
pub fn atax(m: usize, n: usize, a: &Array2<f64>, x: &[f64], y: &mut [f64], tmp: &mut [f64]) {
    check("a", a, &[m, n]);
    check_len("x", x, n);
    check_len("y", y, n);
    check_len("tmp", tmp, m);
    // SAFETY: as in `gemm`.
    unsafe {
        ffi::pb_atax(
            int(m),
            int(n),
            a.as_ptr(),
            x.as_ptr(),
            y.as_mut_ptr(),
            tmp.as_mut_ptr(),
        )
    }
}

/// `pb_atax_scratch`: `A^T * (A * x)` with the intermediate allocated by the C code; the
/// result is allocated here, zeroed, as the kernel allocates the array it returns.
pub fn atax_scratch(m: usize, n: usize, a: &Array2<f64>, x: &[f64]) -> Array1<f64> {
    check("a", a, &[m, n]);
    check_len("x", x, n);
    let mut y = Array1::zeros(n);
    // SAFETY: as in `gemm`; `y` is a fresh contiguous array of `n` elements.
    unsafe { ffi::pb_atax_scratch(int(m), int(n), a.as_ptr(), x.as_ptr(), y.as_mut_ptr()) };
    y
}

/// `pb_floyd_warshall`: in-place all-pairs shortest paths.
pub fn floyd_warshall(n: usize, path: &mut Array2<i32>) {
    check("path", path, &[n, n]);
    // SAFETY: as in `gemm`.
    unsafe { ffi::pb_floyd_warshall(int(n), path.as_mut_ptr()) }
}

/// `pb_durbin`: the Levinson–Durbin recursion, `y` from the autocorrelations `r`.
pub fn durbin(n: usize, r: &[f64], y: &mut [f64]) {
    // The C code writes `y[0]` before any loop bound is consulted.
    assert!(n >= 1, "C durbin needs n >= 1");
    check_len("r", r, n);
    check_len("y", y, n);
    // SAFETY: as in `gemm`: both slices have exactly `n >= 1` elements (checked above), and
    // `y` is borrowed exclusively.
    unsafe { ffi::pb_durbin(int(n), r.as_ptr(), y.as_mut_ptr()) }
}

/// `pb_nussinov`: RNA folding of `seq` (bases 0..=3) into the upper triangle of `table`.
pub fn nussinov(n: usize, seq: &[u8], table: &mut Array2<i32>) {
    check_len("seq", seq, n);
    check("table", table, &[n, n]);
    // SAFETY: as in `gemm`.
    unsafe { ffi::pb_nussinov(int(n), seq.as_ptr(), table.as_mut_ptr()) }
}
