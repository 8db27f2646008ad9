//! The real server over real HTTP, on SQLite and on PostgreSQL.

mod common;

use common::{TestDb, client, per_backend, serve, serve_with};
use reqwest::{StatusCode, header};
use sha2::Digest;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn health_pages_and_headers(db: TestDb) {
    {
        let served = serve(&db, true).await;
        let base = served.base.clone();
        let http = client();
        let which = db.name;

        let health = http.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(health.status(), StatusCode::OK, "{which}");
        // The job workers look for work as the server starts, and say so.
        let health = health.text().await.unwrap();
        assert!(
            health.starts_with("ok\n") && health.contains("job worker: alive"),
            "{which}: {health}"
        );

        let page = http.get(format!("{base}/zh")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{which}");
        let headers = page.headers().clone();
        let csp = headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_string();
        for expected in [
            "'wasm-unsafe-eval'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(expected), "{which}: {expected} not in {csp}");
        }
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
        assert!(
            headers.get(header::SET_COOKIE).is_none(),
            "{which}: anonymous visitors get no cookie"
        );

        let html = page.text().await.unwrap();
        assert!(html.contains(r#"<html lang="zh-CN">"#), "{which}");
        for tel in ["tel:110", "tel:120", "tel:12356", "tel:12355"] {
            assert!(html.contains(tel), "{which}: {tel} missing");
        }
        assert!(
            html.contains("示例号码：本市心理援助热线"),
            "{which}: the demo local line is shown"
        );
        assert!(
            html.contains(r#"href="https://example.org/""#),
            "{which}: quick exit goes to the configured page"
        );
        // A public page comes from the render cache: no nonce, and each inline script
        // allowed by its hash, no more and no fewer.
        assert!(
            !csp.contains("'nonce-") && !html.contains("nonce="),
            "{which}: {csp}"
        );
        let scripts = inline_scripts(&html);
        assert!(!scripts.is_empty(), "{which}");
        for script in &scripts {
            let hash = base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                sha2::Sha256::digest(script.as_bytes()),
            );
            assert!(
                csp.contains(&format!("'sha256-{hash}'")),
                "{which}: {script}"
            );
        }
        assert_eq!(csp.matches("'sha256-").count(), scripts.len(), "{which}");

        let en = served.text("/en/help").await;
        assert!(
            en.contains(r#"<html lang="en">"#) && en.contains("Help lines"),
            "{which}"
        );
        // Over plain HTTP, no HSTS; public pages may be cached, staff pages never.
        assert!(headers.get(header::STRICT_TRANSPORT_SECURITY).is_none());
        let login = http
            .get(format!("{base}/zh/staff/login"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            login.headers()[header::CACHE_CONTROL],
            "no-store",
            "{which}"
        );
        // A staff page is never kept: every inline script carries this response's
        // nonce, and only that one.
        let csp = login.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_string();
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .unwrap()
            .split('\'')
            .next()
            .unwrap();
        let html = login.text().await.unwrap();
        assert_eq!(
            html.matches("<script").count(),
            html.matches(&format!("nonce=\"{nonce}\"")).count(),
            "{which}"
        );

        served.stop().await;
    }
}

per_backend!(health_pages_and_headers);

/// The text of each inline `<script>` in `html`.
fn inline_scripts(html: &str) -> Vec<String> {
    html.split("<script")
        .skip(1)
        .filter_map(|rest| {
            let (tag, after) = rest.split_once('>')?;
            (!tag.contains("src=")).then(|| after.split("</script>").next().unwrap().to_string())
        })
        .collect()
}

#[tokio::test]
async fn language_redirects_and_not_found() {
    let db = TestDb::sqlite().await;
    let served = serve(&db, false).await;
    let base = served.base.clone();
    let http = client();

    let to = |r: &reqwest::Response| r.headers()[header::LOCATION].to_str().unwrap().to_string();
    let r = http.get(format!("{base}/")).send().await.unwrap();
    assert!(r.status().is_redirection());
    assert_eq!(to(&r), "/zh");
    let r = http
        .get(format!("{base}/"))
        .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(to(&r), "/en");
    assert_eq!(r.headers()[header::VARY], "Accept-Language");
    let r = http
        .get(format!("{base}/booking?x=1"))
        .header(header::ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap();
    assert_eq!(to(&r), "/en/booking?x=1");
    let r = http.get(format!("{base}/zh/help/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(to(&r), "/zh/help");
    let r = http.get(format!("{base}/xx")).send().await.unwrap();
    assert_eq!(
        to(&r),
        "/zh/xx",
        "an unknown first segment is a page path without a language"
    );
    // `//zh/` must not redirect to `//zh`, which a browser reads as the host "zh".
    for (path, expected) in [("//zh/", "/zh"), ("//evil.example/", "/zh/evil.example")] {
        let r = http.get(format!("{base}{path}")).send().await.unwrap();
        assert!(r.status().is_redirection(), "{path}");
        let location = to(&r);
        assert_eq!(location, expected, "{path}");
        assert!(!location.starts_with("//"), "{path} -> {location}");
    }
    // Methods the site does not use meet 405, not a CSRF refusal.
    let trace = http
        .request(
            reqwest::Method::from_bytes(b"TRACE").unwrap(),
            format!("{base}/api/v1/courses"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(trace.status(), StatusCode::METHOD_NOT_ALLOWED);

    for missing in ["/zh/no-such-page", "/en/help/deeper/still", "/zh/xx"] {
        let r = http.get(format!("{base}{missing}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{missing}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("tel:12356"),
            "{missing}: the help panel is on error pages too"
        );
    }
    served.stop().await;
}

/// A questionnaire's FHIR definition, which the self-check's result links to: served
/// in the language asked for; a language or questionnaire not offered is refused.
#[tokio::test]
async fn questionnaires_are_served_as_fhir() {
    let db = TestDb::sqlite().await;
    let served = serve(&db, false).await;
    let http = client();
    let url = |path: &str| served.url(&format!("/api/v1/instruments/{path}"));

    let r = http
        .get(url("phq9/fhir-questionnaire"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "application/fhir+json");
    let zh: serde_json::Value = r.json().await.unwrap();
    assert_eq!(zh["resourceType"], "Questionnaire");
    assert_eq!(zh["language"], "zh-CN", "Chinese unless asked otherwise");
    let en = served
        .json("/api/v1/instruments/phq9/fhir-questionnaire?lang=en")
        .await;
    assert_eq!(en["language"], "en");
    assert_eq!(
        en["item"].as_array().unwrap().len(),
        zh["item"].as_array().unwrap().len()
    );
    assert_ne!(en["title"], zh["title"]);

    for (path, status, field) in [
        (
            "phq9/fhir-questionnaire?lang=fr",
            StatusCode::BAD_REQUEST,
            Some("lang"),
        ),
        (
            "phq9/fhir-questionnaire?lang=",
            StatusCode::BAD_REQUEST,
            Some("lang"),
        ),
        (
            "nothing-here/fhir-questionnaire",
            StatusCode::NOT_FOUND,
            None,
        ),
    ] {
        let r = http
            .get(url(path))
            .header(header::ACCEPT_LANGUAGE, "en")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{path}");
        let error: serde_json::Value = r.json().await.unwrap();
        assert_eq!(error["field"].as_str(), field, "{path}");
        assert!(
            error["message"].as_str().is_some_and(|m| m.is_ascii()),
            "{path}: {error}"
        );
    }
    served.stop().await;
}

#[tokio::test]
async fn requests_waiting_on_a_page_that_is_not_kept_get_their_own_answer() {
    let db = TestDb::sqlite().await;
    let served = serve(&db, false).await;
    let http = client();
    // Many requests at once for one page the render cache would keep but cannot (a
    // 404): one renders it and the others wait on that rendering. Each must then get
    // its own answer; the load test once saw these as 500s.
    let tasks: Vec<_> = (0..48)
        .map(|_| {
            let request = http.get(format!("{}/zh/lessons/987654", served.base));
            tokio::spawn(async move { request.send().await.map(|r| r.status()) })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), StatusCode::NOT_FOUND);
    }
    served.stop().await;
}

#[tokio::test]
async fn static_files_are_precompressed_and_cached() {
    let db = TestDb::sqlite().await;
    let served = serve(&db, false).await;
    let base = served.base.clone();
    let http = client();

    let css = http
        .get(format!("{base}/pkg/anxin.css"))
        .header(header::ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(css.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(css.headers()[header::CONTENT_TYPE], "text/css");
    assert!(css.headers().contains_key(header::CACHE_CONTROL));
    assert!(
        served.site.path().join("pkg/anxin.css.br").exists(),
        "written at start-up"
    );
    let compressed = css.bytes().await.unwrap().len();
    assert!(
        compressed < "body{margin:0}\n".len() * 200 / 10,
        "brotli body was {compressed} bytes"
    );

    let gz = http
        .get(format!("{base}/pkg/anxin.css"))
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()[header::CONTENT_ENCODING], "gzip");
    let icon = http
        .get(format!("{base}/favicon.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(icon.status(), StatusCode::OK);
    assert_eq!(icon.headers()[header::CONTENT_TYPE], "image/svg+xml");
    served.stop().await;
}

#[tokio::test]
async fn oversized_request_bodies_are_refused() {
    let db = TestDb::sqlite().await;
    let served = serve(&db, false).await;
    let r = client()
        .post(served.url("/staff/fn/login"))
        .header(reqwest::header::ORIGIN, &served.base)
        .body(vec![b'x'; anxin_server::MAX_FORM_BODY + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    served.stop().await;
}

#[tokio::test]
async fn healthz_reports_an_unreachable_database() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let served = serve(&db, false).await;
    let url = served.url("/healthz");
    assert_eq!(
        client().get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    db.drop_database().await;
    let r = client().get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    // Pages still render, with the help panel, while the database is down.
    let page = client().get(served.url("/zh")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("tel:12356"));
    // A page that needs the database says it cannot read it now, as a 503 (so no cache
    // keeps it), never "no such page"; the help panel stays.
    for path in ["/zh/lessons/1", "/zh/courses", "/zh/parent-school/junior"] {
        let page = client().get(served.url(path)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(page.headers().get(header::ETAG).is_none(), "{path}");
        let html = page.text().await.unwrap();
        assert!(
            html.contains("暂时无法读取数据") && html.contains("tel:12356"),
            "{path}"
        );
    }
    served.stop().await;
}

/// Finding 7: a client that trickles its request headers (slowloris) is dropped, and so
/// is one that stalls in the middle of a body; others are served meanwhile.
#[tokio::test]
async fn slow_clients_are_dropped() {
    let db = TestDb::sqlite().await;
    let served = serve(&db, false).await;
    let addr = served.server.addr;

    // Headers, one byte every second: the server closes the connection after the
    // header timeout instead of waiting forever.
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    let started = std::time::Instant::now();
    let request = b"GET /zh HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    slow.write_all(request).await.unwrap();
    let mut closed = false;
    for _ in 0..(anxin_server::HEADER_TIMEOUT.as_secs() + 10) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if slow.write_all(b"a").await.is_err() {
            closed = true;
            break;
        }
        let mut buffer = [0u8; 256];
        match tokio::time::timeout(Duration::from_millis(10), slow.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                closed = true;
                break;
            }
            // A 408 answer before closing counts as dropping it too.
            Ok(Ok(_)) => {
                closed = true;
                break;
            }
            Err(_) => {}
        }
    }
    assert!(
        closed,
        "a slow-header client was still connected after {:?}",
        started.elapsed()
    );
    // Meanwhile and afterwards, everyone else is served.
    assert_eq!(
        client()
            .get(served.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    // A body that stops arriving: the request ends with an error, not a held connection.
    let mut stalled = tokio::net::TcpStream::connect(addr).await.unwrap();
    stalled
        .write_all(
            format!(
                "POST /staff/fn/login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nlang=zh&"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        anxin_server::BODY_IDLE_TIMEOUT + Duration::from_secs(15),
        stalled.read_to_end(&mut answer),
    )
    .await;
    assert!(read.is_ok(), "a stalled body kept the connection open");
    served.stop().await;
}

/// Finding 9: served over HTTPS, only the `__Host-` cookie opens a session (a
/// plain-named one could be planted), and every response says HTTPS only (HSTS).
#[tokio::test]
async fn over_https_only_the_host_cookie_counts_and_hsts_is_sent() {
    let db = TestDb::sqlite().await;
    let served = serve_with(&db, |c| {
        c.secure_cookies = true;
        c.demo_data = true;
    })
    .await;
    let admin_db = db.open().await;
    let city = anxin_app::orgs::service::by_slug(
        &anxin_app::service::Ctx::system(admin_db.clone(), anxin_app::clock::Clock::System),
        "sample-city",
    )
    .await
    .unwrap()
    .id;
    common::create_staff(
        &admin_db,
        "https-editor",
        city,
        anxin_app::staff::roles::Role::Editor,
    )
    .await;
    let login = client()
        .post(served.url("/staff/fn/login"))
        .header(header::ORIGIN, &served.base)
        .form(&[
            ("lang", "en"),
            ("username", "https-editor"),
            ("password", common::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        login.headers()[header::STRICT_TRANSPORT_SECURITY]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
    let set = login.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        set.starts_with("__Host-anxin-staff=") && set.contains("; Secure"),
        "{set}"
    );
    let token = set
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    let items = |cookie: String| {
        client()
            .post(served.url("/staff/fn/items"))
            .header(header::ORIGIN, &served.base)
            .header(header::COOKIE, cookie)
            .send()
    };
    assert_eq!(
        items(format!("__Host-anxin-staff={token}"))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        items(format!("anxin-staff={token}"))
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED,
        "the plain-named cookie is ignored over HTTPS"
    );
    served.stop().await;
}

/// Metrics: on their own address only, per route pattern (no ids, no questionnaire
/// names), with the database pool, jobs and bookings; nothing on the public port.
#[tokio::test]
async fn metrics_are_private_and_name_routes_not_people() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let metrics_addr = free.local_addr().unwrap();
    drop(free);
    let db = TestDb::sqlite().await;
    let served = serve_with(&db, |c| {
        c.demo_data = true;
        c.metrics_addr = Some(metrics_addr);
    })
    .await;
    for path in [
        "/zh",
        "/zh/self-check/phq9",
        "/zh/self-check/gad7",
        "/zh/courses",
    ] {
        client().get(served.url(path)).send().await.unwrap();
    }
    // The public port knows no such page (it sends a language-less path to /zh/…).
    for path in ["/metrics", "/zh/metrics"] {
        let public = client().get(served.url(path)).send().await.unwrap();
        assert!(!public.status().is_success(), "never on the public port");
    }
    let text = client()
        .get(format!("http://{metrics_addr}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(r#"anxin_http_requests_total{route="/{lang}/self-check/{id}",method="GET",status="2xx"}"#),
        "{text}"
    );
    assert!(text.contains("anxin_http_request_duration_seconds_bucket"));
    assert!(text.contains("anxin_db_connections"));
    assert!(
        !text.contains("phq9") && !text.contains("gad7"),
        "no questionnaire is named"
    );
    served.stop().await;
}

/// "My safety plan": the same page for everyone (kept by the render cache and the
/// offline worker), its seven fields labelled and in no form, the lines step prefilled
/// with the real help lines only, and its script allowed by the page's policy.
#[tokio::test]
async fn the_safety_plan_is_a_public_page_with_nothing_to_submit() {
    let db = TestDb::sqlite().await;
    let served = serve(&db, true).await;
    for (lang, counsellor) in [("zh", "学校心理老师："), ("en", "School counsellor:")] {
        let page = client()
            .get(served.url(&format!("/{lang}/safety-plan")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{lang}");
        assert!(page.headers().get(header::SET_COOKIE).is_none(), "{lang}");
        let csp = page.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_string();
        let html = page.text().await.unwrap();
        assert!(!html.contains("<form"), "{lang}: nothing can be submitted");
        assert_eq!(html.matches("<textarea").count(), 7, "{lang}");
        for step in [
            "signs", "self", "distract", "people", "lines", "safer", "reason",
        ] {
            assert!(
                html.contains(&format!(r#"<label for="plan-{step}">"#)),
                "{lang}: {step} has a label"
            );
            assert!(
                html.contains(&format!(r#"aria-describedby="plan-{step}-hint""#)),
                "{lang}: {step} has its hint"
            );
        }
        // Step 5 holds the real lines, the help line first; never the sample's number.
        let lines = html
            .split(r#"id="plan-lines""#)
            .nth(1)
            .and_then(|rest| rest.split_once('>'))
            .map(|(_, rest)| rest.split("</textarea>").next().unwrap().to_string())
            .unwrap();
        assert!(lines.contains("12356"), "{lang}: {lines}");
        assert!(lines.find("12356") < lines.find("12355"), "{lang}: {lines}");
        assert!(lines.contains("120") && lines.contains("110"), "{lang}");
        assert!(lines.contains(counsellor), "{lang}: {lines}");
        assert!(
            !lines.contains("示例") && !lines.contains("Sample") && !lines.contains("00000"),
            "{lang}: no sample line in the plan: {lines}"
        );
        // The script is inline, allowed by its hash (a kept page), and the only
        // storage it names is the plan's own key.
        let scripts = inline_scripts(&html);
        let plan_script = scripts
            .iter()
            .find(|s| s.contains("anxin.safety-plan"))
            .expect("the plan's script is on the page");
        assert!(
            !plan_script.contains("fetch(") && !plan_script.contains("XMLHttpRequest"),
            "the script makes no request"
        );
        for script in &scripts {
            let hash = base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                sha2::Sha256::digest(script.as_bytes()),
            );
            assert!(csp.contains(&format!("'sha256-{hash}'")), "{lang}: {csp}");
        }
        // One tap from the help panel (on every page) and from the help page.
        let help = served.text(&format!("/{lang}/help")).await;
        assert!(
            help.matches(&format!(r#"href="/{lang}/safety-plan""#))
                .count()
                >= 2,
            "{lang}: the help panel and the help page link to the plan"
        );
    }
    // Offline after one visit, in both languages.
    let worker = served.text("/sw.js").await;
    for path in ["\"/zh/safety-plan\"", "\"/en/safety-plan\""] {
        assert!(worker.contains(path), "{path} in {worker}");
    }
    // And listed for search engines, like the other sections.
    let sitemap = served.text("/sitemap.xml").await;
    for lang in ["zh", "en"] {
        assert!(
            sitemap.contains(&format!("/{lang}/safety-plan</loc>")),
            "{sitemap}"
        );
    }
    served.stop().await;
}
