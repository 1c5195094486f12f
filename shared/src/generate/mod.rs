//! A deterministic generator of realistic synthetic registrations (JSON
//! messages as CONTRACTS.md's "Registration"), a share of them invalid in
//! every way the validator can tell, each labelled with the reasons it was
//! built to trigger.

mod accounts;
pub mod census;
mod form_mistakes;
mod identity_mistakes;
mod invalid;
mod names;
mod person;
mod population;
mod recent;
mod renumbering;
mod rules;
mod schedule;
mod weighted;

use chrono::{DateTime, Datelike, Utc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use crate::domain::{ReasonCode, ReasonSet, Scheme, age_at};
use person::{Override, Person};
use population::Population;
use recent::Recent;
use rules::Rules;
use schedule::Schedule;

/// The share of invalid records unless told otherwise.
pub const DEFAULT_INVALID_SHARE: f64 = 0.10;

pub use schedule::LATE_SPAN;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateOptions {
    /// The wave the registrations are for.
    pub wave_id: u32,
    /// How many registrations.
    pub count: u64,
    /// The seed: the same options always give the same records.
    pub seed: u64,
    /// When registration opens; no record claims an earlier time.
    pub window_start: DateTime<Utc>,
    /// When the wave closes; valid records are submitted before it.
    pub window_end: DateTime<Utc>,
    /// The moment the records are made (`None`: the window's end). No valid
    /// record claims a later time, and late records (`WAVE_CLOSED`, at most
    /// [`LATE_SPAN`] after the close) are built only once the close has
    /// passed: a registration cannot be submitted in the future.
    pub now: Option<DateTime<Utc>>,
    /// The expected share of invalid records, in `[0, 1]`
    /// ([`DEFAULT_INVALID_SHARE`]).
    pub invalid_share: f64,
}

impl GenerateOptions {
    /// Options with the default share of invalid records.
    pub fn new(
        wave_id: u32,
        count: u64,
        seed: u64,
        window_start: DateTime<Utc>,
        window_end: DateTime<Utc>,
    ) -> GenerateOptions {
        GenerateOptions {
            wave_id,
            count,
            seed,
            window_start,
            window_end,
            now: None,
            invalid_share: DEFAULT_INVALID_SHARE,
        }
    }
}

/// One generated registration and what it was built to trigger.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// The registration message.
    pub json: Value,
    /// The reasons it was built for; empty for a valid record. Includes
    /// `DUPLICATE_NIK` (a second registration reusing an earlier generated
    /// NIK: the store detects it, `assess` does not) and `WAVE_UNKNOWN`
    /// (another `wave_id`: assess it with no wave).
    pub expected: ReasonSet,
}

/// The generator: an iterator of registration messages. Valid records pass
/// `assess` with no reasons under the target scheme (the 2020 scheme unless
/// [`Generator::for_scheme`] says otherwise) and a wave closing at
/// `window_end`. Records come in submission order, except late ones
/// (`WAVE_CLOSED`).
pub struct Generator {
    options: GenerateOptions,
    rng: ChaCha8Rng,
    index: u64,
    rules: Rules,
    schedule: Schedule,
    population: Population,
    recent: Recent,
}

impl Generator {
    /// A generator for `options`, targeting the 2020 scheme's rules.
    pub fn new(options: GenerateOptions) -> Generator {
        let invalid_share = options.invalid_share;
        let invalid_share = if invalid_share.is_nan() {
            0.0
        } else {
            invalid_share.clamp(0.0, 1.0)
        };
        Generator {
            rng: ChaCha8Rng::seed_from_u64(options.seed),
            index: 0,
            rules: Rules::default(),
            schedule: Schedule::new(
                options.window_start,
                options
                    .now
                    .map_or(options.window_end, |now| now.min(options.window_end)),
            ),
            population: Population::new(options.count),
            recent: Recent::new(),
            options: GenerateOptions {
                invalid_share,
                ..options
            },
        }
    }

    /// Targets `scheme`'s age range and social-assistance rule (valid
    /// records fit it; `OVERAGE` and `SOCIAL_ASSISTANCE` are built only when
    /// it has them).
    pub fn for_scheme(mut self, scheme: &Scheme) -> Generator {
        self.rules = Rules::of(scheme);
        self
    }

    /// The records with what each was built to trigger.
    pub fn with_expectations(mut self) -> impl Iterator<Item = Generated> {
        std::iter::from_fn(move || self.next_generated())
    }

    /// The next record with what it was built to trigger.
    pub fn next_generated(&mut self) -> Option<Generated> {
        if self.index >= self.options.count {
            return None;
        }
        let quantile = (self.index as f64 + self.rng.random::<f64>()) / self.options.count as f64;
        self.index += 1;
        let mut at = self.schedule.at(quantile);
        let mut expected = ReasonSet::EMPTY;
        if self.rng.random_bool(self.options.invalid_share) {
            let late = self
                .options
                .now
                .is_none_or(|now| self.options.window_end <= now);
            expected = invalid::choose(&mut self.rng, &self.rules, !self.recent.is_empty(), late);
        }
        let mut wave_id = self.options.wave_id;
        if expected.contains(ReasonCode::WaveUnknown) {
            wave_id = wave_id.wrapping_add(self.rng.random_range(1..=50));
        }
        if expected.contains(ReasonCode::WaveClosed) {
            at = schedule::late(&mut self.rng, self.options.window_end);
        }
        let mut person = if expected.contains(ReasonCode::DuplicateNik) {
            self.duplicate(at).unwrap_or_else(|| {
                expected = [ReasonCode::EnrolledInEducation].into_iter().collect();
                self.fresh(expected, at)
            })
        } else {
            self.fresh(expected, at)
        };
        let mut overrides: Vec<Override> = Vec::new();
        let combined = expected.len() > 1;
        for reason in expected.iter() {
            let (rng, rules) = (&mut self.rng, &self.rules);
            invalid::mutate(
                rng,
                reason,
                combined,
                &mut person,
                &mut overrides,
                at,
                rules,
            );
        }
        let id = uuid::Builder::from_random_bytes(self.rng.random()).into_uuid();
        let utc = self.rng.random_bool(0.1);
        let json = person.message(id, wave_id, at, utc, &overrides);
        if expected.is_empty() {
            self.recent.remember(&mut self.rng, person, at);
        }
        Some(Generated { json, expected })
    }
}

impl Generator {
    /// A new registrant, of an age that fits the rules unless `expected`
    /// asks for `UNDERAGE` or `OVERAGE`.
    fn fresh(&mut self, expected: ReasonSet, at: DateTime<Utc>) -> Person {
        let ages = if expected.contains(ReasonCode::Underage) {
            self.rules.underages()
        } else if expected.contains(ReasonCode::Overage) {
            self.rules.overages()
        } else {
            None
        }
        .unwrap_or_else(|| self.rules.valid_ages());
        let age = Population::age(&mut self.rng, *ages.start(), *ages.end());
        let mut person = self.population.person(&mut self.rng, at, age);
        if !self.rules.excludes_social_assistance {
            person.receives_social_assistance = self.rng.random_bool(0.18);
        }
        person
    }

    /// An earlier valid registrant registering again (same NIK, new id),
    /// sometimes with another e-mail address; `None` if none fits.
    fn duplicate(&mut self, at: DateTime<Utc>) -> Option<Person> {
        let ages = self.rules.valid_ages();
        let mut again = self.recent.before(&mut self.rng, at, |earlier| {
            ages.contains(&age_at(earlier.birth_date, &at))
        })?;
        if self.rng.random_bool(0.3) {
            again.email = names::email(&mut self.rng, &again.full_name, again.birth_date.year());
        }
        Some(again)
    }
}

impl Iterator for Generator {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        self.next_generated().map(|generated| generated.json)
    }
}
