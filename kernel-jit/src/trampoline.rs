//! Entry trampolines: `extern "C"` thunks that unpack the argument slots (see [`crate::abi`]),
//! call a body at depth 1 through a pointer, and store the normalised bits of each returned
//! value (one for a scalar, one per element for a tuple) in consecutive return slots.
//!
//! A trampoline depends only on the shape of the body's signature, so each shape is compiled
//! once per process into a module of its own that lives as long as the process (a few dozen
//! bytes per shape), and every `Jit` reuses it: no per-function trampoline compile, and no
//! trampoline code to free when a `Jit` drops.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use cranelift_codegen::ir::{self, types, InstBuilder, MemFlagsData, Value};
use cranelift_codegen::isa::TargetFrontendConfig;
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::JITModule;
use cranelift_module::Module;

use kernel_ir::Scalar;

use crate::abi::{clif_type, entry_signature, shape_signature, ParamKind};
use crate::JitError;

/// Parameter kinds and returned scalars: all a trampoline depends on.
type Shape = (Vec<ParamKind>, Vec<Scalar>);

struct Cache {
    module: JITModule,
    ctx: Context,
    builder_ctx: FunctionBuilderContext,
    /// Trampoline address (kept as an integer so the cache is `Send`) by shape.
    entries: HashMap<Shape, usize>,
}

static CACHE: OnceLock<Mutex<Option<Cache>>> = OnceLock::new();

/// The address of the trampoline for this shape, compiled on first use.
pub(crate) fn entry_for(params: &[ParamKind], ret: &[Scalar]) -> Result<usize, JitError> {
    let cache = CACHE.get_or_init(|| Mutex::new(None));
    let mut guard = cache.lock().map_err(|_| JitError::Poisoned)?;
    if guard.is_none() {
        let module = crate::new_module()?;
        let ctx = module.make_context();
        *guard = Some(Cache {
            module,
            ctx,
            builder_ctx: FunctionBuilderContext::new(),
            entries: HashMap::new(),
        });
    }
    let Some(cache) = guard.as_mut() else {
        return Err(JitError::Poisoned);
    };
    let shape: Shape = (params.to_vec(), ret.to_vec());
    if let Some(&entry) = cache.entries.get(&shape) {
        return Ok(entry);
    }
    let entry = cache.compile(&shape)?;
    cache.entries.insert(shape, entry);
    Ok(entry)
}

impl Cache {
    fn compile(&mut self, (params, ret): &Shape) -> Result<usize, JitError> {
        let error = |e| crate::module_error("<entry trampoline>", e);
        let sig = entry_signature(&self.module);
        let id = self
            .module
            .declare_anonymous_function(&sig)
            .map_err(error)?;
        self.module.clear_context(&mut self.ctx);
        self.ctx.func.signature = sig;
        let body_sig = shape_signature(&self.module, params, ret);
        translate_entry(
            self.module.target_config(),
            &mut self.ctx.func,
            &mut self.builder_ctx,
            body_sig,
            params,
            ret,
        );
        if cfg!(debug_assertions) {
            crate::verify_clif(&self.ctx.func, self.module.isa(), "<entry trampoline>")?;
        }
        self.module
            .define_function(id, &mut self.ctx)
            .map_err(error)?;
        self.module.finalize_definitions().map_err(error)?;
        Ok(self.module.get_finalized_function(id) as usize)
    }
}

fn translate_entry(
    config: TargetFrontendConfig,
    func: &mut ir::Function,
    builder_ctx: &mut FunctionBuilderContext,
    body_sig: ir::Signature,
    params: &[ParamKind],
    ret: &[Scalar],
) {
    let mut b = FunctionBuilder::new(func, builder_ctx);
    let body_sig = b.import_signature(body_sig);
    let block = b.create_block();
    b.append_block_params_for_function_params(block);
    b.switch_to_block(block);
    b.seal_block(block);
    let [args, ret_slot, ctx, body] = [0, 1, 2, 3].map(|i| b.block_params(block)[i]);
    let flags = MemFlagsData::trusted();
    let mut call_args = vec![ctx, b.ins().iconst(types::I32, 1)];
    let mut slot = 0i32;
    for kind in params {
        match *kind {
            ParamKind::Scalar(s) => {
                let raw = b.ins().load(types::I64, flags, args, slot * 8);
                call_args.push(narrow(&mut b, raw, s));
                slot += 1;
            }
            ParamKind::Array(_) => {
                // The slot holds the address of the argument's `RawArray`: the body reads it
                // as the array's descriptor.
                call_args.push(b.ins().load(types::I64, flags, args, slot * 8));
                slot += 1;
            }
        }
    }
    let call = b.ins().call_indirect(body_sig, body, &call_args);
    let results = b.inst_results(call).to_vec();
    for (offset, (&value, &ret_ty)) in (0i32..).step_by(8).zip(results[1..].iter().zip(ret)) {
        let bits = widen(&mut b, value, ret_ty);
        b.ins().store(flags, bits, ret_slot, offset);
    }
    let status = b.ins().uextend(types::I32, results[0]);
    b.ins().return_(&[status]);
    b.finalize(config);
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
        Scalar::I8 | Scalar::U8 | Scalar::I16 | Scalar::U16 | Scalar::I32 | Scalar::U32 => {
            b.ins().ireduce(clif_type(s), raw)
        }
    }
}

/// A scalar's native value → its normalised 64-bit `RawScalar` bits.
pub(crate) fn widen(b: &mut FunctionBuilder, value: Value, s: Scalar) -> Value {
    match s {
        Scalar::I64 | Scalar::U64 | Scalar::Usize => value,
        Scalar::F64 => b.ins().bitcast(types::I64, MemFlagsData::new(), value),
        Scalar::F32 => {
            let bits = b.ins().bitcast(types::I32, MemFlagsData::new(), value);
            b.ins().uextend(types::I64, bits)
        }
        Scalar::I8 | Scalar::I16 | Scalar::I32 => b.ins().sextend(types::I64, value),
        Scalar::U8 | Scalar::U16 | Scalar::U32 | Scalar::Bool => b.ins().uextend(types::I64, value),
    }
}
