//! Pairs independent scalar `f64` divisions into one `f64x2` division (a small superword
//! pass on the finished Cranelift function).
//!
//! Division is the slowest arithmetic instruction and the divider is shared by both lanes of
//! a vector, so a loop like the N-body pair interaction (four divisions per pair) is bound by
//! how many divide instructions it issues. `rustc -O` pairs such divisions (LLVM's SLP
//! vectoriser); this pass does the same for the simplest safe case: within one block, a
//! division `d` whose operands are all available *before* an earlier unpaired division `p`
//! is computed together with `p`, at `p`'s position; lane 0 replaces `p` and lane 1 replaces
//! `d`. Each lane performs exactly the IEEE division it replaces, so results are
//! bit-identical; no other instruction moves.

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::ir::{types, Function, Inst, InstBuilder, Opcode, ValueDef};

/// Pairs divisions in every block of `func`.
pub(crate) fn pair_divisions(func: &mut Function) {
    let blocks: Vec<_> = func.layout.blocks().collect();
    let mut pairs = Vec::new();
    for block in blocks {
        let mut open: Option<Inst> = None;
        for inst in func.layout.block_insts(block) {
            if !is_scalar_fdiv(func, inst) {
                continue;
            }
            match open {
                Some(p) if operands_precede(func, inst, p) => {
                    pairs.push((p, inst));
                    open = None;
                }
                _ => open = Some(inst),
            }
        }
    }
    for (p, d) in pairs {
        fuse(func, p, d);
    }
}

fn is_scalar_fdiv(func: &Function, inst: Inst) -> bool {
    func.dfg.insts[inst].opcode() == Opcode::Fdiv
        && func.dfg.value_type(func.dfg.first_result(inst)) == types::F64
}

/// Whether every operand of `inst` is available at `before` (same block, earlier): a block
/// parameter, or a value defined in another block (which then dominates both), or an
/// instruction of this block placed before `before`.
fn operands_precede(func: &Function, inst: Inst, before: Inst) -> bool {
    let block = func.layout.inst_block(before);
    func.dfg.inst_args(inst).iter().all(|&arg| {
        match func.dfg.value_def(func.dfg.resolve_aliases(arg)) {
            ValueDef::Result(def, _) => {
                func.layout.inst_block(def) != block
                    || func.layout.pp_cmp(def, before) == std::cmp::Ordering::Less
            }
            ValueDef::Param(..) => true,
            ValueDef::Union(..) => false,
        }
    })
}

/// Replaces divisions `p` and `d` (whose operands precede `p`) by lanes of one `f64x2`
/// division inserted before `p`.
fn fuse(func: &mut Function, p: Inst, d: Inst) {
    let (a1, b1) = operands(func, p);
    let (a2, b2) = operands(func, d);
    let mut pos = FuncCursor::new(func).at_inst(p);
    let lhs = pos.ins().scalar_to_vector(types::F64X2, a1);
    let lhs = pos.ins().insertlane(lhs, a2, 1);
    let rhs = pos.ins().scalar_to_vector(types::F64X2, b1);
    let rhs = pos.ins().insertlane(rhs, b2, 1);
    let quotients = pos.ins().fdiv(lhs, rhs);
    pos.func.replace(p).extractlane(quotients, 0);
    pos.func.replace(d).extractlane(quotients, 1);
}

fn operands(
    func: &Function,
    inst: Inst,
) -> (cranelift_codegen::ir::Value, cranelift_codegen::ir::Value) {
    let args = func.dfg.inst_args(inst);
    (args[0], args[1])
}
