//! Integration tests against the real PostgreSQL and RabbitMQ (no mocks).
//! Each test owns a fresh database and queue prefix; see `helpers`. The
//! fault tests own private servers, which they kill and restart.

mod data;
mod database_failover;
mod database_faults;
mod fault_support;
mod helpers;

mod broker_faults;
mod cli;
mod close_barrier;
mod cluster_faults;
mod disbursement;
mod faults;
mod private_services;
mod selection;
mod validator;
