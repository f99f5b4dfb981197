//! Reading a kernel source file: a missing file is a bad argument, bytes that are not UTF-8
//! are a compile error (the file exists but is no kernel).

use super::error::CliError;
use std::path::Path;

pub fn read_source(path: &Path) -> Result<String, CliError> {
    let bytes = std::fs::read(path).map_err(|source| CliError::ReadSource {
        path: path.to_path_buf(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|error| CliError::SourceNotUtf8 {
        path: path.to_path_buf(),
        offset: error.utf8_error().valid_up_to(),
    })
}
