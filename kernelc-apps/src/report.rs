//! Timing statistics, aligned text tables and terminal progress for the comparisons printed
//! by the showcase and the examples.

use std::fmt;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Median and range of a set of timed runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stats {
    pub median: Duration,
    pub min: Duration,
    pub max: Duration,
    pub runs: usize,
}

impl Stats {
    /// `None` for no samples. The median of an even count is the mean of the middle two.
    pub fn from_samples(samples: &[Duration]) -> Option<Stats> {
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        let (&min, &max) = (sorted.first()?, sorted.last()?);
        let mid = sorted.len() / 2;
        let median = if sorted.len() % 2 == 1 {
            sorted[mid]
        } else {
            (sorted[mid - 1] + sorted[mid]) / 2
        };
        Some(Stats {
            median,
            min,
            max,
            runs: sorted.len(),
        })
    }

    /// Every figure multiplied by `factor` (an estimate from a part of the work).
    pub fn scaled(&self, factor: u32) -> Stats {
        Stats {
            median: self.median * factor,
            min: self.min * factor,
            max: self.max * factor,
            runs: self.runs,
        }
    }

    /// `min–max`, each with its own unit.
    pub fn range(&self) -> String {
        format!(
            "{}–{}",
            format_duration(self.min),
            format_duration(self.max)
        )
    }
}

/// Runs `run` once untimed (warm-up; its result is returned) and then `runs` times timed.
pub fn time_runs<T, E>(
    runs: usize,
    mut run: impl FnMut() -> Result<T, E>,
) -> Result<(T, Stats), E> {
    let first = run()?;
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let result = run()?;
        samples.push(start.elapsed());
        drop(result);
    }
    let stats = Stats::from_samples(&samples).unwrap_or(Stats {
        median: Duration::ZERO,
        min: Duration::ZERO,
        max: Duration::ZERO,
        runs: 0,
    });
    Ok((first, stats))
}

/// A duration with three significant digits and the unit that suits it
/// (`812 ns`, `4.02 ms`, `1.35 s`): the smallest unit in which it stays below 1000 once
/// rounded.
pub fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    for (scale, unit) in [(1e9, "ns"), (1e6, "µs"), (1e3, "ms")] {
        let value = seconds * scale;
        if value < 999.5 {
            return format!("{} {unit}", three_digits(value));
        }
    }
    format!("{} s", three_digits(seconds))
}

/// A ratio such as a speedup: `812x`, `45.3x`, `1.02x`.
pub fn format_ratio(ratio: f64) -> String {
    if ratio.is_finite() {
        format!("{}x", three_digits(ratio))
    } else {
        "—".to_string()
    }
}

/// Three significant digits (the thresholds are those of the rounded value: 9.996 is
/// `10.0`, not `10.00`).
fn three_digits(value: f64) -> String {
    if value >= 99.95 {
        format!("{value:.0}")
    } else if value >= 9.995 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// A text table with a header row, printed with aligned columns in Markdown pipe syntax.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new<S: Into<String>>(headers: impl IntoIterator<Item = S>) -> Table {
        Table {
            headers: headers.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    pub fn push<S: Into<String>>(&mut self, row: impl IntoIterator<Item = S>) {
        self.rows.push(row.into_iter().map(Into::into).collect());
    }

    fn widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (column, cell) in row.iter().enumerate() {
                let width = cell.chars().count();
                match widths.get_mut(column) {
                    Some(w) => *w = (*w).max(width),
                    None => widths.push(width),
                }
            }
        }
        widths
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let widths = self.widths();
        let line = |f: &mut fmt::Formatter<'_>, cells: &[String]| -> fmt::Result {
            for (column, width) in widths.iter().enumerate() {
                let cell = cells.get(column).map_or("", String::as_str);
                write!(f, "| {cell}{} ", " ".repeat(width - cell.chars().count()))?;
            }
            writeln!(f, "|")
        };
        line(f, &self.headers)?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(f, &rule)?;
        for row in &self.rows {
            line(f, row)?;
        }
        Ok(())
    }
}

/// A one-line progress indicator, shown only when stdout is a terminal (so logs and pipes
/// stay clean). Each update overwrites the line; [`Progress::finish`] clears it.
#[derive(Debug)]
pub struct Progress {
    enabled: bool,
    total: usize,
    done: usize,
}

impl Progress {
    /// Progress over `total` steps, shown if `wanted` and stdout is a terminal.
    pub fn new(total: usize, wanted: bool) -> Progress {
        Progress {
            enabled: wanted && std::io::stdout().is_terminal(),
            total,
            done: 0,
        }
    }

    /// Announces the step about to run.
    pub fn step(&mut self, label: &str) {
        self.done += 1;
        if self.enabled {
            let mut out = std::io::stdout().lock();
            // Progress is best effort: a failed write to the terminal is not worth an error.
            let _ = write!(out, "\r\x1b[2K[{}/{}] {label}", self.done, self.total);
            let _ = out.flush();
        }
    }

    pub fn finish(&mut self) {
        if self.enabled {
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "\r\x1b[2K");
            let _ = out.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_take_the_median_and_the_range() {
        let ms = Duration::from_millis;
        let stats = Stats::from_samples(&[ms(5), ms(1), ms(3)]).unwrap();
        assert_eq!((stats.median, stats.min, stats.max), (ms(3), ms(1), ms(5)));
        let even = Stats::from_samples(&[ms(4), ms(1), ms(2), ms(3)]).unwrap();
        assert_eq!(even.median, Duration::from_micros(2500));
        assert_eq!(Stats::from_samples(&[]), None);
    }

    #[test]
    fn durations_and_ratios_keep_three_digits() {
        assert_eq!(format_duration(Duration::from_nanos(812)), "812 ns");
        assert_eq!(format_duration(Duration::from_micros(4020)), "4.02 ms");
        assert_eq!(format_duration(Duration::from_millis(1350)), "1.35 s");
        assert_eq!(format_duration(Duration::from_micros(45_300)), "45.3 ms");
        assert_eq!(format_duration(Duration::from_micros(12_340)), "12.3 ms");
        assert_eq!(format_duration(Duration::from_millis(1844)), "1.84 s");
        assert_eq!(format_duration(Duration::from_secs(125)), "125 s");
        // Rounding up moves to the next digit or the next unit, never to four digits.
        assert_eq!(format_duration(Duration::from_nanos(9_996)), "10.0 µs");
        assert_eq!(format_duration(Duration::from_nanos(99_960)), "100 µs");
        assert_eq!(format_duration(Duration::from_micros(999_700)), "1.00 s");
        assert_eq!(format_ratio(812.4), "812x");
        assert_eq!(format_ratio(f64::INFINITY), "—");
    }

    #[test]
    fn tables_align_their_columns() {
        let mut table = Table::new(["tier", "time"]);
        table.push(["interpreter", "1.2 s"]);
        table.push(["native", "3 ms"]);
        let expected = "\
| tier        | time  |
| ----------- | ----- |
| interpreter | 1.2 s |
| native      | 3 ms  |
";
        assert_eq!(table.to_string(), expected);
    }
}
