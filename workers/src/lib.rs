//! The Prakerja pipeline's workers and operator tool, as a library: every
//! binary in `src/bin` is a thin wrapper, and tests call the same functions.

pub mod app;
pub mod audit;
pub mod beacon;
pub mod beacon_sim;
pub mod cards;
pub mod cli;
pub mod consume;
pub mod dead_letters;
pub mod demo;
pub mod disburser;
pub mod failpoint;
pub mod gateway_sim;
#[cfg(test)]
mod layers;
pub mod observe;
pub mod pgcopy;
pub mod procs;
pub mod reconcile;
pub mod relay;
pub mod report;
pub mod selector;
pub mod startup;
pub mod validator;
pub mod waves;
pub mod worker;
