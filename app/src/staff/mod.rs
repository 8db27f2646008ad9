//! The staff side: accounts, sessions, roles per organisation, two-factor sign-in, and
//! the pages where centres' staff sign in and manage people. Here: the model and its
//! rules (pure), `roles` (the one role × action matrix), `password`, and behind `ssr`
//! the database (`data`), sessions and sign-in limits (`session`), the operations
//! (`service`); `actions` are the server functions, `pages` the forms.

pub mod actions;
pub mod pages;
pub mod password;
pub mod roles;

#[cfg(feature = "ssr")]
pub mod data;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod totp;

use crate::ids::{OrgId, StaffId};
use crate::orgs::{Org, ancestors_and_self, subtree};
use roles::{Action, Role, any_allows};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub org_id: OrgId,
    pub role: Role,
}

/// An account as admins see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSummary {
    pub id: StaffId,
    pub username: String,
    pub display_name: String,
    pub disabled: bool,
    pub memberships: Vec<Membership>,
    /// Where the account belongs when it holds no role any more: the organisation
    /// that last held it.
    pub home_org: Option<OrgId>,
    pub two_factor: bool,
}

/// A signed-in staff member: their roles, and the organisation tree they were checked
/// against.
#[derive(Clone, Debug)]
pub struct Staff {
    pub id: StaffId,
    pub username: String,
    pub display_name: String,
    pub memberships: Vec<Membership>,
    pub orgs: Arc<Vec<Org>>,
    pub two_factor: bool,
    /// An admin whose admin role waits until they set up two-factor sign-in (when the
    /// operator requires it of admins).
    pub awaiting_two_factor: bool,
    /// The hash of the session token this request came with, if it came with one.
    pub session: Option<String>,
}

impl Staff {
    pub fn id(&self) -> StaffId {
        self.id
    }

    /// The roles held on `org`: those granted on it or on any organisation above it.
    pub fn roles_at(&self, org: OrgId) -> Vec<Role> {
        roles_at(&self.orgs, &self.memberships, org)
    }

    pub fn can(&self, action: Action, org: OrgId) -> bool {
        any_allows(&self.roles_at(org), action)
    }

    /// Every organisation where `action` is allowed: the subtrees under the memberships
    /// whose role allows it.
    pub fn orgs_where(&self, action: Action) -> Vec<OrgId> {
        let mut ids: Vec<OrgId> = self
            .memberships
            .iter()
            .filter(|m| m.role.allows(action))
            .flat_map(|m| subtree(&self.orgs, m.org_id))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Whether this person administers the whole tree (holds `action` on a root).
    pub fn holds_root(&self, action: Action) -> bool {
        self.memberships.iter().any(|m| {
            m.role.allows(action)
                && self
                    .orgs
                    .iter()
                    .any(|o| o.id == m.org_id && o.parent_id.is_none())
        })
    }

    pub fn is_admin(&self) -> bool {
        self.memberships.iter().any(|m| m.role == Role::Admin)
    }
}

/// The roles held on `org` through `memberships`: those granted on it or above it.
pub fn roles_at(orgs: &[Org], memberships: &[Membership], org: OrgId) -> Vec<Role> {
    let chain = ancestors_and_self(orgs, org);
    let mut roles: Vec<Role> = memberships
        .iter()
        .filter(|m| chain.contains(&m.org_id))
        .map(|m| m.role)
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

/// Whether an admin whose people-managing reach is `managed` may see and act on
/// `account`: every one of its roles lies within that reach, or, holding none, the
/// organisation that last held it does. An account with a role elsewhere is someone
/// else's to manage.
pub fn within_reach(managed: &[OrgId], account: &StaffSummary) -> bool {
    if account.memberships.is_empty() {
        return account.home_org.is_some_and(|o| managed.contains(&o));
    }
    account
        .memberships
        .iter()
        .all(|m| managed.contains(&m.org_id))
}

/// Usernames: 3 to 32 of a-z, 0-9, `.`, `_`, `-` (they go in logs and URLs, and are
/// compared case-insensitively).
pub fn valid_username(name: &str) -> bool {
    let name = name.trim();
    (3..=32).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

pub fn valid_display_name(name: &str) -> bool {
    (1..=40).contains(&name.trim().chars().count())
}

/// Usernames are compared lower-case; they are ASCII (see [`valid_username`]).
pub fn normalise_username(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

/// Where staff pages live, in a language.
pub fn staff_href(locale: crate::i18n::Locale, rest: &str) -> String {
    let rest = rest.trim_matches('/');
    if rest.is_empty() {
        locale.href("staff")
    } else {
        locale.href(&format!("staff/{rest}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orgs::OrgKind;

    #[test]
    fn usernames() {
        assert!(valid_username("li.wei_2"));
        assert!(!valid_username("李伟"));
        assert!(!valid_username("ab"));
        assert!(!valid_username("a b c"));
        assert!(!valid_username(&"a".repeat(33)));
    }

    fn org(id: i64, parent: Option<i64>) -> Org {
        Org {
            id: OrgId(id),
            parent_id: parent.map(OrgId),
            slug: format!("o{id}"),
            kind: OrgKind::Centre,
            name_zh: String::new(),
            name_en: String::new(),
            region: String::new(),
            allow_self_approval: false,
        }
    }

    #[test]
    fn an_admin_reaches_only_accounts_wholly_within_their_subtree() {
        // 1 city -> 2 district -> 4 school; 3 a sibling district.
        let orgs = vec![
            org(1, None),
            org(2, Some(1)),
            org(3, Some(1)),
            org(4, Some(2)),
        ];
        let managed = subtree(&orgs, OrgId(2));
        let account = |roles: &[i64], home: Option<i64>| StaffSummary {
            id: StaffId(9),
            username: "x".into(),
            display_name: "x".into(),
            disabled: false,
            memberships: roles
                .iter()
                .map(|o| Membership {
                    org_id: OrgId(*o),
                    role: Role::Viewer,
                })
                .collect(),
            home_org: home.map(OrgId),
            two_factor: false,
        };
        assert!(within_reach(&managed, &account(&[2, 4], None)));
        assert!(
            !within_reach(&managed, &account(&[4, 3], None)),
            "one role elsewhere"
        );
        assert!(
            !within_reach(&managed, &account(&[1], None)),
            "a role above"
        );
        assert!(
            within_reach(&managed, &account(&[], Some(4))),
            "last held here"
        );
        assert!(!within_reach(&managed, &account(&[], Some(3))));
        assert!(!within_reach(&managed, &account(&[], None)), "nobody's");
    }
}
