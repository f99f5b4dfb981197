//! [`Group`]: the ranks working on one problem — a [`Comm`] that counts the bytes this rank
//! sends, by [`Phase`], and the kernels ([`Ops`]) every rank runs in the same tier.

use std::cell::{Cell, RefCell};

use crate::svd::{Ops, SvdError};

use super::comm::{Comm, CommError};

/// What a message is for, to account for the communication volume.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Distributing the matrix: the transposed entries, layouts and halo plans.
    Setup,
    /// The rows of a dense factor that a sparse product needs from other ranks.
    Halo,
    /// Block partial sums (Gram matrices) and the `svd_flip` argmax.
    Reductions,
    /// Status checks that keep the ranks in agreement when one fails.
    Control,
    /// Gathering `U` and `V` for the output.
    Output,
}

/// Bytes this rank sent to other ranks, by phase, and how many sparse products and
/// reductions it took part in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    pub setup: u64,
    pub halo: u64,
    pub reductions: u64,
    pub control: u64,
    pub output: u64,
    pub products: u64,
    pub reduction_count: u64,
}

impl Traffic {
    fn add(&mut self, phase: Phase, bytes: u64) {
        let slot = match phase {
            Phase::Setup => &mut self.setup,
            Phase::Halo => &mut self.halo,
            Phase::Reductions => &mut self.reductions,
            Phase::Control => &mut self.control,
            Phase::Output => &mut self.output,
        };
        *slot += bytes;
    }

    pub fn total(&self) -> u64 {
        self.setup + self.halo + self.reductions + self.control + self.output
    }
}

/// Why a distributed run failed.
#[derive(Debug, thiserror::Error)]
pub enum DistError {
    /// This rank failed.
    #[error(transparent)]
    Local(#[from] SvdError),
    /// Another rank failed (every rank reports the lowest failing rank).
    #[error("rank {rank} failed: {message}")]
    Remote { rank: usize, message: String },
    /// The transport failed.
    #[error("communication failed: {0}")]
    Comm(#[from] CommError),
}

/// Runs `f` on one rank alone: a single-process run of a distributed algorithm, whose
/// errors can only be this rank's own.
pub(crate) fn on_one_rank<T>(
    ops: &Ops,
    f: impl FnOnce(&Group) -> Result<T, DistError>,
) -> Result<T, SvdError> {
    let comm = super::SoloComm;
    let group = Group::new(&comm, ops);
    f(&group).map_err(|error| match error {
        DistError::Local(error) => error,
        other => unreachable!("one rank alone cannot fail remotely: {other}"),
    })
}

/// The ranks of one run, as seen from this one.
pub struct Group<'a> {
    comm: &'a dyn Comm,
    ops: &'a Ops,
    phase: Cell<Phase>,
    traffic: RefCell<Traffic>,
}

impl std::fmt::Debug for Group<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Group")
            .field("rank", &self.comm.rank())
            .field("size", &self.comm.size())
            .field("traffic", &self.traffic.borrow())
            .finish()
    }
}

impl<'a> Group<'a> {
    pub fn new(comm: &'a dyn Comm, ops: &'a Ops) -> Group<'a> {
        Group {
            comm,
            ops,
            phase: Cell::new(Phase::Setup),
            traffic: RefCell::new(Traffic::default()),
        }
    }

    pub fn ops(&self) -> &'a Ops {
        self.ops
    }

    /// The bytes sent so far.
    pub fn traffic(&self) -> Traffic {
        *self.traffic.borrow()
    }

    /// Runs `f` with the messages it sends counted under `phase`.
    pub fn during<T>(&self, phase: Phase, f: impl FnOnce() -> T) -> T {
        let outer = self.phase.replace(phase);
        let result = f();
        self.phase.set(outer);
        result
    }

    pub(crate) fn count_product(&self) {
        self.traffic.borrow_mut().products += 1;
    }

    pub(crate) fn count_reduction(&self) {
        self.traffic.borrow_mut().reduction_count += 1;
    }

    /// `result` if it is `Ok` on every rank; otherwise every rank returns an error: its own
    /// as [`DistError::Local`], or the lowest failing rank's. Every rank must call this at
    /// the same point, so a rank that fails never leaves the others waiting.
    pub fn agree<T, E: std::fmt::Display>(&self, result: Result<T, E>) -> Result<T, DistError>
    where
        DistError: From<E>,
    {
        let status = self.agree_on(result.as_ref().err().map(ToString::to_string));
        match (result, status) {
            (Err(own), _) => Err(own.into()),
            (Ok(value), Ok(())) => Ok(value),
            (Ok(_), Err(error)) => Err(error),
        }
    }

    /// The agreement behind [`Group::agree`]: `Ok` when no rank passes a failure message,
    /// else [`DistError::Remote`] naming the lowest failing rank (this one included).
    /// Collective.
    pub fn agree_on(&self, failure: Option<String>) -> Result<(), DistError> {
        let status = match failure {
            None => Vec::new(),
            Some(message) => [vec![1], message.into_bytes()].concat(),
        };
        let statuses = self.during(Phase::Control, || self.all_gather(&status))?;
        match statuses.iter().position(|s| !s.is_empty()) {
            None => Ok(()),
            Some(rank) => Err(DistError::Remote {
                rank,
                message: String::from_utf8_lossy(&statuses[rank][1..]).into_owned(),
            }),
        }
    }
}

impl Comm for Group<'_> {
    fn rank(&self) -> usize {
        self.comm.rank()
    }

    fn size(&self) -> usize {
        self.comm.size()
    }

    fn send(&self, to: usize, bytes: &[u8]) -> Result<(), CommError> {
        if to != self.rank() {
            self.traffic
                .borrow_mut()
                .add(self.phase.get(), bytes.len() as u64);
        }
        self.comm.send(to, bytes)
    }

    fn recv(&self, from: usize) -> Result<Vec<u8>, CommError> {
        self.comm.recv(from)
    }

    fn shift(&self, to: usize, bytes: &[u8], from: usize) -> Result<Vec<u8>, CommError> {
        if to != self.rank() {
            self.traffic
                .borrow_mut()
                .add(self.phase.get(), bytes.len() as u64);
        }
        self.comm.shift(to, bytes, from)
    }
}
