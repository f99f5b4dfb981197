//! [`MpiComm`]: the [`Comm`] transport over `MPI_COMM_WORLD` (feature `mpi`), and the fault
//! handling a job of many ranks needs so that one rank's failure ends every rank instead of
//! leaving its peers waiting for a message that never comes: [`MpiComm::abort`], the
//! [`Watchdog`] and [`MpiComm::abort_on_panic`].
//!
//! A message is a header (the payload's length and the sender's piece size) and then the
//! payload in pieces of at most `max_piece` bytes, because an MPI count is an `i32` and a
//! message may be longer. The header and the pieces carry different tags, and the receiver
//! probes each one before taking it, so a receiver that gets out of step with its sender
//! reports a [`CommError`] instead of misreading bytes or tripping MPI's fatal truncation error.
//!
//! [`Comm::shift`] moves the two messages in rounds, one outgoing and one incoming piece at a
//! time, each round an immediate send, a receive and a wait (`MPI_Sendrecv`'s effect): every
//! send of a round meets its receive in the same round, so no pattern of shifts deadlocks, and
//! at most one piece per rank is in flight (posting every piece at once made Open MPI's
//! progress engine quadratic in the number of pieces).

use std::backtrace::{Backtrace, BacktraceStatus};
use std::io::Write;
use std::marker::PhantomData;
use std::num::NonZeroUsize;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use ::mpi::datatype::Equivalence;
use ::mpi::environment::{Threading, Universe};
use ::mpi::point_to_point::{Destination, Source};
use ::mpi::topology::{Communicator, Process, SimpleCommunicator};

use super::comm::{Comm, CommError};

/// The exit status of every rank when a [`Watchdog`] fires.
pub const TIMEOUT_STATUS: i32 = 3;

/// The exit status of every rank when a rank panics after [`MpiComm::abort_on_panic`]: the
/// status Rust gives a panicking process, so a job fails the way a single process would.
pub const PANIC_STATUS: i32 = 101;

/// The largest piece MPI can carry in one message of bytes (its counts are `i32`).
pub const MAX_PIECE_LIMIT: usize = i32::MAX as usize;

/// The default piece size: 1 GiB, a round size below [`MAX_PIECE_LIMIT`] (some transports
/// misbehave close to 2 GiB).
pub const DEFAULT_MAX_PIECE: usize = 1 << 30;

const HEADER_TAG: i32 = 1;
const PIECE_TAG: i32 = 2;

/// The ranks of `MPI_COMM_WORLD` as a [`Comm`]. Made once per process by [`MpiComm::init`];
/// MPI is finalised when it is dropped, so it should live as long as `main`'s work.
///
/// MPI is started with `MPI_THREAD_MULTIPLE` where the library offers it, because the
/// watchdog and the panic hook abort the job from threads other than the one that
/// communicates. Every MPI error is fatal (MPI's default handler), so the methods here fail
/// only on requests this side can check: a rank that does not exist, a malformed message.
pub struct MpiComm {
    // Declared before `universe` so the handle goes before MPI is finalised.
    world: SimpleCommunicator,
    rank: usize,
    size: usize,
    max_piece: usize,
    /// Finalises MPI when dropped.
    universe: Universe,
}

impl std::fmt::Debug for MpiComm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MpiComm")
            .field("rank", &self.rank)
            .field("size", &self.size)
            .field("max_piece", &self.max_piece)
            .finish_non_exhaustive()
    }
}

impl MpiComm {
    /// Initialises MPI and joins `MPI_COMM_WORLD`. Fails if MPI was already initialised (or
    /// finalised) in this process: MPI starts once per process. A launcher that cannot start
    /// the MPI runtime at all makes the MPI library itself print why and exit.
    pub fn init() -> Result<MpiComm, CommError> {
        if ::mpi::environment::is_finalized() {
            return Err(CommError(
                "MPI was already finalised in this process and cannot start again".into(),
            ));
        }
        let (universe, _provided) = ::mpi::initialize_with_threading(Threading::Multiple)
            .ok_or_else(|| CommError("MPI is already initialised in this process".into()))?;
        let world = universe.world();
        let rank = rank_index(world.rank(), "this rank")?;
        let size = rank_index(world.size(), "the number of ranks")?;
        Ok(MpiComm {
            world,
            rank,
            size,
            max_piece: DEFAULT_MAX_PIECE,
            universe,
        })
    }

    /// The same transport sending messages in pieces of at most `max_piece` bytes (capped at
    /// [`MAX_PIECE_LIMIT`]); tiny pieces exercise the splitting in tests.
    pub fn with_max_piece(mut self, max_piece: NonZeroUsize) -> MpiComm {
        self.max_piece = max_piece.get().min(MAX_PIECE_LIMIT);
        self
    }

    /// The largest piece this rank sends in one MPI message.
    pub fn max_piece(&self) -> usize {
        self.max_piece
    }

    /// The MPI universe, for what the [`Comm`] trait does not cover.
    pub fn universe(&self) -> &Universe {
        &self.universe
    }

    /// Ends every rank of the job with exit status `status` (`MPI_Abort` on the world).
    pub fn abort(&self, status: i32) -> ! {
        self.world.abort(status)
    }

    /// A guard that aborts the whole job with [`TIMEOUT_STATUS`] unless it is dropped within
    /// `limit`, printing `kernelc: rank R: timed out after N s; aborting every rank` first.
    /// It borrows the communicator, so it cannot outlive MPI.
    pub fn watchdog(&self, limit: Duration) -> Result<Watchdog<'_>, CommError> {
        let (cancel, cancelled) = mpsc::channel::<()>();
        let rank = self.rank;
        let thread = std::thread::Builder::new()
            .name("kernelc-watchdog".into())
            .spawn(move || watch(cancelled, limit, rank))
            .map_err(|e| CommError(format!("cannot start the watchdog thread: {e}")))?;
        Ok(Watchdog {
            cancel: Some(cancel),
            thread: Some(thread),
            comm: PhantomData,
        })
    }

    /// Makes a panic on any thread of this rank print the panic with the rank's number and
    /// abort every rank with [`PANIC_STATUS`], so the others never wait for a dead peer. Once
    /// MPI is finalised, panics go to the hook that was installed before.
    pub fn abort_on_panic(&self) {
        let rank = self.rank;
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if ::mpi::environment::is_finalized() {
                return previous(info);
            }
            let backtrace = Backtrace::capture();
            let mut stderr = std::io::stderr().lock();
            // Nothing useful is left to do if stderr is gone: the abort must still happen.
            let _ = writeln!(stderr, "kernelc: rank {rank}: {info}");
            if backtrace.status() == BacktraceStatus::Captured {
                let _ = writeln!(stderr, "{backtrace}");
            }
            drop(stderr);
            SimpleCommunicator::world().abort(PANIC_STATUS)
        }));
    }

    /// The process of rank `peer`, or an error naming it if the world has no such rank.
    fn process(&self, peer: usize) -> Result<Process<'_>, CommError> {
        match i32::try_from(peer) {
            Ok(index) if peer < self.size => Ok(self.world.process_at_rank(index)),
            _ => Err(CommError(format!(
                "rank {peer} does not exist ({} ranks)",
                self.size
            ))),
        }
    }

    /// The header announcing `bytes` as this rank sends it.
    fn header_for(&self, bytes: &[u8]) -> [u8; HEADER_LEN] {
        Header {
            len: bytes.len(),
            piece: self.max_piece,
        }
        .encode()
    }
}

/// One rank's side of a point-to-point exchange: the peers and their numbers (for errors).
struct Link<'world> {
    destination: Process<'world>,
    source: Process<'world>,
    from: usize,
}

impl Link<'_> {
    /// One round of a shift: sends `outgoing` and receives into `incoming` (either may be
    /// absent when one message has more pieces than the other), both tagged `tag`.
    fn exchange(
        &self,
        outgoing: Option<&[u8]>,
        incoming: Option<&mut [u8]>,
        tag: i32,
    ) -> Result<(), CommError> {
        match (outgoing, incoming) {
            (Some(outgoing), Some(incoming)) => ::mpi::request::scope(|scope| {
                let send = self
                    .destination
                    .immediate_send_with_tag(scope, outgoing, tag);
                let received = receive_exact(&self.source, self.from, tag, incoming);
                // The send completes when its receiver takes it, whatever went wrong with the
                // incoming piece, and the scope must not end with a send in flight.
                send.wait();
                received
            }),
            (Some(outgoing), None) => {
                self.destination.send_with_tag(outgoing, tag);
                Ok(())
            }
            (None, Some(incoming)) => receive_exact(&self.source, self.from, tag, incoming),
            (None, None) => Ok(()),
        }
    }
}

/// What a message's header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Header {
    /// The payload's length in bytes.
    len: usize,
    /// The length of every piece but the last, which may be shorter.
    piece: usize,
}

const HEADER_LEN: usize = 16;

impl Header {
    /// Two little-endian `u64`s: the length, then the piece size.
    fn encode(self) -> [u8; HEADER_LEN] {
        let mut bytes = [0; HEADER_LEN];
        bytes[..8].copy_from_slice(&(self.len as u64).to_le_bytes());
        bytes[8..].copy_from_slice(&(self.piece as u64).to_le_bytes());
        bytes
    }

    /// The header in `bytes` from rank `from`, checked: the length must be addressable here
    /// and the piece size within `1..=MAX_PIECE_LIMIT`.
    fn decode(bytes: [u8; HEADER_LEN], from: usize) -> Result<Header, CommError> {
        let [len, piece] = [&bytes[..8], &bytes[8..]].map(|word| {
            let mut word_bytes = [0; 8];
            word_bytes.copy_from_slice(word);
            u64::from_le_bytes(word_bytes)
        });
        let Ok(len) = usize::try_from(len) else {
            return Err(CommError(format!(
                "rank {from} announced a message of {len} bytes, more than this machine can address"
            )));
        };
        match usize::try_from(piece) {
            Ok(piece) if (1..=MAX_PIECE_LIMIT).contains(&piece) => Ok(Header { len, piece }),
            _ => Err(CommError(format!(
                "rank {from} announced pieces of {piece} bytes (not within 1..={MAX_PIECE_LIMIT})"
            ))),
        }
    }
}

impl Comm for MpiComm {
    fn rank(&self) -> usize {
        self.rank
    }

    fn size(&self) -> usize {
        self.size
    }

    /// Blocking standard-mode sends: small messages go eagerly, without waiting for the
    /// receiver, as the trait asks; large ones wait for it.
    fn send(&self, to: usize, bytes: &[u8]) -> Result<(), CommError> {
        let destination = self.process(to)?;
        destination.send_with_tag(&self.header_for(bytes)[..], HEADER_TAG);
        for piece in bytes.chunks(self.max_piece) {
            destination.send_with_tag(piece, PIECE_TAG);
        }
        Ok(())
    }

    fn recv(&self, from: usize) -> Result<Vec<u8>, CommError> {
        let source = self.process(from)?;
        let mut header = [0; HEADER_LEN];
        receive_exact(&source, from, HEADER_TAG, &mut header)?;
        let header = Header::decode(header, from)?;
        let mut bytes = allocate(header.len, from)?;
        for piece in bytes.chunks_mut(header.piece) {
            receive_exact(&source, from, PIECE_TAG, piece)?;
        }
        Ok(bytes)
    }

    /// The headers, then the pieces, one round each (see the module's doc).
    fn shift(&self, to: usize, bytes: &[u8], from: usize) -> Result<Vec<u8>, CommError> {
        let link = Link {
            destination: self.process(to)?,
            source: self.process(from)?,
            from,
        };
        let mut header = [0; HEADER_LEN];
        link.exchange(Some(&self.header_for(bytes)), Some(&mut header), HEADER_TAG)?;
        let header = Header::decode(header, from)?;
        let mut received = allocate(header.len, from)?;
        let mut outgoing = bytes.chunks(self.max_piece);
        let mut incoming = received.chunks_mut(header.piece);
        loop {
            match (outgoing.next(), incoming.next()) {
                (None, None) => break,
                (outgoing, incoming) => link.exchange(outgoing, incoming, PIECE_TAG)?,
            }
        }
        Ok(received)
    }
}

/// Cancels its watchdog when dropped. Made by [`MpiComm::watchdog`].
#[derive(Debug)]
pub struct Watchdog<'comm> {
    cancel: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    comm: PhantomData<&'comm MpiComm>,
}

impl Drop for Watchdog<'_> {
    fn drop(&mut self) {
        // Closing the channel wakes the thread, which then returns without aborting.
        drop(self.cancel.take());
        if let Some(thread) = self.thread.take() {
            // The thread only waits and aborts; it cannot panic, so there is nothing to report.
            let _ = thread.join();
        }
    }
}

/// The watchdog thread: waits for the guard to close `cancelled`, aborting the job if `limit`
/// passes first.
fn watch(cancelled: mpsc::Receiver<()>, limit: Duration, rank: usize) {
    if let Err(RecvTimeoutError::Timeout) = cancelled.recv_timeout(limit) {
        let _ = writeln!(
            std::io::stderr(),
            "kernelc: rank {rank}: timed out after {} s; aborting every rank",
            limit.as_secs_f64()
        );
        SimpleCommunicator::world().abort(TIMEOUT_STATUS)
    }
}

/// Receives the next message from `source` (rank `from`) into `buffer`, after checking that
/// it has tag `tag` and exactly `buffer`'s length.
fn receive_exact(
    source: &Process<'_>,
    from: usize,
    tag: i32,
    buffer: &mut [u8],
) -> Result<(), CommError> {
    let status = source.probe();
    if status.tag() != tag {
        return Err(CommError(format!(
            "rank {from} sent a {} where a {} was expected (a transport out of step)",
            tag_name(status.tag()),
            tag_name(tag)
        )));
    }
    let count = status.count(u8::equivalent_datatype());
    if usize::try_from(count).ok() != Some(buffer.len()) {
        return Err(CommError(format!(
            "rank {from} sent a {} of {count} bytes where {} were expected",
            tag_name(tag),
            buffer.len()
        )));
    }
    source.receive_into_with_tag(buffer, tag);
    Ok(())
}

fn tag_name(tag: i32) -> String {
    match tag {
        HEADER_TAG => "message header".into(),
        PIECE_TAG => "message piece".into(),
        other => format!("message with foreign tag {other}"),
    }
}

/// A zeroed buffer of `len` bytes, or an error naming the sender if memory runs out (the
/// length comes from another process, so it is not trusted to fit).
fn allocate(len: usize, from: usize) -> Result<Vec<u8>, CommError> {
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(len).map_err(|_| {
        CommError(format!(
            "cannot allocate {len} bytes for a message from rank {from}"
        ))
    })?;
    bytes.resize(len, 0);
    Ok(bytes)
}

/// An MPI rank or size as an index.
fn rank_index(value: i32, what: &str) -> Result<usize, CommError> {
    usize::try_from(value).map_err(|_| CommError(format!("MPI reported {value} as {what}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip() {
        for (len, piece) in [(0, 1), (1, 7), (4096, 4096), (1 << 40, MAX_PIECE_LIMIT)] {
            let header = Header { len, piece };
            assert_eq!(Header::decode(header.encode(), 0), Ok(header));
        }
    }

    #[test]
    fn a_header_with_an_impossible_piece_size_is_an_error_naming_the_sender() {
        for piece in [0, MAX_PIECE_LIMIT + 1] {
            let bytes = Header { len: 10, piece }.encode();
            let error = Header::decode(bytes, 2).unwrap_err();
            assert!(error.0.starts_with("rank 2 announced pieces"), "{error}");
        }
    }

    #[test]
    fn an_impossible_length_is_an_error_naming_the_sender() {
        let error = allocate(usize::MAX, 3).unwrap_err();
        assert!(error.0.contains("from rank 3"), "{error}");
    }
}
