//! The floor `bolus batch` is measured against: a program written for one protocol only, the
//! built-in `ketamine-kap-iv` (2 mg/kg in whole milligrams, at least 4 boluses of at most 50 mg,
//! 10 minutes apart, soft limits 40 to 150 kg), in machine integers, std only. It reads the
//! benchmark's CSV (`id,weight` or `id,weight,start`, weights with up to four decimals, every
//! one inside the soft limits, plain ids) and writes the very same CSV as
//! `bolus batch ketamine-kap-iv`; anything else stops it (it checks nothing a real tool must).
//!
//! Build and run (as `benches/run.sh` does):
//!
//! ```sh
//! rustc -C opt-level=3 -C codegen-units=1 -C panic=abort benches/floor.rs -o floor
//! ./floor SHA256 < in.csv > out.csv
//! ```
//!
//! `SHA256` is the protocol file's, which every row ends with (with its approval, `none`).

use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

/// Weights are read in ten-thousandths of a kilogram.
const PLACES: u32 = 4;
const SCALE: u64 = 10_000;
/// 2 mg/kg: the calculated total in ten-thousandths of a milligram is twice the weight's.
const MG_PER_KG: u64 = 2;
const MIN_COUNT: u64 = 4;
const MAX_DOSE_MG: u64 = 50;
const INTERVAL_S: u64 = 600;
const SOFT_MIN: u64 = 40 * SCALE;
const SOFT_MAX: u64 = 150 * SCALE;

const HEADER: &[u8] = b"row,id,weight,dosing_weight,calculated_total,total,count,unit,doses,offsets,times,days,warnings,error,error_code,protocol_sha256,approval\n";

/// Appends a whole number.
fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        n /= 10;
        len += 1;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[..len].iter().rev());
}

/// Appends `n / 10^PLACES` as the shortest decimal.
fn push_fixed(out: &mut Vec<u8>, n: u64) {
    push_u64(out, n / SCALE);
    let mut frac = n % SCALE;
    if frac == 0 {
        return;
    }
    out.push(b'.');
    let mut width = PLACES;
    while frac.is_multiple_of(10) {
        frac /= 10;
        width -= 1;
    }
    let mut digits = [b'0'; PLACES as usize];
    for i in (0..width as usize).rev() {
        digits[i] = b'0' + (frac % 10) as u8;
        frac /= 10;
    }
    out.extend_from_slice(&digits[..width as usize]);
}

/// Appends two digits.
fn push_two(out: &mut Vec<u8>, n: u64) {
    out.push(b'0' + (n / 10) as u8);
    out.push(b'0' + (n % 10) as u8);
}

/// A weight with up to four decimals, in ten-thousandths of a kilogram.
fn parse_weight(text: &[u8]) -> Option<u64> {
    let (whole, frac) = match text.iter().position(|&b| b == b'.') {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, &[][..]),
    };
    if whole.is_empty() || frac.len() > PLACES as usize {
        return None;
    }
    let mut n = 0u64;
    for &b in whole.iter().chain(frac) {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    Some(n * 10u64.pow(PLACES - frac.len() as u32))
}

/// A start `HH:MM`, in seconds into the day.
fn parse_start(text: &[u8]) -> Option<u64> {
    let d = |b: u8| b.is_ascii_digit().then(|| u64::from(b - b'0'));
    match text {
        [h1, h2, b':', m1, m2] => {
            let (h, m) = (d(*h1)? * 10 + d(*h2)?, d(*m1)? * 10 + d(*m2)?);
            (h < 24 && m < 60).then_some(h * 3600 + m * 60)
        }
        _ => None,
    }
}

/// One row's output line; `None` for a row the floor does not handle.
fn row(
    out: &mut Vec<u8>,
    (number, line): (u64, &[u8]),
    has_start: bool,
    tail: &[u8],
) -> Option<()> {
    let mut fields = line.split(|&b| b == b',');
    let id = fields.next()?;
    let weight = parse_weight(fields.next()?)?;
    let start = match (has_start, fields.next()) {
        (true, Some(s)) if !s.is_empty() => Some(parse_start(s)?),
        (true, Some(_)) | (false, None) => None,
        _ => return None,
    };
    if fields.next().is_some() || !(SOFT_MIN..=SOFT_MAX).contains(&weight) {
        return None;
    }
    let total = MG_PER_KG * weight;
    let max_dose = MAX_DOSE_MG * SCALE;
    let count = total.div_ceil(max_dose).max(MIN_COUNT);
    let steps = total / SCALE;
    let (per, larger) = (steps / count, steps % count);
    push_u64(out, number);
    out.push(b',');
    out.extend_from_slice(id);
    for _ in 0..2 {
        out.push(b',');
        push_fixed(out, weight);
    }
    out.push(b',');
    push_fixed(out, total);
    out.push(b',');
    push_u64(out, steps);
    out.push(b',');
    push_u64(out, count);
    out.extend_from_slice(b",mg,");
    for k in 0..count {
        if k > 0 {
            out.push(b';');
        }
        push_u64(out, per + u64::from(k >= count - larger));
    }
    out.push(b',');
    for k in 0..count {
        if k > 0 {
            out.push(b';');
        }
        push_u64(out, k * INTERVAL_S / 60);
        out.extend_from_slice(b" min");
    }
    out.push(b',');
    if let Some(start) = start {
        for k in 0..count {
            if k > 0 {
                out.push(b';');
            }
            let t = (start + k * INTERVAL_S) % 86_400;
            push_two(out, t / 3600);
            out.push(b':');
            push_two(out, t / 60 % 60);
        }
        out.push(b',');
        for k in 0..count {
            if k > 0 {
                out.push(b';');
            }
            push_u64(out, (start + k * INTERVAL_S) / 86_400);
        }
    } else {
        out.push(b',');
    }
    // The warnings, the error and its code are empty; the protocol's SHA-256 and approval.
    out.extend_from_slice(b",,,,");
    out.extend_from_slice(tail);
    Some(())
}

fn main() -> ExitCode {
    let Some(sha) = std::env::args().nth(1).filter(|s| s.len() == 64) else {
        eprintln!("floor: give the protocol file's SHA-256");
        return ExitCode::FAILURE;
    };
    let tail = format!("{sha},none\n").into_bytes();
    let stdin = io::stdin().lock();
    let mut input = io::BufReader::with_capacity(64 * 1024, stdin);
    let mut output = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut line = Vec::new();
    let mut out = Vec::with_capacity(512);
    let mut number = 0u64;
    let mut has_start = false;
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!("floor: cannot read: {e}");
                return ExitCode::FAILURE;
            }
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        if number == 0 {
            has_start = match &line[..] {
                b"id,weight" => false,
                b"id,weight,start" => true,
                _ => {
                    eprintln!("floor: the header must be `id,weight` or `id,weight,start`");
                    return ExitCode::FAILURE;
                }
            };
            out.extend_from_slice(HEADER);
        } else {
            out.clear();
            if row(&mut out, (number, &line), has_start, &tail).is_none() {
                eprintln!("floor: row {number} is not one the floor program handles");
                return ExitCode::FAILURE;
            }
        }
        if let Err(e) = output.write_all(&out) {
            eprintln!("floor: cannot write: {e}");
            return ExitCode::FAILURE;
        }
        number += 1;
    }
    match output.flush() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("floor: cannot write: {e}");
            ExitCode::FAILURE
        }
    }
}
