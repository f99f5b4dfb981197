"""Arguments from Python: every element type, every layout numpy makes, without copies;
scalars converted to the parameter's type; every misfit a clear exception naming the
parameter."""

import numpy as np
import pytest

import kernelc

BACKENDS = ["interp", "jit"]

# Each kernel element type and the numpy dtype that carries it.
DTYPES = {
    "bool": np.bool_,
    "i8": np.int8,
    "u8": np.uint8,
    "i16": np.int16,
    "u16": np.uint16,
    "i32": np.int32,
    "u32": np.uint32,
    "i64": np.int64,
    "u64": np.uint64,
    "usize": np.uint64,
    "f32": np.float32,
    "f64": np.float64,
}


def copy_kernel(ty):
    """Copies `a` into `b` and returns the last element of `a` (a scalar of type `ty`)."""
    return f"""
fn copy(a: ArrayView1<{ty}>, mut b: ArrayViewMut1<{ty}>) -> {ty} {{
    for i in 0..a.len() {{
        b[i] = a[i];
    }}
    a[a.len() - 1]
}}
"""


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("ty", sorted(DTYPES))
def test_every_element_type(ty, backend):
    dtype = DTYPES[ty]
    m = kernelc.compile(copy_kernel(ty), backend=backend)
    if dtype is np.bool_:
        a = np.array([True, False, True])
    elif np.issubdtype(dtype, np.floating):
        a = np.array([1.5, -0.0, np.nan, np.inf], dtype=dtype)
    else:
        info = np.iinfo(dtype)
        a = np.array([info.min, 0, 7, info.max], dtype=dtype)
    b = np.zeros_like(a)
    last = m.copy(a, b)
    assert a.tobytes() == b.tobytes()
    assert type(last) is {"bool": bool, "f32": float, "f64": float}.get(ty, int)
    assert np.asarray(last, dtype=dtype).tobytes() == a[-1:].tobytes()


def layouts():
    base = np.arange(24.0).reshape(4, 6)
    yield "C", base.copy()
    yield "Fortran", np.asfortranarray(base)
    yield "strided", np.arange(48.0).reshape(8, 6)[::2]
    yield "negative rows", base[::-1]
    yield "negative columns", base[:, ::-1]
    yield "both negative", base[::-2, ::-3]
    yield "transposed", base.T
    yield "broadcast (zero stride)", np.broadcast_to(np.arange(6.0), (4, 6))
    yield "empty", np.zeros((0, 6))


WEIGHTED = """
fn weighted(a: ArrayView2<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..a.nrows() {
        for j in 0..a.ncols() {
            s += a[[i, j]] * ((i * 7 + j) as f64);
        }
    }
    s
}

fn fill(mut a: ArrayViewMut2<f64>) {
    for i in 0..a.nrows() {
        for j in 0..a.ncols() {
            a[[i, j]] = (i * 100 + j) as f64;
        }
    }
}
"""


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name,array", list(layouts()), ids=[n for n, _ in layouts()])
def test_layouts_read_in_place(name, array, backend):
    m = kernelc.compile(WEIGHTED, backend=backend)
    i, j = np.indices(array.shape)
    assert m.weighted(array) == float((array * (i * 7 + j)).sum())


@pytest.mark.parametrize("backend", BACKENDS)
def test_writes_reach_the_callers_array_through_any_view(backend):
    m = kernelc.compile(WEIGHTED, backend=backend)
    buffer = np.full((8, 12), -1.0)
    view = buffer[1::2, ::-3]  # 4 x 4, strided and reversed: no copy can be written back
    m.fill(view)
    expected = np.add.outer(np.arange(4) * 100, np.arange(4)).astype(float)
    assert np.array_equal(buffer[1::2, ::-3], expected)
    untouched = np.ones(buffer.shape, dtype=bool)
    untouched[1::2, ::-3] = False
    assert (buffer[untouched] == -1.0).all()


def test_no_copy_of_inputs():
    """A 400 MB input read through a reversed, strided view: a copy anywhere (of the view
    or of its base) would raise the process's peak memory by at least 100 MB."""
    import resource

    m = kernelc.compile(WEIGHTED)
    base = np.ones((10_000, 5_000))  # 400 MB, pages touched
    view = base[::-2, ::2]
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    total = m.weighted(view)
    peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert peak_after - peak_before < 50_000, (peak_before, peak_after)
    i, j = np.arange(5_000), np.arange(2_500)
    assert total == float(7 * i.sum() * 2_500 + j.sum() * 5_000)
    del base, view


def test_overlapping_writable_arrays_are_refused():
    m = kernelc.compile(WEIGHTED + "fn two(mut a: ArrayViewMut1<f64>, b: ArrayView1<f64>) {}")
    x = np.zeros(10)
    with pytest.raises(ValueError, match="argument `a` is writable and overlaps argument `b`"):
        m.two(x[:6], x[5:])
    m.two(x[:5], x[5:])  # disjoint halves are fine
    m.two(x[::2], np.zeros(3))
    with pytest.raises(ValueError, match="argument `a` is writable and overlaps argument `b`"):
        m.two(x[::2], x[1::2])  # interleaved: the byte ranges overlap


@pytest.mark.parametrize(
    "value,param,expected",
    [
        (3, "f64", 3.0),
        (2.5, "f64", 2.5),
        (np.float32(0.1), "f64", float(np.float32(0.1))),
        (0.1, "f32", float(np.float32(0.1))),
        (7, "u8", 7),
        (np.int16(-3), "i64", -3),
        (2**64 - 1, "u64", 2**64 - 1),
        (-(2**63), "i64", -(2**63)),
        (True, "bool", True),
        (np.bool_(False), "bool", False),
        (5, "usize", 5),
    ],
)
def test_scalars_convert_to_the_parameter_type(value, param, expected):
    m = kernelc.compile(f"fn id(x: {param}) -> {param} {{ x }}")
    got = m.id(value)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    "value,param,error,message",
    [
        (1.5, "i64", TypeError, "argument `x`: expected i64, got float"),
        (True, "i64", TypeError, "argument `x`: expected i64, got bool"),
        (True, "f64", TypeError, "argument `x`: expected f64, got bool"),
        (1, "bool", TypeError, "argument `x`: expected bool, got int"),
        ("3", "f64", TypeError, "argument `x`: expected f64, got str"),
        (None, "f64", TypeError, "argument `x`: expected f64, got NoneType"),
        (256, "u8", OverflowError, "argument `x`: 256 is out of range for u8"),
        (-1, "usize", OverflowError, "argument `x`: -1 is out of range for usize"),
        (2**64, "u64", OverflowError, "argument `x`: 18446744073709551616 is out of range for u64"),
        (-(2**200), "i8", OverflowError, "argument `x`: -1606938044258990275541962092341162602522202993782792835301376 is out of range for i8"),
        (np.int64(-5), "u32", OverflowError, "argument `x`: -5 is out of range for u32"),
        (np.float32(1.0), "i32", TypeError, "argument `x`: expected i32, got float32"),
        (np.zeros(3), "f64", TypeError, "argument `x`: expected f64, got an array ArrayView1<f64>"),
    ],
)
def test_scalar_misfits(value, param, error, message):
    m = kernelc.compile(f"fn id(x: {param}) -> {param} {{ x }}")
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        m.id(value)


ARRAY_PARAM = "fn f(mut x: ArrayViewMut2<f64>) {}"


@pytest.mark.parametrize(
    "make,error,message",
    [
        (lambda: np.zeros((2, 2), dtype=np.float32), TypeError,
         "argument `x`: expected ArrayViewMut2<f64>, got ArrayViewMut2<f32>"),
        (lambda: np.zeros(4), TypeError,
         "argument `x`: expected ArrayViewMut2<f64>, got ArrayViewMut1<f64>"),
        (lambda: np.zeros((2, 2, 2, 2)), TypeError,
         "argument `x`: arrays of rank 4 are not supported"),
        (lambda: np.zeros((2, 2), dtype=np.complex128), TypeError,
         "argument `x`: numpy dtype complex128 is not a kernel element type"),
        (lambda: np.zeros((2, 2), dtype=object), TypeError,
         "argument `x`: numpy dtype object is not a kernel element type"),
        (lambda: np.zeros((2, 2), dtype=">f8"), TypeError,
         "argument `x`: dtype >f8 is not in the machine's byte order"),
        (lambda: [[1.0, 2.0]], TypeError,
         "argument `x`: expected ArrayViewMut2<f64>, got list \\(pass a numpy array\\)"),
        (lambda: 1.0, TypeError,
         "argument `x`: expected ArrayViewMut2<f64>, got float"),
        (lambda: np.broadcast_to(np.zeros(2), (2, 2)), ValueError,
         "argument `x`: the kernel writes through it \\(ArrayViewMut2<f64>\\), but the numpy array is read-only"),
        (lambda: np.frombuffer(b"\0" * 33, dtype=np.uint8)[1:].view(np.float64).reshape(2, 2), ValueError,
         "argument `x`: the array's data is not aligned"),
        (lambda: np.lib.stride_tricks.as_strided(np.zeros(8), (2, 2), (12, 8)), ValueError,
         "argument `x`: the array's data is not aligned"),
    ],
    ids=["dtype", "rank", "rank4", "complex", "object", "big-endian", "list", "scalar",
         "read-only", "unaligned", "odd-stride"],
)
def test_array_misfits(make, error, message):
    m = kernelc.compile(ARRAY_PARAM)
    with pytest.raises(error, match=message):
        m.f(make())


def test_usize_arrays_take_uint64():
    m = kernelc.compile("fn last(x: ArrayView1<usize>) -> usize { x[x.len() - 1] }")
    assert m.last(np.array([1, 2**64 - 1], dtype=np.uint64)) == 2**64 - 1
    with pytest.raises(TypeError, match="expected ArrayView1<usize>, got ArrayView1<i64>"):
        m.last(np.array([1, 2], dtype=np.int64))


@pytest.mark.parametrize("backend", BACKENDS)
def test_generic_parameters_take_the_values_types(backend):
    m = kernelc.compile(
        """
        fn twice(x: _) -> _ { x + x }
        fn first(a: _) -> f64 { a[0] as f64 }
        """,
        backend=backend,
    )
    assert m.twice(21) == 42 and type(m.twice(21)) is int
    assert m.twice(1.25) == 2.5
    assert m.twice(np.float32(0.1)) == float(np.float32(0.1) + np.float32(0.1))
    assert m.first(np.array([3], dtype=np.int16)) == 3.0
    assert m.first(np.array([2.5], dtype=np.float32)) == 2.5
    with pytest.raises(TypeError, match="argument `x`: expected a number, a bool or a numpy array, got str"):
        m.twice("a")
