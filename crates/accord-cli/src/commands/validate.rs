//! `accord validate …`: score models on recorded decisions. (Being implemented.)

use clap::Args;

/// Arguments of `accord validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {}

/// Runs `accord validate`.
pub fn run(_args: ValidateArgs) -> anyhow::Result<()> {
    anyhow::bail!("not implemented yet")
}
