//! The page around the sections: one self-contained HTML document with its
//! style inline, a policy that forbids loading anything (no script, no
//! font, no image from anywhere), readable on a laptop and printable.

use std::fmt::Write;

use super::html::escape;

/// Nothing is fetched, nothing runs: only the inline style applies.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE: &str = "
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif;
       color: #1d2733; background: #fff; margin: 0 auto; padding: 1.5rem 2rem 3rem; max-width: 62rem; }
header { border-bottom: 3px solid #2f6db5; margin-bottom: 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; border-bottom: 1px solid #d5dbe3; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.6rem 0 .4rem; }
nav ol { columns: 2; margin: .4rem 0 0; padding-left: 1.3rem; }
.lead { font-size: 1.02rem; }
.note { color: #55606e; font-size: .9rem; }
code, pre { font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: .85rem; }
pre { background: #f4f6f9; border: 1px solid #d5dbe3; padding: .7rem; overflow-x: auto; white-space: pre-wrap;
      word-break: break-all; }
div.wide { overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .88rem; }
th, td { border-bottom: 1px solid #e3e7ec; padding: .22rem .5rem; text-align: left; vertical-align: top; }
th { background: #f4f6f9; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .5rem 0 1rem; }
dt { color: #55606e; } dd { margin: 0; word-break: break-all; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: .6rem; font-size: .82rem; font-weight: 600; }
.badge.ok { background: #dff3e6; color: #1d6b3a; } .badge.bad { background: #fbe1de; color: #9b2418; }
svg.chart { display: block; max-width: 100%; height: auto; margin: .6rem 0 1rem; font-size: 11px; }
svg.chart text { fill: #1d2733; } svg.chart .title { font-size: 13px; font-weight: 600; }
svg.chart .tick, svg.chart .note { fill: #55606e; }
svg.chart .grid { stroke: #e3e7ec; } svg.chart .marker { stroke: #1d2733; stroke-width: 2; }
details summary { cursor: pointer; color: #2f6db5; }
footer { margin-top: 3rem; color: #55606e; font-size: .85rem; }
@media print {
  body { padding: 0; max-width: none; font-size: 11pt; }
  nav { display: none; }
  h2 { break-before: page; } section:first-of-type h2 { break-before: avoid; }
  svg.chart, table, pre, dl { break-inside: avoid; }
  div.wide { overflow: visible; } table { font-size: 8pt; }
  details > summary { display: none; }
}
";

/// A page being written.
pub struct Page {
    body: String,
    toc: Vec<(String, String)>,
}

impl Page {
    pub fn new() -> Self {
        Page {
            body: String::new(),
            toc: Vec::new(),
        }
    }

    /// Adds a section; `html` is markup built by the report (already escaped).
    pub fn section(&mut self, id: &str, title: &str, html: &str) {
        self.toc.push((id.to_owned(), title.to_owned()));
        let _ = write!(
            self.body,
            "<section id=\"{}\"><h2>{}</h2>{html}</section>",
            escape(id),
            escape(title)
        );
    }

    /// The document; `header` and `footer` are markup built by the report.
    pub fn finish(self, title: &str, header: &str, footer: &str) -> String {
        let mut out = format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{}</title><style>{STYLE}</style></head><body><header>{header}<nav><ol>",
            escape(title)
        );
        for (id, title) in &self.toc {
            let _ = write!(
                out,
                "<li><a href=\"#{}\">{}</a></li>",
                escape(id),
                escape(title)
            );
        }
        let _ = writeln!(
            out,
            "</ol></nav></header><main>{}</main><footer>{footer}</footer></body></html>",
            self.body
        );
        out
    }
}

impl Default for Page {
    fn default() -> Self {
        Self::new()
    }
}
