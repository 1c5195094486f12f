//! The programme's pure domain rules: identity numbers, regions, contacts,
//! payouts, schemes, and the assessment of a registration. No I/O.

pub mod age;
pub mod assess;
pub(crate) mod code;
pub mod contact;
pub mod education;
pub mod kk;
pub mod nik;
pub mod occupation;
pub mod payout;
mod raw_registration;
pub mod reason;
pub mod region;
pub mod regions;
pub mod registration;
mod registration_debug;
pub mod scheme;
pub mod sex;
pub mod storable;

pub use age::{age_at, age_on, jakarta_date};
pub use assess::{Assessment, WaveView, assess};
pub use code::UnknownCode;
pub use contact::{ContactError, Email, Phone};
pub use education::Education;
pub use kk::{Kk, KkError};
pub use nik::{Nik, NikError};
pub use occupation::Occupation;
pub use payout::{Payout, PayoutAccount, PayoutError, PayoutMethod, Provider};
pub use reason::{ReasonCode, ReasonSet, Warning};
pub use region::{Level, Region, RegionsError};
pub use regions::{FORMER_PROVINCES, Regions};
pub use registration::{PayoutFields, RegistrationRecord, Undecodable};
pub use scheme::Scheme;
pub use sex::Sex;
