//! The lines of `bolus batch --format jsonl` written as bytes. A plan's document is serialised
//! once into a [`Template`]: the bytes serde writes for it, with holes where a row's own text
//! goes (the clock times and days of a start; for the rows of [`crate::engine::fast`], also
//! the weight, the totals, the doses and the warnings). A row is its template with the holes
//! filled: no document is built or serialised per row. The bytes are those of serde for the
//! same document (`tests/differential.rs` holds them to `serde_json` on random protocols and
//! rows).

use serde::Serialize;

use crate::engine::fast::{push_decimal, push_weight, Row};
use crate::render::batch::push_clock;
use crate::render::json::{Bolus, Checkpoint, Doc, Qty, SCHEMA};

/// Where a row's own text goes in a [`Template`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hole {
    /// After the offset of a bolus or checkpoint this many seconds after the first bolus: its
    /// `"time"` and `"day"` with a start, nothing without one.
    Clock(i64),
    /// The values of a plan of the fast engine: the weight, the dosing weight, the calculated
    /// and planned totals, whether the total was capped, the dose and the running total of
    /// bolus `i` (from 0), the warnings array.
    Weight,
    DosingWeight,
    CalculatedTotal,
    Capped,
    Total,
    Dose(u32),
    Cumulative(u32),
    Warnings,
}

/// A plan's JSON document as bytes, with its holes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    bytes: Vec<u8>,
    /// Each hole's position in `bytes`, in order.
    holes: Vec<(usize, Hole)>,
}

/// Builds a [`Template`]: serde's bytes for each value, the document's frame written here in
/// the order of [`Doc`]'s fields.
struct Build {
    t: Template,
    /// Holes for the values of a plan of the fast engine, not only the clocks.
    numbers: bool,
}

impl Build {
    fn raw(&mut self, s: &str) {
        self.t.bytes.extend_from_slice(s.as_bytes());
    }

    fn ser<T: Serialize + ?Sized>(&mut self, value: &T) {
        serde_json::to_writer(&mut self.t.bytes, value).expect("a document serialises");
    }

    fn hole(&mut self, h: Hole) {
        self.t.holes.push((self.t.bytes.len(), h));
    }

    /// `,"key":` and the value.
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        self.raw(",\"");
        self.raw(key);
        self.raw("\":");
        self.ser(value);
    }

    /// `,"key":{"value":…,"unit":…}`, the value a hole when building for the fast engine.
    fn qty(&mut self, key: &str, q: &Qty, hole: Hole) {
        if self.numbers {
            self.raw(",\"");
            self.raw(key);
            self.raw("\":{\"value\":");
            self.hole(hole);
            self.raw(",\"unit\":");
            self.ser(&q.unit);
            self.raw("}");
        } else {
            self.field(key, q);
        }
    }

    fn head(&mut self, d: &Doc) {
        self.raw("{\"schema\":");
        self.ser(&d.schema);
        if let Some(draft) = d.draft {
            self.field("draft", draft);
        }
        self.field("protocol", &d.protocol);
        if let Some(patient) = &d.patient {
            self.field("patient", patient);
        }
        if let Some(date) = &d.date {
            self.field("date", date);
        }
        self.qty("weight", &d.weight, Hole::Weight);
        self.field("weight_basis", &d.weight_basis);
        self.qty("dosing_weight", &d.dosing_weight, Hole::DosingWeight);
        if !d.dosing_weight_formula.is_empty() {
            self.field("dosing_weight_formula", &d.dosing_weight_formula);
        }
        if let Some(h) = &d.height {
            self.field("height", h);
        }
        if let Some(b) = &d.bmi {
            self.field("bmi", b);
        }
        self.field("dose_per_weight", &d.dose_per_weight);
        self.qty(
            "calculated_total",
            &d.calculated_total,
            Hole::CalculatedTotal,
        );
        if self.numbers {
            self.raw(",\"capped\":");
            self.hole(Hole::Capped);
        } else {
            self.field("capped", &d.capped);
        }
        self.qty("total", &d.total, Hole::Total);
        self.field("count", &d.count);
        if let Some(c) = &d.concentration {
            self.field("concentration", c);
        }
        if let Some(dilution) = &d.dilution {
            self.field("dilution", dilution);
        }
        if let Some(push) = &d.push {
            self.field("push", push);
        }
    }

    fn bolus(&mut self, i: usize, b: &Bolus, seconds: i64) {
        self.raw(if i == 0 {
            "{\"number\":"
        } else {
            ",{\"number\":"
        });
        self.ser(&b.number);
        self.field("offset", &b.offset);
        self.hole(Hole::Clock(seconds));
        let i = u32::try_from(i).expect("a plan has few boluses");
        self.qty("dose", &b.dose, Hole::Dose(i));
        if let Some(v) = &b.volume {
            self.field("volume", v);
        }
        if let Some(s) = &b.strength {
            self.field("strength", s);
        }
        self.qty("cumulative", &b.cumulative, Hole::Cumulative(i));
        self.raw("}");
    }

    fn checkpoint(&mut self, i: usize, c: &Checkpoint, seconds: i64) {
        self.raw(if i == 0 {
            "{\"offset\":"
        } else {
            ",{\"offset\":"
        });
        self.ser(&c.offset);
        self.hole(Hole::Clock(seconds));
        self.field("relative_to", &c.relative_to);
        self.field("action", &c.action);
        if let Some(source) = c.source {
            self.field("source", source);
        }
        self.raw("}");
    }

    /// The sources, the checklist, the references and the roles, when there are any.
    fn sources(&mut self, d: &Doc) {
        if !d.sources.is_empty() {
            self.field("sources", &d.sources);
        }
        if !d.checklist.is_empty() {
            self.field("checklist", &d.checklist);
        }
        if !d.references.is_empty() {
            self.field("references", &d.references);
        }
        if !d.roles.is_empty() {
            self.field("roles", &d.roles);
        }
    }

    fn tail(&mut self, d: &Doc) {
        if let Some(e) = &d.explanation {
            self.field("explanation", e);
        }
        if self.numbers {
            self.raw(",\"warnings\":");
            self.hole(Hole::Warnings);
        } else {
            self.field("warnings", &d.warnings);
        }
        self.sources(d);
        self.field("generator", &d.generator);
        self.raw("}");
    }
}

impl Template {
    /// The document `d` of a plan without a start (its clock times, if any, are left out): a
    /// hole for the clock of each bolus and checkpoint, `boluses` and `checkpoints` giving
    /// their seconds after the first bolus, in the document's order. With `numbers`, also a
    /// hole for each value a plan of the fast engine fills ([`Template::write_fast`]).
    pub(crate) fn new(d: &Doc, boluses: &[i64], checkpoints: &[i64], numbers: bool) -> Template {
        let mut b = Build {
            t: Template {
                bytes: Vec::with_capacity(2048),
                holes: Vec::new(),
            },
            numbers,
        };
        b.head(d);
        b.raw(",\"boluses\":[");
        for (i, (bolus, s)) in d.boluses.iter().zip(boluses).enumerate() {
            b.bolus(i, bolus, *s);
        }
        b.raw("],\"checkpoints\":[");
        for (i, (c, s)) in d.checkpoints.iter().zip(checkpoints).enumerate() {
            b.checkpoint(i, c, *s);
        }
        b.raw("]");
        b.tail(d);
        b.t
    }

    /// About how many bytes the template holds.
    pub(crate) fn size(&self) -> usize {
        self.bytes.len() + self.holes.len() * 24 + 64
    }

    /// Appends the document, the clocks of a plan that starts `start` seconds into the day (none
    /// without a start), every other hole by `fill`.
    fn write(
        &self,
        out: &mut Vec<u8>,
        start: Option<i64>,
        mut fill: impl FnMut(Hole, &mut Vec<u8>),
    ) {
        let mut at = 0;
        for &(pos, hole) in &self.holes {
            out.extend_from_slice(&self.bytes[at..pos]);
            at = pos;
            match hole {
                Hole::Clock(o) => {
                    if let Some(s) = start {
                        out.extend_from_slice(b",\"time\":\"");
                        push_clock(out, (s + o).rem_euclid(86_400));
                        out.extend_from_slice(b"\",\"day\":");
                        push_int(out, (s + o).div_euclid(86_400));
                    }
                }
                h => fill(h, out),
            }
        }
        out.extend_from_slice(&self.bytes[at..]);
    }

    /// Appends the document of a template made without `numbers`, with the clocks of a start.
    pub(crate) fn write_timed(&self, out: &mut Vec<u8>, start: Option<i64>) {
        self.write(out, start, |h, _| {
            unreachable!("a template of a whole document has no hole {h:?}")
        });
    }

    /// Appends the document of a plan of the fast engine: this template (made with `numbers`
    /// from a plan of the same protocol and count) with the row's values, its weight as
    /// written (read by [`crate::engine::fast::parse_weight`]).
    pub(crate) fn write_fast(
        &self,
        out: &mut Vec<u8>,
        start: Option<i64>,
        (r, weight): (&Row, &[u8]),
        words: &FastWords,
    ) {
        let places = words.places;
        let smaller = r.count - r.larger;
        self.write(out, start, |h, out| match h {
            Hole::Weight | Hole::DosingWeight => push_weight(out, weight),
            Hole::CalculatedTotal => push_decimal(out, r.calculated_total, places),
            Hole::Total => push_decimal(out, r.planned_total, places),
            Hole::Capped => out.extend_from_slice(if r.capped { b"true" } else { b"false" }),
            Hole::Dose(i) => {
                let dose = if u64::from(i) < smaller {
                    r.base_dose
                } else {
                    r.bigger_dose
                };
                push_decimal(out, dose, places);
            }
            Hole::Cumulative(i) => {
                // The first i + 1 boluses, the larger ones past `smaller`: at most the planned
                // total, which fits.
                let n = u64::from(i) + 1;
                let larger = n.saturating_sub(smaller);
                let sum = r.base_dose * i128::from(n)
                    + (r.bigger_dose - r.base_dose) * i128::from(larger);
                push_decimal(out, sum, places);
            }
            Hole::Warnings => {
                out.push(b'[');
                if r.capped {
                    let [a, b, c] = &words.cap;
                    out.extend_from_slice(a);
                    push_decimal(out, r.calculated_total, places);
                    out.extend_from_slice(b);
                    push_decimal(out, r.product, places);
                    out.extend_from_slice(c);
                    if !words.warnings.is_empty() {
                        out.push(b',');
                    }
                }
                out.extend_from_slice(&words.warnings);
                out.push(b']');
            }
            Hole::Clock(_) => unreachable!("clocks are written by `write`"),
        });
    }
}

/// The text of a protocol's plans of the fast engine that is the same on every row, as JSON.
#[derive(Debug, Clone)]
pub(crate) struct FastWords {
    /// The engine's decimal places of a drug mass.
    places: u32,
    /// The warning of a capped total, in three JSON pieces around its two numbers.
    cap: [Vec<u8>; 3],
    /// The protocol's own warnings, as JSON strings separated by commas.
    warnings: Vec<u8>,
}

impl FastWords {
    pub(crate) fn new(p: &crate::engine::protocol::Protocol, places: u32) -> FastWords {
        // JSON escapes character by character, so the pieces of a sentence escaped one by one
        // are the sentence escaped.
        let piece = |s: &str| {
            let quoted = serde_json::to_vec(s).expect("a string serialises");
            quoted[1..quoted.len() - 1].to_vec()
        };
        let [a, b, c] = crate::render::cap_warning_parts(p.unit);
        let warnings: Vec<Vec<u8>> = crate::render::protocol_warnings(p)
            .iter()
            .map(|w| serde_json::to_vec(w).expect("a string serialises"))
            .collect();
        FastWords {
            places,
            cap: [
                [b"\"".as_slice(), &piece(&a)].concat(),
                piece(&b),
                [piece(&c).as_slice(), b"\""].concat(),
            ],
            warnings: warnings.join(&b","[..]),
        }
    }
}

/// Appends the start of a batch line, up to its plan:
/// `{"schema":1,"row":…,"id":…,"protocol_sha256":…,"approval":…,"plan":`,
/// with the draft mark of a draft batch.
pub(crate) fn line_head(
    out: &mut Vec<u8>,
    (row, id): (u64, &str),
    standing: &crate::render::batch::Standing,
    draft: Option<&str>,
) {
    out.extend_from_slice(b"{\"schema\":");
    push_int(out, i64::from(SCHEMA));
    out.extend_from_slice(b",\"row\":");
    push_u64(out, row);
    out.extend_from_slice(b",\"id\":");
    push_str(out, id);
    out.extend_from_slice(b",\"protocol_sha256\":");
    push_str(out, &standing.sha256);
    out.extend_from_slice(b",\"approval\":");
    push_str(out, standing.approval);
    if let Some(d) = draft {
        out.extend_from_slice(b",\"draft\":");
        push_str(out, d);
    }
    out.extend_from_slice(b",\"plan\":");
}

/// Appends a JSON string as serde writes it: text that needs no escape as it is, any other
/// through serde.
fn push_str(out: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        serde_json::to_writer(out, s).expect("a string serialises");
    }
}

/// Appends a whole number in decimal.
fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// Appends a whole number in decimal, with its sign.
fn push_int(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    push_u64(out, n.unsigned_abs());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_serde_escapes_them() {
        for s in [
            "P1",
            "",
            "a\"b",
            "back\\slash",
            "tab\there",
            "\u{1}\u{1f}\u{7f}",
            "é ü 漢字 🙂",
            "line\nbreak",
            // Strings made only of what must be escaped: a test of each byte the fast path
            // lets through, one at a time.
            "\"",
            "\"\"",
            "\\",
            "\\\\",
            "\u{1}",
            "\u{1f}\u{1}",
        ] {
            let mut out = Vec::new();
            push_str(&mut out, s);
            assert_eq!(out, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn whole_numbers_are_written_as_serde_writes_them() {
        for n in [0, 1, 9, 10, 99, 100, -1, -10, i64::MAX, i64::MIN, 86_400] {
            let mut out = Vec::new();
            push_int(&mut out, n);
            assert_eq!(out, serde_json::to_vec(&n).unwrap(), "{n}");
        }
        let mut out = Vec::new();
        push_u64(&mut out, u64::MAX);
        assert_eq!(out, serde_json::to_vec(&u64::MAX).unwrap());
    }
}
