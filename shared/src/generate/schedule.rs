//! When synthetic registrations are submitted: spread over the wave's
//! window with an opening rush, a closing rush, busy evenings and quiet
//! nights (Asia/Jakarta), in submission order.

use chrono::{DateTime, Duration, TimeZone, Timelike, Utc};
use chrono_tz::Asia::Jakarta;
use rand::RngExt;

/// How long after the close a late record (`WAVE_CLOSED`) claims to have
/// been submitted, at most: someone pressing submit just after the deadline.
/// Well inside the validator's clock allowance, so a late record is
/// `WAVE_CLOSED` and nothing else when it is received after the close.
pub const LATE_SPAN: Duration = Duration::seconds(60);

/// A late record's time: within [`LATE_SPAN`] of the first whole second at
/// or after `close` (times are written to the second).
pub fn late<R: RngExt + ?Sized>(rng: &mut R, close: DateTime<Utc>) -> DateTime<Utc> {
    let from = ceil_second(close);
    from + Duration::seconds(rng.random_range(0..LATE_SPAN.num_seconds()))
}

/// The first whole second at or after `at`.
fn ceil_second(at: DateTime<Utc>) -> DateTime<Utc> {
    match at.with_nanosecond(0) {
        Some(whole) if whole < at => whole + Duration::seconds(1),
        _ => at,
    }
}

/// Relative registrations per hour of the day in Jakarta (00:00-23:00).
const HOURLY: [f64; 24] = [
    0.60, 0.35, 0.20, 0.15, 0.25, 0.60, 1.00, 1.40, 1.80, 2.00, 2.10, 2.00, //
    1.90, 1.90, 1.80, 1.70, 1.70, 1.80, 2.00, 2.40, 2.80, 2.90, 2.40, 1.40,
];

/// The submission-time distribution of a window, as hourly buckets.
#[derive(Debug, Clone)]
pub struct Schedule {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    /// Cumulative weight at the end of each bucket.
    cumulative: Vec<f64>,
}

impl Schedule {
    /// The schedule of `[start, end)`; an empty or reversed window is taken
    /// as the day before `end`.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Schedule {
        let end = end.with_nanosecond(0).unwrap_or(end);
        // Rounded up: no instant of the schedule is before `start`.
        let start = ceil_second(start);
        let start = if start < end {
            start
        } else {
            end - Duration::days(1)
        };
        let seconds = (end - start).num_seconds();
        let hours = (seconds + 3599) / 3600;
        let days = seconds as f64 / 86_400.0;
        let mut cumulative = Vec::with_capacity(hours as usize);
        let mut total = 0.0;
        for hour in 0..hours {
            let at = start + Duration::hours(hour);
            let length = (seconds - hour * 3600).min(3600) as f64 / 3600.0;
            let day = hour as f64 / 24.0;
            let opening = 1.0 + 1.5 * (-day / 1.5).exp();
            let closing = if days - day <= 1.0 { 1.8 } else { 1.0 };
            let local_hour = Jakarta.from_utc_datetime(&at.naive_utc()).hour() as usize;
            total += HOURLY[local_hour] * opening * closing * length;
            cumulative.push(total);
        }
        Schedule {
            start,
            end,
            cumulative,
        }
    }

    /// The instant at quantile `q` (in `[0, 1)`) of the distribution, to the
    /// second; always inside the window. Increasing `q` never goes back.
    pub fn at(&self, q: f64) -> DateTime<Utc> {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let target = q.clamp(0.0, 1.0) * total;
        let bucket = self.cumulative.partition_point(|c| *c <= target);
        let bucket = bucket.min(self.cumulative.len().saturating_sub(1));
        let before = if bucket == 0 {
            0.0
        } else {
            self.cumulative[bucket - 1]
        };
        let weight = self.cumulative[bucket] - before;
        let fraction = if weight > 0.0 {
            (target - before) / weight
        } else {
            0.0
        };
        let bucket_start = self.start + Duration::hours(bucket as i64);
        let bucket_seconds = (self.end - bucket_start).num_seconds().min(3600);
        let offset = (fraction * bucket_seconds as f64) as i64;
        let at = bucket_start + Duration::seconds(offset.clamp(0, bucket_seconds - 1));
        at.min(self.end - Duration::seconds(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evenings_busier_than_nights_and_inside_window() {
        let start: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        let end: DateTime<Utc> = "2026-11-15T00:00:00Z".parse().unwrap();
        let schedule = Schedule::new(start, end);
        let mut by_hour = [0u32; 24];
        let mut previous = start;
        for i in 0..10_000 {
            let at = schedule.at((f64::from(i) + 0.5) / 10_000.0);
            assert!(at >= previous && at >= start && at < end);
            previous = at;
            by_hour[Jakarta.from_utc_datetime(&at.naive_utc()).hour() as usize] += 1;
        }
        assert!(by_hour[20] > 3 * by_hour[3], "{by_hour:?}");
        assert!(schedule.at(0.999_999) < end);
        let empty = Schedule::new(end, end);
        assert!(empty.at(0.5) < end);
    }
}
