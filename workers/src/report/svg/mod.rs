//! Charts as inline SVG, drawn here in Rust: no script, no external font
//! or style, so a report opens offline and prints as it shows. Two kinds:
//! horizontal bars ([`BarChart`]: stacked segments and an optional marker
//! per row, such as a quota or an expected count) and lines over an
//! ordinal axis ([`LineChart`]). Every label is escaped.

mod bars;
mod line;

use std::fmt::Write;

pub use bars::{BarChart, BarRow};
pub use line::LineChart;

use super::html::escape;

/// Colours of the series, in order (readable in grey when printed).
pub const PALETTE: [&str; 6] = [
    "#2f6db5", "#e08b2f", "#9aa5b1", "#c0392b", "#2e8b57", "#7d3c98",
];

/// Width of every chart, in user units (it scales down with the page).
pub const WIDTH: f64 = 760.0;

/// A named series and its colour.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub color: &'static str,
}

impl Series {
    /// The `n`th series, coloured from the palette.
    pub fn nth(n: usize, name: &str) -> Series {
        Series {
            name: name.to_owned(),
            color: PALETTE[n % PALETTE.len()],
        }
    }
}

/// The opening tag of a chart, with its accessible title.
fn open(out: &mut String, height: f64, title: &str) {
    let _ = write!(
        out,
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\" aria-label=\"{t}\"><title>{t}</title>",
        t = escape(title)
    );
}

/// A legend in one line at `y`, from `x`; `marker` adds a marker's entry.
fn legend(out: &mut String, x: f64, y: f64, series: &[Series], marker: Option<&str>) {
    let mut x = x;
    for s in series {
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{y}\">{}</text>",
            y - 9.0,
            s.color,
            x + 14.0,
            escape(&s.name)
        );
        x += 24.0 + 7.0 * s.name.chars().count() as f64;
    }
    if let Some(name) = marker {
        let _ = write!(
            out,
            "<line x1=\"{x}\" x2=\"{x}\" y1=\"{}\" y2=\"{}\" class=\"marker\"/><text x=\"{}\" y=\"{y}\">{}</text>",
            y - 11.0,
            y + 1.0,
            x + 6.0,
            escape(name)
        );
    }
}

/// Round tick values from 0 to at least `max` (4 or 5 intervals).
fn ticks(max: f64) -> Vec<f64> {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let rough = max / 4.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    // Counts and rupiah: whole steps of 1, 2 or 5 times a power of ten.
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * magnitude)
        .max(1.0);
    let mut out = vec![0.0];
    while *out.last().unwrap_or(&0.0) < max {
        let next = out.len() as f64 * step;
        out.push(next);
    }
    out
}

/// A tick's label: whole numbers with separators, with k/M/B for large ones.
fn short(v: f64) -> String {
    let a = v.abs();
    let (scaled, unit) = if a >= 1e9 {
        (v / 1e9, "B")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e4 {
        (v / 1e3, "k")
    } else {
        return if v.fract() == 0.0 {
            super::html::int(v as i64)
        } else {
            format!("{v:.2}")
        };
    };
    let text = format!("{scaled:.1}");
    format!("{}{unit}", text.trim_end_matches(".0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_cover_the_maximum_in_round_steps() {
        assert_eq!(ticks(0.0), vec![0.0, 1.0]);
        assert_eq!(ticks(10.0), vec![0.0, 5.0, 10.0]);
        assert_eq!(ticks(87.0), vec![0.0, 50.0, 100.0]);
        assert_eq!(ticks(3.0), vec![0.0, 1.0, 2.0, 3.0]);
        let t = ticks(1_234_567.0);
        assert!(*t.last().unwrap() >= 1_234_567.0 && t.len() <= 6, "{t:?}");
    }

    #[test]
    fn short_labels() {
        assert_eq!(short(950.0), "950");
        assert_eq!(short(25_000.0), "25k");
        assert_eq!(short(2_500_000.0), "2.5M");
        assert_eq!(short(0.25), "0.25");
    }
}
