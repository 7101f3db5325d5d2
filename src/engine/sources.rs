//! Whose each rule of a protocol is: the guideline it follows, the drug's label, an account of
//! practice, or the protocol's own choice. A protocol file tags its rules in an optional
//! `[sources]` table, each checklist item and each reference with an inline table
//! (`{ item = "…", source = "guideline" }`), and each checkpoint with a `source` key; every plan
//! prints the tags beside the rules. Pure data: the words are the renderer's.

/// Whose a rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Whose {
    /// The guideline the protocol follows.
    Guideline,
    /// The drug's label (its prescribing information).
    Label,
    /// An account of practice (one clinic's or one patient's).
    Account,
    /// The protocol's own choice, in none of its sources.
    Project,
}

impl Whose {
    /// Every source, in the order a plan lists them.
    pub const ALL: [Whose; 4] = [
        Whose::Guideline,
        Whose::Label,
        Whose::Account,
        Whose::Project,
    ];

    /// The word of the protocol file and of JSON: `guideline`, `label`, `account`, `project`.
    pub fn as_str(self) -> &'static str {
        match self {
            Whose::Guideline => "guideline",
            Whose::Label => "label",
            Whose::Account => "account",
            Whose::Project => "project",
        }
    }

    /// Reads the word of the protocol file (exactly as written).
    pub fn from_word(word: &str) -> Option<Whose> {
        Whose::ALL.into_iter().find(|w| w.as_str() == word)
    }

    /// Whether the protocol must name a reference for it: every source but its own choice.
    pub fn needs_reference(self) -> bool {
        self != Whose::Project
    }
}

/// A rule's source, and a note on how the rule follows from it (the range a value was chosen
/// from, the facts a choice rests on), if the protocol gives one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub whose: Whose,
    pub note: Option<String>,
}

/// A rule of a protocol that `[sources]` tags, by the key it is tagged with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    /// `route`.
    Route,
    /// `[dose] per_weight`.
    PerWeight,
    /// `[dose] increment`: the rounding of every dose.
    Increment,
    /// `[dose] max_total`.
    MaxTotal,
    /// `[dose] under_dose`.
    UnderDose,
    /// `[boluses] min_count`.
    MinCount,
    /// `[boluses] max_dose`.
    MaxDose,
    /// `[boluses] interval`.
    Interval,
    /// `[weight]`: the hard and soft limits.
    Weight,
    /// `concentrations`.
    Concentrations,
    /// The checkpoints' offsets (each checkpoint's action has its own `source`).
    Offsets,
    /// The roles of a signed plan: who orders, who gives, who monitors.
    Roles,
    /// The independent double check before the first bolus.
    DoubleCheck,
    /// The witness of wasted drug.
    Waste,
}

impl Rule {
    /// Every rule, in the order of the `[sources]` table's documentation.
    pub const ALL: [Rule; 14] = [
        Rule::Route,
        Rule::PerWeight,
        Rule::Increment,
        Rule::MaxTotal,
        Rule::UnderDose,
        Rule::MinCount,
        Rule::MaxDose,
        Rule::Interval,
        Rule::Weight,
        Rule::Concentrations,
        Rule::Offsets,
        Rule::Roles,
        Rule::DoubleCheck,
        Rule::Waste,
    ];

    /// The key of the `[sources]` table and of JSON.
    pub fn key(self) -> &'static str {
        match self {
            Rule::Route => "route",
            Rule::PerWeight => "per_weight",
            Rule::Increment => "increment",
            Rule::MaxTotal => "max_total",
            Rule::UnderDose => "under_dose",
            Rule::MinCount => "min_count",
            Rule::MaxDose => "max_dose",
            Rule::Interval => "interval",
            Rule::Weight => "weight",
            Rule::Concentrations => "concentrations",
            Rule::Offsets => "offsets",
            Rule::Roles => "roles",
            Rule::DoubleCheck => "double_check",
            Rule::Waste => "waste",
        }
    }

    /// The rule tagged with `key`.
    pub fn from_key(key: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.key() == key)
    }
}

/// Whose every rule, checklist item and reference of a protocol is, as far as the file says.
/// `checklist` and `references` run beside the protocol's own lists, one entry an item (`None`:
/// untagged); each checkpoint keeps its own tag.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    /// The tagged rules, in the order of [`Rule::ALL`].
    pub rules: Vec<(Rule, Tag)>,
    pub checklist: Vec<Option<Whose>>,
    pub references: Vec<Option<Whose>>,
}

impl Sources {
    /// The tag of a rule, if the protocol gives one.
    pub fn of(&self, rule: Rule) -> Option<&Tag> {
        self.rules.iter().find(|(r, _)| *r == rule).map(|(_, t)| t)
    }

    /// The source of checklist item `i`, if the protocol gives one.
    pub fn item(&self, i: usize) -> Option<Whose> {
        self.checklist.get(i).copied().flatten()
    }

    /// The source of reference `i`, if the protocol gives one.
    pub fn reference(&self, i: usize) -> Option<Whose> {
        self.references.get(i).copied().flatten()
    }

    /// Whether nothing is tagged (the rules, the checklist and the references; the checkpoints
    /// are the caller's to add).
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
            && self.checklist.iter().all(Option::is_none)
            && self.references.iter().all(Option::is_none)
    }
}

#[cfg(test)]
mod tests {
    use super::{Rule, Whose};

    #[test]
    fn every_word_and_key_reads_back() {
        for w in Whose::ALL {
            assert_eq!(Whose::from_word(w.as_str()), Some(w));
        }
        for r in Rule::ALL {
            assert_eq!(Rule::from_key(r.key()), Some(r));
        }
        assert_eq!(Whose::from_word("Guideline"), None);
        assert_eq!(Rule::from_key("dose"), None);
        assert!(!Whose::Project.needs_reference());
        assert!(Whose::Label.needs_reference());
    }
}
