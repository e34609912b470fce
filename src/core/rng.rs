//! The core's only source of randomness: xoshiro256** seeded at construction.
//!
//! The browser driver seeds it from `crypto.getRandomValues`; tests seed it with a
//! constant so every branch, tag, Call-ID, cnonce and jitter replays exactly.

use std::time::Duration;

const ALPHANUMERIC: &[u8; 62] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// A small, fast generator (xoshiro256**, Blackman and Vigna).
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub(crate) fn new(seed: [u8; 32]) -> Self {
        let mut s = [0u64; 4];
        for (word, chunk) in s.iter_mut().zip(seed.chunks_exact(8)) {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(chunk);
            *word = u64::from_le_bytes(bytes);
        }
        // An all-zero state would only ever produce zeros: stir it with SplitMix64. (The
        // state is a `[u64; 4]`: the constant indices here and below are checked at
        // compile time.)
        let mut x = s[0] ^ s[1] ^ s[2] ^ s[3] ^ 0x9E37_79B9_7F4A_7C15;
        for word in &mut s {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            *word ^= z ^ (z >> 31);
        }
        Rng { s }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// A uniform integer in `0..n` (`n > 0`), by rejection so there is no bias.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let n = n.max(1);
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }

    /// A random alphanumeric token of `len` characters.
    pub(crate) fn token(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(ALPHANUMERIC[self.below(62) as usize]))
            .collect()
    }

    /// A random lower-case hex string of `len` characters.
    pub(crate) fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(b"0123456789abcdef"[self.below(16) as usize]))
            .collect()
    }

    /// A duration drawn uniformly from `[low, high)`.
    pub(crate) fn between(&mut self, low: Duration, high: Duration) -> Duration {
        let low_ms = low.as_millis() as u64;
        let span = (high.as_millis() as u64).saturating_sub(low_ms);
        if span == 0 {
            return low;
        }
        Duration::from_millis(low_ms + self.below(span))
    }

    /// Shuffles `items` in place (Fisher-Yates).
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = Rng::new([1; 32]);
        let mut b = Rng::new([1; 32]);
        assert_eq!(a.token(20), b.token(20));
        assert_ne!(Rng::new([2; 32]).next_u64(), Rng::new([1; 32]).next_u64());
    }

    #[test]
    fn zero_seed_is_not_stuck() {
        let mut r = Rng::new([0; 32]);
        let x = r.next_u64();
        assert_ne!(x, 0);
        assert_ne!(x, r.next_u64());
    }

    #[test]
    fn ranges() {
        let mut r = Rng::new([9; 32]);
        for _ in 0..1000 {
            assert!(r.below(7) < 7);
            let d = r.between(Duration::from_millis(500), Duration::from_millis(1000));
            assert!(d >= Duration::from_millis(500) && d < Duration::from_millis(1000));
        }
        assert_eq!(r.hex(8).len(), 8);
    }
}
