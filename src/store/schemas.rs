//! Queries on `schemas`: the versions of metadata schemas administrators
//! put. A version is written once and never changed.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use super::entities::schema;
use super::{Store, StoreError, StoreResult};

/// One stored version of a schema, as it was put.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSchema {
    pub name: String,
    pub version: u32,
    /// The document as given (YAML or JSON).
    pub source: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A version to store.
#[derive(Debug, Clone)]
pub struct NewSchema {
    pub name: String,
    pub version: u32,
    pub source: String,
    pub created_by: String,
}

/// What [`Store::insert_schema`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaInsert {
    Inserted(StoredSchema),
    /// The version is not above `latest`, the highest stored version or the
    /// floor given, whichever is higher; `stored` says whether this exact
    /// version is stored already.
    NotNewer {
        latest: u32,
        stored: bool,
    },
}

impl TryFrom<schema::Model> for StoredSchema {
    type Error = StoreError;

    fn try_from(m: schema::Model) -> Result<Self, Self::Error> {
        let version = u32::try_from(m.version).map_err(|_| {
            StoreError::Corrupt(format!("schema {} has version {}", m.name, m.version))
        })?;
        Ok(Self {
            name: m.name,
            version,
            source: m.source,
            created_by: m.created_by,
            created_at: m.created_at,
        })
    }
}

fn rows(models: Vec<schema::Model>) -> StoreResult<Vec<StoredSchema>> {
    models.into_iter().map(StoredSchema::try_from).collect()
}

impl Store {
    /// Stores `new` if its version is above every stored version of its name
    /// and above `floor` (versions that exist outside the store). The check
    /// and the insert are one step: concurrent puts of one name are
    /// serialized, so the versions of a name only ever grow.
    pub async fn insert_schema(&self, new: NewSchema, floor: u32) -> StoreResult<SchemaInsert> {
        let tx = self.begin_write().await?;
        if self.is_postgres() {
            // Self-conflicting, so concurrent inserts wait for each other;
            // reads are not blocked.
            tx.execute_unprepared("LOCK TABLE schemas IN SHARE ROW EXCLUSIVE MODE")
                .await?;
        }
        let stored_latest = latest_version(&*tx, &new.name).await?;
        let latest = stored_latest.unwrap_or(0).max(floor);
        if new.version <= latest {
            let stored = schema::Entity::find_by_id((new.name.clone(), i64::from(new.version)))
                .one(&*tx)
                .await?
                .is_some();
            return Ok(SchemaInsert::NotNewer { latest, stored });
        }
        let row = schema::ActiveModel {
            name: Set(new.name.clone()),
            version: Set(i64::from(new.version)),
            source: Set(new.source),
            created_by: Set(new.created_by),
            created_at: Set(Utc::now()),
        };
        let model = schema::Entity::insert(row)
            .exec_with_returning(&*tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => StoreError::Conflict(format!(
                    "schema {}@{} already exists",
                    new.name, new.version
                )),
                other => other,
            })?;
        tx.commit().await?;
        Ok(SchemaInsert::Inserted(model.try_into()?))
    }

    pub async fn get_schema(&self, name: &str, version: u32) -> StoreResult<Option<StoredSchema>> {
        schema::Entity::find_by_id((name.to_owned(), i64::from(version)))
            .one(&self.db)
            .await?
            .map(StoredSchema::try_from)
            .transpose()
    }

    /// The highest stored version of `name`.
    pub async fn latest_schema(&self, name: &str) -> StoreResult<Option<StoredSchema>> {
        schema::Entity::find()
            .filter(schema::Column::Name.eq(name))
            .order_by_desc(schema::Column::Version)
            .one(&self.db)
            .await?
            .map(StoredSchema::try_from)
            .transpose()
    }

    /// The highest stored version of every name, by name.
    pub async fn list_latest_schemas(&self) -> StoreResult<Vec<StoredSchema>> {
        let latest: Vec<(String, i64)> = schema::Entity::find()
            .select_only()
            .column(schema::Column::Name)
            .column_as(Expr::col(schema::Column::Version).max(), "version")
            .group_by(schema::Column::Name)
            .into_tuple()
            .all(&self.db)
            .await?;
        if latest.is_empty() {
            return Ok(Vec::new());
        }
        let mut wanted = Condition::any();
        for (name, version) in latest {
            wanted = wanted.add(
                Condition::all()
                    .add(schema::Column::Name.eq(name))
                    .add(schema::Column::Version.eq(version)),
            );
        }
        rows(
            schema::Entity::find()
                .filter(wanted)
                .order_by_asc(schema::Column::Name)
                .all(&self.db)
                .await?,
        )
    }

    /// Every stored version of `name`, newest first.
    pub async fn list_schema_versions(&self, name: &str) -> StoreResult<Vec<StoredSchema>> {
        rows(
            schema::Entity::find()
                .filter(schema::Column::Name.eq(name))
                .order_by_desc(schema::Column::Version)
                .all(&self.db)
                .await?,
        )
    }
}

async fn latest_version(db: &impl ConnectionTrait, name: &str) -> StoreResult<Option<u32>> {
    let latest: Option<Option<i64>> = schema::Entity::find()
        .select_only()
        .column_as(Expr::col(schema::Column::Version).max(), "version")
        .filter(schema::Column::Name.eq(name))
        .into_tuple()
        .one(db)
        .await?;
    latest
        .flatten()
        .map(|v| {
            u32::try_from(v)
                .map_err(|_| StoreError::Corrupt(format!("schema {name} has version {v}")))
        })
        .transpose()
}
