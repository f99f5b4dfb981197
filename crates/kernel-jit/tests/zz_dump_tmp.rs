mod support;
#[test]
fn dump() {
    let src = "fn pairwise(x: ArrayView2<f64>, d: &mut Array2<f64>) {\n    let (n, m) = x.dim();\n    for i in 0..n {\n        for j in 0..n {\n            let mut s = 0.0;\n            for k in 0..m {\n                let t = x[[i, k]] - x[[j, k]];\n                s += t * t;\n            }\n            d[[i, j]] = s.sqrt();\n        }\n    }\n}";
    let c = support::compile_with(
        src,
        kernel_jit::JitOptions {
            keep_text: true,
            boundscheck: true,
        },
    );
    let id = c.program.concrete("pairwise").unwrap();
    std::fs::write("/tmp/kjit-pw.clif", c.jit.clif(id).unwrap()).unwrap();
    std::fs::write("/tmp/kjit-pw.asm", c.jit.asm(id).unwrap()).unwrap();
}
