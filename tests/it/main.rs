//! Integration tests against the real PostgreSQL and RabbitMQ (no mocks).
//! Each test owns a fresh database and queue prefix; see `helpers`.

mod data;
mod helpers;

mod cli;
mod close_barrier;
mod disbursement;
mod faults;
mod frozen;
mod guards;
mod plans;
mod selection;
mod submitted_at;
mod validator;
