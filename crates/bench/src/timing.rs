//! Timing helpers: run a closure several times and summarise the durations.

use std::time::{Duration, Instant};

use serde::Serialize;

/// The durations of several runs of one operation.
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    pub iterations: usize,
    pub median_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
}

impl Timing {
    /// Summarises a set of run durations.
    pub fn from_durations(durations: &[Duration]) -> Timing {
        assert!(!durations.is_empty(), "a timing needs at least one run");
        let mut milliseconds: Vec<f64> = durations
            .iter()
            .map(|duration| duration.as_secs_f64() * 1000.0)
            .collect();
        milliseconds.sort_by(f64::total_cmp);
        let count = milliseconds.len();
        let median_ms = if count % 2 == 1 {
            milliseconds[count / 2]
        } else {
            (milliseconds[count / 2 - 1] + milliseconds[count / 2]) / 2.0
        };
        Timing {
            iterations: count,
            median_ms,
            min_ms: milliseconds[0],
            max_ms: milliseconds[count - 1],
        }
    }

    /// Items per second at the median duration.
    pub fn rate_at_median(&self, items: usize) -> f64 {
        rate(items, self.median_ms)
    }

    /// Items per second at the fastest duration.
    pub fn rate_at_min(&self, items: usize) -> f64 {
        rate(items, self.min_ms)
    }
}

fn rate(items: usize, milliseconds: f64) -> f64 {
    if milliseconds <= 0.0 {
        return f64::INFINITY;
    }
    items as f64 / (milliseconds / 1000.0)
}

/// Runs `setup` then times `operation` on its output, `iterations` times.
/// Setup time is not counted. The operation's result of the last run is returned
/// so callers can check it did real work.
pub fn measure<S, R>(
    iterations: usize,
    mut setup: impl FnMut() -> S,
    mut operation: impl FnMut(S) -> R,
) -> (Timing, R) {
    let mut durations = Vec::with_capacity(iterations);
    let mut last = None;
    for _ in 0..iterations.max(1) {
        let input = setup();
        let start = Instant::now();
        let result = operation(input);
        durations.push(start.elapsed());
        last = Some(result);
    }
    (
        Timing::from_durations(&durations),
        last.expect("at least one iteration ran"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        let odd = Timing::from_durations(&[
            Duration::from_millis(30),
            Duration::from_millis(10),
            Duration::from_millis(20),
        ]);
        assert_eq!(odd.median_ms, 20.0);
        assert_eq!(odd.min_ms, 10.0);
        assert_eq!(odd.max_ms, 30.0);
        let even = Timing::from_durations(&[
            Duration::from_millis(10),
            Duration::from_millis(40),
            Duration::from_millis(20),
            Duration::from_millis(30),
        ]);
        assert_eq!(even.median_ms, 25.0);
        assert_eq!(even.rate_at_min(1000), 100_000.0);
    }
}
