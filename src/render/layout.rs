//! Lines of text in a monospaced font: measuring them in terminal columns, wrapping them with a
//! hanging indent, and laying out rows in aligned columns. The text plan and the text course are
//! laid out with these, appending to one output string (a plan is mostly process start-up, so
//! the layout measures each word once and copies it once).

use std::borrow::Cow;

/// The widest line of a text plan, in terminal columns: it fits an 80-column terminal and an
/// A4 or US Letter page printed in a monospaced font.
pub const TEXT_WIDTH: usize = 80;

/// Whether a text is printable ASCII, which takes one column a byte. (Every byte is looked at,
/// with no early exit, so that the loop is vectorised.)
fn printable(s: &str) -> bool {
    s.bytes()
        .fold(true, |ok, b| ok & (b' '..=b'~').contains(&b))
}

/// How many terminal columns a text takes (a wide character, such as in a name written in
/// Chinese, takes two).
pub fn width(s: &str) -> usize {
    // Printable ASCII takes one column a byte: the common case, without the table lookups.
    if printable(s) {
        return s.len();
    }
    unicode_width::UnicodeWidthStr::width(s)
}

/// Wraps `text` at spaces into lines of at most `max` columns, the first starting with `first`
/// and the others with `rest` (a hanging indent). A word longer than a line is cut.
pub fn wrap(first: &str, rest: &str, text: &str, max: usize) -> Vec<String> {
    let mut out = String::new();
    wrap_into(&mut out, first, rest, text, max);
    split_lines(&out)
}

/// The lines appended by one of the `_into` functions, each without its final newline.
fn split_lines(out: &str) -> Vec<String> {
    match out.strip_suffix('\n') {
        Some(body) => body.split('\n').map(str::to_string).collect(),
        None => Vec::new(),
    }
}

/// The line being filled by [`wrap_into`]: where it starts in the output, and its width.
struct Line {
    start: usize,
    /// The width of the line: measured when it starts and after a word cut across lines, else
    /// the sum of its words' widths and the spaces between them.
    width: usize,
}

/// Appends `text` wrapped as [`wrap`] does, each line with its final newline.
pub fn wrap_into(out: &mut String, first: &str, rest: &str, text: &str, max: usize) {
    // A hanging indent that leaves less than 20 columns becomes four spaces.
    let rest = if width(rest) + 20 > max { "    " } else { rest };
    if !(printable(first)
        && printable(rest)
        && printable(text)
        && wrap_ascii(out, first, rest, text, max))
    {
        wrap_any(out, first, rest, text, max);
    }
}

/// [`wrap_into`] for printable ASCII, one column a byte: each line is the longest run of whole
/// words that fits, found by looking back from where the line is full to the last space it can
/// break at. Returns false, with nothing appended, when a word (or a number with its unit) does
/// not fit on a line of its own: [`wrap_any`] cuts it.
fn wrap_ascii(out: &mut String, first: &str, rest: &str, text: &str, max: usize) -> bool {
    // Words one space apart (the usual text); any other spacing is first made so.
    let spaced;
    let mut text = text;
    if text.starts_with(' ') || text.ends_with(' ') || text.contains("  ") {
        spaced = text
            .split(' ')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        text = &spaced;
    }
    let begin = out.len();
    out.push_str(first);
    let mut room = max.saturating_sub(first.len());
    while text.len() > room {
        let Some(at) = break_at(text, room) else {
            out.truncate(begin);
            return false;
        };
        out.push_str(&text[..at]);
        out.push('\n');
        out.push_str(rest);
        room = max.saturating_sub(rest.len());
        text = &text[at + 1..];
    }
    out.push_str(text);
    end_line(out, begin);
    true
}

/// Where a line of at most `room` bytes of `text` (ASCII words one space apart, longer than
/// `room`) breaks: the last space within the room that does not part a number from its unit.
fn break_at(text: &str, room: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    (1..=room).rev().find(|&at| {
        bytes[at] == b' '
            && !(bytes[at - 1].is_ascii_digit()
                && is_unit(text[at + 1..].split(' ').next().unwrap_or_default()))
    })
}

/// Ends the line appended to `out` from `start`: its trailing spaces trimmed, a newline added.
fn end_line(out: &mut String, start: usize) {
    out.truncate(start + out[start..].trim_end().len());
    out.push('\n');
}

/// [`wrap_into`] for any text, measured in terminal columns; a word longer than a line is cut.
fn wrap_any(out: &mut String, first: &str, rest: &str, text: &str, max: usize) {
    let rest_width = width(rest);
    let mut line = Line {
        start: out.len(),
        width: width(first),
    };
    out.push_str(first);
    let new_line = |out: &mut String, line: &mut Line| {
        out.push('\n');
        line.start = out.len();
        line.width = rest_width;
        out.push_str(rest);
    };
    let mut fresh = true;
    for word in words(text) {
        let word: &str = &word;
        let ascii_word = printable(word);
        let word_width = if ascii_word { word.len() } else { width(word) };
        if !fresh && line.width + 1 + word_width > max {
            new_line(out, &mut line);
            fresh = true;
        }
        if !fresh {
            out.push(' ');
            line.width += 1;
        }
        fresh = false;
        // A word of printable ASCII that fits is copied whole; any other is measured a
        // character at a time, and cut where the line is full.
        if ascii_word && line.width + word_width <= max {
            out.push_str(word);
            line.width += word_width;
            continue;
        }
        for c in word.chars() {
            let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            let now = width(&out[line.start..]);
            if now + w > max && now > rest_width {
                new_line(out, &mut line);
            }
            out.push(c);
        }
        line.width = width(&out[line.start..]);
    }
    end_line(out, line.start);
}

/// Whether a word is a unit that stays with the number before it: `mg`, `mg/kg`, `min,`.
fn is_unit(w: &str) -> bool {
    let bare = w.trim_end_matches(|c: char| c.is_ascii_punctuation() && c != '/');
    w.starts_with(|c: char| c.is_alphabetic())
        && bare.chars().count() <= 6
        && bare.chars().all(|c| c.is_alphabetic() || c == '/')
}

/// The words of a text, split at spaces, but a number and the unit after it kept together
/// (`164 mg`, `10 min`, `2 mg/kg`): a dose is never split across lines. (A unit does not end
/// in a digit, so a word takes at most one unit.)
fn words(text: &str) -> impl Iterator<Item = Cow<'_, str>> {
    let mut split = text.split(' ').filter(|w| !w.is_empty()).peekable();
    std::iter::from_fn(move || {
        let w = split.next()?;
        if !w.ends_with(|c: char| c.is_ascii_digit()) {
            return Some(Cow::Borrowed(w));
        }
        match split.peek() {
            Some(&unit) if is_unit(unit) => {
                split.next();
                // The two words as they stand in the text when one space parts them.
                let start = w.as_ptr() as usize - text.as_ptr() as usize;
                let end = unit.as_ptr() as usize - text.as_ptr() as usize + unit.len();
                if end - start == w.len() + 1 + unit.len() {
                    Some(Cow::Borrowed(&text[start..end]))
                } else {
                    Some(Cow::Owned(format!("{w} {unit}")))
                }
            }
            _ => Some(Cow::Borrowed(w)),
        }
    })
}

/// Makes every line of a text fit `max` columns: a longer line is wrapped with a hanging indent
/// of four spaces more than its own.
pub fn fit(text: String, max: usize) -> String {
    if text.ends_with('\n') && !text.contains('\r') && fits(&text, max) {
        // Every line fits: the text as it is.
        return text;
    }
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.lines() {
        if width(line) <= max {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let body = line.trim_start_matches(' ');
        let indent = &line[..line.len() - body.len()];
        let rest = format!("{indent}    ");
        wrap_into(&mut out, indent, &rest, body, max);
    }
    out
}

/// Whether every line of a text takes at most `max` columns. A line of at most `max` bytes does
/// (no character takes more columns than it has bytes), so only longer lines are measured.
fn fits(text: &str, max: usize) -> bool {
    // (`str::split` finds the lines without the `memchr` crate, whose first search detects the
    // processor's features: a cost that shows at start-up on a virtual machine.)
    text.split('\n')
        .all(|line| line.len() <= max || width(line) <= max)
}

/// The widths of the first `n` columns of rows, in terminal columns (a row's missing cells are
/// empty). Rows are any slices of any strings, so that a caller lays out the strings it has
/// without copying them.
fn widths<R: AsRef<[S]>, S: AsRef<str>>(rows: &[R], n: usize) -> Vec<usize> {
    let mut widths = vec![0; n];
    for r in rows {
        for (c, s) in r.as_ref().iter().take(n).enumerate() {
            widths[c] = widths[c].max(width(s.as_ref()));
        }
    }
    widths
}

/// The number of columns of rows: the most cells in a row.
fn count<R: AsRef<[S]>, S>(rows: &[R]) -> usize {
    rows.iter().map(|r| r.as_ref().len()).max().unwrap_or(0)
}

/// Appends one row laid out in columns of `widths`, separated by two spaces, without a newline.
fn row_into<'a>(
    out: &mut String,
    cells: impl IntoIterator<Item = &'a str>,
    widths: &[usize],
    right: &[usize],
) {
    for (c, s) in cells.into_iter().enumerate() {
        if c > 0 {
            out.push_str("  ");
        }
        let pad = widths[c] - width(s);
        if right.contains(&c) {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(s);
        } else {
            out.push_str(s);
            out.extend(std::iter::repeat_n(' ', pad));
        }
    }
}

/// Appends rows laid out as [`columns`] does, each with its final newline.
pub fn columns_into<R: AsRef<[S]>, S: AsRef<str>>(out: &mut String, rows: &[R], right: &[usize]) {
    let widths = widths(rows, count(rows));
    for r in rows {
        let start = out.len();
        row_into(out, r.as_ref().iter().map(AsRef::as_ref), &widths, right);
        end_line(out, start);
    }
}

/// Lays out rows in columns separated by two spaces; the columns listed in `right` are aligned
/// right. Trailing spaces are trimmed.
pub fn columns<R: AsRef<[S]>, S: AsRef<str>>(rows: &[R], right: &[usize]) -> Vec<String> {
    let mut out = String::new();
    columns_into(&mut out, rows, right);
    split_lines(&out)
}

/// Appends rows laid out as [`columns`] does, the last column wrapped to `max` columns with a
/// hanging indent of two columns past where it starts (so a wrapped cell does not read as a new
/// row), each line with its final newline.
pub fn columns_wrapped_into<R: AsRef<[S]>, S: AsRef<str>>(
    out: &mut String,
    rows: &[R],
    right: &[usize],
    max: usize,
) {
    let n = count(rows);
    if n < 2 || right.contains(&(n - 1)) {
        return columns_into(out, rows, right);
    }
    // The columns before the last, a row's missing cells empty.
    let widths = widths(rows, n - 1);
    let mut head = String::new();
    let mut indent = String::new();
    for r in rows {
        let r = r.as_ref();
        head.clear();
        let cells = r.iter().map(AsRef::as_ref).chain(std::iter::repeat(""));
        row_into(&mut head, cells.take(n - 1), &widths, right);
        head.push_str("  ");
        indent.clear();
        indent.extend(std::iter::repeat_n(' ', width(&head) + 2));
        let last = if r.len() == n { r[n - 1].as_ref() } else { "" };
        wrap_into(out, &head, &indent, last, max);
    }
}

/// Lays out rows as [`columns`] does, the last column wrapped to `max` columns with a hanging
/// indent of two columns past where it starts (so a wrapped cell does not read as a new row).
pub fn columns_wrapped<R: AsRef<[S]>, S: AsRef<str>>(
    rows: &[R],
    right: &[usize],
    max: usize,
) -> Vec<String> {
    let mut out = String::new();
    columns_wrapped_into(&mut out, rows, right, max);
    split_lines(&out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The wrapping as it was written before it appended to one string: one `String` for each
    /// word and each line, every character pushed and measured. The new one must give the same
    /// lines.
    fn reference(first: &str, rest: &str, text: &str, max: usize) -> Vec<String> {
        let rest = if width(rest) + 20 > max { "    " } else { rest };
        let rest_width = width(rest);
        let mut words: Vec<String> = Vec::new();
        for w in text.split(' ').filter(|w| !w.is_empty()) {
            match words.last_mut() {
                Some(prev) if is_unit(w) && prev.ends_with(|c: char| c.is_ascii_digit()) => {
                    prev.push(' ');
                    prev.push_str(w);
                }
                _ => words.push(w.to_string()),
            }
        }
        let mut lines = Vec::new();
        let mut line = first.to_string();
        let mut fresh = true;
        for word in &words {
            if !fresh && width(&line) + 1 + width(word) > max {
                lines.push(std::mem::replace(&mut line, rest.to_string()));
                fresh = true;
            }
            if !fresh {
                line.push(' ');
            }
            for c in word.chars() {
                let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                let now = width(&line);
                if now + w > max && now > rest_width {
                    lines.push(std::mem::replace(&mut line, rest.to_string()));
                }
                line.push(c);
            }
            fresh = false;
        }
        lines.push(line.trim_end().to_string());
        lines
    }

    /// The columns as they were laid out before the cells of the columns before the last were
    /// measured in place: every row's first cells copied, missing ones as empty strings.
    fn columns_wrapped_reference(rows: &[Vec<String>], right: &[usize], max: usize) -> Vec<String> {
        let n = rows.iter().map(Vec::len).max().unwrap_or(0);
        if n < 2 || right.contains(&(n - 1)) {
            return columns(rows, right);
        }
        let heads: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                let mut h = r[..r.len().min(n - 1)].to_vec();
                h.resize(n - 1, String::new());
                h
            })
            .collect();
        let widths = widths(&heads, n - 1);
        let mut out = String::new();
        for (r, h) in rows.iter().zip(&heads) {
            let mut head = String::new();
            row_into(&mut head, h.iter().map(String::as_str), &widths, right);
            head.push_str("  ");
            let indent = " ".repeat(width(&head) + 2);
            let last = if r.len() == n { r[n - 1].as_str() } else { "" };
            wrap_into(&mut out, &head, &indent, last, max);
        }
        split_lines(&out)
    }

    proptest! {
        #[test]
        fn wrapping_gives_the_lines_of_the_character_by_character_reference(
            text in "([a-z]{1,12}|[0-9]{1,4}|mg|mg/kg|min,|李|×|…|👍\u{fe0f}|\u{644}|\u{627}|e\u{301}|\u{200d}| ){0,60}",
            max in 20usize..90,
            first in "[ a-z\\[\\]!李]{0,8}",
            rest in "[ ]{0,12}",
        ) {
            prop_assert_eq!(wrap(&first, &rest, &text, max), reference(&first, &rest, &text, max));
        }

        #[test]
        fn columns_with_a_wrapped_last_column_are_laid_out_as_before(
            rows in proptest::collection::vec(
                proptest::collection::vec("([a-z]{1,6}|李|41 mg| ){0,6}", 0..5),
                0..6,
            ),
            right in proptest::collection::vec(0usize..5, 0..3),
            max in 20usize..90,
        ) {
            prop_assert_eq!(
                columns_wrapped(&rows, &right, max),
                columns_wrapped_reference(&rows, &right, max)
            );
        }

        /// What `fits` leans on: no text takes more columns than it has bytes, so a line of at
        /// most `max` bytes fits without being measured.
        #[test]
        fn no_text_takes_more_columns_than_bytes(
            text in "(\\PC|[\u{0}-\u{1f}\u{7f}-\u{9f}]|李|👍\u{fe0f}|\u{1f1eb}\u{1f1f7}|#\u{fe0f}|\u{200d}|\u{1100}\u{1161}){0,40}",
            any_text in proptest::prelude::any::<String>(),
        ) {
            prop_assert!(width(&text) <= text.len());
            prop_assert!(width(&any_text) <= any_text.len());
        }

        /// A text is kept as it is exactly when each line fits, measured line by line.
        /// (`fits_at_exactly_the_width` below has the lines that are longer in bytes than in
        /// columns and fill the width exactly.)
        #[test]
        fn fit_keeps_a_text_exactly_when_every_line_fits(
            text in "([a-z]{1,30}|李|👍|×| |\n){0,120}",
            max in 24usize..60,
        ) {
            let text = format!("{text}\n");
            let every_line_fits = text.lines().all(|l| width(l) <= max);
            prop_assert_eq!(fits(&text, max), every_line_fits);
            prop_assert_eq!(fit(text.clone(), max) == text, every_line_fits);
        }

        #[test]
        fn wrapping_printable_ascii_gives_the_lines_of_the_reference(
            text in "([a-z]{1,8}|[0-9]{1,3}|mg|min.| ){0,30}",
            max in 20usize..90,
            first in "[ a-z]{0,8}",
            rest in "[ ]{0,12}",
        ) {
            prop_assert_eq!(wrap(&first, &rest, &text, max), reference(&first, &rest, &text, max));
        }
    }

    #[test]
    fn fits_at_exactly_the_width() {
        // Three wide characters: 9 bytes, 6 columns.
        assert!(fits("李李李\nabcdef\n", 6));
        assert!(!fits("李李李\n", 5));
        assert_eq!(fit("李李李 李\n".to_string(), 9), "李李李 李\n");
    }

    #[test]
    fn a_number_keeps_its_unit_when_two_spaces_part_them() {
        assert_eq!(wrap("", "", "take 41  mg now", 80), ["take 41 mg now"]);
        assert_eq!(wrap("", "  ", "aaaa 41 mg", 24), ["aaaa 41 mg"]);
        assert_eq!(
            wrap("", "", "a long sentence of words then 164 mg", 33),
            ["a long sentence of words then", "164 mg"]
        );
    }
}
