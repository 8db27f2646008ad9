//! The database: SQLite (embedded, the default) or PostgreSQL, through one set of
//! runtime queries on sqlx's `Any` driver. Queries use `$1` placeholders, which both
//! backends accept. Timestamps are stored as Unix seconds (`BIGINT`) so they mean the
//! same on both.

use sqlx::{
    AnyPool, Executor, Transaction,
    any::{Any, AnyPoolOptions},
    migrate::Migrator,
};
use std::{path::Path, str::FromStr, sync::Arc, time::Duration};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl FromStr for Backend {
    type Err = DbError;
    fn from_str(url: &str) -> Result<Backend, DbError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(DbError::UnsupportedUrl)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL must start with sqlite: or postgres://")]
    UnsupportedUrl,
    #[error("cannot create the data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// An open write transaction (on either backend). It derefs to the connection, so
/// queries run on `&mut *tx`; on SQLite it also holds this process's turn to write.
pub struct Tx {
    inner: Transaction<'static, Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.inner.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.inner.rollback().await
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.inner
    }
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// SQLite lets one writer in at a time, and a writer that finds the file locked
    /// sleeps and retries (the busy timeout), so under a burst some wait a second or
    /// more while others get in. Writers of this process queue here instead, first
    /// come first served; the busy timeout remains for other processes (the CLI).
    writers: Arc<tokio::sync::Mutex<()>>,
    /// Which pool this is in this process (for caches kept per database).
    id: u64,
}

/// The SQLite URL for the database file inside `data_dir`.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("anxin.db").display())
}

impl Db {
    /// Opens a pool. For SQLite, creates the file (and its directory) if missing and sets
    /// every connection up for durability: WAL, foreign keys, a busy timeout and
    /// `synchronous=FULL`, so a confirmed booking survives a power cut.
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend: Backend = url.parse()?;
        if backend == Backend::Sqlite {
            let path = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:")
                .split('?')
                .next()
                .unwrap_or_default();
            if let Some(dir) = Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir)
                    .map_err(|e| DbError::DataDir(dir.display().to_string(), e))?;
            }
        }
        let options = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 5000",
                            "PRAGMA synchronous = FULL",
                        ] {
                            conn.execute(pragma).await?;
                        }
                    }
                    Ok(())
                })
            });
        let pool = options.connect(url).await?;
        static OPENED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Ok(Db {
            pool,
            backend,
            writers: Arc::default(),
            id: OPENED.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        })
    }

    pub async fn migrate(&self) -> Result<(), DbError> {
        match self.backend {
            Backend::Sqlite => {
                SQLITE_MIGRATIONS.run(&self.pool).await?;
                // SQLite's planner picks an index by statistics (a school's catalogue
                // by organisation, a band's newest items by kind and date) and gathers
                // them only when asked: at start-up, as SQLite advises, a sampled
                // ANALYZE of the tables that need it (about a millisecond for a city).
                // PostgreSQL's autovacuum keeps its own.
                let mut conn = self.pool.acquire().await?;
                sqlx::query("PRAGMA analysis_limit = 400")
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("PRAGMA optimize = 0x10002")
                    .execute(&mut *conn)
                    .await?;
            }
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Tells this pool apart from others this process opened (tests open many).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// A transaction for read-then-write work. On SQLite it takes the write lock at
    /// `BEGIN` (IMMEDIATE), so two writers never both read the old state and then
    /// deadlock on upgrade; PostgreSQL code locks the rows it reads instead.
    pub async fn begin_write(&self) -> Result<Tx, DbError> {
        Ok(match self.backend {
            Backend::Sqlite => {
                let turn = self.writers.clone().lock_owned().await;
                Tx {
                    inner: self.pool.begin_with("BEGIN IMMEDIATE").await?,
                    _turn: Some(turn),
                }
            }
            Backend::Postgres => Tx {
                inner: self.pool.begin().await?,
                _turn: None,
            },
        })
    }

    /// `FOR UPDATE` on PostgreSQL, where a transaction locks the rows it reads before
    /// changing them; nothing on SQLite, where [`Db::begin_write`] already holds the
    /// database's write lock.
    pub fn for_update(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    /// True when the database answers a trivial query within two seconds.
    pub async fn is_reachable(&self) -> bool {
        let ping = sqlx::query("SELECT 1").execute(&self.pool);
        matches!(
            tokio::time::timeout(Duration::from_secs(2), ping).await,
            Ok(Ok(_))
        )
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A stored name this version does not know (an enum column): an error, never a guess.
#[derive(Debug, thiserror::Error)]
#[error("unknown stored value {0:?}")]
pub struct UnknownValue(pub String);

/// A `0`/`1` column (`BIGINT` on both backends) as a bool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<i64> for Flag {
    fn from(value: i64) -> Flag {
        Flag(value != 0)
    }
}

/// `$start, $start+1, …` for `count` values in an `IN (…)` list; `NULL` for none, so
/// the list still parses and matches nothing.
pub fn placeholders(start: usize, count: usize) -> String {
    if count == 0 {
        return "NULL".into();
    }
    (start..start + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
