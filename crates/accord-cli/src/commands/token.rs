//! `accord token create|revoke|list`: the access tokens that let people
//! write through `accord serve` (kept in its SQLite store, hashed).

use std::path::PathBuf;

use accord_store::Store;
use anyhow::Context;
use clap::{Args, Subcommand};

use crate::output::{print_json, table};

/// Arguments of `accord token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Create a token and print it once (only a salted hash is kept).
    Create {
        /// Who or what holds it: letters, digits, '-', '_', '.', '@'.
        name: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// Revoke a token: requests bearing it are refused with 403 from then on.
    Revoke {
        /// The token's name.
        name: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// List the tokens (names and dates; never the secrets).
    List {
        #[command(flatten)]
        db: DbArg,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
struct DbArg {
    /// The server's database file (created if missing).
    #[arg(long, value_name = "FILE", default_value = "accord.db")]
    db: PathBuf,
}

fn open(db: &DbArg) -> anyhow::Result<Store> {
    Store::open(&db.db).with_context(|| format!("cannot open the store {}", db.db.display()))
}

/// Runs `accord token`.
pub fn run(args: TokenArgs) -> anyhow::Result<()> {
    match args.action {
        Action::Create { name, db } => {
            let store = open(&db)?;
            let secret = store.create_token(&name)?;
            // A secret nobody saw must not stay valid: if it cannot be
            // printed, the token is deleted again (its name stays free).
            let shown =
                crate::output::write_stdout(format_args!("{secret}\n")).and_then(|()| crate::output::flush_stdout());
            if let Err(e) = shown {
                let undo = match store.delete_token(&name) {
                    Ok(()) => "no token was created".to_string(),
                    Err(d) => {
                        format!("the token could not be deleted ({d}): revoke it with `accord token revoke {name}`")
                    }
                };
                return Err(anyhow::Error::new(e).context(format!("the new token could not be shown; {undo}")));
            }
            eprintln!(
                "token {name:?} created in {}; it is shown only now: send it as \
                 `Authorization: Bearer TOKEN`",
                db.db.display()
            );
        }
        Action::Revoke { name, db } => {
            open(&db)?.revoke_token(&name)?;
            eprintln!("token {name:?} revoked in {}", db.db.display());
        }
        Action::List { db, json } => {
            let tokens = open(&db)?.tokens()?;
            if json {
                let rows: Vec<_> = tokens
                    .iter()
                    .map(|t| {
                        serde_json::json!({
                            "name": t.name,
                            "revoked": t.revoked,
                            "created_at": t.created_at,
                            "revoked_at": t.revoked_at,
                        })
                    })
                    .collect();
                return print_json(&rows);
            }
            let mut t = table(&["name", "created", "revoked"]);
            for tok in &tokens {
                t.add_row(vec![
                    tok.name.clone(),
                    tok.created_at.clone(),
                    tok.revoked_at.clone().unwrap_or_else(|| "—".into()),
                ]);
            }
            outln!("{t}");
        }
    }
    Ok(())
}
