//! The real `anxin` binary: serves (and says so to a container's health check), then
//! shuts down cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn serve_answers_then_exits_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_anxin"))
        .args(["serve", "--addr", "127.0.0.1:0", "--demo-data"])
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--site-root")
        .arg(dir.path().join("site"))
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // The log line names the address it bound.
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split("listening on http://")
                .nth(1)
                .map(|a| a.trim().to_string())
        })
        .expect("the server never said where it listens");
    let health = status_of(&format!("http://{addr}/healthz"));
    assert_eq!(health, 200);
    // The container's health check: the same answer, from the binary itself.
    let check = |addr: &str| {
        Command::new(env!("CARGO_BIN_EXE_anxin"))
            .args(["healthcheck", "--addr", addr])
            .status()
            .unwrap()
            .success()
    };
    assert!(check(&addr));
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nobody = closed.local_addr().unwrap().to_string();
    drop(closed);
    assert!(!check(&nobody), "nothing listens there");
    assert!(
        dir.path().join("data/anxin.db").exists(),
        "the SQLite file is created on first start"
    );

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status after SIGTERM: {status}");
}

/// A GET on a fresh runtime, for a synchronous test.
fn status_of(url: &str) -> u16 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { reqwest::get(url).await.unwrap().status().as_u16() })
}

/// `anxin` with a data directory, as an operator types it.
fn anxin(data: &std::path::Path, args: &[&str], password: Option<&str>) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_anxin"));
    command
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn");
    match password {
        Some(p) => command.env("ANXIN_PASSWORD", p),
        None => command.env_remove("ANXIN_PASSWORD"),
    };
    let out = command.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// The command line is an adapter over the same services as the admin pages: the
/// same rules, refused with the same messages (in both languages), exit status 2.
#[test]
fn the_command_line_calls_the_same_services() {
    fn args(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let org = |slug: &str| {
        vec![
            "org",
            "add",
            "--slug",
            slug,
            "--kind",
            "bureau",
            "--name-zh",
            "某市教育局",
            "--name-en",
            "City Education Bureau",
            "--region",
            "某市",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let (code, _) = anxin(&data, &args(&org("city")), None);
    assert_eq!(code, 0);
    let (code, text) = anxin(&data, &args(&org("city")), None);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("这个网址代号已被使用") && text.contains("is taken"),
        "{text}"
    );
    let (code, text) = anxin(&data, &args(&org("Bad_Slug")), None);
    assert_eq!(code, 2);
    assert!(text.contains("网址代号"), "{text}");

    let create = [
        "staff",
        "create",
        "--username",
        "admin",
        "--display-name",
        "管理员",
        "--org",
        "city",
        "--role",
        "admin",
    ];
    let (code, text) = anxin(&data, &create, Some("password123"));
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("太常见"), "the same blocklist: {text}");
    let (code, text) = anxin(&data, &create, Some("river-lamp-42"));
    assert_eq!(code, 0, "{text}");
    let (code, text) = anxin(&data, &create, Some("river-lamp-42"));
    assert_eq!(code, 2);
    assert!(text.contains("这个用户名已被使用"), "{text}");

    let (code, text) = anxin(
        &data,
        &[
            "hotline",
            "hours",
            "12356",
            "--hours-zh",
            "本市 24 小时",
            "--hours-en",
            "24 hours in this city",
        ],
        None,
    );
    assert_eq!(code, 0, "{text}");
    let (code, _) = anxin(
        &data,
        &[
            "hotline",
            "hours",
            "110",
            "--hours-zh",
            "x",
            "--hours-en",
            "x",
        ],
        None,
    );
    assert_eq!(code, 2, "only the national help lines have local hours");
    let (code, text) = anxin(&data, &["staff", "reset-two-factor", "admin"], None);
    assert_eq!(code, 0, "{text}");
    let (code, _) = anxin(&data, &["staff", "disable", "nobody-here"], None);
    assert_eq!(code, 2);
}

/// `anxin jobs`: the operator sees the queue and puts a failed job back in it.
#[test]
fn the_job_queue_is_listed_and_retried_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, text) = anxin(&data, &["migrate"], None);
    assert_eq!(code, 0, "{text}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let id: i64 = rt.block_on(async {
        let db = anxin_app::db::Db::connect(&anxin_app::db::sqlite_url(&data))
            .await
            .unwrap();
        let id = sqlx::query_scalar(
            "INSERT INTO jobs (kind, payload, state, run_at, attempts, max_attempts, last_error, \
             created_at, finished_at) VALUES ('message', '{}', 'failed', 0, 8, 8, \
             'webhook: the gateway answered 503', 0, 0) RETURNING id",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        db.close().await;
        id
    });
    let (code, text) = anxin(&data, &["jobs", "list", "--state", "failed"], None);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(&format!("{id}\tmessage\tfailed\t8/8")) && text.contains("503"),
        "{text}"
    );
    let (code, text) = anxin(&data, &["jobs", "retry", &id.to_string()], None);
    assert_eq!(
        (code, text.trim()),
        (0, format!("job {id} is queued again").as_str())
    );
    let (_, text) = anxin(&data, &["jobs", "list", "--state", "queued"], None);
    assert!(
        text.contains(&format!("{id}\tmessage\tqueued\t0/8")),
        "{text}"
    );
    let (code, text) = anxin(&data, &["jobs", "retry", &id.to_string()], None);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("不用重发") && text.contains("nothing to resend"),
        "{text}"
    );
    let (code, _) = anxin(&data, &["jobs", "retry", "999999"], None);
    assert_eq!(code, 2);
}

/// `--log-format json`: one JSON object per line, for log collectors.
#[test]
fn logs_are_json_lines_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_anxin"))
        .args(["--log-format", "json", "serve", "--addr", "127.0.0.1:0"])
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--site-root")
        .arg(dir.path().join("site"))
        .env("RUST_LOG", "info")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let listening = lines
        .map_while(Result::ok)
        .find(|l| l.contains("listening on"))
        .expect("the server logs where it listens");
    let event: serde_json::Value = serde_json::from_str(&listening).unwrap();
    assert_eq!(event["level"], "INFO", "{event}");
    assert!(
        event["message"]
            .as_str()
            .unwrap()
            .starts_with("Anxin is listening on http://")
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
