//! Sums of block partials in one fixed global order: rank 0 adds its blocks to zero and
//! passes the running total to rank 1, which adds its own, and so on; the last rank
//! broadcasts the total. Every rank holds whole blocks in block order, so the additions
//! happen in the same order — and round the same way — for any number of ranks.

use ndarray::ArrayView2;

use super::comm::{bytes_to_f64s, bytes_to_usizes, f64s_to_bytes, usizes_to_bytes, Comm};
use super::group::{DistError, Group, Phase};

/// `Σ_b parts_b` over every rank's blocks in global block order (`parts`: this rank's
/// blocks, one per row, in order; every rank's rows have the same length).
pub fn ordered_sum(group: &Group, parts: ArrayView2<'_, f64>) -> Result<Vec<f64>, DistError> {
    group.count_reduction();
    group.during(Phase::Reductions, || {
        let (rank, size) = (group.rank(), group.size());
        let mut total = if rank == 0 {
            vec![0.0; parts.ncols()]
        } else {
            let received = bytes_to_f64s(&group.recv(rank - 1)?)?;
            if received.len() != parts.ncols() {
                return Err(DistError::Comm(super::CommError(format!(
                    "rank {} sent a partial sum of {} values; rank {rank} expected {}",
                    rank - 1,
                    received.len(),
                    parts.ncols()
                ))));
            }
            received
        };
        group.ops().add_rows_into(parts, &mut total)?;
        if rank + 1 < size {
            group.send(rank + 1, &f64s_to_bytes(&total))?;
        }
        Ok(bytes_to_f64s(
            &group.broadcast(size - 1, &f64s_to_bytes(&total))?,
        )?)
    })
}

/// The sum of one count from every rank (integers: the order does not matter).
pub(crate) fn sum_over_ranks(group: &Group, local: usize) -> Result<usize, DistError> {
    let mut total = 0usize;
    for bytes in group.all_gather(&usizes_to_bytes(&[local]))? {
        total = bytes_to_usizes(&bytes)?
            .into_iter()
            .fold(total, usize::saturating_add);
    }
    Ok(total)
}

/// The weight of each block of `block` rows of a `rows`-row layout: its rows plus its
/// entries counted over every rank (`local`: this rank's count per block). Integers, so
/// the order of the sum does not matter.
pub(crate) fn block_weights_over_ranks(
    group: &Group,
    local: &[usize],
    rows: usize,
    block: usize,
) -> Result<Vec<u64>, DistError> {
    let mut weights: Vec<u64> = (0..local.len())
        .map(|b| (((b + 1) * block).min(rows) - b * block) as u64)
        .collect();
    for (rank, bytes) in group
        .all_gather(&usizes_to_bytes(local))?
        .iter()
        .enumerate()
    {
        let counts = bytes_to_usizes(bytes)?;
        if counts.len() != local.len() {
            return Err(super::CommError(format!(
                "rank {rank} sent {} block counts; {} were expected",
                counts.len(),
                local.len()
            ))
            .into());
        }
        for (w, c) in weights.iter_mut().zip(counts) {
            *w = w.saturating_add(c as u64);
        }
    }
    Ok(weights)
}
