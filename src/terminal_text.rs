//! Text from plans and data files, made safe to print on a terminal.
//!
//! A title, an id or a disease name can hold any character, including the
//! escape sequences that clear a screen, move the cursor or recolour what
//! follows, and the bidirectional overrides that make text read in another
//! order than it is stored. Every human-readable output passes such text
//! through `escape` (one line) or `escape_lines` (several lines), which
//! write each such character as a visible `\u{1b}`. JSON output needs none
//! of this: serde_json escapes control characters itself.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is: a C0 or C1 control
/// character, DEL, or a bidirectional embedding, override or isolate.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `c` written visibly: `\u{1b}` for ESC.
pub fn visible(c: char) -> String {
    format!("\\u{{{:x}}}", c as u32)
}

/// One line of text with every unsafe character written visibly, line
/// breaks and tabs included.
pub fn escape(text: &str) -> Cow<'_, str> {
    let Some(first) = text.find(is_unsafe) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if is_unsafe(c) {
            out.push_str(&visible(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text of several lines with every unsafe character written visibly, except
/// the line breaks (`\n`, and `\r` just before one) and tabs that lay it out.
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if hidden_in_lines(c, chars.peek().map(|&(_, n)| n)) {
            out.get_or_insert_with(|| text[..i].to_string())
                .push_str(&visible(c));
        } else if let Some(o) = &mut out {
            o.push(c);
        }
    }
    out.map_or(Cow::Borrowed(text), Cow::Owned)
}

/// Whether `c`, followed by `next`, is written visibly in text of several
/// lines: it is unsafe and lays out no line.
pub fn hidden_in_lines(c: char, next: Option<char>) -> bool {
    let layout = c == '\n' || c == '\t' || (c == '\r' && next == Some('\n'));
    is_unsafe(c) && !layout
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_kept_as_it_is() {
        assert!(matches!(escape("相互保 plan"), Cow::Borrowed(_)));
        assert!(matches!(escape_lines("a\n\tb\r\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(escape("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape("x\u{9b}y\u{7f}"), "x\\u{9b}y\\u{7f}");
        assert_eq!(escape("\u{202e}abc\u{2066}"), "\\u{202e}abc\\u{2066}");
        assert_eq!(escape("a\nb\tc"), "a\\u{a}b\\u{9}c");
    }

    #[test]
    fn layout_survives_in_lines() {
        assert_eq!(escape_lines("a\r\nb\rc\n\t\x07"), "a\r\nb\\u{d}c\n\t\\u{7}");
    }
}
