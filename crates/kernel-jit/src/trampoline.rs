//! The `extern "C"` entry thunk of each compiled function: unpacks the argument slots (see
//! [`crate::abi`]), calls the body at depth 1, and stores the normalised return bits.

use cranelift_codegen::ir::{self, types, InstBuilder, MemFlagsData, Value};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::JITModule;
use cranelift_module::Module;

use kernel_ir::ir::Function;
use kernel_ir::Scalar;

use crate::abi::{clif_type, param_kinds, ParamKind, ARRAY_SLOTS};

pub(crate) fn translate_entry(
    module: &mut JITModule,
    func: &mut ir::Function,
    builder_ctx: &mut FunctionBuilderContext,
    function: &Function,
    body: cranelift_module::FuncId,
) {
    let body_ref = module.declare_func_in_func(body, func);
    let mut b = FunctionBuilder::new(func, builder_ctx);
    let block = b.create_block();
    b.append_block_params_for_function_params(block);
    b.switch_to_block(block);
    b.seal_block(block);
    let [args, ret, ctx] = [0, 1, 2].map(|i| b.block_params(block)[i]);
    let flags = MemFlagsData::trusted();
    let mut call_args = vec![ctx, b.ins().iconst(types::I32, 1)];
    let mut slot = 0i32;
    for kind in param_kinds(function) {
        match kind {
            ParamKind::Scalar(s) => {
                let raw = b.ins().load(types::I64, flags, args, slot * 8);
                call_args.push(narrow(&mut b, raw, s));
                slot += 1;
            }
            ParamKind::Array(a) => {
                call_args.push(b.ins().load(types::I64, flags, args, slot * 8));
                let rank = i32::from(a.rank);
                for axis in 0..rank {
                    let off = (slot + 1 + axis) * 8;
                    call_args.push(b.ins().load(types::I64, flags, args, off));
                }
                for axis in 0..rank {
                    let off = (slot + 4 + axis) * 8;
                    call_args.push(b.ins().load(types::I64, flags, args, off));
                }
                slot += ARRAY_SLOTS as i32;
            }
        }
    }
    let call = b.ins().call(body_ref, &call_args);
    let results = b.inst_results(call).to_vec();
    if let (Some(&value), Some(ret_ty)) = (results.get(1), function.ret.as_scalar()) {
        let bits = widen(&mut b, value, ret_ty);
        b.ins().store(flags, bits, ret, 0);
    }
    let status = b.ins().uextend(types::I32, results[0]);
    b.ins().return_(&[status]);
    b.finalize(module.target_config());
}

/// A 64-bit slot → the scalar's native value.
fn narrow(b: &mut FunctionBuilder, raw: Value, s: Scalar) -> Value {
    match s {
        Scalar::I64 | Scalar::U64 | Scalar::Usize => raw,
        Scalar::F64 => b.ins().bitcast(types::F64, MemFlagsData::new(), raw),
        Scalar::F32 => {
            let low = b.ins().ireduce(types::I32, raw);
            b.ins().bitcast(types::F32, MemFlagsData::new(), low)
        }
        Scalar::Bool => {
            let low = b.ins().ireduce(types::I8, raw);
            b.ins().band_imm_u(low, 1)
        }
        Scalar::I32 | Scalar::U32 => b.ins().ireduce(clif_type(s), raw),
    }
}

/// A scalar's native value → its normalised 64-bit `RawScalar` bits.
fn widen(b: &mut FunctionBuilder, value: Value, s: Scalar) -> Value {
    match s {
        Scalar::I64 | Scalar::U64 | Scalar::Usize => value,
        Scalar::F64 => b.ins().bitcast(types::I64, MemFlagsData::new(), value),
        Scalar::F32 => {
            let bits = b.ins().bitcast(types::I32, MemFlagsData::new(), value);
            b.ins().uextend(types::I64, bits)
        }
        Scalar::I32 => b.ins().sextend(types::I64, value),
        Scalar::U32 | Scalar::Bool => b.ins().uextend(types::I64, value),
    }
}
