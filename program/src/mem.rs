//! Bulk memory helpers. On-chain they are the runtime's `sol_memcpy_` / `sol_memset_` syscalls
//! (10 CU + 1 CU per 250 bytes), far cheaper than the byte/word loops `core` falls back to on
//! the upstream BPF target; on the host they are the ordinary slice operations.

/// Copies `min(dst.len(), src.len())` bytes from `src` to the start of `dst`.
/// The two regions must not overlap (a `&mut` and a `&` slice cannot).
#[inline(always)]
pub fn copy(dst: &mut [u8], src: &[u8]) {
    let n = dst.len().min(src.len());
    #[cfg(any(target_os = "solana", target_arch = "bpf"))]
    // SAFETY: both regions are valid for `n` bytes and, being `&mut` and `&` borrows, disjoint.
    unsafe {
        pinocchio::syscalls::sol_memcpy_(dst.as_mut_ptr(), src.as_ptr(), n as u64);
    }
    #[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
    dst[..n].copy_from_slice(&src[..n]);
}

/// [`copy`], skipping the syscall when there is nothing to copy.
#[inline(always)]
pub fn copy_nonempty(dst: &mut [u8], src: &[u8]) {
    if !src.is_empty() {
        copy(dst, src);
    }
}

/// Zeroes `dst`.
#[inline(always)]
pub fn zero(dst: &mut [u8]) {
    #[cfg(any(target_os = "solana", target_arch = "bpf"))]
    // SAFETY: `dst` is valid for writes of `dst.len()` bytes.
    unsafe {
        pinocchio::syscalls::sol_memset_(dst.as_mut_ptr(), 0, dst.len() as u64);
    }
    #[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
    dst.fill(0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_and_zero() {
        let mut d = [9u8; 6];
        copy(&mut d, b"abc");
        assert_eq!(&d, b"abc\x09\x09\x09");
        copy(&mut d[..2], b"xyz");
        assert_eq!(&d, b"xyc\x09\x09\x09");
        zero(&mut d[1..]);
        assert_eq!(&d, b"x\0\0\0\0\0");
    }
}
