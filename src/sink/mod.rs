//! Sinks: where finished runs go. Only this module knows Parquet exists.

pub mod schema;
