//! [`RowLayout`]: which rank holds which rows. Ranks hold contiguous ranges in rank order,
//! cut on multiples of the block size, so the blocks whose partial sums the reductions
//! combine are the same for any number of ranks.

use std::ops::Range;

/// Contiguous, block-aligned row ranges, one per rank (some may be empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowLayout {
    /// `starts[r]..starts[r + 1]` are rank `r`'s rows; `starts[ranks]` is the row count.
    starts: Vec<usize>,
    block: usize,
}

/// Why row ranges do not form a layout.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("the block size must be at least 1")]
    ZeroBlock,
    #[error("there must be at least one rank")]
    NoRanks,
    #[error(
        "rank {rank} starts at row {start}, which is not a multiple of the block size {block}"
    )]
    Unaligned {
        rank: usize,
        start: usize,
        block: usize,
    },
    #[error("rank {rank} starts at row {start}, before the previous rank's start {previous}")]
    Decreasing {
        rank: usize,
        start: usize,
        previous: usize,
    },
}

impl RowLayout {
    /// The layout whose rank `r` holds `starts[r]..starts[r + 1]` (`starts` has one entry
    /// per rank plus the row count).
    pub fn new(starts: Vec<usize>, block: usize) -> Result<RowLayout, LayoutError> {
        if block == 0 {
            return Err(LayoutError::ZeroBlock);
        }
        if starts.len() < 2 || starts[0] != 0 {
            return Err(LayoutError::NoRanks);
        }
        let rows = starts[starts.len() - 1];
        for (rank, pair) in starts.windows(2).enumerate() {
            if pair[1] < pair[0] {
                return Err(LayoutError::Decreasing {
                    rank: rank + 1,
                    start: pair[1],
                    previous: pair[0],
                });
            }
            if pair[0] % block != 0 && pair[0] != rows {
                return Err(LayoutError::Unaligned {
                    rank,
                    start: pair[0],
                    block,
                });
            }
        }
        Ok(RowLayout { starts, block })
    }

    /// `rows` rows over `ranks` ranks, cut on block boundaries so that each rank's share of
    /// the blocks' `weights` (one per block, e.g. stored entries plus rows) is as even as
    /// the blocks allow.
    pub fn balanced(rows: usize, block: usize, weights: &[u64], ranks: usize) -> RowLayout {
        let block = block.max(1);
        let ranks = ranks.max(1);
        let mut prefix = Vec::with_capacity(weights.len() + 1);
        prefix.push(0u128);
        for &w in weights {
            prefix.push(prefix[prefix.len() - 1] + u128::from(w));
        }
        let total = prefix[prefix.len() - 1];
        let blocks = weights.len();
        let mut starts = vec![0];
        for r in 1..ranks {
            let target = total * r as u128 / ranks as u128;
            // The first block boundary at or past the target, never before the previous cut.
            let cut = prefix.partition_point(|&p| p < target).min(blocks);
            let previous = starts[r - 1] / block;
            starts.push((cut.max(previous) * block).min(rows));
        }
        starts.push(rows);
        RowLayout { starts, block }
    }

    /// `rows` rows in blocks of `block`, the same number of blocks per rank (give or take one).
    pub fn even(rows: usize, block: usize, ranks: usize) -> RowLayout {
        let blocks = rows.div_ceil(block.max(1));
        RowLayout::balanced(rows, block, &vec![1; blocks], ranks)
    }

    /// Every row on rank 0 (the layout of a single process).
    pub fn whole(rows: usize, block: usize) -> RowLayout {
        RowLayout {
            starts: vec![0, rows],
            block: block.max(1),
        }
    }

    pub fn rows(&self) -> usize {
        self.starts[self.starts.len() - 1]
    }

    pub fn ranks(&self) -> usize {
        self.starts.len() - 1
    }

    pub fn block(&self) -> usize {
        self.block
    }

    /// The rows of `rank`.
    pub fn range(&self, rank: usize) -> Range<usize> {
        self.starts[rank]..self.starts[rank + 1]
    }

    /// The rank holding `row` (`row < rows()`).
    pub fn owner(&self, row: usize) -> usize {
        // The last rank whose start is at or before `row`, skipping empty ranks.
        self.starts.partition_point(|&s| s <= row) - 1
    }

    /// The number of blocks in the whole matrix.
    pub fn blocks(&self) -> usize {
        self.rows().div_ceil(self.block)
    }

    /// The first (global) block of `rank`'s rows.
    pub fn first_block(&self, rank: usize) -> usize {
        self.starts[rank] / self.block
    }

    /// The starts of every rank's range, then the row count.
    pub fn starts(&self) -> &[usize] {
        &self.starts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_cuts_follow_the_weights_on_block_boundaries() {
        let layout = RowLayout::balanced(40, 4, &[1, 1, 1, 1, 100, 1, 1, 1, 1, 1], 2);
        assert_eq!(layout.starts(), &[0, 20, 40]);
        let layout = RowLayout::balanced(10, 4, &[5, 5, 5], 4);
        assert_eq!(layout.starts(), &[0, 4, 8, 10, 10]);
        for row in 0..10 {
            assert!(layout.range(layout.owner(row)).contains(&row));
        }
    }

    #[test]
    fn more_ranks_than_blocks_leaves_some_ranks_empty() {
        let layout = RowLayout::even(5, 8, 3);
        assert_eq!(layout.rows(), 5);
        let sizes: Vec<_> = (0..3).map(|r| layout.range(r).len()).collect();
        assert_eq!(sizes.iter().sum::<usize>(), 5);
        assert_eq!(
            layout.owner(4),
            (0..3).find(|&r| !layout.range(r).is_empty()).unwrap()
        );
    }

    #[test]
    fn new_checks_alignment_and_order() {
        assert_eq!(
            RowLayout::new(vec![0, 3, 8], 4),
            Err(LayoutError::Unaligned {
                rank: 1,
                start: 3,
                block: 4
            })
        );
        assert_eq!(
            RowLayout::new(vec![0, 8, 4], 4),
            Err(LayoutError::Decreasing {
                rank: 2,
                start: 4,
                previous: 8
            })
        );
        assert_eq!(RowLayout::new(vec![0, 4], 0), Err(LayoutError::ZeroBlock));
        assert!(RowLayout::new(vec![0, 4, 6, 6], 4).is_ok());
    }
}
