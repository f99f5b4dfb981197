"""Errors as Python exceptions, with the Rust side's text and the details as attributes."""

import numpy as np
import pytest

import kernelc

BACKENDS = ["interp", "jit"]


def test_compile_error_has_rustc_text_and_diagnostics():
    source = "fn f(x: f64) -> f64 {\n    x + y\n}\n"
    with pytest.raises(kernelc.CompileError) as caught:
        kernelc.compile(source)
    text = str(caught.value)
    assert text.startswith("error: ")
    assert "y" in text and "2:9" in text and "x + y" in text and "^" in text
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.severity, diagnostic.line, diagnostic.col) == ("error", 2, 9)
    assert "`y`" in diagnostic.message
    assert str(diagnostic) == text + "\n" or str(diagnostic).rstrip() == text
    assert repr(diagnostic).startswith("<Diagnostic error at 2:9: ")
    assert diagnostic._repr_html_().startswith("<pre>error: ")


def test_compile_error_lists_every_diagnostic():
    source = "fn f(x: f64) -> f64 {\n    let a: i64 = x;\n    a + q\n}\n"
    with pytest.raises(kernelc.CompileError) as caught:
        kernelc.compile(source)
    lines = [d.line for d in caught.value.diagnostics]
    assert lines == sorted(lines) and len(lines) >= 2


def test_syntax_error():
    with pytest.raises(kernelc.CompileError) as caught:
        kernelc.compile("fn f( {")
    assert caught.value.diagnostics[0].line == 1


BOUNDS = """
fn get(x: ArrayView2<f64>, i: usize, j: usize) -> f64 {
    x[[i, j]]
}

fn divide(a: i64, b: i64) -> i64 {
    a / b
}
"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_index_out_of_bounds(backend):
    m = kernelc.compile(BOUNDS, backend=backend)
    x = np.zeros((3, 4))
    with pytest.raises(kernelc.KernelError) as caught:
        m.get(x, 1, 4)
    e = caught.value
    assert str(e) == (
        "kernel `get` stopped at 3:5: index out of bounds: array `x` axis 1 has extent 4 "
        "but the index is 4"
    )
    assert (e.kind, e.function, e.line, e.col) == ("IndexOutOfBounds", "get", 3, 5)
    assert (e.array, e.axis, e.index, e.extent) == ("x", 1, 4, 4)
    assert isinstance(e, RuntimeError)


@pytest.mark.parametrize("backend", BACKENDS)
def test_division_by_zero(backend):
    m = kernelc.compile(BOUNDS, backend=backend)
    with pytest.raises(kernelc.KernelError, match="integer division by zero") as caught:
        m.divide(1, 0)
    e = caught.value
    assert (e.kind, e.line, e.col, e.array, e.index) == ("DivisionByZero", 7, 5, None, None)
    with pytest.raises(kernelc.KernelError, match=r"integer division overflow \(MIN / -1\)"):
        m.divide(-(2**63), -1)


def test_allocation_limit():
    m = kernelc.compile(
        "fn big(n: usize) -> f64 { let a = vec![0.0; n]; a[0] }", max_alloc_bytes=1024
    )
    assert m.big(128) == 0.0
    with pytest.raises(kernelc.KernelError, match="over the limit of 1024 bytes") as caught:
        m.big(129)
    assert caught.value.kind == "AllocationTooLarge"


def test_no_panic_reaches_python_on_hostile_sources():
    """Sources that are not kernels at all must give CompileError, never crash."""
    for source in ["", "\0", "fn", "fn f() -> _ {}", "}" * 1000, "fn f() { " + "(" * 10_000 + " }",
                   "fn f(x: ArrayView9<f64>) {}", "struct S;", "fn f() { loop {} } fn f() {}"]:
        try:
            kernelc.compile(source)
        except kernelc.CompileError as e:
            assert str(e)
