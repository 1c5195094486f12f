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
mod metrics_health;
mod overpayments;
mod payment_results;
mod payout_change;
mod plans;
mod private_services;
mod report_html;
mod report_plans;
mod roles;
mod run_dates;
mod secret_beacon_guards;
mod selection;
mod steering;
mod submitted_at;
mod tls;
mod unbelieved_results;
mod validator;
mod wave_guards;
