//! Lines over an ordinal axis (dates, run by run): one polyline per series
//! with a dot per point, round ticks on the value axis, and at most eight
//! labels on the other.

use std::fmt::Write;

use super::{Series, WIDTH, escape, legend, open, short, ticks};

/// A line chart.
#[derive(Debug, Clone)]
pub struct LineChart {
    pub title: String,
    /// One label per point, left to right.
    pub x_labels: Vec<String>,
    /// Each series has one value per label.
    pub series: Vec<(Series, Vec<f64>)>,
}

const HEIGHT: f64 = 280.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 46.0;
const BOTTOM: f64 = 44.0;

impl LineChart {
    /// The chart as an `<svg>` element.
    pub fn svg(&self) -> String {
        let n = self.x_labels.len();
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let max = self
            .series
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .fold(0.0, f64::max);
        let ticks = ticks(max);
        let top_tick = *ticks.last().unwrap_or(&1.0);
        let x = |i: usize| {
            if n <= 1 {
                LEFT + plot_w / 2.0
            } else {
                LEFT + i as f64 * plot_w / (n - 1) as f64
            }
        };
        let y = |v: f64| TOP + plot_h - v.max(0.0) / top_tick * plot_h;
        let mut out = String::new();
        open(&mut out, HEIGHT, &self.title);
        let _ = write!(
            out,
            "<text x=\"0\" y=\"14\" class=\"title\">{}</text>",
            escape(&self.title)
        );
        let names: Vec<Series> = self.series.iter().map(|(s, _)| s.clone()).collect();
        legend(&mut out, LEFT, 34.0, &names, None);
        for t in &ticks {
            let _ = write!(
                out,
                "<line x1=\"{LEFT}\" x2=\"{right}\" y1=\"{ty:.2}\" y2=\"{ty:.2}\" class=\"grid\"/>\
                 <text x=\"{lx}\" y=\"{ly:.2}\" class=\"tick\" text-anchor=\"end\">{label}</text>",
                right = WIDTH - RIGHT,
                ty = y(*t),
                lx = LEFT - 6.0,
                ly = y(*t) + 4.0,
                label = short(*t)
            );
        }
        // At most eight labels: a date takes about 65 units.
        let every = n.div_ceil(8).max(1);
        for (i, label) in self.x_labels.iter().enumerate() {
            if i % every == 0 || i + 1 == n {
                let _ = write!(
                    out,
                    "<text x=\"{:.2}\" y=\"{}\" class=\"tick\" text-anchor=\"middle\">{}</text>",
                    x(i),
                    HEIGHT - BOTTOM + 18.0,
                    escape(label)
                );
            }
        }
        if n == 0 {
            let _ = write!(
                out,
                "<text x=\"{LEFT}\" y=\"{}\" class=\"note\">nothing to show yet</text>",
                TOP + 20.0
            );
        }
        for (series, values) in &self.series {
            let points: Vec<String> = values
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{:.2},{:.2}", x(i), y(*v)))
                .collect();
            let _ = write!(
                out,
                "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>",
                series.color,
                points.join(" ")
            );
            for (i, v) in values.iter().enumerate() {
                let _ = write!(
                    out,
                    "<circle cx=\"{:.2}\" cy=\"{:.2}\" r=\"2.5\" fill=\"{}\"><title>{} {}: {}</title></circle>",
                    x(i),
                    y(*v),
                    series.color,
                    escape(&series.name),
                    escape(self.x_labels.get(i).map(String::as_str).unwrap_or("")),
                    short(*v)
                );
            }
        }
        out.push_str("</svg>");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::Series;
    use super::*;

    #[test]
    fn one_polyline_per_series_and_a_dot_per_point() {
        let svg = LineChart {
            title: "Ledger".into(),
            x_labels: vec!["2026-01-01".into(), "2026-01-08".into(), "<x>".into()],
            series: vec![
                (Series::nth(0, "paid"), vec![0.0, 5.0, 10.0]),
                (Series::nth(1, "due"), vec![1.0, 6.0, 12.0]),
            ],
        }
        .svg();
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 6);
        assert!(svg.contains("&lt;x&gt;") && !svg.contains("<x>"));
    }

    #[test]
    fn a_single_point_sits_in_the_middle() {
        let svg = LineChart {
            title: "t".into(),
            x_labels: vec!["d".into()],
            series: vec![(Series::nth(0, "s"), vec![3.0])],
        }
        .svg();
        assert!(svg.contains(&format!(
            "cx=\"{:.2}\"",
            LEFT + (WIDTH - LEFT - RIGHT) / 2.0
        )));
    }
}
