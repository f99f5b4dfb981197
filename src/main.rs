//! The `kernelc` command: see [`kernelc::cli`].

fn main() -> std::process::ExitCode {
    kernelc::cli::main()
}
