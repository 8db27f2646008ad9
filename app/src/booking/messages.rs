//! What a person who booked is told, and when: a confirmation (with the calendar file
//! by e-mail), reminders before the appointment (per service, by default a day and
//! two hours before), a waitlist promotion, a cancellation by the clinic with its
//! reason. Only on the channels they gave and agreed to, and only those this
//! deployment has: a text message through the deployment's own gateway (an outgoing
//! webhook) and e-mail.
//!
//! Messages are queued as jobs in the booking change's own transaction ([`queue`]),
//! holding no text and no contact detail: [`deliver`] composes the message when it is
//! sent, from the booking as it is then. A reminder for a booking cancelled or moved
//! since is dropped; so is everything for a booking whose contact details were erased.

use super::data::{self, BookingBy};
use super::model::BookingStatus;
use super::service::{BookingEnv, BookingError};
use super::wording;
use crate::db::{Db, DbError};
use crate::i18n::Locale;
use crate::ids::{BookingId, SlotId};
use crate::jobs::{
    JobKind,
    service::{Claimed, NewJob, Outcome, enqueue},
};
use crate::notify::{Email, SendError};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

pub use super::wording::Event;

/// The way a message goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// A text message, through the deployment's gateway (the webhook).
    Text,
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Text => "text",
            Channel::Email => "email",
        }
    }
}

/// A message job's payload: no text, no contact details.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    pub event: Event,
    pub channel: Channel,
    /// The slot the message is about (a reminder for another slot is stale).
    pub slot: SlotId,
}

#[derive(sqlx::FromRow)]
struct Channels {
    org_id: crate::ids::OrgId,
    slot_id: SlotId,
    messages_agreed: i64,
    has_email: i64,
    start_at: i64,
    remind_hours: String,
}

/// Queues what `event` means for `booking`'s owner, on the caller's connection (the
/// change's own transaction): the message now, and for a confirmation the reminders.
pub async fn queue(
    conn: &mut AnyConnection,
    env: &BookingEnv,
    booking: BookingId,
    event: Event,
    now: i64,
) -> Result<(), DbError> {
    let row: Option<Channels> = sqlx::query_as(
        "SELECT b.org_id, b.slot_id, b.messages_agreed, \
         CASE WHEN b.email_sealed = '' THEN 0 ELSE 1 END AS has_email, sl.start_at, \
         sv.remind_hours FROM bookings b JOIN slots sl ON sl.id = b.slot_id \
         JOIN services sv ON sv.id = b.service_id WHERE b.id = $1",
    )
    .bind(booking)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row.filter(|r| r.messages_agreed != 0) else {
        return Ok(());
    };
    let mut channels = Vec::new();
    if env.channels.has_webhook() {
        channels.push(Channel::Text);
    }
    if env.channels.has_email() && row.has_email != 0 {
        channels.push(Channel::Email);
    }
    let mut due = vec![(event, now)];
    if event.confirms() {
        due.extend(
            super::model::reminder_hours(&row.remind_hours)
                .into_iter()
                .map(|h| (Event::Reminder, row.start_at - h * 3600))
                .filter(|(_, at)| *at > now),
        );
    }
    for channel in channels {
        for (event, run_at) in &due {
            let payload = Payload {
                event: *event,
                channel,
                slot: row.slot_id,
            };
            let job = NewJob {
                org: Some(row.org_id),
                booking: Some(booking),
                ..NewJob::new(
                    JobKind::Message,
                    serde_json::to_string(&payload).unwrap_or_default(),
                    *run_at,
                )
            };
            enqueue(conn, &job, now).await?;
        }
    }
    Ok(())
}

/// Sends one message job: composes it from the booking as it is now and sends it on
/// its channel. Drops it when it no longer makes sense.
pub async fn deliver(
    db: &Db,
    env: &BookingEnv,
    public_url: Option<&str>,
    job: &Claimed,
    now: i64,
) -> Outcome {
    match compose(db, env, public_url, job, now).await {
        Err(error) => Outcome::Failed(error.to_string()),
        Ok(Err(why)) => Outcome::Dropped(why.into()),
        Ok(Ok(Compose::Text(body))) => {
            let id = format!("msg_{}", job.id);
            sent(env.channels.post_webhook(&id, &body).await)
        }
        Ok(Ok(Compose::Email(email))) => sent(env.channels.send_email(*email).await),
    }
}

fn sent(result: Result<(), SendError>) -> Outcome {
    match result {
        Ok(()) => Outcome::Done,
        Err(SendError::Failed(why)) => Outcome::Failed(why),
        Err(SendError::Rejected(why)) => Outcome::Rejected(why),
    }
}

enum Compose {
    Text(String),
    Email(Box<Email>),
}

/// The message, or why none is sent any more.
async fn compose(
    db: &Db,
    env: &BookingEnv,
    public_url: Option<&str>,
    job: &Claimed,
    now: i64,
) -> Result<Result<Compose, &'static str>, DbError> {
    let Ok(payload) = serde_json::from_str::<Payload>(&job.payload) else {
        return Ok(Err("the job's payload is not a message"));
    };
    let Some(keys) = env.keys.as_ref() else {
        return Ok(Err("no data key to open contact details"));
    };
    let mut conn = db.pool().acquire().await?;
    let Some(id) = job.booking_id else {
        return Ok(Err("no booking"));
    };
    let Some(booking) = data::booking(&mut conn, BookingBy::Id(id)).await? else {
        return Ok(Err("the booking is gone"));
    };
    if booking.anonymised_at.is_some() || booking.messages_agreed == 0 {
        return Ok(Err("the contact details were erased"));
    }
    // The booking as its owner sees it: the service, the slot, the place on a waitlist,
    // and what the calendar file is made from.
    let view = match super::service::owner_view(&mut conn, booking.clone(), now).await {
        Ok(view) => view,
        Err(BookingError::Unavailable(error)) => return Err(error),
        Err(_) => return Ok(Err("the booking's service is gone")),
    };
    let (service, slot) = (&view.service, &view.slot);
    let still_confirmed =
        booking.status == BookingStatus::Confirmed && booking.slot_id == payload.slot;
    match payload.event {
        Event::Reminder if !still_confirmed => return Ok(Err("no longer booked for that time")),
        Event::Reminder if slot.start <= now => return Ok(Err("the appointment has begun")),
        Event::Confirmed | Event::Rescheduled | Event::Promoted | Event::DrawWon
            if !still_confirmed =>
        {
            return Ok(Err("no longer booked for that time"));
        }
        Event::DrawLost
            if !booking.status.is_active() && booking.status != BookingStatus::NotDrawn =>
        {
            return Ok(Err("the booking was cancelled"));
        }
        _ => {}
    }
    // Their number on the waitlist: one more than those ahead.
    let position = view.ahead.map_or(0, |ahead| ahead + 1);
    let locale = Locale::from_tag(&booking.lang).unwrap_or_default();
    let zone = service.zone();
    let find_link = wording::find_link(public_url, locale);
    let values = wording::Values {
        title: service.draft.message_title(locale),
        time: wording::message_time(&super::pages::when(locale, slot, zone)),
        code: booking.code.clone(),
        position,
        find_link: find_link.clone(),
    };
    let waitlisted = booking.status == BookingStatus::Waitlisted;
    let text = wording::text(locale, payload.event, waitlisted, &values);
    match payload.channel {
        Channel::Text => {
            let Some(phone) = keys.open("phone", &booking.phone_sealed) else {
                return Ok(Err("the phone number cannot be opened"));
            };
            let at = |t: i64| {
                crate::time::in_zone(t, zone).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
            };
            // What a gateway needs to send a text, and nothing else: no name, no note,
            // no place, no service. `title` is what the text calls the appointment, for
            // a gateway that writes its own wording (it must say no more than `text`).
            let body = serde_json::json!({
                "type": payload.event.webhook_type(),
                "timestamp": chrono::DateTime::from_timestamp(now, 0)
                    .unwrap_or_default()
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "data": {
                    "phone": phone,
                    "code": values.code,
                    "start": at(slot.start),
                    "end": at(slot.end),
                    "title": values.title,
                    "lang": locale.tag(),
                    "text": text,
                }
            });
            Ok(Ok(Compose::Text(body.to_string())))
        }
        Channel::Email => {
            let Some(to) = keys.open("email", &booking.email_sealed) else {
                return Ok(Err("no e-mail address"));
            };
            let attachment = payload
                .event
                .confirms()
                .then(|| super::calendar::ics(&view, locale, find_link.as_deref()));
            Ok(Ok(Compose::Email(Box::new(Email {
                to,
                subject: wording::subject(locale, payload.event, &values),
                body: text,
                attachment: attachment.map(|ics| {
                    (
                        // The file's name is seen in a mail client's list: the code only.
                        format!("anxin-{}.ics", booking.code),
                        "text/calendar; charset=utf-8".to_string(),
                        ics.into_bytes(),
                    )
                }),
            }))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_carry_no_text_or_contact() {
        let payload = Payload {
            event: Event::Reminder,
            channel: Channel::Text,
            slot: SlotId(7),
        };
        let json = serde_json::to_string(&payload).unwrap();
        assert_eq!(json, r#"{"event":"Reminder","channel":"text","slot":7}"#);
        assert_eq!(serde_json::from_str::<Payload>(&json).unwrap(), payload);
    }
}
