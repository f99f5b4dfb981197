//! [`Csr`]: a validated compressed-sparse-row matrix of `f64`, the input of the randomized
//! SVD. Validation happens once, in [`Csr::new`], so the kernels never meet an index out of
//! range (they would stop with a runtime error anyway, but the message here is clearer).
//!
//! Files hold a [`kernel_npy::SparseMatrix`] (scipy's arrays as stored, csr or csc):
//! `Csr::try_from` checks one on the way in, and `SparseMatrix::from(&csr)` is the way out.

use kernel_npy::{SparseFormat, SparseMatrix};

/// Why arrays do not form a CSR matrix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsrError {
    #[error("indptr has {got} entries; a {rows}-row matrix needs {}", .rows + 1)]
    IndptrLength { rows: usize, got: usize },
    #[error("indptr must start at 0, not {0}")]
    IndptrStart(usize),
    #[error("indptr decreases at row {row}: {from} then {to}")]
    IndptrDecreasing { row: usize, from: usize, to: usize },
    #[error("indptr ends at {end} but there are {nnz} stored entries")]
    IndptrEnd { end: usize, nnz: usize },
    #[error("indices has {indices} entries but data has {data}")]
    LengthMismatch { indices: usize, data: usize },
    #[error("column index {index} at entry {entry} is out of range for {cols} columns")]
    ColumnOutOfRange {
        entry: usize,
        index: usize,
        cols: usize,
    },
    #[error("the matrix is not square ({rows}×{cols})")]
    NotSquare { rows: usize, cols: usize },
}

/// A sparse matrix in CSR form: row `i` holds `data[p]` at column `indices[p]` for
/// `p in indptr[i]..indptr[i+1]`. Duplicate entries are allowed (they add up in products).
#[derive(Clone, Debug, PartialEq)]
pub struct Csr {
    rows: usize,
    cols: usize,
    indptr: Vec<usize>,
    indices: Vec<usize>,
    data: Vec<f64>,
}

impl Csr {
    /// Checks and wraps CSR arrays.
    pub fn new(
        shape: (usize, usize),
        indptr: Vec<usize>,
        indices: Vec<usize>,
        data: Vec<f64>,
    ) -> Result<Csr, CsrError> {
        let (rows, cols) = shape;
        check_indptr(rows, &indptr, indices.len(), data.len())?;
        if let Some((entry, &index)) = indices.iter().enumerate().find(|(_, &j)| j >= cols) {
            return Err(CsrError::ColumnOutOfRange { entry, index, cols });
        }
        Ok(Csr {
            rows,
            cols,
            indptr,
            indices,
            data,
        })
    }

    /// The CSR form of a compressed-sparse-column matrix of `shape` (scipy's `format=csc`):
    /// the CSC arrays are the CSR arrays of the transpose, which is transposed here.
    pub fn from_csc(
        shape: (usize, usize),
        indptr: Vec<usize>,
        indices: Vec<usize>,
        data: Vec<f64>,
    ) -> Result<Csr, CsrError> {
        Ok(Csr::new((shape.1, shape.0), indptr, indices, data)?.transposed())
    }

    /// `Aᵀ` in CSR form (a counting sort by column; entries keep their row order).
    pub fn transposed(&self) -> Csr {
        let mut indptr = vec![0usize; self.cols + 1];
        for &j in &self.indices {
            indptr[j + 1] += 1;
        }
        for j in 0..self.cols {
            indptr[j + 1] += indptr[j];
        }
        let mut next = indptr.clone();
        let mut indices = vec![0usize; self.nnz()];
        let mut data = vec![0.0; self.nnz()];
        for i in 0..self.rows {
            for p in self.indptr[i]..self.indptr[i + 1] {
                let j = self.indices[p];
                indices[next[j]] = i;
                data[next[j]] = self.data[p];
                next[j] += 1;
            }
        }
        Csr {
            rows: self.cols,
            cols: self.rows,
            indptr,
            indices,
            data,
        }
    }

    /// Rows `rows` of the matrix, all its columns (an owned copy, `indptr` rebased to 0).
    pub fn row_block(&self, rows: std::ops::Range<usize>) -> Csr {
        let (first, last) = (self.indptr[rows.start], self.indptr[rows.end]);
        Csr {
            rows: rows.len(),
            cols: self.cols,
            indptr: self.indptr[rows.start..=rows.end]
                .iter()
                .map(|p| p - first)
                .collect(),
            indices: self.indices[first..last].to_vec(),
            data: self.data[first..last].to_vec(),
        }
    }

    /// The arrays: `(indptr, indices, data)`.
    pub fn into_parts(self) -> (Vec<usize>, Vec<usize>, Vec<f64>) {
        (self.indptr, self.indices, self.data)
    }

    /// The same pattern with other values (`data.len()` must be `nnz`).
    pub fn with_data(&self, data: Vec<f64>) -> Result<Csr, CsrError> {
        if data.len() != self.nnz() {
            return Err(CsrError::LengthMismatch {
                indices: self.nnz(),
                data: data.len(),
            });
        }
        Ok(Csr {
            data,
            ..self.clone()
        })
    }

    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    pub fn nnz(&self) -> usize {
        self.data.len()
    }

    pub fn indptr(&self) -> &[usize] {
        &self.indptr
    }

    pub fn indices(&self) -> &[usize] {
        &self.indices
    }

    pub fn data(&self) -> &[f64] {
        &self.data
    }

    /// Fails unless the matrix is square.
    pub fn ensure_square(&self) -> Result<(), CsrError> {
        if self.rows != self.cols {
            return Err(CsrError::NotSquare {
                rows: self.rows,
                cols: self.cols,
            });
        }
        Ok(())
    }

    /// The dense form (for tests and small examples).
    pub fn to_dense(&self) -> ndarray::Array2<f64> {
        let mut dense = ndarray::Array2::zeros((self.rows, self.cols));
        for i in 0..self.rows {
            for p in self.indptr[i]..self.indptr[i + 1] {
                dense[[i, self.indices[p]]] += self.data[p];
            }
        }
        dense
    }
}

impl TryFrom<SparseMatrix> for Csr {
    type Error = CsrError;

    /// Checks a matrix read from a file; a csc one is converted to CSR.
    fn try_from(matrix: SparseMatrix) -> Result<Csr, CsrError> {
        let SparseMatrix {
            format,
            shape,
            indptr,
            indices,
            data,
        } = matrix;
        match format {
            SparseFormat::Csr => Csr::new(shape, indptr, indices, data),
            SparseFormat::Csc => Csr::from_csc(shape, indptr, indices, data),
        }
    }
}

impl From<&Csr> for SparseMatrix {
    fn from(csr: &Csr) -> SparseMatrix {
        SparseMatrix {
            format: SparseFormat::Csr,
            shape: csr.shape(),
            indptr: csr.indptr.clone(),
            indices: csr.indices.clone(),
            data: csr.data.clone(),
        }
    }
}

fn check_indptr(rows: usize, indptr: &[usize], nnz: usize, data: usize) -> Result<(), CsrError> {
    if nnz != data {
        return Err(CsrError::LengthMismatch { indices: nnz, data });
    }
    if rows.checked_add(1) != Some(indptr.len()) {
        return Err(CsrError::IndptrLength {
            rows,
            got: indptr.len(),
        });
    }
    if indptr[0] != 0 {
        return Err(CsrError::IndptrStart(indptr[0]));
    }
    for (row, pair) in indptr.windows(2).enumerate() {
        if pair[1] < pair[0] {
            return Err(CsrError::IndptrDecreasing {
                row,
                from: pair[0],
                to: pair[1],
            });
        }
    }
    if indptr[rows] != nnz {
        return Err(CsrError::IndptrEnd {
            end: indptr[rows],
            nnz,
        });
    }
    Ok(())
}
