//! Who may do what: roles are granted on an organisation and hold for it and every
//! organisation below it. The matrix here is the only place that decides; server
//! functions and API handlers ask it, pages only use it to hide what would be refused.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Admin,
    Editor,
    Reviewer,
    Clinic,
    Viewer,
}

/// Something a staff member asks to do within an organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// See drafts, previews, revisions and uploads of the organisation's content.
    ReadContent,
    /// Create items, save drafts, upload files, submit for review, restore revisions.
    WriteContent,
    /// Approve (publish now or later), send back, archive.
    ReviewContent,
    /// Create accounts, grant and revoke roles, disable accounts.
    ManagePeople,
    /// Add organisations below this one, set their hotlines.
    ManageOrganisations,
    ReadAudit,
    /// Clinic slots and bookings (the booking capability).
    ManageBookings,
}

// The names are stored in the database and used in forms.
crate::i18n::named!(Role, "role" {
    Admin => "admin",
    Editor => "editor",
    Reviewer => "reviewer",
    Clinic => "clinic",
    Viewer => "viewer",
});

impl Role {
    pub fn allows(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Admin => matches!(
                action,
                ReadContent | ManagePeople | ManageOrganisations | ReadAudit
            ),
            Role::Editor => matches!(action, ReadContent | WriteContent),
            Role::Reviewer => matches!(action, ReadContent | ReviewContent),
            Role::Clinic => matches!(action, ReadContent | ManageBookings),
            Role::Viewer => matches!(action, ReadContent),
        }
    }
}

/// True when any of `roles` (the roles a person holds on an organisation or one of
/// its ancestors) allows `action`.
pub fn any_allows(roles: &[Role], action: Action) -> bool {
    roles.iter().any(|r| r.allows(action))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duties_are_separate() {
        assert!(Role::Editor.allows(Action::WriteContent));
        assert!(!Role::Editor.allows(Action::ReviewContent));
        assert!(Role::Reviewer.allows(Action::ReviewContent));
        assert!(!Role::Reviewer.allows(Action::WriteContent));
        assert!(!Role::Admin.allows(Action::WriteContent));
        assert!(Role::Admin.allows(Action::ManagePeople));
        assert!(!Role::Viewer.allows(Action::ManageBookings));
        assert!(Role::Clinic.allows(Action::ManageBookings));
        for role in Role::ALL {
            assert!(role.allows(Action::ReadContent));
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert!(any_allows(
            &[Role::Viewer, Role::Editor],
            Action::WriteContent
        ));
        assert!(!any_allows(&[], Action::ReadContent));
    }
}
