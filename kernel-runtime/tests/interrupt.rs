//! Interrupting running kernels and deadlines, in the interpreter, the JIT and the native tier:
//! an endless kernel stops at its next poll point with `Interrupted` (or `Timeout`), located at
//! the loop or function where it polled, and the same call works again after `reset`.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use kernel_runtime::{
    interruptible, kernel, Arg, Backend, CallOptions, Error, ErrorKind, InterruptHandle,
    KernelError, Module, Options,
};

const SOURCE: &str = "fn spin() {
    loop {}
}

fn count(n: u64) -> u64 {
    let mut i = 0u64;
    while i < n {
        i += 1;
    }
    i
}

fn forever(x: &mut [f64]) {
    let mut k = 0u64;
    while k >= 0 {
        for i in 0..x.len() {
            x[i] += 1.0;
        }
        k += 1;
    }
}

fn nested(n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        for j in 0..n {
            s += (i * j) as f64;
        }
    }
    s
}

fn tree(n: i64) -> i64 {
    if n == 0 { 1 } else { tree(n - 1) + tree(n - 1) }
}
";

const BACKENDS: [Backend; 2] = [Backend::Interpreter, Backend::Jit];

fn module(backend: Backend) -> Module {
    let options = Options {
        backend,
        ..Options::default()
    };
    Module::compile_with(SOURCE, options).expect("the test kernels compile")
}

fn kernel_error(result: Result<kernel_runtime::Value, Error>) -> KernelError {
    match result {
        Err(Error::Kernel(error)) => error,
        other => panic!("expected a kernel error, got {other:?}"),
    }
}

/// Runs `call` on another thread, interrupts `handle` after `delay`, and returns the result
/// with the time from the interrupt to the return.
fn interrupt_after<T: Send>(
    handle: &InterruptHandle,
    delay: Duration,
    call: impl FnOnce() -> T + Send,
) -> (T, Duration) {
    thread::scope(|scope| {
        let (started, ready) = mpsc::channel();
        let worker = scope.spawn(move || {
            started.send(()).expect("the test thread listens");
            let result = call();
            (result, Instant::now())
        });
        ready.recv().expect("the worker starts");
        thread::sleep(delay);
        let interrupted = Instant::now();
        handle.interrupt();
        let (result, returned) = worker.join().expect("the worker does not panic");
        (result, returned.saturating_duration_since(interrupted))
    })
}

#[test]
fn endless_loop_stops_on_interrupt_in_both_module_tiers() {
    for backend in BACKENDS {
        let module = module(backend);
        let spin = module.function("spin").expect("spin exists");
        let handle = module.interrupt_handle();
        let (result, latency) =
            interrupt_after(&handle, Duration::from_millis(30), || spin.call(&mut []));
        let error = kernel_error(result);
        assert_eq!(error.kind, ErrorKind::Interrupted, "{backend:?}");
        assert_eq!(
            (error.function.as_str(), error.line),
            ("spin", 2),
            "{backend:?}"
        );
        assert!(latency < Duration::from_secs(1), "{backend:?}: {latency:?}");

        // Sticky until reset: the next call stops at once, then runs again after reset.
        let count = module.function("count").expect("count exists");
        let stopped = kernel_error(count.call(&mut [Arg::from(10u64)]));
        assert_eq!(stopped.kind, ErrorKind::Interrupted);
        assert!(handle.is_interrupted());
        handle.reset();
        let value = count.call(&mut [Arg::from(10u64)]).expect("count runs");
        assert_eq!(value, kernel_runtime::Value::U64(10));
    }
}

#[test]
fn per_call_handle_stops_only_its_call() {
    for backend in BACKENDS {
        let module = module(backend);
        let spin = module.function("spin").expect("spin exists");
        let handle = InterruptHandle::new();
        let options = CallOptions::default().with_interrupt(&handle);
        let (result, _) = interrupt_after(&handle, Duration::from_millis(20), || {
            spin.call_with(&mut [], options)
        });
        assert_eq!(kernel_error(result).kind, ErrorKind::Interrupted);
        // The module's own handle was not touched.
        assert!(!module.interrupt_handle().is_interrupted());
        let count = module.function("count").expect("count exists");
        assert!(count.call(&mut [Arg::from(3u64)]).is_ok());
    }
}

#[test]
fn module_handle_also_stops_calls_with_options() {
    for backend in BACKENDS {
        let module = module(backend);
        let spin = module.function("spin").expect("spin exists");
        let other = InterruptHandle::new();
        let options = CallOptions {
            deadline: Some(Instant::now() + Duration::from_secs(60)),
            interrupt: Some(&other),
        };
        let handle = module.interrupt_handle();
        let (result, _) = interrupt_after(&handle, Duration::from_millis(20), || {
            spin.call_with(&mut [], options)
        });
        assert_eq!(kernel_error(result).kind, ErrorKind::Interrupted);
        assert!(!other.is_interrupted());
    }
}

#[test]
fn deadline_of_50ms_stops_an_endless_loop_promptly() {
    for backend in BACKENDS {
        let module = module(backend);
        let spin = module.function("spin").expect("spin exists");
        let start = Instant::now();
        let result = spin.call_with(&mut [], CallOptions::timeout(Duration::from_millis(50)));
        let elapsed = start.elapsed();
        let error = kernel_error(result);
        assert_eq!(error.kind, ErrorKind::Timeout, "{backend:?}");
        assert_eq!(
            error.to_string(),
            "kernel `spin` stopped at 2:5: deadline exceeded"
        );
        assert!(
            elapsed >= Duration::from_millis(50),
            "{backend:?}: {elapsed:?}"
        );
        // ~100 ms in practice; generous for a loaded machine.
        assert!(
            elapsed < Duration::from_millis(400),
            "{backend:?}: {elapsed:?}"
        );
        eprintln!("{backend:?}: 50 ms deadline returned after {elapsed:?}");
    }
}

#[test]
fn deadline_that_has_passed_stops_at_the_first_poll_and_a_far_one_changes_nothing() {
    for backend in BACKENDS {
        let module = module(backend);
        let count = module.function("count").expect("count exists");
        let past = CallOptions {
            deadline: Some(Instant::now()),
            interrupt: None,
        };
        let error = kernel_error(count.call_with(&mut [Arg::from(5u64)], past));
        assert_eq!(error.kind, ErrorKind::Timeout);
        assert_eq!(
            (error.line, error.col),
            (7, 5),
            "{backend:?}: the `while` loop"
        );
        let far = CallOptions::timeout(Duration::from_secs(3600));
        let value = count
            .call_with(&mut [Arg::from(1000u64)], far)
            .expect("count runs");
        assert_eq!(value, kernel_runtime::Value::U64(1000));
        // A `for` loop around another polls at its first back-edge; the inner one has no poll.
        let nested = module.function("nested").expect("nested exists");
        let outer = kernel_error(nested.call_with(&mut [Arg::from(3usize)], past));
        assert_eq!(
            (outer.kind, outer.line, outer.col),
            (ErrorKind::Timeout, 25, 5)
        );
    }
}

#[test]
fn loop_around_an_innermost_for_stops_at_its_back_edge() {
    for backend in BACKENDS {
        let module = module(backend);
        let forever = module.function("forever").expect("forever exists");
        let mut x = vec![0.0f64; 1000];
        let start = Instant::now();
        let result = forever.call_with(
            &mut [Arg::from(&mut x)],
            CallOptions::timeout(Duration::from_millis(30)),
        );
        let error = kernel_error(result);
        assert_eq!(error.kind, ErrorKind::Timeout);
        assert_eq!((error.function.as_str(), error.line), ("forever", 15));
        assert!(start.elapsed() < Duration::from_secs(2));
        // Every completed sweep added one to every element: the stop fell between sweeps.
        assert!(x.iter().all(|v| *v == x[0]) && x[0] >= 1.0, "{backend:?}");
    }
}

#[test]
fn exponential_recursion_is_interrupted() {
    for backend in BACKENDS {
        let module = module(backend);
        let tree = module.function("tree").expect("tree exists");
        let handle = module.interrupt_handle();
        let (result, latency) = interrupt_after(&handle, Duration::from_millis(30), || {
            tree.call(&mut [Arg::from(62i64)])
        });
        let error = kernel_error(result);
        assert_eq!(error.kind, ErrorKind::Interrupted, "{backend:?}");
        // Polled at the entry of the function that calls: located at the function.
        assert_eq!(
            (error.function.as_str(), error.line),
            ("tree", 33),
            "{backend:?}"
        );
        assert!(latency < Duration::from_secs(1));
    }
}

#[test]
fn same_error_in_both_module_tiers_for_a_timed_out_nested_loop() {
    let errors: Vec<KernelError> = BACKENDS
        .iter()
        .map(|&backend| {
            let module = module(backend);
            let count = module.function("count").expect("count exists");
            let options = CallOptions::timeout(Duration::from_millis(20));
            kernel_error(count.call_with(&mut [Arg::from(u64::MAX)], options))
        })
        .collect();
    assert_eq!(errors[0], errors[1]);
    assert_eq!(errors[0].kind, ErrorKind::Timeout);
}

#[kernel]
mod native {
    pub fn spin() {
        loop {}
    }

    pub fn count(n: u64) -> u64 {
        let mut i = 0u64;
        while i < n {
            i += 1;
        }
        i
    }

    pub fn tree(n: i64) -> i64 {
        if n == 0 {
            1
        } else {
            tree(n - 1) + tree(n - 1)
        }
    }

    pub fn sweeps(x: &mut [f64], rounds: u64) -> u64 {
        let mut done = 0u64;
        for r in 0..rounds {
            for i in 0..x.len() {
                x[i] += 1.0;
            }
            if r % 2 == 0 {
                continue;
            }
            done += 1;
        }
        done
    }
}

#[test]
fn native_endless_loop_stops_on_interrupt() {
    let handle = InterruptHandle::new();
    let options = CallOptions::default().with_interrupt(&handle);
    let (result, latency) = interrupt_after(&handle, Duration::from_millis(30), || {
        interruptible(options, native::spin)
    });
    let error = result.expect_err("spin never ends by itself");
    assert_eq!(error.kind, ErrorKind::Interrupted);
    assert_eq!(error.function, "spin");
    assert!(latency < Duration::from_secs(1), "{latency:?}");
}

#[test]
fn native_deadline_and_recursion() {
    let start = Instant::now();
    let error = interruptible(
        CallOptions::timeout(Duration::from_millis(50)),
        native::spin,
    )
    .expect_err("spin never ends by itself");
    let elapsed = start.elapsed();
    assert_eq!(error.kind, ErrorKind::Timeout);
    assert!(elapsed >= Duration::from_millis(50) && elapsed < Duration::from_millis(400));
    eprintln!("native: 50 ms deadline returned after {elapsed:?}");

    let handle = InterruptHandle::new();
    let options = CallOptions::default().with_interrupt(&handle);
    let (result, _) = interrupt_after(&handle, Duration::from_millis(30), || {
        interruptible(options, || native::tree(62))
    });
    let error = result.expect_err("tree(62) does not end in time");
    assert_eq!(
        (error.kind, error.function.as_str()),
        (ErrorKind::Interrupted, "tree")
    );
}

#[test]
fn native_kernels_outside_a_scope_and_after_it_run_normally() {
    assert_eq!(native::count(1000), Ok(1000));
    let error = interruptible(
        CallOptions {
            deadline: Some(Instant::now()),
            interrupt: None,
        },
        || native::count(10),
    )
    .expect_err("the deadline has passed");
    assert_eq!(error.kind, ErrorKind::Timeout);
    // `continue` of a polling `for` loop still counts its iterations right.
    let mut x = vec![0.0; 8];
    assert_eq!(native::sweeps(&mut x, 10), Ok(5));
    assert_eq!(x, vec![10.0; 8]);
    assert_eq!(native::count(7), Ok(7));
}

#[test]
fn native_errors_match_the_module_tiers() {
    let past = || CallOptions {
        deadline: Some(Instant::now()),
        interrupt: None,
    };
    let native = interruptible(past(), || native::count(10)).expect_err("stopped");
    // The JIT, and the native code itself through the shared call path (deadlines there
    // reach native code too).
    for backend in [Backend::Jit, Backend::Native] {
        let options = Options {
            backend,
            ..Options::default()
        };
        let module = native::module(options).expect("the kernels compile");
        let count = module.function("count").expect("count exists");
        let error = kernel_error(count.call_with(&mut [Arg::from(10u64)], past()));
        assert_eq!(native, error, "{backend}");
    }
}
