//! Links between a trusted identity provider's users (issuer + subject) and
//! platform users.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, EntityTrait};

use super::entities::{external_identity, user};
use super::{Store, StoreError, StoreResult};
use crate::domain::account::Username;

impl Store {
    /// The platform user `subject` of `issuer` is linked to, if any.
    pub async fn linked_user(&self, issuer: &str, subject: &str) -> StoreResult<Option<String>> {
        Ok(
            external_identity::Entity::find_by_id((issuer.to_owned(), subject.to_owned()))
                .one(&self.db)
                .await?
                .map(|m| m.username),
        )
    }

    /// Links `subject` of `issuer` to `username`, first creating that user
    /// (without a password) when `create_user`. A link that already exists
    /// is a conflict, as is creating a user whose name is taken.
    pub async fn link_identity(
        &self,
        issuer: &str,
        subject: &str,
        username: &Username,
        create_user: bool,
    ) -> StoreResult<()> {
        let now = Utc::now();
        let tx = self.begin_write().await?;
        if create_user {
            user::Entity::insert(user::ActiveModel {
                username: Set(username.as_str().to_owned()),
                password_hash: Set(None),
                created_at: Set(now),
                is_admin: Set(false),
            })
            .exec(&*tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => {
                    StoreError::Conflict(format!("user {username} already exists"))
                }
                other => other,
            })?;
        } else if user::Entity::find_by_id(username.as_str().to_owned())
            .one(&*tx)
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound("user"));
        }
        external_identity::Entity::insert(external_identity::ActiveModel {
            issuer: Set(issuer.to_owned()),
            subject: Set(subject.to_owned()),
            username: Set(username.as_str().to_owned()),
            created_at: Set(now),
        })
        .exec(&*tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("subject {subject:?} of {issuer} is already linked"))
            }
            other => other,
        })?;
        tx.commit().await?;
        Ok(())
    }
}
