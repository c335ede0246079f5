//! Queries on users, OAuth clients, project members and signing keys.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};

use super::entities::{oauth_client, project_member, signing_key, user};
use super::{Store, StoreError, StoreResult};
use crate::domain::{
    account::{Role, Username, DASHBOARD_CLIENT_ID, DASHBOARD_REDIRECT_PATH, DASHBOARD_SCOPES},
    ids::ProjectId,
};

#[derive(Debug, Clone, PartialEq)]
pub struct StoredUser {
    pub username: String,
    pub password_hash: Option<String>,
    pub created_at: DateTime<Utc>,
    /// May hold the `admin` scope.
    pub is_admin: bool,
}

impl From<user::Model> for StoredUser {
    fn from(m: user::Model) -> Self {
        Self {
            username: m.username,
            password_hash: m.password_hash,
            created_at: m.created_at,
            is_admin: m.is_admin,
        }
    }
}

/// A registered client. Its secret is only ever held as a hash.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredClient {
    pub client_id: String,
    pub name: String,
    pub owner: String,
    /// `None` for a public client, which has no secret.
    pub secret_hash: Option<String>,
    pub redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

pub struct NewClient {
    pub client_id: String,
    pub name: String,
    pub owner: Username,
    /// `None` makes a public client.
    pub secret_hash: Option<String>,
    pub redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
}

#[derive(Clone)]
pub struct StoredSigningKey {
    pub kid: String,
    pub private_pem: String,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

fn json_list(raw: &str, what: &str) -> StoreResult<Vec<String>> {
    serde_json::from_str(raw).map_err(|_| StoreError::Corrupt(format!("unreadable {what}")))
}

fn to_json(list: &[String]) -> StoreResult<String> {
    serde_json::to_string(list).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl StoredClient {
    pub fn is_public(&self) -> bool {
        self.secret_hash.is_none()
    }

    /// A public client that runs in web pages: one of its redirect URIs is
    /// on the web (this server's own path, or an http(s) host that is not a
    /// loopback address), as opposed to a native app's loopback or
    /// private-use scheme redirect (RFC 8252).
    pub fn is_browser_app(&self) -> bool {
        self.is_public()
            && self.redirect_uris.iter().any(|uri| {
                uri.starts_with('/')
                    || url::Url::parse(uri).is_ok_and(|url| {
                        matches!(url.scheme(), "http" | "https")
                            && !matches!(url.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"))
                    })
            })
    }

    /// The built-in dashboard: public, with its redirect relative to the
    /// issuer (the authorization endpoint resolves it).
    fn dashboard() -> Self {
        Self {
            client_id: DASHBOARD_CLIENT_ID.to_owned(),
            name: "fhir-import dashboard".to_owned(),
            owner: String::new(),
            secret_hash: None,
            redirect_uris: vec![DASHBOARD_REDIRECT_PATH.to_owned()],
            scopes: DASHBOARD_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            revoked_at: None,
            created_at: DateTime::UNIX_EPOCH,
        }
    }
}

impl TryFrom<oauth_client::Model> for StoredClient {
    type Error = StoreError;

    fn try_from(m: oauth_client::Model) -> StoreResult<Self> {
        Ok(Self {
            redirect_uris: json_list(&m.redirect_uris, "redirect uris")?,
            scopes: json_list(&m.scopes, "scopes")?,
            client_id: m.client_id,
            name: m.name,
            owner: m.owner,
            secret_hash: (!m.is_public).then_some(m.secret_hash),
            revoked_at: m.revoked_at,
            created_at: m.created_at,
        })
    }
}

impl Store {
    pub async fn create_user(
        &self,
        username: &Username,
        password_hash: Option<String>,
    ) -> StoreResult<StoredUser> {
        let row = user::ActiveModel {
            username: Set(username.as_str().to_owned()),
            password_hash: Set(password_hash),
            created_at: Set(Utc::now()),
            is_admin: Set(false),
        };
        let tx = self.begin_write().await?;
        let model = user::Entity::insert(row)
            .exec_with_returning(&*tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => {
                    StoreError::Conflict(format!("user {username} already exists"))
                }
                other => other,
            })?;
        tx.commit().await?;
        Ok(model.into())
    }

    pub async fn find_user(&self, username: &str) -> StoreResult<Option<StoredUser>> {
        Ok(user::Entity::find_by_id(username.to_owned())
            .one(&self.db)
            .await?
            .map(StoredUser::from))
    }

    /// Grants or takes back the admin role; false when there is no such user.
    pub async fn set_user_admin(&self, username: &str, is_admin: bool) -> StoreResult<bool> {
        let tx = self.begin_write().await?;
        let updated = user::Entity::update_many()
            .col_expr(
                user::Column::IsAdmin,
                sea_orm::sea_query::Expr::value(is_admin),
            )
            .filter(user::Column::Username.eq(username))
            .exec(&*tx)
            .await?
            .rows_affected;
        tx.commit().await?;
        Ok(updated == 1)
    }

    pub async fn create_client(&self, new: NewClient) -> StoreResult<StoredClient> {
        let now = Utc::now();
        let row = oauth_client::ActiveModel {
            client_id: Set(new.client_id),
            name: Set(new.name),
            owner: Set(new.owner.as_str().to_owned()),
            is_public: Set(new.secret_hash.is_none()),
            secret_hash: Set(new.secret_hash.unwrap_or_default()),
            redirect_uris: Set(to_json(&new.redirect_uris)?),
            scopes: Set(to_json(&new.scopes)?),
            revoked_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        };
        let tx = self.begin_write().await?;
        let model = oauth_client::Entity::insert(row)
            .exec_with_returning(&*tx)
            .await?;
        tx.commit().await?;
        model.try_into()
    }

    /// The client with this id: a registered one, or the built-in
    /// dashboard (which has no row: it belongs to no user).
    pub async fn find_client(&self, client_id: &str) -> StoreResult<Option<StoredClient>> {
        if client_id == DASHBOARD_CLIENT_ID {
            return Ok(Some(StoredClient::dashboard()));
        }
        oauth_client::Entity::find_by_id(client_id.to_owned())
            .one(&self.db)
            .await?
            .map(StoredClient::try_from)
            .transpose()
    }

    /// Replaces a client's secret hash; false when there is no such client
    /// (or it is public: it has no secret).
    pub async fn set_client_secret(&self, client_id: &str, secret_hash: &str) -> StoreResult<bool> {
        let tx = self.begin_write().await?;
        let updated = oauth_client::Entity::update_many()
            .col_expr(oauth_client::Column::SecretHash, Expr::value(secret_hash))
            .col_expr(oauth_client::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(oauth_client::Column::ClientId.eq(client_id))
            .filter(oauth_client::Column::IsPublic.eq(false))
            .exec(&*tx)
            .await?
            .rows_affected;
        tx.commit().await?;
        Ok(updated == 1)
    }

    /// Marks a client revoked; false when there is no such client.
    pub async fn revoke_client(&self, client_id: &str) -> StoreResult<bool> {
        let tx = self.begin_write().await?;
        let now = Utc::now();
        let updated = oauth_client::Entity::update_many()
            .col_expr(oauth_client::Column::RevokedAt, Expr::value(now))
            .col_expr(oauth_client::Column::UpdatedAt, Expr::value(now))
            .filter(oauth_client::Column::ClientId.eq(client_id))
            .exec(&*tx)
            .await?
            .rows_affected;
        tx.commit().await?;
        Ok(updated == 1)
    }

    /// Gives `username` the role in the project, replacing any earlier one.
    pub async fn set_member(
        &self,
        project_id: &ProjectId,
        username: &Username,
        role: Role,
    ) -> StoreResult<()> {
        let row = project_member::ActiveModel {
            project_id: Set(project_id.as_str().to_owned()),
            username: Set(username.as_str().to_owned()),
            role: Set(role.as_str().to_owned()),
            created_at: Set(Utc::now()),
        };
        let tx = self.begin_write().await?;
        project_member::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    project_member::Column::ProjectId,
                    project_member::Column::Username,
                ])
                .update_column(project_member::Column::Role)
                .to_owned(),
            )
            .exec(&*tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn member_role(
        &self,
        project_id: &ProjectId,
        username: &str,
    ) -> StoreResult<Option<Role>> {
        let row = project_member::Entity::find()
            .filter(project_member::Column::ProjectId.eq(project_id.as_str()))
            .filter(project_member::Column::Username.eq(username))
            .one(&self.db)
            .await?;
        row.map(|m| {
            Role::parse(&m.role)
                .map_err(|_| StoreError::Corrupt(format!("unknown role {:?}", m.role)))
        })
        .transpose()
    }

    pub async fn signing_keys(&self) -> StoreResult<Vec<StoredSigningKey>> {
        Ok(signing_key::Entity::find()
            .order_by_asc(signing_key::Column::CreatedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| StoredSigningKey {
                kid: m.kid,
                private_pem: m.private_pem,
                created_at: m.created_at,
                retired_at: m.retired_at,
            })
            .collect())
    }

    pub async fn insert_signing_key(&self, key: &StoredSigningKey) -> StoreResult<()> {
        let row = signing_key::ActiveModel {
            kid: Set(key.kid.clone()),
            private_pem: Set(key.private_pem.clone()),
            created_at: Set(key.created_at),
            retired_at: Set(key.retired_at),
        };
        let tx = self.begin_write().await?;
        signing_key::Entity::insert(row).exec(&*tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Retires every key in use and stores `new` as the signing key, in one
    /// transaction; returns the ids of the keys retired.
    pub async fn rotate_signing_key(&self, new: &StoredSigningKey) -> StoreResult<Vec<String>> {
        let tx = self.begin_write().await?;
        let active: Vec<String> = signing_key::Entity::find()
            .filter(signing_key::Column::RetiredAt.is_null())
            .all(&*tx)
            .await?
            .into_iter()
            .map(|m| m.kid)
            .collect();
        signing_key::Entity::update_many()
            .col_expr(signing_key::Column::RetiredAt, Expr::value(new.created_at))
            .filter(signing_key::Column::RetiredAt.is_null())
            .exec(&*tx)
            .await?;
        signing_key::Entity::insert(signing_key::ActiveModel {
            kid: Set(new.kid.clone()),
            private_pem: Set(new.private_pem.clone()),
            created_at: Set(new.created_at),
            retired_at: Set(None),
        })
        .exec(&*tx)
        .await?;
        tx.commit().await?;
        Ok(active)
    }
}
