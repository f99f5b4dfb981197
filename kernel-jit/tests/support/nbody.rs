//! The N-body kernels shared by the tests and the benches.

pub const NBODY: &str = "fn derivatives(state: ArrayView2<f64>, out: &mut Array2<f64>) {\n\
    let n = state.nrows();\n\
    for i in 0..n {\n\
        out[[i, 0]] = state[[i, 3]];\n\
        out[[i, 1]] = state[[i, 4]];\n\
        out[[i, 2]] = state[[i, 5]];\n\
        let mut acc = [0.0f64; 3];\n\
        for j in 0..n {\n\
            if i != j {\n\
                let dx = state[[j, 0]] - state[[i, 0]];\n\
                let dy = state[[j, 1]] - state[[i, 1]];\n\
                let dz = state[[j, 2]] - state[[i, 2]];\n\
                let r2 = dx * dx + dy * dy + dz * dz + 0.01;\n\
                let inv = 1.0 / (r2 * r2.sqrt());\n\
                acc[0] += dx * inv;\n\
                acc[1] += dy * inv;\n\
                acc[2] += dz * inv;\n\
            }\n\
        }\n\
        for k in 0..3 {\n\
            out[[i, 3 + k]] = acc[k];\n\
        }\n\
    }\n\
}";

/// The classroom N-body derivatives kernel (the structure of `kernelc-apps/src/nbody.rs`),
/// starting with a newline so its `let rx = …` line is line 11; a macro so benches can
/// `concat!` it.
#[allow(unused_macros)]
macro_rules! classroom_derivatives {
    () => {
        "
fn derivatives(pos: ArrayView2<f64>, vel: ArrayView2<f64>, mass: &[f64],
               dpos: &mut Array2<f64>, dvel: &mut Array2<f64>) {
    let n = pos.nrows();
    for i in 0..n {
        let mut ax = 0.0;
        let mut ay = 0.0;
        let mut az = 0.0;
        for j in 0..n {
            if j != i {
                let rx = pos[[j, 0]] - pos[[i, 0]];
                let ry = pos[[j, 1]] - pos[[i, 1]];
                let rz = pos[[j, 2]] - pos[[i, 2]];
                let rnorm = (rx * rx + ry * ry + rz * rz).sqrt();
                let scale = mass[j] / (rnorm * rnorm);
                ax += scale * (rx / rnorm);
                ay += scale * (ry / rnorm);
                az += scale * (rz / rnorm);
            }
        }
        dpos[[i, 0]] = vel[[i, 0]];
        dpos[[i, 1]] = vel[[i, 1]];
        dpos[[i, 2]] = vel[[i, 2]];
        dvel[[i, 0]] = ax;
        dvel[[i, 1]] = ay;
        dvel[[i, 2]] = az;
    }
}
"
    };
}
