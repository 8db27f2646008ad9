//! Operations on a whole deployment: an online backup of the SQLite database with the
//! uploads and the data key (`anxin backup`), putting one back (`anxin restore`), and
//! moving everything from SQLite to PostgreSQL (`anxin copy`), verified by row counts
//! and checksums. PostgreSQL itself is backed up with `pg_dump` (see the README).

use anxin_app::db::{Backend, Db};
use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use sqlx::{Row, TypeInfo, ValueRef};
use std::collections::BTreeMap;
use std::path::Path;

/// The database file inside a data directory or a backup.
const DB_FILE: &str = "anxin.db";
const KEY_FILE: &str = "data.key";
const UPLOADS: &str = "uploads";

/// What a backup holds.
#[derive(Debug)]
pub struct BackupReport {
    pub database: bool,
    pub uploads: usize,
    pub key: bool,
}

/// Copies the files of `from/uploads` that `to/uploads` lacks (they are named by their
/// content's hash, so a file of the same name is the same file); returns how many.
fn copy_uploads(from: &Path, to: &Path) -> anyhow::Result<usize> {
    let source = from.join(UPLOADS);
    if !source.is_dir() {
        return Ok(0);
    }
    let target = to.join(UPLOADS);
    std::fs::create_dir_all(&target)?;
    let mut copied = 0;
    for entry in std::fs::read_dir(&source)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') || !entry.file_type()?.is_file() {
            continue; // an upload still arriving
        }
        if !target.join(&name).exists() {
            std::fs::copy(entry.path(), target.join(&name))?;
            copied += 1;
        }
    }
    Ok(copied)
}

/// A consistent copy of a running deployment in `to` (which must not hold a backup
/// yet): the SQLite database through `VACUUM INTO` (one read transaction, so writes
/// made meanwhile are either wholly in it or not at all), the uploads and the data key.
/// On PostgreSQL only the uploads and key are copied: the database is `pg_dump`'s job.
pub async fn backup(db: &Db, data_dir: &Path, to: &Path) -> anyhow::Result<BackupReport> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    let file = to.join(DB_FILE);
    if file.exists() {
        bail!(
            "{} already holds a backup; choose a new directory",
            to.display()
        );
    }
    let database = db.backend() == Backend::Sqlite;
    if database {
        sqlx::query("VACUUM INTO $1")
            .bind(file.display().to_string())
            .execute(db.pool())
            .await
            .context("copying the database")?;
    }
    let uploads = copy_uploads(data_dir, to)?;
    let key = data_dir.join(KEY_FILE).exists();
    if key {
        std::fs::copy(data_dir.join(KEY_FILE), to.join(KEY_FILE))?;
    }
    Ok(BackupReport {
        database,
        uploads,
        key,
    })
}

/// Puts a backup made by [`backup`] into `data_dir`, which must not hold a database
/// (stop the server and move the old one aside first), then brings its schema up to
/// this version and checks it.
pub async fn restore(from: &Path, data_dir: &Path) -> anyhow::Result<Db> {
    let source = from.join(DB_FILE);
    if !source.is_file() {
        bail!("{} holds no backup ({DB_FILE} is missing)", from.display());
    }
    let target = data_dir.join(DB_FILE);
    if target.exists() {
        bail!(
            "{} already holds a database; stop the server and move it aside first",
            data_dir.display()
        );
    }
    std::fs::create_dir_all(data_dir)?;
    if from.join(KEY_FILE).exists() {
        let key = data_dir.join(KEY_FILE);
        if key.exists() && std::fs::read(&key)? != std::fs::read(from.join(KEY_FILE))? {
            bail!(
                "{} holds a different data key; the backup's bookings need its own",
                key.display()
            );
        }
        std::fs::copy(from.join(KEY_FILE), key)?;
    }
    copy_uploads(from, data_dir)?;
    std::fs::copy(&source, &target)?;
    let db = crate::open_database(&anxin_app::db::sqlite_url(data_dir)).await?;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(db.pool())
        .await?;
    if check != "ok" {
        bail!("the restored database is damaged: {check}");
    }
    Ok(db)
}

/// The tables an SQLite database holds (not the migrations' own).
pub async fn tables(db: &Db) -> anyhow::Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(db.pool())
    .await?)
}

/// How to copy the tables: an order in which each comes after those its foreign keys
/// point to, and the nullable columns that close a cycle (an item names its live
/// revision, which names its item): those are copied empty and filled in at the end.
pub struct Plan {
    pub order: Vec<String>,
    pub deferred: Vec<(String, String)>,
}

pub async fn plan(db: &Db) -> anyhow::Result<Plan> {
    let names = tables(db).await?;
    // (table, column, parent, nullable) for every foreign key to another table.
    let mut edges: Vec<(String, String, String, bool)> = Vec::new();
    for name in &names {
        let keys: Vec<(String, String, i64)> = sqlx::query_as(&format!(
            "SELECT k.\"table\", k.\"from\", c.\"notnull\" FROM pragma_foreign_key_list('{name}') k \
             JOIN pragma_table_info('{name}') c ON c.name = k.\"from\""
        ))
        .fetch_all(db.pool())
        .await?;
        for (parent, column, notnull) in keys {
            if parent != *name {
                edges.push((name.clone(), column, parent, notnull == 0));
            }
        }
    }
    let mut order: Vec<String> = Vec::new();
    let mut deferred: Vec<(String, String)> = Vec::new();
    while order.len() < names.len() {
        let waiting = |t: &String| {
            edges.iter().any(|(child, column, parent, _)| {
                child == t
                    && !order.contains(parent)
                    && !deferred.contains(&(t.clone(), column.clone()))
            })
        };
        let ready: Vec<String> = names
            .iter()
            .filter(|t| !order.contains(t) && !waiting(t))
            .cloned()
            .collect();
        if !ready.is_empty() {
            order.extend(ready);
            continue;
        }
        // A cycle: defer one nullable key that points to a table not copied yet.
        let Some((child, column, _, _)) = edges.iter().find(|(child, column, parent, nullable)| {
            *nullable
                && !order.contains(child)
                && !order.contains(parent)
                && !deferred.contains(&(child.clone(), column.clone()))
        }) else {
            bail!("the tables' foreign keys form a cycle of required columns");
        };
        deferred.push((child.clone(), column.clone()));
    }
    Ok(Plan { order, deferred })
}

/// A value as both databases hold it: an integer, text or nothing.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Value {
    Null,
    Int(i64),
    Text(String),
}

fn value(row: &sqlx::any::AnyRow, index: usize) -> anyhow::Result<Value> {
    let raw = row.try_get_raw(index)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let kind = raw.type_info().name().to_ascii_uppercase();
    Ok(if kind.contains("INT") {
        Value::Int(row.try_get(index)?)
    } else {
        Value::Text(row.try_get(index)?)
    })
}

/// Every row of `table` (its columns named), ordered by all its columns (text by its
/// bytes).
async fn rows(db: &Db, table: &str) -> anyhow::Result<(Vec<String>, Vec<Vec<Value>>)> {
    let columns: Vec<String> = match db.backend() {
        Backend::Sqlite => {
            sqlx::query_scalar(&format!(
                "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
            ))
            .fetch_all(db.pool())
            .await?
        }
        Backend::Postgres => {
            sqlx::query_scalar(
                "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(db.pool())
            .await?
        }
    };
    // By name: the two may hold a table's columns in different orders (SQLite appends
    // a column that a migration re-creates).
    let mut columns = columns;
    columns.sort();
    let list = columns
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let fetched = sqlx::query(&format!("SELECT {list} FROM \"{table}\""))
        .fetch_all(db.pool())
        .await?;
    let mut out = Vec::with_capacity(fetched.len());
    for row in &fetched {
        let mut values = Vec::with_capacity(row.columns().len());
        for index in 0..row.columns().len() {
            values.push(value(row, index)?);
        }
        out.push(values);
    }
    // Sorted here, not by the database: the two order text by different collations.
    out.sort();
    Ok((columns, out))
}

/// Each table's row count and a SHA-256 over its rows in order, the same whichever
/// database holds them.
pub async fn checksums(
    db: &Db,
    tables: &[String],
) -> anyhow::Result<BTreeMap<String, (usize, String)>> {
    let mut sums = BTreeMap::new();
    for table in tables {
        let (_, rows) = rows(db, table).await?;
        let mut hash = Sha256::new();
        for row in &rows {
            for value in row {
                match value {
                    Value::Null => hash.update(b"\x00"),
                    Value::Int(n) => hash.update(format!("\x01{n}")),
                    Value::Text(t) => hash.update(format!("\x02{}:{t}", t.len())),
                }
            }
            hash.update(b"\n");
        }
        let digest = hex::encode(hash.finalize());
        sums.insert(table.clone(), (rows.len(), digest));
    }
    Ok(sums)
}

/// What a copy moved: each table's rows.
#[derive(Debug)]
pub struct CopyReport {
    pub tables: BTreeMap<String, (usize, String)>,
}

/// Copies everything in the SQLite database `from` into the PostgreSQL database `to`
/// (migrated here to the same version, and refused unless empty): the same ids, then
/// each id sequence moved past the largest id, then every table's row count and
/// checksum compared.
pub async fn copy(from: &Db, to: &Db) -> anyhow::Result<CopyReport> {
    if from.backend() != Backend::Sqlite || to.backend() != Backend::Postgres {
        bail!("anxin copy moves an SQLite database into PostgreSQL");
    }
    to.migrate().await?;
    let Plan {
        order: tables,
        deferred,
    } = plan(from).await?;
    for table in &tables {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM \"{table}\""))
            .fetch_one(to.pool())
            .await?;
        if n > 0 {
            bail!(
                "the target database is not empty ({table} has {n} rows); copy only into a new database"
            );
        }
    }
    let mut tx = to.pool().begin().await?;
    for table in &tables {
        let (columns, rows) = rows(from, table).await?;
        let list = columns
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        // Rows in id order (the first column where there is one), so a row that points
        // to an earlier one of its own table (a lesson to its course, an organisation
        // to its parent) finds it there.
        let mut rows = rows;
        let id = columns.iter().position(|c| c == "id");
        if let Some(id) = id {
            rows.sort_by(|a, b| a[id].cmp(&b[id]));
        }
        // A NULL is sent typed as its column is (PostgreSQL will not cast text to bigint).
        let integer: Vec<bool> = sqlx::query_scalar::<_, String>(&format!(
            "SELECT type FROM pragma_table_info('{table}') ORDER BY name"
        ))
        .fetch_all(from.pool())
        .await?
        .iter()
        .map(|t| t.to_ascii_uppercase().contains("INT"))
        .collect();
        let later: Vec<usize> = deferred
            .iter()
            .filter(|(t, _)| t == table)
            .filter_map(|(_, c)| columns.iter().position(|name| name == c))
            .collect();
        let per_insert = (60_000 / columns.len().max(1)).clamp(1, 500);
        for chunk in rows.chunks(per_insert) {
            let values: Vec<String> = (0..chunk.len())
                .map(|r| {
                    let marks: Vec<String> = (0..columns.len())
                        .map(|c| format!("${}", r * columns.len() + c + 1))
                        .collect();
                    format!("({})", marks.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO \"{table}\" ({list}) VALUES {}",
                values.join(", ")
            );
            let mut insert = sqlx::query(&sql);
            for row in chunk {
                for (c, value) in row.iter().enumerate() {
                    let value = if later.contains(&c) {
                        &Value::Null
                    } else {
                        value
                    };
                    insert = match value {
                        Value::Null if integer.get(c) == Some(&true) => insert.bind(None::<i64>),
                        Value::Null => insert.bind(None::<String>),
                        Value::Int(n) => insert.bind(*n),
                        Value::Text(t) => insert.bind(t.clone()),
                    };
                }
            }
            insert
                .execute(&mut *tx)
                .await
                .with_context(|| format!("copying {table}"))?;
        }
        if columns.iter().any(|c| c == "id") {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), \
                 COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false) \
                 WHERE pg_get_serial_sequence('\"{table}\"', 'id') IS NOT NULL"
            ))
            .execute(&mut *tx)
            .await
            .with_context(|| format!("moving {table}'s id sequence"))?;
        }
    }
    // The keys that closed cycles, now that every row they point to is there.
    for (table, column) in &deferred {
        let (columns, rows) = rows(from, table).await?;
        let (Some(id), Some(c)) = (
            columns.iter().position(|n| n == "id"),
            columns.iter().position(|n| n == column),
        ) else {
            bail!("{table}.{column} closes a cycle but {table} has no id");
        };
        for row in rows.iter().filter(|r| r[c] != Value::Null) {
            let (Value::Int(key), Value::Int(value)) = (&row[id], &row[c]) else {
                bail!("{table}.{column} is not an integer key");
            };
            sqlx::query(&format!(
                "UPDATE \"{table}\" SET \"{column}\" = $1 WHERE id = $2"
            ))
            .bind(*value)
            .bind(*key)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    let source = checksums(from, &tables).await?;
    let copied = checksums(to, &tables).await?;
    for (table, sum) in &source {
        if copied.get(table) != Some(sum) {
            bail!(
                "{table} differs after the copy: {sum:?} became {:?}",
                copied.get(table)
            );
        }
    }
    Ok(CopyReport { tables: source })
}
