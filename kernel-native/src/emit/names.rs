//! Rust names for a function's locals and the raw parts of its arrays.
//!
//! A local keeps its source name when that name is a plain identifier, is not already taken
//! in the function (shadowing makes several locals share a name) and cannot be mistaken for
//! something else in a pattern (names starting with an uppercase letter could be enum
//! variants or constants). Otherwise it gets `name_ID`. Names starting with `__k` are
//! reserved for the emitter's own temporaries.

use std::collections::{HashMap, HashSet};

use kernel_ir::ir::{Function, LocalId};
use proc_macro2::{Ident, Span};

#[derive(Debug, Default)]
pub(crate) struct Names {
    locals: Vec<Ident>,
    parts: HashMap<(LocalId, &'static str, usize), Ident>,
}

impl Names {
    pub(crate) fn for_function(function: &Function) -> Names {
        let mut taken: HashSet<String> = HashSet::new();
        let mut names = Names::default();
        for (index, local) in function.locals.iter().enumerate() {
            let wanted = local.name.trim_start_matches("r#");
            let name = if usable(wanted) && !taken.contains(wanted) {
                wanted.to_string()
            } else {
                fresh(&mut taken, &format!("{}_{index}", sanitize(wanted)))
            };
            taken.insert(name.clone());
            names.locals.push(ident(&name));
        }
        for (index, local) in function.locals.iter().enumerate() {
            if let Some(rank) = local.ty.array_rank() {
                let base = names.locals[index].to_string();
                for axis in 0..rank as usize {
                    for part in ["dim", "stride"] {
                        let name = fresh(&mut taken, &format!("{base}_{part}{axis}"));
                        taken.insert(name.clone());
                        names
                            .parts
                            .insert((LocalId(index as u32), part, axis), ident(&name));
                    }
                }
            }
        }
        names
    }

    pub(crate) fn local(&self, local: LocalId) -> Ident {
        self.locals
            .get(local.index())
            .cloned()
            .unwrap_or_else(|| ident(&format!("__k_local{}", local.0)))
    }

    /// The name of an array's `dim`/`stride` of `axis`.
    pub(crate) fn part(&self, local: LocalId, part: &'static str, axis: usize) -> Ident {
        self.parts
            .get(&(local, part, axis))
            .cloned()
            .unwrap_or_else(|| ident(&format!("__k_{part}{}_{axis}", local.0)))
    }
}

/// The first of `base`, `base_1`, `base_2`, … not taken.
fn fresh(taken: &mut HashSet<String>, base: &str) -> String {
    if !taken.contains(base) {
        return base.to_string();
    }
    (1..)
        .map(|n| format!("{base}_{n}"))
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or_else(|| base.to_string())
}

/// A plain, lowercase-initial, non-keyword identifier outside the reserved `__k` space.
fn usable(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_lowercase());
    first_ok
        && name != "_"
        && !name.starts_with("__k")
        && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
        && syn::parse_str::<syn::Ident>(name).is_ok()
}

/// `name` reduced to characters valid in an identifier, lowercase-initial.
fn sanitize(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('_');
    if cleaned.is_empty() || cleaned.starts_with(|c: char| c.is_ascii_digit()) {
        format!("v{cleaned}")
    } else {
        cleaned.to_string()
    }
}

fn ident(name: &str) -> Ident {
    if syn::parse_str::<syn::Ident>(name).is_ok() {
        Ident::new(name, Span::call_site())
    } else {
        Ident::new("__k_unnamed", Span::call_site())
    }
}
