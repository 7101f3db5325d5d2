//! Clock times: an offset from the start across midnight, and a time of day written `14:05`.

use jiff::civil::Time as Clock;
use num_traits::ToPrimitive;

use crate::engine::units::Duration;

/// Seconds since midnight of a clock time.
pub fn seconds_of_day(t: Clock) -> i64 {
    i64::from(t.hour()) * 3600 + i64::from(t.minute()) * 60 + i64::from(t.second())
}

/// A clock time plus a signed offset, across midnight either way; the second value is the
/// day relative to the start (-1, 0, 1, …).
pub fn clock_at(start: Clock, offset: &Duration) -> (Clock, i64) {
    let secs = offset.value.to_integer().to_i64().unwrap_or(0);
    let total = seconds_of_day(start) + secs;
    let day = total.div_euclid(86_400);
    let of_day = total.rem_euclid(86_400);
    let t = Clock::new(
        (of_day / 3600) as i8,
        ((of_day / 60) % 60) as i8,
        (of_day % 60) as i8,
        0,
    )
    .expect("within a day");
    (t, day)
}

/// `14:05`, or `14:05:30` where the seconds are not zero.
pub fn show_clock(t: Clock) -> String {
    // Two digits a field, written directly (a clock time is printed for every bolus and
    // checkpoint); room for a day's mark after it, `00:05 (next day)`.
    let mut out = String::with_capacity(24);
    let fields = [t.hour(), t.minute(), t.second()];
    let shown = if t.second() == 0 { 2 } else { 3 };
    for (i, n) in fields.into_iter().take(shown).enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push(char::from(b'0' + (n / 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
    }
    out
}
