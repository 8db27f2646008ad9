//! Test support: a fresh database on each backend, and a real server on a free port.
#![allow(dead_code)]

use anxin_server::{Config, Running};
use std::path::PathBuf;

/// A database for one test: an SQLite file in a temporary directory, or a new
/// database on the PostgreSQL server named by `TEST_DATABASE_URL`.
pub struct TestDb {
    pub url: String,
    pub name: &'static str,
    _dir: Option<tempfile::TempDir>,
    pg_admin: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        TestDb {
            url: anxin_app::db::sqlite_url(dir.path()),
            name: "sqlite",
            _dir: Some(dir),
            pg_admin: None,
        }
    }

    /// `None` only when the suite was told to skip PostgreSQL (`ANXIN_TEST_SQLITE_ONLY=1`);
    /// otherwise a missing `TEST_DATABASE_URL` fails the test loudly.
    pub async fn postgres() -> Option<TestDb> {
        let Ok(base) = std::env::var("TEST_DATABASE_URL") else {
            if std::env::var("ANXIN_TEST_SQLITE_ONLY").as_deref() == Ok("1") {
                eprintln!("skipping PostgreSQL: ANXIN_TEST_SQLITE_ONLY=1");
                return None;
            }
            panic!("TEST_DATABASE_URL is not set: run ./scripts/test.sh, which starts PostgreSQL");
        };
        // Tests run in parallel threads, and a coarse clock can give two of them the
        // same reading: the counter keeps names unique within this process.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!(
            "anxin_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis()
        );
        let (prefix, query) = match base.split_once('?') {
            Some((p, q)) => (p.to_string(), format!("?{q}")),
            None => (base.clone(), String::new()),
        };
        let server = prefix
            .rsplit_once('/')
            .map(|(s, _)| s.to_string())
            .unwrap_or(prefix);
        run_on_server(&base, &format!("CREATE DATABASE {name}")).await;
        Some(TestDb {
            url: format!("{server}/{name}{query}"),
            name: "postgres",
            _dir: None,
            pg_admin: Some((base, name)),
        })
    }

    /// Both backends, SQLite first.
    pub async fn all() -> Vec<TestDb> {
        let mut dbs = vec![TestDb::sqlite().await];
        dbs.extend(TestDb::postgres().await);
        dbs
    }

    /// Makes the database unreachable (PostgreSQL only): drops it, ending every connection.
    pub async fn drop_database(&self) {
        let (base, name) = self
            .pg_admin
            .as_ref()
            .expect("only PostgreSQL databases can be dropped");
        run_on_server(base, &format!("DROP DATABASE {name} WITH (FORCE)")).await;
    }
}

/// Runs one statement over a fresh connection to `url`, for what cannot run inside
/// the database it changes (creating or dropping it).
async fn run_on_server(url: &str, statement: &str) {
    sqlx::any::install_default_drivers();
    let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(url)
        .await
        .unwrap();
    sqlx::query(statement).execute(&mut admin).await.unwrap();
}

/// A site root with a stylesheet and a public file, like `cargo leptos build` leaves.
pub fn site_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
    std::fs::write(
        dir.path().join("pkg/anxin.css"),
        "body{margin:0}\n".repeat(200),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("favicon.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    dir
}

/// A running server with its own site root, and the base URL to reach it.
pub struct Served {
    pub server: Running,
    pub base: String,
    pub site: tempfile::TempDir,
}

impl Served {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The body of an anonymous GET of `path`, whatever its status.
    pub async fn text(&self, path: &str) -> String {
        let response = client().get(self.url(path)).send().await.unwrap();
        response.text().await.unwrap()
    }

    /// The JSON body of an anonymous GET of `path`.
    pub async fn json(&self, path: &str) -> serde_json::Value {
        let response = client().get(self.url(path)).send().await.unwrap();
        response.json().await.unwrap()
    }

    pub async fn stop(self) {
        self.server.stop().await.unwrap();
    }
}

/// Starts a server on `db` with a fresh site root.
pub async fn serve(db: &TestDb, demo_data: bool) -> Served {
    let site = site_root();
    let server = start(db, site.path().to_path_buf(), demo_data).await;
    Served {
        base: format!("http://{}", server.addr),
        server,
        site,
    }
}

pub async fn start(db: &TestDb, site_root: PathBuf, demo_data: bool) -> Running {
    anxin_server::start(Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: db.url.clone(),
        site_root: site_root.clone(),
        quick_exit_url: "https://example.org/".into(),
        data_dir: site_root.join("data"),
        demo_data,
        secure_cookies: false,
        trust_proxy: false,
    })
    .await
    .unwrap_or_else(|e| panic!("server on {} did not start: {e:#}", db.name))
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}
