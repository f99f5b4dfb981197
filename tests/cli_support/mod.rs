//! Helpers shared by the `cli_*` tests: run the built `kernelc` binary in a temporary
//! directory, write kernel sources and `.npy` inputs, read outputs back.

#![allow(dead_code)]

use kernel_npy::{read_npy, write_npy, NpyArray, NpyData};
use ndarray::{ArrayD, IxDyn, ShapeBuilder};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What one run of the command left behind.
#[derive(Debug)]
pub struct Outcome {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Asserts the exit status, showing both streams when it differs.
    #[track_caller]
    pub fn expect_status(&self, status: i32) -> &Outcome {
        assert_eq!(self.status, status, "unexpected exit status: {self:#?}");
        self
    }

    /// Asserts stderr contains `text`.
    #[track_caller]
    pub fn expect_stderr(&self, text: &str) -> &Outcome {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}: {self:#?}"
        );
        self
    }
}

/// A temporary working directory for one test.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a kernel source and returns its file name (relative to the workspace).
    pub fn kernel(&self, name: &str, source: &str) -> String {
        std::fs::write(self.path(name), source).expect("write kernel");
        name.to_string()
    }

    pub fn save(&self, name: &str, array: NpyArray) -> String {
        write_npy(self.path(name), &array).expect("write npy");
        name.to_string()
    }

    pub fn load(&self, name: &str) -> NpyArray {
        read_npy(self.path(name)).expect("read npy")
    }

    /// Runs `kernelc ARGS…` with the workspace as the current directory.
    pub fn kernelc(&self, args: &[&str]) -> Outcome {
        let output = Command::new(env!("CARGO_BIN_EXE_kernelc"))
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("run kernelc");
        Outcome {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// A C-order f64 array.
pub fn f64_array(shape: &[usize], values: Vec<f64>) -> NpyArray {
    NpyArray::from(ArrayD::from_shape_vec(IxDyn(shape), values).expect("shape"))
}

/// A Fortran-order f64 array with the given logical (row-major) values.
pub fn f64_fortran(shape: &[usize], values: Vec<f64>) -> NpyArray {
    let logical = ArrayD::from_shape_vec(IxDyn(shape), values).expect("shape");
    let mut fortran = ArrayD::zeros(IxDyn(shape).f());
    fortran.assign(&logical);
    NpyArray {
        data: NpyData::F64(fortran),
        fortran_order: true,
    }
}

/// The f64 elements in logical (row-major) order.
pub fn f64_values(array: &NpyArray) -> Vec<f64> {
    match &array.data {
        NpyData::F64(a) => a.iter().copied().collect(),
        other => panic!("expected f64 data, got {:?}", other.dtype()),
    }
}

pub fn file_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read file")
}
