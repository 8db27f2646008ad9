//! The real server over real HTTP, on SQLite and on PostgreSQL.

mod common;

use common::{TestDb, client, serve};
use reqwest::{StatusCode, header};

#[tokio::test]
async fn health_pages_and_headers_on_both_backends() {
    for db in TestDb::all().await {
        let served = serve(&db, true).await;
        let base = served.base.clone();
        let http = client();
        let which = db.name;

        let health = http.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(health.status(), StatusCode::OK, "{which}");

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
            html.contains("示例市 24 小时心理援助热线"),
            "{which}: the demo local line is shown"
        );
        assert!(
            html.contains(r#"href="https://example.org/""#),
            "{which}: quick exit goes to the configured page"
        );
        // Every inline script carries this response's nonce, and only that one.
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .unwrap()
            .split('\'')
            .next()
            .unwrap();
        assert_eq!(
            html.matches("<script").count(),
            html.matches(&format!("nonce=\"{nonce}\"")).count(),
            "{which}"
        );

        let en = served.text("/en/help").await;
        assert!(
            en.contains(r#"<html lang="en">"#) && en.contains("Helplines"),
            "{which}"
        );

        served.stop().await;
    }
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
    served.stop().await;
}
