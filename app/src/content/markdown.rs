//! Lesson and article bodies: Markdown (pulldown-cmark) to HTML, then through an
//! allow-list sanitiser (ammonia), so nothing an editor writes can run script, load
//! from another site or break the page around it.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use std::collections::HashSet;

/// Where uploaded files are served; the only place body images may come from, so a
/// lesson never makes a visitor's phone contact another site.
pub const MEDIA_PREFIX: &str = "/media/";
/// Where staff see an upload that is not (or not yet) public, in previews.
pub const PREVIEW_PREFIX: &str = "/staff/media/";

fn demote(level: HeadingLevel) -> HeadingLevel {
    // The page's title is the only <h1>; a body's headings start at <h2>.
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: demote(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demote(level))),
        other => other,
    });
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events);
    sanitiser().clean(&unsafe_html).to_string()
}

/// The words of a body without its markup, for search and its matching passages:
/// text and code as written, a space where a block or line ends, no link targets.
pub fn plain_text(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut plain = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Text(text) | Event::Code(text) => plain.push_str(&text),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock,
            ) if !plain.ends_with(' ') && !plain.is_empty() => plain.push(' '),
            _ => {}
        }
    }
    plain.trim_end().to_string()
}

fn sanitiser() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(HashSet::from(["https", "http", "mailto", "tel"]))
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer nofollow"))
        .attribute_filter(|element, attribute, value| {
            if element == "img" && attribute == "src" && !value.starts_with(MEDIA_PREFIX) {
                None
            } else {
                Some(value.into())
            }
        })
        .set_tag_attribute_value("img", "loading", "lazy");
    builder
}

#[cfg(test)]
mod tests {

    #[test]
    fn plain_text_keeps_words_not_markup() {
        let plain = plain_text(
            "## 睡眠\n\n睡前**一小时**放下[手机](https://example.com)。\n\n- 规律作息\n- `早睡`",
        );
        assert_eq!(plain, "睡眠 睡前一小时放下手机。 规律作息 早睡");
    }
    use super::{plain_text, render};

    #[test]
    fn renders_markdown() {
        let html =
            render("# 标题\n\n正文 **加粗**\n\n- 一\n- 二\n\n| a | b |\n|---|---|\n| 1 | 2 |");
        assert!(html.contains("<h2>标题</h2>"), "{html}");
        assert!(html.contains("<strong>加粗</strong>"));
        assert!(html.contains("<li>一</li>"));
        assert!(html.contains("<td>1</td>"));
        assert!(!html.contains("<h1"));
    }

    #[test]
    fn hostile_markdown_is_made_harmless() {
        let hostile = [
            "<script>alert(1)</script>",
            "<img src=/media/x.png onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[data](data:text/html;base64,PHNjcmlwdD4=)",
            "<a href=\"javascript&colon;alert(1)\">x</a>",
            "<div onclick=\"alert(1)\" style=\"position:fixed\">x</div>",
            "<iframe src=https://evil.example></iframe>",
            "<svg><script>alert(1)</script></svg>",
            "<form action=https://evil.example><input name=p></form>",
            "<style>body{display:none}</style>",
            "![t](https://tracker.example/pixel.gif)",
            "<img src=\"https://tracker.example/p.gif\">",
            "<object data=x></object><embed src=x>",
            "<meta http-equiv=refresh content=0;url=https://evil.example>",
            "<base href=https://evil.example/>",
        ]
        .join("\n\n");
        let html = render(&hostile).to_lowercase();
        for banned in [
            "<script",
            "onerror",
            "onclick",
            "javascript:",
            "data:text",
            "<iframe",
            "<svg",
            "<form",
            "<input",
            "<style",
            "style=",
            "\"https://tracker",
            "<object",
            "<embed",
            "<meta",
            "<base",
            "\"https://evil",
        ] {
            assert!(!html.contains(banned), "{banned} survived in {html}");
        }
        // Tags it cannot place are left as visible, escaped text: harmless.
        // What is safe survives: the same-origin image and link text.
        assert!(html.contains("<img src=\"/media/x.png\""), "{html}");
        assert!(html.contains("click"));
    }

    #[test]
    fn links_do_not_leak_the_page() {
        let html = render("[12355](https://12355.net) [call](tel:12356)");
        assert!(
            html.contains("rel=\"noopener noreferrer nofollow\""),
            "{html}"
        );
        assert!(html.contains("href=\"tel:12356\""));
    }

    use proptest::strategy::Strategy;

    /// A tag's attributes, name and value (`a href="x" rel=y`), values unquoted.
    fn attributes(tag: &str) -> Vec<(String, String)> {
        let mut found = Vec::new();
        let mut chars = tag.chars().skip_while(|c| !c.is_whitespace()).peekable();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == '/' {
                chars.next();
                continue;
            }
            let mut name = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '=' {
                    break;
                }
                name.push(c);
                chars.next();
            }
            let mut value = String::new();
            if chars.peek() == Some(&'=') {
                chars.next();
                match chars.peek() {
                    Some(&quote) if quote == '"' || quote == '\'' => {
                        chars.next();
                        for inner in chars.by_ref() {
                            if inner == quote {
                                break;
                            }
                            value.push(inner);
                        }
                    }
                    _ => {
                        while let Some(&c) = chars.peek() {
                            if c.is_whitespace() {
                                break;
                            }
                            value.push(c);
                            chars.next();
                        }
                    }
                }
            }
            found.push((name, value));
        }
        found
    }

    #[test]
    fn attributes_are_read_with_their_quoted_values() {
        let names = |tag: &str| {
            attributes(tag)
                .into_iter()
                .map(|(n, _)| n)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(r#"a href="&lt;svg onload=" rel=x title='o n'"#),
            ["href", "rel", "title"]
        );
        assert_eq!(
            names("img src=/media/a.png onerror=alert(1)"),
            ["src", "onerror"]
        );
        assert_eq!(
            attributes(r#"a href=" javascript:x""#)[0].1,
            " javascript:x"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Any text an editor can type, including every piece of markup that can
        /// carry script, renders without a panic to HTML with no script, no event
        /// handler, no `javascript:` and no image from anywhere but `/media/`.
        #[test]
        fn any_input_renders_harmless_html(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::string::string_regex("[ -~一-龥\n]{0,40}").unwrap(),
                    proptest::sample::select(vec![
                        "<script>", "</script>", "<img src=x onerror=", "javascript:", "JaVaScRiPt:",
                        "<a href=\"", "\">", "![x](", ")", "[y](", "<svg onload=", "<iframe", "&#x6A;avascript:",
                        "<style>", "**", "# ", "\n\n", "| a |\n|---|\n", "<!--", "-->", "<div onclick=",
                        "data:text/html,", "https://tracker.example/p.gif", "/media/a.png", "<base href=",
                    ]).prop_map(str::to_string),
                ],
                0..30,
            )
        ) {
            let html = render(&pieces.concat()).to_lowercase();
            // Elements that run or restyle things never appear (as text they are
            // escaped, `&lt;script`).
            for banned in ["<script", "<iframe", "<svg", "<style", "<base", "<object", "<embed"] {
                proptest::prop_assert!(!html.contains(banned), "{} in {}", banned, html);
            }
            // Inside every tag: no event handler, and no link or source whose URL
            // is script or data (a relative URL may contain those words anywhere else).
            for tag in html.split('<').skip(1) {
                let tag = tag.split('>').next().unwrap_or_default();
                for (name, value) in attributes(tag) {
                    proptest::prop_assert!(!name.starts_with("on"), "{} in <{}>", name, tag);
                    let url: String = value
                        .chars()
                        .filter(|c| !c.is_whitespace() && !c.is_control())
                        .collect();
                    for scheme in ["javascript:", "data:", "vbscript:"] {
                        proptest::prop_assert!(!url.starts_with(scheme), "{} in <{}>", scheme, tag);
                    }
                }
                // An image's source, if it has one, is one of ours (the words `src=` may
                // appear in another attribute's escaped text).
                if tag.starts_with("img") {
                    for (name, value) in attributes(tag) {
                        proptest::prop_assert!(name != "src" || value.starts_with("/media/"), "<{}>", tag);
                    }
                }
            }
        }
    }
}
