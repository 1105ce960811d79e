//! Pancake in the browser. The page (`bin/app`) shows the model; workers (`bin/worker`)
//! read the `File` with pancake-core. No format knowledge lives here.

pub mod bury;
pub mod byob;
pub mod container_export;
pub mod container_state;
pub mod container_store;
pub mod feed;
pub mod figures;
pub mod file_source;
pub mod give_way;
pub mod hashing;
pub mod i18n;
pub mod idb;
pub mod job_deal;
pub mod jspi;
pub mod lanes;
pub mod offline;
pub mod opening;
pub mod permalink;
pub mod persist;
pub mod protocol;
pub mod reltime;
pub mod session;
pub mod shell;
pub mod state;
pub mod text;
pub mod tour;
pub mod tour_setup;
pub mod views;
pub mod worker_export;
pub mod worker_glue;
pub mod worker_runtime;
pub mod worker_start;
