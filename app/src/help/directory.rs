//! The local lines, the organisation tree and what the deployment offers: what every
//! page needs, kept in memory so rendering a page costs no query, and so the help panel
//! still renders when the database is down. The server refreshes it in the background;
//! with several app instances each has its own copy, at most one refresh interval old.

use super::Snapshot;
use crate::clock::Clock;
use crate::db::{Db, DbError};
use std::sync::{Arc, RwLock};

#[derive(Clone, Default, Debug)]
pub struct HotlineDirectory {
    current: Arc<RwLock<Snapshot>>,
}

impl HotlineDirectory {
    pub fn snapshot(&self) -> Snapshot {
        self.current.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// Reloads from the database; on error the last good copy stays.
    pub async fn refresh(&self, db: &Db, clock: &Clock) {
        match load(db, clock).await {
            Ok(snapshot) => {
                if let Ok(mut slot) = self.current.write() {
                    *slot = snapshot;
                }
            }
            Err(error) => {
                tracing::warn!(%error, "could not reload hotlines and organisations; keeping the last copy")
            }
        }
    }
}

async fn load(db: &Db, clock: &Clock) -> Result<Snapshot, DbError> {
    let mut conn = db.pool().acquire().await?;
    Ok(Snapshot {
        lines: Arc::new(super::data::list(&mut conn).await?),
        orgs: Arc::new(crate::orgs::data::list(&mut conn).await?),
        national_hours: Arc::new(super::data::national_hours(&mut conn).await?),
        offer: crate::site::Offer {
            reading: crate::content::data::any_public(&mut conn, clock.unix()).await?,
            // Every service booked here is free (the portal lists free services only).
            booking: crate::booking::data::active_services_real(&mut conn)
                .await?
                .map(|real| crate::site::BookingOffer {
                    all_free: true,
                    real,
                }),
        },
    })
}
