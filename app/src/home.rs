//! The home page: what the portal offers, and where help is.

use crate::i18n::{tr, use_locale};
use crate::site::{Card, PageTitle, sections, use_site};
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let locale = use_locale();
    let cards = sections(&use_site().directory.offer)
        .into_iter()
        .map(|(section, key)| {
            let description = format!("{key}-description");
            view! { <Card href=locale.href(section) title=tr(key) text=tr(&description)/> }
        })
        .collect_view();
    view! {
        <PageTitle key="home-title"/>
        <h1>{tr("home-heading")}</h1>
        <p class="lead">{tr("home-lead")}</p>
        <ul class="cards">{cards}</ul>
        <section class="home-help" aria-labelledby="home-help-title">
            <h2 id="home-help-title">{tr("home-help-title")}</h2>
            <p>{tr("home-help-text")}</p>
            <p><a class="button" href=locale.href("help")>{tr("footer-help")}</a></p>
        </section>
    }
}
