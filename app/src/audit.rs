//! The audit log: who did what to which thing, and when. An entry is written in the
//! same transaction as the change it records ([`record`]), so the two commit or fail
//! together. It never holds passwords, body text, typed usernames that match no
//! account, or anything a visitor entered.

use crate::i18n::named;
use crate::ids::{BookingId, HotlineId, ItemId, JobId, OrgId, ServiceId, StaffId, UploadId};
use serde::{Deserialize, Serialize};

/// What was done. The names are stored; each has a label in the locale files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditAction {
    Login,
    LoginFailed,
    Logout,
    LogoutEverywhere,
    PasswordChanged,
    TwoFactorEnabled,
    TwoFactorDisabled,
    RecoveryCodeUsed,
    AccountCreated,
    RoleGranted,
    RoleRevoked,
    AccountDisabled,
    AccountEnabled,
    OrgCreated,
    SelfApprovalSet,
    HotlineAdded,
    HotlineRemoved,
    NationalHoursSet,
    ItemCreated,
    ItemSaved,
    ItemSubmitted,
    ItemApproved,
    ItemSentBack,
    ItemArchived,
    ItemRestored,
    FileUploaded,
    ServiceSaved,
    BookingSetupChanged,
    BookingMade,
    BookingCancelled,
    BookingRescheduled,
    BookingPromoted,
    BookingCheckedIn,
    BookingNoShow,
    BookingNoteSaved,
    BookingsExported,
    MessageResent,
    DrawHeld,
    ParentSchoolChanged,
}

named!(AuditAction, "audit-action" {
    Login => "login",
    LoginFailed => "login-failed",
    Logout => "logout",
    LogoutEverywhere => "logout-everywhere",
    PasswordChanged => "password-changed",
    TwoFactorEnabled => "two-factor-enabled",
    TwoFactorDisabled => "two-factor-disabled",
    RecoveryCodeUsed => "recovery-code-used",
    AccountCreated => "account-created",
    RoleGranted => "role-granted",
    RoleRevoked => "role-revoked",
    AccountDisabled => "account-disabled",
    AccountEnabled => "account-enabled",
    OrgCreated => "org-created",
    SelfApprovalSet => "self-approval-set",
    HotlineAdded => "hotline-added",
    HotlineRemoved => "hotline-removed",
    NationalHoursSet => "national-hours-set",
    ItemCreated => "item-created",
    ItemSaved => "item-saved",
    ItemSubmitted => "item-submitted",
    ItemApproved => "item-approved",
    ItemSentBack => "item-sent-back",
    ItemArchived => "item-archived",
    ItemRestored => "item-restored",
    FileUploaded => "file-uploaded",
    ServiceSaved => "service-saved",
    BookingSetupChanged => "booking-setup-changed",
    BookingMade => "booking-made",
    BookingCancelled => "booking-cancelled",
    BookingRescheduled => "booking-rescheduled",
    BookingPromoted => "booking-promoted",
    BookingCheckedIn => "booking-checked-in",
    BookingNoShow => "booking-no-show",
    BookingNoteSaved => "booking-note-saved",
    BookingsExported => "bookings-exported",
    MessageResent => "message-resent",
    DrawHeld => "draw-held",
    ParentSchoolChanged => "parent-school-changed",
});

impl AuditAction {
    /// Whether this change alters what public pages show (so every instance's render
    /// cache must forget them): publication, hotlines and their hours, organisations,
    /// the services that make the booking link appear, parent-school settings.
    pub fn changes_public_pages(self) -> bool {
        use AuditAction::*;
        matches!(
            self,
            OrgCreated
                | HotlineAdded
                | HotlineRemoved
                | NationalHoursSet
                | ItemApproved
                | ItemArchived
                | ItemRestored
                | ServiceSaved
                | BookingSetupChanged
                | ParentSchoolChanged
        )
    }
}

/// The thing an entry is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    Account(StaffId),
    Org(OrgId),
    Item(ItemId),
    Hotline(HotlineId),
    Upload(UploadId),
    Service(ServiceId),
    /// A booking (entries name it by code, never by the person).
    Booking(BookingId),
    /// A background job (a message in an outbox).
    Job(JobId),
    /// A national line, by number.
    NationalLine(String),
    /// Nothing in particular (a failed sign-in under a name that is no account).
    Nothing,
}

impl Target {
    /// As stored in the `target` column.
    pub fn stored(&self) -> String {
        match self {
            Target::Account(id) => format!("account:{id}"),
            Target::Org(id) => format!("org:{id}"),
            Target::Item(id) => format!("item:{id}"),
            Target::Hotline(id) => format!("hotline:{id}"),
            Target::Upload(id) => format!("upload:{id}"),
            Target::Service(id) => format!("service:{id}"),
            Target::Booking(id) => format!("booking:{id}"),
            Target::Job(id) => format!("job:{id}"),
            Target::NationalLine(number) => format!("national:{number}"),
            Target::Nothing => String::new(),
        }
    }
}

/// An entry as the audit page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: i64,
    /// The acting account's username; empty for the operator (command line, jobs).
    pub who: String,
    pub action: AuditAction,
    pub target: String,
    pub detail: String,
}

#[cfg(feature = "ssr")]
pub use data::*;

#[cfg(feature = "ssr")]
mod data {
    use super::{AuditAction, AuditEntry, Target};
    use crate::db::{Db, DbError, placeholders};
    use crate::ids::{OrgId, StaffId};
    use crate::service::{Actor, Ctx, Scope};

    /// One entry, written on `conn` (the change's own transaction).
    pub struct Record<'a> {
        pub org: Option<OrgId>,
        pub action: AuditAction,
        pub target: Target,
        pub detail: &'a str,
    }

    /// Writes `entry` as done by `ctx`'s actor at `ctx`'s time.
    pub async fn record(
        conn: &mut sqlx::AnyConnection,
        ctx: &Ctx,
        entry: Record<'_>,
    ) -> Result<(), DbError> {
        let actor = match &ctx.actor {
            Actor::Staff(staff) => Some(staff.id()),
            Actor::System | Actor::Public { .. } => None,
        };
        write(conn, ctx.now(), actor, entry).await
    }

    /// Writes an entry for an account that is not (yet) signed in: a sign-in, a failed
    /// one. `actor` is the account, when the name given is one.
    pub async fn record_as(
        conn: &mut sqlx::AnyConnection,
        at: i64,
        actor: Option<StaffId>,
        entry: Record<'_>,
    ) -> Result<(), DbError> {
        write(conn, at, actor, entry).await
    }

    async fn write(
        conn: &mut sqlx::AnyConnection,
        at: i64,
        actor: Option<StaffId>,
        entry: Record<'_>,
    ) -> Result<(), DbError> {
        let subject = match entry.target {
            Target::Account(id) => Some(id),
            _ => None,
        };
        sqlx::query(
            "INSERT INTO audit_log (at, staff_id, org_id, action, target, detail, subject_staff_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(at)
        .bind(actor)
        .bind(entry.org)
        .bind(entry.action.as_str())
        .bind(entry.target.stored())
        .bind(entry.detail)
        .bind(subject)
        .execute(&mut *conn)
        .await?;
        // Every change to what the public sees is audited, so this one place tells every
        // instance's render cache, in the change's own transaction.
        if entry.action.changes_public_pages() {
            crate::public_version::bump(conn).await?;
        }
        Ok(())
    }

    #[derive(sqlx::FromRow)]
    struct Row {
        at: i64,
        username: Option<String>,
        #[sqlx(try_from = "String")]
        action: AuditAction,
        target: String,
        detail: String,
    }

    /// The newest entries a reader may see: those about organisations in `orgs`, those
    /// about the accounts in `accounts` (the ones within the reader's reach), and, for
    /// readers of the whole tree (`Scope::All` or `whole_tree`), those about nothing
    /// in particular.
    pub async fn recent(
        db: &Db,
        orgs: &Scope,
        accounts: &[StaffId],
        whole_tree: bool,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, DbError> {
        let (condition, org_ids) = match orgs {
            Scope::All => ("TRUE".to_string(), Vec::new()),
            Scope::Only(ids) => {
                let unowned = if whole_tree {
                    " OR (a.org_id IS NULL AND a.subject_staff_id IS NULL)"
                } else {
                    ""
                };
                (
                    format!(
                        "(a.org_id IN ({}) OR a.subject_staff_id IN ({}){unowned})",
                        placeholders(2, ids.len()),
                        placeholders(2 + ids.len(), accounts.len())
                    ),
                    ids.clone(),
                )
            }
        };
        let sql = format!(
            "SELECT a.at, s.username, a.action, a.target, a.detail \
             FROM audit_log a LEFT JOIN staff s ON s.id = a.staff_id \
             WHERE {condition} ORDER BY a.id DESC LIMIT $1"
        );
        let mut query = sqlx::query_as::<_, Row>(&sql).bind(limit);
        for id in &org_ids {
            query = query.bind(*id);
        }
        if !org_ids.is_empty() || matches!(orgs, Scope::Only(_)) {
            for id in accounts {
                query = query.bind(*id);
            }
        }
        let rows = query.fetch_all(db.pool()).await?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                at: r.at,
                who: r.username.unwrap_or_default(),
                action: r.action,
                target: r.target,
                detail: r.detail,
            })
            .collect())
    }

    /// Deletes entries older than `before` (Unix seconds); returns how many.
    pub async fn prune(db: &Db, before: i64) -> Result<u64, DbError> {
        let done = sqlx::query("DELETE FROM audit_log WHERE at < $1")
            .bind(before)
            .execute(db.pool())
            .await?;
        Ok(done.rows_affected())
    }
}
