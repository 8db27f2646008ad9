//! Demo content: clearly marked samples written by the Anxin project, so a fresh
//! portal shows every capability. Idempotent: running it twice changes nothing. When a
//! newer Anxin corrects a sample (a safer exercise, a clearer text), running it again
//! publishes the correction over the old sample, so demo sites do not keep old words.

pub mod city;

use crate::clock::Clock;
use crate::content::{
    data as content,
    model::{Audience, Draft, Kind, Topic},
    service::{self as content_service, ContentError, NewItem, StepRequest},
};
use crate::db::{Db, DbError};
use crate::help::{HotlineOwner, NewHotline, data::demo_line, service as help};
use crate::ids::{ItemId, OrgId, StaffId};
use crate::orgs::{NewOrg, OrgKind, service::OrgError};
use crate::service::{Ctx, Failure};

/// The account earlier versions attributed the sample content to; kept only to find
/// what they published. The operator creates sample content now.
pub const DEMO_ACCOUNT: &str = "anxin-demo";

/// Why the sample content could not be added.
#[derive(Debug, thiserror::Error)]
#[error("could not add the sample content: {0}")]
pub struct SeedError(pub Failure);

impl From<DbError> for SeedError {
    fn from(error: DbError) -> SeedError {
        SeedError(error.into())
    }
}

impl From<sqlx::Error> for SeedError {
    fn from(error: sqlx::Error) -> SeedError {
        DbError::from(error).into()
    }
}

macro_rules! seed_error_from {
    ($($ty:ty),+) => {$(
        impl From<$ty> for SeedError {
            fn from(error: $ty) -> SeedError {
                SeedError(error.into())
            }
        }
    )+};
}
seed_error_from!(
    ContentError,
    OrgError,
    help::HelpError,
    crate::booking::service::BookingError
);

pub async fn seed(db: &Db, clock: &Clock) -> Result<(), SeedError> {
    let ctx = Ctx::system(db.clone(), clock.clone());
    help::add(&ctx, HotlineOwner::Site, demo_line(), true).await?;
    let city = add_org(
        &ctx,
        None,
        "sample-city",
        OrgKind::Bureau,
        "示例市教育局（示例）",
        "Sample City Education Bureau (sample)",
    )
    .await?;
    let family = add_org(
        &ctx,
        Some(city),
        "sample-family-centre",
        OrgKind::FamilyCentre,
        "示例市家庭教育指导中心（示例）",
        "Sample City Family Education Centre (sample)",
    )
    .await?;
    let district = add_org(
        &ctx,
        Some(city),
        "sample-district",
        OrgKind::Centre,
        "示例区学生成长指导中心（示例）",
        "Sample District Student Guidance Centre (sample)",
    )
    .await?;
    let _school = add_org(
        &ctx,
        Some(district),
        "sample-school",
        OrgKind::School,
        "示例市第一中学心理辅导站（示例）",
        "Sample No. 1 Middle School counselling room (sample)",
    )
    .await?;
    let clinic = add_org(
        &ctx,
        Some(city),
        "sample-clinic",
        OrgKind::Clinic,
        "示例市儿童医院青少年心理门诊（示例）",
        "Sample Children's Hospital youth clinic (sample)",
    )
    .await?;
    for (org, name_zh, name_en, number) in [
        (
            clinic,
            "示例青少年心理门诊咨询电话（示例，请替换）",
            "Sample youth clinic enquiries (sample, replace me)",
            "000-0000-0001",
        ),
        (
            family,
            "示例家庭教育咨询热线（示例，请替换）",
            "Sample family education line (sample, replace me)",
            "000-0000-0002",
        ),
    ] {
        let line = NewHotline {
            name_zh: name_zh.into(),
            name_en: name_en.into(),
            number: number.into(),
            hours_zh: "工作日 8:30–17:00（示例）".into(),
            hours_en: "Weekdays 8:30–17:00 (sample)".into(),
            sort_order: 10,
        };
        help::add(&ctx, HotlineOwner::Org(org), line, true).await?;
    }
    let legacy = {
        let mut conn = db.pool().acquire().await?;
        crate::staff::data::by_username(&mut conn, DEMO_ACCOUNT)
            .await?
            .map(|a| a.id)
    };
    for course in sample_courses(district, family) {
        let course_id = publish(
            &ctx,
            legacy,
            NewItem::Course { org: course.org },
            &course.draft,
        )
        .await?;
        for lesson in course.lessons {
            publish(&ctx, legacy, NewItem::Lesson { course: course_id }, &lesson).await?;
        }
    }
    for (org, draft) in sample_articles(district, family, clinic) {
        publish(&ctx, legacy, NewItem::Article { org }, &draft).await?;
    }
    crate::booking::demo::seed(
        &ctx,
        &crate::booking::demo::DemoOrgs {
            clinic,
            guidance: district,
            family,
        },
    )
    .await?;
    // One draft, to show that unpublished work stays off the public site.
    if find(&ctx, district, Kind::Article, UNPUBLISHED, legacy)
        .await?
        .is_none()
    {
        let unpublished = draft(
            UNPUBLISHED,
            "尚未审核的草稿，不会出现在公开页面。",
            "草稿正文。",
            &[Audience::Junior],
            &[Topic::Sleep],
            3,
        );
        content_service::create_with(&ctx, NewItem::Article { org: district }, &unpublished)
            .await?;
    }
    Ok(())
}

/// The sample draft's title: it stays unpublished.
const UNPUBLISHED: &str = "（草稿）寒假作息建议";

/// Adds a sample organisation, or brings an existing one's names up to date.
async fn add_org(
    ctx: &Ctx,
    parent: Option<OrgId>,
    slug: &str,
    kind: OrgKind,
    zh: &str,
    en: &str,
) -> Result<OrgId, SeedError> {
    let org = NewOrg {
        parent_id: parent,
        slug: slug.into(),
        kind,
        name_zh: zh.into(),
        name_en: en.into(),
        region: "示例市".into(),
    };
    match crate::orgs::service::create(ctx, org).await {
        Ok(id) => Ok(id),
        Err(OrgError::SlugTaken) => {
            let existing = crate::orgs::service::by_slug(ctx, slug).await?;
            let mut conn = ctx.db.pool().acquire().await?;
            crate::orgs::data::set_names(&mut conn, existing.id, zh, en).await?;
            Ok(existing.id)
        }
        Err(other) => Err(other.into()),
    }
}

/// A sample item made by this seed or an earlier one.
async fn find(
    ctx: &Ctx,
    org: OrgId,
    kind: Kind,
    title: &str,
    legacy: Option<StaffId>,
) -> Result<Option<ItemId>, DbError> {
    let mut conn = ctx.db.pool().acquire().await?;
    content::find_sample(&mut conn, org, kind, title, legacy).await
}

/// Publishes a sample item, or, if an earlier seed published it (same organisation,
/// kind and title) with other words, publishes this text over it.
async fn publish(
    ctx: &Ctx,
    legacy: Option<StaffId>,
    what: NewItem,
    draft: &Draft,
) -> Result<ItemId, SeedError> {
    let (org, kind) = match what {
        NewItem::Course { org } => (org, Kind::Course),
        NewItem::Article { org } => (org, Kind::Article),
        NewItem::Lesson { course } => {
            let mut conn = ctx.db.pool().acquire().await?;
            let meta = content::meta(&mut conn, course).await?;
            (meta.map(|m| m.org_id).unwrap_or(OrgId(0)), Kind::Lesson)
        }
    };
    let (id, revision) = match find(ctx, org, kind, &draft.title, legacy).await? {
        Some(id) => {
            let mut conn = ctx.db.pool().acquire().await?;
            let current = content::revision(&mut conn, id, None).await?;
            if current.as_ref().map(|r| &r.draft) == Some(draft) {
                return Ok(id);
            }
            let number = content_service::save(ctx, id, draft.clone(), None, true).await?;
            (id, number)
        }
        None => {
            let id = content_service::create_with(ctx, what, draft).await?;
            content_service::step(ctx, id, StepRequest::Submit).await?;
            (id, 1)
        }
    };
    content_service::step(
        ctx,
        id,
        StepRequest::Approve {
            revision,
            from: None,
        },
    )
    .await?;
    Ok(id)
}

fn draft(
    title: &str,
    summary: &str,
    body: &str,
    audiences: &[Audience],
    topics: &[Topic],
    minutes: i64,
) -> Draft {
    Draft {
        title: title.into(),
        summary: summary.into(),
        body: body.into(),
        language: if title.is_ascii() { "en" } else { "zh-CN" }.into(),
        audiences: audiences.to_vec(),
        topics: topics.to_vec(),
        minutes,
        ..Draft::default()
    }
}

struct SampleCourse {
    org: OrgId,
    draft: Draft,
    lessons: Vec<Draft>,
}

fn sample_courses(district: OrgId, family: OrgId) -> Vec<SampleCourse> {
    use Audience::*;
    use Topic::*;
    vec![
        SampleCourse {
            org: district,
            draft: draft(
                "认识和照顾自己的情绪",
                "三节小课：情绪从哪里来，怎样说出它，怎样让身体先平静下来。（示例课程）",
                "",
                &[Junior, Senior],
                &[Emotions],
                15,
            ),
            lessons: vec![
                draft(
                    "情绪没有好坏之分",
                    "生气、难过、害怕都是正常的信号。",
                    "# 每种情绪都有它的用处\n\n害怕提醒我们注意危险，难过让我们停下来照顾自己，生气告诉我们有些事情不公平。\n\n情绪本身没有对错，**怎样表达**才需要练习。\n\n## 试一试\n\n- 今天让你印象最深的一种情绪是什么？\n- 它在身体的哪个部位？\n\n如果难受的情绪持续两周以上、影响吃饭睡觉或上学，请告诉信任的大人，或拨打 12356。",
                    &[Junior, Senior],
                    &[Emotions],
                    5,
                ),
                draft(
                    "给情绪起个名字",
                    "说出“我现在很焦虑”，本身就能让情绪小一点。",
                    "# 说出来，情绪就小一点\n\n研究发现，用词语描述自己的感受，可以降低情绪的强度。\n\n1. 停下来，深呼吸一次。\n2. 在心里说：“我现在感到……”\n3. 给强度打分：0 到 10。\n\n| 常见的词 | 例子 |\n|---|---|\n| 焦虑 | 明天要考试，心里发慌 |\n| 委屈 | 被误会了，想哭 |\n| 失望 | 努力了但结果不好 |",
                    &[Junior, Senior],
                    &[Emotions],
                    5,
                ),
                draft(
                    "身体先平静：呼吸练习",
                    "一个随时可以做的放松练习，不用憋气。",
                    "# 慢慢地呼吸\n\n1. 找个舒服的姿势坐好，把一只手放在肚子上；\n2. 用鼻子慢慢吸气，心里数 1、2、3，感觉肚子鼓起来；\n3. 用嘴巴慢慢呼气，心里数 1、2、3、4，感觉肚子落下去。\n\n不用憋气，按自己舒服的节奏来，做五六次就好。\n\n**头晕就停下，恢复平常的呼吸。**\n\n考试前、睡不着时、心里发慌时都可以试一试。如果难受的感觉一直不消失，请告诉信任的大人。",
                    &[Primary, Junior, Senior],
                    &[Emotions, Sleep],
                    5,
                ),
            ],
        },
        SampleCourse {
            org: district,
            draft: draft(
                "考试季，和压力做朋友",
                "压力从哪里来，怎样睡好觉、安排好时间。（示例课程）",
                "",
                &[Junior, Senior],
                &[StudyStress, Sleep],
                12,
            ),
            lessons: vec![
                draft(
                    "压力从哪里来",
                    "适度的压力帮助我们专注，过度的压力需要照顾。",
                    "# 压力曲线\n\n适度的压力让人专注，压力太大时反而发挥不好。\n\n## 过度压力的信号\n\n- 总是睡不着或睡不醒\n- 头痛、胃痛\n- 一想到学习就心慌\n\n和同学、家长或心理老师聊一聊，会比一个人扛着轻松得多。",
                    &[Junior, Senior],
                    &[StudyStress],
                    6,
                ),
                draft(
                    "睡个好觉",
                    "睡眠是最好的复习。",
                    "# 睡眠帮助记忆\n\n睡觉时，大脑会整理白天学过的内容。\n\n- 每天固定时间上床和起床；\n- 睡前一小时放下手机；\n- 睡不着时起来做点安静的事，困了再回床上。",
                    &[Junior, Senior],
                    &[Sleep],
                    6,
                ),
            ],
        },
        SampleCourse {
            org: family,
            draft: draft(
                "和青春期的孩子好好说话",
                "家长学校：倾听、情绪和手机规则。适合初中、高中学生家长。（示例课程）",
                "",
                &[ParentsJunior, ParentsSenior],
                &[FamilyCommunication, Puberty],
                16,
            ),
            lessons: vec![
                draft(
                    "先听完，再说话",
                    "孩子愿意说，比说什么更重要。",
                    "# 倾听的三个步骤\n\n1. **放下手里的事**，看着孩子；\n2. **复述**：“你是说……，对吗？”\n3. **先接住情绪**，再讨论办法。\n\n避免一开口就评价、讲道理。孩子感到被理解，才会继续说。",
                    &[ParentsJunior, ParentsSenior],
                    &[FamilyCommunication],
                    8,
                ),
                draft(
                    "手机和网络：一起定规则",
                    "与其没收，不如和孩子一起商量使用规则。",
                    "# 一起商量，而不是单方面规定\n\n- 和孩子一起写下：什么时间、在哪里、用多久；\n- 家长也遵守同样的规则（比如吃饭时不看手机）；\n- 每个月一起回顾一次。\n\n如果孩子因为上网出现明显的作息紊乱、厌学，可以预约学校心理辅导或医院青少年门诊。",
                    &[ParentsJunior, ParentsSenior],
                    &[InternetUse, FamilyCommunication],
                    8,
                ),
            ],
        },
        SampleCourse {
            org: family,
            draft: draft(
                "小学生家长：陪孩子适应新学期",
                "家长学校：小学阶段的情绪、习惯和亲子沟通。（示例课程）",
                "",
                &[ParentsPrimary],
                &[Emotions, FamilyCommunication],
                8,
            ),
            lessons: vec![draft(
                "孩子说“不想上学”时",
                "先了解原因，而不是急着说服。",
                "# 先问“发生了什么”\n\n孩子说不想上学，背后可能是和同学的矛盾、作业太难，或只是累了。\n\n- 用平静的语气问：“今天在学校发生了什么？”\n- 说出你看到的：“你看起来有点难过。”\n- 和老师保持沟通。\n\n## 什么时候需要更多帮助\n\n遇到下面的情况，请尽快和班主任、学校心理老师联系，或带孩子去医院的儿童青少年心理门诊：\n\n- 孩子说起被欺负、被孤立，或身上有说不清来由的伤；\n- 不想上学持续了几个星期，或已经请假、缺课；\n- 孩子说到“死”“不想活了”，或有伤害自己的迹象。这时不要等：当天就陪着孩子寻求帮助，可以拨打 12356 心理援助热线；如果孩子已经受伤或有立即的危险，拨打 120 或 110。",
                &[ParentsPrimary],
                &[Emotions, FamilyCommunication],
                8,
            )],
        },
    ]
}

fn sample_articles(district: OrgId, family: OrgId, clinic: OrgId) -> Vec<(OrgId, Draft)> {
    use Audience::*;
    use Topic::*;
    vec![
        (
            district,
            draft(
                "小学生也会有烦恼吗？",
                "会的。画出来、说出来，都是好办法。（示例文章）",
                "# 烦恼是正常的\n\n每个人都会有烦恼，小朋友也一样。\n\n- 把烦恼画出来；\n- 讲给爸爸妈妈或老师听；\n- 抱一抱喜欢的玩偶，深呼吸。",
                &[Primary],
                &[Emotions],
                3,
            ),
        ),
        (
            district,
            draft(
                "发现学生心理危机信号：教师指南",
                "哪些变化需要留意，发现后怎样转介。（示例文章）",
                "# 需要留意的变化\n\n- 情绪、成绩、交友突然明显变化；\n- 谈论死亡、告别，送出心爱的物品；\n- 自伤的痕迹；\n- 家里发生重大变故，或有被打骂、被忽视的迹象。\n\n## 发现后怎么做\n\n1. **直接问**：私下、平静地问：“你有没有想过伤害自己，或者不想活了？”直接询问不会让学生更容易产生这样的念头，反而让他知道这件事可以说出来。\n2. **认真倾听**，不评判，不急着讲道理。\n3. **不要答应替学生保密**：学生可能会先问“你能不能谁也别告诉？”不要答应，可以这样说：“你说的我会认真对待。如果你有危险，或者有人在伤害你，我需要告诉能保护你的人，我会先和你商量怎么说。”然后及时告知学校心理老师。\n4. **不让高风险的学生独处**，直到学校心理老师或家长接手。\n5. **通知家长**，但如果伤害可能来自家里（打骂、虐待、严重忽视），先报告学校负责人和心理老师，不要先告诉可能造成伤害的家长。发现学生疑似受到侵害时，学校和教师应当立即向公安、民政、教育等部门报告（《未成年人保护法》第十一条）。\n6. 需要专业指导时，可以拨打 12356 心理援助热线；有人已经受伤或有紧急危险时，立即拨打 120 或 110。",
                &[Teachers],
                &[Safety, LifeMeaning],
                6,
            ),
        ),
        (
            family,
            draft(
                "青春期身体变化，怎么和孩子聊",
                "用自然、准确的语言，提前聊。（示例文章）",
                "# 提前、自然地聊\n\n孩子在小学高年级就会开始经历青春期的变化。用准确的名称，回答孩子的问题，让孩子知道有问题可以随时来问。",
                &[ParentsPrimary, ParentsJunior],
                &[Puberty, FamilyCommunication],
                5,
            ),
        ),
        (
            clinic,
            draft(
                "When worry feels too big",
                "Signs that worry needs help, and where to find it. (sample article)",
                "# Worry is normal, until it is too much\n\nEveryone worries. It may be time to ask for help when worry:\n\n- lasts most days for weeks;\n- stops you sleeping, eating or going to school;\n- comes with panic: a racing heart, short breath.\n\nTalk to a school counsellor or an adult you trust, or call the **12356** psychological help line (its hours are on the help page).",
                &[Junior, Senior],
                &[Emotions, StudyStress],
                4,
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_samples() -> Vec<Draft> {
        let mut all = Vec::new();
        for course in sample_courses(OrgId(1), OrgId(2)) {
            all.push(course.draft);
            all.extend(course.lessons);
        }
        all.extend(
            sample_articles(OrgId(1), OrgId(2), OrgId(3))
                .into_iter()
                .map(|(_, d)| d),
        );
        all
    }

    fn sample(title: &str) -> Draft {
        all_samples()
            .into_iter()
            .find(|d| d.title.contains(title))
            .unwrap_or_else(|| panic!("no sample {title}"))
    }

    /// What children and parents read in the samples follows safe-messaging guidance.
    #[test]
    fn sample_lessons_are_safe_to_follow() {
        // Breathing for primary pupils: no breath-holding, and stop if dizzy.
        let breathing = sample("呼吸练习");
        assert!(breathing.audiences.contains(&Audience::Primary));
        for risky in ["屏住", "屏气", "憋住", "4-7-8"] {
            assert!(!breathing.body.contains(risky), "{risky}");
        }
        assert!(breathing.body.contains("头晕就停下"));

        // School refusal: when to worry, and where to get help.
        let refusal = sample("不想上学");
        for needed in ["欺负", "几个星期", "不想活了", "12356", "120 或 110"] {
            assert!(refusal.body.contains(needed), "{needed}");
        }

        // The teachers' guide: ask directly, stay with the student, 12356, harm from home.
        let guide = sample("教师指南");
        for needed in [
            "直接问",
            "不会让学生更容易产生",
            "不让高风险的学生独处",
            "12356",
            "来自家里",
            "不要答应替学生保密",
            "能保护你的人",
            "先和你商量",
        ] {
            assert!(guide.body.contains(needed), "{needed}");
        }
        // 110/120 come after the help line, for danger only.
        assert!(guide.body.find("12356") < guide.body.find("120 或 110"));
    }

    #[test]
    fn every_sample_says_it_is_one_or_belongs_to_a_sample() {
        for course in sample_courses(OrgId(1), OrgId(2)) {
            assert!(
                course.draft.summary.contains("示例"),
                "{}",
                course.draft.title
            );
        }
        for (_, article) in sample_articles(OrgId(1), OrgId(2), OrgId(3)) {
            assert!(
                article.summary.contains("示例") || article.summary.contains("sample"),
                "{}",
                article.title
            );
        }
    }
}
