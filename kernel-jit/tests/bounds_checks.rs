//! The JIT emits exactly the bounds checks the shared bounds analysis leaves (the analysis
//! `kernelc explain --annotate` prints), for every function of every golden corpus kernel:
//! outside the checked copies of versioned loops, one check per axis the analysis marks
//! `InPlace`, and none for proven, implied or hoisted ones; inside checked copies, only
//! checks of accesses that are in place or hoisted.

use std::collections::BTreeSet;

use kernel_ir::analysis::bounds::{self, Check};
use kernel_ir::ir::{Function, LoopId};
use kernel_jit::{Jit, JitOptions};

/// `(function, line, col, axis)` of a check.
type Site = (String, u32, u32, u32);

/// The sites the analysis leaves checked in place, and those it hoists, of one function.
fn analysed(f: &Function) -> (BTreeSet<Site>, BTreeSet<Site>) {
    let table = bounds::analyze(f);
    let (mut in_place, mut hoisted) = (BTreeSet::new(), BTreeSet::new());
    for (_, span, checks) in table.accesses() {
        for (axis, check) in checks.iter().enumerate() {
            let site = (f.name.clone(), span.line, span.col, axis as u32);
            match check {
                Check::InPlace => in_place.insert(site),
                Check::Hoisted(_) => hoisted.insert(site),
                Check::Proven | Check::Implied => false,
            };
        }
    }
    (in_place, hoisted)
}

fn corpus_sources() -> Vec<(String, String)> {
    kernel_testkit::corpus_sources()
        .into_iter()
        .map(|(path, text)| (path.display().to_string(), text))
        .collect()
}

fn compare(name: &str, source: &str) -> usize {
    let program = kernel_ir::compile(source).unwrap_or_else(|e| panic!("{name}: {}", e.render()));
    let mut jit = Jit::new(JitOptions::default()).expect("a JIT");
    let (mut in_place, mut hoisted) = (BTreeSet::new(), BTreeSet::new());
    for function in program.function_names() {
        let Some(id) = program.concrete(function) else {
            continue;
        };
        jit.compile(&program, id)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    for f in program.functions() {
        let (place, hoist) = analysed(f);
        in_place.extend(place);
        hoisted.extend(hoist);
    }
    let emitted = jit.bounds_checks();
    let fast: BTreeSet<Site> = emitted
        .iter()
        .filter(|c| !c.checked_copy)
        .map(|c| (c.function.clone(), c.line, c.col, c.axis))
        .collect();
    assert_eq!(fast, in_place, "{name}: checks outside checked copies");
    for check in emitted.iter().filter(|c| c.checked_copy) {
        let site = (check.function.clone(), check.line, check.col, check.axis);
        assert!(
            in_place.contains(&site) || hoisted.contains(&site),
            "{name}: {check:?} in a checked copy is neither in place nor hoisted"
        );
    }
    emitted.len()
}

#[test]
fn the_jit_emits_exactly_the_checks_the_analysis_leaves() {
    let sources = corpus_sources();
    assert!(sources.len() > 10, "the corpus was not found");
    let emitted: usize = sources.iter().map(|(n, s)| compare(n, s)).sum();
    assert!(emitted > 20, "too few checks to compare: {emitted}");
}

#[test]
fn versioned_nests_check_once_at_entry() {
    let source = "
fn gemm(ni: usize, nj: usize, nk: usize, c: &mut Array2<f64>, a: ArrayView2<f64>, b: ArrayView2<f64>) {
    for i in 0..ni {
        for k in 0..nk {
            for j in 0..nj {
                c[[i, j]] += a[[i, k]] * b[[k, j]];
            }
        }
    }
}";
    compare("gemm", source);
    let program = kernel_ir::compile(source).expect("compiles");
    let f = &program.functions()[0];
    let table = bounds::analyze(f);
    let hoisted = table
        .accesses()
        .iter()
        .all(|(_, _, checks)| checks.iter().all(|c| matches!(c, Check::Hoisted(_))));
    assert!(hoisted, "{}", table.render(f));
    // Every access of the nest sits in the outer loop's guard (loops are numbered in
    // source order).
    assert_eq!(table.guard(LoopId(0)).len(), 6, "{}", table.render(f));
}
