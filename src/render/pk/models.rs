//! What each model is, in words (source, population, citation), and the published reference
//! bands of plasma concentration drawn beside the curves.

use crate::engine::pk::ModelId;

/// A model's words: its name, the population its constants come from, the paper, and the
/// simulator file whose constants bolus uses.
#[derive(Debug, Clone, Copy)]
pub struct Words {
    pub short: &'static str,
    pub name: &'static str,
    pub population: &'static str,
    pub citation: &'static str,
    pub constants_from: &'static str,
}

/// The words for a model.
pub fn words(m: ModelId) -> Words {
    match m {
        ModelId::Domino => Words {
            short: "Domino",
            name: "Domino et al. 1984, three compartments",
            population: "adults, unmedicated and diazepam-premedicated (the paper's subjects)",
            citation: "Domino EF, et al. Ketamine kinetics in unmedicated and \
diazepam-premedicated subjects. Clin Pharmacol Ther 1984;36(5):645-653. PMID 6488686, as \
stanpumpR cites it (opentiva gives PMID 7198883 for the same constants)",
            constants_from: "opentiva `opentiva/ketamine.py` class `Domino`; stanpumpR \
`R/drugs_ketamine.R` has the same set to three decimals",
        },
        ModelId::Clements => Words {
            short: "Clements",
            name: "Clements & Nimmo 1981, two compartments",
            population: "adults given 250 mcg/kg IV (the set opentiva fits to that bolus)",
            citation: "Clements JA, Nimmo WS. Pharmacokinetics and analgesic effect of ketamine \
in man. Br J Anaesth 1981;53(1):27-30. PMID 7459184, doi:10.1093/bja/53.1.27",
            constants_from: "opentiva `opentiva/ketamine.py` class `Clements250`",
        },
    }
}

/// A range of plasma concentrations that a source cites for an effect, in ng/mL.
#[derive(Debug, Clone, Copy)]
pub struct Band {
    pub low: f64,
    pub high: f64,
    pub effect: &'static str,
    pub source: &'static str,
}

/// The source of the bands.
pub(super) const ZANOS: &str =
    "Zanos P, et al. Ketamine and ketamine metabolite pharmacology: insights \
into therapeutic mechanisms. Pharmacol Rev 2018;70(3):621-660, Table 1";

/// The bands the sources cite for ketamine.
pub const BANDS: [Band; 2] = [
    Band {
        low: 100.0,
        high: 250.0,
        effect: "dissociative effects, at 0.5 mg/kg IV over 40 min",
        source: ZANOS,
    },
    Band {
        low: 1200.0,
        high: 2400.0,
        effect: "anaesthesia",
        source: ZANOS,
    },
];
