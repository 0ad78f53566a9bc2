//! One module per top-level subcommand.

pub mod backtest;
pub mod calibration;
pub mod check;
pub mod forecast;
pub mod import;
pub mod influence;
pub mod ktab;
pub mod model;
pub mod new;
pub mod opportunities;
pub mod record;
pub mod report;
pub mod schema;
pub mod serve;
pub mod token;
pub mod validate;
