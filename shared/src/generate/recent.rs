//! Valid registrants already made, with when they registered (up to 1,024,
//! replaced at random), so that a later record can be one of them
//! registering again (`DUPLICATE_NIK`).

use chrono::{DateTime, Utc};
use rand::RngExt;
use rand::seq::IndexedRandom;

use super::person::Person;

const CAPACITY: usize = 1024;

pub struct Recent {
    people: Vec<(Person, DateTime<Utc>)>,
}

impl Recent {
    pub fn new() -> Recent {
        Recent {
            people: Vec::with_capacity(CAPACITY),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }

    /// Keeps a valid registrant who registered at `at`.
    pub fn remember<R: RngExt + ?Sized>(&mut self, rng: &mut R, person: Person, at: DateTime<Utc>) {
        if self.people.len() < CAPACITY {
            self.people.push((person, at));
        } else {
            let slot = rng.random_range(0..self.people.len());
            self.people[slot] = (person, at);
        }
    }

    /// One who registered strictly before `at` (a copy submitted in the same
    /// second could win the NIK's claim by its registration_id) and `fits`;
    /// four tries, then `None`.
    pub fn before<R: RngExt + ?Sized>(
        &self,
        rng: &mut R,
        at: DateTime<Utc>,
        fits: impl Fn(&Person) -> bool,
    ) -> Option<Person> {
        for _ in 0..4 {
            let (earlier, registered) = self.people.choose(rng)?;
            if *registered < at && fits(earlier) {
                return Some(earlier.clone());
            }
        }
        None
    }
}
