//! The meaning of a sub-view (`Expr::View`), axis by axis, shared by every tier: which
//! bounds are checked in which order, and the start and extent of each kept axis.
//!
//! The checks of one axis, in Rust's order for slices: a zero step, a range that starts
//! after it ends, a range that ends past the extent (an inclusive end of `u64::MAX` always
//! does); an index axis fails like an element index. The axes are checked left to right
//! after all their operands were evaluated.

use crate::error::ErrorKind;

/// Why one axis of a view cannot be taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewFault {
    ZeroStep,
    StartAfterEnd { start: u64, end: u64 },
    EndPastExtent { end: u64, extent: u64 },
    Index { index: u64, extent: u64 },
}

impl ViewFault {
    /// The runtime error, naming the array (`label`), the axis and, for ranges, whether
    /// the range was written inclusive.
    pub fn error(self, label: &str, axis: u32, inclusive: bool) -> ErrorKind {
        let array = label.to_string();
        match self {
            ViewFault::ZeroStep => ErrorKind::ZeroStep,
            ViewFault::StartAfterEnd { start, end } => ErrorKind::SliceStartAfterEnd {
                array,
                axis,
                start,
                end,
                inclusive,
            },
            ViewFault::EndPastExtent { end, extent } => ErrorKind::SliceEndPastExtent {
                array,
                axis,
                end,
                inclusive,
                extent,
            },
            ViewFault::Index { index, extent } => ErrorKind::IndexOutOfBounds {
                array,
                axis,
                index: i128::from(index),
                extent,
            },
        }
    }
}

/// A kept axis `start..end` (`..=end` when `inclusive`; `end` defaults to the extent) with
/// `step`: its first index and its length, or the fault.
pub fn range_axis(
    start: u64,
    end: Option<u64>,
    inclusive: bool,
    step: u64,
    extent: u64,
) -> Result<(u64, u64), ViewFault> {
    if step == 0 {
        return Err(ViewFault::ZeroStep);
    }
    let end_written = end.unwrap_or(extent);
    let exclusive = match (end, inclusive) {
        (Some(end), true) => end.checked_add(1),
        (Some(end), false) => Some(end),
        (None, _) => Some(extent),
    };
    let Some(exclusive) = exclusive else {
        return Err(ViewFault::EndPastExtent {
            end: end_written,
            extent,
        });
    };
    if start > exclusive {
        return Err(ViewFault::StartAfterEnd {
            start,
            end: end_written,
        });
    }
    if exclusive > extent {
        return Err(ViewFault::EndPastExtent {
            end: end_written,
            extent,
        });
    }
    Ok((start, (exclusive - start).div_ceil(step)))
}

/// A dropped axis fixed at `index`.
pub fn index_axis(index: u64, extent: u64) -> Result<u64, ViewFault> {
    if index < extent {
        Ok(index)
    } else {
        Err(ViewFault::Index { index, extent })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rusts_slices() {
        assert_eq!(range_axis(1, Some(4), false, 1, 5), Ok((1, 3)));
        assert_eq!(range_axis(1, Some(4), true, 1, 5), Ok((1, 4)));
        assert_eq!(range_axis(0, None, false, 2, 5), Ok((0, 3)));
        assert_eq!(range_axis(5, None, false, 1, 5), Ok((5, 0)));
        assert_eq!(range_axis(2, Some(1), true, 1, 5), Ok((2, 0)));
        assert_eq!(
            range_axis(3, Some(1), true, 1, 5),
            Err(ViewFault::StartAfterEnd { start: 3, end: 1 })
        );
        assert_eq!(
            range_axis(4, Some(2), false, 1, 1),
            Err(ViewFault::StartAfterEnd { start: 4, end: 2 })
        );
        assert_eq!(
            range_axis(0, Some(7), false, 1, 5),
            Err(ViewFault::EndPastExtent { end: 7, extent: 5 })
        );
        assert_eq!(
            range_axis(0, Some(u64::MAX), true, 1, 5),
            Err(ViewFault::EndPastExtent {
                end: u64::MAX,
                extent: 5
            })
        );
        assert_eq!(
            range_axis(0, Some(3), false, 0, 5),
            Err(ViewFault::ZeroStep)
        );
        assert_eq!(index_axis(4, 5), Ok(4));
        assert_eq!(
            index_axis(5, 5),
            Err(ViewFault::Index {
                index: 5,
                extent: 5
            })
        );
    }
}
