//! A small, fast, non-cryptographic hasher for the engine's internal maps.
//!
//! The maps hold bibs, chip ids and entrant ids from the competition's own
//! files, not input an attacker controls over a network, so the standard
//! library's DoS-resistant SipHash is not needed; this multiply-rotate hash
//! (rustc's "FxHash") with a MurmurHash3 finaliser is several times faster
//! on short keys.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` using [`FastHasher`].
pub type FastHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Creates an empty [`FastHashMap`] with room for `capacity` entries.
pub fn fast_hash_map<K, V>(capacity: usize) -> FastHashMap<K, V> {
    HashMap::with_capacity_and_hasher(capacity, BuildHasherDefault::default())
}

#[derive(Debug, Default, Clone, Copy)]
pub struct FastHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(
                chunk.try_into().expect("chunks of eight bytes"),
            ));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buffer = [0_u8; 8];
            buffer[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buffer));
        }
    }

    fn write_u8(&mut self, value: u8) {
        self.add(value as u64);
    }

    fn write_u32(&mut self, value: u32) {
        self.add(value as u64);
    }

    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }

    fn write_i64(&mut self, value: i64) {
        self.add(value as u64);
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    fn finish(&self) -> u64 {
        // The multiply only carries low input bits upwards, so keys that
        // differ only in their high bytes (`T000001`, `T000002`, ...) would
        // share low bits, which pick the bucket. MurmurHash3's finaliser
        // spreads every bit over the whole word.
        let mut hash = self.hash;
        hash ^= hash >> 33;
        hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
        hash ^= hash >> 33;
        hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        hash ^ (hash >> 33)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_keep_distinct_keys_apart() {
        let mut map = fast_hash_map(0);
        for index in 0..10_000 {
            map.insert(format!("bib-{index}"), index);
        }
        assert_eq!(map.len(), 10_000);
        assert_eq!(map.get("bib-1234"), Some(&1234));
        assert_eq!(map.get("bib-12345"), None);
    }

    #[test]
    fn keys_differing_in_high_bytes_spread_over_low_bits() {
        use std::hash::BuildHasher;
        let build = BuildHasherDefault::<FastHasher>::default();
        let low_bits: std::collections::HashSet<u64> = (0..1000)
            .map(|index| build.hash_one(format!("T{index:06}")) & 0xff)
            .collect();
        assert!(
            low_bits.len() > 200,
            "only {} distinct low bytes",
            low_bits.len()
        );
    }
}
