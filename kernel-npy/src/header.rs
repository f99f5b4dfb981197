//! The `.npy` header: a Python dict literal such as
//! `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`.
//!
//! [`parse_header`] accepts exactly the literal subset numpy writes (strings, `True`/`False`,
//! integers, tuples, lists, one level of dict) and nothing else, so a hostile header is a
//! [`HeaderError`], never a panic. [`format_header`] writes the same text numpy writes, padded so
//! the data starts on a 64-byte boundary.

use super::Dtype;
use thiserror::Error;

/// What is wrong with a header's text.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum HeaderError {
    #[error("header is not a dict literal: {0}")]
    Syntax(String),
    #[error("header has no `{0}` key")]
    MissingKey(&'static str),
    #[error("header has an unexpected key `{0}`")]
    UnexpectedKey(String),
    #[error("header has the key `{0}` twice")]
    DuplicateKey(String),
    #[error("header key `{key}` must be {expected}")]
    WrongValue {
        key: &'static str,
        expected: &'static str,
    },
    #[error("unsupported dtype {0}: expected one of <f8 <f4 <i8 <i4 <i2 |i1 <u8 <u4 <u2 |u1 |b1")]
    UnsupportedDtype(String),
    #[error("big-endian dtype `{0}` is not supported: save the array as little-endian (`arr.astype('<{1}')`)")]
    BigEndian(String, String),
    #[error("object arrays (dtype `{0}`) cannot be loaded: they hold Python objects, not numbers")]
    ObjectDtype(String),
}

/// The three facts a header carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub dtype: Dtype,
    pub fortran_order: bool,
    pub shape: Vec<usize>,
}

/// A Python literal as it may appear in a header.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Literal {
    Str(String),
    Bool(bool),
    Int(u64),
    /// A tuple or a list: both are sequences here; the flag keeps them apart for messages.
    Seq {
        items: Vec<Literal>,
        is_list: bool,
    },
    Dict(Vec<(String, Literal)>),
    None,
}

impl Literal {
    /// Python's `repr`, for messages about unsupported dtypes.
    fn repr(&self) -> String {
        match self {
            Literal::Str(s) => format!("'{s}'"),
            Literal::Bool(b) => (if *b { "True" } else { "False" }).to_string(),
            Literal::Int(n) => n.to_string(),
            Literal::Seq { items, is_list } => {
                let inner: Vec<String> = items.iter().map(Literal::repr).collect();
                let (open, close) = if *is_list { ('[', ']') } else { ('(', ')') };
                format!("{open}{}{close}", inner.join(", "))
            }
            Literal::Dict(entries) => {
                let inner: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("'{k}': {}", v.repr()))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
            Literal::None => "None".to_string(),
        }
    }
}

/// Nesting deeper than this is refused, so a header of ten thousand `(` cannot overflow the
/// parser's stack.
const MAX_DEPTH: u32 = 16;

/// A recursive-descent parser over the header's characters.
struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, what: &str) -> HeaderError {
        HeaderError::Syntax(format!("{what} at offset {}", self.pos))
    }

    fn skip_space(&mut self) {
        let rest = &self.text[self.pos..];
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    /// Consumes `c` (after whitespace) if it is next.
    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), HeaderError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error(&format!("expected `{c}`")))
        }
    }

    fn parse_value(&mut self, depth: u32) -> Result<Literal, HeaderError> {
        if depth > MAX_DEPTH {
            return Err(self.error("literal nested too deeply"));
        }
        self.skip_space();
        match self.peek() {
            Some('\'') | Some('"') => self.parse_string().map(Literal::Str),
            Some('(') => self.parse_seq(')', false, depth),
            Some('[') => self.parse_seq(']', true, depth),
            Some('{') => self.parse_dict(depth).map(Literal::Dict),
            Some(c) if c.is_ascii_digit() => self.parse_int(),
            Some(c) if c.is_ascii_alphabetic() => self.parse_word(),
            Some(_) => Err(self.error("unexpected character")),
            None => Err(self.error("unexpected end of header")),
        }
    }

    fn parse_string(&mut self) -> Result<String, HeaderError> {
        self.skip_space();
        let quote = self.peek().ok_or_else(|| self.error("expected a string"))?;
        if quote != '\'' && quote != '"' {
            return Err(self.error("expected a string"));
        }
        let start = self.pos + 1;
        let end = self.text[start..]
            .find(quote)
            .map(|i| start + i)
            .ok_or_else(|| self.error("unterminated string"))?;
        let body = &self.text[start..end];
        // numpy never writes escapes; refusing them keeps the parser small and exact.
        if body.contains('\\') {
            return Err(self.error("escape sequences are not supported in header strings"));
        }
        self.pos = end + 1;
        Ok(body.to_string())
    }

    fn parse_int(&mut self) -> Result<Literal, HeaderError> {
        let rest = &self.text[self.pos..];
        let len = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let value = rest[..len]
            .parse::<u64>()
            .map_err(|_| self.error("integer too large"))?;
        self.pos += len;
        // Python 2 wrote long integers with an `L` suffix: `(3L, 4L)`.
        if self.peek() == Some('L') {
            self.pos += 1;
        }
        Ok(Literal::Int(value))
    }

    fn parse_word(&mut self) -> Result<Literal, HeaderError> {
        let rest = &self.text[self.pos..];
        let len = rest
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .unwrap_or(rest.len());
        let literal = match &rest[..len] {
            "True" => Literal::Bool(true),
            "False" => Literal::Bool(false),
            "None" => Literal::None,
            _ => return Err(self.error("unknown name")),
        };
        self.pos += len;
        Ok(literal)
    }

    fn parse_seq(
        &mut self,
        close: char,
        is_list: bool,
        depth: u32,
    ) -> Result<Literal, HeaderError> {
        self.pos += 1; // the opening bracket
        let mut items = Vec::new();
        loop {
            if self.eat(close) {
                break;
            }
            items.push(self.parse_value(depth + 1)?);
            if !self.eat(',') {
                self.expect(close)?;
                break;
            }
        }
        Ok(Literal::Seq { items, is_list })
    }

    fn parse_dict(&mut self, depth: u32) -> Result<Vec<(String, Literal)>, HeaderError> {
        self.expect('{')?;
        let mut entries = Vec::new();
        loop {
            if self.eat('}') {
                break;
            }
            let key = self.parse_string()?;
            self.expect(':')?;
            let value = self.parse_value(depth + 1)?;
            entries.push((key, value));
            if !self.eat(',') {
                self.expect('}')?;
                break;
            }
        }
        Ok(entries)
    }
}

/// Parses a header's text into its dtype, order and shape.
pub fn parse_header(text: &str) -> Result<Header, HeaderError> {
    let mut parser = Parser { text, pos: 0 };
    let entries = parser.parse_dict(0)?;
    parser.skip_space();
    if parser.pos != text.len() {
        return Err(parser.error("trailing characters after the dict"));
    }
    let (mut descr, mut fortran_order, mut shape) = (None, None, None);
    for (key, value) in entries {
        let slot = match key.as_str() {
            "descr" => &mut descr,
            "fortran_order" => &mut fortran_order,
            "shape" => &mut shape,
            _ => return Err(HeaderError::UnexpectedKey(key)),
        };
        if slot.replace(value).is_some() {
            return Err(HeaderError::DuplicateKey(key));
        }
    }
    Ok(Header {
        dtype: parse_descr(descr.ok_or(HeaderError::MissingKey("descr"))?)?,
        fortran_order: parse_order(fortran_order.ok_or(HeaderError::MissingKey("fortran_order"))?)?,
        shape: parse_shape(shape.ok_or(HeaderError::MissingKey("shape"))?)?,
    })
}

fn parse_order(value: Literal) -> Result<bool, HeaderError> {
    match value {
        Literal::Bool(b) => Ok(b),
        _ => Err(HeaderError::WrongValue {
            key: "fortran_order",
            expected: "True or False",
        }),
    }
}

fn parse_shape(value: Literal) -> Result<Vec<usize>, HeaderError> {
    let wrong = HeaderError::WrongValue {
        key: "shape",
        expected: "a tuple of non-negative integers",
    };
    let Literal::Seq {
        items,
        is_list: false,
    } = value
    else {
        return Err(wrong);
    };
    items
        .into_iter()
        .map(|item| match item {
            Literal::Int(n) => usize::try_from(n).map_err(|_| wrong.clone()),
            _ => Err(wrong.clone()),
        })
        .collect()
}

/// Maps a `descr` string to a supported dtype; everything else is an error naming it.
fn parse_descr(value: Literal) -> Result<Dtype, HeaderError> {
    let Literal::Str(descr) = value else {
        // A list is a structured dtype, which has no kernel type.
        return Err(HeaderError::UnsupportedDtype(value.repr()));
    };
    let (order, code) = match descr.chars().next() {
        Some(c @ ('<' | '>' | '=' | '|')) => (c, &descr[1..]),
        _ => ('=', descr.as_str()),
    };
    if code.starts_with('O') {
        return Err(HeaderError::ObjectDtype(descr.clone()));
    }
    let unsupported = || HeaderError::UnsupportedDtype(format!("`{descr}`"));
    let dtype = Dtype::ALL
        .into_iter()
        .find(|d| d.code() == code)
        .ok_or_else(unsupported)?;
    let single_byte = dtype.size_bytes() == 1;
    match order {
        '>' if !single_byte => Err(HeaderError::BigEndian(descr.clone(), code.to_string())),
        // `=` is the writer's native order; only unambiguous on a little-endian host.
        '=' if !single_byte && cfg!(target_endian = "big") => Err(unsupported()),
        // `|` means "byte order not applicable", which is only true of one-byte types.
        '|' if !single_byte => Err(unsupported()),
        _ => Ok(dtype),
    }
}

/// numpy aligns the start of the data to this many bytes.
const ALIGN: usize = 64;

/// The header text numpy would write for `header`, newline-terminated and padded with spaces
/// so that `prefix_len` plus its length is a multiple of 64.
pub fn format_header(header: &Header, prefix_len: usize) -> String {
    let shape = match header.shape.as_slice() {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        dims => {
            let parts: Vec<String> = dims.iter().map(usize::to_string).collect();
            format!("({})", parts.join(", "))
        }
    };
    let order = if header.fortran_order {
        "True"
    } else {
        "False"
    };
    let mut text = format!(
        "{{'descr': '{}', 'fortran_order': {order}, 'shape': {shape}, }}",
        header.dtype.descr()
    );
    let unpadded = prefix_len + text.len() + 1;
    let padding = (ALIGN - unpadded % ALIGN) % ALIGN;
    text.extend(std::iter::repeat_n(' ', padding));
    text.push('\n');
    text
}
