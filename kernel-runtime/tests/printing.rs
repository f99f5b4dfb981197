//! What kernels print, captured with `capture_output` in every tier: the lines of a `prange`
//! loop printed on worker threads are captured too, each whole, and sequential code keeps
//! program order.

use kernel_runtime::{capture_output, kernel, set_threads, Arg, Backend, Module, Options, Value};

#[kernel]
mod report {
    pub fn squares(n: usize) -> usize {
        let mut total = 0;
        for i in prange(0..n) {
            println!("square of {i:>4} is {:>8}", i * i);
            total += i * i;
        }
        eprintln!("sum {total}");
        total
    }
}

fn module(backend: Backend) -> Module {
    match backend {
        Backend::Native => Module::native(&report::NATIVE).expect("native"),
        _ => Module::compile_with(
            report::SOURCE,
            Options {
                backend,
                ..Options::default()
            },
        )
        .expect("compiles"),
    }
}

fn expected_lines(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("square of {i:>4} is {:>8}", i * i))
        .collect()
}

#[test]
fn prange_lines_are_captured_whole_from_every_thread_in_every_tier() {
    let n = 500;
    for threads in [1, 4] {
        set_threads(threads).expect("threads");
        for backend in Backend::ALL {
            let module = module(backend);
            let function = module.function("squares").expect("function");
            let (result, printed) = capture_output(|| function.call(&mut [Arg::from(n)]));
            let total: usize = (0..n).map(|i| i * i).sum();
            assert_eq!(result.expect("runs"), Value::Usize(total));
            let mut lines: Vec<String> = printed.stdout.lines().map(str::to_owned).collect();
            if backend == Backend::Interpreter || threads == 1 {
                assert_eq!(lines, expected_lines(n), "{backend:?}: program order");
            }
            lines.sort();
            let mut expected = expected_lines(n);
            expected.sort();
            assert_eq!(lines, expected, "{backend:?}, {threads} threads");
            assert_eq!(printed.stderr, format!("sum {total}\n"));
        }
    }
    set_threads(0).expect("threads");
}
