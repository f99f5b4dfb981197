//! Runs the golden corpus (`tests/corpus/*.rs`) in every tier: each case must meet its
//! expectation, and all tiers must agree with each other on values, arrays and errors.

mod golden;

use golden::{backends, check_expectations, corpus_files, parse_cases, run_case, Case, Outcome};

fn run_all_tiers(case: &Case) -> Vec<(&'static str, Outcome)> {
    backends()
        .into_iter()
        .map(|(name, backend)| (name, run_case(case, backend)))
        .collect()
}

/// The failures of one case across tiers: expectation misses and disagreements.
fn case_failures(case: &Case, outcomes: &[(&'static str, Outcome)]) -> Vec<String> {
    let mut failures = Vec::new();
    for (tier, outcome) in outcomes {
        for failure in check_expectations(case, outcome) {
            failures.push(format!("[{tier}] {failure}"));
        }
    }
    let (first_tier, first) = &outcomes[0];
    for (tier, outcome) in &outcomes[1..] {
        if outcome != first {
            failures.push(format!(
                "tiers disagree: {first_tier} gave {first:?}, {tier} gave {outcome:?}"
            ));
        }
    }
    failures
}

#[test]
fn golden_corpus_agrees_in_every_tier() {
    let mut failures = Vec::new();
    let mut count = 0;
    for file in corpus_files() {
        let source = std::fs::read_to_string(&file).expect("corpus file");
        for case in parse_cases(&file, &source) {
            count += 1;
            let outcomes = run_all_tiers(&case);
            for failure in case_failures(&case, &outcomes) {
                failures.push(format!(
                    "{}:{} {}: {failure}",
                    case.file.display(),
                    case.line,
                    case.function
                ));
            }
        }
    }
    assert!(
        count >= 50,
        "the corpus should hold many cases, found {count}"
    );
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_corpus_file_compiles_and_has_cases() {
    for file in corpus_files() {
        let source = std::fs::read_to_string(&file).expect("corpus file");
        if let Err(e) = kernel_runtime::Module::compile_with(&source, Default::default()) {
            panic!("{} does not compile:\n{}", file.display(), e.render());
        }
        assert!(
            !parse_cases(&file, &source).is_empty(),
            "{} has no @call",
            file.display()
        );
    }
}

/// Guards the harness itself: a planted difference between tiers, a wrong expected value and
/// a clobbered sentinel must all be reported.
#[test]
fn harness_detects_planted_differences() {
    let dir = std::env::temp_dir().join(format!("kernelc-golden-{}", std::process::id()));
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
    let outcomes = run_all_tiers(&cases[0]);
    assert!(case_failures(&cases[0], &outcomes).is_empty());

    let mut wrong = cases[0].clone();
    wrong.outcome = golden::Expected::Returns("3.0000000000000004".into());
    assert!(
        !case_failures(&wrong, &outcomes).is_empty(),
        "a wrong expected value went unnoticed"
    );

    let mut disagreeing = outcomes.clone();
    disagreeing.push((
        "planted",
        Outcome {
            result: Ok("3.0000000000000004".into()),
            ..outcomes[0].1.clone()
        },
    ));
    assert!(
        !case_failures(&cases[0], &disagreeing).is_empty(),
        "a tier disagreement went unnoticed"
    );

    let strided = run_case(&cases[1], kernel_runtime::Backend::Interpreter);
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
