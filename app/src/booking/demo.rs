//! The sample services a fresh portal shows (marked as samples): a hospital youth
//! centre's free consultations on Tuesday, Thursday and Saturday and its Saturday
//! night clinic with three places; a guidance centre matching six need categories to
//! counsellors; a family-education lecture with 80 seats. Released 14 days ahead, so
//! a fresh start always shows open places. Added once: an organisation that already
//! has a service of the same name keeps it as its staff left it (a database seeded by
//! an earlier version keeps that version's descriptions); only a need category still
//! under an earlier name is renamed (`EARLIER_NAMES`).

use super::model::{ServiceAudience, ServiceDraft};
use super::service::{self, BookingError};
use super::slots::{Release, Schedule, Session, Weekdays};
use super::{Bilingual, Counsellor};
use crate::ids::{CategoryId, CounsellorId, OrgId, ServiceId};
use crate::service::Ctx;
use chrono::Weekday;

/// Names earlier versions gave sample categories, and the names they have now: a
/// category still under its earlier name is renamed, so a demo keeps no label a child
/// would have to put on themselves. (The words test in `i18n` skips this list alone:
/// the earlier names are what it forbids.)
const EARLIER_NAMES: &[(&str, &str)] = &[("网络沉迷", "网络使用")];

/// The organisations the samples belong to.
pub struct DemoOrgs {
    pub clinic: OrgId,
    pub guidance: OrgId,
    pub family: OrgId,
}

fn draft(name_zh: &str, name_en: &str, description_zh: &str, description_en: &str) -> ServiceDraft {
    ServiceDraft {
        name_zh: name_zh.into(),
        name_en: name_en.into(),
        description_zh: description_zh.into(),
        description_en: description_en.into(),
        contact_phone: "000-0000-0001".into(),
        waitlist_places: 3,
        // Released at midnight 14 days ahead, so a fresh start always shows open places.
        release: Release::Rolling { days: 14, at: 0 },
        ..ServiceDraft::default()
    }
}

fn session(start: &str, end: &str, length: u16, buffer: u16, places: i64) -> Session {
    Session {
        start: super::slots::parse_minute(start).unwrap_or(0),
        end: super::slots::parse_minute(end).unwrap_or(0),
        length,
        buffer,
        places,
    }
}

fn weekly(days: &[Weekday], session: Session, counsellor: Option<CounsellorId>) -> Schedule {
    Schedule {
        counsellor: counsellor.map(|c| c.0),
        weekdays: Weekdays::of(days),
        session,
        valid_from: None,
        valid_until: None,
    }
}

/// Adds the service with its schedules unless the organisation has one of that name.
async fn add(
    ctx: &Ctx,
    org: OrgId,
    draft: ServiceDraft,
    schedules: Vec<Schedule>,
) -> Result<Option<ServiceId>, BookingError> {
    let existing = service::setup(ctx, org).await?;
    if existing
        .services
        .iter()
        .any(|s| s.draft.name_zh == draft.name_zh)
    {
        return Ok(None);
    }
    let id = service::save_service_as(ctx, org, None, draft, true).await?;
    for schedule in schedules {
        service::add_schedule(ctx, id, schedule).await?;
    }
    Ok(Some(id))
}

pub async fn seed(ctx: &Ctx, orgs: &DemoOrgs) -> Result<(), BookingError> {
    use Weekday::*;
    let place_zh = "示例市儿童医院门诊楼三层 青少年心理门诊（示例）";
    let place_en = "Sample Children's Hospital, outpatient building, 3rd floor (sample)";
    add(
        ctx,
        orgs.clinic,
        ServiceDraft {
            place_zh: place_zh.into(),
            place_en: place_en.into(),
            ..draft(
                "青少年心理咨询（免费，示例）",
                "Free youth consultation (sample)",
                "由门诊心理治疗师接待，一次约50分钟，免费。未成年人来看门诊是否需要家长或监护人陪同，按医院的规定（示例：请先打改约电话问清楚）。",
                "A psychotherapist of the clinic sees you for about 50 minutes, free. Whether a minor needs a parent or guardian to come along follows the hospital's own rules (sample: call the number below to ask first).",
            )
        },
        vec![
            weekly(&[Tue, Thu, Sat], session("09:00", "12:00", 50, 10, 1), None),
            weekly(&[Tue, Thu], session("14:00", "17:00", 50, 10, 1), None),
        ],
    )
    .await?;
    add(
        ctx,
        orgs.clinic,
        ServiceDraft {
            place_zh: place_zh.into(),
            place_en: place_en.into(),
            duration_minutes: 180,
            places: 3,
            waitlist_places: 5,
            max_active_per_phone: 1,
            ..draft(
                "周六夜间门诊（示例）",
                "Saturday night clinic (sample)",
                "每周六 18:00–21:00，每周只有三个名额，按到达先后接诊。白天上学的同学和上班的家长可以来。未成年人是否需要家长或监护人陪同，按医院的规定。",
                "Saturdays 18:00–21:00, only three places a week, seen in order of arrival. For students in school and parents at work during the day. Whether a minor needs a parent or guardian to come along follows the hospital's own rules.",
            )
        },
        vec![weekly(&[Sat], session("18:00", "21:00", 180, 0, 3), None)],
    )
    .await?;

    // What a person wants to talk about, never a label they put on themselves.
    let categories = [
        ("青春期", "Puberty"),
        ("学习压力", "Study pressure"),
        ("网络使用", "Internet use"),
        ("人际关系", "Relationships"),
        ("情绪困扰", "Emotions"),
        ("亲子冲突", "Family conflict"),
    ];
    let setup = service::setup(ctx, orgs.guidance).await?;
    let mut ids: Vec<CategoryId> = Vec::new();
    for (position, (zh, en)) in categories.iter().enumerate() {
        let earlier = EARLIER_NAMES
            .iter()
            .filter(|(_, now)| now == zh)
            .find_map(|(old, _)| setup.categories.iter().find(|c| c.name.zh == *old));
        let found = setup
            .categories
            .iter()
            .find(|c| c.name.zh == *zh)
            .or(earlier);
        let id = match found {
            Some(existing) if existing.name.zh == *zh => existing.id,
            Some(old) => {
                service::save_category(
                    ctx,
                    orgs.guidance,
                    Some(old.id),
                    Bilingual::new(*zh, *en),
                    old.position,
                    old.retired,
                )
                .await?
            }
            None => {
                service::save_category(
                    ctx,
                    orgs.guidance,
                    None,
                    Bilingual::new(*zh, *en),
                    position as i64,
                    false,
                )
                .await?
            }
        };
        ids.push(id);
    }
    let matched = "点单式心理咨询（示例）";
    if !setup.services.iter().any(|s| s.draft.name_zh == matched) {
        let counsellors = [
            (
                "王老师（示例）",
                "青春期、情绪困扰方向。",
                "Puberty and emotions.",
                vec![0, 4],
                [Mon, Wed],
            ),
            (
                "李老师（示例）",
                "学习压力、人际关系方向。",
                "Study pressure and relationships.",
                vec![1, 3],
                [Tue, Thu],
            ),
            (
                "张老师（示例）",
                "网络使用、亲子沟通方向。",
                "Internet use and family communication.",
                vec![2, 5],
                [Wed, Fri],
            ),
            (
                "陈老师（示例）",
                "情绪困扰、亲子冲突、学习压力方向。",
                "Emotions, family conflict, study pressure.",
                vec![4, 5, 1],
                [Sat, Sun],
            ),
        ];
        let mut schedules = Vec::new();
        for (name, bio_zh, bio_en, specialties, days) in counsellors {
            let id = service::save_counsellor(
                ctx,
                orgs.guidance,
                None,
                Counsellor {
                    id: CounsellorId(0),
                    org_id: orgs.guidance,
                    display_name: name.into(),
                    bio: Bilingual::new(bio_zh, bio_en),
                    staff_id: None,
                    active: true,
                    categories: specialties.iter().map(|i| ids[*i]).collect(),
                },
                None,
            )
            .await?;
            schedules.push(weekly(
                &days,
                session("15:00", "18:00", 50, 10, 1),
                Some(id),
            ));
        }
        add(
            ctx,
            orgs.guidance,
            ServiceDraft {
                matches_category: true,
                waitlist_places: 0,
                place_zh: "示例区学生成长指导中心 二楼咨询室（示例）".into(),
                place_en: "Sample District Student Guidance Centre, 2nd floor (sample)".into(),
                contact_phone: String::new(),
                ..draft(
                    matched,
                    "Consultation matched to your need (sample)",
                    "先选你想谈的方面，系统会安排擅长这方面的老师。学生和家长都可以预约，免费。",
                    "Choose what you would like to talk about, and you are matched with a counsellor who knows it well. For students and parents. Free.",
                )
            },
            schedules,
        )
        .await?;
    }

    add(
        ctx,
        orgs.family,
        ServiceDraft {
            audience: ServiceAudience::Parents,
            duration_minutes: 90,
            places: 80,
            waitlist_places: 20,
            max_active_per_phone: 2,
            place_zh: "示例市家庭教育指导中心 一楼报告厅（示例）".into(),
            place_en: "Sample City Family Education Centre, ground-floor hall (sample)".into(),
            contact_phone: "000-0000-0002".into(),
            ..draft(
                "家长课堂：和青春期孩子好好说话（示例）",
                "Parent class: talking with your teenager (sample)",
                "每周六上午的家长讲座，80个座位。讲孩子情绪变化的信号、怎样开口、什么时候需要找专业帮助。",
                "A Saturday-morning talk for parents, 80 seats: the signs of a child's changing mood, how to start the conversation, and when to look for professional help.",
            )
        },
        vec![weekly(&[Sat], session("09:30", "11:00", 90, 0, 80), None)],
    )
    .await?;
    Ok(())
}
