"""The golden corpus (kernel-testkit/corpus/*.rs) run from Python, compared bit for bit with
the Rust JIT tier.

A session fixture runs the Rust exporter once (`cargo run -p kernel-testkit --example
export_corpus`, same CARGO_TARGET_DIR and dev profile as scripts/test-python.sh): for every
case it writes the arguments, what the JIT returned, each array argument afterwards, the
error and what the call printed (`kernel-testkit/examples/export_corpus.rs` documents the
manifest). Each case then runs here in both backends, its arrays rebuilt in numpy with the
case's memory layout (`.f`, `.rev`, `.step2`, as kernel-testkit/src/array.rs lays them out),
and must give the same bits, arrays, gaps, errors and printed text.

Test ids are `FILE:LINE-FUNCTION-BACKEND` (`arrays.rs:12-axpy-jit`), collected from the
corpus's `// @call` lines so that every case is its own test before the exporter has run.
"""

import json
import struct
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest

import kernelc

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "kernel-testkit" / "corpus"
BACKENDS = ("interp", "jit")

DTYPES = {
    "bool": np.bool_,
    "i8": np.int8,
    "i16": np.int16,
    "i32": np.int32,
    "i64": np.int64,
    "u8": np.uint8,
    "u16": np.uint16,
    "u32": np.uint32,
    "u64": np.uint64,
    # numpy has no `usize`: kernels take and return uint64 (uintp) for it.
    "usize": np.uint64,
    "f32": np.float32,
    "f64": np.float64,
}
INTEGERS = {"i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize"}
# The types a generic (`_`) parameter infers from a Python scalar: float, int, bool.
PYTHON_SCALAR_TYPES = {"f64", "i64", "bool"}
# The bit pattern in the gaps of `.step2` arrays, cut to the element's width (bool: its low
# bit, `false`): kernel-testkit's `GAP_BITS`.
GAP_BITS = 0x5A5A_5A5A_5A5A_5A5A


def corpus_calls():
    """`(file, line, function)` of every `// @call`, as kernel-testkit's corpus parser finds
    them (a trimmed line starting `// @call `; files sorted; 1-based lines)."""
    calls = []
    for path in sorted(CORPUS.glob("*.rs")):
        for number, line in enumerate(path.read_text().split("\n"), start=1):
            directive = line.strip()
            if directive.startswith("// @call "):
                function = directive[len("// @call ") :].split()[0]
                calls.append((path.name, number, function))
    return calls


CALLS = corpus_calls()


def case_key(file, line):
    return f"{file}:{line}"


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """The exporter's output: `(folder, {FILE:LINE: case record})`."""
    out = tmp_path_factory.mktemp("corpus-export")
    command = [
        "cargo", "run", "--quiet", "-p", "kernel-testkit", "--example", "export_corpus",
        "--", str(out),
    ]
    run = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if run.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed:\n{run.stdout}{run.stderr}", pytrace=False)
    manifest = json.loads((out / "manifest.json").read_text())
    return out, {case_key(c["file"], c["line"]): c for c in manifest["cases"]}


@pytest.fixture(scope="session")
def compiled():
    """`compiled(source path, backend)`: each corpus file compiled once per backend (its cases
    share the module, as in the exporter)."""
    modules = {}

    def get(source, backend):
        key = (source, backend)
        if key not in modules:
            with warnings.catch_warnings():
                # Some corpus files warn on purpose; the warnings are the front end's tests.
                warnings.simplefilter("ignore", kernelc.KernelWarning)
                modules[key] = kernelc.compile(Path(source).read_text(), backend)
        return modules[key]

    return get


def test_the_export_has_every_corpus_call(exported):
    _, cases = exported
    collected = {case_key(file, line): function for file, line, function in CALLS}
    exported_calls = {key: case["function"] for key, case in cases.items()}
    assert exported_calls == collected
    assert len(collected) >= 400, f"the corpus shrank to {len(collected)} cases"


# -------------------------------------------------------------------------------------------
# Bits.


def uint_type(dtype):
    """The unsigned integer type as wide as `dtype` (bool: uint8)."""
    return {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[np.dtype(dtype).itemsize]


def bits_of(array):
    """The raw bits of every element, in logical order (any strides)."""
    return array.view(uint_type(array.dtype))


def scalar_from_bits(type_name, bits):
    """The exported raw 64-bit slot as a numpy scalar of its type."""
    width = np.dtype(DTYPES[type_name]).itemsize * 8
    raw = np.array([bits & ((1 << width) - 1)], dtype=uint_type(DTYPES[type_name]))
    if type_name == "bool":
        return np.bool_(raw[0] & 1)
    return raw.view(DTYPES[type_name])[0]


def python_scalar(value):
    """A numpy scalar as the Python bool, int or float of the same value (f32 widened
    exactly)."""
    return value.item()


# -------------------------------------------------------------------------------------------
# Arguments.


def inexpressible(case):
    """Why numpy cannot pass the case's arguments as Rust did, or None."""
    for arg in case["args"]:
        if arg["kind"] == "scalar" and arg["param"] not in ("_", arg["type"]):
            return (
                f"argument `{arg['name']}` is a {arg['type']} for a {arg['param']} parameter: "
                "Python converts scalars to the parameter's type, so the mismatch Rust "
                "reports cannot be passed"
            )
        elem = arg.get("type", arg.get("elem"))
        if arg["param"] == "_" and elem == "usize":
            return (
                f"argument `{arg['name']}` is usize for a generic parameter: numpy has no "
                "usize (uint64 specialises as u64)"
            )
    return None


def scalar_argument(arg):
    """A scalar as a Python user passes it: a Python bool/int/float, converted to a declared
    parameter's type; for a generic parameter a numpy scalar of the type unless the Python
    scalar infers it (float: f64, int: i64, bool: bool)."""
    value = scalar_from_bits(arg["type"], int(arg["bits"], 16))
    if arg["param"] == "_" and arg["type"] not in PYTHON_SCALAR_TYPES:
        return value
    return python_scalar(value)


class ArrayArgument:
    """An array argument laid out as the case asks: `view` is what the kernel gets,
    `storage` the whole buffer (for `.step2`, with sentinel gaps)."""

    def __init__(self, values, layout):
        self.layout = layout
        if layout == "c":
            self.storage = np.ascontiguousarray(values).copy()
            self.view = self.storage
        elif layout == "f":
            self.storage = np.asfortranarray(values).copy(order="F")
            self.view = self.storage
        elif layout == "rev":
            # Stored reversed along axis 0, seen through a negative stride.
            self.storage = np.ascontiguousarray(values[::-1])
            self.view = self.storage[::-1]
        elif layout == "step2":
            # Every other row of a buffer twice as long; the other rows are gaps.
            shape = (2 * values.shape[0],) + values.shape[1:]
            self.storage = np.empty(shape, dtype=values.dtype)
            self.gaps().view(uint_type(values.dtype))[...] = self.gap_bits()
            self.view = self.storage[::2]
            self.view[...] = values
        else:
            raise AssertionError(f"unknown layout {layout!r}")

    def laid_out(self):
        """Whether the view's memory is what the layout promises (not a copy in C order)."""
        view, rows = self.view, self.view.shape[0] if self.view.ndim else 0
        if self.layout == "f":
            return view.flags.f_contiguous
        if self.layout == "rev":
            return rows < 2 or view.strides[0] < 0
        if self.layout == "step2":
            return view.base is self.storage and (rows < 2 or not view.flags.c_contiguous)
        return view.flags.c_contiguous

    def gaps(self):
        return self.storage[1::2]

    def gap_bits(self):
        if self.storage.dtype == np.bool_:
            return GAP_BITS & 1
        return GAP_BITS & ((1 << (self.storage.dtype.itemsize * 8)) - 1)

    def gaps_intact(self):
        return self.layout != "step2" or bool(np.all(bits_of(self.gaps()) == self.gap_bits()))


def build_arguments(case, folder):
    """The call's arguments and, for each array, its `ArrayArgument` (None for scalars)."""
    args, arrays = [], []
    for arg in case["args"]:
        if arg["kind"] == "scalar":
            args.append(scalar_argument(arg))
            arrays.append(None)
            continue
        values = np.load(folder / arg["before"])
        assert values.dtype == DTYPES[arg["elem"]] and list(values.shape) == arg["shape"]
        array = ArrayArgument(values, arg["layout"])
        assert_same_bits(array.view, values, f"`{arg['name']}` as built")
        assert array.laid_out(), f"`{arg['name']}` is not laid out as .{arg['layout']}"
        args.append(array.view)
        arrays.append(array)
    return args, arrays


# -------------------------------------------------------------------------------------------
# Comparisons.


def assert_same_bits(got, expected, what):
    assert got.dtype == expected.dtype, f"{what}: dtype {got.dtype}, Rust {expected.dtype}"
    assert got.shape == expected.shape, f"{what}: shape {got.shape}, Rust {expected.shape}"
    assert np.array_equal(bits_of(got), bits_of(expected)), (
        f"{what}: Python {got!r}, Rust {expected!r}"
    )


def assert_same_value(got, expected, folder, what="the return value"):
    """`got` (what Python returned) against the exported Rust value, to the bit."""
    kind = expected["kind"]
    if kind == "tuple":
        assert isinstance(got, tuple), f"{what}: {got!r} is not a tuple"
        assert len(got) == len(expected["elements"]), f"{what}: {got!r}"
        for index, (g, e) in enumerate(zip(got, expected["elements"])):
            assert_same_value(g, e, folder, f"{what}[{index}]")
    elif kind == "array":
        assert isinstance(got, np.ndarray), f"{what}: {got!r} is not a numpy array"
        rust = np.load(folder / expected["npy"])
        assert rust.dtype == DTYPES[expected["elem"]], f"{what}: Rust stored {rust.dtype}"
        assert_same_bits(got, rust, what)
    else:
        type_name = expected["type"]
        rust = scalar_from_bits(type_name, int(expected["bits"], 16))
        if type_name == "bool":
            assert type(got) is bool and got == bool(rust), f"{what}: {got!r}, Rust {rust!r}"
        elif type_name in INTEGERS:
            assert type(got) is int and got == int(rust), f"{what}: {got!r}, Rust {rust!r}"
        else:
            # A float, f32 widened exactly: the f64 bits of Rust's value widened the same way.
            assert type(got) is float, f"{what}: {got!r} is not a float"
            got_bits = struct.unpack("<Q", struct.pack("<d", got))[0]
            want_bits = int(np.float64(rust).view(np.uint64))
            assert got_bits == want_bits, f"{what}: {got!r} ({got_bits:#x}), Rust {rust!r}"


# Which of the Python KernelError's `array, axis, index, extent` each kind sets, from the
# Rust error's fields (kernelc-py/src/errors.rs): a slice past the extent reports its end as
# the index.
KERNEL_ERROR_ATTRIBUTES = {
    "IndexOutOfBounds": {"array": "array", "axis": "axis", "index": "index", "extent": "extent"},
    "SliceEndPastExtent": {"array": "array", "axis": "axis", "index": "end", "extent": "extent"},
    "SliceStartAfterEnd": {"array": "array", "axis": "axis"},
}


def as_python_passes_arrays(message, case):
    """Rust's argument error as Python's call gives it. The Rust harness passes every array
    writable (`golden::case_args`), while kernelc passes a numpy array to a read-only
    parameter read-only: a mismatch on such a parameter describes the array as `ArrayViewN`
    where Rust's says `ArrayViewMutN`."""
    for arg in case["args"]:
        declared = arg["param"]
        read_only = declared != "_" and "Mut" not in declared and "&mut" not in declared
        if arg["kind"] == "array" and read_only and message.startswith(f"argument `{arg['name']}`:"):
            return message.replace("got ArrayViewMut", "got ArrayView")
    return message


def assert_same_error(raised, expected, case):
    """The exception Python raised against the Rust error: class, text and parts."""
    message = expected["message"]
    if expected["class"] == "kernel":
        assert isinstance(raised, kernelc.KernelError), f"raised {raised!r}, Rust: {message}"
        got = (raised.kind, raised.function, raised.line, raised.col)
        want = (expected["kind"], expected["function"], expected["line"], expected["col"])
        assert got == want, f"{raised!r}: Rust {expected['canonical']}"
        attributes = KERNEL_ERROR_ATTRIBUTES.get(expected["kind"], {})
        for attribute in ("array", "axis", "index", "extent"):
            field = attributes.get(attribute)
            want = expected["fields"][field] if field else None
            if want is not None and attribute != "array":
                want = int(want)
            got = getattr(raised, attribute)
            assert got == want, f"e.{attribute} is {got!r}, Rust {expected['canonical']}"
        assert str(raised) == message
    elif expected["class"] == "argument":
        # Arrays that cannot be used as they are, ValueError; the wrong kind, TypeError.
        wanted = ValueError if expected["variant"] in ("Mutability", "Aliasing") else TypeError
        assert type(raised) is wanted, f"raised {raised!r}, Rust: {message}"
        assert str(raised) == as_python_passes_arrays(message, case)
    elif expected["class"] == "compile":
        assert isinstance(raised, kernelc.CompileError), f"raised {raised!r}, Rust: {message}"
        assert str(raised) == message.rstrip()
    else:
        raise AssertionError(f"Rust failed outside the kernel ({message}); Python: {raised!r}")


# -------------------------------------------------------------------------------------------
# The cases.


@pytest.mark.parametrize(
    "file,line,function,backend",
    [
        pytest.param(file, line, function, backend, id=f"{file}:{line}-{function}-{backend}")
        for file, line, function in CALLS
        for backend in BACKENDS
    ],
)
def test_corpus_case(file, line, function, backend, exported, compiled, capfd):
    folder, cases = exported
    case = cases.get(case_key(file, line))
    assert case is not None, "the exporter did not export this case"
    assert case["function"] == function
    reason = inexpressible(case)
    if reason:
        pytest.skip(reason)
    args, arrays = build_arguments(case, folder)

    capfd.readouterr()
    raised, value = None, None
    try:
        # Compiling may fail too (the exporter records a file that does not compile).
        value = compiled(case["source"], backend)[function](*args)
    except Exception as error:  # compared with Rust's error below
        raised = error
    stdout, stderr = capfd.readouterr()

    result = case["result"]
    if result["kind"] == "error":
        assert raised is not None, f"returned {value!r}; Rust: {result['error']['canonical']}"
        assert_same_error(raised, result["error"], case)
    elif raised is not None:
        raise AssertionError(f"Rust gave {result}; Python raised {raised!r}") from raised
    elif result["kind"] == "unit":
        assert value is None, f"returned {value!r}, Rust returned ()"
    else:
        assert_same_value(value, result["value"], folder)
    for arg, array in zip(case["args"], arrays):
        if array is None:
            continue
        after = np.load(folder / arg["after"])
        assert_same_bits(array.view, after, f"`{arg['name']}` after the call")
        assert array.gaps_intact(), f"a write landed in a gap of `{arg['name']}`"
    assert (stdout, stderr) == (case["stdout"], case["stderr"])
