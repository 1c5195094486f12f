//! The reconciliation report for a person.

use std::fmt::Write;

use super::{Line, Reconciliation};

pub fn human(r: &Reconciliation) -> String {
    let mut text = format!(
        "reconciliation{}\n",
        r.as_of
            .map(|d| format!(" of entitlements due by {d}"))
            .unwrap_or_default()
    );
    let header = [
        "wave",
        "kind",
        "provider",
        "entitled",
        "entitled Rp",
        "instructed",
        "confirmed",
        "confirmed Rp",
        "failed",
        "reversed",
        "unknown",
        "outstanding",
        "on hold",
        "returned Rp",
    ];
    row(&mut text, &header.map(str::to_owned));
    for l in &r.lines {
        row(
            &mut text,
            &[
                l.wave_id.to_string(),
                l.kind.to_string(),
                l.provider.clone(),
                l.entitled.to_string(),
                l.entitled_amount.to_string(),
                l.instructed.to_string(),
                l.confirmed.to_string(),
                l.confirmed_amount.to_string(),
                l.failed.to_string(),
                l.reversed.to_string(),
                l.unknown.to_string(),
                l.outstanding.to_string(),
                l.on_hold.to_string(),
                l.returned_amount.to_string(),
            ],
        );
    }
    let sum = |f: fn(&Line) -> i64| r.lines.iter().map(f).sum::<i64>();
    let _ = writeln!(
        text,
        "totals: entitled Rp {}, confirmed Rp {}, outstanding Rp {}, unknown Rp {}, on hold Rp {}, returned Rp {}",
        sum(|l| l.entitled_amount),
        sum(|l| l.confirmed_amount),
        sum(|l| l.outstanding_amount),
        sum(|l| l.unknown_amount),
        sum(|l| l.on_hold_amount),
        sum(|l| l.returned_amount)
    );
    unresolved(&mut text, r);
    for (reason, count) in &r.ignored_events {
        let _ = writeln!(text, "training events refused, {reason}: {count}");
    }
    text.push_str("invariants:\n");
    for i in &r.invariants {
        let _ = writeln!(
            text,
            "  {} {}{}",
            if i.holds { "ok    " } else { "BROKEN" },
            i.name,
            if i.holds {
                String::new()
            } else {
                format!(": {}", i.detail)
            }
        );
    }
    text
}

fn unresolved(text: &mut String, r: &Reconciliation) {
    let u = &r.unresolved;
    if !u.any() {
        text.push_str("nothing waits for an operator\n");
        return;
    }
    let _ = writeln!(
        text,
        "WAITING FOR AN OPERATOR (prakerja disburse resolve INSTRUCTION --as ... --note ...):\n  \
         {} conflicting result(s), {} entitlement(s) on hold (Rp {}); {} overpayment(s) to recover (Rp {}); \
         {} result(s) for unknown instructions, {} with a wrong idempotency key (recorded, never applied)",
        u.conflicts,
        u.entitlements_on_hold,
        u.on_hold_amount,
        u.overpayments.len(),
        u.overpaid_amount,
        u.unknown_instruction,
        u.key_mismatch
    );
    for o in &u.overpayments {
        let _ = writeln!(
            text,
            "  OVERPAID {} entitlement {} ({}) Rp {}: instruction {} succeeded and instruction {} reported SUCCESS too",
            o.nik_masked,
            o.entitlement_id,
            o.kind,
            o.amount,
            o.paid_instruction,
            o.conflicting_instruction
        );
    }
    for c in &u.conflict_list {
        let _ = writeln!(
            text,
            "  conflict: instruction {} (entitlement {}, attempt {}, {} Rp {}, {}) is {} and reported {}",
            c.instruction_id,
            c.entitlement_id,
            c.attempt,
            c.kind,
            c.amount,
            c.nik_masked,
            c.status,
            c.result
        );
    }
    for b in &u.unbelieved_list {
        let _ = writeln!(
            text,
            "  {}: instruction {} key {:?} reported {} (result {})",
            b.outcome, b.instruction_id, b.idempotency_key, b.status, b.result_id
        );
    }
    let listed = (u.conflict_list.len() + u.unbelieved_list.len()) as i64;
    let all = u.conflicts + u.unknown_instruction + u.key_mismatch;
    if all > listed {
        let _ = writeln!(text, "  ... and {} more not listed", all - listed);
    }
}

fn row(text: &mut String, cells: &[String; 14]) {
    let _ = writeln!(
        text,
        "{:>4} {:<16} {:<13} {:>9} {:>15} {:>10} {:>9} {:>15} {:>7} {:>8} {:>8} {:>11} {:>7} {:>13}",
        cells[0],
        cells[1],
        cells[2],
        cells[3],
        cells[4],
        cells[5],
        cells[6],
        cells[7],
        cells[8],
        cells[9],
        cells[10],
        cells[11],
        cells[12],
        cells[13]
    );
}
