//! Organisations: a city bureau, the county centres under it, the schools, clinics and
//! family-education centres under those ("1+6+N"). Roles granted on one hold for all
//! below it; each may have its own hotlines.

#[cfg(feature = "ssr")]
pub mod data;

use crate::i18n::Locale;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    pub id: i64,
    pub parent_id: Option<i64>,
    pub slug: String,
    pub kind: OrgKind,
    pub name_zh: String,
    pub name_en: String,
    pub region: String,
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
pub fn ancestors_and_self(orgs: &[Org], id: i64) -> Vec<i64> {
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
pub fn subtree(orgs: &[Org], id: i64) -> Vec<i64> {
    let mut found = vec![id];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        let children: Vec<i64> = orgs
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrg {
    pub parent_id: Option<i64>,
    pub slug: String,
    pub kind: String,
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
        if OrgKind::parse(&self.kind).is_none() {
            return Err(OrgProblem::Kind);
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
            id,
            parent_id: parent,
            slug: format!("o{id}"),
            kind: OrgKind::Centre,
            name_zh: String::new(),
            name_en: String::new(),
            region: String::new(),
        }
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
        assert_eq!(ancestors_and_self(&orgs, 4), vec![4, 2, 1]);
        assert_eq!(ancestors_and_self(&orgs, 1), vec![1]);
        let mut below = subtree(&orgs, 1);
        below.sort();
        assert_eq!(below, vec![1, 2, 3, 4]);
        assert_eq!(subtree(&orgs, 2), vec![2, 4]);
        assert_eq!(subtree(&orgs, 3), vec![3]);
    }

    #[test]
    fn validation() {
        let good = NewOrg {
            parent_id: None,
            slug: " Sample-City ".into(),
            kind: "bureau".into(),
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
        let bad_kind = NewOrg {
            kind: "company".into(),
            ..good.clone()
        };
        assert_eq!(bad_kind.validated(), Err(OrgProblem::Kind));
        let no_name = NewOrg {
            name_en: " ".into(),
            ..good
        };
        assert_eq!(no_name.validated(), Err(OrgProblem::Name));
    }
}
