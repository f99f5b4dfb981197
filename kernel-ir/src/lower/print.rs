//! `println!`, `print!`, `eprintln!` and `eprint!`: the format string parsed into
//! [`Piece`]s, the arguments (explicit ones, then the locals named inline) lowered, all as one
//! [`Expr::Print`]. Argument types are checked later (`check/print.rs`).

use std::borrow::Cow;

use syn::punctuated::Punctuated;
use syn::spanned::Spanned;

use super::{node_span, span, FnCx};
use crate::diag::{Diagnostic, Span};
use crate::ir::{Expr, ExprId};
use crate::output::{Align, Format, Kind, Piece, Spec, Stream};

const SUPPORTED_SPECS: &str = "supported after `:`: a fill and alignment (`<`, `^`, `>`), `+`, \
    `#`, `0`, a width, a precision (`.3`) and one of the types `?`, `e`, `E`, `x`, `X`, `o`, `b`";

/// The stream and newline of a print macro, or `None` when `mac` is not one.
pub(super) fn print_macro(mac: &syn::Macro) -> Option<(Stream, bool)> {
    let last = mac.path.segments.last()?;
    if !last.arguments.is_none() {
        return None;
    }
    match last.ident.to_string().as_str() {
        "println" => Some((Stream::Stdout, true)),
        "print" => Some((Stream::Stdout, false)),
        "eprintln" => Some((Stream::Stderr, true)),
        "eprint" => Some((Stream::Stderr, false)),
        _ => None,
    }
}

/// Which argument a placeholder names.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ArgRef {
    /// `{}`: the next positional argument.
    Next,
    /// `{0}`.
    Position(usize),
    /// `{x}`: the local `x`.
    Name(String),
}

/// A format string as written: text and placeholders, before arguments are resolved.
enum Parsed {
    Text(String),
    Placeholder(ArgRef, Spec),
}

impl FnCx<'_> {
    /// Lowers a print macro (`print_macro(mac)` is `Some((stream, newline))`).
    pub(super) fn lower_print_macro(
        &mut self,
        mac: &syn::Macro,
        stream: Stream,
        newline: bool,
    ) -> ExprId {
        let at = span(mac.path.span()).to(span(mac.delimiter.span().close()));
        let name = format!("{}!", crate::output::macro_name(stream, newline));
        let Ok(tokens) =
            mac.parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
        else {
            return self.fail(Diagnostic::new(
                at,
                format!("the arguments of `{name}` must be a format string and expressions"),
            ));
        };
        let mut tokens = tokens.into_iter();
        let Some(template) = tokens.next() else {
            if newline {
                return self.push_print(stream, newline, Vec::new(), Vec::new(), at);
            }
            return self.fail(Diagnostic::new(
                at,
                format!("`{name}` requires at least a format string argument"),
            ));
        };
        let (text, text_at) = match &template {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) => (text.value(), span(text.span())),
            other => {
                return self.fail(
                    Diagnostic::new(node_span(other), "format argument must be a string literal")
                        .with_help("write the format string in place: `println!(\"{}\", x)`"),
                )
            }
        };
        let explicit: Vec<syn::Expr> = tokens.collect();
        for arg in &explicit {
            if let syn::Expr::Assign(named) = arg {
                return self.fail(
                    Diagnostic::new(
                        node_span(named),
                        "named arguments are not supported in kernels",
                    )
                    .with_help("name a local inline (`{x}`) or pass the value positionally"),
                );
            }
        }
        let parsed = match parse_format(&text) {
            Ok(parsed) => parsed,
            Err((message, help)) => {
                return self.fail(Diagnostic::new(text_at, message).with_help(help))
            }
        };
        let mut args: Vec<ExprId> = explicit.iter().map(|e| self.lower_expr(e)).collect();
        let Some(pieces) = self.resolve(parsed, &explicit, &mut args, text_at) else {
            return self.dummy(at);
        };
        self.push_print(stream, newline, pieces, args, at)
    }

    fn push_print(
        &mut self,
        stream: Stream,
        newline: bool,
        pieces: Vec<Piece>,
        args: Vec<ExprId>,
        at: Span,
    ) -> ExprId {
        let format = Format {
            stream,
            newline,
            pieces: Cow::Owned(pieces),
        };
        self.push(Expr::Print { format, args }, at)
    }

    /// Turns placeholders into argument indices: `{}` counts through the explicit arguments,
    /// `{k}` names one, `{x}` appends the local `x` to `args` (once per name). Reports a
    /// reference past the explicit arguments, an explicit argument never used and an unknown
    /// name; `None` after an error.
    fn resolve(
        &mut self,
        parsed: Vec<Parsed>,
        explicit: &[syn::Expr],
        args: &mut Vec<ExprId>,
        text_at: Span,
    ) -> Option<Vec<Piece>> {
        let count = explicit.len();
        let mut used = vec![false; count];
        let mut next = 0;
        let mut named: Vec<(String, usize)> = Vec::new();
        let mut pieces = Vec::new();
        let mut failed = false;
        for item in parsed {
            let (arg, spec) = match item {
                Parsed::Text(text) => {
                    pieces.push(Piece::Text(Cow::Owned(text)));
                    continue;
                }
                Parsed::Placeholder(arg, spec) => (arg, spec),
            };
            let index = match arg {
                ArgRef::Next | ArgRef::Position(_) => {
                    let index = match arg {
                        ArgRef::Position(k) => k,
                        _ => {
                            next += 1;
                            next - 1
                        }
                    };
                    if index >= count {
                        failed = true;
                        self.error(Diagnostic::new(
                            text_at,
                            format!(
                                "invalid reference to positional argument {index} ({})",
                                there_are(count)
                            ),
                        ));
                        continue;
                    }
                    used[index] = true;
                    index
                }
                ArgRef::Name(name) => match named.iter().find(|(n, _)| *n == name) {
                    Some((_, index)) => *index,
                    None => match self.inline_value(&name, text_at) {
                        Some(read) => {
                            args.push(read);
                            named.push((name, args.len() - 1));
                            args.len() - 1
                        }
                        None => {
                            failed = true;
                            let diagnostic = self.unknown_value(&name, text_at);
                            self.error(diagnostic);
                            continue;
                        }
                    },
                },
            };
            pieces.push(Piece::Arg { index, spec });
        }
        for (arg, used) in explicit.iter().zip(used) {
            if !used {
                failed = true;
                self.error(
                    Diagnostic::new(node_span(arg), "argument never used")
                        .with_label("formatting specifier missing"),
                );
            }
        }
        (!failed).then_some(pieces)
    }
}

impl FnCx<'_> {
    /// The value `{name}` prints: the local `name`, else a constant in scope (as Rust's
    /// inline arguments capture either).
    fn inline_value(&mut self, name: &str, at: Span) -> Option<ExprId> {
        if let Some(local) = self.lookup(name) {
            return Some(self.push(Expr::Local(local), at));
        }
        let (value, suffix) = self.resolve_const(&[name.to_string()])?;
        Some(self.push(Expr::Lit(value, suffix), at))
    }
}

fn there_are(count: usize) -> String {
    match count {
        0 => "no arguments were given".to_string(),
        1 => "there is 1 argument".to_string(),
        n => format!("there are {n} arguments"),
    }
}

const BRACES: &str = "write `{{` and `}}` for a literal brace";

/// A format string's error: the message and its help.
type FormatError = (String, &'static str);

/// Splits a format string into text and placeholders, with Rust's syntax: `{{` and `}}` are
/// braces, `{arg:spec}` a placeholder.
fn parse_format(text: &str) -> Result<Vec<Parsed>, FormatError> {
    let mut parsed = Vec::new();
    let mut literal = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '{' if chars.peek().map(|p| p.1) == Some('{') => {
                chars.next();
                literal.push('{');
            }
            '}' if chars.peek().map(|p| p.1) == Some('}') => {
                chars.next();
                literal.push('}');
            }
            '}' => {
                return Err((
                    "invalid format string: unmatched `}` found".to_string(),
                    BRACES,
                ))
            }
            '{' => {
                let rest = &text[at + 1..];
                let Some(close) = rest.find('}') else {
                    return Err((
                        "invalid format string: expected `}` but string was terminated".to_string(),
                        BRACES,
                    ));
                };
                let inner = &rest[..close];
                while chars.peek().is_some_and(|(i, _)| *i <= at + 1 + close) {
                    chars.next();
                }
                if !literal.is_empty() {
                    parsed.push(Parsed::Text(std::mem::take(&mut literal)));
                }
                parsed.push(placeholder(inner)?);
            }
            c => literal.push(c),
        }
    }
    if !literal.is_empty() {
        parsed.push(Parsed::Text(literal));
    }
    Ok(parsed)
}

/// One `{…}` without its braces: `[arg][:spec]`.
fn placeholder(inner: &str) -> Result<Parsed, FormatError> {
    let (arg, spec) = match inner.split_once(':') {
        Some((arg, spec)) => (arg, Some(spec)),
        None => (inner, None),
    };
    let arg = arg.trim();
    let arg = if arg.is_empty() {
        ArgRef::Next
    } else if let Ok(position) = arg.parse::<usize>() {
        ArgRef::Position(position)
    } else if is_identifier(arg) {
        ArgRef::Name(arg.to_string())
    } else {
        return Err((
            format!("invalid format string: `{arg}` is not an argument"),
            "name a local (`{x}`) or an argument's position (`{0}`)",
        ));
    };
    let spec = match spec {
        Some(spec) => parse_spec(spec).ok_or_else(|| {
            (
                format!("unsupported format spec `{{:{spec}}}` in kernels"),
                SUPPORTED_SPECS,
            )
        })?,
        None => Spec::default(),
    };
    Ok(Parsed::Placeholder(arg, spec))
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && text != "_"
}

fn align_of(c: char) -> Option<Align> {
    match c {
        '<' => Some(Align::Left),
        '^' => Some(Align::Center),
        '>' => Some(Align::Right),
        _ => None,
    }
}

/// `[[fill]align][+][#][0][width][.precision][type]`; `None` for anything else (the `-` flag,
/// `$` and `*` counts, `x?`, other types).
fn parse_spec(spec: &str) -> Option<Spec> {
    let mut out = Spec::default();
    let chars: Vec<char> = spec.chars().collect();
    let mut i = 0;
    if let Some(align) = chars.get(1).and_then(|c| align_of(*c)) {
        out.fill = chars[0];
        out.align = Some(align);
        i = 2;
    } else if let Some(align) = chars.first().and_then(|c| align_of(*c)) {
        out.align = Some(align);
        i = 1;
    }
    let mut flag = |c: char, set: &mut bool| {
        if chars.get(i) == Some(&c) {
            *set = true;
            i += 1;
        }
    };
    flag('+', &mut out.plus);
    flag('#', &mut out.alternate);
    flag('0', &mut out.zero);
    let width = digits(&chars, &mut i);
    out.width = match width {
        Some(w) => u16::try_from(w).ok()?,
        None => 0,
    };
    if chars.get(i) == Some(&'.') {
        i += 1;
        out.precision = Some(u16::try_from(digits(&chars, &mut i)?).ok()?);
    }
    let rest: String = chars[i..].iter().collect();
    out.kind = Kind::from_letter(&rest)?;
    Some(out)
}

/// The decimal number at `chars[*i..]`, if any, moving `i` past it.
fn digits(chars: &[char], i: &mut usize) -> Option<u64> {
    let start = *i;
    while chars.get(*i).is_some_and(char::is_ascii_digit) {
        *i += 1;
    }
    let text: String = chars[start..*i].iter().collect();
    text.parse().ok()
}
