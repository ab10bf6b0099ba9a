//! Any bytes as a plan file: parsing, checking and rendering the diagnostics
//! never panic, and a file that parses formats idempotently into a text that
//! parses again to the same AST (spans aside).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        mutual::invariants::plan_text(text);
    }
});
