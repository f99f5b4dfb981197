//! Runs the golden corpus (`kernel-testkit/corpus/*.rs`) in every tier: the interpreter, the
//! JIT and the native code `build.rs` generated (`NATIVE_CORPUS`, through `Module::native`).
//! Each case must meet its expectation, and all tiers must agree with each other on values,
//! arrays, sentinels and errors (kind, function, `line:col`, fields).
//!
//! The native tier skips only what native code cannot have: generic (`_`) functions and
//! their callers, each with the build script's reason. Native code runs once more at every
//! instruction-set level the CPU has (`kernel_runtime::force_isa_level`), against the
//! interpreter.

use std::collections::BTreeMap;

use kernel_runtime::{best_isa_level, force_isa_level, isa_supported, Backend, IsaLevel, Module};
use kernel_testkit::golden::{run_every_tier, NativePlan};
use kernel_testkit::{
    all_cases, assert_no_failures, case_failures, check_expectations, corpus_sources, native_plan,
    parse_cases, run_case, run_in, Case, Expected, Outcome,
};

include!(concat!(env!("OUT_DIR"), "/native_corpus.rs"));

/// Cases the native tier may skip: the generic ones and their callers' (raise it only with a
/// reason: each skip is coverage the native tier does not get).
const MAX_NATIVE_SKIPPED: usize = 10;

/// Native cases the corpus had when the native tier was checked by per-parameter adapters
/// (153); through `Module::native` every layout and the argument checks run natively too.
const MIN_NATIVE_RUN: usize = 159;

#[test]
fn golden_corpus_agrees_in_every_tier() {
    let mut failures = Vec::new();
    let mut skipped: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let (mut count, mut native_run) = (0, 0);
    for case in all_cases() {
        count += 1;
        let native = match native_plan(NATIVE_CORPUS, &case) {
            NativePlan::Run(module) => Some(module),
            NativePlan::Skip(reason) => {
                skipped.entry(reason).or_default().push(case.label());
                None
            }
            NativePlan::Broken(problem) => {
                failures.push(format!("{}: {problem}", case.label()));
                None
            }
        };
        native_run += usize::from(native.is_some());
        let outcomes = run_every_tier(&case, native.as_ref());
        for failure in case_failures(&case, &outcomes) {
            failures.push(format!("{}: {failure}", case.label()));
        }
    }
    let skip_count: usize = skipped.values().map(Vec::len).sum();
    println!("{count} case(s); native tier: {native_run} run, {skip_count} skipped");
    for (reason, cases) in &skipped {
        println!("  skipped ({reason}): {}", cases.len());
        for case in cases {
            println!("    {case}");
        }
    }
    assert!(
        count >= 50,
        "the corpus should hold many cases, found {count}"
    );
    assert!(
        native_run >= MIN_NATIVE_RUN,
        "too few cases ran natively: {native_run}"
    );
    assert!(
        skip_count <= MAX_NATIVE_SKIPPED,
        "{skip_count} skipped native cases (at most {MAX_NATIVE_SKIPPED})"
    );
    assert_no_failures(&failures);
}

/// `#[kernel]` compiles every function once per instruction-set level (the baseline, AVX2 +
/// FMA, AVX-512); each copy the CPU can run must give the interpreter's results to the bit.
/// Levels the CPU lacks are skipped, saying so on stderr. (The level is process-wide: tests
/// running meanwhile run native code at whichever level is set, which must not matter.)
#[test]
fn native_corpus_agrees_at_every_isa_level() {
    let levels: Vec<IsaLevel> = IsaLevel::ALL
        .into_iter()
        .filter(|&level| {
            let supported = isa_supported(level);
            if !supported {
                eprintln!(
                    "skipping native ISA level {level}: this CPU's best is {}",
                    best_isa_level()
                );
            }
            supported
        })
        .collect();
    let mut failures = Vec::new();
    let mut runs: BTreeMap<IsaLevel, usize> = BTreeMap::new();
    for case in all_cases() {
        // The other plans are `golden_corpus_agrees_in_every_tier`'s to report.
        let NativePlan::Run(module) = native_plan(NATIVE_CORPUS, &case) else {
            continue;
        };
        let interp = run_case(&case, Backend::Interpreter);
        for &level in &levels {
            force_isa_level(Some(level)).expect("a level the CPU has");
            let native = run_in(&module, &case);
            let outcomes = [
                ("interpreter".to_owned(), interp.clone()),
                (format!("native at {level}"), native),
            ];
            for failure in case_failures(&case, &outcomes) {
                failures.push(format!("{}: {failure}", case.label()));
            }
            *runs.entry(level).or_default() += 1;
        }
    }
    force_isa_level(None).expect("the default level");
    println!("native cases run per ISA level: {runs:?}");
    for level in levels {
        let run = runs.get(&level).copied().unwrap_or(0);
        assert!(run >= MIN_NATIVE_RUN, "only {run} native cases at {level}");
    }
    assert_no_failures(&failures);
}

#[test]
fn every_corpus_file_compiles_and_has_cases() {
    for (file, source) in corpus_sources() {
        if let Err(e) = Module::compile_with(&source, Default::default()) {
            panic!("{} does not compile:\n{}", file.display(), e.render());
        }
        assert!(
            !parse_cases(&file, &source).is_empty(),
            "{} has no @call",
            file.display()
        );
    }
}

/// Every function of every corpus file is accounted for exactly once: in the native module,
/// or left out with a reason; and only generic functions and their callers are left out.
#[test]
fn every_corpus_function_is_native_or_explained() {
    let sources = corpus_sources();
    assert_eq!(NATIVE_CORPUS.len(), sources.len(), "one entry per file");
    for ((file, source), native) in sources.iter().zip(NATIVE_CORPUS) {
        let stem = kernel_testkit::corpus::file_stem(file);
        assert_eq!(native.stem, stem);
        let program = kernel_runtime::ir::compile(source)
            .unwrap_or_else(|e| panic!("{} does not compile:\n{}", file.display(), e.render()));
        let native_names = native
            .table
            .map(|table| {
                Module::native(table)
                    .expect("native module")
                    .function_names()
            })
            .unwrap_or_default();
        for name in program.function_names() {
            let is_native = native_names.iter().any(|n| n == name);
            let not = native.not_native.iter().find(|n| n.function == name);
            assert!(is_native != not.is_some(), "{stem}::{name}");
            if program.is_generic(name) == Some(true) {
                assert!(not.is_some(), "generic {stem}::{name} cannot be native");
            } else if let Some(not) = not {
                assert!(
                    not.reason.starts_with("calls `"),
                    "{stem}::{name}: {}",
                    not.reason
                );
            }
        }
    }
}

/// Guards the harness itself: a planted difference between tiers, a wrong expected value and
/// a clobbered sentinel must all be reported.
#[test]
fn harness_detects_planted_differences() {
    let dir = std::env::temp_dir().join(format!("kernel-testkit-golden-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("planted.rs");
    std::fs::write(
        &file,
        "fn f(x: f64) -> f64 { x * 2.0 }\n// @call f x=1.5\n// @returns 3.0\nfn g(y: &mut [f64]) { y[0] = 1.0; }\n// @call g y=f64[0, 0].step2\n// @expect y=f64[1, 0]\n",
    )
    .unwrap();
    let source = std::fs::read_to_string(&file).unwrap();
    let cases = parse_cases(&file, &source);
    assert_eq!(cases.len(), 2);
    let outcomes = run_every_tier(&cases[0], None);
    assert!(case_failures(&cases[0], &outcomes).is_empty());

    let mut wrong = cases[0].clone();
    wrong.outcome = Expected::Returns("3.0000000000000004".into());
    assert!(
        !case_failures(&wrong, &outcomes).is_empty(),
        "a wrong expected value went unnoticed"
    );

    let mut unprinted = cases[0].clone();
    unprinted.stdout = "3\n".into();
    assert!(
        !case_failures(&unprinted, &outcomes).is_empty(),
        "an expected line that was never printed went unnoticed"
    );
    let mut printing = outcomes.clone();
    printing[0].1.printed.stderr = "stray\n".into();
    assert!(
        !case_failures(&cases[0], &printing).is_empty(),
        "a tier printing what the others do not went unnoticed"
    );

    let mut disagreeing = outcomes.clone();
    disagreeing.push((
        Backend::Native,
        Outcome {
            result: Ok("3.0000000000000004".into()),
            ..outcomes[0].1.clone()
        },
    ));
    assert!(
        !case_failures(&cases[0], &disagreeing).is_empty(),
        "a tier disagreement went unnoticed"
    );

    let strided = run_case(&cases[1], Backend::Interpreter);
    assert!(
        check_expectations(&cases[1], &strided).is_empty(),
        "{strided:?}"
    );
    let clobbered = Outcome {
        sentinels_intact: false,
        ..strided
    };
    assert!(
        !check_expectations(&cases[1], &clobbered).is_empty(),
        "a write outside a view went unnoticed"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Guards the native comparison: a native runtime error points at the corpus file's own line
/// and column (the wrapper moved nothing), and a planted difference in the native outcome is
/// reported.
#[test]
fn native_errors_point_into_the_corpus_file() {
    let case: Case = all_cases()
        .into_iter()
        .find(|c| {
            c.function == "get" && matches!(&c.outcome, Expected::Error(e) if e.contains("index=3"))
        })
        .expect("the arrays.rs `get` case with index 3");
    let NativePlan::Run(module) = native_plan(NATIVE_CORPUS, &case) else {
        panic!("`get` runs natively");
    };
    let outcome = run_in(&module, &case);
    let error = outcome
        .result
        .clone()
        .expect_err("index 3 is out of bounds");
    let source = std::fs::read_to_string(&case.file).expect("corpus file");
    let position = error.split_whitespace().nth(1).expect("line:col");
    let (line, col) = position.split_once(':').expect("line:col");
    let (line, col): (usize, usize) = (line.parse().expect("line"), col.parse().expect("col"));
    let text = source.lines().nth(line - 1).expect("line in the file");
    assert!(
        text[col - 1..].starts_with("x[i]"),
        "{position} is `{text}`"
    );

    let interp = run_case(&case, Backend::Interpreter);
    assert!(case_failures(
        &case,
        &[
            (Backend::Interpreter, interp.clone()),
            (Backend::Native, outcome.clone())
        ]
    )
    .is_empty());
    let planted = Outcome {
        result: Err(error.replace(position, &format!("{}:{col}", line + 1))),
        ..outcome
    };
    assert!(!case_failures(
        &case,
        &[(Backend::Interpreter, interp), (Backend::Native, planted)]
    )
    .is_empty());
}
