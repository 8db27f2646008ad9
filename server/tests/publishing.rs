//! Staff accounts, roles and publishing over real HTTP, on SQLite and PostgreSQL: the
//! role × action matrix (one test per protected operation and backend), sessions,
//! sign-in limits, two-factor sign-in, the review rules, admins' reach, the audit log,
//! uploads, and what the public may see.

mod common;

use anxin_app::clock::Clock;
use anxin_app::content::{
    data as content,
    model::{Audience, Draft, Kind, Topic},
    service::{self as content_service, NewItem, StepRequest},
};
use anxin_app::db::Db;
use anxin_app::ids::{ItemId, OrgId};
use anxin_app::service::Ctx;
use anxin_app::staff::{roles::Role, session};
use common::{PASSWORD, Served, TestDb, client, create_staff, per_backend, serve_with};
use reqwest::{StatusCode, header};

struct Site {
    served: Served,
    db: Db,
    clock: Clock,
    district: OrgId,
    clinic: OrgId,
    city: OrgId,
}

/// A served site with the sample content, an account per role on the district (named
/// after the role), and an editor of the clinic (`outsider`). `clock` is what the
/// server sees.
async fn site_at(test: &TestDb, clock: Clock) -> Site {
    let served = serve_with(test, |c| {
        c.demo_data = true;
        c.clock = clock.clone();
    })
    .await;
    let db = test.open().await;
    let system = Ctx::system(db.clone(), clock.clone());
    let org = async |slug: &str| {
        anxin_app::orgs::service::by_slug(&system, slug)
            .await
            .unwrap()
            .id
    };
    let (district, clinic, city) = (
        org("sample-district").await,
        org("sample-clinic").await,
        org("sample-city").await,
    );
    for role in Role::ALL {
        create_staff(&db, role.as_str(), district, role).await;
    }
    create_staff(&db, "outsider", clinic, Role::Editor).await;
    Site {
        served,
        db,
        clock,
        district,
        clinic,
        city,
    }
}

async fn site(test: &TestDb) -> Site {
    site_at(test, Clock::System).await
}

impl Site {
    fn system(&self) -> Ctx {
        Ctx::system(self.db.clone(), self.clock.clone())
    }

    /// A booking of the district's matched (sample) service, made by phone number `n`.
    async fn booking(&self, n: usize) -> anxin_app::ids::BookingId {
        let phone = format!("136{n:08}");
        let env = &self.served.server.state.booking;
        let booked = common::book_sample_with(&self.system(), env, self.district, &[phone])
            .await
            .remove(0)
            .unwrap();
        let id: i64 = sqlx::query_scalar("SELECT id FROM bookings WHERE code = $1")
            .bind(&booked.code)
            .fetch_one(self.db.pool())
            .await
            .unwrap();
        anxin_app::ids::BookingId(id)
    }

    /// The district's booking service.
    async fn booking_service(&self) -> anxin_app::ids::ServiceId {
        let setup = anxin_app::booking::service::setup(&self.system(), self.district)
            .await
            .unwrap();
        setup.services[0].id
    }

    /// An item in the district made by the operator, taken through `steps`.
    async fn item(&self, kind: Kind, course: Option<ItemId>, steps: &[&str]) -> ItemId {
        let system = self.system();
        let what = match (kind, course) {
            (Kind::Lesson, Some(course)) => NewItem::Lesson { course },
            (Kind::Course, _) => NewItem::Course { org: self.district },
            _ => NewItem::Article { org: self.district },
        };
        let id = content_service::create_with(&system, what, &draft("t"))
            .await
            .unwrap();
        for step in steps {
            let request = match *step {
                "submit" => StepRequest::Submit,
                "approve" => StepRequest::Approve {
                    revision: 1,
                    from: None,
                },
                "archive" => StepRequest::Archive,
                other => panic!("{other}"),
            };
            content_service::step(&system, id, request).await.unwrap();
        }
        id
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
    session_cookie(&response)
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
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

async fn upload(
    site: &Site,
    cookie: Option<&str>,
    item: ItemId,
    file: Vec<u8>,
    name: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("lang", "zh")
        .text("item", item.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(file).file_name(name.to_string()),
        );
    let mut request = client()
        .post(site.served.url("/staff/uploads"))
        .header(header::ORIGIN, &site.served.base)
        .multipart(form);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.send().await.unwrap()
}

/// Every role (and nobody) tries one protected operation; only `allowed` may. The
/// fixture is made fresh for each try, so one role's success changes nothing for the
/// next.
async fn matrix(test: TestDb, operation: &str) {
    let site = site(&test).await;
    let mut people: Vec<(Option<Role>, Option<String>)> = Vec::new();
    for role in Role::ALL {
        let cookie = login(&site, role.as_str(), PASSWORD).await;
        assert!(cookie.is_some(), "{} signs in", role.as_str());
        people.push((Some(role), cookie));
    }
    people.push((None, None));
    for (n, (role, cookie)) in people.iter().enumerate() {
        let who = role.map(|r| r.as_str()).unwrap_or("nobody");
        let district = site.district.to_string();
        let target = create_staff(
            &site.db,
            &format!("target-{n}"),
            site.district,
            Role::Viewer,
        )
        .await
        .to_string();
        let slug = format!("new-org-{n}");
        let number = format!("000-1111-{n:04}");
        let new_user = format!("new-user-{n}");
        let (allowed, status): (&[Role], StatusCode) = match operation {
            "upload" => {
                let item = site.item(Kind::Article, None, &[]).await;
                let response = upload(&site, cookie.as_deref(), item, png(), "a.png").await;
                (
                    &[Role::Editor],
                    expect(response, role, &[Role::Editor], StatusCode::SEE_OTHER).await,
                )
            }
            "booking_export" => {
                let url = site.served.url(&format!(
                    "/staff/booking/export.csv?org={}&from=2026-01-01&to=2026-12-31&lang=zh",
                    site.district
                ));
                let mut request = client().get(url);
                if let Some(cookie) = cookie.as_deref() {
                    request = request.header(header::COOKIE, cookie);
                }
                let response = request.send().await.unwrap();
                (
                    &[Role::Clinic],
                    expect(response, role, &[Role::Clinic], StatusCode::OK).await,
                )
            }
            _ => {
                let draft_item = site.item(Kind::Article, None, &[]).await.to_string();
                let in_review = site
                    .item(Kind::Article, None, &["submit"])
                    .await
                    .to_string();
                let published = site
                    .item(Kind::Article, None, &["submit", "approve"])
                    .await
                    .to_string();
                let booking_id = if operation.starts_with("booking_") {
                    site.booking(n).await.to_string()
                } else {
                    String::new()
                };
                let service_id = site.booking_service().await.to_string();
                // A message to the booking that could not be sent, for "send again".
                let job_id = if operation == "booking_resend" {
                    sqlx::query_scalar::<_, i64>(
                        "INSERT INTO jobs (kind, payload, state, run_at, attempts, max_attempts, \
                         org_id, booking_id, created_at, finished_at) VALUES ('message', '{}', \
                         'failed', 0, 8, 8, $1, $2, 0, 0) RETURNING id",
                    )
                    .bind(site.district)
                    .bind(booking_id.parse::<i64>().unwrap())
                    .fetch_one(site.db.pool())
                    .await
                    .unwrap()
                    .to_string()
                } else {
                    String::new()
                };
                let counsellor_id: String = sqlx::query_scalar::<_, i64>(
                    "SELECT id FROM counsellors WHERE org_id = $1 ORDER BY id LIMIT 1",
                )
                .bind(site.district)
                .fetch_one(site.db.pool())
                .await
                .unwrap()
                .to_string();
                let (path, form, allowed): (&str, Vec<(&str, &str)>, &[Role]) = match operation {
                    "create_item" => (
                        "/staff/fn/create-item",
                        vec![
                            ("lang", "zh"),
                            ("org_id", &district),
                            ("kind", "article"),
                            ("title", "新"),
                        ],
                        &[Role::Editor],
                    ),
                    "save_item" => (
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
                    "submit" => (
                        "/staff/fn/workflow",
                        vec![("lang", "zh"), ("id", &draft_item), ("step", "submit")],
                        &[Role::Editor],
                    ),
                    "approve" => (
                        "/staff/fn/workflow",
                        vec![
                            ("lang", "zh"),
                            ("id", &in_review),
                            ("step", "approve"),
                            ("revision", "1"),
                        ],
                        &[Role::Reviewer],
                    ),
                    "send_back" => (
                        "/staff/fn/workflow",
                        vec![
                            ("lang", "zh"),
                            ("id", &in_review),
                            ("step", "send-back"),
                            ("comment", "请补充"),
                        ],
                        &[Role::Reviewer],
                    ),
                    "archive" => (
                        "/staff/fn/workflow",
                        vec![("lang", "zh"), ("id", &published), ("step", "archive")],
                        &[Role::Reviewer],
                    ),
                    "restore" => (
                        "/staff/fn/restore",
                        vec![("lang", "zh"), ("id", &published), ("number", "1")],
                        &[Role::Editor],
                    ),
                    "preview" => ("/staff/fn/preview", vec![("id", &published)], &Role::ALL),
                    "editor_view" => ("/staff/fn/item", vec![("id", &published)], &Role::ALL),
                    "list_items" => ("/staff/fn/items", vec![], &Role::ALL),
                    "parent_school" => (
                        "/staff/fn/parent-school-assign",
                        vec![("lang", "zh"), ("org", &district)],
                        &[Role::Editor],
                    ),
                    "report" => (
                        "/staff/fn/report",
                        vec![("org", &district), ("from", ""), ("to", "")],
                        &Role::ALL,
                    ),
                    "create_account" => (
                        "/staff/fn/create-account",
                        vec![
                            ("lang", "zh"),
                            ("username", &new_user),
                            ("display_name", "新人"),
                            ("password", PASSWORD),
                            ("org_id", &district),
                            ("role", "viewer"),
                            ("current_password", PASSWORD),
                        ],
                        &[Role::Admin],
                    ),
                    "grant_role" => (
                        "/staff/fn/set-role",
                        vec![
                            ("lang", "zh"),
                            ("staff_id", &target),
                            ("org_id", &district),
                            ("role", "editor"),
                            ("grant", "true"),
                            ("current_password", PASSWORD),
                        ],
                        &[Role::Admin],
                    ),
                    "revoke_role" => (
                        "/staff/fn/set-role",
                        vec![
                            ("lang", "zh"),
                            ("staff_id", &target),
                            ("org_id", &district),
                            ("role", "viewer"),
                            ("grant", "false"),
                            ("current_password", PASSWORD),
                        ],
                        &[Role::Admin],
                    ),
                    "disable" => (
                        "/staff/fn/set-disabled",
                        vec![("lang", "zh"), ("staff_id", &target), ("disabled", "true")],
                        &[Role::Admin],
                    ),
                    "create_org" => (
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
                    "add_hotline" => (
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
                    "self_approval" => (
                        "/staff/fn/set-self-approval",
                        vec![("lang", "zh"), ("org_id", &district), ("allowed", "false")],
                        &[Role::Admin],
                    ),
                    "booking_agenda" => (
                        "/staff/fn/booking-agenda",
                        vec![("org", &district), ("days", "7")],
                        &[Role::Clinic],
                    ),
                    "booking_detail" => (
                        "/staff/fn/booking-detail",
                        vec![("id", &booking_id)],
                        &[Role::Clinic],
                    ),
                    "booking_setup" => (
                        "/staff/fn/booking-setup",
                        vec![("org", &district)],
                        &[Role::Clinic],
                    ),
                    "booking_counts" => (
                        "/staff/fn/booking-counts",
                        vec![("org", &district), ("month", "2026-12")],
                        &[Role::Clinic],
                    ),
                    "booking_outbox" => (
                        "/staff/fn/booking-outbox",
                        vec![("org", &district)],
                        &[Role::Clinic],
                    ),
                    "booking_resend" => (
                        "/staff/fn/booking-resend",
                        vec![("lang", "zh"), ("org", &district), ("id", &job_id)],
                        &[Role::Clinic],
                    ),
                    "booking_note" => (
                        "/staff/fn/booking-desk",
                        vec![
                            ("lang", "zh"),
                            ("id", &booking_id),
                            ("step", "note"),
                            ("note", "备注"),
                        ],
                        &[Role::Clinic],
                    ),
                    "booking_cancel" => (
                        "/staff/fn/booking-desk",
                        vec![
                            ("lang", "zh"),
                            ("id", &booking_id),
                            ("step", "cancel"),
                            ("reason", "老师请假"),
                        ],
                        &[Role::Clinic],
                    ),
                    "booking_time_zone" => (
                        "/staff/fn/booking-time-zone",
                        vec![
                            ("lang", "zh"),
                            ("org", &district),
                            ("time_zone", "Asia/Shanghai"),
                        ],
                        &[Role::Clinic],
                    ),
                    "booking_category" => (
                        "/staff/fn/booking-category",
                        vec![
                            ("lang", "zh"),
                            ("org", &district),
                            ("name_zh", "睡眠"),
                            ("name_en", "Sleep"),
                        ],
                        &[Role::Clinic],
                    ),
                    "booking_counsellor" => (
                        "/staff/fn/booking-counsellor",
                        vec![
                            ("lang", "zh"),
                            ("org", &district),
                            ("display_name", "新老师"),
                            ("active", "yes"),
                        ],
                        &[Role::Clinic],
                    ),
                    "booking_service" => (
                        "/staff/fn/booking-service",
                        vec![
                            ("lang", "zh"),
                            ("org", &district),
                            ("name_zh", "新服务"),
                            ("audience", "both"),
                            ("stage_from", "primary"),
                            ("stage_to", "senior"),
                            ("duration_minutes", "50"),
                            ("mode", "online"),
                            ("places", "1"),
                            ("release_kind", "rolling"),
                            ("release_days", "7"),
                            ("release_at", "08:00"),
                            ("book_cutoff_minutes", "60"),
                            ("cancel_cutoff_minutes", "120"),
                            ("max_active_per_phone", "2"),
                            ("active", "yes"),
                        ],
                        &[Role::Clinic],
                    ),
                    "booking_schedule" => (
                        "/staff/fn/booking-schedule",
                        vec![
                            ("lang", "zh"),
                            ("org", &district),
                            ("service", &service_id),
                            ("counsellor", &counsellor_id),
                            ("weekdays[]", "3"),
                            ("start", "19:00"),
                            ("end", "20:00"),
                            ("slot_minutes", "50"),
                            ("places", "1"),
                        ],
                        &[Role::Clinic],
                    ),
                    "booking_closed_day" => (
                        "/staff/fn/booking-exception",
                        vec![
                            ("lang", "zh"),
                            ("org", &district),
                            ("day", "2027-01-01"),
                            ("kind", "closed"),
                            ("note", "元旦"),
                        ],
                        &[Role::Clinic],
                    ),
                    "people" => ("/staff/fn/people", vec![], &[Role::Admin]),
                    "audit_log" => ("/staff/fn/audit-log", vec![], &[Role::Admin]),
                    "background_jobs" => ("/staff/fn/background-jobs", vec![], &[Role::Admin]),
                    other => panic!("no such operation {other}"),
                };
                let response = post(&site, cookie.as_deref(), path, &form).await;
                (
                    allowed,
                    expect(response, role, allowed, StatusCode::OK).await,
                )
            }
        };
        assert!(allowed.len() <= Role::ALL.len(), "{who}: {status}");
    }
    site.served.stop().await;
}

/// Checks the status of one try: `ok` for allowed roles, 403 for other staff, 401 for
/// nobody.
async fn expect(
    response: reqwest::Response,
    role: &Option<Role>,
    allowed: &[Role],
    ok: StatusCode,
) -> StatusCode {
    let status = response.status();
    let expected = match role {
        None => StatusCode::UNAUTHORIZED,
        Some(role) if allowed.contains(role) => ok,
        Some(_) => StatusCode::FORBIDDEN,
    };
    let who = role.map(|r| r.as_str()).unwrap_or("nobody");
    let body = response.text().await.unwrap_or_default();
    assert_eq!(status, expected, "{who}: {body}");
    status
}

macro_rules! matrix_cases {
    ($($operation:ident),+ $(,)?) => {
        mod role_action_matrix {
            use super::*;
            $(
                async fn $operation(test: TestDb) {
                    matrix(test, stringify!($operation)).await
                }
            )+
            per_backend!($($operation),+);
        }
    };
}

matrix_cases!(
    create_item,
    save_item,
    submit,
    approve,
    send_back,
    archive,
    restore,
    preview,
    editor_view,
    list_items,
    create_account,
    grant_role,
    revoke_role,
    disable,
    create_org,
    add_hotline,
    self_approval,
    people,
    audit_log,
    background_jobs,
    upload,
    booking_agenda,
    booking_detail,
    booking_setup,
    booking_counts,
    booking_outbox,
    booking_resend,
    booking_note,
    booking_cancel,
    booking_time_zone,
    booking_category,
    booking_counsellor,
    booking_service,
    booking_schedule,
    booking_closed_day,
    booking_export,
    report,
    parent_school,
);

/// Roles do not reach sideways, and do reach down.
async fn roles_reach_down_not_sideways(test: TestDb) {
    let site = site(&test).await;
    let outsider = login(&site, "outsider", PASSWORD).await;
    let district_item = site.item(Kind::Article, None, &[]).await.to_string();
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
        "sibling organisation"
    );
    create_staff(&site.db, "city-editor", site.city, Role::Editor).await;
    let cookie = login(&site, "city-editor", PASSWORD).await;
    let response = post(
        &site,
        cookie.as_deref(),
        "/staff/fn/workflow",
        &[("lang", "zh"), ("id", &district_item), ("step", "submit")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK, "inherited role");
    site.served.stop().await;
}

async fn whoami(site: &Site, cookie: &str) -> StatusCode {
    post(site, Some(cookie), "/staff/fn/items", &[])
        .await
        .status()
}

async fn sessions_rotate_expire_and_end(test: TestDb) {
    let clock = Clock::fixed(1_795_482_000);
    let site = site_at(&test, clock.clone()).await;
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
    let second = session_cookie(&response).unwrap();
    assert_ne!(first, second);
    assert_eq!(
        whoami(&site, &first).await,
        StatusCode::UNAUTHORIZED,
        "old session ended"
    );
    assert_eq!(whoami(&site, &second).await, StatusCode::OK);

    // Idle and absolute timeouts, at the server's (fixed) clock.
    let idle = login(&site, "viewer", PASSWORD).await.unwrap();
    clock.advance(session::IDLE_TIMEOUT + 1);
    assert_eq!(whoami(&site, &idle).await, StatusCode::UNAUTHORIZED, "idle");
    let kept_busy = login(&site, "reviewer", PASSWORD).await.unwrap();
    for _ in 0..(session::ABSOLUTE_TIMEOUT / (20 * 60)) {
        clock.advance(20 * 60);
        if whoami(&site, &kept_busy).await != StatusCode::OK {
            break;
        }
    }
    clock.advance(1);
    assert_eq!(
        whoami(&site, &kept_busy).await,
        StatusCode::UNAUTHORIZED,
        "absolute"
    );
    // Expired sessions nobody presents again are cleared at the next login.
    login(&site, "editor", PASSWORD).await.unwrap();
    let expired: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE last_seen_at < $1")
        .bind(clock.unix() - session::IDLE_TIMEOUT)
        .fetch_one(site.db.pool())
        .await
        .unwrap();
    assert_eq!(expired, 0, "expired sessions left behind");

    // Logout (which also asks the browser to drop staff data), and logout everywhere.
    let a = login(&site, "viewer", PASSWORD).await.unwrap();
    let out = post(&site, Some(&a), "/staff/fn/logout", &[("lang", "en")]).await;
    let clear = out.headers()["clear-site-data"].to_str().unwrap();
    assert!(
        clear.contains("\"cookies\"") && !clear.contains("storage"),
        "{clear}"
    );
    assert_eq!(whoami(&site, &a).await, StatusCode::UNAUTHORIZED, "logout");
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
        "everywhere"
    );

    // A disabled account's sessions end and it cannot sign in.
    let clinic = login(&site, "clinic", PASSWORD).await.unwrap();
    let admin = login(&site, "admin", PASSWORD).await.unwrap();
    let clinic_id = anxin_app::staff::service::find(&site.system(), "clinic")
        .await
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
        "disabled"
    );
    assert!(login(&site, "clinic", PASSWORD).await.is_none());

    // Cross-site and origin-less state changes are refused before anything runs.
    let editor = login(&site, "editor", PASSWORD).await.unwrap();
    for origin in [Some("https://evil.example"), None] {
        let mut request = client()
            .post(site.served.url("/staff/fn/logout-everywhere"))
            .header(header::COOKIE, &editor)
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
        whoami(&site, &editor).await,
        StatusCode::OK,
        "CSRF changed nothing"
    );
    // No state change on GET.
    let get = client()
        .get(site.served.url("/staff/fn/logout"))
        .header(header::COOKIE, &editor)
        .send()
        .await
        .unwrap();
    assert_ne!(get.status(), StatusCode::OK);
    assert_eq!(whoami(&site, &editor).await, StatusCode::OK);
    site.served.stop().await;
}

async fn login_failures_in_audit(site: &Site) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'login-failed'")
        .fetch_one(site.db.pool())
        .await
        .unwrap()
}

/// Finding 6: parallel guesses are counted one by one (forty at once, and at most five
/// passwords are even checked); an account slows down rather than locking its owner
/// out; an address gets a hard limit.
async fn sign_in_limits_hold_under_parallel_guessing(test: TestDb) {
    let clock = Clock::fixed(1_795_482_000);
    let site = site_at(&test, clock.clone()).await;
    let before = login_failures_in_audit(&site).await;
    let guesses = (0..40).map(|i| {
        let url = site.served.url("/staff/fn/login");
        let base = site.served.base.clone();
        async move {
            client()
                .post(url)
                .header(header::ORIGIN, base)
                .form(&[
                    ("lang", "en"),
                    ("username", "editor"),
                    ("password", &format!("wrong-{i}")),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    let statuses = futures_join(guesses.collect()).await;
    assert!(
        statuses.iter().all(|s| !s.is_server_error()),
        "{statuses:?}"
    );
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    let checked = login_failures_in_audit(&site).await - before;
    assert!(
        checked <= 5,
        "{checked} passwords were checked, against a limit of 5"
    );
    assert_eq!(limited as i64 + checked, 40, "{statuses:?}");

    // The owner, from another address (the account limit is the same wherever they
    // are): slowed down for seconds, then let in with the right password.
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
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let location = response.headers()[header::LOCATION]
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
        "message shown"
    );
    clock.advance(30);
    assert!(
        login(&site, "editor", PASSWORD).await.is_some(),
        "back-off, not lock-out"
    );

    // Another account from the same address is not slowed by these (the address
    // limit of 20 counts failures, and the right password gives its attempt back).
    assert!(login(&site, "reviewer", PASSWORD).await.is_some());
    // Overlong usernames and passwords are refused before anything is looked up.
    let long = "x".repeat(5000);
    let response = post(
        &site,
        None,
        "/staff/fn/login",
        &[("lang", "en"), ("username", &long), ("password", &long)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Failed sign-ins are audited without the typed name or password.
    let log: Vec<String> = sqlx::query_scalar("SELECT action || target || detail FROM audit_log")
        .fetch_all(site.db.pool())
        .await
        .unwrap();
    assert!(
        log.iter()
            .all(|l| !l.contains("wrong-") && !l.contains(&long))
    );
    post(
        &site,
        None,
        "/staff/fn/login",
        &[
            ("lang", "en"),
            ("username", "no-such-person"),
            ("password", "typo-password"),
        ],
    )
    .await;
    let log: Vec<String> =
        sqlx::query_scalar("SELECT target || detail FROM audit_log WHERE action = 'login-failed'")
            .fetch_all(site.db.pool())
            .await
            .unwrap();
    assert!(
        log.iter()
            .all(|l| !l.contains("no-such-person") && !l.contains("typo"))
    );
    site.served.stop().await;
}

async fn futures_join(
    all: Vec<impl Future<Output = StatusCode> + Send + 'static>,
) -> Vec<StatusCode> {
    let handles: Vec<_> = all.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

/// Finding 12: two-factor sign-in: set up with a code, then a code (or a single-use
/// recovery code) is needed after the password.
async fn two_factor_sign_in(test: TestDb) {
    let clock = Clock::fixed(1_795_482_000);
    let site = site_at(&test, clock.clone()).await;
    let cookie = login(&site, "editor", PASSWORD).await.unwrap();
    post(
        &site,
        Some(&cookie),
        "/staff/fn/two-factor-begin",
        &[("lang", "en")],
    )
    .await;
    let secret: String =
        sqlx::query_scalar("SELECT totp_secret FROM staff WHERE username = 'editor'")
            .fetch_one(site.db.pool())
            .await
            .unwrap();
    let account = site.served.text_with(&cookie, "/en/staff/account").await;
    assert!(account.contains(&secret), "the set-up shows the key");
    let codes = anxin_app::staff::totp::recovery_codes_for(&secret);
    assert!(account.contains(&codes[0]), "and the recovery codes");
    let wrong = post(
        &site,
        Some(&cookie),
        "/staff/fn/two-factor-confirm",
        &[("lang", "en"), ("code", "000000")],
    )
    .await;
    assert!(
        wrong.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("error=two-factor-wrong")
    );
    let code = anxin_app::staff::totp::code_at(&secret, clock.unix()).unwrap();
    let on = post(
        &site,
        Some(&cookie),
        "/staff/fn/two-factor-confirm",
        &[("lang", "en"), ("code", &code)],
    )
    .await;
    assert!(
        on.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("done=two-factor-on")
    );

    // Now the password alone opens nothing.
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
    assert!(session_cookie(&response).is_none());
    assert!(
        response.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .ends_with("?step=code")
    );
    let pending = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("anxin-pending="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    // The code just used to confirm is not accepted again (replay).
    let replay = post(
        &site,
        Some(&pending),
        "/staff/fn/login-code",
        &[("lang", "en"), ("code", &code)],
    )
    .await;
    assert!(session_cookie(&replay).is_none());
    clock.advance(30);
    let next = anxin_app::staff::totp::code_at(&secret, clock.unix()).unwrap();
    let done = post(
        &site,
        Some(&pending),
        "/staff/fn/login-code",
        &[("lang", "en"), ("code", &next)],
    )
    .await;
    let session = session_cookie(&done).expect("signed in with the code");
    assert_eq!(whoami(&site, &session).await, StatusCode::OK);

    // A recovery code works once.
    for attempt in 0..2 {
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
        let pending = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("anxin-pending="))
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let with_code = post(
            &site,
            Some(&pending),
            "/staff/fn/login-code",
            &[("lang", "en"), ("code", &codes[3].to_uppercase())],
        )
        .await;
        assert_eq!(
            session_cookie(&with_code).is_some(),
            attempt == 0,
            "attempt {attempt}"
        );
    }
    site.served.stop().await;
}

/// A background-style call: approve for a later time through the service (no HTTP
/// request), and see the public page appear when the clock reaches it.
async fn scheduled_publication_at_a_fixed_instant(test: TestDb) {
    let clock = Clock::fixed(1_795_482_000);
    let site = site_at(&test, clock.clone()).await;
    let item = site.item(Kind::Article, None, &["submit"]).await;
    let reviewer = common::staff_actor(&site.db, site.district, Role::Reviewer).await;
    let ctx = Ctx::new(site.db.clone(), reviewer, clock.clone());
    content_service::step(
        &ctx,
        item,
        StepRequest::Approve {
            revision: 1,
            from: Some(clock.unix() + 3600),
        },
    )
    .await
    .unwrap();
    let status = async || {
        client()
            .get(site.served.url(&format!("/zh/articles/{item}")))
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(status().await, StatusCode::NOT_FOUND, "not yet");
    clock.advance(3599);
    assert_eq!(status().await, StatusCode::NOT_FOUND, "a second before");
    clock.advance(1);
    assert_eq!(status().await, StatusCode::OK, "from the set time on");
    site.served.stop().await;
}

/// Findings 2 and 3: approval is of the revision the reviewer saw; nobody approves
/// their own revision (unless the organisation allows it, which the audit log records)
/// or changes their own roles.
async fn review_rules(test: TestDb) {
    let site = site(&test).await;
    let editor = login(&site, "editor", PASSWORD).await.unwrap();
    let reviewer = login(&site, "reviewer", PASSWORD).await.unwrap();
    let item = site.item(Kind::Article, None, &["submit"]).await;
    let id = item.to_string();
    // The reviewer reads revision 1; meanwhile the editor saves revision 2 and resubmits.
    let save = post(
        &site,
        Some(&editor),
        "/staff/fn/save-item",
        &[
            ("lang", "zh"),
            ("id", &id),
            ("title", "新的"),
            ("summary", "s"),
            ("body", "b"),
            ("language", "zh-CN"),
            ("audiences[]", "junior"),
            ("topics[]", "sleep"),
            ("minutes", "3"),
            ("then", "submit"),
        ],
    )
    .await;
    assert_eq!(save.status(), StatusCode::OK);
    let stale = post(
        &site,
        Some(&reviewer),
        "/staff/fn/workflow",
        &[
            ("lang", "zh"),
            ("id", &id),
            ("step", "approve"),
            ("revision", "1"),
        ],
    )
    .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert!(
        stale.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("error=review-not-latest")
    );
    assert!(
        !site
            .served
            .text(&format!("/zh/articles/{id}"))
            .await
            .contains("新的"),
        "the unreviewed revision is not public"
    );
    let fresh = post(
        &site,
        Some(&reviewer),
        "/staff/fn/workflow",
        &[
            ("lang", "zh"),
            ("id", &id),
            ("step", "approve"),
            ("revision", "2"),
        ],
    )
    .await;
    assert_eq!(fresh.status(), StatusCode::OK);

    // One person with both roles may not approve their own writing...
    let both = create_staff(&site.db, "both", site.district, Role::Editor).await;
    let admin = login(&site, "admin", PASSWORD).await.unwrap();
    let grant = post(
        &site,
        Some(&admin),
        "/staff/fn/set-role",
        &[
            ("lang", "zh"),
            ("staff_id", &both.to_string()),
            ("org_id", &site.district.to_string()),
            ("role", "reviewer"),
            ("grant", "true"),
            ("current_password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(grant.status(), StatusCode::OK);
    let both_cookie = login(&site, "both", PASSWORD).await.unwrap();
    let create = post(
        &site,
        Some(&both_cookie),
        "/staff/fn/create-item",
        &[
            ("lang", "zh"),
            ("org_id", &site.district.to_string()),
            ("kind", "article"),
            ("title", "自己写的"),
        ],
    )
    .await;
    let own: String = create.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    post(
        &site,
        Some(&both_cookie),
        "/staff/fn/save-item",
        &[
            ("lang", "zh"),
            ("id", &own),
            ("title", "自己写的"),
            ("summary", "s"),
            ("body", "b"),
            ("language", "zh-CN"),
            ("audiences[]", "junior"),
            ("topics[]", "sleep"),
            ("minutes", "3"),
            ("then", "submit"),
        ],
    )
    .await;
    let self_approve = post(
        &site,
        Some(&both_cookie),
        "/staff/fn/workflow",
        &[
            ("lang", "zh"),
            ("id", &own),
            ("step", "approve"),
            ("revision", "2"),
        ],
    )
    .await;
    assert_eq!(self_approve.status(), StatusCode::CONFLICT);
    assert!(
        self_approve.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("error=review-own-revision")
    );
    // ...unless the organisation says one person may, and then the log says so.
    post(
        &site,
        Some(&admin),
        "/staff/fn/set-self-approval",
        &[
            ("lang", "zh"),
            ("org_id", &site.district.to_string()),
            ("allowed", "true"),
        ],
    )
    .await;
    let allowed = post(
        &site,
        Some(&both_cookie),
        "/staff/fn/workflow",
        &[
            ("lang", "zh"),
            ("id", &own),
            ("step", "approve"),
            ("revision", "2"),
        ],
    )
    .await;
    assert_eq!(allowed.status(), StatusCode::OK);
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'item-approved' AND target = $1",
    )
    .bind(format!("item:{own}"))
    .fetch_one(site.db.pool())
    .await
    .unwrap();
    assert!(detail.contains("self-approved"), "{detail}");

    // Nobody changes their own roles: not even an admin granting themselves a role.
    let admin_id = anxin_app::staff::service::find(&site.system(), "admin")
        .await
        .unwrap()
        .id;
    let own_roles = post(
        &site,
        Some(&admin),
        "/staff/fn/set-role",
        &[
            ("lang", "zh"),
            ("staff_id", &admin_id.to_string()),
            ("org_id", &site.district.to_string()),
            ("role", "reviewer"),
            ("grant", "true"),
            ("current_password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(own_roles.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Changing roles asks for the admin's own password again.
    let target = create_staff(&site.db, "needs-reauth", site.district, Role::Viewer).await;
    let no_password = post(
        &site,
        Some(&admin),
        "/staff/fn/set-role",
        &[
            ("lang", "zh"),
            ("staff_id", &target.to_string()),
            ("org_id", &site.district.to_string()),
            ("role", "editor"),
            ("grant", "true"),
            ("current_password", "not-my-password"),
        ],
    )
    .await;
    assert_eq!(no_password.status(), StatusCode::UNPROCESSABLE_ENTITY);
    site.served.stop().await;
}

/// Findings 4 and 5: an admin sees and acts only on accounts wholly within their
/// subtree, and reads only their part of the audit log.
async fn admins_reach_only_their_subtree(test: TestDb) {
    let site = site(&test).await;
    let admin = login(&site, "admin", PASSWORD).await.unwrap();
    let clinic_admin = create_staff(&site.db, "clinic-admin", site.clinic, Role::Admin).await;
    let clinic_cookie = login(&site, "clinic-admin", PASSWORD).await.unwrap();
    let clinic_viewer = create_staff(&site.db, "clinic-viewer", site.clinic, Role::Viewer).await;
    // Granting to, or disabling, an account of another organisation: not found.
    for (path, form) in [
        (
            "/staff/fn/set-role",
            vec![
                ("lang", "zh".to_string()),
                ("staff_id", clinic_viewer.to_string()),
                ("org_id", site.district.to_string()),
                ("role", "editor".into()),
                ("grant", "true".into()),
                ("current_password", PASSWORD.into()),
            ],
        ),
        (
            "/staff/fn/set-disabled",
            vec![
                ("lang", "zh".to_string()),
                ("staff_id", clinic_viewer.to_string()),
                ("disabled", "true".into()),
            ],
        ),
    ] {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = post(&site, Some(&admin), path, &form).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // An account whose last role the clinic revoked belongs to the clinic still.
    let revoke = post(
        &site,
        Some(&clinic_cookie),
        "/staff/fn/set-role",
        &[
            ("lang", "zh"),
            ("staff_id", &clinic_viewer.to_string()),
            ("org_id", &site.clinic.to_string()),
            ("role", "viewer"),
            ("grant", "false"),
            ("current_password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(revoke.status(), StatusCode::OK);
    let people: serde_json::Value = client()
        .post(site.served.url("/staff/fn/people"))
        .header(header::ORIGIN, &site.served.base)
        .header(header::COOKIE, &admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = people
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["username"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"editor"));
    assert!(!names.contains(&"clinic-viewer"), "{names:?}");
    assert!(!names.contains(&"clinic-admin"), "{names:?}");
    let disable = post(
        &site,
        Some(&admin),
        "/staff/fn/set-disabled",
        &[
            ("lang", "zh"),
            ("staff_id", &clinic_viewer.to_string()),
            ("disabled", "true"),
        ],
    )
    .await;
    assert_eq!(
        disable.status(),
        StatusCode::NOT_FOUND,
        "a role-less account of the clinic"
    );
    // The district admin's audit log has no clinic sign-ins or clinic account events.
    let log: serde_json::Value = client()
        .post(site.served.url("/staff/fn/audit-log"))
        .header(header::ORIGIN, &site.served.base)
        .header(header::COOKIE, &admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = log.as_array().unwrap();
    assert!(!entries.is_empty());
    assert!(
        entries.iter().all(|e| e["who"] != "clinic-admin"),
        "{entries:?}"
    );
    assert!(
        entries
            .iter()
            .all(|e| e["target"] != format!("account:{clinic_viewer}"))
    );
    assert!(
        entries
            .iter()
            .any(|e| e["who"] == "admin" && e["action"] == "Login")
    );
    let _ = clinic_admin;
    site.served.stop().await;
}

/// Finding 10: an upload is public only while a published revision uses it; staff
/// preview it meanwhile; photos lose their location.
async fn uploads_are_public_only_while_published(test: TestDb) {
    let site = site(&test).await;
    let editor = login(&site, "editor", PASSWORD).await.unwrap();
    let item = site.item(Kind::Article, None, &[]).await;
    let photo = {
        // A JPEG with an EXIF segment naming a place.
        let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08GPSLatitude=31.2304N".to_vec();
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        jpeg.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        jpeg.extend_from_slice(&[0xFF, 0xE1]);
        jpeg.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        jpeg.append(&mut exif);
        jpeg.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
        jpeg.resize(700, 0x11);
        jpeg.extend_from_slice(&[0xFF, 0xD9]);
        jpeg
    };
    let response = upload(&site, Some(&editor), item, photo, "photo.jpg").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let mut conn = site.db.pool().acquire().await.unwrap();
    let stored = content::uploads_of(&mut conn, item)
        .await
        .unwrap()
        .remove(0);
    let name = stored.url.trim_start_matches("/media/").to_string();
    let on_disk = std::fs::read(site.served.site.path().join("data/uploads").join(&name)).unwrap();
    assert!(
        !on_disk.windows(11).any(|w| w == b"GPSLatitude"),
        "the location is gone"
    );
    assert!(
        !std::fs::read_dir(site.served.site.path().join("data/uploads"))
            .unwrap()
            .any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".incoming"))
    );

    let get = async |path: &str, cookie: Option<&str>| {
        let mut request = client().get(site.served.url(path));
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request.send().await.unwrap()
    };
    let public = format!("/media/{name}");
    let preview = format!("/staff/media/{name}");
    assert_eq!(
        get(&public, None).await.status(),
        StatusCode::NOT_FOUND,
        "a draft's file"
    );
    let staff_copy = get(&preview, Some(&editor)).await;
    assert_eq!(staff_copy.status(), StatusCode::OK);
    assert_eq!(staff_copy.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(get(&preview, None).await.status(), StatusCode::UNAUTHORIZED);
    let outsider = login(&site, "outsider", PASSWORD).await.unwrap();
    assert_eq!(
        get(&preview, Some(&outsider)).await.status(),
        StatusCode::NOT_FOUND
    );

    // Published as the cover: public, cached for an hour at most.
    let system = site.system();
    let mut with_cover = draft("有封面");
    with_cover.cover_upload_id = Some(stored.id);
    let number = content_service::save(&system, item, with_cover, None, true)
        .await
        .unwrap();
    content_service::step(
        &system,
        item,
        StepRequest::Approve {
            revision: number,
            from: None,
        },
    )
    .await
    .unwrap();
    let published = get(&public, None).await;
    assert_eq!(published.status(), StatusCode::OK);
    assert_eq!(
        published.headers()[header::CACHE_CONTROL],
        "public, max-age=3600"
    );
    // Archived: private again.
    content_service::step(&system, item, StepRequest::Archive)
        .await
        .unwrap();
    assert_eq!(get(&public, None).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        get("/media/..%2Fanxin.db", None).await.status(),
        StatusCode::NOT_FOUND
    );
    site.served.stop().await;
}

async fn the_public_sees_only_what_is_published(test: TestDb) {
    let site = site(&test).await;
    let c = client();
    let draft_item = site.item(Kind::Article, None, &[]).await;
    let in_review = site.item(Kind::Article, None, &["submit"]).await;
    let archived = site
        .item(Kind::Article, None, &["submit", "approve", "archive"])
        .await;
    let published = site.item(Kind::Article, None, &["submit", "approve"]).await;
    let scheduled = site.item(Kind::Article, None, &["submit"]).await;
    let system = site.system();
    content_service::step(
        &system,
        scheduled,
        StepRequest::Approve {
            revision: 1,
            from: Some(site.clock.unix() + 86_400),
        },
    )
    .await
    .unwrap();
    let hidden_course = site.item(Kind::Course, None, &[]).await;
    let lesson_of_hidden = site
        .item(Kind::Lesson, Some(hidden_course), &["submit", "approve"])
        .await;
    // A published item edited again: the public keeps the approved revision.
    let edited = site.item(Kind::Article, None, &["submit", "approve"]).await;
    content_service::save(&system, edited, draft("未审核的新标题"), None, false)
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
        assert_eq!(page.status(), expected, "page {kind}/{id}");
        assert_eq!(api.status(), expected, "api {kind}/{id}");
    }
    let edited_page = site.served.text(&format!("/zh/articles/{edited}")).await;
    assert!(!edited_page.contains("未审核的新标题"));

    // Lists: only published; paginated; filters work; bounds are checked.
    let all = site.served.json("/api/v1/articles?per_page=100").await;
    let ids: Vec<i64> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&published.0) && ids.contains(&edited.0));
    for hidden in [draft_item, in_review, archived, scheduled] {
        assert!(!ids.contains(&hidden.0), "{hidden} listed");
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
    for (query, field) in [
        ("audience=aliens", "audience"),
        ("page=0", "page"),
        ("page=9223372036854775807", "page"),
        ("per_page=101", "per_page"),
        ("page=false", "query"),
    ] {
        let bad = c
            .get(site.served.url(&format!("/api/v1/articles?{query}")))
            .header(header::ACCEPT_LANGUAGE, "en")
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(
            bad.headers()[header::CONTENT_TYPE],
            "application/json",
            "{query}"
        );
        let body: serde_json::Value = bad.json().await.unwrap();
        assert_eq!(body["field"], field, "{query}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let bad_id = c
        .get(site.served.url("/api/v1/articles/1e-279"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_id.status(), StatusCode::BAD_REQUEST);
    assert_eq!(bad_id.headers()[header::CONTENT_TYPE], "application/json");
    let catalogue = site.served.text("/zh/courses").await;
    assert!(catalogue.contains("认识和照顾自己的情绪"));
    assert!(
        !catalogue.contains("__RESOLVED_RESOURCES["),
        "the listing is in the HTML once"
    );
    assert!(!catalogue.contains("（草稿）"), "demo draft not listed");
    let huge_page = c
        .get(site.served.url("/zh/courses?page=99999999999"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        huge_page.status(),
        StatusCode::OK,
        "a page number out of range is capped, not an error"
    );

    // The OpenAPI document describes every path, with the bounds and error answers.
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
        assert!(
            doc["paths"][path]["get"]["responses"]["400"].is_object(),
            "{path}: 400"
        );
    }
    let per_page = doc["paths"]["/api/v1/articles"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "per_page")
        .unwrap();
    assert_eq!(per_page["schema"]["maximum"], 100);
    site.served.stop().await;
}

/// A school's site frames `/<lang>/embed/<slug>`: that organisation's published
/// content and its own hotlines, links opening Anxin in a new tab. Only embeds may be
/// framed. Share codes use the configured public URL, never the request's Host.
async fn organisations_embed_their_content_in_other_sites(test: TestDb) {
    let site = site(&test).await;
    let served = &site.served;
    let c = client();
    let get = |path: &str| c.get(served.url(path)).send();

    let embed = get("/zh/embed/sample-family-centre").await.unwrap();
    assert_eq!(embed.status(), StatusCode::OK);
    let csp = embed.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors *"), "{csp}");
    assert!(embed.headers().get(header::X_FRAME_OPTIONS).is_none());
    let html = embed.text().await.unwrap();
    assert!(html.contains("和青春期的孩子好好说话"));
    assert!(!html.contains("认识和照顾自己的情绪"));
    assert!(html.contains("tel:12356"));
    assert!(html.contains("000-0000-0002"), "its own sample line");
    assert!(
        !html.contains("tel:00000000002"),
        "a sample number is no link"
    );
    assert!(!html.contains("000-0000-0001"), "clinic line");
    assert!(html.contains(r#"?org=sample-family-centre" target="_blank" rel="noopener""#));
    assert!(!html.contains("site-header"));
    assert!(!html.contains("<script src"));
    let district = served.text("/en/embed/sample-district?for=parents").await;
    assert!(!district.contains("认识和照顾自己的情绪"));
    let district_all = served.text("/zh/embed/sample-district").await;
    assert!(district_all.contains("认识和照顾自己的情绪"));
    assert_eq!(
        get("/zh/embed/no-such-org").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    for path in ["/zh/courses", "/zh/staff/login", "/zh/help"] {
        let page = get(path).await.unwrap();
        let csp = page.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(page.headers()[header::X_FRAME_OPTIONS], "DENY", "{path}");
    }

    // Without a public URL, share codes use the request's host; a forwarded host or
    // scheme from an untrusted client is ignored.
    let cookie = login(&site, "admin", PASSWORD).await.unwrap();
    let orgs_page = c
        .get(served.url("/zh/staff/organisations"))
        .header(header::COOKIE, &cookie)
        .header("x-forwarded-proto", "https")
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
        assert!(orgs_page.contains(&expected), "{expected}");
    }
    site.served.stop().await;
}

per_backend!(
    roles_reach_down_not_sideways,
    sessions_rotate_expire_and_end,
    sign_in_limits_hold_under_parallel_guessing,
    two_factor_sign_in,
    scheduled_publication_at_a_fixed_instant,
    review_rules,
    admins_reach_only_their_subtree,
    uploads_are_public_only_while_published,
    the_public_sees_only_what_is_published,
    organisations_embed_their_content_in_other_sites,
    feeds_and_link_previews_show_what_is_published,
    search_finds_what_parents_look_for,
    reports_count_readers_and_bookings_for_the_subtree,
    parent_school_by_grade_band,
    pictures_and_captions_for_slow_networks,
    public_pages_are_kept_until_what_they_show_changes,
    a_scheduled_course_shows_on_a_kept_page_from_its_time,
);

/// Runs a Python script (in the test tools' environment) on `input`; its JSON output.
fn python_json(script: &str, input: &str) -> serde_json::Value {
    use std::io::Write;
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/venv/bin/python");
    let mut child = std::process::Command::new(python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("tools/venv: run scripts/setup.sh test");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// An Atom feed as a real parser (Python's feedparser) reads it: whether it was
/// well-formed, its title, and each entry's title and link.
fn parse_feed(xml: &str) -> serde_json::Value {
    python_json(
        "import feedparser, json, sys\n\
         d = feedparser.parse(sys.stdin.buffer.read())\n\
         print(json.dumps({'bozo': bool(d.bozo), 'title': d.feed.get('title'), \
         'entries': [{'title': e.title, 'link': e.link, 'published': e.get('published')} \
         for e in d.entries]}))",
        xml,
    )
}

/// A sitemap as Python's XML parser reads it: each `<loc>` in the sitemaps.org
/// namespace (an error if it is not well-formed or not in that namespace).
fn parse_sitemap(xml: &str) -> serde_json::Value {
    python_json(
        "import json, sys, xml.etree.ElementTree as ET\n\
         root = ET.fromstring(sys.stdin.buffer.read())\n\
         ns = '{http://www.sitemaps.org/schemas/sitemap/0.9}'\n\
         assert root.tag == ns + 'urlset', root.tag\n\
         print(json.dumps([u.find(ns + 'loc').text for u in root.findall(ns + 'url')]))",
        xml,
    )
}

/// oEmbed discovery as a consumer does it (Python's HTML parser): the `href` of the
/// page's `<link rel="alternate" type="application/json+oembed">`, HTML-unescaped.
fn discover_oembed(html: &str) -> serde_json::Value {
    python_json(
        "import json, sys\n\
         from html.parser import HTMLParser\n\
         found = []\n\
         class P(HTMLParser):\n\
         \x20   def handle_starttag(self, tag, attrs):\n\
         \x20       a = dict(attrs)\n\
         \x20       if tag == 'link' and a.get('rel') == 'alternate' and a.get('type') == 'application/json+oembed':\n\
         \x20           found.append(a['href'])\n\
         P().feed(sys.stdin.read())\n\
         print(json.dumps(found))",
        html,
    )
}

/// Feeds per organisation (and audience) list its published items and nothing else;
/// an item's page tells link previews (chat apps) its title, summary and address, and
/// offers a printable poster with a QR code of that address.
async fn feeds_and_link_previews_show_what_is_published(test: TestDb) {
    let site = site(&test).await;
    let published = site.item(Kind::Article, None, &["submit", "approve"]).await;
    let in_review = site.item(Kind::Article, None, &["submit"]).await;
    let response = client()
        .get(site.served.url("/zh/feeds/sample-district"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/atom+xml; charset=utf-8"
    );
    let feed = parse_feed(&response.text().await.unwrap());
    assert_eq!(feed["bozo"], false, "{feed}");
    let links: Vec<&str> = feed["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["link"].as_str().unwrap())
        .collect();
    let link_of = |id: ItemId| format!("{}/zh/articles/{id}?org=sample-district", site.served.base);
    assert!(links.contains(&link_of(published).as_str()), "{links:?}");
    assert!(!links.contains(&link_of(in_review).as_str()));
    assert!(feed["title"].as_str().unwrap().contains("安心"), "{feed}");
    // The parents' feed: the new article is for junior students, not parents.
    let parents = parse_feed(
        &site
            .served
            .text("/zh/feeds/sample-district?audience=parents")
            .await,
    );
    assert_eq!(parents["bozo"], false);
    assert!(
        !parents
            .to_string()
            .contains(&format!("/zh/articles/{published}?"))
    );
    for path in [
        "/zh/feeds/no-such-org",
        "/zh/feeds/sample-district?audience=bogus",
    ] {
        let status = client()
            .get(site.served.url(path))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let page = site.served.text(&format!("/zh/articles/{published}")).await;
    for expected in [
        format!(
            r#"<link href="{}/zh/articles/{published}" rel="canonical">"#,
            site.served.base
        ),
        r#"<meta property="og:title" content="t""#.to_string(),
        r#"<meta name="description" content="summary""#.to_string(),
        r#"<meta property="og:locale" content="zh_CN""#.to_string(),
    ] {
        assert!(page.contains(&expected), "{expected}");
    }
    // A poster for the notice board: the QR code of the page's address, printed too.
    assert!(page.contains(&format!(r#"href="/zh/articles/{published}/poster""#)));
    let poster = site
        .served
        .text(&format!("/zh/articles/{published}/poster"))
        .await;
    assert!(poster.contains("<svg"), "{poster}");
    // A short link to type, on the poster and the page; it leads to the page in the
    // reader's language, and only while the item is published.
    let short = anxin_app::content::share::short_path(Kind::Article, published);
    assert!(
        poster.contains(&format!("{}{short}<", site.served.base)),
        "{poster}"
    );
    assert!(page.contains(&format!("{}{short}<", site.served.base)));
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (language, page) in [("zh-CN,zh;q=0.9", "zh"), ("en-GB,en;q=0.8", "en")] {
        let response = no_redirects
            .get(site.served.url(&short))
            .header(header::ACCEPT_LANGUAGE, language)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
        assert_eq!(
            response.headers()[header::LOCATION],
            format!("/{page}/articles/{published}").as_str()
        );
    }
    for path in [
        anxin_app::content::share::short_path(Kind::Article, in_review),
        anxin_app::content::share::short_path(Kind::Lesson, published),
        "/s/zz".to_string(),
    ] {
        let status = no_redirects
            .get(site.served.url(&path))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    // The sitemap lists the sections and what is published, and nothing else.
    let robots = site.served.text("/robots.txt").await;
    assert!(
        robots.contains(&format!("Sitemap: {}/sitemap.xml", site.served.base)),
        "{robots}"
    );
    let urls = parse_sitemap(&site.served.text("/sitemap.xml").await);
    let urls: Vec<&str> = urls
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    assert!(
        urls.contains(&format!("{}/zh/articles/{published}", site.served.base).as_str()),
        "{urls:?}"
    );
    assert!(urls.contains(&format!("{}/en/parent-school", site.served.base).as_str()));
    assert!(
        !urls
            .iter()
            .any(|u| u.ends_with(&format!("/articles/{in_review}")))
    );
    // oEmbed: a consumer discovers the endpoint from an embed page and gets the frame.
    let embed = site
        .served
        .text("/zh/embed/sample-district?for=parents")
        .await;
    let endpoints = discover_oembed(&embed);
    let endpoint = endpoints[0].as_str().unwrap_or_else(|| panic!("{embed}"));
    let endpoint = endpoint.strip_prefix(site.served.base.as_str()).unwrap();
    let oembed = site.served.json(&format!("{endpoint}&maxwidth=320")).await;
    assert_eq!(oembed["version"], "1.0");
    assert_eq!(oembed["type"], "rich");
    assert_eq!(oembed["width"], 320);
    let html = oembed["html"].as_str().unwrap();
    assert!(
        html.contains(&format!(
            "src=\"{}/zh/embed/sample-district?for=parents\"",
            site.served.base
        )),
        "{html}"
    );
    for (query, status) in [
        (
            "url=https%3A%2F%2Fevil.example%2Fzh%2Fembed%2Fsample-district",
            404,
        ),
        ("url=x&format=xml", 400),
        ("url=x&maxwidth=0", 400),
    ] {
        let response = client()
            .get(site.served.url(&format!("/api/v1/oembed?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{query}");
    }
    let unpublished = client()
        .get(site.served.url(&format!("/zh/articles/{in_review}/poster")))
        .send()
        .await
        .unwrap();
    assert_eq!(unpublished.status(), StatusCode::NOT_FOUND);
    site.served.stop().await;
}

/// Finding 11: with a configured public URL, every absolute URL uses it, whatever Host
/// the request names.
#[tokio::test]
async fn share_codes_use_the_configured_public_url() {
    let test = TestDb::sqlite().await;
    let served = serve_with(&test, |c| {
        c.demo_data = true;
        c.public_url = Some("https://anxin.example.org".into());
    })
    .await;
    let db = test.open().await;
    let city =
        anxin_app::orgs::service::by_slug(&Ctx::system(db.clone(), Clock::System), "sample-city")
            .await
            .unwrap()
            .id;
    create_staff(&db, "origin-admin", city, Role::Admin).await;
    let login = client()
        .post(served.url("/staff/fn/login"))
        .header(header::ORIGIN, &served.base)
        .form(&[
            ("lang", "zh"),
            ("username", "origin-admin"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    // Over HTTPS (as the public URL says), the cookie is the __Host- one.
    let cookie = login.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = client()
        .get(served.url("/zh/staff/organisations"))
        .header(header::COOKIE, cookie)
        .header(header::HOST, "attacker.example")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("https://anxin.example.org/zh/embed/sample-city"));
    assert!(!page.contains("attacker.example"));
    served.stop().await;
}

impl Site {
    /// An item in the district with these texts, approved (live from `from`, or now)
    /// unless `publish` is false.
    async fn written(
        &self,
        what: NewItem,
        texts: (&str, &str, &str),
        language: &str,
        publish: bool,
        from: Option<i64>,
    ) -> ItemId {
        let system = self.system();
        let (title, summary, body) = texts;
        let draft = Draft {
            title: title.into(),
            summary: summary.into(),
            body: body.into(),
            language: language.into(),
            audiences: vec![Audience::ParentsJunior],
            topics: vec![Topic::FamilyCommunication],
            minutes: 5,
            ..Draft::default()
        };
        let id = content_service::create_with(&system, what, &draft)
            .await
            .unwrap();
        if publish {
            content_service::step(&system, id, StepRequest::Submit)
                .await
                .unwrap();
            let approve = StepRequest::Approve { revision: 1, from };
            content_service::step(&system, id, approve).await.unwrap();
        }
        id
    }
}

/// Search, in Chinese and English, over what is published and nothing else: each
/// query of a small fixture set (real questions parents ask) ranks the text that is
/// about it above the other fixtures, one- and two-character queries work, and the
/// page shows the matching passage marked, with no script.
async fn search_finds_what_parents_look_for(test: TestDb) {
    let site = site_at(&test, Clock::fixed(chrono::Utc::now().timestamp())).await;
    let org = site.district;
    let article = || NewItem::Article { org };
    let zh = "zh-CN";
    let emotions = site
        .written(
            article(),
            (
                "认识和管理情绪",
                "情绪没有好坏之分，学会识别和表达情绪。",
                "当孩子情绪激动时，先接纳情绪，再讨论行为。",
            ),
            zh,
            true,
            None,
        )
        .await;
    let sleep = site
        .written(
            article(),
            (
                "睡个好觉：中学生睡眠指南",
                "怎样保证充足的睡眠。",
                "规律作息，睡前一小时放下手机，保证每天八到九小时睡眠。",
            ),
            zh,
            true,
            None,
        )
        .await;
    let phone = site
        .written(
            article(),
            (
                "孩子沉迷手机怎么办",
                "与其没收，不如一起约定。",
                "与其没收智能手机，不如和孩子一起约定使用手机的时间。家长也要以身作则。",
            ),
            zh,
            true,
            None,
        )
        .await;
    let puberty = site
        .written(
            NewItem::Course { org },
            ("青春期的变化", "了解青春期身体和心理的变化。", ""),
            zh,
            true,
            None,
        )
        .await;
    let puberty_lesson = site
        .written(
            NewItem::Lesson { course: puberty },
            (
                "青春期的情绪波动",
                "为什么会突然发脾气。",
                "青春期激素变化会带来起伏，这是正常的。",
            ),
            zh,
            true,
            None,
        )
        .await;
    let talking = site
        .written(
            article(),
            (
                "亲子沟通的三个技巧",
                "倾听、共情、不急于给建议。",
                "良好的亲子沟通让孩子愿意开口。先听完，再说话。",
            ),
            zh,
            true,
            None,
        )
        .await;
    let exams = site
        .written(
            article(),
            (
                "考试焦虑怎么办",
                "适度紧张是正常的。",
                "适度的焦虑能帮助集中注意力，过度焦虑需要调节。",
            ),
            zh,
            true,
            None,
        )
        .await;
    let love = site
        .written(
            article(),
            (
                "学会爱自己",
                "自我关怀的练习。",
                "每天对自己说一句鼓励的话。",
            ),
            zh,
            true,
            None,
        )
        .await;
    let english = site
        .written(
            article(),
            (
                "Sleep and screens",
                "Why phones keep teenagers awake.",
                "Put the phone away an hour before bed.",
            ),
            "en",
            true,
            None,
        )
        .await;
    // Never found: a draft, an archived article, one scheduled for tomorrow, and a
    // published lesson of a course that is not.
    let draft = site
        .written(article(), ("睡眠草稿", "睡眠", "睡眠"), zh, false, None)
        .await;
    let archived = site
        .written(article(), ("手机旧文", "手机", "手机手机"), zh, true, None)
        .await;
    content_service::step(&site.system(), archived, StepRequest::Archive)
        .await
        .unwrap();
    let tomorrow = site.clock.unix() + 86_400;
    let scheduled = site
        .written(
            article(),
            ("睡眠预告", "睡眠", "睡眠睡眠"),
            zh,
            true,
            Some(tomorrow),
        )
        .await;
    let hidden_course = site
        .written(
            NewItem::Course { org },
            ("未发布的课程", "草稿", ""),
            zh,
            false,
            None,
        )
        .await;
    let orphan = site
        .written(
            NewItem::Lesson {
                course: hidden_course,
            },
            ("睡眠日记", "睡眠", "睡眠睡眠"),
            zh,
            true,
            None,
        )
        .await;
    let fixtures = [
        emotions,
        sleep,
        phone,
        puberty,
        puberty_lesson,
        talking,
        exams,
        love,
        english,
    ];
    let never = [draft, archived, scheduled, hidden_course, orphan];
    let search = async |q: &str| -> Vec<ItemId> {
        let url = format!("/api/v1/search?q={}", percent_encode(q));
        let results = site.served.json(&url).await;
        results["hits"]
            .as_array()
            .unwrap_or_else(|| panic!("{q}: {results}"))
            .iter()
            .map(|h| ItemId(h["item"]["id"].as_i64().unwrap()))
            .collect()
    };
    for (query, expected) in [
        ("情绪", vec![emotions]),
        ("睡眠", vec![sleep]),
        ("手机", vec![phone]),
        ("智能手机", vec![phone]),
        ("青春期", vec![puberty, puberty_lesson]),
        ("亲子沟通", vec![talking]),
        ("焦虑", vec![exams]),
        ("爱", vec![love]),
        ("sleep", vec![english]),
        ("SLEEP", vec![english]),
    ] {
        let found = search(query).await;
        for id in never {
            assert!(!found.contains(&id), "{query}: {id} must not be found");
        }
        // Among the fixtures (the sample content is there too), the expected first.
        let ranked: Vec<ItemId> = found
            .iter()
            .copied()
            .filter(|id| fixtures.contains(id))
            .collect();
        assert!(ranked.len() >= expected.len(), "{query}: {found:?}");
        let mut top = ranked[..expected.len()].to_vec();
        top.sort();
        let mut expected = expected.clone();
        expected.sort();
        assert_eq!(top, expected, "{query}: {ranked:?}");
    }
    // 手机 is also in the sleep guide's body: found, below the article about phones.
    let phones = search("手机").await;
    assert!(phones.contains(&sleep));
    // The scheduled article is found once its time has come.
    site.clock.set(tomorrow + 1);
    assert!(search("睡眠").await.contains(&scheduled));
    // The matching passage, marked, on a page that needs no script.
    let page = site
        .served
        .text(&format!("/zh/search?q={}", percent_encode("亲子沟通")))
        .await;
    assert!(page.contains("<mark>亲子沟通</mark>的三个技巧"), "{page}");
    assert!(page.contains("良好的<mark>亲子沟通</mark>"), "{page}");
    assert!(
        !page.contains(".wasm"),
        "the search page loads no WebAssembly"
    );
    let one = site
        .served
        .json(&format!("/api/v1/search?q={}", percent_encode("爱")))
        .await;
    let title = one["hits"][0]["title"].to_string();
    assert!(title.contains(r#"{"mark":true,"text":"爱"}"#), "{title}");
    // Bad queries: a clear 400 in the caller's language.
    for (q, status) in [("", 400), ("%20%20", 400)] {
        let response = client()
            .get(site.served.url(&format!("/api/v1/search?q={q}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{q:?}");
    }
    let long = client()
        .get(
            site.served
                .url(&format!("/api/v1/search?q={}", "情".repeat(101))),
        )
        .header(header::ACCEPT_LANGUAGE, "zh-CN")
        .send()
        .await
        .unwrap();
    assert_eq!(long.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = long.json().await.unwrap();
    assert_eq!(body["field"], "q");
    assert!(body["message"].as_str().unwrap().contains("太长"), "{body}");
    let page = site.served.text("/zh/search?q=%20").await;
    assert!(page.contains("<h1>"), "an empty query shows the form");
    site.served.stop().await;
}

fn percent_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A CSV file as Python's csv module reads it: its rows.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    serde_json::from_value(python_json(
        "import csv, json, sys\nprint(json.dumps(list(csv.reader(sys.stdin))))",
        text,
    ))
    .unwrap()
}

/// Reports: page views are counted from readers' page requests (not crawlers', not
/// the API's), kept as a count per item and month only, and shown with bookings to
/// anyone with a role on the organisation or above it, as charts, tables and CSV.
async fn reports_count_readers_and_bookings_for_the_subtree(test: TestDb) {
    let site = site(&test).await;
    let org = site.district;
    let article = site
        .written(
            NewItem::Article { org },
            (
                "和孩子谈谈考试",
                "考试前后，家长可以怎样陪伴。",
                "先听孩子说。",
            ),
            "zh-CN",
            true,
            None,
        )
        .await;
    let page = format!("/zh/articles/{article}");
    let phone = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.47";
    for agent in [
        phone,
        phone,
        phone,
        "Mozilla/5.0 (compatible; Baiduspider/2.0)",
    ] {
        let status = client()
            .get(site.served.url(&page))
            .header(header::USER_AGENT, agent)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::OK);
    }
    let _ = site
        .served
        .json(&format!("/api/v1/articles/{article}"))
        .await;
    site.served
        .server
        .state
        .views
        .flush(&site.db)
        .await
        .unwrap();
    let stored: Vec<(i64, i64, i64)> =
        sqlx::query_as("SELECT item_id, month, views FROM content_views")
            .fetch_all(site.db.pool())
            .await
            .unwrap();
    let month = anxin_app::reports::month_of(site.clock.unix());
    assert_eq!(
        stored,
        vec![(article.0, month, 3)],
        "three readers, no crawler, no API call"
    );
    site.booking(1).await;
    let this = anxin_app::reports::month_label(month);
    let until = anxin_app::reports::month_label(anxin_app::reports::month_of(
        site.clock.unix() + 40 * 86_400,
    ));
    let query = format!("org={org}&from={this}&to={until}");
    let viewer = login(&site, "viewer", PASSWORD).await.unwrap();
    let report = site
        .served
        .text_with(&viewer, &format!("/zh/staff/reports?{query}"))
        .await;
    assert!(report.contains("<svg"), "charts are drawn");
    assert!(report.contains("和孩子谈谈考试"), "{report}");
    let csv = site
        .served
        .text_with(&viewer, &format!("/staff/reports.csv?{query}&lang=zh"))
        .await;
    let rows = parse_csv(&csv);
    assert_eq!(rows[0][0], "月份");
    let row = rows
        .iter()
        .find(|r| r[0] == this)
        .unwrap_or_else(|| panic!("{rows:?}"));
    // Month, course, lesson, article, total, the parents' bands, booked, attended, no-show.
    assert_eq!(row[3..5], ["3", "3"], "{row:?}");
    assert_eq!(row[6], "3", "the article is for parents of junior students");
    let booked: i64 = rows[1..]
        .iter()
        .take_while(|r| r.len() > 1)
        .map(|r| r[8].parse::<i64>().unwrap())
        .sum();
    assert_eq!(booked, 1, "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r.first().map(String::as_str) == Some("和孩子谈谈考试") && r[2] == "3")
    );
    // The city (above) sees it too; a clinic beside the district does not; nobody
    // signed in gets nothing.
    let city = format!(
        "/staff/reports.csv?org={}&from={this}&to={until}&lang=en",
        site.city
    );
    create_staff(&site.db, "city-viewer", site.city, Role::Viewer).await;
    let city_cookie = login(&site, "city-viewer", PASSWORD).await.unwrap();
    let rows = parse_csv(&site.served.text_with(&city_cookie, &city).await);
    assert_eq!(rows[0][0], "Month");
    assert!(rows.iter().any(|r| r[0] == this && r[3] == "3"), "{rows:?}");
    let outsider = login(&site, "outsider", PASSWORD).await.unwrap();
    for (cookie, status) in [(Some(outsider), 404), (None, 401)] {
        let mut request = client().get(site.served.url(&format!("/staff/reports.csv?{query}")));
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        assert_eq!(request.send().await.unwrap().status().as_u16(), status);
    }
    let bad = client()
        .get(site.served.url(&format!(
            "/staff/reports.csv?org={org}&from=2026-05&to=2024-01"
        )))
        .header(header::COOKIE, &viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    site.served.stop().await;
}

/// The parent school by grade band: a programme's current lesson, a featured lesson
/// for a date range, and a school's chosen series first on its own view; set by
/// editors of the organisation (or above it), and nobody else.
async fn parent_school_by_grade_band(test: TestDb) {
    let site = site_at(&test, Clock::fixed(chrono::Utc::now().timestamp())).await;
    let org = site.district;
    let zh = "zh-CN";
    let course = site
        .written(
            NewItem::Course { org },
            ("青春期亲子二十四课", "每周一课。", ""),
            zh,
            true,
            None,
        )
        .await;
    let mut lessons = Vec::new();
    for n in 1..=3 {
        let title = format!("第{n}课：倾听");
        let lesson = site
            .written(
                NewItem::Lesson { course },
                (&title, "倾听孩子。", "先听完。"),
                zh,
                true,
                None,
            )
            .await;
        lessons.push(lesson);
    }
    // A second series, so each band page counts each series' own lessons.
    let other = site
        .written(
            NewItem::Course { org },
            ("睡眠与作息", "两课。", ""),
            zh,
            true,
            None,
        )
        .await;
    for title in ["睡前一小时", "周末作息"] {
        site.written(
            NewItem::Lesson { course: other },
            (title, "作息。", "早睡。"),
            zh,
            true,
            None,
        )
        .await;
    }
    let school: i64 =
        sqlx::query_scalar("SELECT id FROM organisations WHERE slug = 'sample-school'")
            .fetch_one(site.db.pool())
            .await
            .unwrap();
    let editor = login(&site, "editor", PASSWORD).await.unwrap();
    let day = |offset: i64| {
        let at = site.clock.unix() + offset * 86_400;
        anxin_app::time::in_zone(at, anxin_app::time::CHINA)
            .format("%Y-%m-%d")
            .to_string()
    };
    let (school, district, course_id) = (school.to_string(), org.to_string(), course.to_string());
    let lesson3 = lessons[2].to_string();
    let (started, today, in_a_month) = (day(-8), day(0), day(30));
    for (path, form) in [
        (
            "/staff/fn/parent-school-programme",
            vec![
                ("lang", "zh"),
                ("org", &district),
                ("course", &course_id),
                ("starts", &started),
                ("every_days", "7"),
            ],
        ),
        (
            "/staff/fn/parent-school-feature",
            vec![
                ("lang", "zh"),
                ("org", &district),
                ("lesson", &lesson3),
                ("from", &today),
                ("until", &in_a_month),
            ],
        ),
        (
            "/staff/fn/parent-school-assign",
            vec![("lang", "zh"), ("org", &school), ("courses[]", &course_id)],
        ),
    ] {
        let response = post(&site, Some(&editor), path, &form).await;
        let to = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        assert!(
            to.as_deref()
                .is_some_and(|t| t.contains("done=parent-school-saved")),
            "{path}: {to:?}"
        );
    }
    // The school's own view: its series first, this week's lesson (2 of 3), the
    // district's featured lesson.
    let page = site
        .served
        .text("/zh/parent-school/junior?org=sample-school")
        .await;
    let assigned = page
        .find("学校为家长安排的课程")
        .expect("the school's series section");
    let title_at = page.find("青春期亲子二十四课").unwrap();
    assert!(
        title_at > assigned,
        "the series is listed under the school's section"
    );
    assert!(page.contains("本期第 2 课（共 3 课）"), "{page}");
    assert!(page.contains("第2课：倾听"));
    let featured = page.find("本学期推荐").expect("featured");
    assert!(page[featured..].contains("第3课：倾听"));
    // Without the school, the same series among the rest; other bands do not list it.
    let everyone = site.served.text("/zh/parent-school/junior").await;
    assert!(!everyone.contains("学校为家长安排的课程"));
    assert!(everyone.contains("青春期亲子二十四课"));
    let second = everyone.find("睡眠与作息").expect("the second series");
    assert!(everyone[second..].contains("共 2 课"), "{everyone}");
    assert!(everyone[..second].contains("共 3 课"), "{everyone}");
    assert!(
        !site
            .served
            .text("/zh/parent-school/primary")
            .await
            .contains("青春期亲子二十四课")
    );
    assert!(
        site.served
            .text("/zh/parent-school")
            .await
            .contains("/zh/parent-school/senior")
    );
    let unknown = client()
        .get(site.served.url("/zh/parent-school/bogus"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    // Refused: an editor of a clinic beside the district, and dates that run backwards.
    let outsider = login(&site, "outsider", PASSWORD).await.unwrap();
    let response = post(
        &site,
        Some(&outsider),
        "/staff/fn/parent-school-assign",
        &[("lang", "zh"), ("org", &school), ("courses[]", &course_id)],
    )
    .await;
    let to = response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(!to.contains("done="), "{to}");
    let assigned: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM org_series")
        .fetch_one(site.db.pool())
        .await
        .unwrap();
    assert_eq!(assigned, 1);
    let backwards = post(
        &site,
        Some(&editor),
        "/staff/fn/parent-school-feature",
        &[
            ("lang", "zh"),
            ("org", &district),
            ("lesson", &lesson3),
            ("from", &in_a_month),
            ("until", &today),
        ],
    )
    .await;
    let to = backwards.headers()[header::LOCATION].to_str().unwrap();
    assert!(to.contains("error=parent-school-dates-invalid"), "{to}");
    // Once the programme has run its course, no lesson is "this week's".
    site.clock.set(site.clock.unix() + 30 * 86_400);
    assert!(
        !site
            .served
            .text("/zh/parent-school/junior")
            .await
            .contains("本期第")
    );
    site.served.stop().await;
}

/// A 1200×800 PNG (a gradient, like a photo's smooth areas).
fn big_png() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(1200, 800, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    picture
        .write_to(&mut bytes, image::ImageFormat::Png)
        .unwrap();
    bytes.into_inner()
}

/// Media for slow networks: a picture gets WebP variants in the widths a phone needs
/// (offered by `srcset`, public exactly while the picture is), a video waits for play
/// and says its weight, and a WebVTT file becomes its captions and transcript.
async fn pictures_and_captions_for_slow_networks(test: TestDb) {
    let site = site(&test).await;
    let editor = login(&site, "editor", PASSWORD).await.unwrap();
    let item = site.item(Kind::Article, None, &[]).await;
    let mut video = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    video.resize(2048, 0);
    let vtt = "WEBVTT\n\n00:00:00.000 --> 00:00:03.000\n今天聊聊睡眠。\n\n00:00:03.000 --> 00:00:06.000\n<v 老师>睡前一小时放下手机。\n";
    for (bytes, name) in [
        (big_png(), "photo.png"),
        (video, "talk.mp4"),
        (vtt.as_bytes().to_vec(), "talk.vtt"),
    ] {
        let response = upload(&site, Some(&editor), item, bytes, name).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
    }
    let mut conn = site.db.pool().acquire().await.unwrap();
    let uploads = content::uploads_of(&mut conn, item).await.unwrap();
    drop(conn);
    let (photo, talk, captions) = (&uploads[0], &uploads[1], &uploads[2]);
    assert_eq!((photo.width, photo.height), (Some(1200), Some(800)));
    assert_eq!(captions.content_type, "text/vtt");
    let name = photo.url.trim_start_matches("/media/").to_string();
    let digest = name.split('.').next().unwrap().to_string();
    let system = site.system();
    let mut with_media = draft("睡眠与手机");
    with_media.body = format!("看图：\n\n![卧室里没有手机]({})", photo.url);
    with_media.cover_upload_id = Some(photo.id);
    with_media.media_upload_id = Some(talk.id);
    with_media.attachment_ids = vec![captions.id];
    let number = content_service::save(&system, item, with_media, None, true)
        .await
        .unwrap();
    let variant = format!("/media/{digest}.w360.webp");
    let get = async |path: &str| client().get(site.served.url(path)).send().await.unwrap();
    assert_eq!(
        get(&variant).await.status(),
        StatusCode::NOT_FOUND,
        "not yet published"
    );
    let approve = StepRequest::Approve {
        revision: number,
        from: None,
    };
    content_service::step(&system, item, approve).await.unwrap();

    let page = site.served.text(&format!("/zh/articles/{item}")).await;
    let srcset = format!(
        "srcset=\"/media/{digest}.w360.webp 360w, /media/{digest}.w720.webp 720w, /media/{digest}.w1080.webp 1080w\""
    );
    assert_eq!(
        page.matches(&srcset).count(),
        2,
        "the cover and the body picture: {page}"
    );
    assert!(page.contains(r#"width="1200" height="800""#));
    assert!(
        page.contains(r#"preload="none""#) && page.contains(&format!(r#"poster="{}""#, photo.url))
    );
    assert!(page.contains(r#"<track kind="captions""#), "{page}");
    assert!(
        page.contains("今天聊聊睡眠。") && page.contains("睡前一小时放下手机。"),
        "the transcript"
    );
    assert!(
        !page.contains("talk.vtt"),
        "captions are not offered as a download"
    );
    assert!(
        page.contains("视频约 0.0 MB"),
        "its weight, before it plays"
    );
    let small = get(&variant).await;
    assert_eq!(small.status(), StatusCode::OK);
    assert_eq!(small.headers()[header::CONTENT_TYPE], "image/webp");
    let bytes = small.bytes().await.unwrap();
    let decoded = image::load_from_memory_with_format(&bytes, image::ImageFormat::WebP).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (360, 240));
    let original = get(&photo.url).await.bytes().await.unwrap();
    assert!(
        bytes.len() * 10 < original.len(),
        "{} vs {} bytes",
        bytes.len(),
        original.len()
    );
    assert_eq!(
        get(&format!("/media/{digest}.w500.webp")).await.status(),
        StatusCode::NOT_FOUND
    );
    content_service::step(&system, item, StepRequest::Archive)
        .await
        .unwrap();
    assert_eq!(
        get(&variant).await.status(),
        StatusCode::NOT_FOUND,
        "private again"
    );

    // Pictures an older version stored (no size, no copies) get them in housekeeping;
    // one that cannot be read is marked so and never shown with a size.
    let uploads_dir = site.served.site.path().join("data/uploads");
    let older = format!("{}.png", "cd".repeat(32));
    std::fs::write(uploads_dir.join(&older), big_png()).unwrap();
    let broken = format!("{}.jpg", "ef".repeat(32));
    std::fs::write(uploads_dir.join(&broken), b"not a picture").unwrap();
    for (name, kind) in [(&older, "image/png"), (&broken, "image/jpeg")] {
        sqlx::query(
            "INSERT INTO uploads (org_id, item_id, stored_name, original_name, content_type, size, created_at) \
             VALUES ($1, $2, $3, 'old', $4, 1, 0)",
        )
        .bind(site.district)
        .bind(item)
        .bind(name)
        .bind(kind)
        .execute(site.db.pool())
        .await
        .unwrap();
    }
    // (The hourly round may get there first: it runs the same catch-up.)
    let seen = anxin_app::content::images::catch_up(&site.db, &uploads_dir)
        .await
        .unwrap();
    assert!(seen <= 2);
    assert!(
        uploads_dir
            .join(format!("{}.w720.webp", "cd".repeat(32)))
            .exists()
    );
    let mut conn = site.db.pool().acquire().await.unwrap();
    let sizes: Vec<(Option<i64>, String)> = content::uploads_of(&mut conn, item)
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.width, u.original_name))
        .filter(|(_, name)| name == "old")
        .collect();
    assert_eq!(
        sizes,
        vec![(Some(1200), "old".into()), (None, "old".into())]
    );
    drop(conn);
    assert_eq!(
        anxin_app::content::images::catch_up(&site.db, &uploads_dir)
            .await
            .unwrap(),
        0
    );
    site.served.stop().await;
}

/// Two instances on one database, each with its render cache: a kept page is the same
/// page each time (a 304 for a phone that has it), a change shows at once on the
/// instance that made it and within seconds on the other, and staff never get a kept
/// page.
async fn public_pages_are_kept_until_what_they_show_changes(test: TestDb) {
    let site = site(&test).await;
    let other = serve_with(&test, |_| {}).await;
    let help = "/zh/help?org=sample-district";
    let get = async |served: &Served, headers: &[(header::HeaderName, &str)]| {
        let mut request = client().get(served.url(help));
        for (name, value) in headers {
            request = request.header(name, *value);
        }
        request.send().await.unwrap()
    };
    // The first visitor's phone takes brotli; the page is kept in every encoding.
    let brotli = get(&site.served, &[(header::ACCEPT_ENCODING, "gzip, br")]).await;
    assert_eq!(brotli.headers()[header::CONTENT_ENCODING], "br");
    let etag = brotli.headers()[header::ETAG].to_str().unwrap().to_string();
    let first = get(&site.served, &[]).await;
    assert_eq!(first.headers()[header::ETAG], etag.as_str());
    assert!(first.headers().get(header::CONTENT_ENCODING).is_none());
    let first = first.text().await.unwrap();
    let again = get(&site.served, &[(header::ACCEPT_ENCODING, "gzip")]).await;
    assert_eq!(again.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(again.headers()[header::ETAG], etag.as_str());
    let revisit = get(&site.served, &[(header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(revisit.status(), StatusCode::NOT_MODIFIED);
    // A page that is not kept (no such lesson) is still compressed.
    let missing = client()
        .get(site.served.url("/zh/lessons/999999"))
        .header(header::ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(missing.headers()[header::CONTENT_ENCODING], "br");
    assert!(missing.headers().get(header::ETAG).is_none());
    let name = "区未成年人心理热线（新）";
    assert!(!first.contains(name));
    assert!(!other.text(help).await.contains(name));

    // An admin adds a line through this instance.
    let admin = login(&site, "admin", PASSWORD).await.unwrap();
    let district = site.district.0.to_string();
    let added = post(
        &site,
        Some(&admin),
        "/staff/fn/add-org-hotline",
        &[
            ("lang", "zh"),
            ("org_id", &district),
            ("name_zh", name),
            ("name_en", "District youth line (new)"),
            ("number", "025-86661234"),
            ("hours_zh", "全天"),
            ("hours_en", "All day"),
        ],
    )
    .await;
    assert_eq!(added.status(), StatusCode::OK);
    let here = get(&site.served, &[]).await;
    assert_ne!(here.headers()[header::ETAG], etag.as_str());
    assert!(
        here.text().await.unwrap().contains(name),
        "at once where it was made"
    );
    // The other instance notices within its next look at the database.
    let mut seen = false;
    for _ in 0..100 {
        if other.text(help).await.contains(name) {
            seen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        seen,
        "{}: the other instance still shows the old page",
        test.name
    );
    // Signed-in staff get the page rendered for them, never one kept for the public.
    let staff = client()
        .get(site.served.url(help))
        .header(header::COOKIE, &admin)
        .send()
        .await
        .unwrap();
    assert!(staff.headers().get(header::ETAG).is_none());
    assert!(
        staff.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("'nonce-")
    );
    other.stop().await;
    site.served.stop().await;
}

/// A kept catalogue shows a course scheduled for later from its very second on (not at
/// the next hour), under the server's clock.
async fn a_scheduled_course_shows_on_a_kept_page_from_its_time(test: TestDb) {
    let clock = Clock::fixed(1_795_482_000); // 05:00 UTC, 13:00 in China: an hour's start
    let site = site_at(&test, clock.clone()).await;
    let course = site.item(Kind::Course, None, &["submit"]).await;
    // The reviewer schedules it for 13:10 China time, ten minutes from now.
    let reviewer = login(&site, "reviewer", PASSWORD).await.unwrap();
    let at = chrono::DateTime::from_timestamp(clock.unix() + 600 + 8 * 3600, 0).unwrap();
    let approved = post(
        &site,
        Some(&reviewer),
        "/staff/fn/workflow",
        &[
            ("lang", "zh"),
            ("id", &course.0.to_string()),
            ("step", "approve"),
            ("revision", "1"),
            ("publish_at", &at.format("%Y-%m-%dT%H:%M").to_string()),
        ],
    )
    .await;
    assert_eq!(approved.status(), StatusCode::OK);
    let link = format!("/zh/courses/{course}\"");
    let catalogue = async || site.served.text("/zh/courses").await;
    assert!(!catalogue().await.contains(&link), "not yet");
    clock.advance(599);
    assert!(!catalogue().await.contains(&link), "a second before");
    clock.advance(1);
    let after = catalogue().await;
    assert!(
        after.contains(&link),
        "from the set time on: {link} in {after}"
    );
    site.served.stop().await;
}
