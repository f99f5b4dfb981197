//! Prints the Cranelift IR and disassembly of every function of a kernel source file:
//! `cargo run -p kernel-jit --example dump -- FILE [FUNCTION]`. A profiling aid.

use kernel_jit::{Jit, JitOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: dump FILE [FUNCTION]")?;
    let only = args.next();
    let source = std::fs::read_to_string(&path)?;
    let program = kernel_ir::compile(&source).map_err(|e| format!("{e:?}"))?;
    let mut jit = Jit::new(JitOptions {
        boundscheck: true,
        keep_text: true,
        profile: false,
    })?;
    for function in program.functions() {
        if only.as_deref().is_some_and(|name| name != function.name) {
            continue;
        }
        let Some(id) = program.concrete(&function.name) else {
            continue;
        };
        jit.compile(&program, id)?;
        println!("==== {} ====", function.name);
        println!("{}", jit.clif(id).unwrap_or_default());
        println!("{}", jit.asm(id).unwrap_or_default());
    }
    Ok(())
}
