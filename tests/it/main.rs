//! Integration tests against the real PostgreSQL and RabbitMQ (no mocks).
//! Each test owns a fresh database and queue prefix; see `helpers`. The
//! fault tests own private servers, which they kill and restart.

mod data;
mod helpers;

mod beacon_draw;
mod beacon_http;
mod beacon_operator;
mod broker_faults;
mod broker_permissions;
mod cli;
mod close_barrier;
mod cluster_faults;
mod concurrent_runs;
mod credentials;
mod database_failover;
mod database_faults;
mod dead_letters;
mod deploy_files;
mod disbursement;
mod draw_guards;
mod fault_support;
mod faults;
mod frozen;
mod hostile;
mod hostile_leaks;
mod hostile_panics;
mod hostile_readonly;
mod message_bodies;
mod metrics_health;
mod overpayments;
mod payment_results;
mod payout_change;
mod plans;
mod private_services;
mod process_faults;
mod report_html;
mod report_plans;
mod results_plans;
mod roles;
mod run_dates;
mod secret_beacon_guards;
mod selection;
mod selection_v2;
mod soak;
mod soak_checks;
mod soak_faults;
mod steering;
mod submitted_at;
mod tls;
mod unbelieved_results;
mod validator;
mod wave_guards;
