//! Dates from outside are bounded (CONTRACTS.md, `disbursements.runs` and
//! TrainingEvent): a run date at most `disburser.max_days_ahead` days after
//! today in the configured time zone, a training event's `occurred_at` at
//! most that many days plus a small clock allowance after now. A date
//! beyond would revoke and bar people early, make payments due at once, or
//! record a purchase that has not happened.

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use shared::config::DisburserSettings;

/// The bounds of one configuration.
#[derive(Debug, Clone, Copy)]
pub struct DateBounds {
    pub timezone: chrono_tz::Tz,
    pub max_days_ahead: u32,
    pub clock_allowance: Duration,
}

impl DateBounds {
    pub fn from_settings(settings: &DisburserSettings) -> Self {
        Self {
            timezone: settings.timezone,
            max_days_ahead: settings.max_days_ahead,
            clock_allowance: Duration::seconds(
                i64::try_from(settings.clock_allowance_secs).unwrap_or(i64::MAX / 1000),
            ),
        }
    }

    /// Today, in the configured time zone.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.timezone).date_naive()
    }

    /// The latest run date accepted at `now`.
    pub fn latest_run_date(&self, now: DateTime<Utc>) -> NaiveDate {
        self.today(now) + Days::new(u64::from(self.max_days_ahead))
    }

    /// `Err` names the date, today and the setting when `date` lies too far
    /// ahead.
    pub fn check_run_date(&self, date: NaiveDate, now: DateTime<Utc>) -> Result<(), String> {
        let today = self.today(now);
        if date <= self.latest_run_date(now) {
            return Ok(());
        }
        Err(format!(
            "run_date {date} is {} day(s) after today ({today} in {}); disburser.max_days_ahead \
             allows {}: a future run would revoke people and make payments due before their time",
            (date - today).num_days(),
            self.timezone.name(),
            self.max_days_ahead
        ))
    }

    /// The latest `occurred_at` a training event may claim at `now`.
    pub fn latest_event_time(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + self.clock_allowance + Duration::days(i64::from(self.max_days_ahead))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_dates_end_max_days_ahead_after_today_in_the_time_zone() {
        let bounds = DateBounds {
            timezone: chrono_tz::Asia::Jakarta,
            max_days_ahead: 0,
            clock_allowance: Duration::minutes(5),
        };
        // 18:30 UTC is already the next day in Jakarta (+07:00).
        let now = "2026-11-30T18:30:00Z"
            .parse::<DateTime<Utc>>()
            .expect("time");
        let jakarta_today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        assert_eq!(bounds.check_run_date(jakarta_today, now), Ok(()));
        let error = bounds
            .check_run_date(jakarta_today + Days::new(1), now)
            .expect_err("tomorrow is refused");
        assert!(error.contains("max_days_ahead"), "{error}");
        let far = NaiveDate::from_ymd_opt(2099, 1, 1).expect("date");
        let ahead = DateBounds {
            max_days_ahead: 30,
            ..bounds
        };
        assert!(
            ahead
                .check_run_date(jakarta_today + Days::new(30), now)
                .is_ok()
        );
        assert!(ahead.check_run_date(far, now).is_err());
        assert_eq!(
            bounds.latest_event_time(now),
            now + Duration::minutes(5),
            "with no days ahead, only the clock allowance"
        );
    }
}
