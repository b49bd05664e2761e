//! `ModelInput` (Borsh: `hf_id string, revision string, quantization string, price_in u64,
//! price_out u64, max_context u32`) and the validated `Vec<ModelInput>` shared by
//! `register_server` and `update_server`. No allocation: the list stays in the instruction data and
//! is iterated in place.

use pinocchio::error::ProgramError;

use crate::{
    borsh::Reader,
    constants::{MAX_MODELS, MAX_PRICE_PER_M},
    errors::ChainferenceError,
    validate::{validate_hf_id, validate_quantization, validate_revision},
};

/// One model as sent by the operator (borrowed from the instruction data).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelInput<'a> {
    pub hf_id: &'a [u8],
    pub revision: &'a [u8],
    pub quantization: &'a [u8],
    pub price_in: u64,
    pub price_out: u64,
    pub max_context: u32,
}

impl<'a> ModelInput<'a> {
    /// Reads one entry (structure only).
    #[inline(always)]
    pub fn read(reader: &mut Reader<'a>) -> Result<Self, ProgramError> {
        Ok(Self {
            hf_id: reader.string()?,
            revision: reader.string()?,
            quantization: reader.string()?,
            price_in: reader.read_u64()?,
            price_out: reader.read_u64()?,
            max_context: reader.read_u32()?,
        })
    }

    /// Id, revision and quantization rules, and the price cap.
    #[inline(always)]
    pub fn validate(&self) -> Result<(), ProgramError> {
        validate_hf_id(self.hf_id)?;
        validate_revision(self.revision)?;
        validate_quantization(self.quantization)?;
        if self.price_in > MAX_PRICE_PER_M || self.price_out > MAX_PRICE_PER_M {
            return Err(ChainferenceError::PriceTooHigh.into());
        }
        Ok(())
    }
}

/// A validated Borsh `Vec<ModelInput>`: 1 ≤ count ≤ `MAX_MODELS`, every entry valid.
/// Duplicate (hf_id, revision, quantization) keys are rejected after the entries are written
/// (`state::server::check_unique_models`, 8-byte word compares on the zero-padded entries).
#[derive(Clone, Copy, Debug)]
pub struct ModelInputs<'a> {
    count: usize,
    bytes: &'a [u8],
}

impl<'a> ModelInputs<'a> {
    /// Reads and validates the whole list, leaving `reader` just after it.
    pub fn read(reader: &mut Reader<'a>) -> Result<Self, ProgramError> {
        let count = reader.vec_len()?;
        if count == 0 {
            return Err(ChainferenceError::NoModels.into());
        }
        if count > MAX_MODELS {
            return Err(ChainferenceError::TooManyModels.into());
        }
        let start = *reader;
        for _ in 0..count {
            ModelInput::read(reader)?.validate()?;
        }
        // `reader` only moved forward from `start`, so this cannot underflow.
        let used = start.remaining().wrapping_sub(reader.remaining());
        let mut start = start;
        let list = Self {
            count,
            bytes: start.take(used)?,
        };
        Ok(list)
    }

    #[inline(always)]
    pub fn len(&self) -> usize {
        self.count
    }

    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The entries, in order (already validated by [`ModelInputs::read`]).
    #[inline(always)]
    pub fn iter(&self) -> ModelInputIter<'a> {
        ModelInputIter {
            reader: Reader::new(self.bytes),
            left: self.count,
        }
    }
}

pub struct ModelInputIter<'a> {
    reader: Reader<'a>,
    left: usize,
}

impl<'a> Iterator for ModelInputIter<'a> {
    type Item = ModelInput<'a>;

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        self.left = self.left.checked_sub(1)?;
        ModelInput::read(&mut self.reader).ok()
    }
}
