//! The batch's progress bar on standard error, for a terminal: `█████░░░░░ 12.5 MiB/40.0 MiB 3s`,
//! redrawn at most ten times a second and cleared at the end. Integer arithmetic only: a progress
//! bar is no reason to load the maths library at every start of the program.

use std::io::Write;
use std::time::{Duration, Instant};

/// Width of the bar, in characters.
const WIDTH: u64 = 40;

/// The least time between two redraws.
const REDRAW: Duration = Duration::from_millis(100);

/// A progress bar for `total` bytes.
#[derive(Debug)]
pub struct Progress {
    total: u64,
    started: Instant,
    drawn: Option<Instant>,
}

impl Progress {
    pub fn new(total: u64) -> Progress {
        Progress {
            total,
            started: Instant::now(),
            drawn: None,
        }
    }

    /// Shows `bytes` read, unless the bar was drawn less than a tenth of a second ago.
    pub fn set(&mut self, bytes: u64) {
        let now = Instant::now();
        if self.drawn.is_some_and(|t| now.duration_since(t) < REDRAW) {
            return;
        }
        self.drawn = Some(now);
        let text = line(
            bytes,
            self.total,
            now.duration_since(self.started).as_secs(),
        );
        // A progress bar that cannot be drawn is no reason to stop the batch.
        let _ = std::io::stderr().write_all(format!("\r{text}").as_bytes());
    }

    /// Removes the bar from the terminal, if it was drawn.
    pub fn clear(&self) {
        if self.drawn.is_some() {
            let _ = std::io::stderr().write_all(b"\r\x1b[2K");
        }
    }
}

/// The bar's text: `bytes` of `total` as a bar and in MiB, and the seconds elapsed.
pub fn line(bytes: u64, total: u64, seconds: u64) -> String {
    let bytes = bytes.min(total);
    let filled = if total == 0 {
        WIDTH
    } else {
        (u128::from(bytes) * u128::from(WIDTH) / u128::from(total)) as u64
    };
    let mut out = String::with_capacity(3 * WIDTH as usize + 32);
    for i in 0..WIDTH {
        out.push(if i < filled { '█' } else { '░' });
    }
    out.push_str(&format!(" {}/{} {seconds}s", mib(bytes), mib(total)));
    out
}

/// Bytes in MiB with one decimal, rounded down: `12.5 MiB`.
fn mib(bytes: u64) -> String {
    let tenths = u128::from(bytes) * 10 / (1024 * 1024);
    format!("{}.{} MiB", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_shows_the_share_read_and_the_sizes() {
        let mib = 1024 * 1024;
        let half = line(20 * mib, 40 * mib, 3);
        assert_eq!(
            half,
            format!("{}{} 20.0 MiB/40.0 MiB 3s", "█".repeat(20), "░".repeat(20))
        );
        assert!(line(0, 3 * mib / 2 - 1, 0).ends_with("░ 0.0 MiB/1.4 MiB 0s"));
        assert!(line(u64::MAX, u64::MAX, 1).starts_with(&"█".repeat(40)));
        assert_eq!(line(5, 0, 0).chars().filter(|&c| c == '█').count(), 40);
        // More than the total (a file that grew) shows the total.
        assert!(line(50 * mib, 40 * mib, 9).contains(" 40.0 MiB/40.0 MiB 9s"));
    }
}
