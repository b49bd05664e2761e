//! A no-alloc Borsh reader over instruction data (`docs/protocol.md`: little-endian integers,
//! `string`/`bytes` = `u32 len ‖ bytes`, `Vec<T>` = `u32 count ‖ items`).
//!
//! Every read fails with `InvalidInstructionData` when the data is too short, and
//! [`Reader::finish`] rejects trailing bytes. Borrowed results (`bytes`, `array`) point into the
//! instruction data: nothing is copied.

use pinocchio::error::ProgramError;

use crate::errors::ChainferenceError;

#[cold]
#[inline(never)]
fn invalid() -> ProgramError {
    ChainferenceError::InvalidInstructionData.into()
}

/// Cursor over Borsh-encoded instruction data.
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    #[inline(always)]
    pub const fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    /// Bytes not read yet.
    #[inline(always)]
    pub const fn remaining(&self) -> usize {
        self.data.len()
    }

    /// The next `n` raw bytes.
    #[inline(always)]
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], ProgramError> {
        let (head, tail) = self.data.split_at_checked(n).ok_or_else(invalid)?;
        self.data = tail;
        Ok(head)
    }

    /// A fixed-size array, borrowed.
    #[inline(always)]
    pub fn array<const N: usize>(&mut self) -> Result<&'a [u8; N], ProgramError> {
        let (head, tail) = self.data.split_first_chunk::<N>().ok_or_else(invalid)?;
        self.data = tail;
        Ok(head)
    }

    #[inline(always)]
    pub fn read_u8(&mut self) -> Result<u8, ProgramError> {
        let (first, tail) = self.data.split_first().ok_or_else(invalid)?;
        self.data = tail;
        Ok(*first)
    }

    #[inline(always)]
    pub fn read_u16(&mut self) -> Result<u16, ProgramError> {
        Ok(u16::from_le_bytes(*self.array::<2>()?))
    }

    #[inline(always)]
    pub fn read_u32(&mut self) -> Result<u32, ProgramError> {
        Ok(u32::from_le_bytes(*self.array::<4>()?))
    }

    #[inline(always)]
    pub fn read_u64(&mut self) -> Result<u64, ProgramError> {
        Ok(u64::from_le_bytes(*self.array::<8>()?))
    }

    /// A bool/flag byte that must be 0 or 1.
    #[inline(always)]
    pub fn read_flag(&mut self) -> Result<bool, ProgramError> {
        match self.read_u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(invalid()),
        }
    }

    /// Borsh `bytes`: `u32 len ‖ bytes`.
    #[inline(always)]
    pub fn bytes(&mut self) -> Result<&'a [u8], ProgramError> {
        let len = self.read_u32()? as usize;
        self.take(len)
    }

    /// Borsh `string`: `u32 len ‖ bytes`. Not checked as UTF-8 here; the validators in
    /// [`crate::validate`] restrict ids to ASCII.
    #[inline(always)]
    pub fn string(&mut self) -> Result<&'a [u8], ProgramError> {
        self.bytes()
    }

    /// Borsh `Vec<T>` length prefix (`u32 count`).
    #[inline(always)]
    pub fn vec_len(&mut self) -> Result<usize, ProgramError> {
        Ok(self.read_u32()? as usize)
    }

    /// Ends parsing: any byte left over is an error.
    #[inline(always)]
    pub fn finish(self) -> Result<(), ProgramError> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(invalid())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_in_order_and_rejects_trailing() {
        let data = [
            7u8, // u8
            0x34, 0x12, // u16
            1, 0, 0, 0, // u32
            2, 0, 0, 0, 0, 0, 0, 0, // u64
            3, 0, 0, 0, b'a', b'b', b'c', // string
            9, 9, // array
            1, // flag
        ];
        let mut r = Reader::new(&data);
        assert_eq!(r.read_u8(), Ok(7));
        assert_eq!(r.read_u16(), Ok(0x1234));
        assert_eq!(r.read_u32(), Ok(1));
        assert_eq!(r.read_u64(), Ok(2));
        assert_eq!(r.string(), Ok(&b"abc"[..]));
        assert_eq!(r.array::<2>(), Ok(&[9u8, 9]));
        let before = r;
        assert_eq!(r.read_flag(), Ok(true));
        assert_eq!(r.finish(), Ok(()));
        assert_eq!(before.finish(), Err(invalid()));
    }

    #[test]
    fn short_data_fails() {
        assert_eq!(Reader::new(&[1]).read_u16(), Err(invalid()));
        assert_eq!(Reader::new(&[5, 0, 0, 0, 1]).bytes(), Err(invalid()));
        assert_eq!(
            Reader::new(&[0xFF, 0xFF, 0xFF, 0xFF]).bytes(),
            Err(invalid())
        );
        assert_eq!(Reader::new(&[]).read_u8(), Err(invalid()));
        assert_eq!(Reader::new(&[2]).read_flag(), Err(invalid()));
    }
}
