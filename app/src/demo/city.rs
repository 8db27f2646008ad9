//! A city-sized data set for load tests (`anxin demo-data --scale city`): the sample
//! content, then an organisation tree of 1 + 8 + 55 + 336 (the bureau, its districts'
//! guidance centres, their towns' centres, the schools), 10,000 published courses,
//! lessons and articles spread over them (through the content service, so each is
//! revised, audited and indexed for search as a real one is), and 100,000 past bookings
//! of the sample services over the last year, attended, missed or cancelled, with
//! contact details sealed or, past the retention, erased as the housekeeping would.
//!
//! Deterministic and resumable: running it again adds only what is missing.

use super::{SeedError, add_org};
use crate::booking::secret::Keys;
use crate::clock::Clock;
use crate::content::model::{Audience, Draft, Topic};
use crate::content::service::{self as content, NewItem, StepRequest};
use crate::db::Db;
use crate::ids::{ItemId, OrgId};
use crate::orgs::OrgKind;
use crate::service::Ctx;

/// How many of each the city data set holds.
#[derive(Clone, Copy, Debug)]
pub struct CityScale {
    pub districts: usize,
    pub towns: usize,
    pub schools: usize,
    pub items: usize,
    pub past_bookings: usize,
}

impl Default for CityScale {
    fn default() -> CityScale {
        CityScale {
            districts: 8,
            towns: 55,
            schools: 336,
            items: 10_000,
            past_bookings: 100_000,
        }
    }
}

/// What a run made or found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CityFigures {
    pub organisations: usize,
    pub items_published: usize,
    pub past_bookings: usize,
}

/// Phrases the texts are made of: a few per topic (a lesson is mostly about its own
/// topic, as real ones are), and some every text may use.
const TOPIC_PHRASES: [&[&str]; 9] = [
    &[
        "考试前的焦虑是正常的",
        "合理安排复习时间",
        "学习压力大时先停下来深呼吸",
    ],
    &[
        "孩子的情绪需要被看见",
        "学会表达自己的感受",
        "先接住情绪再讨论办法",
    ],
    &[
        "规律作息保证充足的睡眠",
        "睡前一小时放下手机",
        "Sleep helps children learn",
    ],
    &[
        "同伴关系对初中生很重要",
        "被孤立时可以告诉老师",
        "学会说不也是一种能力",
    ],
    &[
        "和孩子一起约定使用手机的时间",
        "游戏和短视频不是敌人",
        "家长也要放下手机",
    ],
    &[
        "青春期的身体和心理变化",
        "青春期的孩子更在意自尊",
        "和孩子聊聊身体的变化",
    ],
    &[
        "亲子沟通从倾听开始",
        "每天留出十分钟聊聊天",
        "Talk with your child every day",
    ],
    &[
        "鼓励孩子尝试新的事情",
        "找到自己喜欢做的事",
        "生活的意义慢慢会清楚",
    ],
    &[
        "遇到危险先保护自己",
        "发现孩子持续低落要及时寻求帮助",
        "记住心理援助热线",
    ],
];
const COMMON_PHRASES: &[&str] = &[
    "家长也要照顾好自己",
    "不要拿孩子和别人比较",
    "遇到困难可以向学校心理老师求助",
    "适度运动能缓解压力",
];

/// A small deterministic generator (xorshift), so every run makes the same data.
pub struct Words(pub u64);

impl Words {
    pub fn roll(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 as usize
    }

    /// `n` sentences about topic `t`: seven in ten from its own phrases.
    pub fn sentences(&mut self, t: usize, n: usize) -> String {
        (0..n)
            .map(|_| {
                let own = TOPIC_PHRASES[t % TOPIC_PHRASES.len()];
                if self.roll() % 10 < 7 {
                    own[self.roll() % own.len()]
                } else {
                    COMMON_PHRASES[self.roll() % COMMON_PHRASES.len()]
                }
            })
            .collect::<Vec<_>>()
            .join("。")
    }
}

/// Publishes generated items `0..n` through the content service, in turn over `orgs`:
/// one course in ten, followed by five of its lessons, the rest articles. An item a
/// previous run published (same organisation, kind and title) is skipped. Returns the
/// last course.
pub async fn publish_generated(
    ctx: &Ctx,
    orgs: &[OrgId],
    n: usize,
) -> Result<(usize, Option<ItemId>), SeedError> {
    let topics = Topic::ALL;
    let mut words = Words(0x2545_f491_4f6c_dd1d);
    let mut course = None;
    let mut published = 0;
    for i in 0..n {
        let org = orgs[(i / 10) % orgs.len()];
        let what = match (i % 10, course) {
            (0, _) => NewItem::Course { org },
            (1..=5, Some(course)) => NewItem::Lesson { course },
            _ => NewItem::Article { org },
        };
        let draft = Draft {
            title: format!("{}（{i}）", words.sentences(i, 1)),
            summary: words.sentences(i, 2),
            body: (0..6)
                .map(|_| words.sentences(i, 5))
                .collect::<Vec<_>>()
                .join("。\n\n"),
            language: "zh-CN".into(),
            audiences: vec![
                [
                    Audience::ParentsPrimary,
                    Audience::ParentsJunior,
                    Audience::ParentsSenior,
                ][i % 3],
            ],
            topics: vec![topics[i % topics.len()]],
            minutes: 5,
            ..Draft::default()
        };
        let (kind, owner) = match what {
            NewItem::Course { org } => (crate::content::model::Kind::Course, org),
            NewItem::Article { org } => (crate::content::model::Kind::Article, org),
            NewItem::Lesson { .. } => (crate::content::model::Kind::Lesson, org),
        };
        let id = match super::find(ctx, owner, kind, &draft.title, None).await? {
            Some(id) => id,
            None => {
                let id = content::create_with(ctx, what, &draft).await?;
                content::step(ctx, id, StepRequest::Submit).await?;
                let approve = StepRequest::Approve {
                    revision: 1,
                    from: None,
                };
                content::step(ctx, id, approve).await?;
                published += 1;
                id
            }
        };
        if kind == crate::content::model::Kind::Course {
            course = Some(id);
        }
    }
    Ok((published, course))
}

/// Adds the city (after the sample content) up to `scale`.
pub async fn seed(
    db: &Db,
    clock: &Clock,
    keys: &Keys,
    scale: CityScale,
) -> Result<CityFigures, SeedError> {
    super::seed(db, clock).await?;
    let ctx = Ctx::system(db.clone(), clock.clone());
    let mut orgs = Vec::new();
    let city = add_org(
        &ctx,
        None,
        "city",
        OrgKind::Bureau,
        "演示市教育局（压力测试数据）",
        "Demo City Education Bureau (load-test data)",
    )
    .await?;
    orgs.push(city);
    let districts = add_level(&ctx, &[city], scale.districts, OrgKind::Centre, |d| {
        (
            format!("city-d{d}"),
            format!("演示市第{}区学生成长指导中心", d + 1),
            format!("Demo City district {} guidance centre", d + 1),
        )
    })
    .await?;
    let towns = add_level(&ctx, &districts, scale.towns, OrgKind::Centre, |t| {
        (
            format!("city-t{t}"),
            format!("演示市第{}街镇家庭教育指导站", t + 1),
            format!("Demo City town {} family education post", t + 1),
        )
    })
    .await?;
    let schools = add_level(&ctx, &towns, scale.schools, OrgKind::School, |s| {
        (
            format!("city-s{s}"),
            format!("演示市第{}学校心理辅导室", s + 1),
            format!("Demo City school {} counselling room", s + 1),
        )
    })
    .await?;
    orgs.extend(&districts);
    orgs.extend(&towns);
    orgs.extend(&schools);
    let (items_published, _) = publish_generated(&ctx, &orgs, scale.items).await?;
    let past_bookings = past_bookings(&ctx, keys, scale.past_bookings).await?;
    Ok(CityFigures {
        organisations: orgs.len(),
        items_published,
        past_bookings,
    })
}

/// One level of the tree: `n` organisations of `kind`, taking `parents` in turn, named
/// by `names(i)` (slug, Chinese name, English name).
async fn add_level(
    ctx: &Ctx,
    parents: &[OrgId],
    n: usize,
    kind: OrgKind,
    names: impl Fn(usize) -> (String, String, String),
) -> Result<Vec<OrgId>, SeedError> {
    let mut level = Vec::with_capacity(n);
    for i in 0..n {
        let (slug, zh, en) = names(i);
        level.push(add_org(ctx, Some(parents[i % parents.len()]), &slug, kind, &zh, &en).await?);
    }
    Ok(level)
}

/// Past bookings of the sample services, `n` in all over the last 365 days (one-hour
/// slots of twelve places, up to eight a day per service), unless the services already
/// have that many. Returns how many were added.
async fn past_bookings(ctx: &Ctx, keys: &Keys, n: usize) -> Result<usize, SeedError> {
    let mut conn = ctx.db.pool().acquire().await?;
    let services: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, org_id FROM services ORDER BY id LIMIT 3")
            .fetch_all(&mut *conn)
            .await?;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bookings WHERE code LIKE 'P%'")
        .fetch_one(&mut *conn)
        .await?;
    drop(conn);
    if services.is_empty() || existing as usize >= n {
        return Ok(0);
    }
    const PLACES: usize = 12;
    let today = ctx.now() - ctx.now().rem_euclid(86_400);
    let retention = 90 * 86_400;
    let mut words = Words(0x5851_f42d_4c95_7f2d);
    let mut made = existing as usize;
    let mut slot_index = 0usize;
    let mut tx = ctx.db.begin_write().await?;
    while made < n {
        // Each service's slots spread evenly over the year, up to eight a day.
        let (service, org) = services[slot_index % services.len()];
        let per_service = n.div_ceil(PLACES).div_ceil(services.len()).max(1);
        let j = slot_index / services.len();
        let day = 1 + (j * 365 / per_service) as i64;
        let hour = j % 8;
        let start = today - day * 86_400 + (1 + hour as i64) * 3_600; // 09:00–16:00 China time
        slot_index += 1;
        let slot: Option<i64> = sqlx::query_scalar(
            "INSERT INTO slots (service_id, start_at, end_at, opens_at, places, taken) \
             VALUES ($1, $2, $3, $4, $5, 0) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(service)
        .bind(start)
        .bind(start + 3_000)
        .bind(start - 14 * 86_400)
        .bind(PLACES as i64)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(slot) = slot else {
            continue; // made by an earlier run
        };
        let mut taken = 0;
        for _ in 0..PLACES.min(n - made) {
            let roll = words.roll() % 100;
            let status = match roll {
                0..=79 => "attended",
                80..=87 => "no-show",
                _ => "cancelled",
            };
            if status != "cancelled" {
                taken += 1;
            }
            let erased = ctx.now() - start > retention;
            let phone = format!("139{:08}", made);
            let (name, phone_sealed, note, phone_hash) = if erased {
                (String::new(), String::new(), String::new(), None)
            } else {
                (
                    keys.seal("name", "演示家长"),
                    keys.seal("phone", &phone),
                    keys.seal("note", ""),
                    Some(keys.phone_hash(&phone)),
                )
            };
            sqlx::query(
                "INSERT INTO bookings (code, slot_id, service_id, org_id, status, attendee, \
                 stage, name_sealed, phone_sealed, note_sealed, phone_hash, token_hash, \
                 request_hash, via, created_at, updated_at, checked_in_at, anonymised_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 'web', $13, \
                 $14, $15, $16)",
            )
            .bind(format!("P{made:07}"))
            .bind(slot)
            .bind(service)
            .bind(org)
            .bind(status)
            .bind(if roll.is_multiple_of(2) {
                "parent"
            } else {
                "student"
            })
            .bind(["primary", "junior", "senior"][roll % 3])
            .bind(name)
            .bind(phone_sealed)
            .bind(note)
            .bind(phone_hash)
            .bind(crate::booking::secret::token_hash(&format!("past-{made}")))
            .bind(start - 3 * 86_400)
            .bind(start)
            .bind((status == "attended").then_some(start))
            .bind(erased.then_some(start + retention))
            .execute(&mut *tx)
            .await?;
            made += 1;
        }
        sqlx::query("UPDATE slots SET taken = $1 WHERE id = $2")
            .bind(taken)
            .bind(slot)
            .execute(&mut *tx)
            .await?;
        if made % 5_000 < PLACES {
            tx.commit().await?;
            tx = ctx.db.begin_write().await?;
        }
    }
    tx.commit().await?;
    Ok(made - existing as usize)
}
