//! ProNE's files: the edge list in (whitespace-separated 0-based node pairs, `#` comments)
//! and the embedding out (`.npy`, or word2vec text: an `N D` header, then `node v1 … vD`).

use std::io::Write;
use std::path::{Path, PathBuf};

use ndarray::Array2;

use kernel_npy::{write_npy, NpyArray, NpyError};

/// The largest node id accepted: ids index the adjacency matrix, so a hostile file must not
/// make the program allocate rows for ids nobody uses.
pub const MAX_NODE_ID: usize = 50_000_000;

/// Why an edge list cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum EdgeListError {
    #[error("cannot read `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("line {line}: expected two node ids, got `{text}`")]
    BadLine { line: usize, text: String },
    #[error("line {line}: `{text}` is not a node id (a non-negative integer)")]
    BadId { line: usize, text: String },
    #[error("line {line}: node id {id} is larger than the supported maximum {max}", max = MAX_NODE_ID)]
    IdTooLarge { line: usize, id: usize },
    #[error("the edge list has no edges")]
    Empty,
}

/// Parses an edge list: one edge per line, two non-negative integer ids (extra columns, such
/// as weights, are ignored), blank lines and `#` comments skipped.
pub fn parse_edge_list(text: &str) -> Result<Vec<(usize, usize)>, EdgeListError> {
    let mut edges = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let mut fields = content.split_whitespace();
        let (Some(a), Some(b)) = (fields.next(), fields.next()) else {
            return Err(EdgeListError::BadLine {
                line,
                text: content.to_string(),
            });
        };
        edges.push((parse_id(a, line)?, parse_id(b, line)?));
    }
    if edges.is_empty() {
        return Err(EdgeListError::Empty);
    }
    Ok(edges)
}

fn parse_id(text: &str, line: usize) -> Result<usize, EdgeListError> {
    let id: usize = text.parse().map_err(|_| EdgeListError::BadId {
        line,
        text: text.to_string(),
    })?;
    if id > MAX_NODE_ID {
        return Err(EdgeListError::IdTooLarge { line, id });
    }
    Ok(id)
}

/// Reads and parses the edge list file at `path`.
pub fn read_edge_list(path: &Path) -> Result<Vec<(usize, usize)>, EdgeListError> {
    let bytes = std::fs::read(path).map_err(|source| EdgeListError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8_lossy(&bytes);
    parse_edge_list(&text)
}

/// Why an embedding could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(transparent)]
    Npy(#[from] NpyError),
    #[error("cannot write `{path}`: {source}")]
    Text {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Writes `embedding` to `path`: `.npy` when the extension says so, else word2vec text
/// (`N D`, then one line per node: its id and its `D` values, shortest round-trip decimals).
pub fn write_embedding(path: &Path, embedding: &Array2<f64>) -> Result<(), OutputError> {
    let is_npy = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("npy"));
    if is_npy {
        write_npy(path, &NpyArray::from(embedding.clone().into_dyn()))?;
        return Ok(());
    }
    let text_error = |source| OutputError::Text {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::create(path).map_err(text_error)?;
    let mut out = std::io::BufWriter::new(file);
    write_word2vec(&mut out, embedding).map_err(text_error)?;
    out.flush().map_err(text_error)
}

/// The word2vec text format.
pub fn write_word2vec(out: &mut impl Write, embedding: &Array2<f64>) -> std::io::Result<()> {
    let (n, d) = embedding.dim();
    writeln!(out, "{n} {d}")?;
    for (node, row) in embedding.rows().into_iter().enumerate() {
        write!(out, "{node}")?;
        for v in row {
            write!(out, " {v}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}
