use pinocchio::{cpi::Seed, AccountView, Address, ProgramResult};
use pinocchio_system::instructions::Transfer;

use super::{AppendResponseAccounts, AppendResponseData};
use crate::{
    constants::CHUNK_OVERHEAD_LEN,
    errors::ChainferenceError,
    lifecycle::current_slot,
    math::{add_u32, sub_u64},
    mem,
    pda::create_pda_account,
    rent::rent_exempt_minimum,
    resize::resize_account,
    state::{response::FRAME_HEADER_LEN, Request, Response},
};

/// Appends one frame `u16 len ‖ ciphertext` to the response stream.
///
/// First chunk: creates the Response PDA `["response", request, [request.response_bump]]` (the
/// address the client named at create) with `228 + frame` bytes of data but rent for
/// `228 + max(reserve_bytes, frame)`, so later appends only resize. Later chunks: resize, and
/// only when the lamports no longer cover the new size, top up from the operator (System transfer)
/// to the rent of `228 + max(reserve_bytes, new stream_len)`. `reserve_bytes` is capped at the
/// request's `max_response_bytes`.
pub fn process(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let accounts = AppendResponseAccounts::try_from((program_id, accounts))?;
    let data = AppendResponseData::try_from(data)?;

    let len = data.ciphertext.len();
    if len < CHUNK_OVERHEAD_LEN || len > u16::MAX as usize {
        return Err(ChainferenceError::InvalidChunkLength.into());
    }
    // `CHUNK_OVERHEAD_LEN ≤ len ≤ u16::MAX`: neither wraps, and both fit in a u32.
    let frame = len.wrapping_add(FRAME_HEADER_LEN) as u32;
    let plaintext = len.wrapping_sub(CHUNK_OVERHEAD_LEN) as u32;

    let request_key = *accounts.request.address().as_array();
    // SAFETY: the only reference to the request data in this instruction (the response, operator
    // and server are other accounts, see `accounts.rs`).
    let request = Request::load_mut(unsafe { accounts.request.borrow_unchecked_mut() })?;
    let now = current_slot()?;
    if now > request.deadline_slot() {
        return Err(ChainferenceError::RequestExpired.into());
    }
    let max_stream = request.max_response_bytes();

    if !accounts.has_response {
        if data.chunk_index != 0 {
            return Err(ChainferenceError::ChunkIndexMismatch.into());
        }
        if frame > max_stream {
            return Err(ChainferenceError::ResponseTooLarge.into());
        }
        let reserve = data.reserve_bytes.min(max_stream).max(frame);
        let space = Response::space(frame as usize);
        let lamports = rent_exempt_minimum(Response::space(reserve as usize))?;
        // The client fixed the response address at create: the server cannot pick another bump.
        let response_bump = request.response_bump();
        let bump = [response_bump];
        let seeds = [
            Seed::from(Response::PREFIX),
            Seed::from(&request_key),
            Seed::from(&bump),
        ];
        create_pda_account(
            accounts.operator,
            accounts.response,
            space,
            lamports,
            program_id,
            &seeds,
        )?;

        // SAFETY: the only reference to the response data; it was just allocated by the CPI.
        let (response, stream) =
            Response::init(unsafe { accounts.response.borrow_unchecked_mut() }, frame)?;
        response.set_bump(response_bump);
        response.set_final(data.is_final);
        response.set_request(&request_key);
        response.set_client(request.client());
        response.set_server(accounts.server.address().as_array());
        response.set_operator(accounts.operator.address().as_array());
        response.set_server_key(request.locked_key());
        response.set_nonce(request.nonce());
        response.set_chunk_count(1);
        response.set_plaintext_bytes(plaintext);
        response.set_first_chunk_slot(now);
        response.set_last_slot(now);
        write_frame(stream, data.ciphertext);
        request.set_has_response(true);
        return Ok(());
    }

    let (stream_len, chunk_count, plaintext_bytes) = {
        // SAFETY: short-lived read-only view, dropped before the account is resized.
        let response = Response::load(unsafe { accounts.response.borrow_unchecked() })?;
        if data.chunk_index != response.chunk_count() {
            return Err(ChainferenceError::ChunkIndexMismatch.into());
        }
        if response.is_final() {
            return Err(ChainferenceError::ResponseFinal.into());
        }
        (
            response.stream_len(),
            response.chunk_count(),
            response.plaintext_bytes(),
        )
    };
    let new_stream_len = add_u32(stream_len, frame)?;
    if new_stream_len > max_stream {
        return Err(ChainferenceError::ResponseTooLarge.into());
    }
    let new_len = Response::space(new_stream_len as usize);
    let balance = accounts.response.lamports();
    if balance < rent_exempt_minimum(new_len)? {
        // Top up once for `reserve_bytes` of stream again, so the next appends skip the CPI.
        let reserve = data.reserve_bytes.min(max_stream).max(new_stream_len);
        let target = rent_exempt_minimum(Response::space(reserve as usize))?;
        Transfer {
            from: accounts.operator,
            to: accounts.response,
            lamports: sub_u64(target, balance)?,
        }
        .invoke()?;
    }
    resize_account::<false>(accounts.response, new_len)?;

    // SAFETY: the only reference to the response data; the account was just resized.
    let (response, stream) = Response::load_resized_mut(
        unsafe { accounts.response.borrow_unchecked_mut() },
        new_stream_len,
    )?;
    response.set_final(data.is_final);
    response.set_chunk_count(add_u32(chunk_count, 1)?);
    response.set_plaintext_bytes(add_u32(plaintext_bytes, plaintext)?);
    response.set_last_slot(now);
    write_frame(&mut stream[stream_len as usize..], data.ciphertext);
    Ok(())
}

/// Writes `u16 len ‖ ciphertext` into `dst` (exactly one frame long).
#[inline(always)]
fn write_frame(dst: &mut [u8], ciphertext: &[u8]) {
    let (len, body) = dst.split_at_mut(FRAME_HEADER_LEN);
    // The caller checked `ciphertext.len() ≤ u16::MAX`.
    len.copy_from_slice(&(ciphertext.len() as u16).to_le_bytes());
    mem::copy(body, ciphertext);
}
