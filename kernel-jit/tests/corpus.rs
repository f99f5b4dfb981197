//! Runs the golden corpus (`kernel-testkit/corpus/*.rs`, format in `kernel_testkit::corpus`)
//! through the JIT alone, straight on raw arguments with no runtime in between, and checks
//! every expectation with the kit: return values to the bit (as text), arrays after the call,
//! runtime errors with kind and location, sentinels around strided views and printed text.
//! Cases about argument checking (`@error argument …`) and functions returning an array or a
//! tuple (whose value the runtime takes over from the raw result) belong to the runtime's run
//! of the corpus (`kernel-testkit/tests/corpus.rs`) and are skipped.

use kernel_ir::abi::RawArg;
use kernel_ir::{Program, Type};
use kernel_jit::{Jit, JitOptions};
use kernel_testkit::arg::value_from_bits;
use kernel_testkit::golden::{case_args, return_text};
use kernel_testkit::{
    assert_no_failures, canonical_kernel_error, check_expectations, corpus_sources, parse_cases,
    Case, Expected, Outcome,
};

/// Runs one case in `jit` and describes it as the kit's harness does.
/// Runs one case in `jit`, or `None` when its value needs the runtime (see the module docs).
fn run_case(program: &mut Program, jit: &mut Jit, case: &Case) -> Option<Outcome> {
    let Some(params) = program.params(&case.function) else {
        return Some(Outcome::failed(format!("no function `{}`", case.function)));
    };
    let mut args = case_args(case, &params);
    let arg_types: Vec<_> = args
        .iter()
        .map(|a| a.arg_type().expect("a corpus argument has a type"))
        .collect();
    let id = match program.instantiate(&case.function, &arg_types) {
        Ok(id) => id,
        Err(e) => return Some(Outcome::failed(format!("compile {}", e.render()))),
    };
    if let Err(e) = jit.compile(program, id) {
        return Some(Outcome::failed(format!("JIT: {e}")));
    }
    if matches!(program.function(id).ret, Type::Array(_) | Type::Tuple(_)) {
        return None;
    }
    let raw: Vec<RawArg> = args.iter_mut().map(|a| a.raw()).collect();
    if let Err(e) = jit.check_args(id, &raw) {
        return Some(Outcome::failed(format!("JIT arguments: {e}")));
    }
    // SAFETY: checked above; every array is a distinct live buffer of `args`, which outlives
    // the call and is not touched during it.
    let (result, printed) = kernel_ir::output::capture(|| unsafe { jit.call(id, &raw) });
    let ret = program.function(id).ret.as_scalar();
    let result = match result {
        Ok(value) => Ok(ret
            .map(|s| return_text(value_from_bits(s, value.0)))
            .unwrap_or_default()),
        Err(error) => Err(canonical_kernel_error(&error)),
    };
    Some(Outcome::after(case, result, &args, printed))
}

fn is_argument_case(case: &Case) -> bool {
    matches!(&case.outcome, Expected::Error(e) if e.starts_with("argument"))
}

#[test]
fn golden_corpus_passes_in_the_jit() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (file, source) in corpus_sources() {
        let Ok(mut program) = kernel_ir::compile(&source) else {
            failures.push(format!("{} does not compile", file.display()));
            continue;
        };
        let mut jit = Jit::new(JitOptions::default()).expect("jit");
        for case in parse_cases(&file, &source) {
            if is_argument_case(&case) {
                continue;
            }
            let Some(outcome) = run_case(&mut program, &mut jit, &case) else {
                continue;
            };
            count += 1;
            for failure in check_expectations(&case, &outcome) {
                failures.push(format!("{}: {failure}", case.label()));
            }
        }
    }
    println!("{count} corpus cases run in the JIT");
    assert!(count >= 150, "too few corpus cases: {count}");
    assert_no_failures(&failures);
}

/// Guards this runner: a wrong return value and a wrong array are reported, and a right
/// strided call leaves its sentinels.
#[test]
fn runner_detects_planted_differences() {
    let source = "fn f(x: f64) -> f64 { x * 2.0 }\n\
                  // @call f x=1.5\n\
                  // @returns 3.0000000000000004\n\
                  fn g(y: &mut [f64]) { y[0] = 1.0; }\n\
                  // @call g y=f64[0, 0].step2\n\
                  // @expect y=f64[0, 1]\n";
    let mut program = kernel_ir::compile(source).unwrap();
    let mut jit = Jit::new(JitOptions::default()).unwrap();
    let cases = parse_cases("planted.rs".as_ref(), source);
    assert_eq!(cases.len(), 2);
    let returned = run_case(&mut program, &mut jit, &cases[0]).expect("a scalar case runs");
    assert_eq!(returned.result, Ok("3.0".to_owned()));
    assert_eq!(check_expectations(&cases[0], &returned).len(), 1);
    let strided = run_case(&mut program, &mut jit, &cases[1]).expect("a unit case runs");
    assert!(strided.sentinels_intact);
    assert_eq!(check_expectations(&cases[1], &strided).len(), 1);
}
