//! Test-only crate: the golden corpus (`tests/corpus/*.rs` at the workspace root) run through
//! the native tier.
//!
//! `build.rs` wraps every corpus file in `#[kernel_runtime::kernel] mod corpus_<stem> { … }`
//! (line for line, so runtime errors keep the corpus file's `line:col`) and writes one adapter
//! per native function; `tests/native_corpus.rs` runs every `@call` case natively and through
//! the harness's tiers (`tests/golden/mod.rs`) and demands the same outcome. The library
//! itself is empty.
