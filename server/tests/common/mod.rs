//! Test support: a fresh database on each backend, and a real server on a free port.
#![allow(dead_code, unused_macros)]

use anxin_server::{Config, Running};
use std::path::PathBuf;

/// Runs each named `async fn case(test: TestDb)` once per backend, each as its own
/// test (`case::sqlite`, `case::postgres`), so a failure names its backend and case.
macro_rules! per_backend {
    ($($case:ident),+ $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$case(crate::common::TestDb::sqlite().await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = crate::common::TestDb::postgres().await {
                    super::$case(db).await
                }
            }
        }
    )+};
}
pub(crate) use per_backend;

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

    /// The database, migrated, as the tests' own handle.
    pub async fn open(&self) -> anxin_app::db::Db {
        anxin_server::open_database(&self.url).await.unwrap()
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

    /// The body of a GET of `path` with the `Cookie` header `cookie`.
    pub async fn text_with(&self, cookie: &str, path: &str) -> String {
        let response = client()
            .get(self.url(path))
            .header(reqwest::header::COOKIE, cookie)
            .send()
            .await
            .unwrap();
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
    serve_with(db, |config| config.demo_data = demo_data).await
}

/// Starts a server on `db` with a fresh site root, its configuration changed by `adjust`
/// (a fixed clock, HTTPS settings, …).
pub async fn serve_with(db: &TestDb, adjust: impl FnOnce(&mut Config)) -> Served {
    let site = site_root();
    let mut config = Config {
        site_root: site.path().to_path_buf(),
        quick_exit_url: "https://example.org/".into(),
        data_key: Some(TEST_DATA_KEY.into()),
        ..Config::new(
            "127.0.0.1:0".parse().unwrap(),
            db.url.clone(),
            site.path().join("data"),
        )
    };
    adjust(&mut config);
    let server = anxin_server::start(config)
        .await
        .unwrap_or_else(|e| panic!("server on {} did not start: {e:#}", db.name));
    Served {
        base: format!("http://{}", server.addr),
        server,
        site,
    }
}

pub async fn start(db: &TestDb, site_root: PathBuf, demo_data: bool) -> Running {
    anxin_server::start(Config {
        site_root: site_root.clone(),
        quick_exit_url: "https://example.org/".into(),
        demo_data,
        data_key: Some(TEST_DATA_KEY.into()),
        ..Config::new(
            "127.0.0.1:0".parse().unwrap(),
            db.url.clone(),
            site_root.join("data"),
        )
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

/// The data key every test server shares (several instances on one database must).
pub const TEST_DATA_KEY: &str = "dGVzdHMtb25seS1rZXktMzItYnl0ZXMtbG9uZy0xMjM=";

/// The password every test account has.
pub const PASSWORD: &str = "river-lamp-42";

/// Creates an account with one role, as the operator would (`anxin staff create`).
pub async fn create_staff(
    db: &anxin_app::db::Db,
    username: &str,
    org: anxin_app::ids::OrgId,
    role: anxin_app::staff::roles::Role,
) -> anxin_app::ids::StaffId {
    use anxin_app::staff::service::{NewAccount, create_account};
    let ctx = anxin_app::service::Ctx::system(db.clone(), anxin_app::clock::Clock::System);
    let account = NewAccount {
        username: username.into(),
        display_name: username.into(),
        password: PASSWORD.into(),
        org,
        role,
    };
    create_account(&ctx, account, "")
        .await
        .unwrap_or_else(|e| panic!("{username}: {e}"))
}

/// A signed-in staff member with one role, as a service sees them.
pub async fn staff_actor(
    db: &anxin_app::db::Db,
    org: anxin_app::ids::OrgId,
    role: anxin_app::staff::roles::Role,
) -> anxin_app::service::Actor {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name = format!(
        "actor-{}-{}",
        role.as_str(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let id = create_staff(db, &name, org, role).await;
    let mut conn = db.pool().acquire().await.unwrap();
    anxin_app::service::Actor::Staff(anxin_app::staff::Staff {
        id,
        username: name.clone(),
        display_name: name,
        memberships: anxin_app::staff::data::memberships(&mut conn, id)
            .await
            .unwrap(),
        orgs: std::sync::Arc::new(anxin_app::orgs::data::list(&mut conn).await.unwrap()),
        two_factor: false,
        awaiting_two_factor: false,
        session: None,
    })
}

/// The real SMTP server and webhook receiver (`scripts/message-sinks.py`: aiosmtpd, and
/// the Standard Webhooks reference library checking every signature), for one test.
pub struct Sinks {
    child: std::process::Child,
    pub smtp: u16,
    pub webhook: u16,
    pub secret: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Sinks {
    pub fn start() -> Sinks {
        use std::io::{BufRead, BufReader};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let python = root.join("tools/venv/bin/python");
        assert!(
            python.exists(),
            "{} is missing: run scripts/setup.sh test",
            python.display()
        );
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("received.jsonl");
        let mut child = std::process::Command::new(python)
            .arg(root.join("scripts/message-sinks.py"))
            .arg(&log)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let ports: serde_json::Value = serde_json::from_str(&first)
            .unwrap_or_else(|_| panic!("the sinks did not start: {first:?}"));
        Sinks {
            child,
            smtp: ports["smtp"].as_u64().unwrap() as u16,
            webhook: ports["webhook"].as_u64().unwrap() as u16,
            secret: ports["secret"].as_str().unwrap().to_string(),
            log,
            _dir: dir,
        }
    }

    /// Settings that send e-mail to the SMTP sink and events to the receiver's `path`.
    pub fn notify(&self, path: &str) -> anxin_app::notify::Settings {
        anxin_app::notify::Settings {
            smtp_url: Some(format!("smtp://127.0.0.1:{}", self.smtp)),
            mail_from: Some("Anxin <noreply@anxin.test>".into()),
            webhook_url: Some(format!("http://127.0.0.1:{}{path}", self.webhook)),
            webhook_secret: Some(self.secret.clone()),
        }
    }

    /// Everything received so far, in order.
    pub fn received(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Waits (up to two minutes, then fails) until `done` holds for what was received.
    pub async fn wait_until(
        &self,
        what: &str,
        done: impl Fn(&[serde_json::Value]) -> bool,
    ) -> Vec<serde_json::Value> {
        for _ in 0..1200 {
            let received = self.received();
            if done(&received) {
                return received;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("never received {what}: {:#?}", self.received());
    }
}

impl Drop for Sinks {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Books `n` places of the sample district's matched service (one phone number each),
/// straight through the booking service; returns how many were confirmed.
pub async fn book_sample(db: &anxin_app::db::Db, n: usize) -> usize {
    use anxin_app::booking::service::{self as booking, BookingEnv};
    let clock = anxin_app::clock::Clock::System;
    let system = anxin_app::service::Ctx::system(db.clone(), clock.clone());
    let keys_dir = tempfile::tempdir().unwrap();
    let keys =
        anxin_app::booking::secret::Keys::load(Some(TEST_DATA_KEY), None, keys_dir.path(), false)
            .unwrap();
    let env = BookingEnv::new(
        keys,
        anxin_app::notify::Channels::new(&anxin_app::notify::Settings::default()).unwrap(),
    );
    let district = anxin_app::orgs::service::by_slug(&system, "sample-district")
        .await
        .unwrap()
        .id;
    booking::sync_all(db, clock.unix()).await.unwrap();
    let phones: Vec<String> = (0..n).map(|k| format!("137{k:08}")).collect();
    book_sample_with(&system, &env, district, &phones)
        .await
        .iter()
        .filter(|outcome| outcome.is_ok())
        .count()
}

/// One booking per phone number of the district's matched (sample) service, in its
/// open slots in turn over the next two weeks, with its first need category.
pub async fn book_sample_with(
    system: &anxin_app::service::Ctx,
    env: &anxin_app::booking::service::BookingEnv,
    district: anxin_app::ids::OrgId,
    phones: &[String],
) -> Vec<Result<anxin_app::booking::Booked, anxin_app::booking::service::BookingError>> {
    use anxin_app::booking::model::{Attendee, BookingForm, Stage};
    use anxin_app::booking::service::{self as booking, BookRequest, Via};
    let service = booking::setup(system, district).await.unwrap().services[0].id;
    let page = booking::service_page(system, service, None, None)
        .await
        .unwrap();
    let category = page.categories[0].id;
    let today = anxin_app::booking::slots::local_day(system.now(), anxin_app::time::CHINA);
    let (_, slots) = booking::open_slots(
        system,
        service,
        today,
        today + chrono::Days::new(13),
        Some(category),
    )
    .await
    .unwrap();
    let mut outcomes = Vec::new();
    for (slot, phone) in slots.iter().filter(|s| s.left > 0).cycle().zip(phones) {
        let form = BookingForm {
            name: "家长".into(),
            phone: phone.clone(),
            attendee: Some(Attendee::Parent),
            stage: Some(Stage::Junior),
            category: Some(category.0),
            ..Default::default()
        };
        let request = BookRequest {
            slot: slot.id,
            form,
            idempotency_key: None,
            via: Via::Api,
            lang: anxin_app::i18n::Locale::Zh,
        };
        outcomes.push(booking::book(system, env, request).await);
    }
    outcomes
}
