"""Calls: returned arrays and tuples, printing, the GIL released, Ctrl-C, a million calls."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import kernelc

BACKENDS = ["interp", "jit"]

SPIN = """
fn spin(n: u64) -> u64 {
    let mut s = 0u64;
    let mut i = 0u64;
    while i < n {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(i);
        i += 1;
    }
    s
}
"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_returned_arrays_are_numpy_arrays_without_copy(backend):
    m = kernelc.compile(
        """
        fn grid(n: usize, m: usize) -> Array2<f64> {
            let mut a = Array2::zeros((n, m));
            for i in 0..n {
                for j in 0..m {
                    a[[i, j]] = (i * 10 + j) as f64;
                }
            }
            a
        }

        fn bins(x: ArrayView1<f64>) -> Vec<u32> {
            let mut h = vec![0u32; 4];
            for i in 0..x.len() {
                h[(x[i] as usize).min(3)] += 1;
            }
            h
        }
        """,
        backend=backend,
    )
    a = m.grid(2, 3)
    assert a.dtype == np.float64 and a.shape == (2, 3) and a.flags.c_contiguous
    assert a.tolist() == [[0.0, 1.0, 2.0], [10.0, 11.0, 12.0]]
    assert a.flags.owndata is False  # numpy wraps the kernel's buffer
    a[0, 0] = 5.0  # and it is the caller's to keep and write
    h = m.bins(np.array([0.5, 1.5, 1.2, 9.0]))
    assert h.dtype == np.uint32 and h.tolist() == [1, 2, 0, 1]


@pytest.mark.parametrize("backend", BACKENDS)
def test_returned_tuples(backend):
    m = kernelc.compile(
        """
        fn stats(x: ArrayView1<f64>) -> (f64, usize, bool) {
            let mut s = 0.0;
            for i in 0..x.len() { s += x[i]; }
            (s, x.len(), s > 0.0)
        }
        """,
        backend=backend,
    )
    assert m.stats(np.array([1.0, 2.5])) == (3.5, 2, True)


@pytest.mark.parametrize("backend", BACKENDS)
def test_kernels_print_to_the_process_stdout(backend, capfd):
    m = kernelc.compile('fn hello(x: f64) { println!("x = {:.2}", x); eprintln!("done"); }', backend=backend)
    m.hello(1.5)
    out, err = capfd.readouterr()
    assert out == "x = 1.50\n" and err == "done\n"


def test_the_gil_is_released_while_a_kernel_runs():
    """A Python thread keeps counting while the main thread runs a long kernel."""
    m = kernelc.compile(SPIN)
    m.spin(10)  # compiled already; only the call is timed
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    time.sleep(0.02)
    start = time.perf_counter()
    m.spin(300_000_000)  # about 0.3 s in the JIT
    end = time.perf_counter()
    stop.set()
    counter.join()
    during = [t for t in ticks if start < t < end]
    # With the GIL held the counter could not run at all during the call (one tick at most,
    # at its start); released, it ticks about once a millisecond.
    assert len(during) >= 10, (len(during), end - start)


def test_kernels_run_in_parallel_from_python_threads():
    m = kernelc.compile(SPIN)
    n = 100_000_000
    expected = m.spin(n)
    results = []
    threads = [threading.Thread(target=lambda: results.append(m.spin(n))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


def test_interrupt_from_another_thread():
    m = kernelc.compile(SPIN)
    timer = threading.Timer(0.2, m.interrupt)
    timer.start()
    start = time.perf_counter()
    with pytest.raises(kernelc.KernelError, match="interrupted") as caught:
        m.spin(10**15)
    assert caught.value.kind == "Interrupted"
    assert time.perf_counter() - start < 5
    m.reset()
    assert m.spin(3) == m.spin(3)


CTRL_C_SCRIPT = textwrap.dedent(
    """
    import sys, time
    import kernelc
    m = kernelc.compile('''{source}''', backend=sys.argv[1])
    m.spin(10)
    print("ready", flush=True)
    start = time.perf_counter()
    try:
        m.spin(10**15)
    except KeyboardInterrupt:
        print("KeyboardInterrupt after %.2f s" % (time.perf_counter() - start), flush=True)
        # The kernel stopped; the module still works.
        print("again", m.spin(1000) == m.spin(1000), flush=True)
    """
)


@pytest.mark.parametrize("backend", BACKENDS)
def test_ctrl_c_stops_a_running_kernel_with_keyboard_interrupt(backend):
    script = CTRL_C_SCRIPT.format(source=SPIN)
    child = subprocess.Popen(
        [sys.executable, "-c", script, backend],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.3)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("KeyboardInterrupt after "), out
    assert float(lines[0].split()[2]) < 10
    assert lines[1] == "again True"


def test_a_python_sigint_handler_still_runs():
    """A handler installed with `signal.signal` sees the Ctrl-C; the kernel stops anyway."""
    script = textwrap.dedent(
        """
        import signal, sys
        import kernelc
        seen = []
        signal.signal(signal.SIGINT, lambda *a: seen.append(1))
        m = kernelc.compile('''{source}''')
        m.spin(10)
        print("ready", flush=True)
        try:
            m.spin(10**15)
        except kernelc.KernelError as e:
            print(e.kind, len(seen), flush=True)
        """
    ).format(source=SPIN)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.3)
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=30)
    finally:
        child.kill()
    assert out.strip() == "Interrupted 1"


def test_a_million_calls():
    m = kernelc.compile(
        """
        fn axpy(a: f64, x: ArrayView1<f64>, mut y: ArrayViewMut1<f64>) {
            for i in 0..x.len() { y[i] += a * x[i]; }
        }
        """
    )
    axpy = m.axpy
    x = np.ones(4)
    y = np.zeros(4)
    for _ in range(1_000_000):
        axpy(1.0, x, y)
    assert y.tolist() == [1e6] * 4
