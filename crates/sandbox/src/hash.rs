//! Cheap, stable hashing for values computed on demand (usage) and per-customer seeds.

/// SplitMix64 finaliser: a good 64-bit mixer.
pub fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hash of a sequence of numbers; order matters.
pub fn mix(parts: &[u64]) -> u64 {
    parts
        .iter()
        .fold(0x51A7_C0DE_u64, |acc, &p| splitmix(acc ^ splitmix(p)))
}

/// A hash as a float in [0, 1).
pub fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Stable hash of a string (FNV-1a), for mixing names into `mix`.
pub fn of_str(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}
