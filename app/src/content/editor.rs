//! The editor's and reviewer's pages: the dashboard (my items, the review queue, start
//! something new), the item editor with its workflow buttons, uploads and revisions,
//! and the preview. Plain forms; the server checks every step.

use super::actions::{
    CreateItem, RestoreRevision, SaveItem, Workflow, editor_view, preview, staff_items,
};
use super::model::{
    Audience, BODY_MAX, COMMENT_MAX, Kind, MEDIA_URL_MAX, SUMMARY_MAX, Status, TITLE_MAX, Topic,
};
use super::pages::{DocumentView, item_href, status_text};
use super::{ItemEditor, StaffItem};
use crate::i18n::{t, t_args, tr, use_locale};
use crate::site::{NotFound, awaited};
use crate::staff::actions::StaffContext;
use crate::staff::pages::{LangField, StaffArea, org_label, org_options};
use crate::staff::staff_href;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

/// A route parameter, parsed (an item id, a revision number).
fn param<T: std::str::FromStr>(name: &str) -> Option<T> {
    use_params_map().with_untracked(|p| p.get(name).and_then(|v| v.parse().ok()))
}

fn state_text(item: &StaffItem) -> String {
    let locale = use_locale();
    match (item.live, item.live_from) {
        (false, Some(at)) => t_args(
            locale,
            "status-scheduled",
            &[("at", crate::time::format_local(at).into())],
        ),
        (true, _) if item.status != Status::Published => format!(
            "{} · {}",
            status_text(locale, item.status),
            t(locale, "status-live-earlier")
        ),
        _ => status_text(locale, item.status),
    }
}

#[component]
fn ItemTable(items: Vec<StaffItem>, orgs: Vec<crate::orgs::Org>) -> impl IntoView {
    let locale = use_locale();
    if items.is_empty() {
        return view! { <p class="muted">{tr("staff-nothing")}</p> }.into_any();
    }
    let rows = items
        .into_iter()
        .map(|item| {
            let href = staff_href(locale, &format!("items/{}", item.id));
            let state = state_text(&item);
            view! {
                <tr>
                    <td><a href=href>{item.title.clone()}</a></td>
                    <td>{tr(&item.kind.label_key())}</td>
                    <td>{state}</td>
                    <td>{org_label(locale, &orgs, item.org_id)}</td>
                    <td>{crate::time::format_local(item.updated_at)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table>
                <thead><tr>
                    <th scope="col">{tr("item-title")}</th>
                    <th scope="col">{tr("item-kind")}</th>
                    <th scope="col">{tr("item-status")}</th>
                    <th scope="col">{tr("people-org")}</th>
                    <th scope="col">{tr("item-updated")}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <StaffArea title="staff-dashboard" page=|me: StaffContext| {
            let locale = use_locale();
            let orgs = me.orgs.clone();
            let can_review = me.can_review.clone();
            let new_form = (!me.can_write.is_empty()).then(|| view! {
                <h2>{tr("item-new")}</h2>
                <form class="stack" method="post" action=CreateItem::PATH>
                    <LangField/>
                    <div class="field">
                        <label for="kind">{tr("item-kind")}</label>
                        <select id="kind" name="kind">
                            <option value="article">{tr("kind-article")}</option>
                            <option value="course">{tr("kind-course")}</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="org_id">{tr("people-org")}</label>
                        <select id="org_id" name="org_id">{org_options(locale, &me.orgs, &me.can_write)}</select>
                    </div>
                    <div class="field">
                        <label for="title">{tr("item-title")}</label>
                        <input id="title" name="title" required maxlength=TITLE_MAX/>
                    </div>
                    <button type="submit" class="button">{tr("item-create")}</button>
                </form>
            });
            view! {
                {awaited(staff_items(), move |items| {
                    let items = items.unwrap_or_default();
                    let queue: Vec<StaffItem> = items
                        .iter()
                        .filter(|i| i.status == Status::InReview && can_review.contains(&i.org_id))
                        .cloned()
                        .collect();
                    view! {
                        {(!can_review.is_empty()).then(|| view! {
                            <h2>{tr("staff-review-queue")}</h2>
                            <ItemTable items=queue orgs=orgs.clone()/>
                        })}
                        <h2>{tr("staff-items")}</h2>
                        <ItemTable items orgs/>
                    }
                })}
                {new_form}
            }
        }/>
    }
}

/// A group of checkboxes posting `name[]`.
#[component]
pub(crate) fn Checkboxes(
    name: &'static str,
    legend: &'static str,
    options: Vec<(String, String, bool)>,
) -> impl IntoView {
    let boxes = options
        .into_iter()
        .map(|(value, label, checked)| {
            let id = format!("{name}-{value}");
            let for_id = id.clone();
            view! {
                <label class="check" for=for_id>
                    <input type="checkbox" id=id name=format!("{name}[]") value=value checked=checked/>
                    " "{label}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="checks">
            <legend>{tr(legend)}</legend>
            {boxes}
        </fieldset>
    }
}

#[component]
pub fn EditorPage() -> impl IntoView {
    view! {
        <StaffArea title="item-edit" page=|me: StaffContext| {
            let Some(id) = param::<crate::ids::ItemId>("id") else {
                return view! { <NotFound/> }.into_any();
            };
            let orgs = me.orgs.clone();
            awaited(editor_view(id, None), move |editor| match editor {
                Ok(editor) => view! { <Editor editor orgs/> }.into_any(),
                Err(_) => view! { <NotFound/> }.into_any(),
            })
            .into_any()
        }/>
    }
}

#[component]
fn Editor(editor: ItemEditor, orgs: Vec<crate::orgs::Org>) -> impl IntoView {
    let locale = use_locale();
    let item = editor.item.clone();
    let id = item.id;
    let draft = editor.draft.clone();
    let disabled = !editor.can_write;
    let audiences = Audience::ALL
        .iter()
        .map(|a| {
            (
                a.as_str().to_string(),
                tr(&a.label_key()),
                draft.audiences.contains(a),
            )
        })
        .collect();
    let topics = Topic::ALL
        .iter()
        .map(|t| {
            (
                t.as_str().to_string(),
                tr(&t.label_key()),
                draft.topics.contains(t),
            )
        })
        .collect();
    let image_options = editor
        .uploads
        .iter()
        .filter(|u| u.is_image())
        .map(|u| view! { <option value=u.id selected=draft.cover_upload_id == Some(u.id)>{u.original_name.clone()}</option> })
        .collect_view();
    let media_options = editor
        .uploads
        .iter()
        .filter(|u| u.is_playable())
        .map(|u| view! { <option value=u.id selected=draft.media_upload_id == Some(u.id)>{u.original_name.clone()}</option> })
        .collect_view();
    let attachment_boxes: Vec<(String, String, bool)> = editor
        .uploads
        .iter()
        .map(|u| {
            (
                u.id.to_string(),
                u.original_name.clone(),
                draft.attachment_ids.contains(&u.id),
            )
        })
        .collect();
    let uploads = editor
        .uploads
        .iter()
        .map(|u| {
            let snippet = if u.is_image() {
                format!("![{}]({})", tr("item-image-alt-placeholder"), u.url)
            } else {
                format!("[{}]({})", u.original_name, u.url)
            };
            view! {
                <li>
                    <a href=u.url.clone()>{u.original_name.clone()}</a>" "
                    <span class="muted">{u.content_type.clone()}</span>
                    <br/><code>{snippet}</code>
                </li>
            }
        })
        .collect_view();
    let revisions = editor
        .revisions
        .iter()
        .map(|r| {
            let href = staff_href(locale, &format!("items/{id}/revisions/{}", r.number));
            let text = t_args(
                locale,
                "item-revision",
                &[
                    ("number", r.number.into()),
                    ("when", crate::time::format_local(r.saved_at).into()),
                    ("who", r.saved_by.clone().into()),
                ],
            );
            view! { <li><a href=href>{text}</a></li> }
        })
        .collect_view();
    let lessons =
        (item.kind == Kind::Course).then(|| {
            let add = editor.can_write.then(|| view! {
            <form class="inline-fields" method="post" action=CreateItem::PATH>
                <LangField/>
                <input type="hidden" name="kind" value="lesson"/>
                <input type="hidden" name="org_id" value=item.org_id/>
                <input type="hidden" name="course_id" value=id/>
                <label for="lesson-title">{tr("item-lesson-title")}</label>
                <input id="lesson-title" name="title" required maxlength=TITLE_MAX/>
                <button type="submit" class="button secondary">{tr("item-add-lesson")}</button>
            </form>
        });
            view! {
                <section>
                    <h2>{tr("content-lessons")}</h2>
                    <ItemTable items=editor.lessons.clone() orgs=orgs.clone()/>
                    {add}
                </section>
            }
        });
    let comment = (!editor.review_comment.is_empty()).then(|| {
        view! {
            <div class="notice review-comment" role="note">
                <strong>{tr("review-comment")}</strong>
                <p>{editor.review_comment.clone()}</p>
            </div>
        }
    });
    let preview_href = staff_href(locale, &format!("items/{id}/preview"));
    let public_href = item.live.then(|| item_href(locale, item.kind, id, ""));
    let workflow = move |step: &'static str, label: &'static str| {
        view! {
            <form method="post" action=Workflow::PATH>
                <LangField/>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="step" value=step/>
                <button type="submit" class="button secondary">{tr(label)}</button>
            </form>
        }
    };
    // Approval names the revision shown here: a newer save has to be reviewed again.
    let approve = if editor.own_revision {
        view! { <p class="notice" role="note">{tr("review-own-revision")}</p> }.into_any()
    } else {
        view! {
            <form class="stack" method="post" action=Workflow::PATH>
                <LangField/>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="step" value="approve"/>
                <input type="hidden" name="revision" value=editor.revision/>
                <div class="field">
                    <label for="publish_at">{tr("review-publish-at")}</label>
                    <input id="publish_at" name="publish_at" type="datetime-local" aria-describedby="publish-at-hint"/>
                    <p class="hint" id="publish-at-hint">{tr("review-publish-at-hint")}</p>
                </div>
                <button type="submit" class="button">{tr("review-approve")}</button>
            </form>
        }
        .into_any()
    };
    let review = (editor.can_review && item.status == Status::InReview).then(|| view! {
        <section class="review" aria-labelledby="review-title">
            <h2 id="review-title">{tr("review-title")}</h2>
            {approve}
            <form class="stack" method="post" action=Workflow::PATH>
                <LangField/>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="step" value="send-back"/>
                <div class="field">
                    <label for="comment">{tr("review-comment")}</label>
                    <textarea id="comment" name="comment" rows="3" required maxlength=COMMENT_MAX></textarea>
                </div>
                <button type="submit" class="button secondary">{tr("review-send-back")}</button>
            </form>
        </section>
    });
    let archive = (editor.can_review && item.status != Status::Archived)
        .then(|| workflow("archive", "review-archive"));
    let submit = (editor.can_write && item.status == Status::Draft)
        .then(|| workflow("submit", "item-submit"));
    view! {
        <p class="item-state">
            <strong>{tr(&item.kind.label_key())}</strong>" · "{state_text(&item)}" · "
            {t_args(locale, "item-revision-short", &[("number", editor.revision.into())])}" · "
            {org_label(locale, &orgs, item.org_id)}
        </p>
        <p class="actions">
            <a class="button secondary" href=preview_href>{tr("item-preview")}</a>
            {public_href.map(|href| view! { <a class="button secondary" href=href>{tr("item-view-public")}</a> })}
        </p>
        {comment}
        {review}
        <form class="stack editor" method="post" action=SaveItem::PATH>
            <LangField/>
            <input type="hidden" name="id" value=id/>
            <fieldset disabled=disabled>
                <legend class="visually-hidden">{tr("item-edit")}</legend>
                <div class="field">
                    <label for="title">{tr("item-title")}</label>
                    <input id="title" name="title" required maxlength=TITLE_MAX value=draft.title.clone()/>
                </div>
                <div class="field">
                    <label for="summary">{tr("item-summary")}</label>
                    <textarea id="summary" name="summary" rows="3" maxlength=SUMMARY_MAX>{crate::site::textarea_text(&draft.summary)}</textarea>
                </div>
                <div class="field">
                    <label for="body">{tr("item-body")}</label>
                    <textarea id="body" name="body" rows="16" maxlength=BODY_MAX aria-describedby="body-hint">{crate::site::textarea_text(&draft.body)}</textarea>
                    <p class="hint" id="body-hint">{tr("item-body-hint")}</p>
                </div>
                <div class="field">
                    <label for="language">{tr("item-language")}</label>
                    <select id="language" name="language">
                        <option value="zh-CN" selected=draft.language == "zh-CN">"中文"</option>
                        <option value="en" selected=draft.language == "en">"English"</option>
                    </select>
                </div>
                <Checkboxes name="audiences" legend="filter-audience" options=audiences/>
                <Checkboxes name="topics" legend="filter-topic" options=topics/>
                <div class="field">
                    <label for="minutes">{tr("item-minutes")}</label>
                    <input id="minutes" name="minutes" type="number" min="0" max="600" inputmode="numeric" value=draft.minutes/>
                </div>
                {item.course_id.map(|_| view! {
                    <div class="field">
                        <label for="position">{tr("item-position")}</label>
                        <input id="position" name="position" type="number" min="0" max="10000" value=editor.position/>
                    </div>
                })}
                <div class="field">
                    <label for="cover_upload_id">{tr("item-cover")}</label>
                    <select id="cover_upload_id" name="cover_upload_id">
                        <option value="0">{tr("item-none")}</option>
                        {image_options}
                    </select>
                </div>
                <div class="field">
                    <label for="media_upload_id">{tr("item-media")}</label>
                    <select id="media_upload_id" name="media_upload_id">
                        <option value="0">{tr("item-none")}</option>
                        {media_options}
                    </select>
                </div>
                <div class="field">
                    <label for="media_url">{tr("item-media-url")}</label>
                    <input id="media_url" name="media_url" type="url" maxlength=MEDIA_URL_MAX value=draft.media_url.clone() aria-describedby="media-url-hint"/>
                    <p class="hint" id="media-url-hint">{tr("item-media-url-hint")}</p>
                </div>
                <Checkboxes name="attachment_ids" legend="item-attachments" options=attachment_boxes/>
                <div class="actions">
                    <button type="submit" class="button">{tr("item-save")}</button>
                    <button type="submit" class="button secondary" name="then" value="submit">{tr("item-save-submit")}</button>
                </div>
            </fieldset>
        </form>
        <div class="actions">{submit}{archive}</div>
        {lessons}
        <section aria-labelledby="uploads-title">
            <h2 id="uploads-title">{tr("item-uploads")}</h2>
            <ul class="uploads">{uploads}</ul>
            {editor.can_write.then(|| view! {
                <form class="stack" method="post" action=super::UPLOAD_PATH enctype="multipart/form-data">
                    <LangField/>
                    <input type="hidden" name="item" value=id/>
                    <div class="field">
                        <label for="file">{tr("item-upload-file")}</label>
                        <input id="file" name="file" type="file" required aria-describedby="upload-hint"
                            accept="image/png,image/jpeg,image/webp,image/gif,application/pdf,audio/mpeg,audio/mp4,audio/ogg,video/mp4,video/webm,text/vtt,.vtt"/>
                        <p class="hint" id="upload-hint">{tr("item-upload-hint")}</p>
                    </div>
                    <button type="submit" class="button secondary">{tr("item-upload")}</button>
                </form>
            })}
        </section>
        <section aria-labelledby="revisions-title">
            <h2 id="revisions-title">{tr("item-revisions")}</h2>
            <ol class="revisions">{revisions}</ol>
        </section>
    }
}

/// The latest revision (or revision `number`) exactly as the public page shows it.
#[component]
pub fn PreviewPage() -> impl IntoView {
    let Some(id) = param::<crate::ids::ItemId>("id") else {
        return view! { <NotFound/> }.into_any();
    };
    let number = param::<i64>("number");
    view! {
        <StaffArea title="item-preview" page=move |_me: StaffContext| {
            let locale = use_locale();
            let back = staff_href(locale, &format!("items/{id}"));
            let restore = number.map(|number| view! {
                <form method="post" action=RestoreRevision::PATH>
                    <LangField/>
                    <input type="hidden" name="id" value=id/>
                    <input type="hidden" name="number" value=number/>
                    <button type="submit" class="button secondary">
                        {t_args(locale, "item-restore", &[("number", number.into())])}
                    </button>
                </form>
            });
            view! {
                <p class="notice preview-banner" role="note">{tr("item-preview-banner")}" "<a href=back>{tr("item-back-to-editor")}</a></p>
                {restore}
                {awaited(preview(id, number), |doc| match doc {
                    Ok(doc) => view! { <div class="preview"><DocumentView doc/></div> }.into_any(),
                    Err(_) => view! { <NotFound/> }.into_any(),
                })}
            }
        }/>
    }
    .into_any()
}
