//! The quantity parser: no panic on any text, and every quantity it reads prints the ISMP way
//! and reads back as the very same value.

#![no_main]

use bolus::engine::units::{
    self, BodyMass, Concentration, DosePerWeight, DrugMass, Duration, Kind, Length, MassUnit,
    Volume,
};
use libfuzzer_sys::fuzz_target;

const KINDS: [Kind; 7] = [
    Kind::DrugMass,
    Kind::BodyMass,
    Kind::Time,
    Kind::Volume,
    Kind::Concentration,
    Kind::DosePerWeight,
    Kind::Length,
];

const MASS_UNITS: [MassUnit; 3] = [MassUnit::Mcg, MassUnit::Mg, MassUnit::G];

/// A shown value may be refused on re-reading only for having more digits than a quantity may
/// have (a microgram amount shown in grams needs more than six decimals).
fn refused_only_for_size(shown: &str, e: &units::ParseError) {
    assert!(
        matches!(
            e,
            units::ParseError::TooManyDecimals { .. } | units::ParseError::TooLarge { .. }
        ),
        "`{shown}` was printed but cannot be read back: {e}"
    );
}

/// Prints with `show`, reads back with `parse`, and insists on the same exact value.
fn round_trip<Q>(
    what: &str,
    q: &Q,
    value: impl Fn(&Q) -> units::Num,
    show: impl Fn(&Q) -> String,
    parse: impl Fn(&str) -> Result<Q, units::ParseError>,
) {
    let shown = show(q);
    let number = shown.split(' ').next().unwrap_or("");
    assert!(
        !number.is_empty()
            && number
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-'),
        "{what}: `{shown}` is not a plain decimal"
    );
    assert!(
        !number.starts_with('.'),
        "{what}: no leading zero in `{shown}`"
    );
    assert!(
        !(number.contains('.') && number.ends_with('0')),
        "{what}: trailing zero in `{shown}`"
    );
    match parse(&shown) {
        Ok(back) => assert_eq!(
            value(&back),
            value(q),
            "{what}: `{shown}` read back differently"
        ),
        Err(e) => refused_only_for_size(&shown, &e),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for kind in KINDS {
        for signed in [false, true] {
            if let Ok(r) = units::read(text, kind, signed) {
                assert_eq!(r.kind, kind);
                let _ = r.base();
                let _ = r.mass_unit();
            }
            // What a protocol's strict reading takes, a person's reading takes alike.
            if let Ok(r) = units::read_strict(text, kind, signed) {
                assert_eq!(units::read(text, kind, signed).ok(), Some(r));
            }
        }
    }
    let _ = units::parse_decimal(text);

    if let Ok(m) = units::parse::<DrugMass>(text) {
        assert!(m.value > units::int(0));
        let written = units::read(text, Kind::DrugMass, false).expect("parsed above");
        let unit = written.mass_unit().expect("a drug mass has a mass unit");
        // In the unit it was written in, the value always reads back.
        let shown = units::show_mass(&m, unit);
        let back = units::parse::<DrugMass>(&shown).expect("re-reads in its own unit");
        assert_eq!(back.value, m.value, "`{text}` shown as `{shown}`");
        for u in MASS_UNITS {
            round_trip(
                "drug mass",
                &m,
                |q| q.value.clone(),
                |q| units::show_mass(q, u),
                units::parse::<DrugMass>,
            );
        }
    }
    if let Ok(w) = units::parse::<BodyMass>(text) {
        round_trip(
            "body mass",
            &w,
            |q| q.value.clone(),
            units::show_kg,
            units::parse::<BodyMass>,
        );
    }
    if let Ok(l) = units::parse::<Length>(text) {
        round_trip(
            "length",
            &l,
            |q| q.value.clone(),
            units::show_cm,
            units::parse::<Length>,
        );
    }
    if let Ok(v) = units::parse::<Volume>(text) {
        round_trip(
            "volume",
            &v,
            |q| q.value.clone(),
            units::show_ml,
            units::parse::<Volume>,
        );
    }
    if let Ok(c) = units::parse::<Concentration>(text) {
        round_trip(
            "concentration",
            &c,
            |q| q.value.clone(),
            units::show_concentration,
            units::parse::<Concentration>,
        );
        for u in [MassUnit::Mcg, MassUnit::Mg] {
            round_trip(
                "concentration",
                &c,
                |q| q.value.clone(),
                |q| units::show_per_ml(q, u),
                units::parse::<Concentration>,
            );
        }
    }
    if let Ok(d) = units::parse::<DosePerWeight>(text) {
        for u in [MassUnit::Mcg, MassUnit::Mg] {
            round_trip(
                "dose per weight",
                &d,
                |q| q.value.clone(),
                |q| units::show_per_kg(q, u),
                units::parse::<DosePerWeight>,
            );
        }
    }
    if let Ok(t) = units::parse::<Duration>(text) {
        round_trip(
            "time",
            &t,
            |q| q.value.clone(),
            units::show_time,
            units::parse::<Duration>,
        );
    }
    if let Ok(t) = units::parse_offset(text) {
        round_trip(
            "offset",
            &t,
            |q| q.value.clone(),
            units::show_time,
            units::parse_offset,
        );
    }
    match units::parse_weight(text) {
        Ok(w) => {
            assert!(w.value > units::int(0), "`{text}` gave a weight of zero");
            round_trip(
                "weight",
                &w,
                |q| q.value.clone(),
                units::show_kg,
                units::parse_weight,
            );
            // `82` and `82 kg` are the same weight.
            let bare = units::format_decimal(&w.value);
            assert_eq!(units::parse_weight(&bare).expect("bare").value, w.value);
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    if let Ok(h) = units::parse_height(text) {
        assert!(h.value >= units::int(50) && h.value <= units::int(250));
        round_trip(
            "height",
            &h,
            |q| q.value.clone(),
            units::show_cm,
            units::parse_height,
        );
    }
});
