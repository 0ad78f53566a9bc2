//! The domain of Accord: a dated, sourced record of organizations — actors,
//! organizations and the statuses they grant, memberships, bodies,
//! instruments, events and sources — with the rules that keep it consistent
//! and the queries users ask of it.
//!
//! Pure data and rules: no files, no network, no clock. Reading the record
//! from files is `accord-io`'s job; it maps the [`check::Problem`]s found here
//! back to file, line and column.

pub mod check;
pub mod date;
pub mod ids;
pub mod model;
pub mod query;
pub mod record;
pub mod suggest;

pub use chrono::NaiveDate;
pub use date::PartialDate;
pub use ids::{ActorId, EntryId};
pub use record::*;
