//! Reading and writing Accord's files: the record's TOML with precise error
//! locations, KTAB's CSV and XML scenarios, DEU III's TSV, and the embedded
//! SCO data.

pub mod backtest;
pub mod calibration;
pub mod deu;
pub mod embedded;
pub mod ktab;
pub mod record;
pub mod scenario;
pub mod text;
