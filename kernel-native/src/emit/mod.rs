//! The Rust emitter: checked IR → specialised native Rust, one inner function per kernel
//! function plus a safe wrapper with the user's signature.
//!
//! Shape of the output for `fn f(x: &[f64], a: f64) -> f64`:
//! - the wrapper `fn f(x: &[f64], a: f64) -> Result<f64, KernelError>` takes each array
//!   argument apart once (`kernel_runtime::__private::raw_parts`: pointer, extents, strides in
//!   elements), takes the stop flag of the enclosing `kernel_runtime::interruptible` scope
//!   and calls the inner function at call depth 1 and the CPU's instruction-set level;
//! - the body `unsafe fn __kbody_f(__k_isa: IsaLevel, x: *const f64, x_dim0: usize,
//!   x_stride0: isize, a: f64, __k_stop: StopFlag, __k_depth: u32)` is translated from the
//!   IR: scalars are Rust locals, every element access a bounds check (unless the bounds
//!   analysis removed it, or checks are disabled) then a raw-pointer access, every operation
//!   the language's own (`wrapping_*`, `KernelInt::k_div`, the shared libm wrappers), so
//!   results are those of the interpreter to the bit;
//! - the inner function `__kernel_f` (same parameters), which callers use, holds one
//!   `#[target_feature]` copy of the body per instruction-set level and calls the one for
//!   `__k_isa` (`multiversion`).
//!
//! Files mirror the other back ends: `expr` (the big `match` over [`Expr`]), `stmt`
//! (statements, blocks, loops), `ops` (operators, casts, builtins, literals), `access`
//! (array element access and the proofs that remove checks), `poll` (interrupt polling: the
//! wrapper captures the stop flag of `kernel_runtime::interruptible` once per call),
//! `multiversion` (one copy of each body per instruction-set level).
//!
//! **Invariant:** emission never panics; an IR shape the emitter does not handle is an
//! [`EmitError`] naming it (only a front-end bug can produce one).

mod access;
mod alloc;
mod expr;
mod lanes;
mod multiversion;
mod names;
mod ops;
mod poll;
mod print;
mod stmt;
#[cfg(test)]
mod tests;
mod versioning;
mod view;

use kernel_ir::analysis::bounds::BoundsTable;
use std::collections::{HashMap, HashSet};

use kernel_ir::ir::{Expr, ExprId, FuncId, Function, LocalId, LoopId};
use kernel_ir::{Program, Scalar, Span, Type};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use names::Names;

/// Code generation options (`#[kernel(boundscheck = false, multiversion = false)]`).
#[derive(Clone, Copy, Debug)]
pub struct EmitOptions {
    pub boundscheck: bool,
    /// A copy of every function per instruction-set level (`kernel_ir::IsaLevel`), or only
    /// the baseline.
    pub multiversion: bool,
}

/// An IR shape the emitter cannot translate.
#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    #[error("internal error: the native tier cannot translate {what} in `{function}`")]
    Unsupported {
        function: String,
        what: String,
        span: Span,
    },
}

impl EmitError {
    pub fn span(&self) -> Span {
        match self {
            EmitError::Unsupported { span, .. } => *span,
        }
    }
}

pub(crate) type EmitResult<T> = Result<T, EmitError>;

/// How the inner function sees one array local.
#[derive(Clone, Debug)]
enum ArrayAccess {
    /// An argument: base pointer, then one extent and one stride per axis.
    Param {
        ptr: Ident,
        dims: Vec<Ident>,
        strides: Vec<Ident>,
        elem: Scalar,
        mutable: bool,
    },
    /// A local `[T; N]`.
    Fixed { name: Ident, len: u32, elem: Scalar },
}

/// The raw entry's name for kernel function `name` (a prefix no inner name starts with).
pub(crate) fn raw_entry_name(name: &str) -> Ident {
    format_ident!("__kentry_{}", name)
}

/// The name of kernel function `name`'s entry at a given level, which calls use (see
/// `multiversion`).
pub(crate) fn inner_name(name: &str) -> Ident {
    format_ident!("__kernel_{}", name)
}

/// The name of kernel function `name`'s body, which only its `inner_name` calls.
pub(crate) fn body_name(name: &str) -> Ident {
    format_ident!("__kbody_{}", name)
}

/// One parameter of the inner functions.
#[derive(Clone, Debug)]
struct InnerParam {
    name: Ident,
    ty: TokenStream,
    /// A `mut` scalar parameter: assigned in the body.
    mutable: bool,
}

impl InnerParam {
    fn new(name: Ident, ty: TokenStream) -> InnerParam {
        InnerParam {
            name,
            ty,
            mutable: false,
        }
    }

    /// `[mut] name: Type`, as the body declares it.
    fn declaration(&self) -> TokenStream {
        let (name, ty) = (&self.name, &self.ty);
        let m = self.mutable.then(|| quote!(mut));
        quote!(#m #name: #ty)
    }
}

/// A function body written into each level's copy (see `multiversion`).
pub(crate) struct CopyBody {
    /// The parameters as the body declares them (`mut` where it assigns them).
    pub declared: Vec<TokenStream>,
    pub body: TokenStream,
}

/// Per-function emission state.
pub(crate) struct FnEmitter<'p> {
    program: &'p Program,
    function: &'p Function,
    options: EmitOptions,
    names: Names,
    arrays: HashMap<LocalId, ArrayAccess>,
    /// What the bounds analysis decided for every access (shared with the JIT and
    /// `explain --annotate`).
    bounds: BoundsTable,
    /// The versioned loops whose fast copy is being emitted (see `versioned`).
    fast: Vec<LoopId>,
    /// Emitting the checked copy of a versioned loop: nothing inside is versioned again.
    plain: bool,
    /// `for` loops that poll at their back-edge: a `continue` of one leaves the body's
    /// labelled block instead, so it passes the poll too.
    polling_fors: HashSet<LoopId>,
}

impl<'p> FnEmitter<'p> {
    pub(crate) fn new(program: &'p Program, function: &'p Function, options: EmitOptions) -> Self {
        let names = Names::for_function(function);
        let arrays = array_accesses(function, &names);
        FnEmitter {
            program,
            function,
            options,
            names,
            arrays,
            bounds: kernel_ir::analysis::bounds::analyze(function),
            fast: Vec::new(),
            plain: false,
            polling_fors: HashSet::new(),
        }
    }

    fn unsupported(&self, span: Span, what: impl Into<String>) -> EmitError {
        EmitError::Unsupported {
            function: self.function.name.clone(),
            what: what.into(),
            span,
        }
    }

    fn span_of(&self, id: ExprId) -> Span {
        self.function.span(id)
    }

    fn local_ident(&self, local: LocalId) -> Ident {
        self.names.local(local)
    }

    /// `(function name, line, col)` tokens for locating a runtime error at `span`.
    fn site(&self, span: Span) -> TokenStream {
        let name = &self.function.name;
        let (line, col) = (span.line, span.col);
        quote!(#name, #line, #col)
    }

    /// The inner function's parameters after `__k_isa`: raw parts for arrays, plain scalars,
    /// then the stop flag and the call depth.
    fn inner_params(&self) -> EmitResult<Vec<InnerParam>> {
        let mut params = Vec::new();
        for param in &self.function.params {
            let local = self.function.local(*param);
            match (local.ty, self.arrays.get(param)) {
                (
                    Type::Array(_),
                    Some(ArrayAccess::Param {
                        ptr,
                        dims,
                        strides,
                        elem,
                        mutable,
                    }),
                ) => {
                    let elem = ops::scalar_type(*elem);
                    let pointer = if *mutable {
                        quote!(*mut #elem)
                    } else {
                        quote!(*const #elem)
                    };
                    params.push(InnerParam::new(ptr.clone(), pointer));
                    params.extend(
                        dims.iter()
                            .map(|d| InnerParam::new(d.clone(), quote!(usize))),
                    );
                    params.extend(
                        strides
                            .iter()
                            .map(|s| InnerParam::new(s.clone(), quote!(isize))),
                    );
                }
                (Type::Scalar(s), _) => params.push(InnerParam {
                    name: self.local_ident(*param),
                    ty: ops::scalar_type(s),
                    mutable: local.mutable,
                }),
                (other, _) => {
                    return Err(self.unsupported(local.span, format!("a parameter of type {other}")))
                }
            }
        }
        params.push(InnerParam::new(
            format_ident!("__k_stop"),
            quote!(::kernel_runtime::__private::StopFlag),
        ));
        params.push(InnerParam::new(format_ident!("__k_depth"), quote!(u32)));
        Ok(params)
    }

    /// The function's native code: its body `__kbody_NAME(__k_isa, raw parts…, __k_stop,
    /// __k_depth) -> Result<Ret, KernelError>` and the entry `__kernel_NAME` of the same
    /// signature that runs the body's copy for the level `__k_isa` (see `multiversion`).
    pub(crate) fn emit_inner(&mut self) -> EmitResult<TokenStream> {
        let name = body_name(&self.function.name);
        let params = self.inner_params()?;
        let ret = ops::value_type(self.function.ret);
        let body = self.emit_body()?;
        let doc = format!(
            "Native body of kernel `{}`, inlined into each copy `{}` holds (one per \
             instruction-set level); calls from it stay at level `__k_isa`.\n\n# Safety\n\n\
             Every pointer with its extents and strides must describe a live array (every \
             in-bounds element inside one allocation), writable ones exclusively borrowed for \
             the call; the CPU has level `__k_isa`.",
            self.function.name,
            inner_name(&self.function.name),
        );
        let declared: Vec<TokenStream> = params.iter().map(InnerParam::declaration).collect();
        // A `prange` body is a closure, compiled for the features of the function it is
        // written in: such a function's copies hold the body's text themselves.
        let has_parallel =
            kernel_ir::ir::walk::any_expr_in_block(self.function, &self.function.body, |e| {
                matches!(e, kernel_ir::ir::Expr::For { parallel: true, .. })
            });
        let inline = has_parallel.then(|| CopyBody {
            declared: declared.clone(),
            body: body.clone(),
        });
        let router = self.emit_router(&params, &ret, inline.as_ref());
        Ok(quote! {
            #[doc = #doc]
            #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
            #[inline(always)]
            unsafe fn #name(
                __k_isa: ::kernel_runtime::IsaLevel,
                #(#declared),*
            ) -> ::core::result::Result<#ret, ::kernel_runtime::KernelError> {
                use ::kernel_runtime::__private as __k_rt;
                use ::kernel_runtime::ir::semantics as __k_sem;
                #body
            }
            #router
        })
    }

    fn emit_body(&mut self) -> EmitResult<TokenStream> {
        let body = &self.function.body;
        let mut stmts = Vec::new();
        if poll::calls(self.function) {
            // Recursion without loops must stay interruptible.
            stmts.push(self.poll(self.function.span));
        }
        stmts.extend(self.emit_stmts(&body.stmts)?);
        let ret = self.function.ret;
        Ok(match (body.tail, ret) {
            (Some(tail), Type::Unit | Type::Never) => {
                let tail = self.emit_expr(tail)?.tokens;
                quote!(#(#stmts)* #tail; ::core::result::Result::Ok(()))
            }
            (Some(tail), _) => {
                let tail = self.emit_expr(tail)?.tokens;
                quote!(#(#stmts)* ::core::result::Result::Ok(#tail))
            }
            (None, Type::Scalar(s)) => {
                // The checker only accepts a body without a tail when it never falls off
                // the end; the zero keeps rustc's type check happy without a panic path.
                let zero = ops::zero(s);
                quote!(#(#stmts)* ::core::result::Result::Ok(#zero))
            }
            (None, Type::Tuple(tuple)) => {
                // As for scalars: never reached, but rustc wants a value.
                let zeros = tuple.elems().iter().map(|&s| ops::zero(s));
                quote!(#(#stmts)* ::core::result::Result::Ok((#(#zeros),*)))
            }
            (None, Type::Array(_)) => {
                // As for scalars: never reached, but rustc wants a value.
                quote!(#(#stmts)* ::core::result::Result::Ok(__k_rt::Owned::empty()))
            }
            (None, _) => quote!(#(#stmts)* ::core::result::Result::Ok(())),
        })
    }

    /// The safe wrapper's body: take the array arguments apart, then call the inner function.
    /// `param_idents` are the names the user's parameter patterns bind.
    pub(crate) fn emit_wrapper_body(&self, param_idents: &[Ident]) -> EmitResult<TokenStream> {
        let mut prologue = Vec::new();
        let mut args = Vec::new();
        for (param, user) in self.function.params.iter().zip(param_idents) {
            match self.arrays.get(param) {
                Some(ArrayAccess::Param {
                    ptr, dims, strides, ..
                }) => {
                    let rank = dims.len();
                    prologue.push(quote! {
                        let (#ptr, [#(#dims),*], [#(#strides),*]) =
                            ::kernel_runtime::__private::raw_parts::<_, #rank>(#user);
                    });
                    args.push(quote!(#ptr));
                    args.extend(dims.iter().map(|d| quote!(#d)));
                    args.extend(strides.iter().map(|s| quote!(#s)));
                }
                _ => args.push(quote!(#user)),
            }
        }
        let inner = inner_name(&self.function.name);
        let level = self.entry_level();
        // A returned array becomes the type the signature names (`Array2<f64>`, `Vec<f64>`).
        let convert = matches!(self.function.ret, Type::Array(_))
            .then(|| quote!(.map(::kernel_runtime::__private::FromOwned::from_owned)));
        Ok(quote! {
            #(#prologue)*
            let __k_stop = ::kernel_runtime::__private::StopFlag::current();
            // SAFETY (emitter): each pointer, extent and stride comes from an argument
            // borrowed for this whole call (exclusively for writable ones); the level is one
            // the CPU has.
            unsafe { #inner(#level, #(#args,)* __k_stop, 1u32) } #convert
        })
    }

    /// The raw entry `#[kernel]` lists in its `NATIVE` table: the arguments in the slots every
    /// tier takes (`RawArg`: a scalar's bits or an array's descriptor), the result as raw
    /// bits, so `kernel_runtime::Module::native` calls it through the shared call path.
    pub(crate) fn emit_raw_entry(&self) -> EmitResult<TokenStream> {
        let mut prologue = Vec::new();
        let mut args = Vec::new();
        for (index, param) in self.function.params.iter().enumerate() {
            let slot = quote!(__k_rt::raw_arg(__k_args, #index));
            let local = self.function.local(*param);
            match (local.ty, self.arrays.get(param)) {
                (
                    Type::Array(_),
                    Some(ArrayAccess::Param {
                        ptr,
                        dims,
                        strides,
                        elem,
                        ..
                    }),
                ) => {
                    let (elem, rank) = (ops::scalar_type(*elem), dims.len());
                    prologue.push(quote! {
                        let (#ptr, [#(#dims),*], [#(#strides),*]) =
                            __k_rt::raw_arg_parts::<#elem, #rank>(#slot);
                    });
                    args.push(quote!(#ptr));
                    args.extend(dims.iter().map(|d| quote!(#d)));
                    args.extend(strides.iter().map(|s| quote!(#s)));
                }
                (Type::Scalar(s), _) => {
                    let ty = ops::scalar_type(s);
                    args.push(quote!(<#ty as __k_rt::FromRawArg>::from_raw_arg(#slot)));
                }
                (other, _) => {
                    return Err(self.unsupported(local.span, format!("a parameter of type {other}")))
                }
            }
        }
        let (inner, entry) = (
            inner_name(&self.function.name),
            raw_entry_name(&self.function.name),
        );
        let level = self.entry_level();
        let doc = format!(
            "Raw entry of kernel `{}` for `kernel_runtime::Module::native`.\n\n# Safety\n\n\
             As `kernel_runtime::NativeEntry`: one slot per parameter, of its checked type, \
             describing live arrays borrowed for the call (writable ones exclusively, \
             overlapping no other argument).",
            self.function.name
        );
        Ok(quote! {
            #[doc = #doc]
            #[allow(unused, non_snake_case, clippy::all, clippy::pedantic)]
            unsafe fn #entry(
                __k_args: &[::kernel_runtime::__private::RawArg],
                __k_stop: ::kernel_runtime::__private::StopFlag,
            ) -> ::core::result::Result<::kernel_runtime::__private::RawReturn, ::kernel_runtime::KernelError> {
                use ::kernel_runtime::__private as __k_rt;
                #(#prologue)*
                // SAFETY (emitter): the caller passes live arrays of the parameters' types
                // (the entry's contract), as the inner function requires; the level is one
                // the CPU has.
                unsafe { #inner(#level, #(#args,)* __k_stop, 1u32) }
                    .map(__k_rt::IntoRawReturn::into_raw_return)
            }
        })
    }

    /// The name of a called function's inner function.
    fn callee(&self, id: FuncId) -> EmitResult<&'p Function> {
        self.program
            .functions()
            .get(id.index())
            .ok_or_else(|| self.unsupported(self.function.span, "a call of an unknown function"))
    }

    fn expr(&self, id: ExprId) -> &'p Expr {
        self.function.expr(id)
    }
}

/// Assigns raw-part names to every array parameter and a name to every fixed array.
fn array_accesses(function: &Function, names: &Names) -> HashMap<LocalId, ArrayAccess> {
    let mut arrays = HashMap::new();
    for (index, local) in function.locals.iter().enumerate() {
        let id = LocalId(index as u32);
        match local.ty {
            Type::Array(array) => {
                let rank = array.rank as usize;
                arrays.insert(
                    id,
                    ArrayAccess::Param {
                        ptr: names.local(id),
                        dims: (0..rank).map(|k| names.part(id, "dim", k)).collect(),
                        strides: (0..rank).map(|k| names.part(id, "stride", k)).collect(),
                        elem: array.elem,
                        mutable: array.mutable,
                    },
                );
            }
            Type::Fixed { elem, len } => {
                arrays.insert(
                    id,
                    ArrayAccess::Fixed {
                        name: names.local(id),
                        len,
                        elem,
                    },
                );
            }
            _ => {}
        }
    }
    arrays
}

/// An emitted expression and whether it can be an operand without parentheses.
/// A literal of type `ty` as Rust tokens.
pub(crate) fn literal_tokens(lit: kernel_ir::ir::Lit, ty: kernel_ir::Scalar) -> TokenStream {
    ops::literal(lit, ty).tokens
}

#[derive(Clone, Debug)]
pub(crate) struct Emitted {
    pub tokens: TokenStream,
    pub atomic: bool,
}

impl Emitted {
    fn atom(tokens: TokenStream) -> Emitted {
        Emitted {
            tokens,
            atomic: true,
        }
    }

    fn compound(tokens: TokenStream) -> Emitted {
        Emitted {
            tokens,
            atomic: false,
        }
    }

    /// The expression as an operand: parenthesised unless atomic.
    fn operand(&self) -> TokenStream {
        let tokens = &self.tokens;
        if self.atomic {
            tokens.clone()
        } else {
            quote!((#tokens))
        }
    }
}
