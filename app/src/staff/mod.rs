//! The staff side: accounts, sessions, roles per organisation, the audit log, and the
//! pages where centres' staff sign in and manage people and organisations. Content
//! editing itself lives with the content (`crate::content`).

pub mod actions;
pub mod pages;
pub mod password;
pub mod roles;

#[cfg(feature = "ssr")]
pub mod audit;
#[cfg(feature = "ssr")]
pub mod data;
#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod session;

use roles::Role;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub org_id: i64,
    pub role: Role,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSummary {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub disabled: bool,
    pub memberships: Vec<Membership>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: i64,
    pub who: String,
    pub action: String,
    pub target: String,
    pub detail: String,
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

/// Checks a new account's fields, for the admin page and `anxin staff create` alike;
/// gives the normalised username, or the i18n key of the first problem.
pub fn check_new_account(
    username: &str,
    display_name: &str,
    password: &str,
) -> Result<String, &'static str> {
    if !valid_username(username) {
        return Err("account-error-username");
    }
    if !valid_display_name(display_name) {
        return Err("account-error-display-name");
    }
    let username = normalise_username(username);
    password::check(password, &username).map_err(|p| p.key())?;
    Ok(username)
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
    #[test]
    fn usernames() {
        assert!(super::valid_username("li.wei_2"));
        assert!(!super::valid_username("李伟"));
        assert!(!super::valid_username("ab"));
        assert!(!super::valid_username("a b c"));
    }
}
