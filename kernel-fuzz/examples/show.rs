//! Prints generated program `SEED` (`cargo run -p kernel-fuzz --example show -- SEED`), or,
//! with `--check FILE`, compiles a kernel file and prints its diagnostics: the tools for
//! turning a failing seed into a minimal regression kernel.
//!
//! `--stats N [FIRST]` generates programs `FIRST..FIRST + N` and prints how often each loop
//! shape occurs (share of programs containing it), what the bounds analysis makes of their
//! accesses (proven, implied, hoisted to a versioned loop's guard, checked in place), then
//! runs each program on three inputs in the interpreter and prints how many calls end in a
//! runtime error, and of which kind.

use std::collections::{BTreeMap, BTreeSet};

use kernel_fuzz::gen::{self, Config};
use kernel_fuzz::harness::{self, Failure};
use kernel_runtime::ir::analysis::bounds::{self, Check};
use kernel_runtime::ir::analysis::promote;
use kernel_runtime::{Backend, Module, Options};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, path] if flag == "--check" => {
            let source = std::fs::read_to_string(path).unwrap_or_default();
            match kernel_runtime::ir::compile(&source) {
                Ok(_) => println!("ok"),
                Err(error) => println!("{}", error.render()),
            }
        }
        [flag, count, rest @ ..] if flag == "--stats" => {
            let count: u64 = count.parse().unwrap_or(1000);
            let first: u64 = rest.first().and_then(|s| s.parse().ok()).unwrap_or(0);
            stats(first, count);
        }
        _ => {
            let seed: u64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(0);
            let program = gen::program(seed, Config { generic: true });
            println!("{}", program.source);
        }
    }
}

fn stats(first: u64, count: u64) {
    let mut programs_with: BTreeMap<&str, u64> = BTreeMap::new();
    let mut any_shape = 0;
    let (mut runs, mut errors) = (0u64, 0u64);
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    // Per tag: calls of programs with it, and how many of those ended out of bounds.
    let mut oob_with: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    // Axis checks by verdict, versioned loops, programs with a versioned loop.
    let mut verdicts: BTreeMap<&str, u64> = BTreeMap::new();
    let (mut versioned, mut versioned_programs) = (0u64, 0u64);
    // Innermost loops keeping an array element in a register, programs with one.
    let (mut promoting, mut promoting_programs) = (0u64, 0u64);
    // Programs whose JIT code has `f64x2` vector loops.
    let mut vectorised = 0u64;
    for seed in first..first + count {
        let program = gen::program(seed, Config { generic: true });
        let (loops, promoted) = count_verdicts(&program.source, &mut verdicts);
        versioned += loops;
        versioned_programs += u64::from(loops > 0);
        promoting += promoted;
        promoting_programs += u64::from(promoted > 0);
        let mut tags = program.tags.clone();
        tags.sort_unstable();
        tags.dedup();
        any_shape += u64::from(!tags.is_empty());
        for tag in &tags {
            *programs_with.entry(tag).or_default() += 1;
        }
        let Ok(module) = harness::compile(&program, Backend::Interpreter) else {
            println!("seed {seed} does not compile");
            continue;
        };
        let inspect = Options {
            backend: Backend::Jit,
            inspect: true,
            ..Options::default()
        };
        let jit = Module::compile_with(&program.source, inspect).ok();
        for k in 0..3 {
            let inputs = gen::inputs(&program, seed.wrapping_mul(31).wrapping_add(k));
            if let Some(jit) = &jit {
                // Instantiates the generic functions the call reaches, for the count below.
                harness::run_module(jit, &program, &inputs);
            }
            let outcome = harness::run_module(&module, &program, &inputs);
            runs += 1;
            let oob = matches!(&outcome.result, Err(Failure::Kernel(e)) if format!("{:?}", e.kind).starts_with("IndexOutOfBounds"));
            for tag in &tags {
                let entry = oob_with.entry(tag).or_default();
                entry.0 += 1;
                entry.1 += u64::from(oob);
            }
            if let Err(Failure::Kernel(error)) = &outcome.result {
                errors += 1;
                let kind = format!("{:?}", error.kind);
                let kind = kind.split([' ', '{', '(']).next().unwrap_or_default();
                *kinds.entry(kind.to_string()).or_default() += 1;
            }
        }
        if let Some(jit) = &jit {
            let vector = jit
                .function_names()
                .iter()
                .any(|name| jit.clif(name).is_ok_and(|clif| clif.contains("f64x2")));
            vectorised += u64::from(vector);
        }
    }
    let percent = |n: u64, of: u64| 100.0 * n as f64 / of.max(1) as f64;
    println!(
        "{count} programs, {:.1}% with a loop shape; share of programs with each:",
        percent(any_shape, count)
    );
    for (tag, n) in &programs_with {
        let (calls, oob) = oob_with.get(tag).copied().unwrap_or_default();
        println!(
            "  {tag:<22} {:5.1}%   (calls out of bounds: {:4.1}%)",
            percent(*n, count),
            percent(oob, calls)
        );
    }
    let axes: u64 = verdicts.values().sum();
    let shares: Vec<String> = verdicts
        .iter()
        .map(|(verdict, n)| format!("{verdict} {:.1}%", percent(*n, axes)))
        .collect();
    println!(
        "bounds analysis: {axes} axis checks ({}); {versioned} versioned loops, in {:.1}% of programs; JIT vector loops in {:.1}% of programs",
        shares.join(", "),
        percent(versioned_programs, count),
        percent(vectorised, count)
    );
    println!(
        "element promotion: {promoting} innermost loops keep an element in a register, in {:.1}% of programs",
        percent(promoting_programs, count)
    );
    println!(
        "{runs} calls in the interpreter, {errors} ({:.1}%) ended in a runtime error: {kinds:?}",
        percent(errors, runs)
    );
}

/// Adds the verdicts of every access axis of the program's (non-generic) functions to
/// `verdicts`; returns how many loops are versioned (have hoisted checks) and how many keep
/// an element in a register.
fn count_verdicts(source: &str, verdicts: &mut BTreeMap<&str, u64>) -> (u64, u64) {
    let Ok(checked) = kernel_runtime::ir::compile(source) else {
        return (0, 0);
    };
    let (mut loops, mut promoted) = (0, 0);
    for f in checked.functions() {
        if f.expr_types.len() != f.exprs.len() {
            continue;
        }
        let table = bounds::analyze(f);
        let mut hoisted_to = BTreeSet::new();
        for (_, _, checks) in table.accesses() {
            for check in checks {
                let verdict = match check {
                    Check::Proven => "proven",
                    Check::Implied => "implied",
                    Check::Hoisted(id) => {
                        hoisted_to.insert(id.index());
                        "hoisted"
                    }
                    Check::InPlace => "in place",
                };
                *verdicts.entry(verdict).or_default() += 1;
            }
        }
        loops += hoisted_to.len() as u64;
        promoted += promote::promotions(f).len() as u64;
    }
    (loops, promoted)
}
