"""Type stubs of the compiled half of kernelc (see docs/PYTHON.md)."""

from typing import Any, Optional

class CompileError(Exception):
    diagnostics: list[Diagnostic]

class KernelError(RuntimeError):
    kind: str
    function: str
    line: int
    col: int
    array: Optional[str]
    axis: Optional[int]
    index: Optional[int]
    extent: Optional[int]

class KernelWarning(UserWarning): ...

class Diagnostic:
    severity: str
    message: str
    line: int
    col: int
    label: str
    help: list[str]
    rendered: str
    def _repr_html_(self) -> str: ...

class LineProfile:
    line: int
    hits: int
    time: float
    contents: str

class FunctionProfile:
    name: str
    calls: int
    total: float
    own: float
    lines: list[LineProfile]

class Profile:
    value: Any
    functions: list[FunctionProfile]
    def function(self, name: str) -> Optional[FunctionProfile]: ...
    def _repr_html_(self) -> str: ...

class Function:
    name: str
    __name__: str
    params: list[tuple[str, str]]
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...
    def profile(self, *args: Any, **kwargs: Any) -> Profile: ...

class Module:
    names: list[str]
    backend: str
    source: str
    warnings: list[Diagnostic]
    def __getitem__(self, name: str) -> Function: ...
    def __getattr__(self, name: str) -> Function: ...
    def __contains__(self, name: str) -> bool: ...
    def explain(self, name: Optional[str] = None, what: str = "ir") -> str: ...
    def interrupt(self) -> None: ...
    def reset(self) -> None: ...

def compile(
    source: str,
    backend: str = "jit",
    *,
    boundscheck: bool = True,
    inspect: bool = False,
    reassociate: Optional[int] = None,
    max_alloc_bytes: Optional[int] = None,
) -> Module: ...
def set_threads(threads: int) -> None: ...
def threads() -> int: ...
