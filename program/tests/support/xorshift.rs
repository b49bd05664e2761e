//! Deterministic pseudo-random numbers for host property tests (xorshift64).

/// xorshift64: fast, reproducible, good enough to spread test inputs.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// Random values biased towards interesting magnitudes and edges.
    pub fn value(&mut self) -> u64 {
        const EDGES: [u64; 12] = [
            0,
            1,
            2,
            9_999,
            10_000,
            1_000_000,
            0xFFFF_FFFF,
            0x1_0000_0000,
            0x1_0000_0001,
            1_000_000_000_000,
            u64::MAX - 1,
            u64::MAX,
        ];
        let r = self.next();
        match r % 4 {
            0 => EDGES[self.next().checked_rem(EDGES.len() as u64).unwrap_or(0) as usize],
            1 => self.next() >> (self.next() % 64),
            2 => self.next() & 0xFFFF_FFFF,
            _ => self.next(),
        }
    }
}
