#![no_main]
// Body in src/fuzzing.rs, shared with tests/fuzz_corpus.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| cutover_cockpit::fuzzing::runbook(data));
