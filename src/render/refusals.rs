//! The words of the commands' own refusals: a command line that is wrong whatever the input, an
//! output or an approvals file that cannot be written, a chart with no plan in it; and of the
//! notes the commands write beside their output. The facts are
//! the app's (`crate::app::Failure` and the errors it keeps); where a reason is the operating
//! system's, the app gives it here in words already (`crate::input::files::io_reason`).

use crate::engine::chars::{quote, tidy};
use crate::engine::plan::PlanError;
use crate::engine::units::{self, BodyMass};

/// `--protocols` given empty.
pub const EMPTY_PROTOCOLS: &str = "`--protocols` is empty; name a directory, or leave the option out to use the built-in protocols";

/// `--draft` with a command that makes nothing from a protocol.
pub const DRAFT_NOT_USED: &str = "`--draft` applies to the commands that make plans from a protocol (plan, check, batch, course, chart, drill); leave it out here";

/// `protocols approve` with no protocols directory.
pub const NO_APPROVALS_DIR: &str = "approvals are kept in a protocols directory: name it with `--protocols DIR` or BOLUS_PROTOCOLS";

/// A signal stopped a file being written.
pub const STOPPED: &str = "stopped by a signal";

/// Why `--output` cannot be written: a symbolic link leading nowhere.
pub const BROKEN_LINK: &str = "it is a symbolic link to a file that does not exist (a broken link)";

/// Why `--output` cannot be written: a symbolic link in a loop.
pub const LINK_LOOP: &str = "it is a symbolic link in a loop of links";

/// Why `--output` cannot be written: it is the batch's input.
pub const IS_INPUT: &str = "it is the batch's input file; write the results to another file";

/// Why `--output` cannot be written: it is not a regular file but `kind` (`a directory`).
pub fn not_regular(kind: &str) -> String {
    format!("it is {kind}; `--output` writes a regular file only")
}

/// `batch --output` wrote nothing to `target`, for `reason`.
pub fn cannot_write(target: &str, reason: &str) -> String {
    format!(
        "cannot write {}: {reason}; nothing was written",
        quote(target)
    )
}

/// `batch --output` could not make its temporary file beside `target`, in `dir`.
pub fn cannot_create(target: &str, dir: &str, reason: &str) -> String {
    format!(
        "cannot write {}: cannot create a file in {}: {reason}",
        quote(target),
        quote(dir)
    )
}

/// The output of a protocol used with `--draft` and not approved does not say so.
pub fn unmarked_draft() -> String {
    format!(
        "internal error: the output made with `--draft` from a protocol that is not approved does not say `{}`; nothing is printed",
        super::DRAFT
    )
}

/// A written plan marked as a draft, checked against an approved protocol; `shown` is its
/// name, quoted.
pub fn draft_checked(shown: &str) -> String {
    format!(
        "the plan in {shown} is marked `{}`: a draft is not a plan for a patient; make the plan again from an approved protocol, or check the draft with `--draft`",
        super::DRAFT
    )
}

/// No weight of a chart's span has a plan: the reason is the first weight's, `at`.
pub fn no_chart(
    from: &BodyMass,
    to: &BodyMass,
    protocol: &str,
    at: &BodyMass,
    error: &PlanError,
) -> String {
    format!(
        "no weight from {} to {} has a plan with protocol `{protocol}`: at {}, {error}; `bolus protocols lint` names the weights where no plan exists",
        units::show_kg(from),
        units::show_kg(to),
        units::show_kg(at)
    )
}

/// `SOURCE_DATE_EPOCH` is not whole seconds since 1970.
pub fn source_date_epoch(value: &str) -> String {
    format!(
        "invalid `SOURCE_DATE_EPOCH` {}: expected whole seconds since 1970-01-01 UTC, such as `1796083200`",
        quote(value)
    )
}

/// The `what` (`plan`) on standard input is larger than `limit` (in words: `1 MiB`).
pub fn too_large_on_stdin(what: &str, limit: &str) -> String {
    format!("the {what} on standard input is larger than the limit of {limit}")
}

/// The `what` (`plan`) named `arg` cannot be read, for `reason`.
pub fn cannot_read(what: &str, arg: &str, reason: &str) -> String {
    format!("cannot read {what} {}: {reason}", quote(arg))
}

/// The approvals file `file` is a symbolic link, which an approval would replace.
pub fn approvals_linked(file: &str) -> String {
    format!(
        "cannot write {}: it is a symbolic link, which renaming a new file into place would replace; nothing was approved (make it a regular file first)",
        quote(file)
    )
}

/// The approvals file cannot be read (`error` in words).
pub fn approvals_unreadable(error: &str) -> String {
    format!("{error}; nothing was approved (correct or remove the file first)")
}

/// The approvals file `file` cannot be written, for `reason`.
pub fn approvals_unwritten(file: &str, reason: &str) -> String {
    format!(
        "cannot write {}: {reason}; nothing was approved",
        quote(file)
    )
}

/// The approvals file `file` changed while approvals were recorded.
pub fn approvals_changed(file: &str) -> String {
    format!(
        "{} changed while these approvals were being recorded; nothing was approved, run the command again",
        quote(file)
    )
}

/// The clock gives no time (`error`) to stamp approvals with.
pub fn no_clock(error: &jiff::Error) -> String {
    format!("cannot read the clock: {error}")
}

/// The value of option `flag` (`--by`) is refused, for `reason`.
pub fn invalid_option(flag: &str, reason: &str) -> String {
    format!("invalid `{flag}`: {reason}")
}

/// The protocol file `target` is outside the protocols directory `dir`.
pub fn approve_outside(target: &str, dir: &str) -> String {
    format!(
        "cannot approve {}: it is not in the protocols directory {}; approvals cover that directory's protocols and the built-in ones, so copy the file there first",
        quote(target),
        quote(dir)
    )
}

/// A protocol that `protocols lint` rejects: its first error, and how many there are.
pub fn approve_lint(target: &str, first: &str, count: usize) -> String {
    let more = match count {
        0 | 1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    format!(
        "cannot approve {}: `bolus protocols lint` rejects it{more}: {first}; fix the protocol and lint it again",
        quote(target)
    )
}

/// The lock on the approvals file cannot be taken.
pub fn approvals_unlocked(lock: &str, reason: &str) -> String {
    format!(
        "cannot lock the approvals file with {}: {reason}; nothing was recorded",
        quote(lock)
    )
}

/// Two different files named for protocol `id`.
pub fn approve_two_files(id: &str) -> String {
    format!("cannot approve two different files for protocol `{id}`; name one")
}

/// A note (with its newline) that protocol `id`, named by id, is the built-in one although the
/// protocols directory `dir` is set: it has no file `ARG.toml`.
pub fn builtin_note(id: &str, dir: &str, arg: &str) -> String {
    tidy(&format!(
        "note: protocol `{id}` is the built-in one: the protocols directory {} has no {}",
        quote(dir),
        quote(&format!("{arg}.toml"))
    )) + "\n"
}

/// A note (with its newline) that a soft-limit reason was given for a `weight` within the soft
/// limits of protocol `id`: it is not needed and not printed.
pub fn unneeded_reason_note(
    weight: &BodyMass,
    limits: &crate::engine::protocol::WeightLimits,
    id: &str,
) -> String {
    format!(
        "note: the weight {} is within the soft limits of {} to {} for protocol `{id}`; \
         the reason given with `--accept-soft-limit` is not needed and is not printed\n",
        units::show_kg(weight),
        units::show_kg(&limits.soft_min),
        units::show_kg(&limits.soft_max),
    )
}

/// Why a drill could not start, or stopped: the app's facts, in words below.
#[derive(Debug, Clone, Copy)]
pub enum DrillStop<'a> {
    /// No weight a scale shows lies within the soft limits.
    NoScaleWeight,
    /// No dosing weight within the hard limits has a plan.
    PlansNowhere,
    /// `draws` patients were drawn without a plan.
    NoPlan { draws: u32 },
    /// Reading an answer or writing a question failed, for `reason` (in words already).
    Stopped { reason: &'a str },
    /// `--from` or `--to` (`flag`) is outside the soft limits.
    OutsideSoftLimits { flag: &'a str, weight: &'a BodyMass },
    /// `--from` is above `--to`.
    Reversed {
        from: &'a BodyMass,
        to: &'a BodyMass,
    },
}

impl std::fmt::Display for DrillStop<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DrillStop::NoScaleWeight => {
                f.write_str("no weight a scale shows lies within the soft limits")
            }
            DrillStop::PlansNowhere => f.write_str("no weight within the hard limits has a plan"),
            DrillStop::NoPlan { draws } => {
                write!(
                    f,
                    "{draws} patients drawn within the soft limits had no plan"
                )
            }
            DrillStop::Stopped { reason } => f.write_str(reason),
            DrillStop::OutsideSoftLimits { flag, weight } => write!(
                f,
                "`{flag}` {} is outside the soft limits",
                units::show_kg(weight)
            ),
            DrillStop::Reversed { from, to } => write!(
                f,
                "`--from` {} is above `--to` {}",
                units::show_kg(from),
                units::show_kg(to)
            ),
        }
    }
}

/// Why no drill is run with protocol `id`, soft limits `soft_min` to `soft_max`, and what to do.
pub fn drill(id: &str, soft_min: &BodyMass, soft_max: &BodyMass, stop: DrillStop) -> String {
    match stop {
        DrillStop::NoScaleWeight => format!(
            "no drill with protocol `{id}`: {stop} ({} to {}, in steps of 0.1 kg); `bolus protocols lint` checks the protocol",
            units::show_kg(soft_min),
            units::show_kg(soft_max)
        ),
        DrillStop::PlansNowhere => {
            format!("no drill with protocol `{id}`: {stop}; `bolus protocols lint` says why")
        }
        DrillStop::NoPlan { .. } => format!(
            "no drill with protocol `{id}`: {stop}, so the drill stops before it starts; `bolus protocols lint` names the weights where no plan exists"
        ),
        DrillStop::Stopped { reason } => format!("the drill stopped: {reason}"),
        DrillStop::OutsideSoftLimits { .. } => format!(
            "no drill with protocol `{id}`: {stop} of {} to {}; a drill draws its patients within them",
            units::show_kg(soft_min),
            units::show_kg(soft_max)
        ),
        DrillStop::Reversed { .. } => format!(
            "no drill with protocol `{id}`: {stop}; give the lighter weight to `--from`"
        ),
    }
}

/// A row of `batch --format fhir-ndjson` with an empty `id`.
pub const FHIR_ROW_WITHOUT_ID: &str =
    "the `id` field is empty; a FHIR order needs the row's id as the patient identifier";

/// A row of `batch --format fhir-ndjson` without a start.
pub const FHIR_ROW_WITHOUT_START: &str = "the `start` field is empty or missing; a FHIR order gives each bolus its date and time, so each row needs a `start` (HH:MM)";
