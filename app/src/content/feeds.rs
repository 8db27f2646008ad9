//! An Atom feed per organisation (and its subtree), optionally for one audience, so a
//! school's website, a parents' group bot or a feed reader can follow what a centre
//! publishes: `/<lang>/feeds/<org-slug>?audience=parents`. Written by the
//! `atom_syndication` crate from the same published listing the catalogue shows.

use super::Filter;
use super::model::Audience;
use crate::i18n::{Locale, t, t_args};
use crate::state::AppState;
use crate::web;
use atom_syndication::{Entry, Feed, FixedDateTime, Link, Person, Text};
use axum::{
    Router,
    extract::{Path, Query, State},
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;

/// How many of the newest items a feed lists.
pub const FEED_ITEMS: i64 = 30;

pub fn routes() -> Router<AppState> {
    Router::new().route("/{lang}/feeds/{org}", get(feed))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FeedQuery {
    audience: Option<String>,
}

fn at(unix: i64) -> FixedDateTime {
    chrono::DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .fixed_offset()
}

async fn feed(
    State(state): State<AppState>,
    Path((lang, slug)): Path<(String, String)>,
    Query(query): Query<FeedQuery>,
    parts: Parts,
) -> Response {
    let directory = state.hotlines.snapshot();
    let (Some(locale), Some(org)) = (
        Locale::from_segment(&lang),
        directory.org_by_slug(&slug).cloned(),
    ) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let audience = match query.audience.as_deref() {
        None | Some("") => None,
        Some(name) => match Audience::parse(name) {
            Some(audience) => Some(audience),
            None => return StatusCode::NOT_FOUND.into_response(),
        },
    };
    let Ok(ctx) = web::ctx_for(&state, &parts).await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let filter = Filter {
        audience,
        org: Some(org.slug.clone()),
        page: 1,
        per_page: FEED_ITEMS,
        ..Filter::default()
    };
    let Ok(listing) = super::service::catalogue(&ctx, filter).await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let origin = web::origin(&state.settings, Some(&parts));
    let org_name = org.name(locale).to_string();
    let title = match audience {
        Some(audience) => t_args(
            locale,
            "feed-title-audience",
            &[
                ("org", org_name.clone().into()),
                ("audience", t(locale, &audience.label_key()).into()),
            ],
        ),
        None => t_args(locale, "feed-title", &[("org", org_name.clone().into())]),
    };
    let self_url = match audience {
        Some(a) => format!("{origin}/{lang}/feeds/{slug}?audience={}", a.as_str()),
        None => format!("{origin}/{lang}/feeds/{slug}"),
    };
    let author = Person {
        name: org_name,
        ..Person::default()
    };
    let entries: Vec<Entry> = listing
        .items
        .iter()
        .map(|item| {
            let url = format!(
                "{origin}{}",
                super::pages::item_href(locale, item.kind, item.id, &format!("?org={slug}"))
            );
            let kind = t(locale, &item.kind.label_key());
            Entry {
                id: url.clone(),
                title: Text::plain(item.title.clone()),
                updated: at(item.published_at),
                published: Some(at(item.published_at)),
                summary: Some(Text::plain(format!("{kind} · {}", item.summary))),
                links: vec![Link {
                    href: url,
                    rel: "alternate".into(),
                    mime_type: Some("text/html".into()),
                    hreflang: Some(item.language.clone()),
                    ..Link::default()
                }],
                authors: vec![author.clone()],
                ..Entry::default()
            }
        })
        .collect();
    let updated = listing
        .items
        .iter()
        .map(|i| i.published_at)
        .max()
        .unwrap_or(0);
    let feed = Feed {
        id: self_url.clone(),
        title: Text::plain(title),
        updated: at(updated),
        lang: Some(locale.tag().to_string()),
        authors: vec![author],
        links: vec![
            Link {
                href: self_url,
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Link::default()
            },
            Link {
                href: format!("{origin}{}?org={slug}", locale.href("courses")),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Link::default()
            },
        ],
        entries,
        ..Feed::default()
    };
    (
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=600"),
        ],
        feed.to_string(),
    )
        .into_response()
}
