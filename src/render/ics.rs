//! A course as an iCalendar file (RFC 5545): one event per session, with its instructions in the
//! description and reminders (`VALARM`) when the fast and the clear liquids begin and end.
//!
//! A calendar is shared, so it holds no dose and no patient identifier. The calendar has a UUID
//! of its own (`UID` of the `VCALENDAR`, RFC 7986): a random one, or the one given with
//! `--calendar-id`; each event's UID is derived from it and the session number alone, never from
//! patient data, so that two patients' courses never share a UID, and a clinic that gives the
//! same calendar id again re-issues the same UIDs (a corrected course replaces the old one). Times are
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
use crate::engine::course::{Course, Instruction, Session, SessionTimes};
use crate::engine::protocol::Protocol;

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

/// The UID of a session: a UUID (version 8, RFC 9562) from the SHA-256 of the calendar's UUID
/// and the session number, so that it names neither the patient nor the dose, differs for every
/// calendar, and is the same for the same calendar id.
pub fn uid(calendar: uuid::Uuid, session: &Session) -> String {
    let key = format!(
        "bolus course\n{}\n{}",
        calendar.hyphenated(),
        session.number
    );
    let digest = Sha256::digest(key.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// Seconds from `a` to `b`.
fn seconds_between(a: DateTime, b: DateTime) -> i64 {
    b.duration_since(a).as_secs()
}

/// The course as an iCalendar file. Every session must have its times (`--start`).
pub fn render(ctx: &Context, course: &Course, calendar: uuid::Uuid, stamp: Timestamp) -> String {
    let p = ctx.protocol;
    let mut o = String::new();
    let line = |o: &mut String, l: &str| push_line(o, l);
    line(&mut o, "BEGIN:VCALENDAR");
    line(&mut o, "VERSION:2.0");
    line(&mut o, &format!("PRODID:-//bolus//bolus {VERSION}//EN"));
    line(&mut o, "CALSCALE:GREGORIAN");
    line(&mut o, "METHOD:PUBLISH");
    line(&mut o, &format!("UID:{}", calendar.hyphenated()));
    let n = course.sessions.len();
    for s in &course.sessions {
        let t = s
            .times
            .expect("a calendar needs a start time, checked in cli");
        line(&mut o, "BEGIN:VEVENT");
        line(&mut o, &format!("UID:{}", uid(calendar, s)));
        line(&mut o, &format!("DTSTAMP:{}", utc(stamp)));
        line(&mut o, &format!("DTSTART:{}", local(t.begins)));
        line(&mut o, &format!("DTEND:{}", local(t.ends)));
        // A draft says so first in the summary, the one line a calendar shows.
        let draft = if p.standing.approval.is_draft() {
            format!("{}: ", super::DRAFT)
        } else {
            String::new()
        };
        line(
            &mut o,
            &format!(
                "SUMMARY:{}",
                escape(&format!("{draft}{}: session {} of {n}", p.title, s.number))
            ),
        );
        let d = description(p, s, t, n);
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
        alarms(&mut o, p, s, t);
        line(&mut o, "END:VEVENT");
    }
    line(&mut o, "END:VCALENDAR");
    o
}

/// The description of session `s` of `n`: what it is, whether it is provisional, its times and
/// the patient's instructions, one line each.
fn description(p: &Protocol, s: &Session, t: SessionTimes, n: usize) -> Vec<String> {
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
    d
}

/// A session's alarms: when the fast begins (with the escort) and when clear liquids end.
fn alarms(o: &mut String, p: &Protocol, s: &Session, t: SessionTimes) {
    let line = |o: &mut String, l: &str| push_line(o, l);
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
        line(o, "BEGIN:VALARM");
        line(o, "ACTION:DISPLAY");
        line(o, &format!("DESCRIPTION:{}", escape(&text)));
        line(
            o,
            &format!(
                "TRIGGER;RELATED=START:{}",
                duration(seconds_between(t.begins, at))
            ),
        );
        line(o, "END:VALARM");
    }
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
