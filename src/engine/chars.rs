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
    /// A control character (General Category Cc: newline and tab included).
    Control,
    /// A character that changes the direction of text (the Bidi_Control property: `U+202E`).
    Direction,
    /// A character that prints as nothing or as a plain space: a format character (Cf), a
    /// line or paragraph separator (Zl, Zp), a default-ignorable code point (a zero-width
    /// space, a variation selector, a Hangul filler, a tag character), a space other than
    /// U+0020 (Zs), or a blank pattern (U+2800).
    Invisible,
    /// A private-use, surrogate or unassigned code point (Co, Cs, Cn): nothing a reader can
    /// see or check.
    Unassigned,
}

impl CharClass {
    /// The class of `c`, or `None` for an ordinary character. Decided by the character's
    /// Unicode properties (from ICU4X's tables), never by a list of code points, except
    /// U+2800, a graphic character that prints blank.
    pub fn of(c: char) -> Option<CharClass> {
        use icu_properties::props::{
            BidiControl, DefaultIgnorableCodePoint, GeneralCategory as Gc,
        };
        use icu_properties::{CodePointMapData, CodePointSetData};
        // Printable ASCII is ordinary: the usual text is not looked up character by character.
        if (' '..='~').contains(&c) {
            return None;
        }
        if c.is_control() {
            return Some(CharClass::Control);
        }
        if CodePointSetData::new::<BidiControl>().contains(c) {
            return Some(CharClass::Direction);
        }
        let gc = CodePointMapData::<Gc>::new().get(c);
        match gc {
            Gc::PrivateUse | Gc::Surrogate | Gc::Unassigned => Some(CharClass::Unassigned),
            Gc::Format | Gc::LineSeparator | Gc::ParagraphSeparator | Gc::SpaceSeparator => {
                Some(CharClass::Invisible)
            }
            _ if c == '\u{2800}'
                || CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c) =>
            {
                Some(CharClass::Invisible)
            }
            _ => None,
        }
    }
}

/// The first character of a text that must not pass unseen, with its class.
pub fn first_odd(text: &str) -> Option<(char, CharClass)> {
    text.chars()
        .find_map(|c| CharClass::of(c).map(|class| (c, class)))
}

/// What a protocol's text, a name or a note may not hold: every class of [`CharClass`] except a
/// space other than U+0020 (a non-breaking space prints as a space; a zero-width one does not).
pub fn is_unsafe(c: char) -> bool {
    CharClass::of(c).is_some() && !is_plain_space(c)
}

/// A space separator (Zs) that prints as a space of some width.
fn is_plain_space(c: char) -> bool {
    use icu_properties::props::GeneralCategory as Gc;
    icu_properties::CodePointMapData::<Gc>::new().get(c) == Gc::SpaceSeparator
}

/// Text in Unicode Normalization Form C: the form in which ids are compared, so that `José`
/// typed as one `é` or as `e` and a combining accent is one id.
pub fn nfc(text: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::UnicodeNormalization as _;
    if text.is_ascii()
        || unicode_normalization::is_nfc_quick(text.chars())
            == unicode_normalization::IsNormalized::Yes
    {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.nfc().collect())
    }
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
/// tab included, so that a message stays one line), the text-direction characters, and every
/// character that prints as nothing or is unassigned (a space other than U+0020 prints as is).
fn escaped(c: char) -> bool {
    CharClass::of(c).is_some() && !is_plain_space(c)
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
