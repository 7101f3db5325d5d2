//! A course as an iCalendar file (RFC 5545): one event per session, with its instructions in the
//! description and reminders (`VALARM`) when the fast and the clear liquids begin and end.
//!
//! A calendar is shared, so it holds no dose and no patient identifier: the event UIDs are hashed
//! from the protocol, the patient identifier if given, the first date and the session number, so
//! that importing the course again updates its events rather than adding new ones. Times are
//! floating (local civil time, RFC 5545 §3.3.5 form 1), as the course is. Lines end in CRLF and
//! are folded at 75 octets, never inside a UTF-8 character.
//!
//! Written here rather than with the `icalendar` crate: that crate reads dates through `chrono`
//! and stamps `DTSTAMP` from the clock unless told otherwise, where bolus uses `jiff` and pins
//! every output; the format's few rules (escaping, folding, CRLF, durations) are kept here and
//! tested against two independent parsers.

use jiff::civil::DateTime;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use super::course::{instruction_text, is_before, CIVIL_TIME, PROVISIONAL};
use super::{Context, VERSION};
use crate::engine::course::{Course, Instruction, Session};

/// The most octets on one line, the CRLF excluded (RFC 5545 §3.1).
pub const FOLD_AT: usize = 75;

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newline.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line, folded at 75 octets (a continuation line starts with a space, which
/// counts), with CRLF.
pub fn push_line(out: &mut String, line: &str) {
    let mut room = FOLD_AT;
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > room {
            out.push_str("\r\n ");
            room = FOLD_AT - 1;
            used = 0;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
}

/// `20261201T095500`: a floating date-time.
fn local(t: DateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `20261127T120000Z`: a UTC date-time.
fn utc(t: Timestamp) -> String {
    format!("{}Z", local(jiff::tz::Offset::UTC.to_datetime(t)))
}

/// An RFC 5545 duration (§3.3.6) of signed whole seconds: `-PT6H5M`, `P1DT2H`, `PT0S`.
pub fn duration(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    let (days, rest) = (s / 86_400, s % 86_400);
    let (h, m, sec) = (rest / 3_600, rest / 60 % 60, rest % 60);
    let mut out = format!("{sign}P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if rest > 0 {
        out.push('T');
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 || (h > 0 && sec > 0) {
            out.push_str(&format!("{m}M"));
        }
        if sec > 0 {
            out.push_str(&format!("{sec}S"));
        }
    }
    if s == 0 {
        out.push_str("T0S");
    }
    out
}

/// The stable UID of a session: hashed, so that it names neither the patient nor the dose.
pub fn uid(protocol: &str, patient: Option<&str>, course: &Course, session: &Session) -> String {
    let first = course
        .sessions
        .first()
        .map(|s| s.date)
        .unwrap_or(session.date);
    let key = format!(
        "bolus course\n{protocol}\n{}\n{first}\n{}",
        patient.unwrap_or(""),
        session.number
    );
    let hex: String = Sha256::digest(key.as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{hex}@bolus")
}

/// Seconds from `a` to `b`.
fn seconds_between(a: DateTime, b: DateTime) -> i64 {
    b.duration_since(a).as_secs()
}

/// The course as an iCalendar file. Every session must have its times (`--start`).
pub fn render(ctx: &Context, course: &Course, patient: Option<&str>, stamp: Timestamp) -> String {
    let p = ctx.protocol;
    let mut o = String::new();
    let line = |o: &mut String, l: &str| push_line(o, l);
    line(&mut o, "BEGIN:VCALENDAR");
    line(&mut o, "VERSION:2.0");
    line(&mut o, &format!("PRODID:-//bolus//bolus {VERSION}//EN"));
    line(&mut o, "CALSCALE:GREGORIAN");
    line(&mut o, "METHOD:PUBLISH");
    let n = course.sessions.len();
    for s in &course.sessions {
        let t = s
            .times
            .expect("a calendar needs a start time, checked in cli");
        line(&mut o, "BEGIN:VEVENT");
        line(&mut o, &format!("UID:{}", uid(&p.id, patient, course, s)));
        line(&mut o, &format!("DTSTAMP:{}", utc(stamp)));
        line(&mut o, &format!("DTSTART:{}", local(t.begins)));
        line(&mut o, &format!("DTEND:{}", local(t.ends)));
        line(
            &mut o,
            &format!(
                "SUMMARY:{}",
                escape(&format!("{}: session {} of {n}", p.title, s.number))
            ),
        );
        let mut d = Vec::new();
        if p.standing.approval.is_draft() {
            d.push(format!("{}.", super::DRAFT));
        }
        d.push(format!(
            "Session {} of {n} of a course of {} ({}).",
            s.number, p.title, p.id
        ));
        if s.provisional {
            d.push(format!("This session is {PROVISIONAL}."));
        }
        d.push(format!(
            "First bolus at {}; the session ends at {}.",
            crate::engine::plan::show_clock(t.first_bolus.time()),
            crate::engine::plan::show_clock(t.ends.time())
        ));
        let (before, after): (Vec<_>, Vec<_>) = s.instructions.iter().partition(|i| is_before(i));
        for (title, list) in [
            ("Before the session:", before),
            ("After the session:", after),
        ] {
            if !list.is_empty() {
                d.push(title.into());
                d.extend(list.iter().map(|i| format!("- {}", instruction_text(i, s))));
            }
        }
        d.push(CIVIL_TIME.into());
        line(&mut o, &format!("DESCRIPTION:{}", escape(&d.join("\n"))));
        line(
            &mut o,
            if s.provisional {
                "STATUS:TENTATIVE"
            } else {
                "STATUS:CONFIRMED"
            },
        );
        // Reminders when the fast begins (with the escort) and when clear liquids end.
        let escort = s
            .instructions
            .iter()
            .find(|i| matches!(i, Instruction::Escort))
            .map(|i| instruction_text(i, s));
        for i in &s.instructions {
            let at = match i {
                Instruction::NoFood {
                    after: Some(at), ..
                } => *at,
                Instruction::ClearLiquids {
                    until: Some(at), ..
                } => *at,
                _ => continue,
            };
            let mut text = format!("{}: {}.", p.title, instruction_text(i, s));
            if let (Instruction::NoFood { .. }, Some(e)) = (i, &escort) {
                text.push_str(&format!(" {e}."));
            }
            line(&mut o, "BEGIN:VALARM");
            line(&mut o, "ACTION:DISPLAY");
            line(&mut o, &format!("DESCRIPTION:{}", escape(&text)));
            line(
                &mut o,
                &format!(
                    "TRIGGER;RELATED=START:{}",
                    duration(seconds_between(t.begins, at))
                ),
            );
            line(&mut o, "END:VALARM");
        }
        line(&mut o, "END:VEVENT");
    }
    line(&mut o, "END:VCALENDAR");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_rfc_5545() {
        assert_eq!(duration(0), "PT0S");
        assert_eq!(duration(-(6 * 3600 + 300)), "-PT6H5M");
        assert_eq!(duration(86_400 + 7_200), "P1DT2H");
        assert_eq!(duration(86_400), "P1D");
        assert_eq!(duration(3_605), "PT1H0M5S");
        assert_eq!(duration(-30), "-PT30S");
        assert_eq!(duration(90), "PT1M30S");
    }

    #[test]
    fn lines_fold_at_75_octets_and_never_inside_a_character() {
        let mut out = String::new();
        let text = format!("DESCRIPTION:{}", "é".repeat(100));
        push_line(&mut out, &text);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= FOLD_AT, "{} octets: {l}", l.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, text);
    }

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(escape("a, b; c\\d\ne"), "a\\, b\\; c\\\\d\\ne");
    }
}
