//! How each bolus is given, as a protocol's `[administration]` table states it: the least time
//! a push takes, and the strengths that are diluted before they are given by the protocol's
//! route. Each fact keeps whose it is and the words it is cited by. Pure: the plan engine
//! applies the dilution (`crate::engine::plan`).

use crate::engine::units::{Concentration, Duration};

/// Whose a fact of the administration table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// The guideline the protocol follows.
    Guideline,
    /// The drug's label (its prescribing information).
    Label,
    /// This project's (or the protocol author's) own choice.
    Project,
}

impl By {
    /// The word of the protocol file: `guideline`, `label`, `project`.
    pub fn as_str(self) -> &'static str {
        match self {
            By::Guideline => "guideline",
            By::Label => "label",
            By::Project => "project",
        }
    }

    /// Reads the word of the protocol file.
    pub fn from_word(word: &str) -> Option<By> {
        match word {
            "guideline" => Some(By::Guideline),
            "label" => Some(By::Label),
            "project" => Some(By::Project),
            _ => None,
        }
    }
}

/// `[administration]`: how each bolus is given.
#[derive(Debug, Clone, PartialEq)]
pub struct Administration {
    /// The least time one bolus is pushed over (`push`), if the protocol gives one.
    pub push: Option<Push>,
    /// The strengths diluted before they are given (`[[administration.dilute]]`).
    pub dilute: Vec<DiluteRule>,
}

/// The least time a bolus is pushed over, whose it is, and the words it is cited by.
#[derive(Debug, Clone, PartialEq)]
pub struct Push {
    pub at_least: Duration,
    pub by: By,
    /// The source's words (`Administer slowly (i.e., over a period of 60 seconds)`).
    pub cite: String,
}

/// A strength that is diluted before it is given by the protocol's route.
#[derive(Debug, Clone, PartialEq)]
pub struct DiluteRule {
    /// The strength as supplied (`100 mg/mL`), one of the protocol's concentrations.
    pub strength: Concentration,
    /// The final volume over the volume of drug: 2 for an equal volume of diluent.
    pub factor: u64,
    /// The diluents it may be diluted with, as the source names them.
    pub diluents: Vec<String>,
    pub by: By,
    /// The source's words.
    pub cite: String,
}

impl DiluteRule {
    /// The strength after dilution: the strength ÷ the factor (`50 mg/mL`).
    pub fn diluted(&self) -> Concentration {
        Concentration {
            value: &self.strength.value / crate::engine::units::int(self.factor as i64),
            ..self.strength.clone()
        }
    }

    /// The diluent named `given` (compared without regard to case or the spaces around it).
    pub fn diluent(&self, given: &str) -> Option<&str> {
        let given = given.trim();
        self.diluents
            .iter()
            .find(|d| d.eq_ignore_ascii_case(given))
            .map(String::as_str)
    }
}

impl Administration {
    /// The rule for a strength, if that strength is diluted before it is given.
    pub fn rule_for(&self, strength: &Concentration) -> Option<&DiluteRule> {
        self.dilute
            .iter()
            .find(|r| r.strength.value == strength.value)
    }
}

/// A dilution a plan states: the strength as supplied, the diluent, and the strength the plan's
/// volumes are of.
#[derive(Debug, Clone, PartialEq)]
pub struct Dilution {
    /// The strength as supplied (`--concentration`).
    pub supplied: Concentration,
    /// The diluent, as the protocol names it.
    pub diluent: String,
    pub factor: u64,
    /// The strength after dilution: every volume of the plan is of it.
    pub diluted: Concentration,
    pub by: By,
    pub cite: String,
}
