//! Fuzz target 2: arbitrary bytes → the `.npy` reader. Every input must give an array or an
//! error, without a panic and without allocating more than the input's size suggests (run
//! with `-rss_limit_mb` / `-malloc_limit_mb` to catch the latter).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kernel_npy::read_from(std::io::Cursor::new(data), data.len() as u64);
});
