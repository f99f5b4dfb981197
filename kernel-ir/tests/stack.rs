//! The stack budget (`kernel_ir::STACK_BUDGET`): recursion with large local arrays is a compile
//! error in every tier, found without recursing over the call graph itself.

use kernel_ir::{compile, ArgType, Scalar};

fn message(source: &str) -> Option<String> {
    compile(source).err().map(|e| e.to_string())
}

#[test]
fn mutual_recursion_with_large_arrays_is_rejected() {
    let source = "
fn ping(n: i64) -> f64 {
    let a = [1.0f64; 2048];
    if n <= 0 { return a[0]; }
    pong(n - 1) + a[1]
}
fn pong(n: i64) -> f64 {
    ping(n - 1)
}
";
    let text = message(source).expect("over budget");
    assert!(text.contains("a call of `ping` may need"), "{text}");
    assert!(text.contains("more than the 1.0 MiB"), "{text}");
}

#[test]
fn a_large_array_below_a_recursion_is_counted_once() {
    // 512 small frames, then one 32 KiB frame: well inside the budget.
    let source = "
fn fib(n: i64) -> f64 {
    if n < 2 { return leaf(n); }
    fib(n - 1) + fib(n - 2)
}
fn leaf(n: i64) -> f64 {
    let a = [0.5f64; 4096];
    a[(n as usize) % 4096]
}
";
    assert_eq!(message(source), None);
}

#[test]
fn generic_instances_are_checked_when_instantiated() {
    let source = "
fn walk(x: _, n: i64) -> f64 {
    let a = [0.0f64; 4096];
    if n <= 0 { return a[0]; }
    walk(x, n - 1) + x[0]
}
";
    let mut program = compile(source).expect("templates are checked when instantiated");
    let array = ArgType::Array {
        elem: Scalar::F64,
        rank: 1,
        mutable: false,
    };
    let error = program
        .instantiate("walk", &[array, ArgType::Scalar(Scalar::I64)])
        .expect_err("the instance is over budget");
    assert!(error.to_string().contains("may need"), "{error}");
}

#[test]
fn long_call_chains_are_measured_without_deep_recursion() {
    let mut source = String::new();
    let n = 3000;
    for k in 0..n {
        source.push_str(&format!("fn f{k}(x: i64) -> i64 {{ f{}(x) + 1 }}\n", k + 1));
    }
    source.push_str(&format!("fn f{n}(x: i64) -> i64 {{ x }}\n"));
    let text = message(&source);
    // 3001 frames of 512 bytes exceed the budget only through the depth limit's cap
    // (512 × 512 B = 256 KiB), so the chain is accepted.
    assert_eq!(text, None);
}
