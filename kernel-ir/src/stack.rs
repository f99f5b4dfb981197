//! The stack budget: no call of a kernel may need more than [`STACK_BUDGET`] bytes of
//! frames, so no tier overflows the host stack (which would abort the process).
//!
//! The compiled tiers keep fixed local arrays on the machine stack, and a recursive function
//! may nest up to [`MAX_CALL_DEPTH`] deep, so `[f64; 4096]` in a recursive function could
//! need 16 MiB — more than a thread has (8 MiB for a main thread, 2 MiB for a spawned one or
//! a `prange` worker). The bound computed here is conservative: every frame is its fixed
//! arrays plus [`FRAME_OVERHEAD`] (spills, saved registers, return addresses), a call chain
//! is never deeper than the recursion limit, and a recursive cycle may fill all of it with
//! its largest frame. A function over budget is a compile error in every tier alike, so the
//! tiers keep accepting the same programs.

use crate::diag::Diagnostic;
use crate::ir::{Expr, FuncId, Function};
use crate::types::Type;
use crate::MAX_CALL_DEPTH;

/// Bytes of kernel frames one call may need: half of the smallest stack a kernel runs on
/// (a 2 MiB spawned thread or thread-pool worker), leaving the rest to the host.
pub const STACK_BUDGET: u64 = 1 << 20;

/// Bytes a frame needs besides its fixed arrays (an upper estimate for every tier).
const FRAME_OVERHEAD: u64 = 512;

/// The frame estimate of one function.
fn frame_bytes(f: &Function) -> u64 {
    let arrays: u64 = f
        .locals
        .iter()
        .map(|local| match local.ty {
            Type::Fixed { elem, len } => elem.size_bytes() as u64 * u64::from(len),
            _ => 0,
        })
        .sum();
    arrays + FRAME_OVERHEAD
}

fn callees(f: &Function) -> impl Iterator<Item = FuncId> + '_ {
    f.exprs.iter().filter_map(|e| match e {
        Expr::Call(callee, _) => Some(*callee),
        _ => None,
    })
}

/// The call graph as adjacency lists (calls to unknown ids dropped).
fn call_graph(functions: &[Function]) -> Vec<Vec<usize>> {
    functions
        .iter()
        .map(|f| {
            let mut out: Vec<usize> = callees(f)
                .map(|c| c.index())
                .filter(|&c| c < functions.len())
                .collect();
            out.sort_unstable();
            out.dedup();
            out
        })
        .collect()
}

/// Strongly connected components by Kosaraju's algorithm with explicit stacks (a hostile
/// source may chain thousands of calls). Returns each node's component and the components
/// in topological order (callers before callees).
fn components(graph: &[Vec<usize>]) -> (Vec<usize>, usize) {
    let n = graph.len();
    let mut order = Vec::with_capacity(n);
    let mut visited = vec![false; n];
    for root in 0..n {
        if visited[root] {
            continue;
        }
        visited[root] = true;
        let mut stack = vec![(root, 0usize)];
        while let Some((node, edge)) = stack.pop() {
            if let Some(&next) = graph[node].get(edge) {
                stack.push((node, edge + 1));
                if !visited[next] {
                    visited[next] = true;
                    stack.push((next, 0));
                }
            } else {
                order.push(node);
            }
        }
    }
    let mut reverse = vec![Vec::new(); n];
    for (from, outs) in graph.iter().enumerate() {
        for &to in outs {
            reverse[to].push(from);
        }
    }
    let mut component = vec![usize::MAX; n];
    let mut count = 0;
    for &root in order.iter().rev() {
        if component[root] != usize::MAX {
            continue;
        }
        component[root] = count;
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            for &prev in &reverse[node] {
                if component[prev] == usize::MAX {
                    component[prev] = count;
                    stack.push(prev);
                }
            }
        }
        count += 1;
    }
    (component, count)
}

/// Worst-case stack bytes of a call of each function: its frame plus its deepest callee; a
/// recursive cycle may nest to the depth limit with its largest frame before it calls out.
fn needs(functions: &[Function]) -> Vec<u64> {
    let graph = call_graph(functions);
    let (component, count) = components(&graph);
    let mut largest = vec![0u64; count];
    let mut recursive = vec![false; count];
    let mut size = vec![0usize; count];
    for (node, outs) in graph.iter().enumerate() {
        let c = component[node];
        largest[c] = largest[c].max(frame_bytes(&functions[node]));
        size[c] += 1;
        recursive[c] |= outs.contains(&node);
    }
    // Components are numbered callers first: callees have larger numbers, so a descending
    // sweep sees every callee component before its callers.
    let mut below = vec![0u64; count];
    let mut members = vec![Vec::new(); count];
    for (node, &c) in component.iter().enumerate() {
        members[c].push(node);
    }
    let mut need = vec![0u64; count];
    for c in (0..count).rev() {
        let deepest = members[c]
            .iter()
            .flat_map(|&node| graph[node].iter())
            .filter(|&&callee| component[callee] != c)
            .map(|&callee| need[component[callee]])
            .max()
            .unwrap_or(0);
        below[c] = deepest;
        let depth = if recursive[c] || size[c] > 1 {
            u64::from(MAX_CALL_DEPTH)
        } else {
            1
        };
        need[c] = depth.saturating_mul(largest[c]).saturating_add(deepest);
    }
    let cap = u64::from(MAX_CALL_DEPTH)
        .saturating_mul(functions.iter().map(frame_bytes).max().unwrap_or(0));
    component.iter().map(|&c| need[c].min(cap)).collect()
}

/// A diagnostic for every function in `ids` whose calls may need more than the budget while
/// its callees outside its own recursion do not (the function where the cost arises).
pub(crate) fn check_stack(functions: &[Function], ids: &[FuncId]) -> Vec<Diagnostic> {
    let graph = call_graph(functions);
    let (component, _) = components(&graph);
    let need = needs(functions);
    let mut diagnostics = Vec::new();
    for &id in ids {
        let node = id.index();
        if node >= functions.len() || need[node] <= STACK_BUDGET {
            continue;
        }
        let callee_over = graph[node]
            .iter()
            .any(|&c| component[c] != component[node] && need[c] > STACK_BUDGET);
        if !callee_over {
            diagnostics.push(over_budget(&functions[node], need[node]));
        }
    }
    diagnostics
}

/// [`check_stack`] for the functions a call of `root` may reach (a new generic instance).
pub(crate) fn check_call(functions: &[Function], root: FuncId) -> Vec<Diagnostic> {
    let graph = call_graph(functions);
    let mut seen = vec![false; functions.len()];
    let mut stack = vec![root.index()];
    let mut reached = Vec::new();
    while let Some(node) = stack.pop() {
        match seen.get_mut(node) {
            Some(slot) if !*slot => *slot = true,
            _ => continue,
        }
        reached.push(FuncId(node as u32));
        stack.extend(graph[node].iter().copied());
    }
    check_stack(functions, &reached)
}

fn over_budget(f: &Function, need: u64) -> Diagnostic {
    Diagnostic::new(
        f.span,
        format!(
            "a call of `{}` may need {} of stack, more than the {} a kernel may use",
            f.name,
            kib(need),
            kib(STACK_BUDGET)
        ),
    )
    .with_help(format!(
        "its local arrays take {}; recursive calls nest up to {MAX_CALL_DEPTH} deep: use smaller \
         local arrays in recursive functions, or pass an array argument instead",
        kib(frame_bytes(f) - FRAME_OVERHEAD)
    ))
}

fn kib(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}
