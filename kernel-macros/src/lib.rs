//! `#[kernel]`: compile a Rust function (or an inline module of functions) written in the
//! kernel language into native code, checked by the same front end as the interpreter and
//! the JIT. See `kernel_native` for what the expansion contains; this crate only connects
//! the attribute to it.

use proc_macro::TokenStream;

/// Compiles the annotated `fn` or inline `mod` as a native kernel.
///
/// Arguments: `#[kernel]`, `#[kernel(boundscheck = false)]` (unsafe: removes bounds
/// checks), `#[kernel(multiversion = false)]` (only the baseline copy of each function, no
/// AVX2 or AVX-512 copies), `#[kernel(debug)]` (prints the expansion while compiling).
#[proc_macro_attribute]
pub fn kernel(attr: TokenStream, item: TokenStream) -> TokenStream {
    kernel_native::expand(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
