//! Integration tests against the real PostgreSQL and RabbitMQ (no mocks).
//! Each test owns a fresh database and queue prefix; see `helpers`.

mod data;
mod helpers;

mod beacon_draw;
mod beacon_http;
mod beacon_operator;
mod cli;
mod close_barrier;
mod deploy_files;
mod disbursement;
mod draw_guards;
mod faults;
mod frozen;
mod overpayments;
mod payment_results;
mod plans;
mod report_html;
mod report_plans;
mod run_dates;
mod secret_beacon_guards;
mod selection;
mod submitted_at;
mod unbelieved_results;
mod validator;
mod wave_guards;
