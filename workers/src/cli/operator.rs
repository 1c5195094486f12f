//! Who runs `prakerja`: recorded with every decision an operator makes
//! (resolutions, runs requested, approvals, pauses, payout changes, replays).

use crate::app::App;

/// The configured operator name (`disburser.operator_name`,
/// `PRAKERJA__DISBURSER__OPERATOR_NAME`), else the OS user.
pub fn operator(app: &App) -> String {
    app.settings
        .disburser
        .operator_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .unwrap_or_else(|| "unknown operator".to_owned())
}
