//! One module per top-level subcommand.

pub mod ktab;
pub mod validate;
