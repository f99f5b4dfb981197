"""Builds the Cython peers in place: ``python setup_cython.py build_ext --inplace``.
``-O3`` is added to the interpreter's own flags (which usually include it already)."""

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

extensions = [
    Extension(name, [f"{name}.pyx"], include_dirs=[np.get_include()], extra_compile_args=["-O3"])
    for name in ("cython_nbody", "cython_pairwise")
]

setup(name="kernelc-peers-cython", ext_modules=cythonize(extensions, quiet=True))
