//! Compiles `c/polybench.c`, the gcc side of the comparison, into a static library linked into
//! this crate.
//!
//! The flags are the ones the comparison is about: `-O3 -march=native` so gcc may vectorise
//! for this very CPU, and `-ffp-contract=off` so it does not fuse `a * b + c` into an FMA,
//! which would round differently from the kernel language (no contraction unless `mul_add` is
//! written) and break the bit-for-bit check. `opt_level(3)` is set explicitly because `cc`
//! otherwise follows the cargo profile (`-O1` for tests in this workspace's dev profile), so
//! the C code is always the optimised one, in tests and benchmarks alike. `cc` also keeps frame
//! pointers whenever debug info is on (every profile of this workspace has some), which plain
//! `gcc -O3` does not: `force_frame_pointer(false)` gives gcc that register back. The resulting
//! command line (see `CC_ENABLE_DEBUG_OUTPUT=1 cargo build -vv -p kernel-polybench`) is
//! `cc -O3 -ffunction-sections -fdata-sections -fPIC -g -gdwarf-4 -m64 -march=x86-64 -std=c99
//! -Wall -Wextra -march=native -ffp-contract=off`: the later `-march=native` wins over `cc`'s
//! default `-march=x86-64`.

fn main() {
    println!("cargo:rerun-if-changed=c/polybench.c");
    cc::Build::new()
        .file("c/polybench.c")
        .opt_level(3)
        .force_frame_pointer(false)
        // Variable-length array parameters (`double a[n][m]`) are C99.
        .std("c99")
        .flag("-march=native")
        .flag("-ffp-contract=off")
        .compile("polybench");
}
