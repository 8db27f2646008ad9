//! Embeds: a school or centre shows what it (and the organisations below it) publishes
//! inside its own site, in an `<iframe src="/zh/embed/<slug>">`. The frame lists the
//! published courses and articles (`?for=parents`: the parent school's), carries the
//! organisation's own hotlines beside the national ones, and opens items on Anxin in a
//! new tab with `?org=<slug>`, so the visitor keeps that organisation's help panel.
//!
//! Only these pages may be framed by other sites (see [`is_embed_path`]); they hold
//! nothing but links, so being framed cannot trick anyone into changing anything.

use super::Filter;
use super::actions::catalogue;
use super::model::{Audience, Topic};
use super::pages::ItemCard;
use crate::help::PageHelpLines;
use crate::i18n::{Locale, t_args, tr, use_locale};
use crate::site::{NotFound, SiteContext, awaited, use_site};
use leptos::prelude::*;
use leptos_meta::{Link, Title};
use leptos_router::hooks::{use_params_map, use_query_map};
use std::sync::Arc;

/// The path segment after the language that marks an embed: `/<lang>/embed/<slug>`.
const SEGMENT: &str = "embed";

/// Whether other sites may frame the page at `path`.
pub fn is_embed_path(path: &str) -> bool {
    let mut parts = path.trim_start_matches('/').split('/');
    matches!(
        (parts.next().and_then(Locale::from_segment), parts.next()),
        (Some(_), Some(SEGMENT))
    )
}

/// Where an organisation's embed lives, for the code its admins copy.
pub fn embed_href(locale: Locale, slug: &str) -> String {
    locale.href(&format!("{SEGMENT}/{slug}"))
}

/// The frame's height the code suggests, in CSS pixels.
pub const EMBED_HEIGHT: u32 = 640;

/// The `<iframe>` a school pastes into its site (or an oEmbed consumer inserts).
pub fn iframe_code(src: &str, title: &str, width: &str, height: u32) -> String {
    // Attribute values in HTML someone else's page holds: escape what would end them.
    let attr = |v: &str| {
        v.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
    };
    format!(
        "<iframe src=\"{}\" title=\"{}\" width=\"{}\" height=\"{height}\" loading=\"lazy\"></iframe>",
        attr(src),
        attr(title),
        attr(width)
    )
}

/// What an embed URL of this site (`{origin}/<lang>/embed/<slug>`, optionally
/// `?for=parents`) names: its language, organisation slug and whether it is the parent
/// school's. `None` for any other URL.
pub fn embed_target(url: &str, origin: &str) -> Option<(Locale, String, bool)> {
    let rest = url.strip_prefix(origin)?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut parts = path.strip_prefix('/')?.split('/');
    let locale = Locale::from_segment(parts.next()?)?;
    if parts.next()? != SEGMENT {
        return None;
    }
    let slug = parts.next().filter(|s| !s.is_empty())?.to_string();
    if parts.next().is_some() {
        return None;
    }
    let parents = query.split('&').any(|kv| kv == "for=parents");
    Some((locale, slug, parents))
}

/// This site's origin for links other sites copy: the configured public URL, or the
/// request's own.
fn site_origin() -> String {
    #[cfg(feature = "ssr")]
    {
        crate::web::state()
            .map(|state| crate::web::origin(&state.settings, crate::web::parts().as_ref()))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    String::new()
}

/// For an organisation's admins: the link and the `<iframe>` code that put its
/// content on their own site.
#[component]
pub fn ShareCode(org: crate::orgs::Org) -> impl IntoView {
    let locale = use_locale();
    let origin = site_origin();
    let label = t_args(
        locale,
        "org-share-embed-label",
        &[("org", org.name(locale).to_string().into())],
    );
    let iframe = |query: &str| {
        let src = format!("{origin}{}{query}", embed_href(locale, &org.slug));
        iframe_code(&src, &label, "100%", EMBED_HEIGHT)
    };
    let snippet = |key: &'static str, id: String, text: String| {
        view! {
            <div class="field">
                <label for=id.clone()>{tr(key)}</label>
                <textarea id=id readonly rows="3">{crate::site::textarea_text(&text)}</textarea>
            </div>
        }
    };
    view! {
        <details>
            <summary>{tr("org-share")}</summary>
            {snippet("org-share-link", format!("share-link-{}", org.id), format!("{origin}{}?org={}", locale.href("courses"), org.slug))}
            {snippet("org-share-embed", format!("share-embed-{}", org.id), iframe(""))}
            {snippet("org-share-embed-parents", format!("share-parents-{}", org.id), iframe("?for=parents"))}
        </details>
    }
}

/// The framed list. Unknown organisations and languages get a plain 404.
#[component]
pub fn EmbedPage() -> impl IntoView {
    let site = use_site();
    let (lang, slug) =
        use_params_map().with_untracked(|p| (p.get("lang"), p.get("org").unwrap_or_default()));
    let org = site.directory.org_by_slug(&slug).cloned();
    let (Some(_), Some(org)) = (lang.as_deref().and_then(Locale::from_segment), org) else {
        return view! { <main id="main"><NotFound/></main> }.into_any();
    };
    // From here on the page is "within" the organisation: its lines in the help list,
    // `?org=` on every link.
    provide_context(SiteContext {
        local_hotlines: Arc::new(site.directory.lines_for(Some(org.id))),
        directory: site.directory.clone(),
        via: Some(org.clone()),
        ..site
    });
    let locale = use_locale();
    let query = |key: &str| use_query_map().with_untracked(|q| q.get(key));
    let parents = query("for").as_deref() == Some("parents");
    let filter = Filter {
        kind: None,
        audience: query("audience").and_then(|a| Audience::parse(&a)),
        topic: query("topic").and_then(|t| Topic::parse(&t)),
        parents_only: parents,
        org: Some(org.slug.clone()),
        page: 1,
        per_page: super::PER_PAGE_DEFAULT,
    };
    let section = if parents { "parent-school" } else { "courses" };
    let title_key = if parents {
        "parent-school-title"
    } else {
        "courses-title"
    };
    let org_name = org.name(locale).to_string();
    let title = t_args(
        locale,
        "embed-title",
        &[("org", org_name.into()), ("section", tr(title_key).into())],
    );
    // oEmbed discovery: a CMS given this page's address finds how to insert it.
    let own = format!(
        "{}{}{}",
        site_origin(),
        embed_href(locale, &org.slug),
        if parents { "?for=parents" } else { "" }
    );
    let oembed = format!(
        "{}/api/v1/oembed?format=json&url={}",
        site_origin(),
        percent_encoding::utf8_percent_encode(&own, percent_encoding::NON_ALPHANUMERIC)
    );
    let more = format!("{}?org={}", locale.href(section), org.slug);
    let help = format!("{}?org={}", locale.href("help"), org.slug);
    view! {
        <Title text=title.clone()/>
        <Link rel="alternate" type_="application/json+oembed" href=oembed title=title.clone()/>
        <main id="main" class="embed">
            <h1>{title}</h1>
            <p class="hint">{tr("embed-new-tab")}</p>
            {awaited(catalogue(filter), |listing| match listing {
                Ok(listing) if listing.items.is_empty() => view! { <p class="notice">{tr("catalogue-empty")}</p> }.into_any(),
                Ok(listing) => view! {
                    <ul class="cards">
                        {listing.items.into_iter().map(|item| view! { <ItemCard item new_tab=true/> }).collect_view()}
                    </ul>
                }.into_any(),
                Err(_) => view! { <crate::site::Unavailable/> }.into_any(),
            })}
            <p><a href=more target="_blank" rel="noopener">{tr("embed-more")}</a></p>
            <section class="embed-help" aria-labelledby="embed-help-title">
                <h2 id="embed-help-title">{tr("help-button")}</h2>
                <PageHelpLines/>
                <p>
                    <a href=help target="_blank" rel="noopener">{tr("help-more")}</a>
                    " · "
                    // A link click may navigate the top page even from another site's frame.
                    <a class="quick-exit" href=use_site().quick_exit_url.clone() target="_top" rel="noreferrer">{tr("quick-exit")}</a>
                </p>
            </section>
        </main>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_embed_paths_may_be_framed() {
        for path in [
            "/zh/embed/sample-school",
            "/en/embed/x",
            "/zh/embed/x?for=parents",
        ] {
            assert!(is_embed_path(path), "{path}");
        }
        for path in [
            "/",
            "/zh",
            "/zh/courses",
            "/embed/x",
            "/fr/embed/x",
            "/zh/staff/embed",
            "/zh/embedded/x",
        ] {
            assert!(!is_embed_path(path), "{path}");
        }
        assert_eq!(embed_href(Locale::En, "s"), "/en/embed/s");
    }

    #[test]
    fn embed_urls_of_this_site_only() {
        let origin = "https://anxin.example";
        assert_eq!(
            embed_target(
                "https://anxin.example/zh/embed/school-1?for=parents",
                origin
            ),
            Some((Locale::Zh, "school-1".into(), true))
        );
        assert_eq!(
            embed_target("https://anxin.example/en/embed/x", origin),
            Some((Locale::En, "x".into(), false))
        );
        for other in [
            "https://evil.example/zh/embed/x",
            "https://anxin.example/zh/courses",
            "https://anxin.example/zh/embed/",
            "https://anxin.example/zh/embed/x/y",
            "https://anxin.example.evil/zh/embed/x",
        ] {
            assert_eq!(embed_target(other, origin), None, "{other}");
        }
        let code = iframe_code("https://a/b?x=1&y=2", "T \"q\" <", "480", 640);
        assert!(code.contains("src=\"https://a/b?x=1&amp;y=2\""), "{code}");
        assert!(code.contains("title=\"T &quot;q&quot; &lt;\""), "{code}");
    }
}
