//! Typed ids: an organisation's id cannot be passed where an item's is expected. Each
//! is an `i64` in the database and in JSON.

use serde::{Deserialize, Serialize};

macro_rules! ids {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        /// In forms: `<input value=id>`.
        impl leptos::attr::IntoAttributeValue for $name {
            type Output = String;
            fn into_attribute_value(self) -> String {
                self.0.to_string()
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse().map($name)
            }
        }
    )+};
}

ids! {
    /// An organisation: bureau, centre, school, clinic, family-education centre.
    OrgId,
    /// A staff account.
    StaffId,
    /// A course, lesson or article.
    ItemId,
    /// One saved revision of an item.
    RevisionId,
    /// An uploaded file.
    UploadId,
    /// A local help line.
    HotlineId,
    /// A bookable service (a clinic's consultations, a lecture series).
    ServiceId,
    /// One concrete slot of a service, with its places.
    SlotId,
    /// A booking of a slot.
    BookingId,
    /// A need category (puberty, study pressure, ...).
    CategoryId,
    /// A counsellor of an organisation.
    CounsellorId,
    /// A weekly schedule of a service.
    ScheduleId,
    /// A closed day or an extra session.
    ExceptionId,
    /// A background job (see `jobs`).
    JobId,
}
