//! Users, their labels, and what a JWT needs to know about them.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{json, Value};

use super::string_list;
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::ids;

/// A stored user.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub labels: Vec<String>,
    pub enabled: bool,
    pub email_verified: bool,
    pub created: String,
    pub updated: String,
}

impl User {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "$id": self.id, "$createdAt": self.created, "$updatedAt": self.updated, "name": self.name,
            "registration": self.created, "status": self.enabled, "labels": self.labels,
            "passwordUpdate": "", "email": self.email.clone().unwrap_or_default(),
            "phone": self.phone.clone().unwrap_or_default(), "emailVerification": self.email_verified,
            "phoneVerification": false, "mfa": false, "prefs": {}, "targets": [], "accessedAt": "",
        })
    }
}

fn read(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        name: r.get(1)?,
        email: r.get(2)?,
        phone: r.get(3)?,
        labels: string_list(&r.get::<_, String>(4)?),
        enabled: r.get(5)?,
        email_verified: r.get(6)?,
        created: r.get(7)?,
        updated: r.get(8)?,
    })
}

const COLUMNS: &str = "id, name, email, phone, labels, status, email_verified, created, updated";

pub(crate) fn create(
    c: &mut Connection,
    id: &str,
    name: &str,
    email: Option<&str>,
    phone: Option<&str>,
) -> ApiResult<User> {
    let taken: bool = c.query_row(
        "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1 OR (email IS NOT NULL AND email = ?2) OR (phone IS NOT NULL AND phone = ?3))",
        params![id, email, phone],
        |r| r.get(0),
    )?;
    if taken {
        return Err(ApiError::new(ErrorType::user_already_exists));
    }
    let now = ids::now();
    c.execute(
        "INSERT INTO users (id, name, email, phone, labels, status, email_verified, created, updated) VALUES (?1, ?2, ?3, ?4, '[]', 1, 0, ?5, ?5)",
        params![id, name, email, phone, now],
    )?;
    get(c, id)
}

pub(crate) fn get(c: &Connection, id: &str) -> ApiResult<User> {
    c.query_row(&format!("SELECT {COLUMNS} FROM users WHERE id = ?1"), [id], read)
        .optional()?
        .ok_or_else(|| ApiError::new(ErrorType::user_not_found))
}

pub(crate) fn list(c: &Connection) -> ApiResult<Vec<User>> {
    let mut stmt = c.prepare(&format!("SELECT {COLUMNS} FROM users ORDER BY seq"))?;
    let users = stmt.query_map([], read)?.collect::<Result<_, _>>()?;
    Ok(users)
}

/// Labels are 1–36 alphanumeric characters, at most 1000 per user.
pub(crate) fn set_labels(c: &mut Connection, id: &str, labels: &[String]) -> ApiResult<User> {
    get(c, id)?;
    if labels.len() > 1000
        || labels
            .iter()
            .any(|l| l.is_empty() || l.len() > 36 || !l.chars().all(|ch| ch.is_ascii_alphanumeric()))
    {
        return Err(ApiError::param("labels", "Value must a valid array no longer than 1000 items and Value must be a valid string and at least 1 chars and no longer than 36 chars"));
    }
    let mut unique: Vec<&String> = Vec::new();
    for label in labels {
        if !unique.contains(&label) {
            unique.push(label);
        }
    }
    c.execute(
        "UPDATE users SET labels = ?2, updated = ?3 WHERE id = ?1",
        params![id, json!(unique).to_string(), ids::now()],
    )?;
    get(c, id)
}
