//! The public pages: the catalogue (courses and articles, filterable by audience and
//! topic), the parent school (the same, for parents by their child's grade), and the
//! course, lesson and article pages. Server-rendered HTML with no WebAssembly.

use super::actions::{catalogue, published, search};
use super::model::{Audience, Kind, Topic};
use super::{Document, Filter, Listing, Summary};
use crate::i18n::{Locale, t, t_args, tr, use_locale};
use crate::ids::{ItemId, OrgId};
use crate::service::Failure;
use crate::site::{NotFound, awaited, use_site};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The link to an item's page, keeping the organisation the visitor came through.
pub fn item_href(locale: Locale, kind: Kind, id: ItemId, via: &str) -> String {
    let section = match kind {
        Kind::Course => "courses",
        Kind::Lesson => "lessons",
        Kind::Article => "articles",
    };
    format!("{}{via}", locale.href(&format!("{section}/{id}")))
}

/// `lang` for content whose language differs from the page's, so screen readers
/// switch voice.
fn content_lang(locale: Locale, language: &str) -> Option<String> {
    (language != locale.tag()).then(|| language.to_string())
}

fn org_name(org_id: OrgId) -> Option<String> {
    let locale = use_locale();
    use_site()
        .directory
        .orgs
        .iter()
        .find(|o| o.id == org_id)
        .map(|o| o.name(locale).to_string())
}

fn minutes_text(minutes: i64) -> String {
    t_args(
        use_locale(),
        "content-minutes",
        &[("minutes", minutes.into())],
    )
}

/// A catalogue card. `new_tab` for cards inside another site's frame (embeds).
#[component]
pub fn ItemCard(item: Summary, #[prop(optional)] new_tab: bool) -> impl IntoView {
    let locale = use_locale();
    let via = use_site().via_query();
    let href = item_href(locale, item.kind, item.id, &via);
    let kind = tr(&item.kind.label_key());
    let lang = content_lang(locale, &item.language);
    let audiences = item
        .audiences
        .iter()
        .map(|a| tr(&a.label_key()))
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <li class="card content-card">
            <a href=href target=new_tab.then_some("_blank") rel=new_tab.then_some("noopener")>
                <span class="card-kicker">{kind}" · "{minutes_text(item.minutes)}</span>
                <span class="card-title" lang=lang.clone()>{item.title}</span>
                <span class="card-text" lang=lang>{item.summary}</span>
                <span class="card-meta">{audiences}</span>
            </a>
        </li>
    }
}

/// A `<select>` of filter values that submits with the form (no script).
#[component]
fn FilterSelect(
    name: &'static str,
    label: &'static str,
    options: Vec<(&'static str, String)>,
    selected: Option<String>,
) -> impl IntoView {
    let id = format!("filter-{name}");
    let options = options
        .into_iter()
        .map(|(value, text)| {
            let is_selected = selected.as_deref() == Some(value);
            view! { <option value=value selected=is_selected>{text}</option> }
        })
        .collect_view();
    view! {
        <div class="field">
            <label for=id.clone()>{tr(label)}</label>
            <select id=id name=name>
                <option value="">{tr("filter-all")}</option>
                {options}
            </select>
        </div>
    }
}

fn query_value(key: &str) -> Option<String> {
    use_query_map()
        .with_untracked(|q| q.get(key))
        .filter(|v| !v.is_empty())
}

/// A catalogue of published courses and articles. `parents` limits it to the parent
/// school's audiences.
#[component]
fn Catalogue(parents: bool) -> impl IntoView {
    let locale = use_locale();
    let site = use_site();
    let audience = query_value("audience").and_then(|a| Audience::parse(&a));
    let topic = query_value("topic").and_then(|t| Topic::parse(&t));
    let page = query_value("page")
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, super::PAGE_MAX);
    let filter = Filter {
        kind: None,
        audience,
        topic,
        parents_only: parents,
        org: site.via.as_ref().map(|o| o.slug.clone()),
        page,
        per_page: super::PER_PAGE_DEFAULT,
    };
    let (title, intro, path) = if parents {
        (
            "parent-school-title",
            "parent-school-intro",
            "parent-school",
        )
    } else {
        ("courses-title", "courses-intro", "courses")
    };
    let audiences: Vec<(&'static str, String)> = Audience::ALL
        .iter()
        .filter(|a| !parents || a.is_parents())
        .map(|a| (a.as_str(), tr(&a.label_key())))
        .collect();
    let topics: Vec<(&'static str, String)> = Topic::ALL
        .iter()
        .map(|t| (t.as_str(), tr(&t.label_key())))
        .collect();
    let via_org = site
        .via
        .as_ref()
        .map(|o| (o.slug.clone(), o.name(locale).to_string()));
    view! {
        <crate::site::PageTitle key=title/>
        <h1>{tr(title)}</h1>
        <p class="lead">{tr(intro)}</p>
        {via_org.clone().map(|(_, name)| view! { <p class="via-org">{t_args(locale, "content-via-org", &[("org", name.into())])}</p> })}
        <SearchBox query=String::new()/>
        <form class="filters" method="get" action=locale.href(path)>
            {via_org.map(|(slug, _)| view! { <input type="hidden" name="org" value=slug/> })}
            <FilterSelect name="audience" label="filter-audience" options=audiences selected=audience.map(|a| a.as_str().to_string())/>
            <FilterSelect name="topic" label="filter-topic" options=topics selected=topic.map(|t| t.as_str().to_string())/>
            <button type="submit" class="button">{tr("filter-apply")}</button>
        </form>
        {parents.then(|| view! {
            <crate::parent_school::pages::BandLinks/>
            <p><a href=locale.href("my")>{tr("progress-my")}</a></p>
            <h2>{tr("parent-school-everything")}</h2>
        })}
        {awaited(catalogue(filter), move |listing| match listing {
            Ok(listing) => view! { <CatalogueResults listing path=path/> }.into_any(),
            Err(_) => view! { <crate::site::Unavailable/> }.into_any(),
        })}
    }
}

#[component]
fn CatalogueResults(listing: Listing, path: &'static str) -> impl IntoView {
    let locale = use_locale();
    if listing.items.is_empty() {
        return view! { <p class="notice">{tr("catalogue-empty")}</p> }.into_any();
    }
    let pages = (listing.total + listing.per_page - 1) / listing.per_page;
    let page_link = move |page: i64| {
        let mut query: Vec<String> = use_query_map().with_untracked(|q| {
            ["org", "audience", "topic"]
                .iter()
                .filter_map(|k| q.get(k).map(|v| format!("{k}={v}")))
                .collect()
        });
        query.push(format!("page={page}"));
        format!("{}?{}", locale.href(path), query.join("&"))
    };
    let previous = (listing.page > 1).then(|| page_link(listing.page - 1));
    let next = (listing.page < pages).then(|| page_link(listing.page + 1));
    let count = t_args(
        locale,
        "catalogue-count",
        &[("count", listing.total.into())],
    );
    view! {
        <p class="catalogue-count" role="status">{count}</p>
        <ul class="cards">
            {listing.items.into_iter().map(|item| view! { <ItemCard item/> }).collect_view()}
        </ul>
        <nav class="pager" aria-label=tr("pager-label")>
            {previous.map(|href| view! { <a href=href rel="prev">{tr("pager-previous")}</a> })}
            {next.map(|href| view! { <a href=href rel="next">{tr("pager-next")}</a> })}
        </nav>
    }
    .into_any()
}

#[component]
pub fn CataloguePage() -> impl IntoView {
    view! { <Catalogue parents=false/> }
}

#[component]
pub fn ParentSchoolPage() -> impl IntoView {
    view! { <Catalogue parents=true/> }
}

/// The search form (a plain GET form: it works with no script), keeping the
/// organisation the visitor came through.
#[component]
fn SearchBox(query: String) -> impl IntoView {
    let locale = use_locale();
    let via = use_site().via.as_ref().map(|o| o.slug.clone());
    view! {
        <form class="search" role="search" method="get" action=locale.href("search")>
            {via.map(|slug| view! { <input type="hidden" name="org" value=slug/> })}
            <label for="search-q">{tr("search-label")}</label>
            <div class="search-row">
                <input id="search-q" type="search" name="q" value=query required
                    maxlength=super::search::QUERY_MAX.to_string() enterkeyhint="search"/>
                <button type="submit" class="button">{tr("search-button")}</button>
            </div>
        </form>
    }
}

/// Search results: ranked, each with the passage that matched marked.
#[component]
pub fn SearchPage() -> impl IntoView {
    let site = use_site();
    let query = query_value("q").unwrap_or_default();
    let page = query_value("page")
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, super::PAGE_MAX);
    let org = site.via.as_ref().map(|o| o.slug.clone());
    let results = (!query.trim().is_empty()).then(|| {
        awaited(
            search(query.clone(), page, org.clone()),
            move |results| match results {
                Ok(results) => view! { <SearchResults results/> }.into_any(),
                Err(Failure::Invalid { key, .. }) => {
                    view! { <p class="notice" role="alert">{tr(&key)}</p> }.into_any()
                }
                Err(_) => view! { <crate::site::Unavailable/> }.into_any(),
            },
        )
    });
    view! {
        <crate::site::PageTitle key="search-title"/>
        <h1>{tr("search-title")}</h1>
        <SearchBox query=query/>
        {results}
    }
}

#[component]
fn SearchResults(results: super::search::Results) -> impl IntoView {
    let locale = use_locale();
    let via = use_site().via_query();
    if results.hits.is_empty() {
        return view! { <p class="notice" role="status">{tr("search-empty")}</p> }.into_any();
    }
    let pages = (results.total + results.per_page - 1) / results.per_page;
    let page_link = {
        let query = results.query.clone();
        move |page: i64| {
            let q =
                percent_encoding::utf8_percent_encode(&query, percent_encoding::NON_ALPHANUMERIC);
            let org = use_site()
                .via
                .as_ref()
                .map(|o| format!("&org={}", o.slug))
                .unwrap_or_default();
            format!("{}?q={q}{org}&page={page}", locale.href("search"))
        }
    };
    let previous = (results.page > 1).then(|| page_link(results.page - 1));
    let next = (results.page < pages).then(|| page_link(results.page + 1));
    let count = t_args(locale, "search-count", &[("count", results.total.into())]);
    let hits = results
        .hits
        .into_iter()
        .map(|hit| {
            let item = hit.item;
            let href = item_href(locale, item.kind, item.id, &via);
            let lang = content_lang(locale, &item.language);
            let marked = |fragments: Vec<super::search::Fragment>| {
                fragments
                    .into_iter()
                    .map(|f| if f.mark { view! { <mark>{f.text}</mark> }.into_any() } else { f.text.into_any() })
                    .collect_view()
            };
            let title = marked(hit.title);
            let passage = marked(hit.passage);
            view! {
                <li class="card content-card search-hit">
                    <a href=href>
                        <span class="card-kicker">{tr(&item.kind.label_key())}" · "{minutes_text(item.minutes)}</span>
                        <span class="card-title" lang=lang.clone()>{title}</span>
                        <span class="card-text" lang=lang>{passage}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <p class="catalogue-count" role="status">{count}</p>
        <ol class="cards search-results">{hits}</ol>
        <nav class="pager" aria-label=tr("pager-label")>
            {previous.map(|href| view! { <a href=href rel="prev">{tr("pager-previous")}</a> })}
            {next.map(|href| view! { <a href=href rel="next">{tr("pager-next")}</a> })}
        </nav>
    }
    .into_any()
}

fn id_param() -> Option<ItemId> {
    use_params_map().with_untracked(|p| p.get("id").and_then(|id| id.parse().ok()))
}

/// A published item's page, or "not found" for anything the public may not see.
#[component]
fn PublishedPage(kind: Kind) -> impl IntoView {
    let Some(id) = id_param() else {
        return view! { <NotFound/> }.into_any();
    };
    awaited(published(id, kind), move |doc| match doc {
        Ok(doc) => {
            let title = doc.item.title.clone();
            let course = doc.course.as_ref().map(|c| c.id);
            let lessons = doc.lessons.len();
            let kind = doc.item.kind;
            view! {
                <DocumentView doc/>
                <super::progress::ProgressPanel kind id title course lessons/>
            }
            .into_any()
        }
        Err(Failure::NotFound | Failure::Forbidden) => view! { <NotFound/> }.into_any(),
        // A database that cannot answer now is not "no such page".
        Err(_) => view! { <crate::site::Unavailable/> }.into_any(),
    })
    .into_any()
}

#[component]
pub fn CoursePage() -> impl IntoView {
    view! { <PublishedPage kind=Kind::Course/> }
}

#[component]
pub fn LessonPage() -> impl IntoView {
    view! { <PublishedPage kind=Kind::Lesson/> }
}

#[component]
pub fn ArticlePage() -> impl IntoView {
    view! { <PublishedPage kind=Kind::Article/> }
}

/// A printable poster for a school notice board or a parents' group: the title, the
/// summary and a QR code of the item's address, from any published item's page.
#[component]
fn Poster(kind: Kind) -> impl IntoView {
    let Some(id) = id_param() else {
        return view! { <NotFound/> }.into_any();
    };
    awaited(published(id, kind), move |doc| {
        let doc = match doc {
            Ok(doc) => doc,
            Err(Failure::NotFound | Failure::Forbidden) => return view! { <NotFound/> }.into_any(),
            Err(_) => return view! { <crate::site::Unavailable/> }.into_any(),
        };
        let locale = use_locale();
        let site = use_site();
        let item = doc.item;
        let url = format!("{}{}", site.origin, item_href(locale, kind, item.id, &site.via_query()));
        let qr = crate::qr::svg(&url).unwrap_or_default();
        let short = format!("{}{}", site.origin, super::share::short_path(kind, item.id));
        let org = org_name(item.org_id);
        view! {
            <Title text=format!("{} · {}", item.title, tr("content-poster"))/>
            <article class="poster" lang=content_lang(locale, &item.language)>
                <p class="poster-kind">{tr(&item.kind.label_key())}" · "{minutes_text(item.minutes)}</p>
                <h1>{item.title.clone()}</h1>
                <p class="lead">{item.summary}</p>
                <figure class="poster-qr">
                    <div role="img" aria-label=t_args(locale, "content-poster-qr", &[("title", item.title.into())]) inner_html=qr></div>
                    <figcaption>
                        {tr("content-poster-scan")}<br/>
                        {tr("content-poster-type")}<br/><span class="poster-url">{short}</span>
                    </figcaption>
                </figure>
                {org.map(|name| view! { <p class="document-org">{t_args(locale, "content-published-by", &[("org", name.into())])}</p> })}
            </article>
            <p class="no-print"><a href=url>{tr("content-poster-back")}</a></p>
        }
        .into_any()
    })
    .into_any()
}

#[component]
pub fn CoursePosterPage() -> impl IntoView {
    view! { <Poster kind=Kind::Course/> }
}

#[component]
pub fn LessonPosterPage() -> impl IntoView {
    view! { <Poster kind=Kind::Lesson/> }
}

#[component]
pub fn ArticlePosterPage() -> impl IntoView {
    view! { <Poster kind=Kind::Article/> }
}

/// A course, lesson or article as the public sees it; the editor's preview shows
/// exactly this.
#[component]
pub fn DocumentView(doc: Document) -> impl IntoView {
    let locale = use_locale();
    let site = use_site();
    let via = site.via_query();
    let item = doc.item;
    let lang = content_lang(locale, &item.language);
    let title_text = format!("{} · {}", item.title, tr("app-name"));
    let org = org_name(item.org_id);
    let org_lines: Vec<_> = site
        .directory
        .lines
        .iter()
        .filter(|l| l.org_id == Some(item.org_id))
        .map(|l| l.localized(locale))
        .collect();
    let meta = format!(
        "{} · {} · {}",
        tr(&item.kind.label_key()),
        minutes_text(item.minutes),
        crate::time::format_date(item.published_at)
    );
    let tags = item
        .audiences
        .iter()
        .map(|a| tr(&a.label_key()))
        .chain(item.topics.iter().map(|t| tr(&t.label_key())))
        .map(|text| view! { <li>{text}</li> })
        .collect_view();
    let course_link = doc.course.as_ref().map(|c| {
        let href = item_href(locale, Kind::Course, c.id, &via);
        view! { <p class="breadcrumb"><a href=href>{c.title.clone()}</a></p> }
    });
    let poster = item.cover.clone();
    let media = doc.media.map(|m| {
        if m.is_external() {
            return view! {
                <p class="media-link">
                    <a href=m.url rel="noopener noreferrer nofollow">{tr("content-external-media")}</a>
                </p>
            }
            .into_any();
        }
        // Nothing is fetched until the reader presses play, and they know its weight
        // first (a phone's data plan is theirs).
        let audio = m.content_type.starts_with("audio/");
        let weight = t_args(
            locale,
            if audio { "content-audio-weight" } else { "content-video-weight" },
            &[("size", format!("{:.1}", m.size as f64 / 1_048_576.0).into())],
        );
        let track = m.captions.clone().map(|src| {
            view! { <track kind="captions" src=src srclang=item.language.clone() label=tr("content-captions") default/> }
        });
        let player = if audio {
            view! { <audio class="media" controls preload="none" src=m.url>{track}</audio> }.into_any()
        } else {
            view! { <video class="media" controls preload="none" poster=poster.clone() src=m.url>{track}</video> }.into_any()
        };
        let transcript = (!m.transcript.is_empty()).then(|| {
            let lines = m.transcript.into_iter().map(|line| view! { <p>{line}</p> }).collect_view();
            view! {
                <details class="transcript">
                    <summary>{tr("content-transcript")}</summary>
                    {lines}
                </details>
            }
        });
        view! {
            <p class="media-weight">{weight}</p>
            {player}
            {transcript}
        }
        .into_any()
    });
    let lessons = (!doc.lessons.is_empty()).then(|| {
        let items = doc
            .lessons
            .into_iter()
            .map(|l| {
                let href = item_href(locale, Kind::Lesson, l.id, &via);
                view! {
                    <li data-lesson=super::progress::lesson_key(l.id)>
                        <a href=href>{l.title}</a>" "<span class="muted">{minutes_text(l.minutes)}</span>
                        " "<super::progress::DoneMark/>
                    </li>
                }
            })
            .collect_view();
        view! {
            <section aria-labelledby="lessons-title">
                <h2 id="lessons-title">{tr("content-lessons")}</h2>
                <ol class="lesson-list">{items}</ol>
            </section>
        }
    });
    let attachments = (!doc.attachments.is_empty()).then(|| {
        let items = doc
            .attachments
            .into_iter()
            .map(|a| {
                let size = format!("{:.1} MB", a.size as f64 / 1_048_576.0);
                view! { <li><a href=a.url download=a.name.clone()>{a.name.clone()}</a>" "<span class="muted">{size}</span></li> }
            })
            .collect_view();
        view! {
            <section aria-labelledby="attachments-title">
                <h2 id="attachments-title">{tr("content-attachments")}</h2>
                <ul>{items}</ul>
            </section>
        }
    });
    let neighbours = (doc.previous.is_some() || doc.next.is_some()).then(|| {
        let previous = doc.previous.map(|p| {
            let href = item_href(locale, Kind::Lesson, p.id, &via);
            view! { <a class="previous" href=href rel="prev"><span class="muted">{tr("content-previous")}</span>" "{p.title}</a> }
        });
        let next = doc.next.map(|n| {
            let href = item_href(locale, Kind::Lesson, n.id, &via);
            view! { <a class="next" href=href rel="next"><span class="muted">{tr("content-next")}</span>" "{n.title}</a> }
        });
        view! { <nav class="lesson-nav" aria-label=tr("content-lesson-nav")>{previous}{next}</nav> }
    });
    let org_help = (!org_lines.is_empty()).then(|| {
        view! {
            <aside class="org-help" aria-labelledby="org-help-title">
                <h2 id="org-help-title">{t_args(locale, "content-org-help", &[("org", org.clone().unwrap_or_default().into())])}</h2>
                <crate::help::Hotlines lines=org_lines sample_note=tr("hotline-sample")/>
            </aside>
        }
    });
    let poster_href = format!("{}/poster", item_href(locale, item.kind, item.id, ""));
    let short_link = format!(
        "{}{}",
        site.origin,
        super::share::short_path(item.kind, item.id)
    );
    let share = Share {
        url: format!(
            "{}{}",
            site.origin,
            item_href(locale, item.kind, item.id, "")
        ),
        title: item.title.clone(),
        description: item.summary.clone(),
        image: item
            .cover
            .clone()
            .map(|src| format!("{}{src}", site.origin)),
        lang: item.language.clone(),
    };
    view! {
        <Title text=title_text/>
        <ShareMeta meta=share/>
        <article class="document" lang=lang>
            {course_link}
            <h1>{item.title}</h1>
            <p class="document-meta">{meta}</p>
            {org.map(|name| view! { <p class="document-org">{t_args(locale, "content-published-by", &[("org", name.into())])}</p> })}
            {item.cover.map(|src| {
                // The cover in the width the screen needs (WebP), the original otherwise.
                let set = item.cover_width.and_then(|w| super::images::srcset(&src, w));
                view! {
                    <picture>
                        {set.map(|set| view! { <source type="image/webp" srcset=set sizes=super::images::SIZES/> })}
                        <img class="cover" src=src alt="" width=item.cover_width height=item.cover_height/>
                    </picture>
                }
            })}
            <p class="lead">{item.summary}</p>
            {media}
            <div class="prose" inner_html=doc.body_html></div>
            {attachments}
            {lessons}
            {neighbours}
            <ul class="tags" aria-label=tr("content-tags")>{tags}</ul>
        </article>
        {org_help}
        <p class="document-share no-print">
            <a href=poster_href>{tr("content-poster-link")}</a><br/>
            {tr("content-short-link")}" "<span class="short-link">{short_link}</span>
        </p>
        <p class="document-help">{tr("content-help-note")}" "<a href=locale.href("help")>{tr("footer-help")}</a></p>
    }
}

/// What a link preview shows (chat apps and social sites read Open Graph): the
/// canonical URL, title, description and cover. Absolute URLs, from `--public-url`.
#[derive(Clone, Debug)]
pub struct Share {
    pub url: String,
    pub title: String,
    pub description: String,
    pub image: Option<String>,
    /// `zh-CN` or `en`.
    pub lang: String,
}

#[component]
fn ShareMeta(meta: Share) -> impl IntoView {
    use leptos_meta::{Link, Meta};
    let og_locale = if meta.lang == "en" { "en_US" } else { "zh_CN" };
    view! {
        <Link rel="canonical" href=meta.url.clone()/>
        <Meta name="description" content=meta.description.clone()/>
        <Meta property="og:type" content="article"/>
        <Meta property="og:site_name" content=tr("app-name")/>
        <Meta property="og:title" content=meta.title/>
        <Meta property="og:description" content=meta.description/>
        <Meta property="og:url" content=meta.url/>
        <Meta property="og:locale" content=og_locale/>
        {meta.image.map(|image| view! { <Meta property="og:image" content=image/> })}
    }
}

/// Text for a status in the staff lists.
pub fn status_text(locale: Locale, status: super::model::Status) -> String {
    t(locale, &status.label_key())
}
