//! A pre-scan of the raw source that runs before `syn`.
//!
//! `syn` parses nested brackets, prefix operators, right-associative operators and `else if`
//! chains recursively, and builds left-nested boxes for flat chains such as `1 + 1 + … + 1`, which
//! are then dropped recursively. Any of these can overflow a small thread stack on hostile input.
//! This scan bounds both dimensions with a cheap, approximate tokenizer so that every tree `syn`
//! builds stays shallow:
//! - bracket nesting (`( [ {`) deeper than [`MAX_BRACKET_DEPTH`] is rejected;
//! - more than [`MAX_CHAIN_OPERATORS`] operator tokens along one chain (counted over the open
//!   bracket levels, reset where a new sibling or statement starts) is rejected.
//!
//! The tokenizer skips comments, strings and character literals so their contents never count.

use crate::diag::{Diagnostic, Span};

/// Deepest bracket nesting accepted.
pub(super) const MAX_BRACKET_DEPTH: usize = 128;

/// Most operator weight accepted along one chain of one statement.
pub(super) const MAX_CHAIN_OPERATORS: usize = 2000;

/// Weight of an operator `syn` parses by recursion (a prefix operator, a keyword such as
/// `return`, `&` in a type), as opposed to a binary or postfix operator, which it parses in a
/// loop. Measured: each recursive level costs `syn` up to ~3 KiB of stack.
const RECURSIVE_WEIGHT: usize = 5;

/// Words that chain like operators (`return return x`, `x as T as U`, `else if`).
const CHAINING_KEYWORDS: &[&str] = &[
    "as", "return", "break", "if", "else", "let", "move", "async", "yield", "box", "static", "dyn",
    "impl", "mut", "ref", "await", "become", "do", "try", "unsafe", "const",
];

/// What the scan cares about in a token.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tok {
    Open(u8),
    Close,
    /// `,` or `;`: a sibling or a new statement starts.
    Separator,
    /// A run of adjacent operator characters (`+`, `==`, `&&!`), with its length.
    Operator(usize),
    /// A keyword that chains (`return`, `let`, …) but cannot continue an expression after `}`.
    Keyword,
    /// An identifier, literal or lifetime that cannot continue an expression ended by `}`.
    Word,
}

/// Returns a diagnostic when the source is too deeply nested or too long a chain to parse safely.
pub(super) fn prescan(source: &str) -> Option<Diagnostic> {
    let mut tokens = Tokenizer {
        bytes: source.as_bytes(),
        pos: 0,
    };
    let mut levels: Vec<usize> = vec![0];
    let mut total = 0usize;
    let mut after_brace_close = false;
    let mut previous = Tok::Separator;
    while let Some((tok, at)) = tokens.next() {
        // After a value (a word or a closing bracket) an operator is binary or postfix;
        // anywhere else it is a prefix operator.
        // A run after a value starts with one binary operator, possibly two characters long
        // (`==`, `+=`, `::`); every further character is a prefix operator.
        let after_value = matches!(previous, Tok::Word | Tok::Close);
        let weight = match tok {
            Tok::Operator(len) if after_value => {
                let run = source.get(at..at + len).unwrap_or("");
                if is_assignment(run) {
                    // Assignments are right-associative: `syn` recurses on each.
                    RECURSIVE_WEIGHT
                } else {
                    1 + len.saturating_sub(2) * RECURSIVE_WEIGHT
                }
            }
            Tok::Operator(len) => len * RECURSIVE_WEIGHT,
            // `a[0][0]…`, `f(x)(y)…`: postfix chains build nested trees too.
            Tok::Open(_) if after_value => 1,
            _ => RECURSIVE_WEIGHT,
        };
        previous = tok;
        let fresh_statement = after_brace_close && matches!(tok, Tok::Word | Tok::Keyword);
        after_brace_close = false;
        if fresh_statement {
            // `if c { … } x` — a `}` followed by a word ends the statement: what follows is a
            // new tree, not a continuation of the previous one.
            total -= std::mem::take(levels.last_mut().unwrap_or(&mut 0));
        }
        match tok {
            Tok::Open(_) => {
                if after_value {
                    total += weight;
                    if let Some(count) = levels.last_mut() {
                        *count += weight;
                    }
                    if total > MAX_CHAIN_OPERATORS {
                        return Some(too_long(source, at));
                    }
                }
                levels.push(0);
                if levels.len() - 1 > MAX_BRACKET_DEPTH {
                    return Some(too_deep(source, at));
                }
            }
            Tok::Close => {
                if levels.len() > 1 {
                    total -= levels.pop().unwrap_or(0);
                }
                after_brace_close = source.as_bytes().get(at) == Some(&b'}');
            }
            Tok::Separator => total -= std::mem::take(levels.last_mut().unwrap_or(&mut 0)),
            Tok::Operator(_) | Tok::Keyword => {
                if let Some(count) = levels.last_mut() {
                    *count += weight;
                }
                total += weight;
                if total > MAX_CHAIN_OPERATORS {
                    return Some(too_long(source, at));
                }
            }
            Tok::Word => {}
        }
    }
    None
}

/// `=`, `+=`, `<<=`, … but not the comparisons `==`, `<=`, `>=`, `!=`.
fn is_assignment(run: &str) -> bool {
    run == "="
        || (run.len() >= 2 && run.ends_with('=') && !matches!(run, "==" | "<=" | ">=" | "!="))
}

fn too_deep(source: &str, at: usize) -> Diagnostic {
    Diagnostic::new(span_at(source, at), "brackets nested too deeply")
        .with_label("more than 128 levels of nesting")
        .with_help("split the expression into several `let` statements")
}

fn too_long(source: &str, at: usize) -> Diagnostic {
    Diagnostic::new(span_at(source, at), "expression too long")
        .with_label(format!(
            "more than {MAX_CHAIN_OPERATORS} operators in one chain"
        ))
        .with_help("split the expression into several `let` statements")
}

/// A one-character span at byte offset `at`.
pub(super) fn span_at(source: &str, at: usize) -> Span {
    let at = floor_char_boundary(source, at.min(source.len()));
    let before = &source[..at];
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    let hi = source[at..]
        .chars()
        .next()
        .map_or(at, |c| at + c.len_utf8());
    Span {
        lo: at as u32,
        hi: hi as u32,
        line: line as u32,
        col: col as u32,
    }
}

fn floor_char_boundary(source: &str, mut at: usize) -> usize {
    while at > 0 && !source.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// An approximate Rust tokenizer: exact enough to never count brackets or operators inside
/// comments, strings or characters.
struct Tokenizer<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Tokenizer<'_> {
    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn next(&mut self) -> Option<(Tok, usize)> {
        loop {
            let start = self.pos;
            let byte = *self.bytes.get(self.pos)?;
            let tok = match byte {
                b if b.is_ascii_whitespace() => {
                    self.pos += 1;
                    continue;
                }
                b'/' if self.peek(1) == b'/' => {
                    self.skip_line();
                    continue;
                }
                b'/' if self.peek(1) == b'*' => {
                    self.skip_block_comment();
                    continue;
                }
                b'(' | b'[' | b'{' => {
                    self.pos += 1;
                    Tok::Open(byte)
                }
                b')' | b']' | b'}' => {
                    self.pos += 1;
                    Tok::Close
                }
                b',' | b';' => {
                    self.pos += 1;
                    Tok::Separator
                }
                b'"' => {
                    self.skip_string();
                    Tok::Word
                }
                b'\'' => self.quote(),
                b'0'..=b'9' => {
                    self.skip_number();
                    Tok::Word
                }
                b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'!' | b'&' | b'|' | b'<' | b'>'
                | b'=' | b'?' | b'.' | b'@' | b'~' | b':' => self.operator_run(),
                b if b == b'_' || b.is_ascii_alphabetic() || b >= 0x80 => self.word(),
                _ => {
                    self.pos += 1;
                    Tok::Word
                }
            };
            return Some((tok, start));
        }
    }

    /// Adjacent operator characters, stopping before a comment.
    fn operator_run(&mut self) -> Tok {
        let start = self.pos;
        while let b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'!' | b'&' | b'|' | b'<' | b'>'
        | b'=' | b'?' | b'.' | b'@' | b'~' | b':' = self.peek(0)
        {
            if self.pos > start && self.peek(0) == b'/' && matches!(self.peek(1), b'/' | b'*') {
                break;
            }
            self.pos += 1;
        }
        Tok::Operator(self.pos - start)
    }

    fn skip_line(&mut self) {
        while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
            self.pos += 1;
        }
    }

    fn skip_block_comment(&mut self) {
        let mut depth = 0usize;
        while self.pos < self.bytes.len() {
            if self.peek(0) == b'/' && self.peek(1) == b'*' {
                depth += 1;
                self.pos += 2;
            } else if self.peek(0) == b'*' && self.peek(1) == b'/' {
                depth -= 1;
                self.pos += 2;
                if depth == 0 {
                    return;
                }
            } else {
                self.pos += 1;
            }
        }
    }

    /// Skips `"…"` with escapes, starting at the opening quote.
    fn skip_string(&mut self) {
        self.pos += 1;
        while self.pos < self.bytes.len() {
            match self.bytes[self.pos] {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return;
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Skips `r#"…"#` starting at the first `#` or `"` after the `r`.
    fn skip_raw_string(&mut self) {
        let mut hashes = 0;
        while self.peek(0) == b'#' {
            hashes += 1;
            self.pos += 1;
        }
        if self.peek(0) != b'"' {
            return;
        }
        self.pos += 1;
        while self.pos < self.bytes.len() {
            if self.bytes[self.pos] == b'"'
                && (1..=hashes).all(|i| self.bytes.get(self.pos + i) == Some(&b'#'))
            {
                self.pos += 1 + hashes;
                return;
            }
            self.pos += 1;
        }
    }

    /// A character literal (`'x'`, `'\n'`) or a lifetime (`'a`), both words.
    fn quote(&mut self) -> Tok {
        self.pos += 1;
        if self.peek(0) == b'\\' {
            self.pos += 2;
            while self.pos < self.bytes.len() && !matches!(self.bytes[self.pos], b'\'' | b'\n') {
                self.pos += 1;
            }
            self.pos += 1;
            return Tok::Word;
        }
        let char_len =
            std::str::from_utf8(&self.bytes[self.pos..self.bytes.len().min(self.pos + 4)])
                .ok()
                .or_else(|| {
                    (1..4).rev().find_map(|n| {
                        std::str::from_utf8(self.bytes.get(self.pos..self.pos + n)?).ok()
                    })
                })
                .and_then(|s| s.chars().next())
                .map_or(1, char::len_utf8);
        if self.bytes.get(self.pos + char_len) == Some(&b'\'') {
            self.pos += char_len + 1;
        } else {
            while self.pos < self.bytes.len()
                && (self.bytes[self.pos] == b'_' || self.bytes[self.pos].is_ascii_alphanumeric())
            {
                self.pos += 1;
            }
        }
        Tok::Word
    }

    fn skip_number(&mut self) {
        let hex = self.peek(0) == b'0' && matches!(self.peek(1), b'x' | b'X');
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            let exponent_sign =
                matches!(b, b'+' | b'-') && matches!(self.bytes[self.pos - 1], b'e' | b'E') && !hex;
            let decimal_point = b == b'.' && self.peek(1).is_ascii_digit();
            if b == b'_' || b.is_ascii_alphanumeric() || decimal_point || exponent_sign {
                self.pos += 1;
            } else {
                return;
            }
        }
    }

    /// An identifier or keyword; prefixes of raw and byte strings are handled here too.
    fn word(&mut self) -> Tok {
        let start = self.pos;
        while self.pos < self.bytes.len()
            && (self.bytes[self.pos] == b'_'
                || self.bytes[self.pos].is_ascii_alphanumeric()
                || self.bytes[self.pos] >= 0x80)
        {
            self.pos += 1;
        }
        let word = &self.bytes[start..self.pos];
        match (word, self.peek(0)) {
            (b"r" | b"br" | b"cr", b'"' | b'#') => {
                self.skip_raw_string();
                Tok::Word
            }
            (b"b" | b"c", b'"') => {
                self.skip_string();
                Tok::Word
            }
            (b"b", b'\'') => self.quote(),
            _ => {
                let text = std::str::from_utf8(word).unwrap_or("");
                if text == "as" || text == "else" {
                    Tok::Operator(1)
                } else if CHAINING_KEYWORDS.contains(&text) {
                    Tok::Keyword
                } else {
                    Tok::Word
                }
            }
        }
    }
}
