//! Every PolyBench kernel, at small sizes, in C and in the three kernelc tiers:
//!
//! - `every_tier_matches_c_bit_for_bit`: the interpreter, the JIT and the native tier produce
//!   exactly the bits gcc's code produces (same IEEE operations in the same order; no FMA on
//!   either side).
//! - `a_size_past_an_array_stops_every_tier_alike`: with one size parameter larger than the
//!   extent of an array it bounds, the three tiers stop with the same runtime error (kind,
//!   `line:col`, array, axis, index, extent, and so the same message) after the same partial
//!   writes. This is what keeps loop versioning or hoisted bounds checks honest: a fast path
//!   chosen because the bounds looked fine must not change where or whether a kernel stops.

use kernel_polybench::polybench;
use kernel_polybench::suite::{self, cases, first_difference, Case, Dataset, Output};
use kernel_runtime::{Backend, Error, ErrorKind, KernelError, Module, Options};

fn module(backend: Backend) -> Module {
    polybench::module(Options {
        backend,
        ..Options::default()
    })
    .expect("the kernels compile in every tier")
}

const TIERS: [&str; 3] = ["interpreter", "jit", "native"];

/// Runs `case` from its initial state in one kernelc tier; the outputs, or the runtime error.
fn run(
    case: &mut dyn Case,
    tier: &str,
    interpreter: &Module,
    jit: &Module,
) -> Result<Vec<Output>, KernelError> {
    case.reset();
    let via_module = |case: &mut dyn Case, module: &Module| {
        let mut prepared = suite::prepare(case, module).expect("the arguments fit the kernel");
        match suite::call(case, &mut prepared) {
            Ok(_) => Ok(()),
            Err(Error::Kernel(error)) => Err(error),
            Err(other) => panic!("{}: not a runtime error: {other}", case.name()),
        }
    };
    match tier {
        "interpreter" => via_module(case, interpreter),
        "jit" => via_module(case, jit),
        "native" => case.run_native(),
        _ => unreachable!("tier {tier}"),
    }?;
    Ok(case.outputs())
}

#[test]
fn every_tier_matches_c_bit_for_bit() {
    let (interpreter, jit) = (module(Backend::Interpreter), module(Backend::Jit));
    let mut failures = Vec::new();
    for mut case in cases(Dataset::Test) {
        let case = case.as_mut();
        case.reset();
        let initial = case.outputs();
        case.run_c();
        let want = case.outputs();
        // A comparison is only worth something if the kernel did work and made numbers.
        assert_ne!(want, initial, "{}: C changed nothing", case.name());
        for output in &want {
            assert!(
                output.all_finite(),
                "{}: C left non-finite values in `{}`",
                case.name(),
                output.array
            );
        }
        for tier in TIERS {
            match run(case, tier, &interpreter, &jit) {
                Ok(got) => {
                    if let Some(difference) = first_difference(&want, &got) {
                        failures.push(format!("{}, C vs {tier}: {difference}", case.name()));
                    }
                }
                Err(error) => failures.push(format!("{} ({tier}): {error}", case.name())),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_size_past_an_array_stops_every_tier_alike() {
    let (interpreter, jit) = (module(Backend::Interpreter), module(Backend::Jit));
    for mut case in cases(Dataset::Test) {
        let case = case.as_mut();
        let name = case.name();
        let expected = case.oversize();
        let mut results = Vec::new();
        for tier in TIERS {
            let error = match run(case, tier, &interpreter, &jit) {
                Ok(_) => panic!("{name} ({tier}): ran to the end with a size past its arrays"),
                Err(error) => error,
            };
            results.push((tier, error, case.outputs()));
        }
        let (_, reference, written) = &results[0];
        match &reference.kind {
            ErrorKind::IndexOutOfBounds {
                array,
                axis,
                index,
                extent,
            } => {
                assert_eq!(
                    (array.as_str(), *axis),
                    (expected.array, expected.axis),
                    "{name}: {reference}"
                );
                // Every case oversizes by one, so the failing index is the first one past.
                assert_eq!(*index, i128::from(*extent), "{name}: {reference}");
            }
            other => panic!("{name}: expected an index out of bounds, got {other}"),
        }
        assert_eq!(reference.function, case.function(), "{name}: {reference}");
        for (tier, error, outputs) in &results[1..] {
            assert_eq!(error, reference, "{name}: {tier} vs interpreter");
            assert_eq!(
                error.to_string(),
                reference.to_string(),
                "{name}: {tier} vs interpreter"
            );
            if let Some(difference) = first_difference(written, outputs) {
                panic!("{name}: writes before the error, {tier} vs interpreter: {difference}");
            }
        }
    }
}
