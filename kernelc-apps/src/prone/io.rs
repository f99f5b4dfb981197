//! ProNE's files: the edge list in (whitespace-separated 0-based node pairs, `#` comments)
//! and the embedding out (`.npy`, or word2vec text: an `N D` header, then `node v1 … vD`).
//!
//! Under MPI each rank reads one byte range of the edge list ([`read_edge_list_part`]): a line
//! belongs to the part its first byte lies in, so the parts together read every line exactly
//! once, in order, whatever their number.

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
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
    #[error("`{path}`: the line starting at byte {offset}: {source}")]
    AtByte {
        path: PathBuf,
        offset: u64,
        source: LineError,
    },
    #[error("part {part} of {parts} does not exist (parts are numbered from 0, and there is at least one)")]
    NoSuchPart { part: usize, parts: usize },
}

/// What is wrong with one line of an edge list, wherever it is.
#[derive(Debug, thiserror::Error)]
pub enum LineError {
    #[error("expected two node ids, got `{0}`")]
    Fields(String),
    #[error("`{0}` is not a node id (a non-negative integer)")]
    Id(String),
    #[error("node id {0} is larger than the supported maximum {max}", max = MAX_NODE_ID)]
    TooLarge(usize),
}

impl LineError {
    /// The error as [`parse_edge_list`] reports it, at line `line` (1-based).
    fn at_line(self, line: usize) -> EdgeListError {
        match self {
            LineError::Fields(text) => EdgeListError::BadLine { line, text },
            LineError::Id(text) => EdgeListError::BadId { line, text },
            LineError::TooLarge(id) => EdgeListError::IdTooLarge { line, id },
        }
    }
}

/// Parses an edge list: one edge per line, two non-negative integer ids (extra columns, such
/// as weights, are ignored), blank lines and `#` comments skipped.
pub fn parse_edge_list(text: &str) -> Result<Vec<(usize, usize)>, EdgeListError> {
    let mut edges = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        if let Some(edge) = parse_line(raw).map_err(|error| error.at_line(index + 1))? {
            edges.push(edge);
        }
    }
    if edges.is_empty() {
        return Err(EdgeListError::Empty);
    }
    Ok(edges)
}

/// One line's edge, or `None` for a blank or comment line. Surrounding whitespace (a line
/// end's `\r` included) is not part of the content.
fn parse_line(raw: &str) -> Result<Option<(usize, usize)>, LineError> {
    let content = raw.split('#').next().unwrap_or("").trim();
    if content.is_empty() {
        return Ok(None);
    }
    let mut fields = content.split_whitespace();
    let (Some(a), Some(b)) = (fields.next(), fields.next()) else {
        return Err(LineError::Fields(content.to_string()));
    };
    Ok(Some((parse_id(a)?, parse_id(b)?)))
}

fn parse_id(text: &str) -> Result<usize, LineError> {
    let id: usize = text.parse().map_err(|_| LineError::Id(text.to_string()))?;
    if id > MAX_NODE_ID {
        return Err(LineError::TooLarge(id));
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

/// The edges of the lines of the edge list at `path` that start in byte range `part` of
/// `parts` equal ranges (part `p` is bytes `len·p/parts .. len·(p+1)/parts`). Only that range
/// is read, plus the rest of the line crossing its end and the byte before it (to know whether
/// a line starts there). The parts of `0..parts` together hold the edges of
/// [`read_edge_list`], in order; a part may hold none, which is not an error here. Errors name
/// the byte offset of the line at fault (its line number would need the bytes before).
pub fn read_edge_list_part(
    path: &Path,
    part: usize,
    parts: usize,
) -> Result<Vec<(usize, usize)>, EdgeListError> {
    if part >= parts {
        return Err(EdgeListError::NoSuchPart { part, parts });
    }
    let read_error = |source| EdgeListError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(read_error)?;
    let len = file.metadata().map_err(read_error)?.len();
    let (start, end) = (
        part_start(len, part, parts),
        part_start(len, part + 1, parts),
    );
    let mut reader = BufReader::new(file);
    let first = seek_line_start(&mut reader, start).map_err(read_error)?;
    read_lines(&mut reader, path, first, end)
}

/// The first byte of part `part` of `parts` of a `len`-byte file (`len` for `part == parts`).
fn part_start(len: u64, part: usize, parts: usize) -> u64 {
    // Exact in u128, and at most `len`, since `part <= parts`.
    (u128::from(len) * part as u128 / parts as u128) as u64
}

/// Positions `reader` at the first line starting at or after `offset`, and returns where that
/// is (the file's length when no line does).
fn seek_line_start(reader: &mut BufReader<File>, offset: u64) -> std::io::Result<u64> {
    if offset == 0 {
        reader.seek(SeekFrom::Start(0))?;
        return Ok(0);
    }
    reader.seek(SeekFrom::Start(offset - 1))?;
    let mut position = offset - 1;
    // Discards up to and including the next newline, without holding the line: a line can be
    // longer than a part.
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(position);
        }
        match buffer.iter().position(|&byte| byte == b'\n') {
            Some(newline) => {
                reader.consume(newline + 1);
                return Ok(position + newline as u64 + 1);
            }
            None => {
                let skipped = buffer.len();
                reader.consume(skipped);
                position += skipped as u64;
            }
        }
    }
}

/// Parses the lines that start before `end`, the first at `offset` (where `reader` is).
fn read_lines(
    reader: &mut BufReader<File>,
    path: &Path,
    mut offset: u64,
    end: u64,
) -> Result<Vec<(usize, usize)>, EdgeListError> {
    let mut edges = Vec::new();
    let mut line = Vec::new();
    while offset < end {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(|source| EdgeListError::Read {
                path: path.to_path_buf(),
                source,
            })?;
        if read == 0 {
            break;
        }
        let parsed = parse_line(&String::from_utf8_lossy(&line)).map_err(|source| {
            EdgeListError::AtByte {
                path: path.to_path_buf(),
                offset,
                source,
            }
        })?;
        edges.extend(parsed);
        offset += read as u64;
    }
    Ok(edges)
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
