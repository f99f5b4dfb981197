//! The host side of print statements: one [`PrintSite`] per statement, owned by the
//! [`crate::Jit`] for as long as its code lives, and the host function compiled code calls
//! with the site's address and its arguments' raw bits.

use kernel_ir::abi::RawScalar;
use kernel_ir::output::{self, Arg, Format};
use kernel_ir::Scalar;

pub(crate) const PRINT_SYMBOL: &str = "kernelc_print";

/// A print statement as compiled code refers to it: the format and its arguments' types.
#[derive(Debug)]
pub(crate) struct PrintSite {
    pub format: Format,
    pub types: Vec<Scalar>,
}

/// `(site, args) -> ()`: `args` points to one 8-byte word per argument, the value stored at
/// its own width in the low bytes (the rest undefined).
///
/// # Safety
/// `site` is a `PrintSite` the Jit owns; `args` holds `site.types.len()` words.
pub(crate) unsafe extern "C" fn print_line(site: *const PrintSite, args: *const u64) {
    // SAFETY: compiled code passes the address of a site its Jit keeps alive.
    let site = unsafe { &*site };
    let values: Vec<Arg> = site
        .types
        .iter()
        .enumerate()
        .map(|(i, ty)| {
            // SAFETY: compiled code reserved and filled one word per argument.
            let bits = unsafe { args.add(i).read_unaligned() };
            Arg::from_raw(RawScalar(bits), *ty)
        })
        .collect();
    output::print(&site.format, &values);
}
