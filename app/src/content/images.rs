//! Images and captions for slow networks. An uploaded photo is also stored in a few
//! widths as WebP (`<digest>.w360.webp`, …), and pages offer those through `srcset`
//! and `sizes` with the original as the fallback, so a 360-px phone fetches the
//! 360-px picture. A WebVTT file attached to a video or audio lesson becomes its
//! captions track, and its text the lesson's transcript.
//!
//! The naming, `srcset` and caption parsing are plain Rust; making the variants needs
//! the `image` and `webp` crates and runs on the server only.

/// The widths variants are made in (only those narrower than the original).
pub const WIDTHS: [i64; 3] = [360, 720, 1080];
/// How wide images show: the page's full width on a phone, its column on a wider screen.
pub const SIZES: &str = "(min-width: 48rem) 44rem, 100vw";

/// The widths a picture `width` pixels wide gets variants in.
pub fn widths_for(width: i64) -> Vec<i64> {
    WIDTHS.iter().copied().filter(|w| *w < width).collect()
}

/// The stored name of a variant of `stored` (`<digest>.<ext>`).
pub fn variant_name(stored: &str, width: i64) -> String {
    let digest = stored.split('.').next().unwrap_or(stored);
    format!("{digest}.w{width}.webp")
}

/// A variant's name as `(digest, width)`, if it is one.
pub fn parse_variant(name: &str) -> Option<(&str, i64)> {
    let (digest, rest) = name.split_once('.')?;
    let width = rest
        .strip_prefix('w')?
        .strip_suffix(".webp")?
        .parse()
        .ok()?;
    (digest.len() == 64
        && digest
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        && WIDTHS.contains(&width))
    .then_some((digest, width))
}

/// The `srcset` of an image at `url` (`…/<stored name>`) `width` pixels wide: its WebP
/// variants, and the original at its own width. `None` when it has no variants.
pub fn srcset(url: &str, width: i64) -> Option<String> {
    let widths = widths_for(width);
    if widths.is_empty() {
        return None;
    }
    let (base, stored) = url.rsplit_once('/')?;
    Some(
        widths
            .iter()
            .map(|w| format!("{base}/{} {w}w", variant_name(stored, *w)))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// Gives each `<img>` of sanitised body HTML whose source is one of `images` (URL,
/// width, height) its WebP variants in a `<picture>`, and its size (so the page does
/// not jump as it loads).
pub fn responsive_body(html: &str, images: &[(String, i64, i64)]) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<img ") {
        out.push_str(&rest[..at]);
        let tag_end = match rest[at..].find('>') {
            Some(end) => at + end + 1,
            None => break,
        };
        let tag = &rest[at..tag_end];
        let found = images
            .iter()
            .find(|(url, _, _)| tag.contains(&format!("src=\"{url}\"")));
        match found {
            Some((url, width, height)) => {
                let sized = tag.replacen(
                    "<img ",
                    &format!("<img width=\"{width}\" height=\"{height}\" decoding=\"async\" "),
                    1,
                );
                match srcset(url, *width) {
                    Some(set) => out.push_str(&format!(
                        "<picture><source type=\"image/webp\" srcset=\"{set}\" sizes=\"{SIZES}\">{sized}</picture>"
                    )),
                    None => out.push_str(&sized),
                }
            }
            None => out.push_str(tag),
        }
        rest = &rest[tag_end..];
    }
    out.push_str(rest);
    out
}

/// The spoken text of a WebVTT file, cue by cue, for a transcript: no header, no cue
/// numbers or timings, no notes or styles, no voice or formatting tags.
pub fn vtt_text(vtt: &str) -> Option<Vec<String>> {
    let vtt = vtt.trim_start_matches('\u{feff}');
    if !vtt.starts_with("WEBVTT") {
        return None;
    }
    let mut cues = Vec::new();
    for block in vtt.replace("\r\n", "\n").split("\n\n").skip(1) {
        let lines: Vec<&str> = block.lines().collect();
        let Some(timing) = lines.iter().position(|l| l.contains("-->")) else {
            continue; // NOTE, STYLE, REGION or an empty block
        };
        let text: Vec<String> = lines[timing + 1..]
            .iter()
            .map(|line| strip_tags(line).trim().to_string())
            .filter(|line| !line.is_empty())
            .collect();
        if !text.is_empty() {
            cues.push(text.join(" "));
        }
    }
    Some(cues)
}

fn strip_tags(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut inside = false;
    for c in line.chars() {
        match c {
            '<' => inside = true,
            '>' if inside => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
}

/// Makes the WebP variants of the picture at `path` beside it; returns its size in
/// pixels, or `None` for what is not a still picture it can read (an animated GIF
/// keeps only its original).
#[cfg(feature = "ssr")]
pub fn make_variants(path: &std::path::Path, stored: &str) -> Option<(i64, i64)> {
    use image::{ImageReader, imageops::FilterType};
    let mut reader = ImageReader::open(path).ok()?.with_guessed_format().ok()?;
    if reader.format() == Some(image::ImageFormat::Gif) {
        return None;
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let picture = reader.decode().ok()?;
    let (width, height) = (i64::from(picture.width()), i64::from(picture.height()));
    let dir = path.parent()?;
    for w in widths_for(width) {
        let h = (height * w / width).max(1);
        let smaller = picture.resize_exact(w as u32, h as u32, FilterType::CatmullRom);
        let rgba = image::DynamicImage::ImageRgba8(smaller.to_rgba8());
        let encoded = webp::Encoder::from_image(&rgba).ok()?.encode(72.0);
        std::fs::write(dir.join(variant_name(stored, w)), &*encoded).ok()?;
    }
    Some((width, height))
}

/// Makes the variants of pictures uploaded before this version (in batches, off the
/// async threads); returns how many pictures it looked at.
#[cfg(feature = "ssr")]
pub async fn catch_up(
    db: &crate::db::Db,
    uploads: &std::path::Path,
) -> Result<usize, crate::db::DbError> {
    let mut seen = 0;
    loop {
        let mut conn = db.pool().acquire().await?;
        let batch = super::data::pictures_without_size(&mut conn, 20).await?;
        drop(conn);
        if batch.is_empty() {
            return Ok(seen);
        }
        for (id, stored) in batch {
            let path = uploads.join(&stored);
            let size = tokio::task::spawn_blocking(move || make_variants(&path, &stored))
                .await
                .ok()
                .flatten()
                .unwrap_or((0, 0));
            let mut tx = db.begin_write().await?;
            super::data::set_picture_size(&mut tx, id, size).await?;
            tx.commit().await?;
            seen += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn variants_are_named_from_the_digest() {
        let stored = format!("{DIGEST}.jpg");
        assert_eq!(variant_name(&stored, 360), format!("{DIGEST}.w360.webp"));
        assert_eq!(
            parse_variant(&format!("{DIGEST}.w720.webp")),
            Some((DIGEST, 720))
        );
        for bad in [
            format!("{DIGEST}.w500.webp"),
            format!("{DIGEST}.w360.jpg"),
            format!("{DIGEST}.jpg"),
            "x.w360.webp".to_string(),
            format!("{}.w360.webp", DIGEST.to_uppercase()),
        ] {
            assert_eq!(parse_variant(&bad), None, "{bad}");
        }
        assert_eq!(widths_for(800), vec![360, 720]);
        assert_eq!(widths_for(300), Vec::<i64>::new());
    }

    #[test]
    fn body_images_get_their_variants_and_size() {
        let url = format!("/media/{DIGEST}.png");
        let html = format!(
            "<p>a</p><p><img src=\"{url}\" alt=\"平静\" loading=\"lazy\"></p><img src=\"/media/other.png\">"
        );
        let out = responsive_body(&html, &[(url.clone(), 1200, 800)]);
        assert!(out.contains(&format!(
            "<picture><source type=\"image/webp\" srcset=\"/media/{DIGEST}.w360.webp 360w, /media/{DIGEST}.w720.webp 720w, /media/{DIGEST}.w1080.webp 1080w\""
        )), "{out}");
        assert!(out.contains("<img width=\"1200\" height=\"800\" decoding=\"async\" src="));
        assert!(
            out.contains("alt=\"平静\" loading=\"lazy\"></picture></p>"),
            "{out}"
        );
        assert!(out.ends_with("<img src=\"/media/other.png\">"));
        let small = responsive_body(&html, &[(url, 64, 64)]);
        assert!(!small.contains("<picture>") && small.contains("width=\"64\""));
    }

    #[test]
    fn captions_become_a_transcript() {
        let vtt = "WEBVTT\n\nNOTE made by hand\n\n1\n00:00:00.000 --> 00:00:02.000\n<v 老师>大家好，\n今天聊聊睡眠。\n\n00:00:02.500 --> 00:00:04.000 align:start\n<i>先</i>说作息 &amp; 习惯。\n";
        assert_eq!(
            vtt_text(vtt),
            Some(vec![
                "大家好， 今天聊聊睡眠。".to_string(),
                "先说作息 & 习惯。".to_string()
            ])
        );
        assert_eq!(vtt_text("not captions"), None);
    }
}
