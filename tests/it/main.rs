//! Integration tests against the real PostgreSQL and RabbitMQ (no mocks).
//! Each test owns a fresh database and queue prefix; see `helpers`.

mod data;
mod helpers;

mod cli;
mod close_barrier;
mod disbursement;
mod draw_guards;
mod faults;
mod frozen;
mod plans;
mod selection;
mod submitted_at;
mod validator;
mod wave_guards;
