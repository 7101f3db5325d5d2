//! A course as an iCalendar file (RFC 5545): one event per session, with its instructions in the
//! description and reminders (`VALARM`) when the fast and the clear liquids begin and end.
//!
//! A calendar is shared, so it holds no dose and no patient identifier. The calendar has a UUID
//! of its own (`UID` of the `VCALENDAR`, RFC 7986): a random one, or the one given with
//! `--calendar-id`; each event's UID is derived from it and the session number alone, never from
//! patient data, so that two patients' courses never share a UID, and a clinic that gives the
//! same calendar id again re-issues the same UIDs (a corrected course replaces the old one).
//!
//! Times are local times with a time zone (RFC 5545 §3.3.5 form 3): each `DTSTART` and `DTEND`
//! names the zone given (`TZID`), and the calendar carries that zone's `VTIMEZONE`, written from
//! the time-zone database for the span of the course (the observance in force at its first
//! reminder and each change of the clocks up to its last session's end), so that a client
//! without the zone still shows the clinic's clock. No `METHOD`: the file is a calendar to
//! import, not an iTIP message (RFC 5546), which would need an `ORGANIZER`. Each reminder fires
//! [`REMINDER_AHEAD`] before its deadline, so that the patient can still eat or drink. Lines end
//! in CRLF and are folded at 75 octets, never inside a UTF-8 character.
//!
//! Written here rather than with the `icalendar` crate: that crate reads dates through `chrono`
//! and stamps `DTSTAMP` from the clock unless told otherwise, where bolus uses `jiff` and pins
//! every output; the format's few rules (escaping, folding, CRLF, durations) are kept here and
//! tested against two independent parsers.

use jiff::civil::DateTime;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use super::course::{instruction_text, is_before, PROVISIONAL};
use super::{Context, VERSION};
use crate::engine::calendar::{self, Observance, SessionInstants};
use crate::engine::course::{Course, Instruction, Session, SessionTimes};
use crate::engine::protocol::Protocol;

/// How long before its deadline (the last food, the last clear liquid) a reminder fires: this
/// project's choice, so that the reminder leaves time to eat or drink.
pub const REMINDER_AHEAD: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

/// The words that say how long before the deadline a reminder fires.
const REMINDER_AHEAD_TEXT: &str = "this reminder is 1 hour ahead";

/// A course placed in a time zone: the zone's name and the instants of each session.
pub struct Placed<'a> {
    pub zone: &'a calendar::Zone,
    pub sessions: &'a [SessionInstants],
}

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

/// `+0100`, `-0430`, `+053328`: a UTC offset (RFC 5545 §3.3.14), seconds only when it has some.
fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let hm = format!("{sign}{:02}{:02}", s / 3600, s / 60 % 60);
    if s.is_multiple_of(60) {
        hm
    } else {
        format!("{hm}{:02}", s % 60)
    }
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

/// The course as an iCalendar file, its times in the zone it is placed in. Every session must
/// have its times (`--start`).
pub fn render(
    ctx: &Context,
    course: &Course,
    placed: &Placed,
    calendar: uuid::Uuid,
    stamp: Timestamp,
) -> String {
    let p = ctx.protocol;
    let mut o = String::new();
    let line = |o: &mut String, l: &str| push_line(o, l);
    line(&mut o, "BEGIN:VCALENDAR");
    line(&mut o, "VERSION:2.0");
    line(&mut o, &format!("PRODID:-//bolus//bolus {VERSION}//EN"));
    line(&mut o, "CALSCALE:GREGORIAN");
    line(&mut o, &format!("UID:{}", calendar.hyphenated()));
    vtimezone(&mut o, placed);
    let tzid = &placed.zone.name;
    let n = course.sessions.len();
    for (s, at) in course.sessions.iter().zip(placed.sessions) {
        let t = s
            .times
            .expect("a calendar needs a start time, checked in cli");
        line(&mut o, "BEGIN:VEVENT");
        line(&mut o, &format!("UID:{}", uid(calendar, s)));
        line(&mut o, &format!("DTSTAMP:{}", utc(stamp)));
        line(&mut o, &format!("DTSTART;TZID={tzid}:{}", local(t.begins)));
        line(&mut o, &format!("DTEND;TZID={tzid}:{}", local(t.ends)));
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
        let d = description(p, s, t, n, tzid);
        line(&mut o, &format!("DESCRIPTION:{}", escape(&d.join("\n"))));
        line(
            &mut o,
            if s.provisional {
                "STATUS:TENTATIVE"
            } else {
                "STATUS:CONFIRMED"
            },
        );
        // Reminders before the fast begins (with the escort) and before clear liquids end.
        alarms(&mut o, p, s, at);
        line(&mut o, "END:VEVENT");
    }
    line(&mut o, "END:VCALENDAR");
    o
}

/// When a reminder fires: [`REMINDER_AHEAD`] before its deadline.
fn reminder(deadline: Timestamp) -> Timestamp {
    deadline
        .saturating_sub(REMINDER_AHEAD)
        .expect("a signed duration has no calendar units")
}

/// The zone's `VTIMEZONE`, for the span from the first reminder (or the first session's
/// beginning) to the last session's end.
fn vtimezone(o: &mut String, placed: &Placed) {
    let first = placed
        .sessions
        .iter()
        .flat_map(|s| {
            std::iter::once(s.begins).chain(s.deadlines.iter().flatten().map(|d| reminder(*d)))
        })
        .min();
    let last = placed.sessions.iter().map(|s| s.ends).max();
    let (Some(first), Some(last)) = (first, last) else {
        return;
    };
    push_line(o, "BEGIN:VTIMEZONE");
    push_line(o, &format!("TZID:{}", placed.zone.name));
    for ob in calendar::observances(placed.zone, first, last) {
        observance(o, &ob);
    }
    push_line(o, "END:VTIMEZONE");
}

/// One `STANDARD` or `DAYLIGHT` component of a `VTIMEZONE`.
fn observance(o: &mut String, ob: &Observance) {
    let kind = if ob.daylight { "DAYLIGHT" } else { "STANDARD" };
    push_line(o, &format!("BEGIN:{kind}"));
    push_line(o, &format!("DTSTART:{}", local(ob.onset)));
    push_line(o, &format!("TZOFFSETFROM:{}", utc_offset(ob.from)));
    push_line(o, &format!("TZOFFSETTO:{}", utc_offset(ob.to)));
    if !ob.abbreviation.is_empty() {
        push_line(o, &format!("TZNAME:{}", escape(&ob.abbreviation)));
    }
    push_line(o, &format!("END:{kind}"));
}

/// The description of session `s` of `n`: what it is, whether it is provisional, its times and
/// the patient's instructions, one line each.
fn description(p: &Protocol, s: &Session, t: SessionTimes, n: usize, zone: &str) -> Vec<String> {
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
    if let Some(late) = super::course::late_text(s) {
        d.push(format!("{late}."));
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
    d.push(format!(
        "Dates and times are the clinic's clock in the time zone {zone}."
    ));
    d
}

/// A session's alarms: before the fast begins (with the escort) and before clear liquids end,
/// each [`REMINDER_AHEAD`] of its deadline, triggered from the session's beginning by the time
/// that passes (a change of the clocks between them counted).
fn alarms(o: &mut String, p: &Protocol, s: &Session, at: &SessionInstants) {
    let line = |o: &mut String, l: &str| push_line(o, l);
    let escort = s
        .instructions
        .iter()
        .find(|i| matches!(i, Instruction::Escort))
        .map(|i| instruction_text(i, s));
    for (i, deadline) in s.instructions.iter().zip(&at.deadlines) {
        let Some(deadline) = deadline else { continue };
        let mut text = format!(
            "{}: {} ({REMINDER_AHEAD_TEXT}).",
            p.title,
            instruction_text(i, s)
        );
        if let (Instruction::NoFood { .. }, Some(e)) = (i, &escort) {
            text.push_str(&format!(" {e}."));
        }
        let trigger = reminder(*deadline).duration_since(at.begins).as_secs();
        line(o, "BEGIN:VALARM");
        line(o, "ACTION:DISPLAY");
        line(o, &format!("DESCRIPTION:{}", escape(&text)));
        line(o, &format!("TRIGGER;RELATED=START:{}", duration(trigger)));
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
    fn utc_offsets_follow_rfc_5545() {
        assert_eq!(utc_offset(3600), "+0100");
        assert_eq!(utc_offset(-16_200), "-0430");
        assert_eq!(utc_offset(0), "+0000");
        assert_eq!(utc_offset(561), "+000921");
    }

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(escape("a, b; c\\d\ne"), "a\\, b\\; c\\\\d\\ne");
    }
}
