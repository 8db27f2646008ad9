//! The data layer on both backends: migrations (and that SQLite's and PostgreSQL's
//! describe the same schema), SQLite durability settings, help lines and their owners,
//! the sample content.

mod common;

use anxin_app::{
    clock::Clock,
    content::{data as content, model::Kind},
    db::{Backend, Db},
    help::{HotlineOwner, NewHotline, service as lines},
    service::{Actor, Ctx, Failure},
};
use common::{TestDb, per_backend};
use sqlx::Row;
use std::collections::BTreeSet;

async fn open(db: &TestDb) -> Db {
    db.open().await
}

#[tokio::test]
async fn sqlite_connections_are_durable_and_strict() {
    let test = TestDb::sqlite().await;
    let db = open(&test).await;
    assert_eq!(db.backend(), Backend::Sqlite);
    let mut conn = db.pool().acquire().await.unwrap();
    let mut pragma = async |name: &str| -> String {
        let row = sqlx::query(&format!("PRAGMA {name}"))
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        row.try_get::<String, _>(0)
            .or_else(|_| row.try_get::<i64, _>(0).map(|n| n.to_string()))
            .unwrap()
    };
    assert_eq!(pragma("journal_mode").await, "wal");
    assert_eq!(pragma("foreign_keys").await, "1");
    assert_eq!(pragma("synchronous").await, "2", "synchronous=FULL");
    assert_eq!(pragma("busy_timeout").await, "5000");
}

#[tokio::test]
async fn write_transactions_take_the_lock_at_begin_on_sqlite() {
    let test = TestDb::sqlite().await;
    let db = open(&test).await;
    // Another process on the same file (the command line, say): its own queue.
    let elsewhere = open(&test).await;
    let first = db.begin_write().await.unwrap();
    // A second IMMEDIATE transaction must wait for the first (and time out here),
    // rather than both reading and one failing later on upgrade.
    for other in [&db, &elsewhere] {
        let second =
            tokio::time::timeout(std::time::Duration::from_millis(300), other.begin_write()).await;
        assert!(
            second.is_err(),
            "the second writer began while the first held the lock"
        );
    }
    first.rollback().await.unwrap();
    elsewhere
        .begin_write()
        .await
        .unwrap()
        .commit()
        .await
        .unwrap();
}

/// Writers of one process take turns in the order they came, so none waits much
/// longer than the others behind it (SQLite's own busy retries are not fair).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_writers_of_one_process_take_turns_in_order() {
    let test = TestDb::sqlite().await;
    let db = open(&test).await;
    let first = db.begin_write().await.unwrap();
    let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut waiting = Vec::new();
    for n in 0..6 {
        let (db, order) = (db.clone(), order.clone());
        waiting.push(tokio::spawn(async move {
            let tx = db.begin_write().await.unwrap();
            order.lock().unwrap().push(n);
            tx.commit().await.unwrap();
        }));
        // Each is queued before the next starts.
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
    first.commit().await.unwrap();
    for task in waiting {
        task.await.unwrap();
    }
    assert_eq!(*order.lock().unwrap(), [0, 1, 2, 3, 4, 5]);
}

fn line(number: &str, hours_en: &str) -> NewHotline {
    NewHotline {
        name_zh: "市心理援助热线".into(),
        name_en: "City helpline".into(),
        number: number.into(),
        hours_zh: "24 小时".into(),
        hours_en: hours_en.into(),
        sort_order: 5,
    }
}

async fn migrations_are_idempotent_and_lines_round_trip(test: TestDb) {
    let db = open(&test).await;
    db.migrate().await.unwrap();
    let ctx = Ctx::system(db.clone(), Clock::System);
    assert!(lines::list(&ctx).await.unwrap().is_empty());
    lines::add(
        &ctx,
        HotlineOwner::Site,
        line("0573-0000000", "24 hours"),
        false,
    )
    .await
    .unwrap();
    lines::add(
        &ctx,
        HotlineOwner::Site,
        line("0573-0000000", "Always"),
        false,
    )
    .await
    .unwrap();
    let all = lines::list(&ctx).await.unwrap();
    assert_eq!(all.len(), 1, "the same owner and number updates");
    assert_eq!(all[0].hours_en, "Always");
    lines::remove(&ctx, all[0].id).await.unwrap();
    assert!(matches!(
        lines::remove(&ctx, all[0].id).await,
        Err(lines::HelpError::NotFound)
    ));
}

/// Finding 1: an organisation's admin cannot take over the site's line or another
/// organisation's by adding the same number; the same number may be listed by both.
async fn a_line_has_one_owner_and_only_it_changes_the_line(test: TestDb) {
    let db = open(&test).await;
    let clock = Clock::System;
    anxin_app::demo::seed(&db, &clock).await.unwrap();
    let system = Ctx::system(db.clone(), clock.clone());
    let orgs = anxin_app::orgs::service::list(&system).await.unwrap();
    let org = |slug: &str| orgs.iter().find(|o| o.slug == slug).unwrap().id;
    let site_line = lines::list(&system)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.org_id.is_none())
        .unwrap();
    // A district admin, acting through the service as the web edge would.
    let district_admin = common::staff_actor(
        &db,
        org("sample-district"),
        anxin_app::staff::roles::Role::Admin,
    )
    .await;
    let admin = Ctx::new(db.clone(), district_admin, clock.clone());
    let district = HotlineOwner::Org(org("sample-district"));
    let taken = lines::add(
        &admin,
        district,
        NewHotline {
            name_zh: "冒充的热线".into(),
            name_en: "Impostor".into(),
            ..line(&site_line.number, "Never")
        },
        false,
    )
    .await
    .unwrap();
    let after = lines::list(&system).await.unwrap();
    let site_after = after.iter().find(|l| l.id == site_line.id).unwrap();
    assert_eq!(site_after, &site_line, "the site's line is untouched");
    assert!(
        after
            .iter()
            .any(|l| l.id == taken && l.org_id == Some(org("sample-district")))
    );
    // Nobody but the operator changes or removes the site's line; no admin touches
    // another organisation's.
    let refused = |r: Result<_, lines::HelpError>| {
        matches!(r.map_err(Failure::from), Err(Failure::Forbidden))
    };
    assert!(refused(
        lines::remove(&admin, site_line.id).await.map(|_| ())
    ));
    assert!(refused(
        lines::add(&admin, HotlineOwner::Site, line("0573-1111111", "x"), false)
            .await
            .map(|_| ())
    ));
    let clinic_line = after
        .iter()
        .find(|l| l.org_id == Some(org("sample-clinic")))
        .unwrap();
    assert!(refused(
        lines::remove(&admin, clinic_line.id).await.map(|_| ())
    ));
    lines::remove(&admin, taken).await.unwrap();
    // National lines' local hours are the operator's alone.
    let hours = anxin_app::help::NationalHours {
        number: "12356".into(),
        hours_zh: "本市 24 小时".into(),
        hours_en: "24 hours here".into(),
    };
    assert!(refused(
        lines::set_national_hours(&admin, hours.clone()).await
    ));
    lines::set_national_hours(&system, hours).await.unwrap();
}

async fn demo_content_is_idempotent(test: TestDb) {
    let db = open(&test).await;
    let clock = Clock::System;
    anxin_app::demo::seed(&db, &clock).await.unwrap();
    let ctx = Ctx::new(
        db.clone(),
        Actor::Public {
            address: "t".into(),
        },
        clock.clone(),
    );
    let all = |per_page| anxin_app::content::Filter {
        page: 1,
        per_page,
        ..Default::default()
    };
    let first = anxin_app::content::service::catalogue(&ctx, all(100))
        .await
        .unwrap();
    anxin_app::demo::seed(&db, &clock).await.unwrap();
    let again = anxin_app::content::service::catalogue(&ctx, all(100))
        .await
        .unwrap();
    assert_eq!(first.total, again.total, "seeding twice adds nothing");
    let system = Ctx::system(db.clone(), clock.clone());
    let every_line = lines::list(&system).await.unwrap();
    assert_eq!(
        every_line.len(),
        3,
        "one site line, two organisations' lines"
    );
    assert_eq!(every_line.iter().filter(|l| l.org_id.is_none()).count(), 1);
    assert!(
        every_line
            .iter()
            .all(|l| l.name_en.to_lowercase().contains("sample") && l.is_demo),
        "demo lines say they are samples"
    );
    // The site's line is named as a sample number, not as a real line.
    let site_line = every_line.iter().find(|l| l.org_id.is_none()).unwrap();
    assert!(
        site_line.name_zh.starts_with("示例号码"),
        "{}",
        site_line.name_zh
    );
    assert!(
        site_line.name_en.starts_with("Sample number"),
        "{}",
        site_line.name_en
    );
    // Every audience has published content, and several topics do.
    use anxin_app::content::model::{Audience, Topic};
    for audience in Audience::ALL {
        let only = anxin_app::content::Filter {
            audience: Some(audience),
            ..all(20)
        };
        let listing = anxin_app::content::service::catalogue(&ctx, only)
            .await
            .unwrap();
        assert!(listing.total > 0, "nothing for {audience:?}");
    }
    let topics = Topic::ALL
        .iter()
        .filter(|t| first.items.iter().any(|i| i.topics.contains(t)))
        .count();
    assert!(topics >= 5, "demo covers {topics} topics");
    // The sample draft is not public.
    assert!(first.items.iter().all(|i| !i.title.contains("草稿")));
}

/// A deployment seeded by an older Anxin gets the corrected samples on the next seed:
/// the old breathing exercise (holding the breath for 7 counts) does not stay public.
async fn reseeding_publishes_corrected_samples_over_old_ones(test: TestDb) {
    let db = open(&test).await;
    let clock = Clock::System;
    anxin_app::demo::seed(&db, &clock).await.unwrap();
    let lesson: anxin_app::ids::ItemId = sqlx::query_scalar(
        "SELECT i.id FROM content_items i JOIN content_revisions r ON r.id = i.live_revision_id \
         WHERE r.title = '身体先平静：呼吸练习'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    // What an older seed published.
    sqlx::query(
        "UPDATE content_revisions SET body = '# 4-7-8 呼吸\n\n屏住呼吸，数 7 下。' \
         WHERE id = (SELECT live_revision_id FROM content_items WHERE id = $1)",
    )
    .bind(lesson)
    .execute(db.pool())
    .await
    .unwrap();
    let mut conn = db.pool().acquire().await.unwrap();
    let now = clock.unix();
    let before = content::public_document(&mut conn, lesson, Kind::Lesson, now)
        .await
        .unwrap()
        .unwrap();
    assert!(before.body_html.contains("屏住呼吸"));

    anxin_app::demo::seed(&db, &clock).await.unwrap();
    let after = content::public_document(&mut conn, lesson, Kind::Lesson, clock.unix())
        .await
        .unwrap()
        .unwrap();
    assert!(!after.body_html.contains("屏住呼吸"));
    assert!(after.body_html.contains("头晕就停下"));
    // And a third seed changes nothing more.
    let revisions = content::revisions(&mut conn, lesson).await.unwrap().len();
    anxin_app::demo::seed(&db, &clock).await.unwrap();
    assert_eq!(
        content::revisions(&mut conn, lesson).await.unwrap().len(),
        revisions
    );
}

/// The sample services can be tried, but no result leads to them: with samples only,
/// booking is there (for the header) and not real; one real service makes it real. A
/// need category an older seed named "网络沉迷" is renamed by the next seed, not doubled.
async fn samples_are_no_real_service_and_old_category_names_are_renamed(test: TestDb) {
    use anxin_app::booking::data::active_services_real;
    let db = open(&test).await;
    let clock = Clock::System;
    anxin_app::demo::seed(&db, &clock).await.unwrap();
    let mut conn = db.pool().acquire().await.unwrap();
    assert_eq!(active_services_real(&mut conn).await.unwrap(), Some(false));
    sqlx::query(
        "UPDATE need_categories SET name_zh = '网络沉迷', name_en = 'Internet overuse' \
         WHERE name_zh = '网络使用'",
    )
    .execute(&mut *conn)
    .await
    .unwrap();
    anxin_app::demo::seed(&db, &clock).await.unwrap();
    let names: Vec<(String, String)> =
        sqlx::query_as("SELECT name_zh, name_en FROM need_categories ORDER BY position, id")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    assert_eq!(names.len(), 6, "{names:?}");
    assert_eq!(
        names[2],
        ("网络使用".to_string(), "Internet use".to_string())
    );
    let service: i64 = sqlx::query_scalar("SELECT MIN(id) FROM services")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    sqlx::query("UPDATE services SET sample = 0 WHERE id = $1")
        .bind(service)
        .execute(&mut *conn)
        .await
        .unwrap();
    assert_eq!(active_services_real(&mut conn).await.unwrap(), Some(true));
    sqlx::query("UPDATE services SET active = 0")
        .execute(&mut *conn)
        .await
        .unwrap();
    assert_eq!(active_services_real(&mut conn).await.unwrap(), None);
}

per_backend!(
    migrations_are_idempotent_and_lines_round_trip,
    a_line_has_one_owner_and_only_it_changes_the_line,
    demo_content_is_idempotent,
    samples_are_no_real_service_and_old_category_names_are_renamed,
    the_city_data_set_is_made_once_and_resumes,
    reseeding_publishes_corrected_samples_over_old_ones,
    page_views_of_several_instances_add_up,
);

/// Several instances write the page views they counted to one database at the same
/// moment, for the same items and months: every write succeeds and the counts add up.
/// (Written in each counter's own order, two PostgreSQL transactions locked the same
/// rows in opposite orders and one was aborted as a deadlock: the city load test on two
/// instances showed it.)
async fn page_views_of_several_instances_add_up(test: TestDb) {
    use anxin_app::reports::views::ViewCounter;
    let db = open(&test).await;
    anxin_app::demo::seed(&db, &Clock::System).await.unwrap();
    let items: Vec<i64> = sqlx::query_scalar("SELECT id FROM content_items")
        .fetch_all(db.pool())
        .await
        .unwrap();
    assert!(items.len() >= 10, "the sample content has items");
    let instances = [ViewCounter::default(), ViewCounter::default()];
    let months = 202_401..=202_420;
    let per_flush = items.len() * months.clone().count();
    let rounds = 6;
    for _ in 0..rounds {
        for counter in &instances {
            for &item in &items {
                for month in months.clone() {
                    counter.count(anxin_app::ids::ItemId(item), month);
                }
            }
        }
        let (a, b) = tokio::join!(instances[0].flush(&db), instances[1].flush(&db));
        assert_eq!((a.unwrap(), b.unwrap()), (per_flush, per_flush));
    }
    let (rows, least, most): (i64, i64, i64) =
        sqlx::query_as("SELECT COUNT(*), MIN(views), MAX(views) FROM content_views")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(rows as usize, per_flush);
    assert_eq!((least, most), (2 * rounds, 2 * rounds));
}

/// The load-test data set (`anxin demo-data --scale city`), at a small scale: the tree,
/// the items (published and found by search), the past bookings (counted in the
/// reports, contact details erased past the retention and sealed before it), and a
/// second run that adds nothing.
async fn the_city_data_set_is_made_once_and_resumes(test: TestDb) {
    use anxin_app::demo::city::{self, CityScale};
    let db = open(&test).await;
    let clock = Clock::System;
    let dir = tempfile::tempdir().unwrap();
    let keys = anxin_app::booking::secret::Keys::load(
        Some(common::TEST_DATA_KEY),
        None,
        dir.path(),
        false,
    )
    .unwrap();
    let scale = CityScale {
        districts: 2,
        towns: 3,
        schools: 6,
        items: 40,
        past_bookings: 300,
    };
    let made = city::seed(&db, &clock, &keys, scale).await.unwrap();
    assert_eq!(
        made,
        city::CityFigures {
            organisations: 12,
            items_published: 40,
            past_bookings: 300
        }
    );
    let count =
        async |sql: &str| -> i64 { sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap() };
    assert_eq!(
        count("SELECT COUNT(*) FROM organisations WHERE slug LIKE 'city%'").await,
        12
    );
    let schools_under_towns = count(
        "SELECT COUNT(*) FROM organisations s JOIN organisations t ON t.id = s.parent_id \
         WHERE s.slug LIKE 'city-s%' AND t.slug LIKE 'city-t%'",
    )
    .await;
    assert_eq!(schools_under_towns, 6);
    assert_eq!(
        count("SELECT COUNT(*) FROM bookings WHERE code LIKE 'P%'").await,
        300
    );
    let erased = count(
        "SELECT COUNT(*) FROM bookings WHERE code LIKE 'P%' AND anonymised_at IS NOT NULL \
         AND phone_sealed = '' AND phone_hash IS NULL",
    )
    .await;
    let sealed: Vec<String> = sqlx::query_scalar(
        "SELECT phone_sealed FROM bookings WHERE code LIKE 'P%' AND anonymised_at IS NULL",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    assert_eq!(erased + sealed.len() as i64, 300);
    assert!(!sealed.is_empty() && erased > 0, "{erased} erased");
    assert!(
        sealed
            .iter()
            .all(|s| keys.open("phone", s).is_some_and(|p| p.starts_with("139")))
    );
    // No slot holds more than its places.
    assert_eq!(
        count("SELECT COUNT(*) FROM slots WHERE taken > places").await,
        0
    );
    let public = Ctx::new(
        db.clone(),
        Actor::Public {
            address: "t".into(),
        },
        clock.clone(),
    );
    let found = anxin_app::content::service::search(&public, "睡眠", 1, Some("city"))
        .await
        .unwrap();
    assert!(found.total > 0, "the city's items are indexed");
    let again = city::seed(&db, &clock, &keys, scale).await.unwrap();
    assert_eq!(
        (again.items_published, again.past_bookings),
        (0, 0),
        "a second run adds nothing"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM bookings WHERE code LIKE 'P%'").await,
        300
    );
}

/// One database's schema, in terms both backends share.
#[derive(Debug, Default, PartialEq, Eq)]
struct Schema {
    /// (table, column, type class, not null, part of the primary key)
    columns: BTreeSet<(String, String, &'static str, bool, bool)>,
    /// (table, columns, unique, partial) for every index but a primary key's.
    indexes: BTreeSet<(String, Vec<String>, bool, bool)>,
    /// (table, column, referenced table, referenced column)
    foreign_keys: BTreeSet<(String, String, String, String)>,
    /// (table, check expression with spaces, quotes and case removed)
    checks: BTreeSet<(String, String)>,
}

/// `INTEGER`, `BIGINT` and `BIGSERIAL` are one integer type here (ids and Unix
/// seconds); `TEXT` is text.
fn type_class(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") || t.contains("serial") {
        "integer"
    } else if t.contains("text") || t.contains("char") {
        "text"
    } else if t.contains("bool") {
        "boolean"
    } else {
        "other"
    }
}

fn normal_check(expression: &str) -> String {
    expression
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | '"'))
        .collect::<String>()
        .to_ascii_lowercase()
}

async fn sqlite_schema(db: &Db) -> Schema {
    let mut schema = Schema::default();
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    for (table, sql) in tables {
        for row in sqlx::query(&format!("PRAGMA table_info({table})"))
            .fetch_all(db.pool())
            .await
            .unwrap()
        {
            let pk: i64 = row.get("pk");
            let notnull: i64 = row.get("notnull");
            schema.columns.insert((
                table.clone(),
                row.get("name"),
                type_class(&row.get::<String, _>("type")),
                notnull == 1 || pk > 0,
                pk > 0,
            ));
        }
        for row in sqlx::query(&format!("PRAGMA index_list({table})"))
            .fetch_all(db.pool())
            .await
            .unwrap()
        {
            let origin: String = row.get("origin");
            if origin == "pk" {
                continue;
            }
            let name: String = row.get("name");
            let unique: i64 = row.get("unique");
            let partial: i64 = row.get("partial");
            let columns: Vec<String> = sqlx::query(&format!("PRAGMA index_info({name})"))
                .fetch_all(db.pool())
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<String, _>("name"))
                .collect();
            schema
                .indexes
                .insert((table.clone(), columns, unique == 1, partial == 1));
        }
        for row in sqlx::query(&format!("PRAGMA foreign_key_list({table})"))
            .fetch_all(db.pool())
            .await
            .unwrap()
        {
            schema.foreign_keys.insert((
                table.clone(),
                row.get("from"),
                row.get("table"),
                row.get("to"),
            ));
        }
        for part in sql.split("CHECK").skip(1) {
            // The balanced parenthesis group after CHECK.
            let mut depth = 0;
            let mut expression = String::new();
            for c in part.chars() {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                expression.push(c);
                if depth == 0 && !expression.trim().is_empty() && c == ')' {
                    break;
                }
            }
            schema
                .checks
                .insert((table.clone(), normal_check(&expression)));
        }
    }
    schema
}

async fn postgres_schema(db: &Db) -> Schema {
    let mut schema = Schema::default();
    let primary: BTreeSet<(String, String)> = sqlx::query_as(
        "SELECT k.table_name::text, k.column_name::text FROM information_schema.table_constraints c \
         JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name \
         WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_schema = 'public'",
    )
    .fetch_all(db.pool())
    .await
    .unwrap()
    .into_iter()
    .collect();
    let columns: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text \
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    for (table, column, data_type, nullable) in columns {
        let pk = primary.contains(&(table.clone(), column.clone()));
        schema
            .columns
            .insert((table, column, type_class(&data_type), nullable == "NO", pk));
    }
    let indexes: Vec<(String, String, bool, bool)> = sqlx::query_as(
        "SELECT t.relname::text, \
                array_to_string(ARRAY(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY k(n, o) \
                      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n ORDER BY k.o), ','), \
                ix.indisunique, ix.indpred IS NOT NULL \
         FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = 'public' AND NOT ix.indisprimary AND t.relname <> '_sqlx_migrations'",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    schema.indexes.extend(
        indexes
            .into_iter()
            .map(|(table, columns, unique, partial)| {
                let columns = columns.split(',').map(str::to_string).collect();
                (table, columns, unique, partial)
            }),
    );
    let foreign: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT k.table_name::text, k.column_name::text, u.table_name::text, u.column_name::text \
         FROM information_schema.referential_constraints r \
         JOIN information_schema.key_column_usage k ON k.constraint_name = r.constraint_name \
         JOIN information_schema.constraint_column_usage u ON u.constraint_name = r.unique_constraint_name \
         WHERE k.table_schema = 'public'",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    schema.foreign_keys.extend(foreign);
    let checks: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.relname::text, pg_get_constraintdef(c.oid) FROM pg_constraint c \
         JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE c.contype = 'c' AND n.nspname = 'public'",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    for (table, definition) in checks {
        let expression = definition.trim_start_matches("CHECK").to_string();
        schema.checks.insert((table, normal_check(&expression)));
    }
    schema
}

/// The two migration folders must describe the same schema: tables, columns (types
/// modulo dialect), not-null and keys, indexes, foreign keys and checks.
#[tokio::test]
async fn sqlite_and_postgres_migrations_describe_the_same_schema() {
    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    let sqlite = TestDb::sqlite().await;
    let lite = sqlite_schema(&open(&sqlite).await).await;
    let post = postgres_schema(&open(&pg).await).await;
    assert!(!lite.columns.is_empty() && !lite.foreign_keys.is_empty());
    let differences = |what: &str, a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug| {
        format!("{what} differ:\nSQLite only: {a:#?}\nPostgreSQL only: {b:#?}")
    };
    assert!(
        lite.columns == post.columns,
        "{}",
        differences(
            "columns",
            &lite.columns.difference(&post.columns).collect::<Vec<_>>(),
            &post.columns.difference(&lite.columns).collect::<Vec<_>>()
        )
    );
    assert!(
        lite.indexes == post.indexes,
        "{}",
        differences(
            "indexes",
            &lite.indexes.difference(&post.indexes).collect::<Vec<_>>(),
            &post.indexes.difference(&lite.indexes).collect::<Vec<_>>()
        )
    );
    assert!(
        lite.foreign_keys == post.foreign_keys,
        "{}",
        differences(
            "foreign keys",
            &lite
                .foreign_keys
                .difference(&post.foreign_keys)
                .collect::<Vec<_>>(),
            &post
                .foreign_keys
                .difference(&lite.foreign_keys)
                .collect::<Vec<_>>()
        )
    );
    assert!(
        lite.checks == post.checks,
        "{}",
        differences(
            "checks",
            &lite.checks.difference(&post.checks).collect::<Vec<_>>(),
            &post.checks.difference(&lite.checks).collect::<Vec<_>>()
        )
    );
    // The foreign keys issue 11 asked for are there.
    for (table, column, target) in [
        ("content_items", "live_revision_id", "content_revisions"),
        ("content_items", "latest_revision_id", "content_revisions"),
        ("content_revisions", "cover_upload_id", "uploads"),
        ("content_audiences", "revision_id", "content_revisions"),
    ] {
        assert!(
            lite.foreign_keys
                .iter()
                .any(|(t, c, r, _)| t == table && c == column && r == target),
            "{table}.{column} -> {target}"
        );
    }
}

/// An SQLite deployment with the sample content in `dir/data`, an upload and a data key.
async fn deployment(dir: &std::path::Path) -> (Db, std::path::PathBuf) {
    let data = dir.join("data");
    let db = anxin_server::open_database(&anxin_app::db::sqlite_url(&data))
        .await
        .unwrap();
    anxin_app::demo::seed(&db, &Clock::System).await.unwrap();
    std::fs::create_dir_all(data.join("uploads")).unwrap();
    std::fs::write(
        data.join("uploads")
            .join(format!("{}.png", "ab".repeat(32))),
        b"picture",
    )
    .unwrap();
    std::fs::write(data.join("data.key"), b"a key of thirty-two bytes, hex..").unwrap();
    (db, data)
}

/// Publishes an article through the content service (several writes and an audit entry).
async fn publish(ctx: &Ctx, org: anxin_app::ids::OrgId, n: usize) {
    use anxin_app::content::model::{Audience, Draft, Topic};
    use anxin_app::content::service::{self as content_service, NewItem, StepRequest};
    let draft = Draft {
        title: format!("写入中的文章 {n}"),
        summary: "摘要".into(),
        body: "正文".into(),
        language: "zh-CN".into(),
        audiences: vec![Audience::ParentsJunior],
        topics: vec![Topic::Sleep],
        minutes: 3,
        ..Draft::default()
    };
    let id = content_service::create_with(ctx, NewItem::Article { org }, &draft)
        .await
        .unwrap();
    content_service::step(ctx, id, StepRequest::Submit)
        .await
        .unwrap();
    let approve = StepRequest::Approve {
        revision: 1,
        from: None,
    };
    content_service::step(ctx, id, approve).await.unwrap();
}

/// `anxin backup` while writers publish: the copy is a consistent database (integrity,
/// foreign keys, every item with its revisions); a backup restored into a new data
/// directory is the same database, row for row, with the uploads and the key.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backups_are_consistent_under_writes_and_restore_to_the_same_database() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let (db, data) = deployment(dir.path()).await;
    let ctx = Ctx::system(db.clone(), Clock::System);
    let org = anxin_app::orgs::service::by_slug(&ctx, "sample-district")
        .await
        .unwrap()
        .id;
    let items = async |db: &Db| -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM content_items")
            .fetch_one(db.pool())
            .await
            .unwrap()
    };
    let before = items(&db).await;
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let written = std::sync::Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (ctx, stop, written) = (ctx.clone(), stop.clone(), written.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    publish(&ctx, org, w * 10_000 + n).await;
                    n += 1;
                    written.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    while written.load(Ordering::Relaxed) < 5 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let under_load = dir.path().join("backup-under-load");
    let report = anxin_server::ops::backup(&db, &data, &under_load)
        .await
        .unwrap();
    assert!(
        report.database && report.key && report.uploads == 1,
        "{report:?}"
    );
    let at_backup = written.load(Ordering::Relaxed);
    while written.load(Ordering::Relaxed) < at_backup + 5 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    let copy = Db::connect(&anxin_app::db::sqlite_url(&under_load))
        .await
        .unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(copy.pool())
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let broken: Vec<sqlx::any::AnyRow> = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(copy.pool())
        .await
        .unwrap();
    assert!(broken.is_empty(), "{} rows point nowhere", broken.len());
    let orphans: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM content_items i WHERE i.latest_revision_id IS NULL \
         OR NOT EXISTS (SELECT 1 FROM content_revisions r WHERE r.id = i.latest_revision_id)",
    )
    .fetch_one(copy.pool())
    .await
    .unwrap();
    assert_eq!(orphans, 0, "every item came with its revision");
    let in_copy = items(&copy).await;
    let after = items(&db).await;
    assert!(
        before < in_copy && in_copy < after,
        "{before} < {in_copy} < {after}: a moment mid-way"
    );
    copy.close().await;

    // Quiet now: a backup restored elsewhere is this database, row for row.
    let quiet = dir.path().join("backup-quiet");
    anxin_server::ops::backup(&db, &data, &quiet).await.unwrap();
    assert!(
        anxin_server::ops::backup(&db, &data, &quiet).await.is_err(),
        "a backup is never overwritten"
    );
    let elsewhere = dir.path().join("restored");
    let restored = anxin_server::ops::restore(&quiet, &elsewhere)
        .await
        .unwrap();
    let tables = anxin_server::ops::tables(&db).await.unwrap();
    assert!(tables.len() > 30, "{tables:?}");
    assert_eq!(
        anxin_server::ops::checksums(&restored, &tables)
            .await
            .unwrap(),
        anxin_server::ops::checksums(&db, &tables).await.unwrap()
    );
    assert!(
        elsewhere
            .join("uploads")
            .join(format!("{}.png", "ab".repeat(32)))
            .exists()
    );
    assert_eq!(
        std::fs::read(elsewhere.join("data.key")).unwrap(),
        std::fs::read(data.join("data.key")).unwrap()
    );
    restored.close().await;
    assert!(
        anxin_server::ops::restore(&quiet, &elsewhere)
            .await
            .is_err(),
        "restore never overwrites a database"
    );
}

/// `anxin copy`: an SQLite deployment (sample content, published items, bookings)
/// moves into an empty PostgreSQL database with every row, id and checksum; a second
/// copy into it is refused, and new rows there continue after the copied ids.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_moves_to_postgres_with_every_row() {
    let Some(target) = TestDb::postgres().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = deployment(dir.path()).await;
    let ctx = Ctx::system(db.clone(), Clock::System);
    let org = anxin_app::orgs::service::by_slug(&ctx, "sample-district")
        .await
        .unwrap()
        .id;
    for n in 0..5 {
        publish(&ctx, org, n).await;
    }
    let booked = common::book_sample(&db, 12).await;
    assert_eq!(booked, 12);
    let pg = Db::connect(&target.url).await.unwrap();
    let report = anxin_server::ops::copy(&db, &pg).await.unwrap();
    assert_eq!(report.tables["bookings"].0, 12);
    assert!(report.tables["search_terms"].0 > 0);
    assert!(report.tables["audit_log"].0 > 0);
    let again = anxin_server::ops::copy(&db, &pg).await.unwrap_err();
    assert!(again.to_string().contains("not empty"), "{again}");
    // The copy serves: new rows on PostgreSQL take ids after the copied ones.
    let most: i64 = sqlx::query_scalar("SELECT MAX(id) FROM content_items")
        .fetch_one(pg.pool())
        .await
        .unwrap();
    let pg_ctx = Ctx::system(pg.clone(), Clock::System);
    publish(&pg_ctx, org, 99).await;
    let newest: i64 = sqlx::query_scalar("SELECT MAX(id) FROM content_items")
        .fetch_one(pg.pool())
        .await
        .unwrap();
    assert_eq!(newest, most + 1);
    pg.close().await;
}
