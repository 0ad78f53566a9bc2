//! `accord ktab …`: run KTAB scenarios. (Being implemented.)

use clap::Args;

/// Arguments of `accord ktab`.
#[derive(Debug, Args)]
pub struct KtabArgs {}

/// Runs `accord ktab`.
pub fn run(_args: KtabArgs) -> anyhow::Result<()> {
    anyhow::bail!("not implemented yet")
}
