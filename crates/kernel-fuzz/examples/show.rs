//! Prints generated program `SEED` (`cargo run -p kernel-fuzz --example show -- SEED`), or,
//! with `--check FILE`, compiles a kernel file and prints its diagnostics: the tools for
//! turning a failing seed into a minimal regression kernel.

use kernel_fuzz::gen::{self, Config};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, path] = args.as_slice() {
        if flag == "--check" {
            let source = std::fs::read_to_string(path).unwrap_or_default();
            match kernel_runtime::ir::compile(&source) {
                Ok(_) => println!("ok"),
                Err(error) => println!("{}", error.render()),
            }
            return;
        }
    }
    let seed: u64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(0);
    let program = gen::program(seed, Config { generic: true });
    println!("{}", program.source);
}
