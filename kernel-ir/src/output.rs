//! What `println!`, `print!`, `eprintln!` and `eprint!` in kernels print, and where it goes.
//!
//! Every tier calls [`print`] with the statement's [`Format`] and its argument values: the
//! interpreter directly, JIT-compiled code through the host function `kernelc_print`
//! (`kernel-jit/src/print.rs`), native `#[kernel]` code by absolute path
//! (`::kernel_runtime::ir::output::print`). Each value is formatted here, by Rust's own
//! formatting machinery with the spec the kernel wrote, so the tiers print the same text.
//!
//! The sink: by default each call writes its text to the process's stdout or stderr in one
//! write under the stream's lock (a `println!` line is never interleaved with another thread's
//! output) and flushes. [`capture`] redirects everything the kernel prints on the calling
//! thread — and, through [`current_sink`]/[`with_sink`], which the `prange` scheduler hands
//! to its worker threads, everything its parallel loops print — into strings.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt::{self, Display, Write as _};
use std::sync::{Arc, Mutex};

use crate::abi::RawScalar;
use crate::types::Scalar;

/// Where a print statement writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stream {
    /// `print!`, `println!`.
    Stdout,
    /// `eprint!`, `eprintln!`.
    Stderr,
}

/// `<`, `^` or `>` of a format spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// The formatting trait a spec names: `{}`, `{:?}`, `{:e}`, `{:E}`, `{:x}`, `{:X}`, `{:o}`,
/// `{:b}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Display,
    Debug,
    LowerExp,
    UpperExp,
    LowerHex,
    UpperHex,
    Octal,
    Binary,
}

impl Kind {
    /// The type letter as written after `:` (empty for `Display`).
    pub fn letter(self) -> &'static str {
        match self {
            Kind::Display => "",
            Kind::Debug => "?",
            Kind::LowerExp => "e",
            Kind::UpperExp => "E",
            Kind::LowerHex => "x",
            Kind::UpperHex => "X",
            Kind::Octal => "o",
            Kind::Binary => "b",
        }
    }

    pub fn from_letter(letter: &str) -> Option<Kind> {
        [
            Kind::Display,
            Kind::Debug,
            Kind::LowerExp,
            Kind::UpperExp,
            Kind::LowerHex,
            Kind::UpperHex,
            Kind::Octal,
            Kind::Binary,
        ]
        .into_iter()
        .find(|k| k.letter() == letter)
    }

    /// Whether Rust implements this trait for `ty` (the checker rejects the other pairs).
    pub fn supports(self, ty: Scalar) -> bool {
        match self {
            Kind::Display | Kind::Debug => true,
            Kind::LowerExp | Kind::UpperExp => ty != Scalar::Bool,
            Kind::LowerHex | Kind::UpperHex | Kind::Octal | Kind::Binary => ty.is_int(),
        }
    }
}

/// The part of `{…:spec}` after the colon, with Rust's meaning:
/// `[[fill]align][+][#][0][width][.precision][type]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Spec {
    pub fill: char,
    pub align: Option<Align>,
    /// `+`: print the sign of non-negative numbers too.
    pub plus: bool,
    /// `#`: the alternate form (`0x` prefixes, pretty `Debug`).
    pub alternate: bool,
    /// `0`: pad numbers with zeros after the sign.
    pub zero: bool,
    /// The minimum width in characters (0: none).
    pub width: u16,
    pub precision: Option<u16>,
    pub kind: Kind,
}

impl Default for Spec {
    /// `{}`.
    fn default() -> Spec {
        Spec {
            fill: ' ',
            align: None,
            plus: false,
            alternate: false,
            zero: false,
            width: 0,
            precision: None,
            kind: Kind::Display,
        }
    }
}

impl fmt::Display for Spec {
    /// The spec as written after the colon (empty for `{}`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(align) = self.align {
            if self.fill != ' ' {
                f.write_char(self.fill)?;
            }
            f.write_str(match align {
                Align::Left => "<",
                Align::Center => "^",
                Align::Right => ">",
            })?;
        }
        for (set, flag) in [(self.plus, "+"), (self.alternate, "#"), (self.zero, "0")] {
            if set {
                f.write_str(flag)?;
            }
        }
        if self.width > 0 {
            write!(f, "{}", self.width)?;
        }
        if let Some(precision) = self.precision {
            write!(f, ".{precision}")?;
        }
        f.write_str(self.kind.letter())
    }
}

/// One piece of a format string.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Piece {
    /// Text printed as is (`{{` and `}}` already unescaped).
    Text(Cow<'static, str>),
    /// The `index`-th argument of the statement, formatted by `spec`.
    Arg { index: usize, spec: Spec },
}

/// A print statement's format: the stream, the pieces and whether a newline ends the text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Format {
    pub stream: Stream,
    pub newline: bool,
    pub pieces: Cow<'static, [Piece]>,
}

impl Format {
    /// The macro that prints this way: `println`, `print`, `eprintln` or `eprint`.
    pub fn macro_name(&self) -> &'static str {
        macro_name(self.stream, self.newline)
    }

    /// The format string as Rust would accept it, with every argument referred to by
    /// position (`"x = {0:>8.3}\n"` is written `"x = {0:>8.3}"` by `println!`).
    pub fn template(&self) -> String {
        let mut text = String::new();
        for piece in self.pieces.iter() {
            match piece {
                Piece::Text(t) => text.push_str(&t.replace('{', "{{").replace('}', "}}")),
                Piece::Arg { index, spec } => {
                    let spec = spec.to_string();
                    if spec.is_empty() {
                        let _ = write!(text, "{{{index}}}");
                    } else {
                        let _ = write!(text, "{{{index}:{spec}}}");
                    }
                }
            }
        }
        text
    }
}

/// The macro that prints to `stream`, with a newline or without.
pub fn macro_name(stream: Stream, newline: bool) -> &'static str {
    match (stream, newline) {
        (Stream::Stdout, true) => "println",
        (Stream::Stdout, false) => "print",
        (Stream::Stderr, true) => "eprintln",
        (Stream::Stderr, false) => "eprint",
    }
}

/// A value to print, with its kernel type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arg {
    Bool(bool),
    I8(i8),
    U8(u8),
    I16(i16),
    U16(u16),
    I32(i32),
    I64(i64),
    U32(u32),
    U64(u64),
    Usize(usize),
    F32(f32),
    F64(f64),
}

impl Arg {
    /// A value of type `ty` from its raw bits (`RawScalar`'s layout).
    pub fn from_raw(bits: RawScalar, ty: Scalar) -> Arg {
        match ty {
            Scalar::Bool => Arg::Bool(bits.as_bool()),
            Scalar::I8 => Arg::I8(bits.0 as i8),
            Scalar::U8 => Arg::U8(bits.0 as u8),
            Scalar::I16 => Arg::I16(bits.0 as i16),
            Scalar::U16 => Arg::U16(bits.0 as u16),
            Scalar::I32 => Arg::I32(bits.0 as i32),
            Scalar::I64 => Arg::I64(bits.as_i64()),
            Scalar::U32 => Arg::U32(bits.0 as u32),
            Scalar::U64 => Arg::U64(bits.0),
            Scalar::Usize => Arg::Usize(bits.0 as usize),
            Scalar::F32 => Arg::F32(bits.as_f32()),
            Scalar::F64 => Arg::F64(bits.as_f64()),
        }
    }
}

/// Formats the statement's text and writes it to the current sink (see the module docs).
/// `args` are the statement's arguments in order; the checker has made sure every piece
/// refers to one whose type supports its spec.
pub fn print(format: &Format, args: &[Arg]) {
    write_text(format.stream, &render(format, args));
}

/// The text a print statement writes, newline included.
pub fn render(format: &Format, args: &[Arg]) -> String {
    let mut text = String::new();
    for piece in format.pieces.iter() {
        match piece {
            Piece::Text(t) => text.push_str(t),
            Piece::Arg { index, spec } => {
                if let Some(arg) = args.get(*index) {
                    render_arg(&mut text, *arg, spec);
                }
            }
        }
    }
    if format.newline {
        text.push('\n');
    }
    text
}

macro_rules! via_trait {
    ($($wrapper:ident: $trait:ident;)*) => {
        $(
            /// Formats the value with this trait where a `Display` is expected, passing the
            /// formatter (width, fill, flags, precision) through unchanged.
            struct $wrapper<T>(T);

            impl<T: fmt::$trait> Display for $wrapper<T> {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    fmt::$trait::fmt(&self.0, f)
                }
            }
        )*
    };
}

via_trait! {
    ViaDebug: Debug;
    ViaLowerExp: LowerExp;
    ViaUpperExp: UpperExp;
    ViaLowerHex: LowerHex;
    ViaUpperHex: UpperHex;
    ViaOctal: Octal;
    ViaBinary: Binary;
}

/// Formats an integer with any of the eight traits.
fn render_int<T>(out: &mut String, value: T, spec: &Spec)
where
    T: Display + fmt::Debug + fmt::LowerExp + fmt::UpperExp,
    T: fmt::LowerHex + fmt::UpperHex + fmt::Octal + fmt::Binary,
{
    match spec.kind {
        Kind::Display => render_spec(out, &value, spec),
        Kind::Debug => render_spec(out, &ViaDebug(value), spec),
        Kind::LowerExp => render_spec(out, &ViaLowerExp(value), spec),
        Kind::UpperExp => render_spec(out, &ViaUpperExp(value), spec),
        Kind::LowerHex => render_spec(out, &ViaLowerHex(value), spec),
        Kind::UpperHex => render_spec(out, &ViaUpperHex(value), spec),
        Kind::Octal => render_spec(out, &ViaOctal(value), spec),
        Kind::Binary => render_spec(out, &ViaBinary(value), spec),
    }
}

/// Formats a float: `Display`, `Debug` and the exponent forms (others never reach here).
fn render_float<T>(out: &mut String, value: T, spec: &Spec)
where
    T: Display + fmt::Debug + fmt::LowerExp + fmt::UpperExp,
{
    match spec.kind {
        Kind::Debug => render_spec(out, &ViaDebug(value), spec),
        Kind::LowerExp => render_spec(out, &ViaLowerExp(value), spec),
        Kind::UpperExp => render_spec(out, &ViaUpperExp(value), spec),
        _ => render_spec(out, &value, spec),
    }
}

fn render_arg(out: &mut String, arg: Arg, spec: &Spec) {
    match arg {
        Arg::Bool(b) if spec.kind == Kind::Debug => render_spec(out, &ViaDebug(b), spec),
        Arg::Bool(b) => render_spec(out, &b, spec),
        Arg::I8(v) => render_int(out, v, spec),
        Arg::U8(v) => render_int(out, v, spec),
        Arg::I16(v) => render_int(out, v, spec),
        Arg::U16(v) => render_int(out, v, spec),
        Arg::I32(v) => render_int(out, v, spec),
        Arg::I64(v) => render_int(out, v, spec),
        Arg::U32(v) => render_int(out, v, spec),
        Arg::U64(v) => render_int(out, v, spec),
        Arg::Usize(v) => render_int(out, v, spec),
        Arg::F32(v) => render_float(out, v, spec),
        Arg::F64(v) => render_float(out, v, spec),
    }
}

/// `write!` with the format string `{:` + the spec tokens + `w$}` (and `.p$` when the spec
/// has a precision): Rust's formatting takes width and precision as arguments but the flags
/// only from the literal, so [`render_spec`] picks one of the literals below.
macro_rules! write_spec {
    ($out:ident, $value:ident, $spec:ident, [$($flag:tt)*]) => {
        match $spec.precision {
            Some(p) => write!(
                $out,
                concat!("{:", $($flag,)* "w$.p$}"),
                $value,
                w = usize::from($spec.width),
                p = usize::from(p)
            ),
            None => write!(
                $out,
                concat!("{:", $($flag,)* "w$}"),
                $value,
                w = usize::from($spec.width)
            ),
        }
    };
}

/// Chooses the literal of [`write_spec`] one flag at a time: alignment, `+`, `#`, `0`.
macro_rules! dispatch_flags {
    (align $out:ident $value:ident $spec:ident) => {
        match $spec.align {
            None => dispatch_flags!(plus $out $value $spec []),
            Some(Align::Left) => dispatch_flags!(plus $out $value $spec ["<"]),
            Some(Align::Center) => dispatch_flags!(plus $out $value $spec ["^"]),
            Some(Align::Right) => dispatch_flags!(plus $out $value $spec [">"]),
        }
    };
    (plus $out:ident $value:ident $spec:ident [$($flag:tt)*]) => {
        if $spec.plus {
            dispatch_flags!(alternate $out $value $spec [$($flag)* "+"])
        } else {
            dispatch_flags!(alternate $out $value $spec [$($flag)*])
        }
    };
    (alternate $out:ident $value:ident $spec:ident [$($flag:tt)*]) => {
        if $spec.alternate {
            dispatch_flags!(zero $out $value $spec [$($flag)* "#"])
        } else {
            dispatch_flags!(zero $out $value $spec [$($flag)*])
        }
    };
    (zero $out:ident $value:ident $spec:ident [$($flag:tt)*]) => {
        if $spec.zero {
            write_spec!($out, $value, $spec, [$($flag)* "0"])
        } else {
            write_spec!($out, $value, $spec, [$($flag)*])
        }
    };
}

/// Appends `value` formatted by `spec` (whose trait `value`'s `Display` already applies).
///
/// The fill character cannot be passed to Rust's formatting at run time, so the value is
/// padded with spaces and the padding replaced by the fill: the text of a scalar never
/// contains a space, so every space is padding.
fn render_spec(out: &mut String, value: &dyn Display, spec: &Spec) {
    if spec.fill == ' ' || spec.width == 0 {
        let _ = dispatch_flags!(align out value spec);
        return;
    }
    let mut padded = String::new();
    let target = &mut padded;
    let _ = dispatch_flags!(align target value spec);
    let mut fill = [0u8; 4];
    out.push_str(&padded.replace(' ', spec.fill.encode_utf8(&mut fill)));
}

/// Captured text of both streams (see [`capture`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CapturedOutput {
    pub stdout: String,
    pub stderr: String,
}

#[derive(Debug, Default)]
struct Capture {
    stdout: Mutex<String>,
    stderr: Mutex<String>,
}

/// Where the current thread's kernel output goes: a capture, or the process's streams.
/// [`current_sink`] on the thread that starts a parallel loop and [`with_sink`] on each worker
/// make the loop's output go where the caller's does.
#[derive(Clone, Debug, Default)]
pub struct Sink(Option<Arc<Capture>>);

thread_local! {
    static SINK: RefCell<Sink> = RefCell::new(Sink::default());
}

/// The current thread's sink.
pub fn current_sink() -> Sink {
    SINK.with(|sink| sink.borrow().clone())
}

/// Runs `f` with `sink` as the current thread's sink, then restores the previous one (also
/// when `f` panics).
pub fn with_sink<R>(sink: &Sink, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Sink>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(previous) = self.0.take() {
                SINK.with(|sink| *sink.borrow_mut() = previous);
            }
        }
    }
    let previous = SINK.with(|current| current.replace(sink.clone()));
    let _restore = Restore(Some(previous));
    f()
}

/// Runs `f`, collecting everything kernels print meanwhile — on this thread and in the
/// `prange` loops it starts — instead of writing it to stdout/stderr. Lines of one thread keep
/// their order; lines printed by different iterations of a `prange` loop are whole, in the
/// order the threads printed them.
pub fn capture<R>(f: impl FnOnce() -> R) -> (R, CapturedOutput) {
    let capture = Arc::new(Capture::default());
    let result = with_sink(&Sink(Some(Arc::clone(&capture))), f);
    let take = |text: &Mutex<String>| match text.lock() {
        Ok(mut text) => std::mem::take(&mut *text),
        Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
    };
    let output = CapturedOutput {
        stdout: take(&capture.stdout),
        stderr: take(&capture.stderr),
    };
    (result, output)
}

/// Writes `text` whole to the current sink. Errors writing to the process's streams (a closed
/// pipe) are ignored: printing never stops a kernel.
fn write_text(stream: Stream, text: &str) {
    let Sink(capture) = current_sink();
    match capture {
        Some(capture) => {
            let target = match stream {
                Stream::Stdout => &capture.stdout,
                Stream::Stderr => &capture.stderr,
            };
            match target.lock() {
                Ok(mut captured) => captured.push_str(text),
                Err(poisoned) => poisoned.into_inner().push_str(text),
            }
        }
        None => match stream {
            Stream::Stdout => write_locked(&mut std::io::stdout().lock(), text),
            Stream::Stderr => write_locked(&mut std::io::stderr().lock(), text),
        },
    }
}

fn write_locked(stream: &mut impl std::io::Write, text: &str) {
    let _ = stream.write_all(text.as_bytes());
    let _ = stream.flush();
}

#[cfg(test)]
mod tests;
