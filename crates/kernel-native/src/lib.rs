//! The native tier: checked IR → specialised Rust.
