//! [`Comm`]: the message passing the distributed algorithms need, over bytes, so the same
//! code runs on MPI ranks (`MpiComm`, feature `mpi`), on threads in one process
//! ([`ThreadComm`], for tests and `--ranks N`) and alone ([`SoloComm`]).
//!
//! Only three primitives are required; the collectives are built from them in a fixed
//! order, so their results never depend on message timing.

use std::sync::mpsc::{channel, Receiver, Sender};

/// A transport failure: a peer went away, a message was malformed, MPI reported an error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CommError(pub String);

/// Point-to-point messages between `size()` ranks, in order per pair of ranks.
pub trait Comm {
    /// This rank, in `0..size()`.
    fn rank(&self) -> usize;

    /// The number of ranks.
    fn size(&self) -> usize;

    /// Sends `bytes` to rank `to`, which receives them with [`Comm::recv`] or
    /// [`Comm::shift`]. Must not wait for the receiver when the message is small
    /// (the pipelines here send before they receive only in rank order).
    fn send(&self, to: usize, bytes: &[u8]) -> Result<(), CommError>;

    /// The next message from rank `from`, waiting for it.
    fn recv(&self, from: usize) -> Result<Vec<u8>, CommError>;

    /// Sends `bytes` to `to` and receives the next message from `from` at the same time
    /// (MPI's `sendrecv`): a ring of shifts never deadlocks, however large the messages.
    fn shift(&self, to: usize, bytes: &[u8], from: usize) -> Result<Vec<u8>, CommError>;

    /// Rank `root`'s `bytes` on every rank (`bytes` is ignored elsewhere).
    fn broadcast(&self, root: usize, bytes: &[u8]) -> Result<Vec<u8>, CommError> {
        if self.rank() == root {
            for to in (0..self.size()).filter(|&to| to != root) {
                self.send(to, bytes)?;
            }
            Ok(bytes.to_vec())
        } else {
            self.recv(root)
        }
    }

    /// Personalised all-to-all: `outgoing[r]` goes to rank `r`; the result's entry `r` came
    /// from rank `r`. Pairwise rounds: in round `d` every rank sends to `rank + d` and
    /// receives from `rank - d`.
    fn all_to_all(&self, mut outgoing: Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>, CommError> {
        let (rank, size) = (self.rank(), self.size());
        if outgoing.len() != size {
            return Err(CommError(format!(
                "all_to_all got {} messages for {size} ranks",
                outgoing.len()
            )));
        }
        let mut incoming = vec![Vec::new(); size];
        incoming[rank] = std::mem::take(&mut outgoing[rank]);
        for d in 1..size {
            let to = (rank + d) % size;
            let from = (rank + size - d) % size;
            incoming[from] = self.shift(to, &outgoing[to], from)?;
        }
        Ok(incoming)
    }

    /// Every rank's `bytes`, in rank order, on every rank.
    fn all_gather(&self, bytes: &[u8]) -> Result<Vec<Vec<u8>>, CommError> {
        self.all_to_all(vec![bytes.to_vec(); self.size()])
    }
}

/// One rank alone: every collective is the identity.
#[derive(Clone, Copy, Debug, Default)]
pub struct SoloComm;

impl Comm for SoloComm {
    fn rank(&self) -> usize {
        0
    }

    fn size(&self) -> usize {
        1
    }

    fn send(&self, to: usize, _: &[u8]) -> Result<(), CommError> {
        Err(CommError(format!("a lone rank cannot send to rank {to}")))
    }

    fn recv(&self, from: usize) -> Result<Vec<u8>, CommError> {
        Err(CommError(format!(
            "a lone rank cannot receive from rank {from}"
        )))
    }

    fn shift(&self, to: usize, bytes: &[u8], from: usize) -> Result<Vec<u8>, CommError> {
        if to == 0 && from == 0 {
            Ok(bytes.to_vec())
        } else {
            Err(CommError(format!(
                "a lone rank cannot exchange with ranks {to} and {from}"
            )))
        }
    }
}

/// Ranks as threads of one process, joined by unbounded channels (sends never wait).
/// A rank that returns drops its channels, so a peer waiting on it gets an error, not a hang.
#[derive(Debug)]
pub struct ThreadComm {
    rank: usize,
    /// `outboxes[r]` sends to rank `r`.
    outboxes: Vec<Sender<Vec<u8>>>,
    /// `inboxes[r]` receives from rank `r`.
    inboxes: Vec<Receiver<Vec<u8>>>,
}

impl ThreadComm {
    /// Runs `body` on `size` ranks, each on its own thread, and returns their results in
    /// rank order. A rank that panics is re-raised here after the others have finished.
    pub fn run<T, F>(size: usize, body: F) -> Vec<T>
    where
        T: Send,
        F: Fn(ThreadComm) -> T + Sync,
    {
        let comms = ThreadComm::connect(size);
        std::thread::scope(|scope| {
            let handles: Vec<_> = comms
                .into_iter()
                .map(|comm| scope.spawn(|| body(comm)))
                .collect();
            handles
                .into_iter()
                .map(|handle| {
                    handle
                        .join()
                        .unwrap_or_else(|p| std::panic::resume_unwind(p))
                })
                .collect()
        })
    }

    /// `size` connected ranks.
    pub fn connect(size: usize) -> Vec<ThreadComm> {
        // channels[from][to]
        let mut senders: Vec<Vec<Sender<Vec<u8>>>> = Vec::with_capacity(size);
        let mut receivers: Vec<Vec<Option<Receiver<Vec<u8>>>>> = (0..size)
            .map(|_| (0..size).map(|_| None).collect())
            .collect();
        for from in 0..size {
            let mut row = Vec::with_capacity(size);
            for to_receivers in receivers.iter_mut() {
                let (tx, rx) = channel();
                row.push(tx);
                to_receivers[from] = Some(rx);
            }
            senders.push(row);
        }
        senders
            .into_iter()
            .zip(receivers)
            .enumerate()
            .map(|(rank, (outboxes, inboxes))| ThreadComm {
                rank,
                outboxes,
                inboxes: inboxes.into_iter().flatten().collect(),
            })
            .collect()
    }

    fn check(&self, peer: usize) -> Result<(), CommError> {
        if peer < self.outboxes.len() {
            Ok(())
        } else {
            Err(CommError(format!(
                "rank {peer} does not exist ({} ranks)",
                self.outboxes.len()
            )))
        }
    }
}

impl Comm for ThreadComm {
    fn rank(&self) -> usize {
        self.rank
    }

    fn size(&self) -> usize {
        self.outboxes.len()
    }

    fn send(&self, to: usize, bytes: &[u8]) -> Result<(), CommError> {
        self.check(to)?;
        self.outboxes[to]
            .send(bytes.to_vec())
            .map_err(|_| CommError(format!("rank {to} has stopped")))
    }

    fn recv(&self, from: usize) -> Result<Vec<u8>, CommError> {
        self.check(from)?;
        self.inboxes[from]
            .recv()
            .map_err(|_| CommError(format!("rank {from} stopped before sending")))
    }

    fn shift(&self, to: usize, bytes: &[u8], from: usize) -> Result<Vec<u8>, CommError> {
        self.send(to, bytes)?;
        self.recv(from)
    }
}

/// `values` as little-endian bytes.
pub fn f64s_to_bytes(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The inverse of [`f64s_to_bytes`].
pub fn bytes_to_f64s(bytes: &[u8]) -> Result<Vec<f64>, CommError> {
    words(bytes).map(|w| w.map(f64::from_le_bytes).collect())
}

/// `values` as little-endian `u64` bytes.
pub fn usizes_to_bytes(values: &[usize]) -> Vec<u8> {
    values
        .iter()
        .flat_map(|&v| (v as u64).to_le_bytes())
        .collect()
}

/// The inverse of [`usizes_to_bytes`].
pub fn bytes_to_usizes(bytes: &[u8]) -> Result<Vec<usize>, CommError> {
    words(bytes)?
        .map(|w| {
            usize::try_from(u64::from_le_bytes(w))
                .map_err(|_| CommError("an index does not fit this machine's usize".into()))
        })
        .collect()
}

fn words(bytes: &[u8]) -> Result<impl Iterator<Item = [u8; 8]> + '_, CommError> {
    if bytes.len() % 8 != 0 {
        return Err(CommError(format!(
            "a message of {} bytes is not a whole number of 8-byte words",
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|w| <[u8; 8]>::try_from(w).expect("chunks_exact(8) yields 8 bytes")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_to_all_delivers_each_message_to_its_rank() {
        for size in 1..=4 {
            let results = ThreadComm::run(size, |comm| {
                let outgoing = (0..size)
                    .map(|to| vec![comm.rank() as u8, to as u8])
                    .collect();
                comm.all_to_all(outgoing).unwrap()
            });
            for (rank, incoming) in results.iter().enumerate() {
                for (from, message) in incoming.iter().enumerate() {
                    assert_eq!(message, &vec![from as u8, rank as u8]);
                }
            }
        }
    }

    #[test]
    fn broadcast_and_all_gather_agree_on_every_rank() {
        let results = ThreadComm::run(3, |comm| {
            let b = comm.broadcast(1, &[comm.rank() as u8 + 10]).unwrap();
            let g = comm.all_gather(&[comm.rank() as u8]).unwrap();
            (b, g)
        });
        for (b, g) in results {
            assert_eq!(b, vec![11]);
            assert_eq!(g, vec![vec![0], vec![1], vec![2]]);
        }
    }

    #[test]
    fn a_rank_that_stops_fails_its_peers_instead_of_hanging() {
        let results = ThreadComm::run(2, |comm| {
            if comm.rank() == 0 {
                return Ok(Vec::new());
            }
            comm.recv(0)
        });
        assert_eq!(
            results[1],
            Err(CommError("rank 0 stopped before sending".into()))
        );
    }

    #[test]
    fn words_round_trip_and_reject_torn_messages() {
        let values = [1.5, -0.0, f64::MAX];
        assert_eq!(bytes_to_f64s(&f64s_to_bytes(&values)).unwrap(), values);
        assert_eq!(
            bytes_to_usizes(&usizes_to_bytes(&[0, 7, 1 << 40])).unwrap(),
            [0, 7, 1 << 40]
        );
        assert!(bytes_to_f64s(&[0; 7]).is_err());
    }
}
