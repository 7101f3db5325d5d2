//! Characters that must not pass unseen: each is a control, a text-direction or an invisible
//! character ([`CharClass`]). The readers refuse by these classes, and anything echoed in a
//! message is escaped by them ([`quote`], [`escape_odd`], [`tidy`]). The count words that both
//! the readers and the renderers write are chosen here too ([`plural`], [`count_of`]).
//!
//! No sentences: the escaping writes backticks, `\u{…}` escapes and a `…` where text is cut,
//! and nothing else. It is here, below both, because the readers (`input`) and the printers
//! (`render`) quote what they echo the same way; the classes are named in words by each of them.

/// The class of a character that must not pass unseen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharClass {
    /// A control character (newline and tab included).
    Control,
    /// A character that changes the direction of text (`U+202E`).
    Direction,
    /// A character that prints as nothing or as a plain space: a zero-width or non-breaking
    /// space, a byte order mark.
    Invisible,
}

impl CharClass {
    /// The class of `c`, or `None` for an ordinary character.
    pub fn of(c: char) -> Option<CharClass> {
        if c.is_control() {
            Some(CharClass::Control)
        } else if matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}')
        {
            Some(CharClass::Direction)
        } else if matches!(c, '\u{00A0}' | '\u{00AD}' | '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{180E}' | '\u{2000}'..='\u{200D}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}'..='\u{2064}' | '\u{3000}' | '\u{3164}' | '\u{FEFF}' | '\u{FFA0}')
        {
            Some(CharClass::Invisible)
        } else {
            None
        }
    }
}

/// The first character of a text that must not pass unseen, with its class.
pub fn first_odd(text: &str) -> Option<(char, CharClass)> {
    text.chars()
        .find_map(|c| CharClass::of(c).map(|class| (c, class)))
}

/// Control characters and the Unicode direction overrides, which could make text read other
/// than it is, and the byte order mark: what a protocol's text may not hold.
pub fn is_unsafe(c: char) -> bool {
    matches!(
        CharClass::of(c),
        Some(CharClass::Control | CharClass::Direction)
    ) || c == '\u{FEFF}'
}

/// The longest quoted piece of input a message repeats, in characters.
pub const QUOTE_CHARS: usize = 40;

/// The longest quoted path a message repeats, in characters: a path is cut in its middle, so
/// that where it starts and the file it names both show. A path is a piece with a `/` among
/// its first [`PATH_CHARS`]` / 2` characters and no character a message escapes (a backtick, a
/// control or text-direction character): it prints as it is, so a message holding one stays
/// within [`MAX_MESSAGE_CHARS`], and what is shown of it is still a path.
pub const PATH_CHARS: usize = 240;

/// Whether a quoted piece is cut as a path (see [`PATH_CHARS`]).
fn is_path(piece: &str) -> bool {
    piece.chars().take(PATH_CHARS / 2).any(|c| c == '/')
        && !piece.chars().any(|c| c == '`' || escaped(c))
}

/// The characters of a quoted piece as a message repeats it: whole up to one character over its
/// limit ([`QUOTE_CHARS`], [`PATH_CHARS`] for a path); past that, a piece's first
/// [`QUOTE_CHARS`] characters and `…`, a path's first and last [`PATH_CHARS`]` / 2` characters
/// with `…` between.
fn cut(piece: &str) -> impl Iterator<Item = char> + '_ {
    let path = is_path(piece);
    let limit = if path { PATH_CHARS } else { QUOTE_CHARS };
    let count = piece.chars().count();
    // Whole up to one character over the limit: the `…` would take that character's place.
    let (head, tail) = match count > limit + 1 {
        false => (count, 0),
        true if path => (PATH_CHARS / 2, PATH_CHARS / 2),
        true => (QUOTE_CHARS, 0),
    };
    piece
        .chars()
        .take(head)
        .chain((head < count).then_some('…'))
        .chain(piece.chars().skip(count - tail))
}

/// The longest message, in characters, whatever the input: one line, control and
/// text-direction characters escaped, quoted input cut at [`QUOTE_CHARS`] (a path at
/// [`PATH_CHARS`]).
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// Whether a character is escaped when text is echoed: every control character (newline and
/// tab included, so that a message stays one line) and the text-direction characters.
fn escaped(c: char) -> bool {
    matches!(
        CharClass::of(c),
        Some(CharClass::Control | CharClass::Direction)
    )
}

/// Text with its control characters (newline and tab included) and text-direction characters
/// escaped as `\u{1b}`, so that it prints on one line and cannot rewrite a terminal.
pub fn escape_odd(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if escaped(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// A piece of input for a message, between backticks: a backtick in it is written `\u{60}` (so
/// it cannot end the quotation early), odd characters are escaped, and more than
/// [`QUOTE_CHARS`] characters are cut with `…` (a path: more than [`PATH_CHARS`], in its
/// middle).
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4 * PATH_CHARS) + 2);
    out.push('`');
    for c in cut(text) {
        if c == '`' || escaped(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out.push('`');
    out
}

/// Makes a message safe to print: one line (newlines and tabs escaped, as are control and
/// text-direction characters: `\u{202e}`), a quoted piece (between backticks) longer than
/// [`QUOTE_CHARS`] characters cut with `…` (a path longer than [`PATH_CHARS`], in its middle),
/// and the whole cut at [`MAX_MESSAGE_CHARS`] characters, so that no input can flood or rewrite
/// a terminal. Input echoed in a message goes through [`quote`], so a backtick in it cannot
/// turn it into unquoted text.
pub fn tidy(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(4 * MAX_MESSAGE_CHARS));
    let mut count = 0usize;
    'pieces: for (i, piece) in message.split('`').enumerate() {
        if i > 0 && !put(&mut out, &mut count, '`') {
            break;
        }
        let shown: Box<dyn Iterator<Item = char>> = match i % 2 {
            1 => Box::new(cut(piece)),
            _ => Box::new(piece.chars()),
        };
        for c in shown {
            let fits = if escaped(c) {
                c.escape_unicode().all(|e| put(&mut out, &mut count, e))
            } else {
                put(&mut out, &mut count, c)
            };
            if !fits {
                break 'pieces;
            }
        }
    }
    if count > MAX_MESSAGE_CHARS {
        out = out.chars().take(MAX_MESSAGE_CHARS - 1).collect();
        out.push('…');
    }
    out
}

/// Adds one character to a message being tidied; false once it is over the limit (the rest of
/// the input is then not read).
fn put(out: &mut String, count: &mut usize, c: char) -> bool {
    out.push(c);
    *count += 1;
    *count <= MAX_MESSAGE_CHARS
}

/// The singular or the plural, by count: `plural(1, "plan", "plans")` is `plan`. Every count
/// in words goes through here or [`count_of`].
pub fn plural<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// A count with its word: `1 plan`, `3 plans`.
pub fn count_of(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", plural(n, one, many))
}
