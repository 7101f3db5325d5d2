//! The words of the bedside record (`bolus record`): what each command says it wrote, the
//! refusals, the status for the chart (text and HTML: planned against actual side by side,
//! every entry with its time and who), and the record as an HL7 FHIR R4 Bundle.
//!
//! This file holds the [`Sheet`] the status and the export are made from and the clock times and
//! doses they share; `refusals.rs` has the entries refused, `said.rs` what the writing commands
//! say, `vitals.rs` and `discharge.rs` the vital signs and the discharge in words, `status.rs`
//! the status for the chart, and `resources.rs` and `export.rs` the FHIR Bundle.

mod discharge;
mod export;
mod refusals;
mod resources;
mod said;
mod status;
mod vitals;

use super::{clock_on_day, Context};
use crate::engine::calendar::Dated;
use crate::engine::plan::Plan;
use crate::engine::record::Entry;
use crate::engine::units::{self, DrugMass, Duration};

pub use discharge::{discharge_flag, discharge_flagged, discharged, recovery_rule};
pub use export::fhir;
pub use refusals::{
    cannot_write, damaged, exists, flag, flagged, locked, no_such_time, nothing_to_check,
    plan_changed, protocol_changed, refused, replay, DRAFT_REFUSED, NOT_STDOUT,
};
pub use resources::{LOINC, OBSERVATION_CATEGORY, PERFORM_FUNCTION};
pub use said::{corrected, entry_written, given, started, withheld};
pub use status::{status_html, status_text};
pub use vitals::{vital_bounds_line, vital_flag, vitals_said};

/// What the status and the FHIR export are made from.
pub struct Sheet<'a> {
    pub ctx: Context<'a>,
    pub plan: &'a Plan,
    pub entries: &'a [Entry],
    /// When each entry was recorded, the opening first.
    pub recorded: &'a [jiff::Timestamp],
    /// The planned first bolus, in the session's zone.
    pub first: &'a jiff::Zoned,
    /// The session's zone, by name.
    pub zone: &'a str,
    pub patient: &'a str,
    pub patient_system: Option<&'a str>,
    /// Each planned bolus on the calendar.
    pub times: &'a [Dated],
    pub plan_sha256: &'a str,
    /// The protocol's approval when the record was opened, in words.
    pub protocol_approval: &'a str,
}

/// The moment an offset from the planned first bolus names, in the session's zone.
pub fn zoned(first: jiff::Zoned, at: &Duration) -> Option<jiff::Zoned> {
    let secs = num_traits::ToPrimitive::to_i64(&units::seconds_of(at).to_integer())?;
    first
        .checked_add(jiff::SignedDuration::from_secs(secs))
        .ok()
}

/// `14:02`, `00:10 (next day)`: the clock time of an offset, its day counted from the planned
/// first bolus's.
fn clock(s: &Sheet, at: &Duration) -> String {
    match zoned(s.first.clone(), at) {
        Some(z) => {
            let day = (z.date() - s.first.date()).get_days() as i64;
            clock_on_day(z.time(), day)
        }
        None => "(a time outside the calendar)".into(),
    }
}

fn fhir_time(s: &Sheet, at: &Duration) -> String {
    zoned(s.first.clone(), at)
        .map(|z| z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
        .unwrap_or_default()
}

fn mass(s: &Sheet, m: &DrugMass) -> String {
    units::show_mass(m, s.ctx.protocol.unit)
}
