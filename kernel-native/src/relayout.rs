//! Re-layout: the kernel source text of an annotated item, with every token at its original
//! line and column.
//!
//! The macro receives tokens, not text. Writing each token's text at its span's start
//! position (group delimiters at their open/close positions), padding with newlines and
//! spaces, rebuilds a text whose `line:col` positions are the user's real ones, so the front
//! end's diagnostics and the runtime errors of every tier point into the user's file.
//! Attributes (`#[inline]`, doc comments) are left out: the kernel language ignores them;
//! except the ones it reads (`#[reassociate]`), which are written like any other tokens.
//!
//! **Invariant:** the text always lexes back to the same token sequence: when a position is
//! unknown or goes backwards (tokens made by other macros), the token is written after a
//! space instead, so tokens never merge.

use std::collections::BTreeMap;

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};

/// The rebuilt source and where each token landed.
#[derive(Debug)]
pub struct Layout {
    pub source: String,
    /// `(line, column)` (1-based line, 0-based column in characters) of each written token's
    /// start → the token's span, for mapping diagnostics back.
    positions: BTreeMap<(u32, u32), Span>,
}

impl Layout {
    /// Lays out a token stream.
    pub fn of(tokens: TokenStream) -> Layout {
        let mut writer = Writer {
            glue: false,
            out: String::new(),
            line: 1,
            col: 0,
            positions: BTreeMap::new(),
        };
        writer.write_stream(tokens);
        writer.out.push('\n');
        Layout {
            source: writer.out,
            positions: writer.positions,
        }
    }

    /// The span of the token starting at `line:col` (a diagnostic's position, 1-based column),
    /// else of the nearest token before it.
    pub fn span_at(&self, line: u32, col: u32) -> Option<Span> {
        let key = (line, col.saturating_sub(1));
        self.positions
            .range(..=key)
            .next_back()
            .map(|(_, span)| *span)
    }
}

struct Writer {
    /// Set after a `Joint` punct: the next punct continues the same operator (`<<`, `+=`)
    /// and is written right after it whatever its span says.
    glue: bool,
    out: String,
    line: u32,
    col: u32,
    positions: BTreeMap<(u32, u32), Span>,
}

impl Writer {
    fn write_stream(&mut self, tokens: TokenStream) {
        let mut iter = tokens.into_iter().peekable();
        while let Some(token) = iter.next() {
            if is_attribute_start(&token) && !is_language_attribute(iter.peek()) {
                // `#[...]` or `#![...]`: skip the `!` and the bracket group too.
                if matches!(iter.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '!') {
                    iter.next();
                }
                if matches!(iter.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket)
                {
                    iter.next();
                }
                continue;
            }
            // A lifetime or label is a `'` punct and an ident that may share one span:
            // write them as one piece of text.
            if let TokenTree::Punct(p) = &token {
                if p.as_char() == '\'' {
                    if let Some(TokenTree::Ident(ident)) = iter.peek() {
                        let text = format!("'{ident}");
                        iter.next();
                        self.glue = false;
                        self.write_text(&text, p.span());
                        continue;
                    }
                }
            }
            self.write_tree(token);
        }
    }

    fn write_tree(&mut self, token: TokenTree) {
        match token {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    // Invisible groups (from `macro_rules!` fragments) have no text.
                    Delimiter::None => ("", ""),
                };
                self.glue = false;
                self.write_text(open, group.span_open());
                self.write_stream(group.stream());
                self.write_text(close, group.span_close());
            }
            TokenTree::Punct(punct) => {
                let glued = std::mem::take(&mut self.glue);
                if glued {
                    self.push_text(&punct.as_char().to_string(), punct.span());
                } else {
                    self.write_text(&punct.as_char().to_string(), punct.span());
                }
                self.glue = punct.spacing() == proc_macro2::Spacing::Joint;
            }
            other => {
                self.glue = false;
                let text = other.to_string();
                self.write_text(&text, other.span());
            }
        }
    }

    /// Writes `text` at `span`'s start, or after a space if that position is taken.
    fn write_text(&mut self, text: &str, span: Span) {
        if text.is_empty() {
            return;
        }
        let start = span.start();
        let (line, col) = (start.line as u32, start.column as u32);
        if (line, col) >= (self.line, self.col) && line >= 1 {
            while self.line < line {
                self.out.push('\n');
                self.line += 1;
                self.col = 0;
            }
            while self.col < col {
                self.out.push(' ');
                self.col += 1;
            }
        } else {
            self.out.push(' ');
            self.col += 1;
        }
        self.push_text(text, span);
    }

    /// Writes `text` at the cursor.
    fn push_text(&mut self, text: &str, span: Span) {
        self.positions.entry((self.line, self.col)).or_insert(span);
        self.out.push_str(text);
        for c in text.chars() {
            if c == '\n' {
                self.line += 1;
                self.col = 0;
            } else {
                self.col += 1;
            }
        }
    }
}

fn is_attribute_start(token: &TokenTree) -> bool {
    matches!(token, TokenTree::Punct(p) if p.as_char() == '#')
}

/// Whether the bracket group after a `#` is an attribute the language reads.
fn is_language_attribute(next: Option<&TokenTree>) -> bool {
    let Some(TokenTree::Group(group)) = next else {
        return false;
    };
    let first = group.stream().into_iter().next();
    group.delimiter() == Delimiter::Bracket
        && matches!(first, Some(TokenTree::Ident(ident)) if ident == "reassociate")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_their_positions() {
        let text = "\n\n  fn f(x: &[f64]) -> f64 {\n      x[0] +  1.0\n  }\n";
        let tokens: TokenStream = text.parse().unwrap();
        let layout = Layout::of(tokens);
        assert_eq!(layout.source.trim_end(), text.trim_end());
    }

    #[test]
    fn labels_stay_one_token() {
        let text = "fn f() { 'outer: loop { break 'outer; } }";
        let tokens: TokenStream = text.parse().unwrap();
        assert_eq!(Layout::of(tokens).source.trim_end(), text);
    }

    #[test]
    fn attributes_are_dropped_and_positions_kept() {
        let text = "/// doc\n#[inline]\nfn f() {}\n";
        let tokens: TokenStream = text.parse().unwrap();
        let layout = Layout::of(tokens);
        assert_eq!(layout.source, "\n\nfn f() {}\n");
        assert!(layout.span_at(3, 4).is_some());
    }

    #[test]
    fn language_attributes_are_kept() {
        let text = "#[inline]\n#[reassociate(lanes = 4)]\nfn f() {}";
        let tokens: TokenStream = text.parse().unwrap();
        let layout = Layout::of(tokens);
        assert_eq!(layout.source, "\n#[reassociate(lanes = 4)]\nfn f() {}\n");
    }
}
