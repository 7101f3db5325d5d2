//! The checked protocol: what a protocol file says once it has been read and every rule of
//! `docs/DESIGN.md` holds, grouped as the file is (dose, schedule, weight limits, checkpoints,
//! course, preparation, aftercare). Reading the file is `crate::input::protocol`'s.

use crate::engine::units::{
    int, BodyMass, Concentration, DosePerWeight, DrugMass, Duration, MassUnit, Num,
};

/// The most boluses a plan may hold; a protocol whose plan would need more is refused.
pub const MAX_BOLUSES: u64 = 1_000;

/// The share of the planned total below which `check` finds a plan meant to be given an under-dose,
/// when the protocol sets none (`[dose] under_dose`), as (numerator, denominator): 90%. This
/// project's choice.
pub const DEFAULT_UNDER_DOSE: (i64, i64) = (9, 10);

impl Protocol {
    /// The under-dose fraction `check` applies: the protocol's own, or [`DEFAULT_UNDER_DOSE`].
    pub fn under_dose_fraction(&self) -> Num {
        self.under_dose.clone().unwrap_or_else(|| {
            crate::engine::units::frac(DEFAULT_UNDER_DOSE.0, DEFAULT_UNDER_DOSE.1)
        })
    }
}

/// A checked protocol: every quantity has its dimension, every rule of `docs/DESIGN.md` holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Protocol {
    /// Lowercase letters, digits and `-`; the file's stem.
    pub id: String,
    pub title: String,
    pub drug: String,
    /// The drug's code in a terminology (`code` in the file), for FHIR.
    pub code: Option<MedicationCode>,
    /// The route as the file writes it (`IV`).
    pub route: String,
    /// The route's SNOMED CT code: every route a protocol may name has one.
    pub route_code: RouteCode,
    pub summary: String,
    pub references: Vec<String>,
    /// Drug mass per kilogram of dosing weight.
    pub per_weight: DosePerWeight,
    /// The smallest dose step; doses are whole multiples of it.
    pub increment: DrugMass,
    /// An absolute cap on the total, if any.
    pub max_total: Option<DrugMass>,
    /// Which body weight the dose is computed from.
    pub weight_basis: WeightBasis,
    /// `[dose] under_dose`: the share of the planned total (a fraction greater than zero and at
    /// most one) below which a written plan meant to be given is an under-dose; `None`: the file
    /// sets none, and `check` uses [`DEFAULT_UNDER_DOSE`].
    pub under_dose: Option<Num>,
    /// The fewest boluses a plan may have.
    pub min_count: u64,
    /// The largest single bolus.
    pub max_dose: DrugMass,
    /// The time from one bolus to the next.
    pub interval: Duration,
    /// The presentations a plan may be computed for (`concentrations`); empty: any.
    pub concentrations: Vec<Concentration>,
    pub limits: WeightLimits,
    /// Items printed as tick boxes; the tool decides nothing from them.
    pub checklist: Vec<String>,
    pub checkpoints: Vec<CheckpointRule>,
    /// The course of sessions, if the protocol gives one (`[course]`).
    pub course: Option<CourseRules>,
    /// What the patient does before a session (`[preparation]`).
    pub preparation: Option<Preparation>,
    /// What the patient does after a session (`[aftercare]`).
    pub aftercare: Option<Aftercare>,
    /// What the protocol says of the bedside record: `[vital_bounds]` and `[recovery]`.
    pub bedside: crate::engine::bedside::BedsideRules,
    /// How each bolus is given (`[administration]`): the push time, the strengths diluted.
    pub administration: Option<crate::engine::administration::Administration>,
    /// Whose each rule, checklist item and reference is (`[sources]` and the inline tables).
    pub sources: crate::engine::sources::Sources,
    /// The mass unit doses are shown in: the one `per_weight` is written in.
    pub unit: MassUnit,
    /// SHA-256 of the file's bytes, in lowercase hex.
    pub sha256: String,
    /// Where the protocol came from: built into bolus, or a file.
    pub source: Source,
    /// Under which approval it is used, and who else could change it; set where it is found
    /// ([`crate::input::catalog::Catalog::load`]).
    pub standing: Standing,
}

/// Under which approval a protocol is used, and who besides its owner could change it. Every
/// plan names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Standing {
    pub approval: Approval,
    /// Each file or directory the protocol depends on that its group or others can write to, as
    /// `the protocol file `p.toml` is writable by group`.
    pub writable: Vec<String>,
}

/// The approval a protocol is used under.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Approval {
    /// No protocols directory is set: no approvals apply.
    #[default]
    NoDirectory,
    /// The protocols directory has no approvals file.
    NoApprovalsFile,
    /// Approved: the file's SHA-256 is the one approved.
    Approved {
        by: String,
        /// The operating-system user who recorded the approval.
        user: String,
        at: jiff::Timestamp,
        note: Option<String>,
    },
    /// Not approved, used with `--draft`: every output is marked and unsigned.
    Draft,
}

impl Approval {
    pub fn is_draft(&self) -> bool {
        *self == Approval::Draft
    }
}

/// Where a protocol came from; every plan names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Built into bolus (from `protocols/` when it was built).
    BuiltIn,
    /// A protocol file, by its path as it was named (given, or found in the protocols directory).
    File(String),
}

/// A drug's code in a terminology, such as RxNorm: what FHIR's `Coding` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MedicationCode {
    /// The code system's URI, such as `http://www.nlm.nih.gov/research/umls/rxnorm`.
    pub system: String,
    pub code: String,
    pub display: String,
}

/// A route of administration's SNOMED CT code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteCode {
    pub code: &'static str,
    pub display: &'static str,
}

/// The routes a protocol may name, each with the words that name it (compared without regard to
/// case) and its SNOMED CT code (the "Route of administration value" hierarchy, the codes of
/// FHIR's `route-codes` value set). A protocol naming another route is refused: a FHIR order
/// carries the route coded.
pub const ROUTES: &[(&[&str], RouteCode)] = &[
    (
        &["IV", "intravenous"],
        RouteCode {
            code: "47625008",
            display: "Intravenous route",
        },
    ),
    (
        &["IM", "intramuscular"],
        RouteCode {
            code: "78421000",
            display: "Intramuscular route",
        },
    ),
    (
        &["SC", "SQ", "subcut", "subcutaneous"],
        RouteCode {
            code: "34206005",
            display: "Subcutaneous route",
        },
    ),
    (
        &["PO", "oral", "by mouth"],
        RouteCode {
            code: "26643006",
            display: "Oral route",
        },
    ),
    (
        &["SL", "sublingual"],
        RouteCode {
            code: "37839007",
            display: "Sublingual route",
        },
    ),
    (
        &["buccal"],
        RouteCode {
            code: "54471007",
            display: "Buccal route",
        },
    ),
    (
        &["IN", "intranasal", "nasal"],
        RouteCode {
            code: "46713006",
            display: "Nasal route",
        },
    ),
    (
        &["PR", "rectal"],
        RouteCode {
            code: "37161004",
            display: "Per rectum",
        },
    ),
    (
        &["transdermal"],
        RouteCode {
            code: "45890007",
            display: "Transdermal route",
        },
    ),
    (
        &["topical"],
        RouteCode {
            code: "6064005",
            display: "Topical route",
        },
    ),
    (
        &["intrathecal"],
        RouteCode {
            code: "72607000",
            display: "Intrathecal route",
        },
    ),
    (
        &["intra-arterial"],
        RouteCode {
            code: "58100008",
            display: "Intra-arterial route",
        },
    ),
    (
        &["intradermal"],
        RouteCode {
            code: "372464004",
            display: "Intradermal route",
        },
    ),
];

/// The SNOMED CT code of a route as a protocol names it (`IV`, `intravenous`), if it is one of
/// [`ROUTES`].
pub fn route_code(route: &str) -> Option<RouteCode> {
    let route = route.trim();
    ROUTES
        .iter()
        .find(|(names, _)| names.iter().any(|n| n.eq_ignore_ascii_case(route)))
        .map(|(_, code)| *code)
}

/// The words [`ROUTES`] accepts, for a message: `IV, intravenous, IM, …`.
pub fn route_names() -> String {
    ROUTES
        .iter()
        .flat_map(|(names, _)| names.iter().copied())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a text is an absolute URI as FHIR's `uri` holds it: a scheme, `:`, and more, all of it
/// printable ASCII without spaces (RFC 3986: no control, direction or other non-ASCII character).
/// Whether a text names an identifier or code system as FHIR receivers take one: an absolute
/// URI whose scheme is `http` or `https` (with a host) or `urn` (with a namespace), so that no
/// other scheme (`javascript:`, `file:`) reaches a system that may follow it.
pub fn is_system_uri(text: &str) -> bool {
    if !is_absolute_uri(text) {
        return false;
    }
    let (scheme, rest) = text.split_once(':').expect("an absolute URI has a scheme");
    match scheme.to_ascii_lowercase().as_str() {
        "http" | "https" => rest.strip_prefix("//").is_some_and(|r| {
            r.split(['/', '?', '#'])
                .next()
                .is_some_and(|host| !host.is_empty())
        }),
        "urn" => rest
            .split_once(':')
            .is_some_and(|(nid, nss)| !nid.is_empty() && !nss.is_empty()),
        _ => false,
    }
}

/// Whether a text is an absolute URI (RFC 3986): a scheme, a colon, something after it, and only
/// printable ASCII.
pub fn is_absolute_uri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        && !rest.is_empty()
        && text.chars().all(|c| c.is_ascii_graphic())
}

/// Limits on the patient's actual weight, in the manner of infusion-pump drug libraries.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightLimits {
    pub hard_min: BodyMass,
    pub hard_max: BodyMass,
    pub soft_min: BodyMass,
    pub soft_max: BodyMass,
}

/// Which body weight the dose is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightBasis {
    Actual,
    Ideal,
    Adjusted,
    Lean,
}

impl WeightBasis {
    /// The word used in the protocol file and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            WeightBasis::Actual => "actual",
            WeightBasis::Ideal => "ideal",
            WeightBasis::Adjusted => "adjusted",
            WeightBasis::Lean => "lean",
        }
    }
    /// Whether the basis needs the patient's height and sex.
    pub fn needs_height_and_sex(self) -> bool {
        self != WeightBasis::Actual
    }
}

/// The most sessions a course may hold.
pub const MAX_SESSIONS: i64 = 100;
/// The longest span a course may have, in days.
pub const MAX_SPAN_DAYS: i64 = 366;
/// The longest fast before a session, in hours.
pub const MAX_FAST_HOURS: i64 = 24;
/// The longest aftercare restriction, in hours (7 days).
pub const MAX_RESTRICTION_HOURS: i64 = 168;

/// A course of sessions: how many, how far apart at least, and within how many days.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseRules {
    /// The most sessions in a course.
    pub sessions: u64,
    /// The longest time from the first session's date to the last's, in whole days.
    pub max_span: Duration,
    /// The least time between the dates of two sessions, in whole days (at least 1).
    pub min_gap: Duration,
    /// The dose per weight of each session, in order, where the protocol steps the dose from
    /// session to session (`[course] per_weight`, one a session, none above `[dose]
    /// per_weight`); empty when every session has the protocol's dose.
    pub per_weight: Vec<DosePerWeight>,
}

/// Fasting before a session, timed from the first bolus.
#[derive(Debug, Clone, PartialEq)]
pub struct Preparation {
    /// No food in this time before the first bolus.
    pub no_food: Duration,
    /// Clear liquids are allowed until this time before the first bolus, if at all.
    pub clear_liquids_until: Option<Duration>,
}

/// Restrictions after a session, timed from its end (its last checkpoint or bolus).
#[derive(Debug, Clone, PartialEq)]
pub struct Aftercare {
    pub no_driving: Option<Restriction>,
    pub no_machinery: Option<Restriction>,
    pub no_alcohol: Option<Restriction>,
    /// Whether the patient leaves only with an escort.
    pub escort: bool,
}

/// How long an aftercare restriction lasts.
#[derive(Debug, Clone, PartialEq)]
pub enum Restriction {
    /// Until midnight after the session ends: `rest of the day` in the file.
    RestOfDay,
    /// For this time after the session ends.
    For(Duration),
}

/// The word for [`Restriction::RestOfDay`] in a protocol file.
pub const REST_OF_DAY: &str = "rest of the day";

/// A monitoring action at a time relative to the first or last bolus.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckpointRule {
    pub relative_to: Anchor,
    /// Signed time from the anchor bolus.
    pub offset: Duration,
    pub action: std::sync::Arc<str>,
    /// Whose the action is (`source`), if the file says.
    pub source: Option<crate::engine::sources::Whose>,
}

/// The bolus a checkpoint is timed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    First,
    Last,
}

impl Anchor {
    pub fn as_str(self) -> &'static str {
        match self {
            Anchor::First => "first",
            Anchor::Last => "last",
        }
    }
}

impl Protocol {
    /// The weight above which more than `min_count` boluses are needed for `count` boluses:
    /// `count × max_dose ÷ per_weight`, in kilograms.
    pub fn count_threshold(&self, count: u64) -> Num {
        int(count as i64) * &self.max_dose.value / &self.per_weight.value
    }
}
