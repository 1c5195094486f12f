//! HTML text: escaping everything that comes from data, numbers and money
//! as people read them, and small building blocks (tables, definition
//! lists, verdict badges).

use std::fmt::Write;

/// Escapes text for HTML and SVG content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An integer with thousands separators: `1,234,567`.
pub fn int(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Rupiah: `Rp 1,234,567`.
pub fn rp(amount: i64) -> String {
    format!("Rp {}", int(amount))
}

/// A share as a percentage with two decimals.
pub fn percent(part: f64, whole: f64) -> String {
    if whole == 0.0 {
        "–".to_owned()
    } else {
        format!("{:.2}%", part * 100.0 / whole)
    }
}

/// A badge: green when `ok`, red otherwise.
pub fn verdict(ok: bool, text: &str) -> String {
    format!(
        "<span class=\"badge {}\">{}</span>",
        if ok { "ok" } else { "bad" },
        escape(text)
    )
}

/// A table (scrolling sideways when wider than the page); header cells and body cells are escaped, except cells already
/// rendered (`Cell::Html`). Numeric cells align right.
pub fn table(header: &[&str], rows: &[Vec<Cell>]) -> String {
    let mut out = String::from("<div class=\"wide\"><table><thead><tr>");
    for h in header {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            match cell {
                Cell::Text(t) => {
                    let _ = write!(out, "<td>{}</td>", escape(t));
                }
                Cell::Num(t) => {
                    let _ = write!(out, "<td class=\"num\">{}</td>", escape(t));
                }
                Cell::Html(h) => {
                    let _ = write!(out, "<td>{h}</td>");
                }
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    out
}

/// One table cell.
pub enum Cell {
    Text(String),
    Num(String),
    /// Markup built by this module (already escaped).
    Html(String),
}

/// A definition list of (term, value) pairs; both escaped, values in a
/// monospace font when `code`.
pub fn facts(pairs: &[(&str, String)], code: bool) -> String {
    let mut out = String::from("<dl>");
    for (term, value) in pairs {
        let value = escape(value);
        if code {
            let _ = write!(
                out,
                "<dt>{}</dt><dd><code>{value}</code></dd>",
                escape(term)
            );
        } else {
            let _ = write!(out, "<dt>{}</dt><dd>{value}</dd>", escape(term));
        }
    }
    out.push_str("</dl>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
    }

    #[test]
    fn numbers_read_with_separators() {
        assert_eq!(int(0), "0");
        assert_eq!(int(999), "999");
        assert_eq!(int(1000), "1,000");
        assert_eq!(int(-1234567), "-1,234,567");
        assert_eq!(rp(600000), "Rp 600,000");
        assert_eq!(percent(1.0, 3.0), "33.33%");
        assert_eq!(percent(1.0, 0.0), "–");
    }

    #[test]
    fn table_cells_are_escaped_unless_built_here() {
        let html = table(
            &["a<b"],
            &[vec![
                Cell::Text("<i>".into()),
                Cell::Html(verdict(true, "ok")),
            ]],
        );
        assert!(html.contains("<th>a&lt;b</th>"));
        assert!(html.contains("<td>&lt;i&gt;</td>"));
        assert!(html.contains("<span class=\"badge ok\">ok</span>"));
    }
}
