//! Staff accounts, roles and publishing over real HTTP, on SQLite and PostgreSQL:
//! the role × action matrix, sessions, login rate limits, CSRF, and what the public
//! may see.

mod common;

use anxin_app::content::{
    data as content,
    model::{Audience, Draft, Kind, Step, Topic},
};
use anxin_app::db::Db;
use anxin_app::staff::{data as staff, password, roles::Role, session};
use common::{Served, TestDb, client, serve};
use reqwest::{StatusCode, header};

const PASSWORD: &str = "river-lamp-42";

/// One protected call in the matrix: its name, path, form and the roles allowed it.
type Call<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, &'a [Role]);

struct Site {
    served: Served,
    db: Db,
    district: i64,
    clinic: i64,
    author: i64,
}

async fn site(test: &TestDb) -> Site {
    let served = serve(test, true).await;
    let db = anxin_server::open_database(&test.url).await.unwrap();
    let org = |slug: &'static str| {
        let db = db.clone();
        async move {
            anxin_app::orgs::data::by_slug(&db, slug)
                .await
                .unwrap()
                .unwrap()
                .id
        }
    };
    let district = org("sample-district").await;
    let clinic = org("sample-clinic").await;
    let hash = password::hash(PASSWORD);
    let mut author = 0;
    for role in Role::ALL {
        let id = staff::create(&db, role.as_str(), role.as_str(), &hash)
            .await
            .unwrap()
            .unwrap();
        staff::grant(&db, id, district, role).await.unwrap();
        if role == Role::Editor {
            author = id;
        }
    }
    // An editor of a sibling organisation: no role on the district's content.
    let outsider = staff::create(&db, "outsider", "outsider", &hash)
        .await
        .unwrap()
        .unwrap();
    staff::grant(&db, outsider, clinic, Role::Editor)
        .await
        .unwrap();
    Site {
        served,
        db,
        district,
        clinic,
        author,
    }
}

/// Signs in and returns the `Cookie` header value.
async fn login(site: &Site, username: &str, secret: &str) -> Option<String> {
    let response = post(
        site,
        None,
        "/staff/fn/login",
        &[("lang", "en"), ("username", username), ("password", secret)],
    )
    .await;
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("anxin-staff=") && !v.starts_with("anxin-staff=;"))
        .map(|v| v.split(';').next().unwrap().to_string())
}

async fn post(
    site: &Site,
    cookie: Option<&str>,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = client()
        .post(site.served.url(path))
        .header(header::ORIGIN, &site.served.base)
        .form(form);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.send().await.unwrap()
}

fn draft(title: &str) -> Draft {
    Draft {
        title: title.into(),
        summary: "summary".into(),
        body: "body".into(),
        language: "zh-CN".into(),
        audiences: vec![Audience::Junior],
        topics: vec![Topic::Emotions],
        minutes: 5,
        ..Draft::default()
    }
}

async fn item(site: &Site, kind: Kind, course: Option<i64>, steps: &[Step]) -> i64 {
    let id = content::create(
        &site.db,
        site.district,
        kind,
        course,
        &draft("t"),
        site.author,
    )
    .await
    .unwrap();
    for step in steps {
        content::step(&site.db, id, *step, None, "")
            .await
            .unwrap()
            .unwrap();
    }
    id
}

#[tokio::test]
async fn role_action_matrix() {
    for test in TestDb::all().await {
        let site = site(&test).await;
        let mut cookies = Vec::new();
        for role in Role::ALL {
            cookies.push((Some(role), login(&site, role.as_str(), PASSWORD).await));
        }
        cookies.push((None, None));
        let outsider = login(&site, "outsider", PASSWORD).await;
        assert!(
            cookies.iter().take(5).all(|(_, c)| c.is_some()),
            "everyone signs in"
        );

        for (role, cookie) in &cookies {
            let who = role.map(|r| r.as_str()).unwrap_or("nobody");
            let draft_item = item(&site, Kind::Article, None, &[]).await.to_string();
            let in_review = item(&site, Kind::Article, None, &[Step::Submit])
                .await
                .to_string();
            let in_review_2 = item(&site, Kind::Article, None, &[Step::Submit])
                .await
                .to_string();
            let published = item(&site, Kind::Article, None, &[Step::Submit, Step::Approve])
                .await
                .to_string();
            let target = staff::create(&site.db, &format!("target-{who}"), "t", "x")
                .await
                .unwrap()
                .unwrap();
            staff::grant(&site.db, target, site.district, Role::Viewer)
                .await
                .unwrap();
            let target = target.to_string();
            let district = site.district.to_string();
            let slug = format!("new-{who}");
            let number = format!("000-1111-{:04}", target.parse::<i64>().unwrap());
            // (action, path, form, roles allowed)
            let actions: Vec<Call> = vec![
                (
                    "create item",
                    "/staff/fn/create-item",
                    vec![
                        ("lang", "zh"),
                        ("org_id", &district),
                        ("kind", "article"),
                        ("title", "新"),
                    ],
                    &[Role::Editor],
                ),
                (
                    "save",
                    "/staff/fn/save-item",
                    vec![
                        ("lang", "zh"),
                        ("id", &draft_item),
                        ("title", "改"),
                        ("summary", "s"),
                        ("body", "b"),
                        ("language", "zh-CN"),
                        ("audiences[]", "junior"),
                        ("topics[]", "sleep"),
                        ("minutes", "3"),
                    ],
                    &[Role::Editor],
                ),
                (
                    "submit",
                    "/staff/fn/workflow",
                    vec![("lang", "zh"), ("id", &draft_item), ("step", "submit")],
                    &[Role::Editor],
                ),
                (
                    "approve",
                    "/staff/fn/workflow",
                    vec![("lang", "zh"), ("id", &in_review), ("step", "approve")],
                    &[Role::Reviewer],
                ),
                (
                    "send back",
                    "/staff/fn/workflow",
                    vec![
                        ("lang", "zh"),
                        ("id", &in_review_2),
                        ("step", "send-back"),
                        ("comment", "请补充"),
                    ],
                    &[Role::Reviewer],
                ),
                (
                    "archive",
                    "/staff/fn/workflow",
                    vec![("lang", "zh"), ("id", &published), ("step", "archive")],
                    &[Role::Reviewer],
                ),
                (
                    "restore",
                    "/staff/fn/restore",
                    vec![("lang", "zh"), ("id", &published), ("number", "1")],
                    &[Role::Editor],
                ),
                (
                    "preview",
                    "/staff/fn/preview",
                    vec![("id", &published)],
                    &Role::ALL,
                ),
                (
                    "editor view",
                    "/staff/fn/item",
                    vec![("id", &published)],
                    &Role::ALL,
                ),
                ("list items", "/staff/fn/items", vec![], &Role::ALL),
                (
                    "create account",
                    "/staff/fn/create-account",
                    vec![
                        ("lang", "zh"),
                        ("username", &slug),
                        ("display_name", "新人"),
                        ("password", PASSWORD),
                        ("org_id", &district),
                        ("role", "viewer"),
                    ],
                    &[Role::Admin],
                ),
                (
                    "grant role",
                    "/staff/fn/set-role",
                    vec![
                        ("lang", "zh"),
                        ("staff_id", &target),
                        ("org_id", &district),
                        ("role", "editor"),
                        ("grant", "true"),
                    ],
                    &[Role::Admin],
                ),
                (
                    "disable",
                    "/staff/fn/set-disabled",
                    vec![("lang", "zh"), ("staff_id", &target), ("disabled", "true")],
                    &[Role::Admin],
                ),
                (
                    "create org",
                    "/staff/fn/create-org",
                    vec![
                        ("lang", "zh"),
                        ("parent_id", &district),
                        ("slug", &slug),
                        ("kind", "school"),
                        ("name_zh", "新校"),
                        ("name_en", "New school"),
                        ("region", "示例市"),
                    ],
                    &[Role::Admin],
                ),
                (
                    "add hotline",
                    "/staff/fn/add-org-hotline",
                    vec![
                        ("lang", "zh"),
                        ("org_id", &district),
                        ("name_zh", "线"),
                        ("name_en", "Line"),
                        ("number", &number),
                        ("hours_zh", "全天"),
                        ("hours_en", "All day"),
                    ],
                    &[Role::Admin],
                ),
                ("people", "/staff/fn/people", vec![], &[Role::Admin]),
                ("audit log", "/staff/fn/audit-log", vec![], &[Role::Admin]),
            ];
            for (action, path, form, allowed) in actions {
                let response = post(&site, cookie.as_deref(), path, &form).await;
                let status = response.status();
                let expected = match role {
                    None => StatusCode::UNAUTHORIZED,
                    Some(role) if allowed.contains(role) => StatusCode::OK,
                    Some(_) => StatusCode::FORBIDDEN,
                };
                assert_eq!(
                    status,
                    expected,
                    "{}: {who} {action}: {}",
                    test.name,
                    response.text().await.unwrap_or_default()
                );
            }
            // Uploading is the editor's too.
            let form = reqwest::multipart::Form::new()
                .text("lang", "zh")
                .text("item", draft_item.clone())
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(png()).file_name("a.png"),
                );
            let mut request = client()
                .post(site.served.url("/staff/uploads"))
                .header(header::ORIGIN, &site.served.base)
                .multipart(form);
            if let Some(cookie) = cookie {
                request = request.header(header::COOKIE, cookie);
            }
            let status = request.send().await.unwrap().status();
            let expected = match role {
                None => StatusCode::UNAUTHORIZED,
                Some(Role::Editor) => StatusCode::SEE_OTHER,
                Some(_) => StatusCode::FORBIDDEN,
            };
            assert_eq!(status, expected, "{}: {who} upload", test.name);
        }
        // Roles do not reach sideways: the clinic's editor cannot even see the district's items.
        let district_item = item(&site, Kind::Article, None, &[]).await.to_string();
        let response = post(
            &site,
            outsider.as_deref(),
            "/staff/fn/save-item",
            &[
                ("lang", "zh"),
                ("id", &district_item),
                ("title", "x"),
                ("summary", ""),
                ("body", ""),
                ("language", "zh-CN"),
                ("minutes", "1"),
            ],
        )
        .await;
        assert_eq!(
            response.status(),
            StatusCode::NOT_FOUND,
            "{}: sibling organisation",
            test.name
        );
        // But they do reach down: a role on the city holds for the district below it.
        let city = anxin_app::orgs::data::by_slug(&site.db, "sample-city")
            .await
            .unwrap()
            .unwrap()
            .id;
        let city_editor = staff::create(&site.db, "city-editor", "c", &password::hash(PASSWORD))
            .await
            .unwrap()
            .unwrap();
        staff::grant(&site.db, city_editor, city, Role::Editor)
            .await
            .unwrap();
        let cookie = login(&site, "city-editor", PASSWORD).await;
        let response = post(
            &site,
            cookie.as_deref(),
            "/staff/fn/workflow",
            &[("lang", "zh"), ("id", &district_item), ("step", "submit")],
        )
        .await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{}: inherited role",
            test.name
        );
        let _ = site.clinic;
        site.served.stop().await;
    }
}

/// A 1×1 PNG.
fn png() -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    bytes.extend_from_slice(&[
        0, 0, 0, 0x0d, b'I', b'H', b'D', b'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15,
        0xc4, 0x89,
    ]);
    bytes.extend_from_slice(&[
        0, 0, 0, 0x0d, b'I', b'D', b'A', b'T', 0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0d, 0x0a,
        0x2d, 0xb4,
    ]);
    bytes.extend_from_slice(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82]);
    bytes.resize(600, 0);
    bytes
}

async fn whoami(site: &Site, cookie: &str) -> StatusCode {
    post(site, Some(cookie), "/staff/fn/items", &[])
        .await
        .status()
}

#[tokio::test]
async fn sessions_rotate_expire_and_end() {
    for test in TestDb::all().await {
        let site = site(&test).await;
        // Cookie attributes; HTTPS (as a proxy reports it) gets the __Host- cookie.
        let response = client()
            .post(site.served.url("/staff/fn/login"))
            .header(header::ORIGIN, &site.served.base)
            .header("x-forwarded-proto", "https")
            .form(&[
                ("lang", "en"),
                ("username", "editor"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        let set = response
            .headers()
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(set.starts_with("__Host-anxin-staff="), "{set}");
        for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
            assert!(set.contains(attribute), "{set} lacks {attribute}");
        }

        // A new session id at every login; the one presented at login ends.
        let first = login(&site, "editor", PASSWORD).await.unwrap();
        let response = post(
            &site,
            Some(&first),
            "/staff/fn/login",
            &[
                ("lang", "en"),
                ("username", "editor"),
                ("password", PASSWORD),
            ],
        )
        .await;
        let second = response
            .headers()
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        assert_ne!(first, second, "{}", test.name);
        assert_eq!(
            whoami(&site, &first).await,
            StatusCode::UNAUTHORIZED,
            "{}: old session ended",
            test.name
        );
        assert_eq!(whoami(&site, &second).await, StatusCode::OK);

        // Idle and absolute timeouts.
        let idle = login(&site, "editor", PASSWORD).await.unwrap();
        sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - $1")
            .bind(session::IDLE_TIMEOUT + 1)
            .execute(site.db.pool())
            .await
            .unwrap();
        assert_eq!(
            whoami(&site, &idle).await,
            StatusCode::UNAUTHORIZED,
            "{}: idle",
            test.name
        );
        let old = login(&site, "reviewer", PASSWORD).await.unwrap();
        sqlx::query("UPDATE sessions SET created_at = created_at - $1")
            .bind(session::ABSOLUTE_TIMEOUT + 1)
            .execute(site.db.pool())
            .await
            .unwrap();
        assert_eq!(
            whoami(&site, &old).await,
            StatusCode::UNAUTHORIZED,
            "{}: absolute",
            test.name
        );
        // Expired sessions nobody presents again are cleared at the next login.
        login(&site, "viewer", PASSWORD).await.unwrap();
        sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - $1")
            .bind(session::IDLE_TIMEOUT + 1)
            .execute(site.db.pool())
            .await
            .unwrap();
        login(&site, "editor", PASSWORD).await.unwrap();
        let expired: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE last_seen_at < $1")
                .bind(anxin_app::db::now() - session::IDLE_TIMEOUT)
                .fetch_one(site.db.pool())
                .await
                .unwrap();
        assert_eq!(expired, 0, "{}: expired sessions left behind", test.name);

        // Logout, and logout everywhere.
        let a = login(&site, "viewer", PASSWORD).await.unwrap();
        post(&site, Some(&a), "/staff/fn/logout", &[("lang", "en")]).await;
        assert_eq!(
            whoami(&site, &a).await,
            StatusCode::UNAUTHORIZED,
            "{}: logout",
            test.name
        );
        let b = login(&site, "viewer", PASSWORD).await.unwrap();
        let c = login(&site, "viewer", PASSWORD).await.unwrap();
        post(
            &site,
            Some(&b),
            "/staff/fn/logout-everywhere",
            &[("lang", "en")],
        )
        .await;
        assert_eq!(
            whoami(&site, &c).await,
            StatusCode::UNAUTHORIZED,
            "{}: everywhere",
            test.name
        );

        // A disabled account's sessions end and it cannot sign in.
        let clinic = login(&site, "clinic", PASSWORD).await.unwrap();
        let admin = login(&site, "admin", PASSWORD).await.unwrap();
        let clinic_id = staff::account(&site.db, "clinic")
            .await
            .unwrap()
            .unwrap()
            .id
            .to_string();
        let response = post(
            &site,
            Some(&admin),
            "/staff/fn/set-disabled",
            &[
                ("lang", "en"),
                ("staff_id", &clinic_id),
                ("disabled", "true"),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            whoami(&site, &clinic).await,
            StatusCode::UNAUTHORIZED,
            "{}: disabled",
            test.name
        );
        assert!(login(&site, "clinic", PASSWORD).await.is_none());

        // Cross-site and origin-less state changes are refused before anything runs.
        let second = login(&site, "editor", PASSWORD).await.unwrap();
        for origin in [Some("https://evil.example"), None] {
            let mut request = client()
                .post(site.served.url("/staff/fn/logout-everywhere"))
                .header(header::COOKIE, &second)
                .form(&[("lang", "en")]);
            if let Some(origin) = origin {
                request = request.header(header::ORIGIN, origin);
            }
            assert_eq!(
                request.send().await.unwrap().status(),
                StatusCode::FORBIDDEN
            );
        }
        assert_eq!(
            whoami(&site, &second).await,
            StatusCode::OK,
            "{}: CSRF changed nothing",
            test.name
        );
        // No state change on GET.
        let get = client()
            .get(site.served.url("/staff/fn/logout"))
            .header(header::COOKIE, &second)
            .send()
            .await
            .unwrap();
        assert_ne!(get.status(), StatusCode::OK);
        assert_eq!(whoami(&site, &second).await, StatusCode::OK);
        site.served.stop().await;
    }
}

#[tokio::test]
async fn logins_are_rate_limited() {
    for test in TestDb::all().await {
        let site = site(&test).await;
        for _ in 0..session::ACCOUNT_FAILURES {
            assert!(login(&site, "editor", "wrong-password").await.is_none());
        }
        // Now even the right password is refused, with a clear message.
        let response = post(
            &site,
            None,
            "/staff/fn/login",
            &[
                ("lang", "en"),
                ("username", "editor"),
                ("password", PASSWORD),
            ],
        )
        .await;
        assert_eq!(
            response.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            test.name
        );
        let location = response
            .headers()
            .get(header::LOCATION)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            location.contains("error=login-rate-limited&minutes="),
            "{location}"
        );
        let page = site.served.text(&location).await;
        assert!(
            page.contains("Too many failed sign-ins. Try again in"),
            "{}: message shown",
            test.name
        );
        // Another account from the same address is not locked out by these.
        assert!(
            login(&site, "reviewer", PASSWORD).await.is_some(),
            "{}",
            test.name
        );
        // The failures are recorded in the audit log, without the password.
        let log: Vec<String> =
            sqlx::query_scalar("SELECT detail || action || target FROM audit_log")
                .fetch_all(site.db.pool())
                .await
                .unwrap();
        assert!(log.iter().any(|l| l.contains("login-failed")));
        assert!(log.iter().all(|l| !l.contains("wrong-password")));
        site.served.stop().await;
    }
}

#[tokio::test]
async fn the_public_sees_only_what_is_published() {
    for test in TestDb::all().await {
        let site = site(&test).await;
        let c = client();
        let draft_item = item(&site, Kind::Article, None, &[]).await;
        let in_review = item(&site, Kind::Article, None, &[Step::Submit]).await;
        let archived = item(
            &site,
            Kind::Article,
            None,
            &[Step::Submit, Step::Approve, Step::Archive],
        )
        .await;
        let published = item(&site, Kind::Article, None, &[Step::Submit, Step::Approve]).await;
        let scheduled = item(&site, Kind::Article, None, &[Step::Submit]).await;
        let tomorrow = anxin_app::db::now() + 86_400;
        content::step(&site.db, scheduled, Step::Approve, Some(tomorrow), "")
            .await
            .unwrap()
            .unwrap();
        let hidden_course = item(&site, Kind::Course, None, &[]).await;
        let lesson_of_hidden = item(
            &site,
            Kind::Lesson,
            Some(hidden_course),
            &[Step::Submit, Step::Approve],
        )
        .await;
        // A published item edited again: the public keeps the approved revision.
        let edited = item(&site, Kind::Article, None, &[Step::Submit, Step::Approve]).await;
        content::save(
            &site.db,
            edited,
            &draft("未审核的新标题"),
            None,
            site.author,
        )
        .await
        .unwrap();

        for (id, kind, visible) in [
            (draft_item, "articles", false),
            (in_review, "articles", false),
            (archived, "articles", false),
            (scheduled, "articles", false),
            (published, "articles", true),
            (edited, "articles", true),
            (hidden_course, "courses", false),
            (lesson_of_hidden, "lessons", false),
            (published, "lessons", false),
        ] {
            let page = c
                .get(site.served.url(&format!("/zh/{kind}/{id}")))
                .send()
                .await
                .unwrap();
            let api = c
                .get(site.served.url(&format!("/api/v1/{kind}/{id}")))
                .send()
                .await
                .unwrap();
            let expected = if visible {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(page.status(), expected, "{}: page {kind}/{id}", test.name);
            assert_eq!(api.status(), expected, "{}: api {kind}/{id}", test.name);
        }
        let edited_page = site.served.text(&format!("/zh/articles/{edited}")).await;
        assert!(!edited_page.contains("未审核的新标题"), "{}", test.name);

        // Lists: only published; paginated; filters work.
        let all = site.served.json("/api/v1/articles?per_page=100").await;
        let ids: Vec<i64> = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        assert!(ids.contains(&published) && ids.contains(&edited));
        for hidden in [draft_item, in_review, archived, scheduled] {
            assert!(!ids.contains(&hidden), "{}: {hidden} listed", test.name);
        }
        let total = all["total"].as_i64().unwrap();
        let page2 = site.served.json("/api/v1/articles?per_page=2&page=2").await;
        assert_eq!(page2["total"].as_i64().unwrap(), total);
        assert_eq!(
            page2["items"].as_array().unwrap().len() as i64,
            (total - 2).clamp(0, 2)
        );
        let teachers = site.served.json("/api/v1/articles?audience=teachers").await;
        assert!(teachers["items"].as_array().unwrap().iter().all(|i| {
            i["audiences"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a == "teachers")
        }));
        let bad = c
            .get(site.served.url("/api/v1/articles?audience=aliens"))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
        let catalogue = site.served.text("/zh/courses").await;
        assert!(catalogue.contains("认识和照顾自己的情绪"));
        assert!(
            !catalogue.contains("__RESOLVED_RESOURCES["),
            "{}: the listing is in the HTML once, not again as hydration data",
            test.name
        );
        assert!(
            !catalogue.contains("（草稿）"),
            "{}: demo draft not listed",
            test.name
        );

        // The OpenAPI document describes every path.
        let doc = site.served.json("/api/v1/openapi.json").await;
        for path in [
            "/api/v1/courses",
            "/api/v1/courses/{id}",
            "/api/v1/lessons/{id}",
            "/api/v1/articles",
            "/api/v1/articles/{id}",
        ] {
            assert!(
                doc["paths"][path]["get"].is_object(),
                "{path} missing from OpenAPI"
            );
        }
        site.served.stop().await;
    }
}

/// A school's site frames `/<lang>/embed/<slug>`: that organisation's published
/// content and its own hotlines, links opening Anxin in a new tab. Only embeds may be
/// framed.
#[tokio::test]
async fn organisations_embed_their_content_in_other_sites() {
    for test in TestDb::all().await {
        let site = site(&test).await;
        let served = &site.served;
        let c = client();
        let which = test.name;
        let get = |path: &str| c.get(served.url(path)).send();

        let embed = get("/zh/embed/sample-family-centre").await.unwrap();
        assert_eq!(embed.status(), StatusCode::OK, "{which}");
        let csp = embed.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains("frame-ancestors *"), "{which}: {csp}");
        assert!(csp.contains("script-src 'self' 'nonce-"), "{which}: {csp}");
        assert!(embed.headers().get(header::X_FRAME_OPTIONS).is_none());
        let html = embed.text().await.unwrap();
        // The family centre's parent-school course, not the district's courses.
        assert!(html.contains("和青春期的孩子好好说话"), "{which}");
        assert!(!html.contains("认识和照顾自己的情绪"), "{which}");
        // Its own line beside the national ones; not a sibling's. Sample lines have
        // made-up numbers: shown as such, never as a number to call.
        assert!(html.contains("tel:12356"), "{which}");
        assert!(
            html.contains("000-0000-0002"),
            "{which}: its own sample line"
        );
        assert!(
            !html.contains("tel:00000000002"),
            "{which}: a sample number is no link"
        );
        assert!(html.contains("示例号码，不能拨打"), "{which}");
        assert!(!html.contains("000-0000-0001"), "{which}: clinic line");
        assert!(
            html.contains(r#"?org=sample-family-centre" target="_blank" rel="noopener""#),
            "{which}: items open on Anxin, within the organisation"
        );
        assert!(!html.contains("site-header"), "{which}: no site chrome");
        assert!(
            !html.contains("<script src"),
            "{which}: no script file in the frame"
        );
        assert!(
            !html.contains("__RESOLVED_RESOURCES["),
            "{which}: the listing is not repeated as hydration data"
        );

        // The parent-school variant lists only items for parents.
        let district = served.text("/en/embed/sample-district?for=parents").await;
        assert!(!district.contains("认识和照顾自己的情绪"), "{which}");
        let district_all = served.text("/zh/embed/sample-district").await;
        assert!(district_all.contains("认识和照顾自己的情绪"), "{which}");

        let unknown = get("/zh/embed/no-such-org").await.unwrap();
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND, "{which}");

        // Every other page still refuses to be framed.
        for path in ["/zh/courses", "/zh/staff/login", "/zh/help"] {
            let page = get(path).await.unwrap();
            let csp = page.headers()[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap();
            assert!(csp.contains("frame-ancestors 'none'"), "{which}: {path}");
            assert_eq!(
                page.headers()[header::X_FRAME_OPTIONS],
                "DENY",
                "{which}: {path}"
            );
        }

        // The district's admin finds the link and the embed codes to copy.
        let cookie = login(&site, "admin", PASSWORD).await.unwrap();
        let orgs_page = c
            .get(served.url("/zh/staff/organisations"))
            .header(header::COOKIE, &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for expected in [
            format!("{}/zh/courses?org=sample-district", served.base),
            format!("{}/zh/embed/sample-district", served.base),
            format!("{}/zh/embed/sample-school?for=parents", served.base),
        ] {
            assert!(orgs_page.contains(&expected), "{which}: {expected}");
        }
        site.served.stop().await;
    }
}
