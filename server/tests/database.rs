//! The data layer on both backends: migrations, SQLite durability settings, hotlines,
//! demo content.

mod common;

use anxin_app::{
    db::{Backend, Db},
    help::{NewHotline, data},
};
use common::TestDb;
use sqlx::Row;

async fn open(db: &TestDb) -> Db {
    let d = Db::connect(&db.url).await.unwrap();
    d.migrate().await.unwrap();
    d
}

#[tokio::test]
async fn sqlite_connections_are_durable_and_strict() {
    let test = TestDb::sqlite().await;
    let db = open(&test).await;
    assert_eq!(db.backend(), Backend::Sqlite);
    let mut conn = db.pool().acquire().await.unwrap();
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query("PRAGMA foreign_keys")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(fk, 1);
    let sync: i64 = sqlx::query("PRAGMA synchronous")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(sync, 2, "synchronous=FULL");
    let busy: i64 = sqlx::query("PRAGMA busy_timeout")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(busy, 5000);
}

#[tokio::test]
async fn write_transactions_take_the_lock_at_begin_on_sqlite() {
    let test = TestDb::sqlite().await;
    let db = open(&test).await;
    let first = db.begin_write().await.unwrap();
    // A second IMMEDIATE transaction must wait for the first (and time out here),
    // rather than both reading and one failing later on upgrade.
    let second =
        tokio::time::timeout(std::time::Duration::from_millis(300), db.begin_write()).await;
    assert!(
        second.is_err(),
        "the second writer began while the first held the lock"
    );
    first.rollback().await.unwrap();
    db.begin_write().await.unwrap().commit().await.unwrap();
}

#[tokio::test]
async fn migrations_are_idempotent_and_hotlines_round_trip() {
    for test in TestDb::all().await {
        let db = open(&test).await;
        db.migrate().await.unwrap();
        assert!(data::list(&db).await.unwrap().is_empty(), "{}", test.name);

        let line = NewHotline {
            name_zh: "市心理援助热线".into(),
            name_en: "City helpline".into(),
            number: "0573-0000000".into(),
            hours_zh: "24 小时".into(),
            hours_en: "24 hours".into(),
            sort_order: 5,
        };
        data::upsert(&db, &line, false).await.unwrap();
        data::upsert(
            &db,
            &NewHotline {
                hours_en: "Always".into(),
                ..line.clone()
            },
            false,
        )
        .await
        .unwrap();
        let lines = data::list(&db).await.unwrap();
        assert_eq!(lines.len(), 1, "{}: same number updates", test.name);
        assert_eq!(lines[0].hours_en, "Always");
        assert_eq!(lines[0].name_zh, "市心理援助热线");

        assert!(data::remove(&db, lines[0].id).await.unwrap());
        assert!(!data::remove(&db, lines[0].id).await.unwrap());
        assert!(data::list(&db).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn demo_content_is_idempotent() {
    for test in TestDb::all().await {
        let db = open(&test).await;
        anxin_app::demo::seed(&db).await.unwrap();
        let filter = anxin_app::content::Filter::default();
        let first = anxin_app::content::data::public_list(&db, &filter)
            .await
            .unwrap();
        anxin_app::demo::seed(&db).await.unwrap();
        let again = anxin_app::content::data::public_list(&db, &filter)
            .await
            .unwrap();
        assert_eq!(
            first.total, again.total,
            "{}: seeding twice adds nothing",
            test.name
        );
        let lines = data::list(&db).await.unwrap();
        assert_eq!(
            lines.len(),
            3,
            "{}: one site line, two organisations' lines",
            test.name
        );
        assert_eq!(lines.iter().filter(|l| l.org_id.is_none()).count(), 1);
        assert!(
            lines.iter().all(|l| l.name_en.contains("sample")),
            "{}: demo content says it is a sample",
            test.name
        );
        // Every audience has published content, and several topics do.
        use anxin_app::content::model::{Audience, Topic};
        for audience in Audience::ALL {
            let only = anxin_app::content::Filter {
                audience: Some(audience),
                ..Default::default()
            };
            let listing = anxin_app::content::data::public_list(&db, &only)
                .await
                .unwrap();
            assert!(listing.total > 0, "{}: nothing for {audience:?}", test.name);
        }
        let topics = Topic::ALL
            .iter()
            .filter(|t| first.items.iter().any(|i| i.topics.contains(t)))
            .count();
        assert!(topics >= 5, "{}: demo covers {topics} topics", test.name);
        // The sample draft is not public.
        assert!(first.items.iter().all(|i| !i.title.contains("草稿")));
    }
}

/// A deployment seeded by an older Anxin gets the corrected samples on the next seed:
/// the old breathing exercise (holding the breath for 7 counts) does not stay public.
#[tokio::test]
async fn reseeding_publishes_corrected_samples_over_old_ones() {
    use anxin_app::content::{data as content, model::Kind};
    for test in TestDb::all().await {
        let db = open(&test).await;
        anxin_app::demo::seed(&db).await.unwrap();
        let lesson: i64 = sqlx::query_scalar(
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
        let before = content::public_document(&db, lesson, Kind::Lesson)
            .await
            .unwrap()
            .unwrap();
        assert!(before.body_html.contains("屏住呼吸"), "{}", test.name);

        anxin_app::demo::seed(&db).await.unwrap();
        let after = content::public_document(&db, lesson, Kind::Lesson)
            .await
            .unwrap()
            .unwrap();
        assert!(!after.body_html.contains("屏住呼吸"), "{}", test.name);
        assert!(after.body_html.contains("头晕就停下"), "{}", test.name);
        // And a third seed changes nothing more.
        let revisions = content::revisions(&db, lesson).await.unwrap().len();
        anxin_app::demo::seed(&db).await.unwrap();
        assert_eq!(
            content::revisions(&db, lesson).await.unwrap().len(),
            revisions,
            "{}",
            test.name
        );
    }
}
