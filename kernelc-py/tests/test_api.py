"""The package's surface: compile, modules and functions by name, the decorator, explain,
warnings, threads."""

import warnings

import numpy as np
import pytest

import kernelc

SOURCE = """
fn scale(a: f64, mut x: ArrayViewMut1<f64>) {
    for i in 0..x.len() {
        x[i] *= a;
    }
}

fn total(x: ArrayView1<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i];
    }
    s
}
"""

BACKENDS = ["interp", "jit"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_module_names_and_lookup(backend):
    m = kernelc.compile(SOURCE, backend=backend)
    assert m.names == ["scale", "total"]
    assert m.backend == backend
    assert "scale" in m and "nope" not in m
    assert m["total"] is m.total  # handles are made once
    assert "total" in dir(m)
    assert m.source == SOURCE
    assert repr(m) == f"<kernelc.Module [{backend}]: scale, total>"
    assert repr(m.scale) == f"<kernelc.Function scale(a: f64, x: ArrayViewMut1<f64>) [{backend}]>"
    assert m.scale.params == [("a", "f64"), ("x", "ArrayViewMut1<f64>")]
    assert m.scale.name == m.scale.__name__ == "scale"


def test_unknown_function_names_the_choices():
    m = kernelc.compile(SOURCE)
    with pytest.raises(KeyError, match="no function named `totl` in this module; did you mean `total`"):
        m["totl"]
    with pytest.raises(AttributeError, match="no function named `totl`"):
        m.totl


@pytest.mark.parametrize("backend", BACKENDS)
def test_call_in_place_and_return(backend):
    m = kernelc.compile(SOURCE, backend=backend)
    x = np.arange(5.0)
    assert m.scale(3.0, x) is None
    assert x.tolist() == [0.0, 3.0, 6.0, 9.0, 12.0]
    total = m.total(x)
    assert type(total) is float and total == 30.0


def test_keyword_arguments():
    m = kernelc.compile(SOURCE)
    x = np.ones(3)
    m.scale(x=x, a=2.0)
    m.scale(0.5, x=x)
    assert x.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(TypeError, match="`scale` has no parameter `b`"):
        m.scale(b=1.0, x=x)
    with pytest.raises(TypeError, match="argument `a` of `scale` given twice"):
        m.scale(1.0, x, a=2.0)
    with pytest.raises(TypeError, match="`scale` is missing argument `x`"):
        m.scale(a=1.0)
    with pytest.raises(TypeError, match=r"`scale` takes 2 argument\(s\) but 3 were supplied"):
        m.scale(1.0, x, x)


def test_bad_backend_and_options():
    with pytest.raises(ValueError, match="unknown backend `gpu`: expected interp, jit or native"):
        kernelc.compile(SOURCE, backend="gpu")
    with pytest.raises(ValueError, match="#\\[kernel\\]"):
        kernelc.compile(SOURCE, backend="native")
    with pytest.raises(ValueError, match="lane count must be 2, 4, 8 or 16"):
        kernelc.compile(SOURCE, reassociate=3)


def test_reassociate_and_boundscheck_options_compile():
    m = kernelc.compile(SOURCE, reassociate=4, boundscheck=False)
    assert m.total(np.arange(100.0)) == 4950.0


def test_decorator():
    @kernelc.kernel
    def axpy(a, x, y):
        """
        fn axpy(a: f64, x: ArrayView1<f64>, mut y: ArrayViewMut1<f64>) {
            for i in 0..x.len() {
                y[i] += a * x[i];
            }
        }
        """

    x, y = np.arange(3.0), np.ones(3)
    axpy(2.0, x, y)
    assert y.tolist() == [1.0, 3.0, 5.0]
    assert isinstance(axpy, kernelc.Function)

    @kernelc.kernel(backend="interp")
    def double(x):
        "fn double(x: i64) -> i64 { 2 * x }"

    assert double(21) == 42


def test_decorator_errors():
    with pytest.raises(kernelc.CompileError, match="has no docstring"):

        @kernelc.kernel
        def nothing(x):
            pass

    with pytest.raises(kernelc.CompileError, match="defines no kernel function `other`"):

        @kernelc.kernel
        def other(x):
            "fn f(x: i64) -> i64 { x }"


def test_explain():
    m = kernelc.compile(SOURCE, inspect=True)
    ir = m.explain()
    assert "fn scale" in ir and "fn total" in ir
    assert "fn total" in m.explain("total") and "fn scale" not in m.explain("total")
    assert "v0" in m.explain("total", what="clif") or "block0" in m.explain("total", what="clif")
    assert m.explain("total", what="asm").strip()
    with pytest.raises(ValueError, match="needs a function name"):
        m.explain(what="asm")
    with pytest.raises(ValueError, match="unknown what"):
        m.explain("total", what="llvm")
    with pytest.raises(ValueError, match="no compiled code to show"):
        kernelc.compile(SOURCE).explain("total", what="clif")


def test_warnings_are_python_warnings():
    source = "fn f(x: usize) -> bool { x >= 0 }"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = kernelc.compile(source)
    assert len(caught) == 1
    assert issubclass(caught[0].category, kernelc.KernelWarning)
    assert "comparison is always true" in str(caught[0].message)
    [warning] = m.warnings
    assert warning.severity == "warning" and warning.line == 1


def test_threads():
    before = kernelc.threads()
    try:
        kernelc.set_threads(3)
        assert kernelc.threads() == 3
        m = kernelc.compile(
            """
            fn total(x: ArrayView1<i64>) -> i64 {
                let mut s = 0;
                for i in prange(0..x.len()) { s += x[i]; }
                s
            }
            """
        )
        x = np.arange(100_000, dtype=np.int64)
        assert m.total(x) == int(x.sum())
    finally:
        kernelc.set_threads(0)
    assert kernelc.threads() == before


def test_profile():
    m = kernelc.compile(SOURCE)
    x = np.arange(10.0)
    profile = m.total.profile(x)
    assert profile.value == 45.0
    f = profile.function("total")
    assert f.calls == 1
    hits = {line.line: line.hits for line in f.lines}
    # `s += x[i];` is line 11 of SOURCE.
    assert hits[11] == 10
    assert [line.contents.strip() for line in f.lines if line.line == 11] == ["s += x[i];"]
    assert "s += x[i];" in str(profile) and "Hits" in str(profile)
    assert profile._repr_html_().startswith("<pre>")
