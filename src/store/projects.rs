//! Queries on projects.

use chrono::Utc;
use sea_orm::{
    sea_query::Query, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::entities::{project, project_member};
use super::keys::next_key;
use super::{Store, StoreError, StoreResult};
use crate::domain::{
    ids::ProjectId,
    project::{slug, Project, ProjectName, ProjectRef},
};

impl From<project::Model> for Project {
    fn from(m: project::Model) -> Self {
        Self {
            id: ProjectId::from_stored(m.id),
            owner: m.owner,
            name: m.name,
            slug: m.slug,
            description: m.description,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

impl Store {
    pub async fn create_project(
        &self,
        owner: &str,
        name: &ProjectName,
        description: &str,
    ) -> StoreResult<Project> {
        let now = Utc::now();
        let mut row = project::ActiveModel {
            id: Set(ProjectId::generate().into_string()),
            owner: Set(owner.to_owned()),
            name: Set(name.as_str().to_owned()),
            slug: Set(slug(owner, name.as_str())),
            description: Set(description.to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        let tx = self.begin_write().await?;
        row.key = next_key(&tx, project::Entity, project::Column::Key).await?;
        let model = project::Entity::insert(row)
            .exec_with_returning(&*tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => StoreError::Conflict(format!(
                    "project {} already exists",
                    slug(owner, name.as_str())
                )),
                other => other,
            })?;
        tx.commit().await?;
        Ok(model.into())
    }

    pub async fn find_project(&self, project: &ProjectRef) -> StoreResult<Option<Project>> {
        let query = match project {
            ProjectRef::Id(id) => project::Entity::find_by_id(id.as_str().to_owned()),
            ProjectRef::Slug { owner, name } => {
                project::Entity::find().filter(project::Column::Slug.eq(slug(owner, name)))
            }
        };
        Ok(query.one(&self.db).await?.map(Into::into))
    }

    /// Projects owned by `owner`, ordered by name, after `after_name`.
    /// The projects `user` owns or is a member of, by slug.
    pub async fn list_projects(
        &self,
        user: &str,
        after_slug: Option<&str>,
        limit: u64,
    ) -> StoreResult<Vec<Project>> {
        let memberships = Query::select()
            .column(project_member::Column::ProjectId)
            .from(project_member::Entity)
            .and_where(project_member::Column::Username.eq(user))
            .to_owned();
        let mut query = project::Entity::find().filter(
            Condition::any()
                .add(project::Column::Owner.eq(user))
                .add(project::Column::Id.in_subquery(memberships)),
        );
        if let Some(after) = after_slug {
            query = query.filter(project::Column::Slug.gt(after));
        }
        let rows = query
            .order_by_asc(project::Column::Slug)
            .limit(limit)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
