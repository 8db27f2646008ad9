//! Organisations: a city bureau, the county centres under it, the schools, clinics and
//! family-education centres under those ("1+6+N"). Roles granted on one hold for all
//! below it; each may have its own hotlines.

#[cfg(feature = "ssr")]
pub mod data;
#[cfg(feature = "ssr")]
pub mod service;

use crate::i18n::Locale;
use crate::ids::OrgId;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrgKind {
    Bureau,
    Centre,
    Clinic,
    School,
    FamilyCentre,
}

crate::i18n::named!(OrgKind, "org-kind" {
    Bureau => "bureau",
    Centre => "centre",
    Clinic => "clinic",
    School => "school",
    FamilyCentre => "family-centre",
});

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Org {
    pub id: OrgId,
    pub parent_id: Option<OrgId>,
    pub slug: String,
    pub kind: OrgKind,
    pub name_zh: String,
    pub name_en: String,
    pub region: String,
    /// One person may approve their own writing here (an organisation of one).
    pub allow_self_approval: bool,
}

impl Org {
    pub fn name(&self, locale: Locale) -> &str {
        match locale {
            Locale::Zh => &self.name_zh,
            Locale::En => &self.name_en,
        }
    }
}

/// `id` and the ids of every organisation above it, nearest first.
pub fn ancestors_and_self(orgs: &[Org], id: OrgId) -> Vec<OrgId> {
    let mut chain = Vec::new();
    let mut current = Some(id);
    while let Some(at) = current {
        if chain.contains(&at) {
            break; // a cycle cannot be stored, but never loop on one
        }
        chain.push(at);
        current = orgs.iter().find(|o| o.id == at).and_then(|o| o.parent_id);
    }
    chain
}

/// `id` and every organisation below it.
pub fn subtree(orgs: &[Org], id: OrgId) -> Vec<OrgId> {
    let mut found = vec![id];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        let children: Vec<OrgId> = orgs
            .iter()
            .filter(|o| o.parent_id == Some(parent) && !found.contains(&o.id))
            .map(|o| o.id)
            .collect();
        found.extend(children);
        i += 1;
    }
    found
}

/// A new organisation as an admin or the command line gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrg {
    pub parent_id: Option<OrgId>,
    pub slug: String,
    pub kind: OrgKind,
    pub name_zh: String,
    pub name_en: String,
    pub region: String,
}

crate::i18n::keyed! {
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum OrgProblem {
        Slug => "org-error-slug",
        Kind => "org-error-kind",
        Name => "org-error-name",
        Region => "org-error-region",
    }
}

impl OrgProblem {
    /// The form field the problem is in.
    pub fn field(self) -> &'static str {
        match self {
            OrgProblem::Slug => "slug",
            OrgProblem::Kind => "kind",
            OrgProblem::Name => "name",
            OrgProblem::Region => "region",
        }
    }
}

impl NewOrg {
    pub fn validated(mut self) -> Result<NewOrg, OrgProblem> {
        self.slug = self.slug.trim().to_ascii_lowercase();
        self.name_zh = self.name_zh.trim().to_string();
        self.name_en = self.name_en.trim().to_string();
        self.region = self.region.trim().to_string();
        let slug_ok = (2..=40).contains(&self.slug.len())
            && self
                .slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !self.slug.starts_with('-');
        if !slug_ok {
            return Err(OrgProblem::Slug);
        }
        let name_ok = |n: &str| (1..=80).contains(&n.chars().count());
        if !name_ok(&self.name_zh) || !name_ok(&self.name_en) {
            return Err(OrgProblem::Name);
        }
        if !(1..=60).contains(&self.region.chars().count()) {
            return Err(OrgProblem::Region);
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn ids(raw: &[i64]) -> Vec<OrgId> {
        raw.iter().copied().map(OrgId).collect()
    }

    #[test]
    fn tree_walks() {
        // 1 city -> 2, 3 counties -> 4 school under 2
        let orgs = [
            org(1, None),
            org(2, Some(1)),
            org(3, Some(1)),
            org(4, Some(2)),
        ];
        assert_eq!(ancestors_and_self(&orgs, OrgId(4)), ids(&[4, 2, 1]));
        assert_eq!(ancestors_and_self(&orgs, OrgId(1)), ids(&[1]));
        let mut below = subtree(&orgs, OrgId(1));
        below.sort();
        assert_eq!(below, ids(&[1, 2, 3, 4]));
        assert_eq!(subtree(&orgs, OrgId(2)), ids(&[2, 4]));
        assert_eq!(subtree(&orgs, OrgId(3)), ids(&[3]));
    }

    #[test]
    fn validation() {
        let good = NewOrg {
            parent_id: None,
            slug: " Sample-City ".into(),
            kind: OrgKind::Bureau,
            name_zh: "示例市教育局".into(),
            name_en: "Sample City Education Bureau".into(),
            region: "示例市".into(),
        };
        assert_eq!(good.clone().validated().unwrap().slug, "sample-city");
        let bad_slug = NewOrg {
            slug: "示例".into(),
            ..good.clone()
        };
        assert_eq!(bad_slug.validated(), Err(OrgProblem::Slug));
        assert_eq!(OrgKind::parse("company"), None);
        let no_name = NewOrg {
            name_en: " ".into(),
            ..good
        };
        assert_eq!(no_name.validated(), Err(OrgProblem::Name));
    }
}
