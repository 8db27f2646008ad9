//! The service layer's common ground. Every operation of every capability is one plain
//! async function taking a [`Ctx`] (the database, who acts, the clock) and returning
//! its capability's own error type. Server functions, API handlers, the command line
//! and background jobs are adapters: they build a context, call, and turn the error
//! into a [`Failure`], which the web edge (`crate::web`) turns into a status, a
//! redirect or a message in the person's language.

use serde::{Deserialize, Serialize};

/// What went wrong, as every adapter understands it. Each capability's error converts
/// into one; the i18n key says it in the person's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Failure {
    #[error("not signed in")]
    NotSignedIn,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Bad input in `field`; `key` says what is wrong.
    #[error("invalid {field}: {key}")]
    Invalid { field: String, key: String },
    /// The thing moved on (someone else got there first, or the page was stale).
    #[error("conflict: {key}")]
    Conflict { key: String },
    /// Too many attempts; try again in this many minutes.
    #[error("too many attempts: wait {minutes} min ({key})")]
    TooMany { key: String, minutes: i64 },
    /// The server is doing as much of this as it safely can: try again shortly.
    #[error("busy")]
    Busy,
    /// The database could not be reached.
    #[error("unavailable")]
    Unavailable,
    /// The request never reached the operation (a server function's transport).
    #[error("transport: {0}")]
    Transport(String),
}

impl Failure {
    pub fn invalid(field: &str, key: &str) -> Failure {
        Failure::Invalid {
            field: field.into(),
            key: key.into(),
        }
    }

    /// The i18n key of the message shown to the person.
    pub fn key(&self) -> &str {
        match self {
            Failure::NotSignedIn => "error-not-signed-in",
            Failure::Forbidden => "error-forbidden",
            Failure::NotFound => "error-not-found",
            Failure::Invalid { key, .. }
            | Failure::Conflict { key }
            | Failure::TooMany { key, .. } => key,
            Failure::Busy => "error-busy",
            Failure::Unavailable | Failure::Transport(_) => "error-unavailable",
        }
    }

    /// The HTTP status for programs.
    pub fn status(&self) -> u16 {
        match self {
            Failure::NotSignedIn => 401,
            Failure::Forbidden => 403,
            Failure::NotFound => 404,
            Failure::Invalid { .. } => 422,
            Failure::Conflict { .. } => 409,
            Failure::TooMany { .. } => 429,
            Failure::Busy | Failure::Unavailable => 503,
            Failure::Transport(_) => 400,
        }
    }
}

/// Server functions return their errors as a [`Failure`]: typed on both sides, with
/// its status set on the response by the web edge.
impl leptos::server_fn::error::FromServerFnError for Failure {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        Failure::Transport(value.to_string())
    }
}

/// Why the actor may not do something. Every capability's error wraps this.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Refusal {
    /// Nobody is signed in (or a visitor asked for a staff operation).
    #[error("not signed in")]
    NotSignedIn,
    /// Signed in, without the role for this.
    #[error("not allowed")]
    Forbidden,
    /// Signed in with no role at all where the thing lives: it is not even admitted
    /// to exist.
    #[error("hidden")]
    Hidden,
}

impl From<Refusal> for Failure {
    fn from(refusal: Refusal) -> Failure {
        match refusal {
            Refusal::NotSignedIn => Failure::NotSignedIn,
            Refusal::Forbidden => Failure::Forbidden,
            Refusal::Hidden => Failure::NotFound,
        }
    }
}

#[cfg(feature = "ssr")]
pub use context::*;

#[cfg(feature = "ssr")]
mod context {
    use super::{Failure, Refusal};
    use crate::clock::Clock;
    use crate::db::{Db, DbError};
    use crate::ids::OrgId;
    use crate::staff::{Staff, roles::Action};

    /// Who is acting.
    #[derive(Clone, Debug)]
    pub enum Actor {
        /// The operator: the command line and background jobs. May do anything.
        System,
        /// A signed-in staff member, with their roles.
        Staff(Staff),
        /// Someone on the public site without an account (a parent booking a place),
        /// known only by the address the request came from.
        Public { address: String },
    }

    /// Everything an operation needs: the database, who acts, and the time.
    #[derive(Clone, Debug)]
    pub struct Ctx {
        pub db: Db,
        pub actor: Actor,
        pub clock: Clock,
    }

    /// The organisations an actor may act on for one action.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum Scope {
        All,
        Only(Vec<OrgId>),
    }

    impl Scope {
        pub fn contains(&self, org: OrgId) -> bool {
            match self {
                Scope::All => true,
                Scope::Only(ids) => ids.contains(&org),
            }
        }

        pub fn is_empty(&self) -> bool {
            matches!(self, Scope::Only(ids) if ids.is_empty())
        }

        /// The organisations, or `None` for all of them (a query without a filter).
        pub fn orgs(self) -> Option<Vec<OrgId>> {
            match self {
                Scope::All => None,
                Scope::Only(ids) => Some(ids),
            }
        }
    }

    impl Ctx {
        pub fn new(db: Db, actor: Actor, clock: Clock) -> Ctx {
            Ctx { db, actor, clock }
        }

        /// The operator's context, for the command line and jobs.
        pub fn system(db: Db, clock: Clock) -> Ctx {
            Ctx::new(db, Actor::System, clock)
        }

        /// Now, in Unix seconds.
        pub fn now(&self) -> i64 {
            self.clock.unix()
        }

        /// The signed-in staff member acting, if that is who acts.
        pub fn staff(&self) -> Option<&Staff> {
            match &self.actor {
                Actor::Staff(staff) => Some(staff),
                _ => None,
            }
        }

        /// Whether the actor may take `action` on `org` (and, through it, below it).
        pub fn can(&self, action: Action, org: OrgId) -> bool {
            match &self.actor {
                Actor::System => true,
                Actor::Staff(staff) => staff.can(action, org),
                Actor::Public { .. } => false,
            }
        }

        /// [`Ctx::can`], as a refusal: not signed in for the public, forbidden for staff.
        pub fn require(&self, action: Action, org: OrgId) -> Result<(), Refusal> {
            match &self.actor {
                _ if self.can(action, org) => Ok(()),
                Actor::Public { .. } => Err(Refusal::NotSignedIn),
                _ => Err(Refusal::Forbidden),
            }
        }

        /// Like [`Ctx::require`], but someone with no role at all on `org` learns
        /// nothing, not even that the thing exists.
        pub fn require_visible(&self, action: Action, org: OrgId) -> Result<(), Refusal> {
            if !self.can(Action::ReadContent, org) {
                return Err(match self.actor {
                    Actor::Public { .. } => Refusal::NotSignedIn,
                    _ => Refusal::Hidden,
                });
            }
            self.require(action, org)
        }

        /// The organisations where the actor may take `action`.
        pub fn scope(&self, action: Action) -> Scope {
            match &self.actor {
                Actor::System => Scope::All,
                Actor::Staff(staff) => Scope::Only(staff.orgs_where(action)),
                Actor::Public { .. } => Scope::Only(Vec::new()),
            }
        }

        /// [`Ctx::scope`], refused when empty.
        pub fn scope_required(&self, action: Action) -> Result<Scope, Refusal> {
            let scope = self.scope(action);
            match (&self.actor, scope.is_empty()) {
                (Actor::Public { .. }, _) => Err(Refusal::NotSignedIn),
                (_, true) => Err(Refusal::Forbidden),
                _ => Ok(scope),
            }
        }
    }

    impl From<DbError> for Failure {
        fn from(error: DbError) -> Failure {
            tracing::error!(%error, "database error");
            Failure::Unavailable
        }
    }
}
