"""kernelc from Python: numeric kernels written in Rust syntax, compiled in about a
millisecond (interpreter or Cranelift JIT) and run on numpy arrays in place.

    >>> import kernelc, numpy as np
    >>> m = kernelc.compile('''
    ... fn scale(a: f64, mut x: ArrayViewMut1<f64>) {
    ...     for i in 0..x.len() { x[i] *= a; }
    ... }''')
    >>> x = np.arange(4.0)
    >>> m.scale(2.0, x)
    >>> x
    array([0., 2., 4., 6.])

Arrays are never copied: a kernel reads and writes the caller's numpy arrays (any strides),
with every index checked. Errors are exceptions: ``CompileError`` (rustc-style
diagnostics), ``KernelError`` (what stopped the kernel, where), ``TypeError``/``ValueError``
for arguments that do not fit, naming the parameter. Ctrl-C stops a running kernel.
"""

from ._kernelc import (
    CompileError,
    Diagnostic,
    Function,
    FunctionProfile,
    KernelError,
    KernelWarning,
    LineProfile,
    Module,
    Profile,
    compile,
    set_threads,
    threads,
)

__all__ = [
    "CompileError",
    "Diagnostic",
    "Function",
    "FunctionProfile",
    "KernelError",
    "KernelWarning",
    "LineProfile",
    "Module",
    "Profile",
    "compile",
    "kernel",
    "set_threads",
    "threads",
]


def kernel(function=None, *, backend="jit", **options):
    """Turns a Python function whose docstring is a kernel source into that kernel.

    The Python signature documents the call; the docstring holds the kernel function of the
    same name (and any helpers it calls)::

        @kernelc.kernel
        def axpy(a, x, y):
            '''
            fn axpy(a: f64, x: ArrayView1<f64>, mut y: ArrayViewMut1<f64>) {
                for i in 0..x.len() { y[i] += a * x[i]; }
            }
            '''

        axpy(2.0, x, y)

    ``@kernelc.kernel(backend="interp", boundscheck=True)`` passes options to
    ``kernelc.compile``. The source compiles once, when the decorator runs.
    """

    def decorate(python_function):
        source = python_function.__doc__
        if not source or not source.strip():
            raise CompileError(
                f"@kernelc.kernel: `{python_function.__name__}` has no docstring; "
                "its docstring must be the kernel source"
            )
        module = compile(source, backend, **options)
        name = python_function.__name__
        if name not in module:
            raise CompileError(
                f"@kernelc.kernel: the docstring of `{name}` defines no kernel function "
                f"`{name}` (it defines: {', '.join(module.names) or 'nothing'})"
            )
        return module[name]

    if function is None:
        return decorate
    return decorate(function)
