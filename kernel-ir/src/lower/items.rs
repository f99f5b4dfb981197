//! Items and types: which items a kernel source may contain, `fn` signatures, and the types
//! written in parameters, returns and `let`s.

use syn::spanned::Spanned;

use super::const_items::ConstItems;
use super::{consts::Imports, node_span, span, FileCx, FnCx, FnSig, Lowered};
use crate::diag::{Diagnostic, Span};
use crate::ir::{Annot, Function, Local, LocalKind, DEFAULT_LANES, LANE_COUNTS};
use crate::types::{ArrayType, Scalar, Type};

const SUPPORTED_PARAM_TYPES: &str = "supported parameter types: `bool`, `i8`, `i16`, `i32`, \
    `i64`, `u8`, `u16`, `u32`, `u64`, `usize`, `f32`, `f64`, `&[T]`, `&mut [T]`, `ArrayView1<T>`..`ArrayView3<T>`, \
    `ArrayViewMut1<T>`..`ArrayViewMut3<T>`, `&Array1<T>`..`&Array3<T>`, \
    `&mut Array1<T>`..`&mut Array3<T>` and `_`";

const SUPPORTED_LOCAL_TYPES: &str =
    "supported local types: `bool`, `i8`, `i16`, `i32`, `i64`, `u8`, `u16`, `u32`, `u64`, `usize`, `f32`, `f64`, `[T; N]`, `Array1<T>`…`Array3<T>`, `Vec<T>`, tuples of scalars `(T, U)` and `_`";

/// Lowers every `fn` of a parsed file.
pub(super) fn lower_file(source: &str, file: &syn::File) -> Lowered {
    let mut diagnostics = Vec::new();
    let mut imports = Imports::default();
    let mut fns = Vec::new();
    let mut const_items = Vec::new();
    for item in &file.items {
        match item {
            syn::Item::Const(item_const) => const_items.push(item_const),
            syn::Item::Fn(item_fn) => fns.push(FnSig {
                name: item_fn.sig.ident.to_string(),
                arity: item_fn.sig.inputs.len(),
            }),
            syn::Item::Use(item_use) => imports.add_use_tree(&mut Vec::new(), &item_use.tree),
            other => diagnostics.push(unsupported_item(other)),
        }
    }
    let (consts, const_diagnostics) = super::const_items::evaluate(&const_items, &imports);
    let constants = const_items
        .iter()
        .filter_map(|item| {
            let name = item.ident.to_string();
            consts.get(&name).map(|(lit, ty)| (name, lit, ty))
        })
        .collect();
    diagnostics.extend(const_diagnostics);
    let file_cx = FileCx {
        source,
        fns,
        imports,
        consts,
    };
    let mut lowered = Lowered {
        functions: Vec::new(),
        body_ok: Vec::new(),
        diagnostics,
        constants,
    };
    for item_fn in file.items.iter().filter_map(|item| match item {
        syn::Item::Fn(item_fn) => Some(item_fn),
        _ => None,
    }) {
        let mut fn_diagnostics = duplicate_check(&file_cx, lowered.functions.len(), item_fn);
        let (function, body_diagnostics) = lower_fn(&file_cx, item_fn);
        fn_diagnostics.extend(body_diagnostics);
        lowered.body_ok.push(fn_diagnostics.is_empty());
        lowered.functions.push(function);
        lowered.diagnostics.extend(fn_diagnostics);
    }
    lowered
}

/// The diagnostic for an item that is not a `fn` or `use`.
fn unsupported_item(item: &syn::Item) -> Diagnostic {
    let (what, at) = match item {
        syn::Item::Enum(i) => ("`enum` items are", i.enum_token.span),
        syn::Item::ExternCrate(i) => ("`extern crate` items are", i.extern_token.span),
        syn::Item::ForeignMod(i) => ("`extern` blocks are", i.abi.extern_token.span),
        syn::Item::Impl(i) => ("`impl` blocks are", i.impl_token.span),
        syn::Item::Macro(i) => return unsupported_macro(&i.mac),
        syn::Item::Mod(i) => ("`mod` items are", i.mod_token.span),
        syn::Item::Static(i) => ("`static` items are", i.static_token.span),
        syn::Item::Struct(i) => ("`struct` items are", i.struct_token.span),
        syn::Item::Trait(i) => ("`trait` items are", i.trait_token.span),
        syn::Item::TraitAlias(i) => ("trait aliases are", i.trait_token.span),
        syn::Item::Type(i) => ("`type` aliases are", i.type_token.span),
        syn::Item::Union(i) => ("`union` items are", i.union_token.span),
        other => ("these items are", other.span()),
    };
    Diagnostic::new(span(at), format!("{what} not supported in kernels"))
        .with_help("a kernel source contains only `fn`, `const` and `use` items")
}

/// "macro `name!` is not supported in kernels".
pub(super) fn unsupported_macro(mac: &syn::Macro) -> Diagnostic {
    let name: Vec<String> = mac
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let at = span(mac.path.span()).to(span(mac.bang_token.span));
    Diagnostic::new(
        at,
        format!("macro `{}!` is not supported in kernels", name.join("::")),
    )
}

fn duplicate_check(file: &FileCx, index: usize, item_fn: &syn::ItemFn) -> Vec<Diagnostic> {
    let name = item_fn.sig.ident.to_string();
    match file.find_fn(&name) {
        Some(first) if first < index => vec![Diagnostic::new(
            span(item_fn.sig.ident.span()),
            format!("the name `{name}` is defined multiple times"),
        )
        .with_label(format!("`{name}` redefined here"))],
        _ => Vec::new(),
    }
}

/// Lowers one `fn` item: signature, then body.
fn lower_fn(file: &FileCx, item_fn: &syn::ItemFn) -> (Function, Vec<Diagnostic>) {
    let sig = &item_fn.sig;
    let function = Function {
        name: sig.ident.to_string(),
        span: span(sig.ident.span()),
        params: Vec::new(),
        ret_annot: Annot::Known(Type::Unit),
        ret: Type::Unit,
        locals: Vec::new(),
        loops: Vec::new(),
        exprs: Vec::new(),
        expr_types: Vec::new(),
        expr_spans: Vec::new(),
        body: Default::default(),
        reassociate: None,
        alloc_limit: crate::alloc::DEFAULT_MAX_ALLOC_BYTES,
        matches: Vec::new(),
    };
    let mut cx = FnCx::new(file, function);
    cx.func.reassociate = reassociate_attribute(&mut cx, &item_fn.attrs);
    check_signature_form(&mut cx, sig);
    let type_params = type_param_names(&sig.generics);
    for (index, input) in sig.inputs.iter().enumerate() {
        lower_param(&mut cx, index as u32, input, &type_params);
    }
    lower_return(&mut cx, &sig.output, &type_params);
    let body = cx.lower_block(&item_fn.block);
    cx.func.body = body;
    cx.finish()
}

/// The lane count asked for by `#[reassociate]` (the default count) or
/// `#[reassociate(lanes = N)]`; other attributes are accepted and ignored.
fn reassociate_attribute(cx: &mut FnCx, attrs: &[syn::Attribute]) -> Option<u32> {
    let mut lanes = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("reassociate")) {
        match reassociate_lanes(attr) {
            Ok(count) if lanes.is_none() => lanes = Some(count),
            Ok(_) => cx.error(Diagnostic::new(
                node_span(attr),
                "`#[reassociate]` is given more than once",
            )),
            Err(diagnostic) => cx.error(diagnostic),
        }
    }
    lanes
}

fn reassociate_lanes(attr: &syn::Attribute) -> Result<u32, Diagnostic> {
    let usage = || {
        Diagnostic::new(node_span(attr), "malformed `#[reassociate]` attribute")
            .with_help("write `#[reassociate]` or `#[reassociate(lanes = 8)]`")
    };
    let list = match &attr.meta {
        syn::Meta::Path(_) => return Ok(DEFAULT_LANES),
        syn::Meta::List(list) => list,
        syn::Meta::NameValue(_) => return Err(usage()),
    };
    let value: syn::MetaNameValue = list.parse_args().map_err(|_| usage())?;
    if !value.path.is_ident("lanes") {
        return Err(usage());
    }
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Int(int),
        ..
    }) = &value.value
    else {
        return Err(usage());
    };
    match int.base10_parse::<u32>() {
        Ok(count) if LANE_COUNTS.contains(&count) => Ok(count),
        _ => Err(Diagnostic::new(
            span(int.span()),
            format!(
                "`lanes = {}` is not a supported lane count",
                int.base10_digits()
            ),
        )
        .with_help("the lane count is 2, 4, 8 or 16")),
    }
}

/// Rejects the parts of a signature the language has no use for.
fn check_signature_form(cx: &mut FnCx, sig: &syn::Signature) {
    let qualifiers = [
        sig.constness.map(|t| ("`const fn` is", t.span)),
        sig.asyncness.map(|t| ("`async fn` is", t.span)),
        sig.unsafety.map(|t| ("`unsafe fn` is", t.span)),
        sig.abi
            .as_ref()
            .map(|a| ("`extern` functions are", a.extern_token.span)),
    ];
    for (what, at) in qualifiers.into_iter().flatten() {
        cx.error(Diagnostic::new(
            span(at),
            format!("{what} not supported in kernels"),
        ));
    }
    if has_type_or_const_generics(&sig.generics) {
        cx.error(
            Diagnostic::new(
                node_span(&sig.generics),
                "generic functions are not supported in kernels",
            )
            .with_help("write `_` as a parameter's type to have it specialised per call"),
        );
    }
    if let Some(variadic) = &sig.variadic {
        cx.error(Diagnostic::new(
            node_span(variadic),
            "variadic functions are not supported in kernels",
        ));
    }
}

/// Whether a signature's generics go beyond lifetimes. Lifetime parameters (`<'a, 'b: 'a>`)
/// and lifetime bounds are accepted and ignored, as in the types that carry them
/// (`ArrayView2<'a, f64>`, `&'a mut [f64]`): a kernel borrows its arrays for one call, so
/// they constrain nothing. Type and const parameters would need per-type code the language
/// spells `_` instead.
fn has_type_or_const_generics(generics: &syn::Generics) -> bool {
    let params = generics
        .params
        .iter()
        .any(|param| !matches!(param, syn::GenericParam::Lifetime(_)));
    let predicates = generics
        .where_clause
        .iter()
        .flat_map(|clause| &clause.predicates)
        .any(|predicate| !matches!(predicate, syn::WherePredicate::Lifetime(_)));
    params || predicates
}

/// The names of a signature's type and const parameters (already reported as unsupported).
fn type_param_names(generics: &syn::Generics) -> Vec<String> {
    generics
        .params
        .iter()
        .filter_map(|param| match param {
            syn::GenericParam::Type(ty) => Some(ty.ident.to_string()),
            syn::GenericParam::Const(c) => Some(c.ident.to_string()),
            syn::GenericParam::Lifetime(_) => None,
        })
        .collect()
}

/// Whether a type names one of `names` anywhere (`&'a [T]`, `ArrayView1<T>`).
fn mentions_any(ty: &syn::Type, names: &[String]) -> bool {
    struct Finder<'n> {
        names: &'n [String],
        found: bool,
    }
    impl<'ast> syn::visit::Visit<'ast> for Finder<'_> {
        fn visit_path_segment(&mut self, segment: &'ast syn::PathSegment) {
            self.found |= self.names.iter().any(|name| segment.ident == name);
            syn::visit::visit_path_segment(self, segment);
        }
    }
    if names.is_empty() {
        return false;
    }
    let mut finder = Finder {
        names,
        found: false,
    };
    syn::visit::Visit::visit_type(&mut finder, ty);
    finder.found
}

fn lower_param(cx: &mut FnCx, index: u32, input: &syn::FnArg, type_params: &[String]) {
    let typed = match input {
        syn::FnArg::Receiver(receiver) => {
            cx.error(
                Diagnostic::new(
                    node_span(receiver),
                    "`self` parameters are not supported in kernels",
                )
                .with_help("kernels are free functions; pass the data as array parameters"),
            );
            return declare_param(cx, index, "self".into(), false, None, node_span(receiver));
        }
        syn::FnArg::Typed(typed) => typed,
    };
    let annot = match param_type(cx.file.source, &typed.ty) {
        Ok(annot) => Some(annot),
        // A type built from the function's own type parameter is the generic-function error
        // already reported, not a second one.
        Err(_) if mentions_any(&typed.ty, type_params) => None,
        Err(diagnostic) => {
            cx.error(diagnostic);
            None
        }
    };
    let (name, mutable, at) = match &*typed.pat {
        syn::Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => (
            pat.ident.to_string(),
            pat.mutability.is_some(),
            span(pat.ident.span()),
        ),
        syn::Pat::Wild(wild) => ("_".to_string(), false, span(wild.underscore_token.span)),
        other => {
            let at = node_span(other);
            cx.error(
                Diagnostic::new(at, "only plain names are supported as parameter patterns")
                    .with_help("write `name: Type`"),
            );
            ("_".to_string(), false, at)
        }
    };
    declare_param(cx, index, name, mutable, annot, at);
}

fn declare_param(
    cx: &mut FnCx,
    index: u32,
    name: String,
    mutable: bool,
    annot: Option<Annot>,
    at: Span,
) {
    let ty = match annot {
        Some(Annot::Known(ty)) => ty,
        _ => Type::Unit,
    };
    let local = Local {
        name,
        kind: LocalKind::Param(index),
        mutable,
        annot: Some(annot.unwrap_or(Annot::Infer)),
        ty,
        span: at,
    };
    let id = cx.declare(local, !mutable);
    cx.func.params.push(id);
}

fn lower_return(cx: &mut FnCx, output: &syn::ReturnType, type_params: &[String]) {
    let syn::ReturnType::Type(_, ty) = output else {
        return;
    };
    match return_type(cx.file.source, ty) {
        Ok(annot) => {
            cx.func.ret_annot = annot;
            if let Annot::Known(ty) = annot {
                cx.func.ret = ty;
            }
        }
        Err(_) if mentions_any(ty, type_params) => {}
        Err(diagnostic) => cx.error(diagnostic),
    }
}

fn return_type(source: &str, ty: &syn::Type) -> Result<Annot, Diagnostic> {
    match ty {
        syn::Type::Tuple(tuple) if tuple.elems.is_empty() => Ok(Annot::Known(Type::Unit)),
        syn::Type::Tuple(_) => match super::tuples::tuple_type(ty) {
            Some(Ok(tuple)) => Ok(Annot::Known(Type::Tuple(tuple))),
            Some(Err(diagnostic)) => Err(diagnostic),
            None => Ok(Annot::Known(Type::Unit)),
        },
        syn::Type::Infer(_) => Ok(Annot::Infer),
        syn::Type::Paren(paren) => return_type(source, &paren.elem),
        _ => match (scalar_type(ty), owned_array_type(ty)) {
            (Some(scalar), _) => Ok(Annot::Known(Type::Scalar(scalar))),
            (None, Some(array)) => Ok(Annot::Known(Type::Array(array))),
            (None, None) if param_type(source, ty).is_ok() => Err(Diagnostic::new(
                node_span(ty),
                "array views cannot be returned from kernels",
            )
            .with_help("return an array the kernel allocated (`-> Array1<f64>`, `-> Vec<f64>`), or write into a writable array parameter")),
            (None, None) => Err(Diagnostic::new(
                node_span(ty),
                format!("unsupported return type `{}`", source_text(source, ty)),
            )
            .with_help("a kernel returns nothing, `()`, a scalar type, a tuple of scalars (`(f64, i64)`), an allocated array (`Array1<f64>`, `Vec<f64>`, …) or `_`")),
        },
    }
}

/// The scalar named by a plain path type (`f64`).
pub(super) fn scalar_type(ty: &syn::Type) -> Option<Scalar> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    if path.qself.is_some() {
        return None;
    }
    let ident = path.path.get_ident()?;
    Scalar::from_name(&ident.to_string())
}

/// A parameter's type: a scalar, an array reference or view, or `_`.
pub(super) fn param_type(source: &str, ty: &syn::Type) -> Result<Annot, Diagnostic> {
    let unsupported = || {
        Diagnostic::new(
            node_span(ty),
            format!("unsupported parameter type `{}`", source_text(source, ty)),
        )
        .with_help(SUPPORTED_PARAM_TYPES)
    };
    if let Some(scalar) = scalar_type(ty) {
        return Ok(Annot::Known(Type::Scalar(scalar)));
    }
    let array = match ty {
        syn::Type::Infer(_) => return Ok(Annot::Infer),
        syn::Type::Paren(paren) => return param_type(source, &paren.elem),
        syn::Type::Reference(reference) => reference_array(reference),
        syn::Type::Path(path) => ndarray_type(path, "ArrayView")
            .map(|(rank, elem)| ArrayType {
                elem,
                rank,
                mutable: false,
            })
            .or_else(|| {
                ndarray_type(path, "ArrayViewMut").map(|(rank, elem)| ArrayType {
                    elem,
                    rank,
                    mutable: true,
                })
            }),
        _ => None,
    };
    array
        .map(|a| Annot::Known(Type::Array(a)))
        .ok_or_else(unsupported)
}

/// An array the kernel owns (allocated, or returned by a call): `Array1<T>`…`Array3<T>` (with
/// or without `ndarray::`) or `Vec<T>`. Writable: whether a local may be written is its
/// binding's `mut`.
pub(super) fn owned_array_type(ty: &syn::Type) -> Option<ArrayType> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let (rank, elem) = ndarray_type(path, "Array").or_else(|| vec_type(path))?;
    Some(ArrayType {
        elem,
        rank,
        mutable: true,
    })
}

/// `Vec<T>` (or `std::vec::Vec<T>`) → (1, T).
fn vec_type(path: &syn::TypePath) -> Option<(u8, Scalar)> {
    let last = path.path.segments.last()?;
    if path.qself.is_some() || last.ident != "Vec" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.iter().collect::<Vec<_>>().as_slice() {
        [syn::GenericArgument::Type(elem)] => Some((1, scalar_type(elem)?)),
        _ => None,
    }
}

/// `&[T]`, `&mut [T]`, `&Array2<T>`, `&mut ndarray::Array3<T>`.
fn reference_array(reference: &syn::TypeReference) -> Option<ArrayType> {
    let mutable = reference.mutability.is_some();
    let (rank, elem) = match &*reference.elem {
        syn::Type::Slice(slice) => (1, scalar_type(&slice.elem)?),
        syn::Type::Path(path) => ndarray_type(path, "Array")?,
        _ => return None,
    };
    Some(ArrayType {
        elem,
        rank,
        mutable,
    })
}

/// `[ndarray::]{stem}{1,2,3}<['a,] T>` → (rank, T).
fn ndarray_type(path: &syn::TypePath, stem: &str) -> Option<(u8, Scalar)> {
    if path.qself.is_some() {
        return None;
    }
    let segments: Vec<&syn::PathSegment> = path.path.segments.iter().collect();
    let last = match segments.as_slice() {
        [last] => *last,
        [prefix, last] if prefix.ident == "ndarray" && prefix.arguments.is_none() => *last,
        _ => return None,
    };
    let name = last.ident.to_string();
    let rank = match name.strip_prefix(stem)? {
        "1" => 1,
        "2" => 2,
        "3" => 3,
        _ => return None,
    };
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut elem = None;
    for arg in &args.args {
        match arg {
            syn::GenericArgument::Lifetime(_) if elem.is_none() => {}
            syn::GenericArgument::Type(ty) if elem.is_none() => elem = Some(scalar_type(ty)?),
            _ => return None,
        }
    }
    Some((rank, elem?))
}

/// A `let` annotation that cannot be used as written.
pub(super) struct BadAnnot {
    pub(super) diagnostic: Box<Diagnostic>,
    /// What to record all the same: a `[T; N]` with a bad `N` is still a fixed array of `T`
    /// (with the length [`super::expr::fixed_len`] recovers), so the local's uses are checked
    /// as an array's and report nothing more.
    pub(super) recovered: Option<Annot>,
}

/// A `let` annotation: a scalar, `[T; N]`, or `_` (`None`: nothing to record).
pub(super) fn local_type(
    source: &str,
    consts: &ConstItems,
    ty: &syn::Type,
) -> Result<Option<Annot>, BadAnnot> {
    if let Some(scalar) = scalar_type(ty) {
        return Ok(Some(Annot::Known(Type::Scalar(scalar))));
    }
    let unsupported = || BadAnnot {
        diagnostic: Box::new(unsupported_local(source, ty)),
        recovered: None,
    };
    if let Some(array) = owned_array_type(ty) {
        return Ok(Some(Annot::Known(Type::Array(array))));
    }
    match super::tuples::tuple_type(ty) {
        Some(Ok(tuple)) => return Ok(Some(Annot::Known(Type::Tuple(tuple)))),
        Some(Err(diagnostic)) => {
            return Err(BadAnnot {
                diagnostic: Box::new(diagnostic),
                recovered: None,
            })
        }
        None => {}
    }
    match ty {
        syn::Type::Infer(_) => Ok(None),
        syn::Type::Paren(paren) => local_type(source, consts, &paren.elem),
        syn::Type::Array(array) => {
            let elem = scalar_type(&array.elem);
            let len = super::expr::fixed_len(&array.len, consts);
            match (elem, len) {
                (Some(elem), Ok(len)) => Ok(Some(Annot::Known(Type::Fixed { elem, len }))),
                (elem, Err(bad)) => Err(BadAnnot {
                    diagnostic: bad.diagnostic,
                    recovered: elem.map(|elem| {
                        Annot::Known(Type::Fixed {
                            elem,
                            len: bad.recovered,
                        })
                    }),
                }),
                (None, _) => Err(unsupported()),
            }
        }
        _ => Err(unsupported()),
    }
}

fn unsupported_local(source: &str, ty: &syn::Type) -> Diagnostic {
    Diagnostic::new(
        node_span(ty),
        format!(
            "unsupported type `{}` for a local variable",
            source_text(source, ty)
        ),
    )
    .with_help(SUPPORTED_LOCAL_TYPES)
}

/// The source text of a node, for messages.
pub(super) fn source_text<'s>(source: &'s str, node: &impl Spanned) -> &'s str {
    let at = node_span(node);
    source.get(at.lo as usize..at.hi as usize).unwrap_or("?")
}
