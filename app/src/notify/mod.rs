//! Sending messages out: e-mail over SMTP (lettre) and an outgoing webhook signed per
//! the Standard Webhooks scheme (for deployments that send text messages or WeChat
//! notices through their own gateway). Both are optional: a deployment configures
//! the ones it has, and a booking offers only those. What is said, and when, is the
//! booking capability's business (`booking::messages`); this is only the wire.

use base64::Engine;
use std::time::Duration;

/// The channels a deployment has configured.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// `smtp://host:port`, `smtps://user:pass@host` or `smtp://…?tls=required`
    /// (lettre's URL form).
    pub smtp_url: Option<String>,
    /// The `From:` address, e.g. `Anxin <noreply@example.org>`.
    pub mail_from: Option<String>,
    /// Where events are POSTed.
    pub webhook_url: Option<String>,
    /// The signing secret, `whsec_` + base64 (Standard Webhooks).
    pub webhook_secret: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the SMTP URL is not one lettre understands: {0}")]
    SmtpUrl(String),
    #[error("--mail-from must be an address like 'Anxin <noreply@example.org>': {0}")]
    MailFrom(String),
    #[error("--smtp-url and --mail-from go together")]
    MailHalf,
    #[error("--webhook-url needs ANXIN_WEBHOOK_SECRET (whsec_ + base64), and the other way round")]
    WebhookHalf,
    #[error("ANXIN_WEBHOOK_SECRET must be whsec_ followed by base64 of at least 24 bytes")]
    WebhookSecret,
    #[error("the webhook URL must be http:// or https://: {0}")]
    WebhookUrl(String),
}

type Smtp = lettre::AsyncSmtpTransport<lettre::Tokio1Executor>;

/// The configured channels, ready to send.
#[derive(Clone, Default)]
pub struct Channels {
    mail: Option<(Smtp, lettre::message::Mailbox)>,
    webhook: Option<Webhook>,
}

#[derive(Clone)]
struct Webhook {
    url: String,
    signer: std::sync::Arc<standardwebhooks::Webhook>,
    client: reqwest::Client,
}

impl std::fmt::Debug for Channels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret or the SMTP password.
        f.debug_struct("Channels")
            .field("email", &self.has_email())
            .field("webhook", &self.has_webhook())
            .finish()
    }
}

/// Why a message was not sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendError {
    /// Worth trying again later (the server or gateway is down, busy, timed out).
    Failed(String),
    /// Trying again cannot help (the mail server refuses the address for good).
    Rejected(String),
}

/// A message to e-mail.
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// An attached file: name, MIME type, contents.
    pub attachment: Option<(String, String, Vec<u8>)>,
}

impl Channels {
    pub fn new(settings: &Settings) -> Result<Channels, ConfigError> {
        let mail = match (&settings.smtp_url, &settings.mail_from) {
            (None, None) => None,
            (Some(url), Some(from)) => {
                let transport = Smtp::from_url(url)
                    .map_err(|e| ConfigError::SmtpUrl(e.to_string()))?
                    .timeout(Some(Duration::from_secs(crate::jobs::CALL_TIMEOUT_SECS)))
                    .build();
                let from = from
                    .parse()
                    .map_err(|_| ConfigError::MailFrom(from.clone()))?;
                Some((transport, from))
            }
            _ => return Err(ConfigError::MailHalf),
        };
        let webhook = match (&settings.webhook_url, &settings.webhook_secret) {
            (None, None) => None,
            (Some(url), Some(secret)) => {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(ConfigError::WebhookUrl(url.clone()));
                }
                let key = secret
                    .strip_prefix("whsec_")
                    .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                    .filter(|key| key.len() >= 24)
                    .ok_or(ConfigError::WebhookSecret)?;
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(crate::jobs::CALL_TIMEOUT_SECS))
                    // A gateway's redirect is a misconfiguration, not somewhere to post to.
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .map_err(|e| ConfigError::WebhookUrl(e.to_string()))?;
                Some(Webhook {
                    url: url.clone(),
                    signer: std::sync::Arc::new(
                        standardwebhooks::Webhook::from_bytes(key)
                            .map_err(|_| ConfigError::WebhookSecret)?,
                    ),
                    client,
                })
            }
            _ => return Err(ConfigError::WebhookHalf),
        };
        Ok(Channels { mail, webhook })
    }

    pub fn has_email(&self) -> bool {
        self.mail.is_some()
    }

    pub fn has_webhook(&self) -> bool {
        self.webhook.is_some()
    }

    /// Sends an e-mail; the error says why (for the outbox), never to whom.
    pub async fn send_email(&self, email: Email) -> Result<(), SendError> {
        use lettre::{
            AsyncTransport,
            message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType},
        };
        let (transport, from) = self
            .mail
            .as_ref()
            .ok_or(SendError::Rejected("e-mail is not configured".into()))?;
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|_| SendError::Rejected("the address is not one SMTP takes".into()))?;
        let text = SinglePart::plain(email.body);
        // `Date` is added by lettre; `Message-ID` is ours, on the sender's domain (mail
        // servers and spam filters mark messages without one).
        let builder = lettre::Message::builder()
            .message_id(Some(message_id(from.email.domain())))
            .from(from.clone())
            .to(to)
            .subject(email.subject);
        let message = match email.attachment {
            None => builder.singlepart(text),
            Some((name, mime, bytes)) => {
                let mime =
                    ContentType::parse(&mime).map_err(|e| SendError::Rejected(e.to_string()))?;
                builder.multipart(
                    MultiPart::mixed()
                        .singlepart(text)
                        .singlepart(Attachment::new(name).body(bytes, mime)),
                )
            }
        }
        .map_err(|e| SendError::Rejected(e.to_string()))?;
        transport.send(message).await.map(|_| ()).map_err(|e| {
            // The server's own words may quote the address: only its code is kept.
            match e.status() {
                Some(code) if e.is_permanent() => {
                    SendError::Rejected(format!("SMTP: the server refused it ({code})"))
                }
                Some(code) => SendError::Failed(format!("SMTP: the server answered {code}")),
                None if e.is_timeout() => SendError::Failed("SMTP: timed out".into()),
                None => SendError::Failed("SMTP: could not reach the server".into()),
            }
        })
    }

    /// POSTs one event, signed: `webhook-id` is the message's own id (the same on every
    /// retry, so a gateway can drop repeats), `webhook-timestamp` the time of sending.
    pub async fn post_webhook(&self, id: &str, body: &str) -> Result<(), SendError> {
        let hook = self
            .webhook
            .as_ref()
            .ok_or(SendError::Rejected("the webhook is not configured".into()))?;
        let now = chrono::Utc::now().timestamp();
        let signature = hook
            .signer
            .sign(id, now, body.as_bytes())
            .map_err(|e| SendError::Rejected(e.to_string()))?;
        let response = hook
            .client
            .post(&hook.url)
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", now.to_string())
            .header("webhook-signature", signature)
            .body(body.to_string())
            .send()
            .await
            // Without the URL's query, which may hold a gateway's token.
            .map_err(|e| SendError::Failed(format!("webhook: {}", e.without_url())))?;
        match response.status() {
            status if status.is_success() => Ok(()),
            status => Err(SendError::Failed(format!(
                "webhook: the gateway answered {status}"
            ))),
        }
    }
}

/// A unique `Message-ID` (RFC 5322 §3.6.4): 128 random bits at the sender's domain.
fn message_id(domain: &str) -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    format!("<{}@{domain}>", hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_configured_channels_are_refused() {
        let smtp_only = Settings {
            smtp_url: Some("smtp://127.0.0.1:2525".into()),
            ..Settings::default()
        };
        assert!(matches!(
            Channels::new(&smtp_only),
            Err(ConfigError::MailHalf)
        ));
        let weak = Settings {
            webhook_url: Some("http://127.0.0.1:9/".into()),
            webhook_secret: Some("whsec_c2hvcnQ=".into()),
            ..Settings::default()
        };
        assert!(matches!(
            Channels::new(&weak),
            Err(ConfigError::WebhookSecret)
        ));
        let none = Channels::new(&Settings::default()).unwrap();
        assert!(!none.has_email() && !none.has_webhook());
    }
}
