//! Who is calling, which roles they hold, and permission strings.

use crate::error::{ApiError, ApiResult, ErrorType};
use crate::jwt::JwtKeys;
use crate::store::users::User;
use crate::store::Store;

/// What authenticates a request: the project's API key and the keys that sign JWTs.
pub(crate) struct Credentials {
    pub(crate) api_key: String,
    pub(crate) jwt: JwtKeys,
}

// The API key is a credential: never printed.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").finish_non_exhaustive()
    }
}

impl Credentials {
    /// Whether resolving these headers reads storage (a JWT names a user to look up).
    pub(crate) fn needs_storage(key: Option<&str>, jwt: Option<&str>) -> bool {
        key.is_none() && jwt.is_some()
    }

    /// The caller of a request from its headers. Reads the user a JWT names: call it off the
    /// async threads when [`Credentials::needs_storage`] says so.
    pub(crate) fn caller(&self, store: &Store, key: Option<&str>, jwt: Option<&str>) -> ApiResult<Caller> {
        match (key, jwt) {
            (Some(_), Some(_)) => Err(ApiError::new(ErrorType::user_key_and_session_set)),
            (Some(key), None) if constant_time_eq(key.as_bytes(), self.api_key.as_bytes()) => Ok(Caller::Key),
            (Some(_), None) => Err(ApiError::with(ErrorType::user_unauthorized, "Invalid API key")),
            (None, Some(token)) => self.user_of_jwt(store, token).map(|(caller, _)| caller),
            (None, None) => Ok(Caller::Guest),
        }
    }

    /// The user a JWT names, with the roles they hold now. Reads storage.
    pub(crate) fn user_of_jwt(&self, store: &Store, token: &str) -> ApiResult<(Caller, User)> {
        let claims = self
            .jwt
            .verify(token, chrono::Utc::now().timestamp())
            .ok_or_else(|| ApiError::new(ErrorType::user_jwt_invalid))?;
        let user = store
            .with(|c| crate::store::users::get(c, &claims.user_id))
            .map_err(|_| ApiError::new(ErrorType::user_jwt_invalid))?;
        if !user.enabled {
            return Err(ApiError::new(ErrorType::user_jwt_invalid));
        }
        Ok((Caller::user(&user.id, &user.labels, user.email_verified), user))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The identity behind a request.
#[derive(Debug, Clone)]
pub(crate) enum Caller {
    /// The configured API key: authorization checks are skipped.
    Key,
    /// A user authenticated by a JWT.
    User {
        /// The user id.
        id: String,
        /// Every role the user holds, `any` included.
        roles: Vec<String>,
    },
    /// No credentials.
    Guest,
}

impl Caller {
    /// A user's roles as Appwrite computes them: `user:<id>`, `users`, the verification variants
    /// and one `label:<l>` per label, plus `any`.
    pub(crate) fn user(id: &str, labels: &[String], verified: bool) -> Self {
        let state = if verified { "verified" } else { "unverified" };
        let mut roles = vec![
            "any".to_owned(),
            "users".to_owned(),
            format!("users/{state}"),
            format!("user:{id}"),
            format!("user:{id}/{state}"),
        ];
        roles.extend(labels.iter().map(|l| format!("label:{l}")));
        Caller::User {
            id: id.to_owned(),
            roles,
        }
    }

    pub(crate) fn is_key(&self) -> bool {
        matches!(self, Caller::Key)
    }

    /// The roles used for permission checks.
    pub(crate) fn roles(&self) -> Vec<String> {
        match self {
            Caller::Key => Vec::new(),
            Caller::User { roles, .. } => roles.clone(),
            Caller::Guest => vec!["any".to_owned(), "guests".to_owned()],
        }
    }

    /// Whether one of `permissions` grants `action` to this caller.
    pub(crate) fn can(&self, action: &str, permissions: &[String]) -> bool {
        match self {
            Caller::Key => true,
            _ => {
                let roles = self.roles();
                permissions
                    .iter()
                    .any(|p| parse(p).is_some_and(|(a, r)| a == action && roles.iter().any(|role| role == r)))
            }
        }
    }

    /// The `permission("role")` strings that grant `action` to this caller, for SQL filters.
    pub(crate) fn grants(&self, action: &str) -> Vec<String> {
        self.roles()
            .iter()
            .map(|role| format!("{action}(\"{role}\")"))
            .collect()
    }

    /// The error for a schema route called without the API key.
    pub(crate) fn require_key(&self, scope: &str) -> ApiResult<()> {
        match self {
            Caller::Key => Ok(()),
            Caller::User { .. } => Err(ApiError::with(
                ErrorType::general_unauthorized_scope,
                format!("User (role: users) missing scopes ([\"{scope}\"])"),
            )),
            Caller::Guest => Err(ApiError::with(
                ErrorType::general_unauthorized_scope,
                format!("User (role: guests) missing scopes ([\"{scope}\"])"),
            )),
        }
    }
}

fn parse(permission: &str) -> Option<(&str, &str)> {
    let (action, rest) = permission.split_once("(\"")?;
    Some((action, rest.strip_suffix("\")")?))
}

fn valid_role(role: &str) -> bool {
    if matches!(
        role,
        "any" | "guests" | "users" | "users/verified" | "users/unverified"
    ) {
        return true;
    }
    let Some((kind, rest)) = role.split_once(':') else {
        return false;
    };
    let (id, qualifier) = rest.split_once('/').map_or((rest, None), |(a, b)| (a, Some(b)));
    !id.is_empty()
        && match (kind, qualifier) {
            ("user", None | Some("verified" | "unverified"))
            | ("team", None)
            | ("member", None)
            | ("label", None) => true,
            ("team", Some(r)) => !r.is_empty(),
            _ => false,
        }
}

/// Where permissions are set: collections accept `create`; documents do not.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Collection,
    Document,
}

/// Validates a `permissions` param and expands `write` into its parts, as Appwrite stores them.
pub(crate) fn normalize_permissions(permissions: &[String], scope: Scope) -> ApiResult<Vec<String>> {
    if permissions.len() > 100 {
        return Err(ApiError::param(
            "permissions",
            "Value must a valid array no longer than 100 items",
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for permission in permissions {
        let (action, role) = parse(permission).ok_or_else(|| {
            ApiError::param("permissions", format!("Permission \"{permission}\" is not allowed. Must be one of: read, create, update, delete, write."))
        })?;
        if !valid_role(role) {
            return Err(ApiError::param("permissions", format!("Role \"{role}\" is not allowed. Must be one of: any, guests, users, user, team, member, label.")));
        }
        let expanded: &[&str] = match (action, scope) {
            ("read", _) => &["read"],
            ("create", Scope::Collection) => &["create"],
            ("update", _) => &["update"],
            ("delete", _) => &["delete"],
            ("write", Scope::Collection) => &["create", "update", "delete"],
            ("write", Scope::Document) => &["update", "delete"],
            _ => {
                return Err(ApiError::param(
                    "permissions",
                    format!(
                    "Permission \"{action}\" is not allowed. Must be one of: read, update, delete, write."
                ),
                ))
            }
        };
        for action in expanded {
            let text = format!("{action}(\"{role}\")");
            if !out.contains(&text) {
                out.push(text);
            }
        }
    }
    Ok(out)
}

/// Non-key callers may only grant roles they hold themselves.
pub(crate) fn check_grantable(caller: &Caller, permissions: &[String]) -> ApiResult<()> {
    if caller.is_key() {
        return Ok(());
    }
    let roles = caller.roles();
    for permission in permissions {
        if let Some((_, role)) = parse(permission) {
            if !roles.iter().any(|r| r == role) {
                return Err(ApiError::with(
                    ErrorType::user_unauthorized,
                    format!("Permissions must be one of: ({})", roles.join(", ")),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_expands_per_scope_and_bad_strings_are_rejected() {
        let p = vec!["write(\"users\")".to_owned(), "read(\"any\")".to_owned()];
        assert_eq!(
            normalize_permissions(&p, Scope::Document).unwrap(),
            ["update(\"users\")", "delete(\"users\")", "read(\"any\")"]
        );
        assert_eq!(normalize_permissions(&p, Scope::Collection).unwrap().len(), 4);
        assert!(normalize_permissions(&["create(\"any\")".to_owned()], Scope::Document).is_err());
        assert!(normalize_permissions(&["read(\"everyone\")".to_owned()], Scope::Collection).is_err());
        assert!(normalize_permissions(&["read(any)".to_owned()], Scope::Collection).is_err());
    }

    #[test]
    fn roles_decide_what_a_caller_can_do() {
        let user = Caller::user("u1", &["staff".to_owned()], false);
        let perms = vec![
            "read(\"label:staff\")".to_owned(),
            "update(\"user:u2\")".to_owned(),
        ];
        assert!(user.can("read", &perms));
        assert!(!user.can("update", &perms));
        assert!(!Caller::Guest.can("read", &perms));
        assert!(Caller::Guest.can("read", &["read(\"any\")".to_owned()]));
        assert!(Caller::Key.can("delete", &[]));
        assert!(check_grantable(&user, &["read(\"user:u2\")".to_owned()]).is_err());
    }
}
