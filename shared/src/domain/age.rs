//! Age in whole years, measured on the calendar date in Asia/Jakarta of the
//! instant a registration was submitted.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone};
use chrono_tz::Asia::Jakarta;

/// The calendar date in Asia/Jakarta (UTC+7) of an instant:
/// 2026-11-19T20:00:00Z is already 2026-11-20 there.
pub fn jakarta_date<Tz: TimeZone>(instant: &DateTime<Tz>) -> NaiveDate {
    instant.with_timezone(&Jakarta).date_naive()
}

/// Completed years between `birth_date` and `on` (0 if born later). A
/// birthday counts on its own date; someone born on 29 February becomes a
/// year older on 1 March in non-leap years.
pub fn age_on(birth_date: NaiveDate, on: NaiveDate) -> u32 {
    let mut years = on.year() - birth_date.year();
    if (on.month(), on.day()) < (birth_date.month(), birth_date.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

/// Age at an instant, on its Asia/Jakarta date.
pub fn age_at<Tz: TimeZone>(birth_date: NaiveDate, instant: &DateTime<Tz>) -> u32 {
    age_on(birth_date, jakarta_date(instant))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn birthday_counts_on_its_date() {
        assert_eq!(age_on(date(2008, 11, 20), date(2026, 11, 20)), 18);
        assert_eq!(age_on(date(2008, 11, 20), date(2026, 11, 19)), 17);
        assert_eq!(age_on(date(2030, 1, 1), date(2026, 11, 19)), 0);
    }

    #[test]
    fn leap_day_birthday() {
        let born = date(2008, 2, 29);
        assert_eq!(age_on(born, date(2026, 2, 28)), 17);
        assert_eq!(age_on(born, date(2026, 3, 1)), 18);
        assert_eq!(age_on(born, date(2028, 2, 28)), 19);
        assert_eq!(age_on(born, date(2028, 2, 29)), 20);
    }

    #[test]
    fn jakarta_is_seven_hours_ahead() {
        let instant: DateTime<Utc> = "2026-11-19T20:00:00Z".parse().unwrap();
        assert_eq!(jakarta_date(&instant), date(2026, 11, 20));
        assert_eq!(age_at(date(2008, 11, 20), &instant), 18);
        let earlier: DateTime<Utc> = "2026-11-19T16:59:59Z".parse().unwrap();
        assert_eq!(age_at(date(2008, 11, 20), &earlier), 17);
    }
}
