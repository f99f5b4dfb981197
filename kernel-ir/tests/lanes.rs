//! Which loops of a `#[reassociate]` function compute their reductions in lanes, and the
//! attribute's forms.

use kernel_ir::ir::{lane_tree, parallel_blocks, ReduceOp};
use kernel_ir::{compile, compile_with, CompileOptions, LaneCount};

/// A loop with lanes: its line, its lane count and its reductions.
type LaneLoop = (u32, u32, Vec<(String, ReduceOp)>);

/// Every loop with lanes in `f`.
fn lanes_of(program: &kernel_ir::Program) -> Vec<LaneLoop> {
    let f = program.function(program.concrete("f").expect("f is concrete"));
    f.loops
        .iter()
        .filter_map(|l| {
            let lanes = l.lanes.as_ref()?;
            let reductions = lanes
                .reductions
                .iter()
                .map(|r| (f.local(r.local).name.clone(), r.op))
                .collect();
            Some((l.span.line, lanes.count, reductions))
        })
        .collect()
}

fn lanes(source: &str) -> Vec<LaneLoop> {
    lanes_of(&compile(source).unwrap_or_else(|e| panic!("{}", e.render())))
}

fn red(name: &str, op: ReduceOp) -> (String, ReduceOp) {
    (name.to_string(), op)
}

#[test]
fn every_float_reduction_kind_gets_lanes() {
    let found = lanes(
        "#[reassociate]
        fn f(x: &[f64]) -> f64 {
            let mut s = 0.0; let mut p = 1.0; let mut lo = f64::INFINITY; let mut hi = 0.0;
            let mut count = 0;
            for i in 0..x.len() {
                if x[i] > 0.0 { s += x[i]; }
                p *= x[i]; lo = lo.min(x[i]); hi = hi.max(x[i]);
                count += 1;
            }
            s + p + lo + hi + count as f64
        }",
    );
    let expected = vec![
        red("s", ReduceOp::Add),
        red("p", ReduceOp::Mul),
        red("lo", ReduceOp::Min),
        red("hi", ReduceOp::Max),
    ];
    assert_eq!(found, vec![(5, 8, expected)]);
}

#[test]
fn without_the_attribute_nothing_changes() {
    let source = "fn f(x: &[f64]) -> f64 { let mut s = 0.0; for i in 0..x.len() { s += x[i]; } s }";
    assert!(lanes(source).is_empty());
    let options = CompileOptions {
        reassociate: LaneCount::new(4),

        ..Default::default()
    };
    let program = compile_with(source, options).expect("compiles");
    assert_eq!(
        lanes_of(&program),
        vec![(1, 4, vec![red("s", ReduceOp::Add)])]
    );
}

#[test]
fn the_function_attribute_wins_over_the_module_option() {
    let source = "#[reassociate(lanes = 2)]
        fn f(x: &[f64]) -> f64 { let mut s = 0.0; for i in 0..x.len() { s += x[i]; } s }";
    let options = CompileOptions {
        reassociate: LaneCount::new(16),

        ..Default::default()
    };
    let program = compile_with(source, options).expect("compiles");
    assert_eq!(lanes_of(&program)[0].1, 2);
}

#[test]
fn the_innermost_loop_around_the_updates_splits() {
    let found = lanes(
        "#[reassociate(lanes = 4)]
        fn f(m: ArrayView2<f64>) -> f64 {
            let mut s = 0.0;
            for i in 0..m.nrows() {
                for j in 0..m.ncols() {
                    s += m[[i, j]];
                }
            }
            s
        }",
    );
    assert_eq!(found, vec![(5, 4, vec![red("s", ReduceOp::Add)])]);
}

#[test]
fn loops_that_read_or_leave_keep_the_sequential_order() {
    let read = "#[reassociate] fn f(x: &[f64]) -> f64 {
        let mut s = 0.0; for i in 0..x.len() { s += x[i]; if s > 1.0 { s *= 0.5; } } s }";
    let broken = "#[reassociate] fn f(x: &[f64]) -> f64 {
        let mut s = 0.0; for i in 0..x.len() { if x[i] < 0.0 { break; } s += x[i]; } s }";
    let returned = "#[reassociate] fn f(x: &[f64]) -> f64 {
        let mut s = 0.0; for i in 0..x.len() { if x[i] < 0.0 { return s; } s += x[i]; } s }";
    let outer_continue = "#[reassociate] fn f(x: &[f64]) -> f64 {
        let mut s = 0.0;
        'o: for k in 0..2 { for i in 0..x.len() { if x[i] < 0.0 { continue 'o; } s += x[i]; } }
        s }";
    let mixed = "#[reassociate] fn f(x: &[f64]) -> f64 {
        let mut s = 0.0; for i in 0..x.len() { s += x[i]; s *= 2.0; } s }";
    let integer = "#[reassociate] fn f(x: &[i64]) -> i64 {
        let mut s = 0; for i in 0..x.len() { s += x[i]; } s }";
    let assigned = "#[reassociate] fn f(x: &[f64]) -> f64 {
        let mut s = 0.0; for i in 0..x.len() { s = x[i]; } s }";
    for source in [read, broken, returned, mixed, integer, assigned] {
        assert!(lanes(source).is_empty(), "{source}");
    }
    // The inner loop's `continue 'o` leaves it: no lanes there; the outer loop reduces `s`
    // only inside a nested loop: none there either.
    assert!(lanes(outer_continue).is_empty());
}

#[test]
fn an_inner_continue_keeps_the_lanes() {
    let found = lanes(
        "#[reassociate] fn f(x: &[f64]) -> f64 {
            let mut s = 0.0;
            for i in 0..x.len() { if x[i] < 0.0 { continue; } s += x[i]; }
            s
        }",
    );
    assert_eq!(found, vec![(3, 8, vec![red("s", ReduceOp::Add)])]);
}

#[test]
fn parallel_loops_take_every_reduction_when_one_is_a_float() {
    let found = lanes(
        "#[reassociate] fn f(x: &[f64]) -> f64 {
            let mut s = 0.0; let mut n = 0;
            for i in prange(0..x.len()) { s += x[i]; n += 1; }
            s + n as f64
        }",
    );
    assert_eq!(
        found,
        vec![(3, 8, vec![red("s", ReduceOp::Add), red("n", ReduceOp::Add)])]
    );
    let integers = "#[reassociate] fn f(x: &[i64]) -> i64 {
        let mut n = 0; for i in prange(0..x.len()) { n += x[i]; } n }";
    assert!(lanes(integers).is_empty());
}

#[test]
fn the_tree_folds_halves_into_the_lower_lanes() {
    // ((0 + 4) + (2 + 6)) + ((1 + 5) + (3 + 7)), as strings to show the order.
    let lanes: Vec<String> = (0..8).map(|i| i.to_string()).collect();
    let tree = lane_tree(&lanes, String::new(), |a, b| format!("({a}+{b})"));
    assert_eq!(tree.as_deref(), Some("(((0+4)+(2+6))+((1+5)+(3+7)))"));
    // Three values pad to four with the identity.
    let three = lane_tree(&[1, 2, 3], 0, |a, b| a * 10 + b);
    assert_eq!(three, Some((10 + 3) * 10 + 20));
    assert_eq!(lane_tree::<u8>(&[], 0, |a, _| a), None);
}

#[test]
fn parallel_blocks_depend_on_the_count_only() {
    assert_eq!(parallel_blocks(0), 0);
    assert_eq!(parallel_blocks(5), 5);
    assert_eq!(parallel_blocks(1000), 64);
}
