//! The N-body derivatives kernel shared by the tests and the latency bench.

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
