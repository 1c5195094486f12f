//! Integration tests against the real PostgreSQL and RabbitMQ (no mocks).
//! Each test owns a fresh database and queue prefix; see `helpers`.

mod data;
mod deploy_files;
mod helpers;

mod beacon_draw;
mod beacon_http;
mod beacon_operator;
mod cli;
mod close_barrier;
mod disbursement;
mod faults;
mod overpayments;
mod payment_results;
mod report_html;
mod report_plans;
mod run_dates;
mod selection;
mod unbelieved_results;
mod validator;
mod wave_guards;
