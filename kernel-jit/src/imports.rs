//! Every host function compiled code calls, by name: one list of symbol, address and
//! signature ([`host_functions`]) that both registers each symbol with the JIT builder
//! ([`register`]) and declares it in the module ([`Imports::declare`]); code generation finds a
//! declaration by its symbol ([`Imports::get`]). Adding a host function is one entry here, with
//! no table whose positions must line up with another.
//!
//! The host functions are the shared math functions of `kernel_ir::semantics` (the same libm
//! calls the interpreter and native code make, so the tiers agree to the bit), the run-time
//! parallel-for of `prange` loops, the printing of print statements and the profiling hooks. The libcalls Cranelift itself emits
//! (`fma`, `floor`, … on hosts without the instruction) are registered here too.

use std::collections::HashMap;

use cranelift_codegen::ir::{types, AbiParam, Type as ClType};
use cranelift_jit::JITBuilder;
use cranelift_module::{FuncId, Linkage, Module, ModuleError};

use kernel_ir::semantics;
use kernel_ir::Scalar;

use crate::abi::POINTER;
use crate::alloc::{
    adopt_array, alloc_array, alloc_data, free_array, free_data_of, ADOPT_SYMBOL,
    ALLOC_DATA_SYMBOL, ALLOC_SYMBOL, FREE_DATA_SYMBOL, FREE_SYMBOL,
};
use crate::parallel::{parallel_for, PARALLEL_FOR_SYMBOL};
use crate::print::{print_line, PRINT_SYMBOL};
use crate::profile::Hook;

/// The operands of a math function at float type `T`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operands {
    /// `(T) -> T`.
    One,
    /// `(T, T) -> T`.
    Two,
    /// `(T, i32) -> T`.
    Powi,
}

macro_rules! math_functions {
    ($($variant:ident($operands:ident) => $f64:ident, $f32:ident;)*) => {
        /// The shared `extern "C"` math functions of `kernel_ir::semantics` compiled code
        /// calls, each at `f64` and `f32`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum MathFn {
            $($variant),*
        }

        impl MathFn {
            const ALL: &'static [MathFn] = &[$(MathFn::$variant),*];

            fn operands(self) -> Operands {
                match self {
                    $(MathFn::$variant => Operands::$operands),*
                }
            }

            /// The symbol of the function at float type `s` (`f32`, else `f64`).
            pub(crate) fn symbol(self, s: Scalar) -> &'static str {
                match (self, s == Scalar::F32) {
                    $(
                        (MathFn::$variant, false) => stringify!($f64),
                        (MathFn::$variant, true) => stringify!($f32),
                    )*
                }
            }

            fn address(self, s: Scalar) -> *const u8 {
                match (self, s == Scalar::F32) {
                    $(
                        (MathFn::$variant, false) => semantics::$f64 as *const u8,
                        (MathFn::$variant, true) => semantics::$f32 as *const u8,
                    )*
                }
            }
        }
    };
}

math_functions! {
    Sin(One) => sin_f64, sin_f32;
    Cos(One) => cos_f64, cos_f32;
    Tan(One) => tan_f64, tan_f32;
    Asin(One) => asin_f64, asin_f32;
    Acos(One) => acos_f64, acos_f32;
    Atan(One) => atan_f64, atan_f32;
    Atan2(Two) => atan2_f64, atan2_f32;
    Sinh(One) => sinh_f64, sinh_f32;
    Cosh(One) => cosh_f64, cosh_f32;
    Tanh(One) => tanh_f64, tanh_f32;
    Exp(One) => exp_f64, exp_f32;
    Exp2(One) => exp2_f64, exp2_f32;
    Ln(One) => ln_f64, ln_f32;
    Log2(One) => log2_f64, log2_f32;
    Log10(One) => log10_f64, log10_f32;
    Cbrt(One) => cbrt_f64, cbrt_f32;
    Powf(Two) => powf_f64, powf_f32;
    Hypot(Two) => hypot_f64, hypot_f32;
    Round(One) => round_f64, round_f32;
    Fmod(Two) => fmod_f64, fmod_f32;
    Powi(Powi) => powi_f64_c, powi_f32_c;
}

/// One host function: its symbol, address and signature.
struct HostFn {
    symbol: &'static str,
    address: *const u8,
    params: Vec<ClType>,
    returns: Vec<ClType>,
}

/// Every host function compiled code may call.
fn host_functions() -> Vec<HostFn> {
    let mut all = Vec::new();
    for &math in MathFn::ALL {
        for (s, ty) in [(Scalar::F64, types::F64), (Scalar::F32, types::F32)] {
            let params = match math.operands() {
                Operands::One => vec![ty],
                Operands::Two => vec![ty, ty],
                Operands::Powi => vec![ty, types::I32],
            };
            all.push(HostFn {
                symbol: math.symbol(s),
                address: math.address(s),
                params,
                returns: vec![ty],
            });
        }
    }
    // `(ctx, depth, chunk function, environment, last iteration, reductions) -> status`.
    all.push(HostFn {
        symbol: PARALLEL_FOR_SYMBOL,
        address: parallel_for as *const u8,
        params: vec![
            POINTER,
            types::I32,
            POINTER,
            POINTER,
            types::I64,
            types::I32,
        ],
        returns: vec![types::I8],
    });
    // `(ctx, elem, rank, d0, d1, d2, fill, limit) -> array` and `(array) -> ()`.
    const ALLOC_PARAMS: [ClType; 8] = [
        POINTER,
        types::I32,
        types::I32,
        types::I64,
        types::I64,
        types::I64,
        types::I64,
        types::I64,
    ];
    all.push(HostFn {
        symbol: ALLOC_SYMBOL,
        address: alloc_array as *const u8,
        params: ALLOC_PARAMS.to_vec(),
        returns: vec![POINTER],
    });
    all.push(HostFn {
        symbol: FREE_SYMBOL,
        address: free_array as *const u8,
        params: vec![POINTER],
        returns: vec![],
    });
    // The data-only allocator (same parameters), its `(data, bytes, elem)` free, and the
    // boxing of such data as a returned array `(data, bytes, elem, rank, d0, d1, d2)`.
    all.push(HostFn {
        symbol: ALLOC_DATA_SYMBOL,
        address: alloc_data as *const u8,
        params: ALLOC_PARAMS.to_vec(),
        returns: vec![POINTER],
    });
    all.push(HostFn {
        symbol: FREE_DATA_SYMBOL,
        address: free_data_of as *const u8,
        params: vec![POINTER, types::I64, types::I32],
        returns: vec![],
    });
    all.push(HostFn {
        symbol: ADOPT_SYMBOL,
        address: adopt_array as *const u8,
        params: vec![
            POINTER,
            types::I64,
            types::I32,
            types::I32,
            types::I64,
            types::I64,
            types::I64,
        ],
        returns: vec![POINTER],
    });
    // `(print site, argument words) -> ()`.
    all.push(HostFn {
        symbol: PRINT_SYMBOL,
        address: print_line as *const u8,
        params: vec![POINTER, POINTER],
        returns: vec![],
    });
    for &hook in Hook::ALL {
        let (ints, returns) = hook.shape();
        let mut params = vec![POINTER];
        params.extend(std::iter::repeat_n(types::I32, ints));
        all.push(HostFn {
            symbol: hook.symbol(),
            address: hook.address(),
            params,
            returns: if returns { vec![types::I32] } else { vec![] },
        });
    }
    all
}

/// Registers the address of every host function, and of Cranelift's own libcalls, with a
/// module's builder.
pub(crate) fn register(builder: &mut JITBuilder) {
    for host in host_functions() {
        builder.symbol(host.symbol, host.address);
    }
    for (name, address) in cranelift_libcalls() {
        builder.symbol(name, address);
    }
}

/// The declarations of every host function in one module, by symbol.
#[derive(Debug)]
pub(crate) struct Imports {
    ids: HashMap<&'static str, FuncId>,
}

impl Imports {
    /// Declares every host function in `module`.
    pub(crate) fn declare(module: &mut impl Module) -> Result<Imports, Box<ModuleError>> {
        let mut ids = HashMap::new();
        for host in host_functions() {
            let mut sig = module.make_signature();
            sig.params
                .extend(host.params.into_iter().map(AbiParam::new));
            sig.returns
                .extend(host.returns.into_iter().map(AbiParam::new));
            let id = module.declare_function(host.symbol, Linkage::Import, &sig);
            ids.insert(host.symbol, id.map_err(Box::new)?);
        }
        Ok(Imports { ids })
    }

    /// The declaration of host function `symbol`. Every symbol code generation names
    /// ([`MathFn::symbol`], [`PARALLEL_FOR_SYMBOL`], [`Hook::symbol`]) is one of
    /// [`host_functions`], declared by [`Imports::declare`] (a test checks it).
    pub(crate) fn get(&self, symbol: &str) -> FuncId {
        self.ids[symbol]
    }
}

extern "C" fn fma_f64(a: f64, b: f64, c: f64) -> f64 {
    a.mul_add(b, c)
}
extern "C" fn fma_f32(a: f32, b: f32, c: f32) -> f32 {
    a.mul_add(b, c)
}
extern "C" fn floor_f64(x: f64) -> f64 {
    x.floor()
}
extern "C" fn floor_f32(x: f32) -> f32 {
    x.floor()
}
extern "C" fn ceil_f64(x: f64) -> f64 {
    x.ceil()
}
extern "C" fn ceil_f32(x: f32) -> f32 {
    x.ceil()
}
extern "C" fn trunc_f64(x: f64) -> f64 {
    x.trunc()
}
extern "C" fn trunc_f32(x: f32) -> f32 {
    x.trunc()
}
extern "C" fn nearest_f64(x: f64) -> f64 {
    x.round_ties_even()
}
extern "C" fn nearest_f32(x: f32) -> f32 {
    x.round_ties_even()
}

/// Symbols for the libcalls Cranelift emits when the host lacks an instruction (`fma` without
/// FMA, `floor` without SSE4.1): Rust's own implementations, so nothing depends on `dlsym`.
fn cranelift_libcalls() -> [(&'static str, *const u8); 10] {
    [
        ("fma", fma_f64 as *const u8),
        ("fmaf", fma_f32 as *const u8),
        ("floor", floor_f64 as *const u8),
        ("floorf", floor_f32 as *const u8),
        ("ceil", ceil_f64 as *const u8),
        ("ceilf", ceil_f32 as *const u8),
        ("trunc", trunc_f64 as *const u8),
        ("truncf", trunc_f32 as *const u8),
        ("nearbyint", nearest_f64 as *const u8),
        ("nearbyintf", nearest_f32 as *const u8),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_host_function_is_declared_once() {
        let all = host_functions();
        let mut symbols: Vec<&str> = all.iter().map(|h| h.symbol).collect();
        symbols.sort_unstable();
        symbols.dedup();
        assert_eq!(symbols.len(), all.len(), "a symbol is listed twice");
        let mut module = crate::new_module().expect("host module");
        let imports = Imports::declare(&mut module).expect("declarations");
        let mut named: Vec<&str> = MathFn::ALL
            .iter()
            .flat_map(|m| [m.symbol(Scalar::F64), m.symbol(Scalar::F32)])
            .collect();
        named.extend([
            PARALLEL_FOR_SYMBOL,
            ALLOC_SYMBOL,
            FREE_SYMBOL,
            ALLOC_DATA_SYMBOL,
            FREE_DATA_SYMBOL,
            ADOPT_SYMBOL,
        ]);
        named.extend(Hook::ALL.iter().map(|h| h.symbol()));
        let mut ids: Vec<FuncId> = named.iter().map(|s| imports.get(s)).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), named.len());
    }

    #[test]
    fn math_symbols_name_their_semantics_functions() {
        assert_eq!(MathFn::Sin.symbol(Scalar::F64), "sin_f64");
        assert_eq!(MathFn::Powi.symbol(Scalar::F32), "powi_f32_c");
        assert_eq!(
            MathFn::Hypot.address(Scalar::F32),
            semantics::hypot_f32 as *const u8
        );
    }
}
