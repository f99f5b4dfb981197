//! [`DistMatrix`]: a sparse matrix split by rows over the ranks, with the rows of its
//! transpose split likewise, so both `A·x` and `Aᵀ·y` are gather-form products of local
//! rows with a halo of the dense factor.

use ndarray::{Array2, ArrayView2};

use crate::svd::{Csr, SvdError};

use super::comm::{bytes_to_f64s, bytes_to_usizes, f64s_to_bytes, usizes_to_bytes, Comm};
use super::fold::{block_weights_over_ranks, sum_over_ranks};
use super::group::{DistError, Group, Phase};
use super::halo::Halo;
use super::layout::RowLayout;
use super::CommError;

/// One rank's rows of a sparse operator, their column indices renumbered into its halo.
#[derive(Clone, Debug)]
pub struct LocalRows {
    csr: Csr,
    halo: Halo,
}

impl LocalRows {
    /// Plans the halo of `rows` (global column indices into a factor laid out by
    /// `factor_layout`). Collective.
    pub(crate) fn new(
        group: &Group,
        rows: Csr,
        factor_layout: &RowLayout,
    ) -> Result<LocalRows, DistError> {
        let (indptr, mut indices, data) = rows.into_parts();
        let halo = Halo::plan(group, &mut indices, factor_layout)?;
        let csr = Csr::new((indptr.len() - 1, halo.rows()), indptr, indices, data)
            .map_err(SvdError::from)?;
        Ok(LocalRows { csr, halo })
    }

    /// This rank's rows of `A·x`, `x` distributed by the factor layout. Collective.
    pub fn apply(&self, group: &Group, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, DistError> {
        group.count_product();
        let gathered = self.halo.gather(group, x)?;
        Ok(group.ops().csr_matmul(&self.csr, gathered.view())?)
    }

    pub fn halo(&self) -> &Halo {
        &self.halo
    }

    pub fn nnz(&self) -> usize {
        self.csr.nnz()
    }
}

/// A sparse matrix over the ranks: this rank's rows of `A` and of `Aᵀ`.
#[derive(Clone, Debug)]
pub struct DistMatrix {
    shape: (usize, usize),
    nnz: usize,
    rows: LocalRows,
    cols: LocalRows,
    row_layout: RowLayout,
    col_layout: RowLayout,
}

impl DistMatrix {
    /// The matrix of `shape` whose rows `row_layout.range(rank)` are `local` (their column
    /// indices global). The columns are laid out in the same block size, balanced by their
    /// stored entries; `Aᵀ`'s rows are built by one all-to-all of the entries, each column's
    /// entries kept in row order as [`Csr::transposed`] keeps them. Collective.
    pub fn new(
        group: &Group,
        shape: (usize, usize),
        row_layout: RowLayout,
        local: Csr,
    ) -> Result<DistMatrix, DistError> {
        group.during(Phase::Setup, || {
            let first_row = row_layout.range(group.rank()).start;
            let col_layout = column_layout(group, shape.1, row_layout.block(), &local)?;
            let transposed = transpose_rows(group, shape, first_row, &local, &col_layout)?;
            let nnz = sum_over_ranks(group, local.nnz())?;
            let rows = LocalRows::new(group, local, &col_layout)?;
            let cols = LocalRows::new(group, transposed, &row_layout)?;
            Ok(DistMatrix {
                shape,
                nnz,
                rows,
                cols,
                row_layout,
                col_layout,
            })
        })
    }

    /// Every rank's share of the whole matrix `a`, which every rank holds (tests, and
    /// `--ranks` on one machine); rows balanced by stored entries in blocks of `block`.
    pub fn from_whole(group: &Group, a: &Csr, block: usize) -> Result<DistMatrix, DistError> {
        let layout = RowLayout::balanced(
            a.rows(),
            block,
            &block_weights(a.indptr(), block),
            group.size(),
        );
        let local = a.row_block(layout.range(group.rank()));
        DistMatrix::new(group, a.shape(), layout, local)
    }

    pub fn shape(&self) -> (usize, usize) {
        self.shape
    }

    /// Stored entries of the whole matrix.
    pub fn nnz(&self) -> usize {
        self.nnz
    }

    /// This rank's rows of `A`.
    pub fn rows(&self) -> &LocalRows {
        &self.rows
    }

    /// This rank's rows of `Aᵀ`.
    pub fn cols(&self) -> &LocalRows {
        &self.cols
    }

    pub fn row_layout(&self) -> &RowLayout {
        &self.row_layout
    }

    pub fn col_layout(&self) -> &RowLayout {
        &self.col_layout
    }
}

/// The weight of each block of `block` rows of a CSR matrix with `indptr`: its stored
/// entries plus its rows (a row costs work in the dense steps even when empty).
pub fn block_weights(indptr: &[usize], block: usize) -> Vec<u64> {
    let rows = indptr.len().saturating_sub(1);
    let block = block.max(1);
    (0..rows.div_ceil(block))
        .map(|b| {
            let (start, end) = (b * block, ((b + 1) * block).min(rows));
            (indptr[end] - indptr[start] + (end - start)) as u64
        })
        .collect()
}

/// The layout of the columns: block weights (entries plus columns) summed over the ranks.
fn column_layout(
    group: &Group,
    cols: usize,
    block: usize,
    local: &Csr,
) -> Result<RowLayout, DistError> {
    let mut counts = vec![0usize; cols.div_ceil(block)];
    for &j in local.indices() {
        counts[j / block] += 1;
    }
    let total = block_weights_over_ranks(group, &counts, cols, block)?;
    Ok(RowLayout::balanced(cols, block, &total, group.size()))
}

/// This rank's rows of `Aᵀ` (columns `col_layout.range(rank)` of `A`), their column
/// indices global rows of `A`. Each entry travels to the owner of its column; the owner
/// receives them in rank order, i.e. in row order, and a stable counting sort by column
/// keeps that order within each column.
fn transpose_rows(
    group: &Group,
    shape: (usize, usize),
    first_row: usize,
    local: &Csr,
    col_layout: &RowLayout,
) -> Result<Csr, DistError> {
    let size = group.size();
    let mut positions: Vec<Vec<usize>> = vec![Vec::new(); size];
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); size];
    for i in 0..local.rows() {
        for p in local.indptr()[i]..local.indptr()[i + 1] {
            let j = local.indices()[p];
            let owner = col_layout.owner(j);
            positions[owner].extend([j, first_row + i]);
            values[owner].push(local.data()[p]);
        }
    }
    let outgoing = positions
        .iter()
        .zip(&values)
        .map(|(pos, val)| {
            let mut bytes = usizes_to_bytes(&[val.len()]);
            bytes.extend(usizes_to_bytes(pos));
            bytes.extend(f64s_to_bytes(val));
            bytes
        })
        .collect();
    let incoming = group.all_to_all(outgoing)?;
    let mine = col_layout.range(group.rank());
    let mut entries: Vec<(usize, usize, f64)> = Vec::new();
    for (from, bytes) in incoming.iter().enumerate() {
        let torn = || {
            CommError(format!(
                "rank {from} sent a torn block of transposed entries"
            ))
        };
        let count = *bytes_to_usizes(bytes.get(..8).ok_or_else(torn)?)?
            .first()
            .ok_or_else(torn)?;
        let split = 8 + count.checked_mul(16).ok_or_else(torn)?;
        let pos = bytes_to_usizes(bytes.get(8..split).ok_or_else(torn)?)?;
        let val = bytes_to_f64s(bytes.get(split..).ok_or_else(torn)?)?;
        if val.len() != count {
            return Err(torn().into());
        }
        for (pair, v) in pos.chunks_exact(2).zip(val) {
            if !mine.contains(&pair[0]) || pair[1] >= shape.0 {
                return Err(torn().into());
            }
            entries.push((pair[0] - mine.start, pair[1], v));
        }
    }
    let rows = mine.len();
    let mut indptr = vec![0usize; rows + 1];
    for &(j, _, _) in &entries {
        indptr[j + 1] += 1;
    }
    for j in 0..rows {
        indptr[j + 1] += indptr[j];
    }
    let mut next = indptr.clone();
    let mut indices = vec![0usize; entries.len()];
    let mut data = vec![0.0; entries.len()];
    for (j, i, v) in entries {
        indices[next[j]] = i;
        data[next[j]] = v;
        next[j] += 1;
    }
    Ok(Csr::new((rows, shape.0), indptr, indices, data).map_err(SvdError::from)?)
}
