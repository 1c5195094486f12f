//! The money's part of the page: the disbursement funnel, the ledger over
//! time, and what waits for an operator.

use std::fmt::Write;

use super::html::{Cell, escape, int, rp, table, verdict};
use super::money::Money;
use super::svg::{BarChart, BarRow, LineChart, Series};

pub fn html(m: &Money) -> String {
    let mut out = String::new();
    if m.lines.is_empty() {
        out.push_str(
            "<p>No entitlement yet: payments start with the first nightly run after the draw.</p>",
        );
    }
    let steps: [(&str, i64, i64); 8] = [
        (
            "entitled",
            m.total(|l| l.entitled),
            m.total(|l| l.entitled_amount),
        ),
        (
            "instructed",
            m.total(|l| l.instructed),
            m.total(|l| l.instructed_amount),
        ),
        (
            "confirmed",
            m.total(|l| l.confirmed),
            m.total(|l| l.confirmed_amount),
        ),
        (
            "failed (to try again)",
            m.total(|l| l.failed),
            m.total(|l| l.failed_amount),
        ),
        (
            "reversed",
            m.total(|l| l.reversed),
            m.total(|l| l.reversed_amount),
        ),
        (
            "no answer yet",
            m.total(|l| l.unknown),
            m.total(|l| l.unknown_amount),
        ),
        (
            "on hold",
            m.total(|l| l.on_hold),
            m.total(|l| l.on_hold_amount),
        ),
        (
            "outstanding",
            m.total(|l| l.outstanding),
            m.total(|l| l.outstanding_amount),
        ),
    ];
    let _ = write!(
        out,
        "<p class=\"lead\">Entitled <b>{}</b>, confirmed paid <b>{}</b>, outstanding <b>{}</b>, on hold <b>{}</b>. \
         An entitlement counts by its latest instruction; no answer means unknown, never failed.</p>",
        rp(steps[0].2),
        rp(steps[2].2),
        rp(steps[7].2),
        rp(steps[6].2),
    );
    let funnel = BarChart {
        title: "Disbursement funnel: entitlements (the note is the amount)".into(),
        series: vec![Series::nth(0, "entitlements")],
        marker: None,
        rows: steps
            .iter()
            .map(|(name, n, amount)| BarRow {
                label: (*name).to_owned(),
                values: vec![*n as f64],
                marker: None,
                note: rp(*amount),
            })
            .collect(),
    };
    out.push_str(&funnel.svg());
    let rows: Vec<Vec<Cell>> = m
        .lines
        .iter()
        .map(|l| {
            vec![
                Cell::Text(l.kind.to_string()),
                Cell::Text(l.provider.clone()),
                Cell::Num(int(l.entitled)),
                Cell::Num(rp(l.entitled_amount)),
                Cell::Num(int(l.instructed)),
                Cell::Num(int(l.confirmed)),
                Cell::Num(rp(l.confirmed_amount)),
                Cell::Num(int(l.failed)),
                Cell::Num(int(l.reversed)),
                Cell::Num(int(l.unknown)),
                Cell::Num(int(l.on_hold)),
                Cell::Num(int(l.outstanding)),
                Cell::Num(rp(l.returned_amount)),
            ]
        })
        .collect();
    let _ = write!(
        out,
        "<details open><summary>By kind and provider</summary>{}</details>",
        table(
            &[
                "kind",
                "provider",
                "entitled",
                "entitled Rp",
                "instructed",
                "confirmed",
                "confirmed Rp",
                "failed",
                "reversed",
                "no answer",
                "on hold",
                "outstanding",
                "returned Rp"
            ],
            &rows
        )
    );
    out.push_str(&ledger(m));
    out.push_str(&waiting(m));
    out
}

fn ledger(m: &Money) -> String {
    let mut due = 0;
    let mut paid = 0;
    let mut returned = 0;
    let mut series = [Vec::new(), Vec::new(), Vec::new()];
    for (_, d, p, r) in &m.days {
        due += d;
        paid += p;
        returned += r;
        series[0].push(due as f64);
        series[1].push(paid as f64);
        series[2].push(returned as f64);
    }
    let [due_s, paid_s, returned_s] = series;
    let chart = LineChart {
        title: "The ledger over time (Rp, cumulative)".into(),
        x_labels: m.days.iter().map(|d| d.0.to_string()).collect(),
        series: vec![
            (Series::nth(2, "entitled (by due date)"), due_s),
            (Series::nth(0, "paid, net (by run date)"), paid_s),
            (Series::nth(1, "balance returned"), returned_s),
        ],
    };
    format!(
        "<h3>The ledger over time</h3>{}<p class=\"note\">Paid is net of reversals and recoveries and counts on the \
         date of the nightly run that instructed it; a training balance is returned when its participant is \
         revoked. The ledger is insert-only: a reversal or a recovery is a new entry.</p>",
        chart.svg()
    )
}

fn waiting(m: &Money) -> String {
    let nothing = m.conflicts == 0 && m.overpayments.is_empty();
    let mut out = format!(
        "<h3>Holds, conflicts and overpayments</h3><p>{} {} unresolved conflicting result(s); {} entitlement(s) \
         on hold ({}): no run makes a new attempt for them until an operator resolves them \
         (<code>prakerja disburse resolve</code>). {} overpayment(s) to recover ({}).</p>",
        verdict(
            nothing,
            if nothing {
                "nothing waits for an operator"
            } else {
                "waits for an operator"
            }
        ),
        int(m.conflicts),
        int(m.on_hold),
        rp(m.on_hold_amount),
        int(m.overpayments.len() as i64),
        rp(m.overpayments.iter().map(|o| o.amount).sum()),
    );
    if !m.overpayments.is_empty() {
        let rows: Vec<Vec<Cell>> = m
            .overpayments
            .iter()
            .map(|o| {
                vec![
                    Cell::Text(o.nik_masked.clone()),
                    Cell::Num(o.entitlement_id.to_string()),
                    Cell::Text(o.kind.to_string()),
                    Cell::Num(rp(o.amount)),
                    Cell::Text(o.paid_instruction.to_string()),
                    Cell::Text(o.conflicting_instruction.to_string()),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                "participant (masked)",
                "entitlement",
                "kind",
                "to recover",
                "paid by",
                "also reported paid",
            ],
            &rows,
        ));
    }
    if !m.conflict_list.is_empty() {
        let rows: Vec<Vec<Cell>> = m
            .conflict_list
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(c.instruction_id.to_string()),
                    Cell::Num(c.entitlement_id.to_string()),
                    Cell::Num(c.attempt.to_string()),
                    Cell::Text(c.kind.to_string()),
                    Cell::Num(rp(c.amount)),
                    Cell::Text(c.nik_masked.clone()),
                    Cell::Text(c.status.to_string()),
                    Cell::Text(c.result.to_string()),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                "instruction",
                "entitlement",
                "attempt",
                "kind",
                "amount",
                "participant (masked)",
                "status",
                "reported",
            ],
            &rows,
        ));
    }
    if !m.resolutions.is_empty() {
        let list: Vec<String> = m
            .resolutions
            .iter()
            .map(|(d, n)| format!("{} {}", int(*n), escape(d)))
            .collect();
        let _ = write!(
            out,
            "<p>Resolved by operators so far: {}.</p>",
            list.join(", ")
        );
    }
    let _ = write!(
        out,
        "<p>All waves: {} result(s) for unknown instructions and {} with a wrong idempotency key \
         (recorded, never applied).{}</p>",
        int(m.unknown_instruction),
        int(m.key_mismatch),
        m.ignored_events
            .iter()
            .map(|(reason, n)| format!(
                " Training events refused, {}: {}.",
                escape(reason),
                int(*n)
            ))
            .collect::<String>()
    );
    let rows: Vec<Vec<Cell>> = m
        .invariants
        .iter()
        .map(|i| {
            vec![
                Cell::Html(verdict(i.holds, if i.holds { "holds" } else { "BROKEN" })),
                Cell::Text(i.name.to_owned()),
                Cell::Num(int(i.violations)),
            ]
        })
        .collect();
    let _ = write!(
        out,
        "<h3>The money's invariants (every wave)</h3>{}",
        table(&["", "invariant", "rows breaking it"], &rows)
    );
    out
}
