//! The service identity: Appwrite's realtime endpoint takes no API keys, so the ORM listens as a
//! dedicated user, with a fresh JWT minted through the API key for every (re)connect.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{ErrorKind, Result};
use crate::transport::{Retry, Transport};

/// Who the ORM listens as. Migration grants `read("label:<label>")` on registered collections
/// so that this user receives their events.
///
/// The user should hold **no sessions**, and the ORM never creates one. `POST
/// /users/{id}/jwts` links a JWT to the user's most recent session, and Appwrite connects a
/// realtime socket as a guest — silently — once that session has expired or was deleted. A
/// JWT minted for a user without sessions carries no session, so that check never applies.
/// (Should it happen anyway, the connection task notices, reports
/// [`ListenError::WrongIdentity`](crate::ListenError::WrongIdentity) and reconnects.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceIdentity {
    /// The user id (created if missing).
    pub user_id: String,
    /// The label that grants read access.
    pub label: String,
}

impl Default for ServiceIdentity {
    fn default() -> Self {
        ServiceIdentity {
            user_id: "appwrite-orm-service".to_owned(),
            label: "appwriteorm".to_owned(),
        }
    }
}

#[derive(Deserialize)]
struct User {
    #[serde(default)]
    labels: Vec<String>,
}

#[derive(Deserialize)]
struct Jwt {
    jwt: String,
}

impl ServiceIdentity {
    /// Makes sure the user exists and carries the label.
    pub(crate) async fn ensure(&self, transport: &Transport) -> Result<()> {
        let path = format!("/users/{}", self.user_id);
        let user: User = match transport.call(Method::GET, &path, &[], None, Retry::Safe).await {
            Ok(user) => user,
            Err(err) if err.is(ErrorKind::UserNotFound) => {
                let body = json!({"userId": self.user_id, "name": "appwrite-orm service identity"});
                match transport
                    .call::<User>(Method::POST, "/users", &[], Some(&body), Retry::Safe)
                    .await
                {
                    Ok(user) => user,
                    Err(err) if err.is(ErrorKind::UserAlreadyExists) => {
                        transport.call(Method::GET, &path, &[], None, Retry::Safe).await?
                    }
                    Err(err) => return Err(err),
                }
            }
            Err(err) => return Err(err),
        };
        if !user.labels.contains(&self.label) {
            let mut labels = user.labels;
            labels.push(self.label.clone());
            let body = json!({"labels": labels});
            transport
                .call::<Value>(
                    Method::PUT,
                    &format!("{path}/labels"),
                    &[],
                    Some(&body),
                    Retry::Safe,
                )
                .await?;
        }
        Ok(())
    }

    /// A JWT for the next connection (valid for an hour; each reconnect mints a new one).
    pub(crate) async fn mint(&self, transport: &Transport) -> Result<String> {
        let path = format!("/users/{}/jwts", self.user_id);
        let jwt: Jwt = transport
            .call(
                Method::POST,
                &path,
                &[],
                Some(&json!({"duration": 3600})),
                Retry::Safe,
            )
            .await?;
        Ok(jwt.jwt)
    }
}
