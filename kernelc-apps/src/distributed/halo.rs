//! [`Halo`]: the rows of a distributed dense factor that one rank's sparse rows touch. The
//! plan is made once per matrix; each product then moves exactly those rows, one message
//! per pair of ranks that share any.

use ndarray::{Array2, ArrayView2};

use super::comm::{bytes_to_f64s, bytes_to_usizes, f64s_to_bytes, usizes_to_bytes, Comm};
use super::group::{DistError, Group, Phase};
use super::layout::RowLayout;
use super::CommError;

/// Which rows this rank receives from whom, and which of its own it sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Halo {
    /// The global rows needed, ascending: row `h` of the gathered matrix is `needed[h]`.
    needed: Vec<usize>,
    /// `needed[offsets[r]..offsets[r + 1]]` come from rank `r`.
    offsets: Vec<usize>,
    /// `send[r]`: this rank's local rows that rank `r` needs, in the order it needs them.
    send: Vec<Vec<usize>>,
}

impl Halo {
    /// Plans the exchange for sparse rows whose column indices are `columns` (global rows of
    /// a factor laid out by `layout`), and renumbers `columns` in place to rows of the
    /// gathered matrix. Collective.
    pub fn plan(
        group: &Group,
        columns: &mut [usize],
        layout: &RowLayout,
    ) -> Result<Halo, DistError> {
        let mut needed = columns.to_vec();
        needed.sort_unstable();
        needed.dedup();
        for c in columns.iter_mut() {
            *c = needed.partition_point(|&n| n < *c);
        }
        let size = group.size();
        let offsets: Vec<usize> = (0..=size)
            .map(|r| {
                let start = layout.starts()[r];
                needed.partition_point(|&n| n < start)
            })
            .collect();
        let requests = (0..size)
            .map(|r| usizes_to_bytes(&needed[offsets[r]..offsets[r + 1]]))
            .collect();
        let incoming = group.during(Phase::Setup, || group.all_to_all(requests))?;
        let mine = layout.range(group.rank());
        let send = incoming
            .iter()
            .enumerate()
            .map(|(from, bytes)| {
                let rows = bytes_to_usizes(bytes)?;
                rows.into_iter()
                    .map(|row| {
                        if mine.contains(&row) {
                            Ok(row - mine.start)
                        } else {
                            Err(CommError(format!(
                                "rank {from} asked rank {} for row {row}, which it does not hold",
                                group.rank()
                            )))
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Halo {
            needed,
            offsets,
            send,
        })
    }

    /// The number of rows gathered (this rank's halo, own rows included).
    pub fn rows(&self) -> usize {
        self.needed.len()
    }

    /// The number of rows this rank sends to other ranks per product.
    pub fn rows_sent(&self, rank: usize) -> usize {
        self.send
            .iter()
            .enumerate()
            .filter(|&(r, _)| r != rank)
            .map(|(_, rows)| rows.len())
            .sum()
    }

    /// The rows of the distributed `local` (this rank's rows of the factor) that this
    /// rank's sparse rows need, in halo order. Collective. This rank's own rows are copied
    /// straight across; only other ranks' rows travel as bytes.
    pub fn gather(
        &self,
        group: &Group,
        local: ArrayView2<'_, f64>,
    ) -> Result<Array2<f64>, DistError> {
        let width = local.ncols();
        let me = group.rank();
        let outgoing = self
            .send
            .iter()
            .enumerate()
            .map(|(to, rows)| {
                if to == me {
                    return Vec::new();
                }
                let mut values = Vec::with_capacity(rows.len() * width);
                for &row in rows {
                    values.extend(local.row(row).iter());
                }
                f64s_to_bytes(&values)
            })
            .collect();
        let incoming = group.during(Phase::Halo, || group.all_to_all(outgoing))?;
        let mut gathered = Vec::with_capacity(self.needed.len() * width);
        for (from, bytes) in incoming.iter().enumerate() {
            if from == me {
                for &row in &self.send[me] {
                    gathered.extend(local.row(row).iter());
                }
                continue;
            }
            let values = bytes_to_f64s(bytes)?;
            let expected = (self.offsets[from + 1] - self.offsets[from]) * width;
            if values.len() != expected {
                return Err(DistError::Comm(CommError(format!(
                    "rank {from} sent {} halo values; {expected} were expected",
                    values.len()
                ))));
            }
            gathered.extend(values);
        }
        Ok(Array2::from_shape_vec((self.needed.len(), width), gathered)
            .expect("the halo's length was checked per rank"))
    }
}
