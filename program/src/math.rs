//! Checked u64 arithmetic that compiles for the BPF backend.
//!
//! Stock LLVM 22 cannot lower 128-bit multiplication (`__multi3`) for BPF, and it turns any u64
//! `checked_mul` (or a u64 `*` under `overflow-checks`) into exactly that. So every multiplication
//! goes through [`mul_u64`] / [`mul_wide`], which multiply 32-bit halves with wrapping ops and check
//! the high parts explicitly. Addition, subtraction and unsigned division are fine as they are.
//!
//! [`mul_div_floor`] / [`mul_div_ceil`] compute `a × b / d` exactly for *every* `a, b` whose
//! quotient fits in a u64 (the 128-bit product is kept as two u64 words); the fast path, when the
//! product fits in 64 bits, is one multiply and one division. All helpers are property-tested on
//! the host against u128 math.

use pinocchio::error::ProgramError;

use crate::errors::ChainferenceError;

const LOW_32: u64 = 0xFFFF_FFFF;

#[cold]
#[inline(never)]
fn overflow() -> ProgramError {
    ChainferenceError::ArithmeticOverflow.into()
}

/// `a + b`, or `ArithmeticOverflow`.
#[inline(always)]
pub fn add_u64(a: u64, b: u64) -> Result<u64, ProgramError> {
    a.checked_add(b).ok_or_else(overflow)
}

/// `a - b`, or `ArithmeticOverflow` when `b > a`.
#[inline(always)]
pub fn sub_u64(a: u64, b: u64) -> Result<u64, ProgramError> {
    a.checked_sub(b).ok_or_else(overflow)
}

/// `a + b` for u32 counters, or `ArithmeticOverflow`.
#[inline(always)]
pub fn add_u32(a: u32, b: u32) -> Result<u32, ProgramError> {
    a.checked_add(b).ok_or_else(overflow)
}

/// `a - b` for u32 counters, or `ArithmeticOverflow`.
#[inline(always)]
pub fn sub_u32(a: u32, b: u32) -> Result<u32, ProgramError> {
    a.checked_sub(b).ok_or_else(overflow)
}

/// `a + b` for u16 counters, or `ArithmeticOverflow`.
#[inline(always)]
pub fn add_u16(a: u16, b: u16) -> Result<u16, ProgramError> {
    a.checked_add(b).ok_or_else(overflow)
}

/// `a - b` for u16 counters, or `ArithmeticOverflow`.
#[inline(always)]
pub fn sub_u16(a: u16, b: u16) -> Result<u16, ProgramError> {
    a.checked_sub(b).ok_or_else(overflow)
}

/// Full 64 × 64 → 128-bit product as `(high, low)` words, from 32-bit halves.
#[inline(always)]
pub fn mul_wide(a: u64, b: u64) -> (u64, u64) {
    let (a_lo, a_hi) = (a & LOW_32, a >> 32);
    let (b_lo, b_hi) = (b & LOW_32, b >> 32);
    // Each partial product of two 32-bit values fits in 64 bits exactly.
    let ll = a_lo.wrapping_mul(b_lo);
    let lh = a_lo.wrapping_mul(b_hi);
    let hl = a_hi.wrapping_mul(b_lo);
    let hh = a_hi.wrapping_mul(b_hi);
    // Middle column: (ll >> 32) + low halves of lh and hl, at most 3 × (2^32 − 1): no overflow.
    let mid = (ll >> 32)
        .wrapping_add(lh & LOW_32)
        .wrapping_add(hl & LOW_32);
    let low = (mid << 32) | (ll & LOW_32);
    // High word: hh + high halves of lh, hl, mid. Exact because the full product is < 2^128.
    let high = hh
        .wrapping_add(lh >> 32)
        .wrapping_add(hl >> 32)
        .wrapping_add(mid >> 32);
    (high, low)
}

/// `a × b`, or `ArithmeticOverflow` when the product does not fit in a u64.
#[inline(always)]
pub fn mul_u64(a: u64, b: u64) -> Result<u64, ProgramError> {
    let (a_lo, a_hi) = (a & LOW_32, a >> 32);
    let (b_lo, b_hi) = (b & LOW_32, b >> 32);
    if a_hi != 0 && b_hi != 0 {
        return Err(overflow());
    }
    // At most one of the cross terms is non-zero, and each is a 32 × 32-bit product.
    let cross = a_hi
        .wrapping_mul(b_lo)
        .wrapping_add(a_lo.wrapping_mul(b_hi));
    if cross >> 32 != 0 {
        return Err(overflow());
    }
    (cross << 32)
        .checked_add(a_lo.wrapping_mul(b_lo))
        .ok_or_else(overflow)
}

/// `(⌊(high·2^64 + low) / d⌋, remainder)` for `high < d` (so the quotient fits in a u64).
/// Restoring shift-subtract division, 64 steps; only used when the product exceeds 64 bits.
#[inline(never)]
fn div_wide(high: u64, low: u64, d: u64) -> (u64, u64) {
    let mut rem = high;
    let mut quotient = 0u64;
    for i in (0..64u32).rev() {
        let carry = rem >> 63;
        rem = (rem << 1) | ((low >> i) & 1);
        quotient <<= 1;
        // rem < d before the shift, so the true value 2·rem + bit < 2d: one subtraction suffices,
        // and wrapping_sub yields the exact remainder even when the shift carried out (carry = 1).
        if carry != 0 || rem >= d {
            rem = rem.wrapping_sub(d);
            quotient |= 1;
        }
    }
    (quotient, rem)
}

/// `(⌊a × b / d⌋, (a × b) mod d)`, exact for any `a, b` whose quotient fits in a u64.
#[inline(always)]
fn mul_div_rem(a: u64, b: u64, d: u64) -> Result<(u64, u64), ProgramError> {
    if d == 0 {
        return Err(overflow());
    }
    let (high, low) = mul_wide(a, b);
    if high == 0 {
        // `d != 0` was checked above: unsigned division cannot fail.
        #[allow(clippy::arithmetic_side_effects)]
        return Ok((low / d, low % d));
    }
    if high >= d {
        return Err(overflow());
    }
    Ok(div_wide(high, low, d))
}

/// `⌊a × b / d⌋`. Exact (no intermediate overflow) whenever the result fits in a u64;
/// `ArithmeticOverflow` when it does not or when `d == 0`.
#[inline(always)]
pub fn mul_div_floor(a: u64, b: u64, d: u64) -> Result<u64, ProgramError> {
    Ok(mul_div_rem(a, b, d)?.0)
}

/// `⌈a × b / d⌉`. Exact whenever the result fits in a u64; `ArithmeticOverflow` when it does not
/// or when `d == 0`.
#[inline(always)]
pub fn mul_div_ceil(a: u64, b: u64, d: u64) -> Result<u64, ProgramError> {
    let (q, r) = mul_div_rem(a, b, d)?;
    if r == 0 {
        Ok(q)
    } else {
        add_u64(q, 1)
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test-only reference math
mod tests {
    use super::*;

    use crate::test_support::XorShift;

    fn err() -> ProgramError {
        ChainferenceError::ArithmeticOverflow.into()
    }

    fn check_all(a: u64, b: u64, d: u64) {
        let p = a as u128 * b as u128;
        assert_eq!(
            mul_wide(a, b),
            ((p >> 64) as u64, p as u64),
            "mul_wide {a} {b}"
        );
        let expect_mul = u64::try_from(p).map_err(|_| err());
        assert_eq!(mul_u64(a, b), expect_mul, "mul_u64 {a} {b}");
        if d == 0 {
            assert_eq!(mul_div_floor(a, b, d), Err(err()));
            assert_eq!(mul_div_ceil(a, b, d), Err(err()));
            return;
        }
        let floor = p / d as u128;
        let ceil = p.div_ceil(d as u128);
        assert_eq!(
            mul_div_floor(a, b, d),
            u64::try_from(floor).map_err(|_| err()),
            "floor {a} {b} {d}"
        );
        assert_eq!(
            mul_div_ceil(a, b, d),
            u64::try_from(ceil).map_err(|_| err()),
            "ceil {a} {b} {d}"
        );
    }

    #[test]
    fn edges() {
        let v = [
            0u64,
            1,
            2,
            3,
            0xFFFF_FFFF,
            0x1_0000_0000,
            1 << 63,
            u64::MAX - 1,
            u64::MAX,
            1_000_000,
        ];
        for &a in &v {
            for &b in &v {
                for &d in &v {
                    check_all(a, b, d);
                }
            }
        }
    }

    #[test]
    fn property_against_u128() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..1_000_000 {
            let (a, b, d) = (rng.value(), rng.value(), rng.value());
            check_all(a, b, d);
        }
    }

    #[test]
    fn settlement_shapes() {
        // tokens × price-per-million, rounded up; fee in bps rounded down.
        assert_eq!(mul_div_ceil(1, 1, 1_000_000), Ok(1));
        assert_eq!(mul_div_ceil(0, 1_000_000_000_000, 1_000_000), Ok(0));
        assert_eq!(
            mul_div_ceil(u32::MAX as u64, 1_000_000_000_000, 1_000_000),
            Ok(u32::MAX as u64 * 1_000_000)
        );
        assert_eq!(mul_div_floor(12_345, 1_000, 10_000), Ok(1_234));
        assert_eq!(mul_div_floor(u64::MAX, 2_500, 10_000), Ok(u64::MAX / 4));
    }

    #[test]
    fn add_sub() {
        assert_eq!(add_u64(u64::MAX, 1), Err(err()));
        assert_eq!(sub_u64(0, 1), Err(err()));
        assert_eq!(add_u64(2, 3), Ok(5));
        assert_eq!(sub_u64(3, 2), Ok(1));
        assert_eq!(add_u32(u32::MAX, 1), Err(err()));
        assert_eq!(sub_u32(0, 1), Err(err()));
        assert_eq!(add_u16(u16::MAX, 1), Err(err()));
        assert_eq!(sub_u16(0, 1), Err(err()));
    }
}
