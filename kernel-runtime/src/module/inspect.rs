//! The texts `kernelc explain` shows: typed IR in every tier, Cranelift IR and disassembly
//! of JIT-compiled functions.

use kernel_ir::ir::FuncId;
use kernel_ir::Program;

use super::{unknown_function, Module};
use crate::error::Error;

/// Which text of a compiled function to show.
#[derive(Clone, Copy, Debug)]
enum Inspect {
    Clif,
    Asm,
}

impl Module {
    /// The Cranelift IR of the JIT-compiled function `name` (needs `Options::inspect` and the
    /// JIT backend; a generic function shows each instance compiled so far).
    pub fn clif(&self, name: &str) -> Result<String, Error> {
        self.jit_text(name, Inspect::Clif)
    }

    /// The disassembly of the JIT-compiled function `name` (see [`Module::clif`]).
    pub fn asm(&self, name: &str) -> Result<String, Error> {
        self.jit_text(name, Inspect::Asm)
    }

    #[cfg(feature = "jit")]
    fn jit_text(&self, name: &str, what: Inspect) -> Result<String, Error> {
        let state = self.lock();
        let program = &state.program;
        program
            .params(name)
            .ok_or_else(|| unknown_function(program, name))?;
        let super::Tier::Jit { jit, .. } = &state.tier else {
            return Err(not_inspectable());
        };
        if !self.options().inspect {
            return Err(not_inspectable());
        }
        let instances = runnable_instances(&state, name);
        for &id in &instances {
            crate::backend::jit::ensure_compiled(jit, program, id)?;
        }
        let jit = jit.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        let texts: Vec<String> = instances
            .into_iter()
            .filter_map(|id| match what {
                Inspect::Clif => jit.clif(id),
                Inspect::Asm => jit.asm(id),
            })
            .map(str::to_owned)
            .collect();
        if texts.is_empty() {
            return Err(Error::Inspect {
                reason: format!(
                    "`{name}` is generic and has not been compiled for any argument types yet"
                ),
            });
        }
        Ok(texts.join("\n"))
    }

    #[cfg(not(feature = "jit"))]
    fn jit_text(&self, name: &str, _what: Inspect) -> Result<String, Error> {
        self.params(name)?;
        Err(not_inspectable())
    }

    /// The typed IR of one function (`Some(name)`) or of all, as text. A generic function
    /// prints each instance made so far, or its lowered template if there is none yet.
    pub fn typed_ir(&self, name: Option<&str>) -> Result<String, Error> {
        let state = self.lock();
        let program = &state.program;
        let names: Vec<String> = match name {
            Some(name) => {
                program
                    .params(name)
                    .ok_or_else(|| unknown_function(program, name))?;
                vec![name.to_string()]
            }
            None => program
                .function_names()
                .into_iter()
                .map(str::to_string)
                .collect(),
        };
        let mut parts = Vec::new();
        for name in &names {
            parts.extend(typed_ir_of(program, &state.runnable, name));
        }
        Ok(parts.join("\n"))
    }
}

fn not_inspectable() -> Error {
    Error::Inspect {
        reason: "compile with the JIT backend and `Options::inspect = true`".into(),
    }
}

/// The checked functions called `name` that compiled (a generic one's instances).
#[cfg(feature = "jit")]
fn runnable_instances(state: &super::State, name: &str) -> Vec<FuncId> {
    (0..state.runnable.len())
        .filter(|&index| state.runnable[index] && state.program.functions()[index].name == name)
        .map(|index| FuncId(index as u32))
        .collect()
}

fn typed_ir_of(program: &Program, runnable: &[bool], name: &str) -> Vec<String> {
    let checked_callee = |id: FuncId| {
        program
            .functions()
            .get(id.index())
            .map_or_else(|| format!("#{}", id.0), |f| f.name.clone())
    };
    if let Some(id) = program.concrete(name) {
        return vec![kernel_ir::print::function(
            program.function(id),
            &checked_callee,
        )];
    }
    // Instances are the checked functions of this name that compiled (the others are
    // placeholders of failed instantiations).
    let instances: Vec<String> = program
        .functions()
        .iter()
        .zip(runnable.iter())
        .filter(|(f, runnable)| f.name == name && **runnable)
        .map(|(f, _)| kernel_ir::print::function(f, &checked_callee))
        .collect();
    if !instances.is_empty() {
        return instances;
    }
    // Calls in a lowered template name callees by their position in the source.
    let names = program.function_names();
    let template_callee = |id: FuncId| {
        names
            .get(id.index())
            .map_or_else(|| format!("#{}", id.0), |n| n.to_string())
    };
    program
        .template(name)
        .map(|t| vec![kernel_ir::print::function(t, &template_callee)])
        .unwrap_or_default()
}
