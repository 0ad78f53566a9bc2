//! `accord serve`: the JSON API (`accord_server`) on an address, with the
//! store in a SQLite file. Runs left unfinished by a previous process are
//! marked `interrupted` at start.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

/// Arguments of `accord serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port, printed at start).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// The SQLite file of scenarios, runs and tokens (created if missing).
    #[arg(long, value_name = "FILE", default_value = "accord.db")]
    db: PathBuf,
    /// Reads need a token too (writes always do).
    #[arg(long)]
    private: bool,
    /// Serve this data folder instead of the embedded SCO record and model.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Most Monte Carlo samples one run may ask for: at least 1; at most
    /// 1,000,000 (the CLI's limit) without --no-limit.
    #[arg(long, default_value_t = accord_server::Limits::default().max_samples, value_parser = crate::limits::positive_samples)]
    max_samples: u64,
    /// Runs computed at once (the others wait, queued): at least 1.
    #[arg(long, default_value_t = accord_server::Limits::default().max_concurrent_runs, value_parser = crate::limits::at_least_one)]
    max_concurrent_runs: usize,
    /// Seconds one run may compute before it is stopped and marked failed:
    /// at least 1.
    #[arg(long, default_value_t = accord_server::Limits::default().max_run_time.as_secs(), value_parser = seconds)]
    max_run_seconds: u64,
    /// Allow --max-samples above the limit (see docs/reliability.md).
    #[arg(long)]
    no_limit: bool,
}

/// Clap's parser of `--max-run-seconds`: a whole number of at least 1.
fn seconds(s: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(0) => Err("0 seconds would stop every run at once: give at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is not a whole number of seconds (at least 1)")),
    }
}

/// Runs `accord serve` until Ctrl-C or SIGTERM.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    crate::limits::check(
        "--max-samples",
        args.max_samples,
        crate::limits::MAX_SAMPLES,
        args.no_limit,
    )?;
    let limits = accord_server::Limits {
        max_samples: args.max_samples,
        max_concurrent_runs: args.max_concurrent_runs,
        max_run_time: std::time::Duration::from_secs(args.max_run_seconds),
        ..accord_server::Limits::default()
    };
    let config = accord_server::Config {
        db: args.db.clone(),
        data: args.data,
        private: args.private,
        limits,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let state = accord_server::AppState::open(&config).map_err(anyhow::Error::msg)?;
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let local = listener.local_addr()?;
        // The first line says where to connect (tests read it to find port 0's choice).
        outln!(
            "accord serve: listening on http://{local}/ (store {})",
            args.db.display()
        );
        eprintln!(
            "reads: {}; writes need `Authorization: Bearer TOKEN` (accord token create NAME --db {})",
            if config.private { "need a token" } else { "open" },
            args.db.display()
        );
        accord_server::serve(listener, state, shutdown_signal())
            .await
            .context("the server failed")
    })
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
