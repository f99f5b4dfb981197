//! Deep recursion runs on an ordinary 2 MiB thread, and the depth limit is an error.

mod common;

use kernel_runtime::{Arg, ErrorKind, Value};

const DEPTH: &str = "fn depth(n: i64) -> i64 {
    if n <= 1 {
        return 1;
    }
    1 + depth(n - 1)
}";

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn recursion_to_the_limit_fits_in_2_mib() {
    let v = on_small_stack(|| common::value(DEPTH, "depth", &mut [Arg::from(512i64)]));
    assert_eq!(v, Value::I64(512));
}

#[test]
fn one_call_past_the_limit_is_an_error_at_the_call() {
    let e = on_small_stack(|| common::kernel_error(DEPTH, "depth", &mut [Arg::from(513i64)]));
    assert_eq!(e.kind, ErrorKind::RecursionLimit { limit: 512 });
    assert_eq!((e.function.as_str(), e.line, e.col), ("depth", 5, 9));
}
