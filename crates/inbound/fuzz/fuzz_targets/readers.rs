//! Every reader, and format detection, on arbitrary bytes: no panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scoretable_inbound::{read_document, RecordFormat};

fuzz_target!(|data: &[u8]| {
    for format in RecordFormat::ALL {
        let _ = read_document(data, "fuzz", Some(format));
    }
    let _ = read_document(data, "fuzz.json", None);
    let _ = scoretable_inbound::split_recording(data);
});
