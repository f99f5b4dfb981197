//! Which array elements an innermost loop may keep in a register
//! (`kernel_ir::analysis::promote`), shown as `loop line: array[indices] (written)`.

use expect_test::{expect, Expect};
use kernel_ir::analysis::promote::{promotions, ElementIndex};
use kernel_ir::compile;

fn check(source: &str, expected: Expect) {
    let program = compile(source).unwrap_or_else(|e| panic!("{}", e.render()));
    let mut lines = Vec::new();
    for name in program.function_names() {
        let f = program.function(program.concrete(name).expect("non-generic"));
        for (loop_id, found) in promotions(f) {
            for p in found {
                let indices: Vec<String> = p
                    .indices
                    .iter()
                    .map(|i| match i {
                        ElementIndex::Const(c) => c.to_string(),
                        ElementIndex::Local(l) => f.local(*l).name.clone(),
                    })
                    .collect();
                let written = if p.written { " written" } else { "" };
                let line = f.loops[loop_id.index()].span.line;
                lines.push(format!(
                    "L{line}: {}[{}] x{}{written}",
                    f.local(p.array).name,
                    indices.join(", "),
                    p.accesses.len()
                ));
            }
        }
    }
    lines.sort();
    expected.assert_eq(&(lines.join("\n") + "\n"));
}

#[test]
fn reductions_into_elements_and_invariant_operands() {
    check(
        "fn f(ni: usize, nk: usize, alpha: f64, tmp: &mut Array2<f64>, a: ArrayView2<f64>, b: ArrayView2<f64>) {
    for i in 0..ni {
        for j in 0..tmp.ncols() {
            tmp[[i, j]] = 0.0;
            for k in 0..nk {
                tmp[[i, j]] += alpha * a[[i, k]] * b[[k, j]];
            }
        }
    }
}",
        expect![[r#"
            L5: tmp[i, j] x1 written
        "#]],
    );
}

#[test]
fn other_elements_of_the_same_array_must_be_provably_apart() {
    check(
        "fn lu(n: usize, a: &mut Array2<f64>) {
    for i in 0..n {
        for j in 0..i {
            for k in 0..j {
                a[[i, j]] -= a[[i, k]] * a[[k, j]];
            }
            a[[i, j]] /= a[[j, j]];
        }
    }
}
fn unknown(a: &mut [f64], i: usize, m: usize) {
    for k in 0..m {
        a[i] += a[k];
    }
}
fn invariant_read(x: &[f64], y: &mut [f64], c: usize) {
    for k in 0..y.len() {
        y[k] = x[c] * 2.0;
    }
}",
        expect![[r#"
            L17: x[c] x1
            L4: a[i, j] x1 written
        "#]],
    );
}
