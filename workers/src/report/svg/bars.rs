//! Horizontal bars: one row per label, stacked segments (one per series),
//! an optional marker per row (a quota, an expected count) and a note at
//! the row's end.

use std::fmt::Write;

use super::{Series, WIDTH, escape, legend, open, short, ticks};

/// One row of a bar chart.
#[derive(Debug, Clone)]
pub struct BarRow {
    pub label: String,
    /// One value per series, stacked left to right.
    pub values: Vec<f64>,
    /// Drawn as a vertical line across the row.
    pub marker: Option<f64>,
    /// Printed after the bar (e.g. the total).
    pub note: String,
}

/// A horizontal bar chart.
#[derive(Debug, Clone)]
pub struct BarChart {
    pub title: String,
    pub series: Vec<Series>,
    /// The markers' name in the legend, if rows carry markers.
    pub marker: Option<String>,
    pub rows: Vec<BarRow>,
}

const LABEL_W: f64 = 190.0;
const NOTE_W: f64 = 150.0;
const ROW_H: f64 = 20.0;
const BAR_H: f64 = 13.0;
const TOP: f64 = 40.0;
const AXIS_H: f64 = 26.0;

/// Labels longer than the label column are cut (the table beside the chart
/// has them whole).
const LABEL_CHARS: usize = 30;

fn fit(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_owned()
    } else {
        let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("{cut}…")
    }
}

impl BarChart {
    /// The chart as an `<svg>` element.
    pub fn svg(&self) -> String {
        let plot_w = WIDTH - LABEL_W - NOTE_W;
        let rows = self.rows.len().max(1) as f64;
        let height = TOP + rows * ROW_H + AXIS_H;
        let max = self
            .rows
            .iter()
            .map(|r| {
                let total: f64 = r.values.iter().sum();
                total.max(r.marker.unwrap_or(0.0))
            })
            .fold(0.0, f64::max);
        let ticks = ticks(max);
        let top_tick = *ticks.last().unwrap_or(&1.0);
        let x = |v: f64| LABEL_W + v / top_tick * plot_w;
        let mut out = String::new();
        open(&mut out, height, &self.title);
        let _ = write!(
            out,
            "<text x=\"0\" y=\"14\" class=\"title\">{}</text>",
            escape(&self.title)
        );
        legend(
            &mut out,
            LABEL_W,
            32.0,
            &self.series,
            self.marker.as_deref(),
        );
        let bottom = TOP + rows * ROW_H;
        for t in &ticks {
            let _ = write!(
                out,
                "<line x1=\"{0}\" x2=\"{0}\" y1=\"{TOP}\" y2=\"{bottom}\" class=\"grid\"/>\
                 <text x=\"{0}\" y=\"{1}\" class=\"tick\" text-anchor=\"middle\">{2}</text>",
                x(*t),
                bottom + 16.0,
                short(*t)
            );
        }
        if self.rows.is_empty() {
            let _ = write!(
                out,
                "<text x=\"{LABEL_W}\" y=\"{}\" class=\"note\">nothing to show</text>",
                TOP + 14.0
            );
        }
        for (i, row) in self.rows.iter().enumerate() {
            let y = TOP + i as f64 * ROW_H + (ROW_H - BAR_H) / 2.0;
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                LABEL_W - 6.0,
                y + BAR_H - 2.0,
                escape(&fit(&row.label))
            );
            let mut start = 0.0;
            for (value, series) in row.values.iter().zip(&self.series) {
                if *value > 0.0 {
                    let _ = write!(
                        out,
                        "<rect x=\"{:.2}\" y=\"{y}\" width=\"{:.2}\" height=\"{BAR_H}\" fill=\"{}\"><title>{}: {}</title></rect>",
                        x(start),
                        (x(start + value) - x(start)).max(0.5),
                        series.color,
                        escape(&series.name),
                        short(*value)
                    );
                }
                start += value;
            }
            if let Some(m) = row.marker {
                let _ = write!(
                    out,
                    "<line x1=\"{0:.2}\" x2=\"{0:.2}\" y1=\"{1}\" y2=\"{2}\" class=\"marker\"/>",
                    x(m),
                    y - 3.0,
                    y + BAR_H + 3.0
                );
            }
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\" class=\"note\">{}</text>",
                WIDTH - NOTE_W + 8.0,
                y + BAR_H - 2.0,
                escape(&row.note)
            );
        }
        out.push_str("</svg>");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::Series;
    use super::*;

    fn chart(rows: Vec<BarRow>) -> String {
        BarChart {
            title: "Quota <&> pool".into(),
            series: vec![Series::nth(0, "selected"), Series::nth(1, "waiting")],
            marker: Some("quota".into()),
            rows,
        }
        .svg()
    }

    #[test]
    fn draws_a_segment_per_positive_value_and_a_marker_per_row() {
        let svg = chart(vec![
            BarRow {
                label: "31 <DKI>".into(),
                values: vec![30.0, 70.0],
                marker: Some(30.0),
                note: "100".into(),
            },
            BarRow {
                label: "32".into(),
                values: vec![0.0, 5.0],
                marker: None,
                note: "5".into(),
            },
        ]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<rect").count(), 2 + 3, "legend 2, bars 3");
        assert_eq!(
            svg.matches("class=\"marker\"").count(),
            1 + 1,
            "legend 1, rows 1"
        );
        assert!(svg.contains("31 &lt;DKI&gt;") && svg.contains("Quota &lt;&amp;&gt; pool"));
        assert!(!svg.contains("<DKI>"));
        assert!(svg.contains("width=\"760\""));
    }

    #[test]
    fn long_labels_are_cut_to_the_label_column() {
        assert_eq!(
            fit("31 Daerah Khusus Ibukota Jakarta"),
            "31 Daerah Khusus Ibukota Jaka…"
        );
        assert_eq!(fit("32 Jawa Barat"), "32 Jawa Barat");
    }

    #[test]
    fn an_empty_chart_still_has_a_size_and_says_so() {
        let svg = chart(Vec::new());
        assert!(svg.contains("height=\""));
        assert!(svg.contains("nothing to show"));
    }
}
