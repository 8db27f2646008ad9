//! For the bench: publishes `N` generated articles and lessons (Chinese, in the words
//! parents' lessons use; the generator `anxin demo-data --scale city` uses) into the
//! SQLite database in `DATA_DIR`, through the content service, so each is indexed for
//! search as a real publication is.
//!
//! Then one more lesson with a cover photo (a generated 1600×1067 landscape, stored and
//! given its variants as an upload is), for the lesson-weight budget; its path is the
//! last line printed.
//!
//! `cargo run --release --example corpus -p anxin -- DATA_DIR N`

use anxin_app::clock::Clock;
use anxin_app::content::model::{Audience, Draft, Topic};
use anxin_app::content::service::{self as content, NewItem, StepRequest};
use anxin_app::demo::city::Words;
use anxin_app::service::Ctx;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("DATA_DIR"));
    let n: usize = args.next().expect("N").parse()?;
    std::fs::create_dir_all(&dir)?;
    let db = anxin_server::open_database(&anxin_app::db::sqlite_url(&dir)).await?;
    anxin_app::demo::seed(&db, &Clock::System).await?;
    let ctx = Ctx::system(db.clone(), Clock::System);
    let org = anxin_app::orgs::service::by_slug(&ctx, "sample-family-centre")
        .await?
        .id;
    let (_, course) = anxin_app::demo::city::publish_generated(&ctx, &[org], n).await?;
    let lesson = lesson_with_cover(&ctx, &dir, course).await?;
    db.close().await;
    println!("published {n} items in {}", dir.display());
    println!("/zh/lessons/{lesson}");
    Ok(())
}

/// A photo-like picture: a sky, hills and a little sensor noise, as a JPEG (quality 85).
fn photo() -> Vec<u8> {
    let mut noise = Words(0x9e37_79b9_7f4a_7c15);
    let picture = image::RgbImage::from_fn(1600, 1067, |x, y| {
        let (xf, yf) = (x as f64, y as f64);
        let hill = 600.0 + 120.0 * (xf / 210.0).sin() + 60.0 * (xf / 97.0).cos();
        let grain = (noise.roll() % 9) as f64 - 4.0;
        let [r, g, b] = if yf < hill {
            [110.0 + yf / 8.0, 160.0 + yf / 10.0, 230.0 - yf / 20.0]
        } else {
            [
                60.0 + (xf / 40.0).sin() * 20.0,
                120.0 + (yf - hill) / 6.0,
                60.0,
            ]
        };
        let c = |v: f64| (v + grain).clamp(0.0, 255.0) as u8;
        image::Rgb([c(r), c(g), c(b)])
    });
    let mut bytes = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 85);
    picture.write_with_encoder(encoder).expect("a JPEG");
    bytes
}

async fn lesson_with_cover(
    ctx: &Ctx,
    dir: &std::path::Path,
    course: Option<anxin_app::ids::ItemId>,
) -> anyhow::Result<anxin_app::ids::ItemId> {
    let course = match course {
        Some(course) => course,
        None => anyhow::bail!("N must be at least 1 to make a course"),
    };
    let mut draft = Draft {
        title: "睡个好觉：给家长的五个建议".into(),
        summary: "规律作息，睡前放下手机。".into(),
        body: "## 为什么睡眠重要\n\n睡觉时，大脑会整理白天学过的内容。\n\n- 每天固定时间上床和起床；\n- 睡前一小时放下手机；\n- 卧室安静、偏暗、凉爽。\n\n如果孩子长期睡不好、白天没精神，可以和学校心理老师聊一聊。".into(),
        language: "zh-CN".into(),
        audiences: vec![Audience::ParentsJunior],
        topics: vec![Topic::Sleep],
        minutes: 4,
        ..Draft::default()
    };
    let id = content::create_with(ctx, NewItem::Lesson { course }, &draft).await?;
    let bytes = photo();
    let uploads = dir.join("uploads");
    std::fs::create_dir_all(&uploads)?;
    let stored = format!("{:064x}.jpg", 0xc0ffee_u64 + id.0 as u64);
    let path = uploads.join(&stored);
    std::fs::write(&path, &bytes)?;
    let dims = anxin_app::content::images::make_variants(&path, &stored);
    let file = content::StoredFile {
        stored_name: &stored,
        original_name: "sleep.jpg",
        content_type: "image/jpeg",
        size: bytes.len() as i64,
        dims,
        transcript: "",
    };
    draft.cover_upload_id = Some(content::add_upload(ctx, id, &file).await?);
    let number = content::save(ctx, id, draft, None, true).await?;
    let approve = StepRequest::Approve {
        revision: number,
        from: None,
    };
    content::step(ctx, id, approve).await?;
    Ok(id)
}
