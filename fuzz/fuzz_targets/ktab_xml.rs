//! KTAB's XML reader on arbitrary bytes (and the content sniffing of
//! `read_bytes`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = accord_io::ktab::read_bytes(data, "fuzz");
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(s) = accord_io::ktab::read_xml(text, "fuzz.xml") {
        s.issue.validate().expect("an accepted scenario is a valid issue");
        assert!(s.issue.dimensions <= accord_io::ktab::MAX_DIMENSIONS);
    }
});
