//! KTAB's CSV reader on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(s) = accord_io::ktab::read_csv(text, "fuzz.csv") {
        s.issue.validate().expect("an accepted scenario is a valid issue");
        assert!(s.issue.dimensions <= accord_io::ktab::MAX_DIMENSIONS);
        assert!(s.issue.stances.len() <= accord_io::ktab::MAX_ACTORS);
    }
});
