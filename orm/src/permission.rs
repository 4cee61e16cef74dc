//! Typed Appwrite permissions: `read("users")`, `update("user:42")`, …
//!
//! Appwrite stores a permission as the string `<action>("<role>")`. [`Permission`] and [`Role`]
//! build and parse those strings so that a typo in a role is an error here rather than a `400`
//! from the server.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a [`Permission`] allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Read documents (`read`).
    Read,
    /// Create documents; collection level only (`create`).
    Create,
    /// Update documents (`update`).
    Update,
    /// Delete documents (`delete`).
    Delete,
    /// Shorthand Appwrite expands to create + update + delete (`write`).
    Write,
}

impl Action {
    /// The action's name on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Write => "write",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "read" => Action::Read,
            "create" => Action::Create,
            "update" => Action::Update,
            "delete" => Action::Delete,
            "write" => Action::Write,
            _ => return None,
        })
    }
}

/// Who a [`Permission`] is granted to.
///
/// The variants mirror Appwrite's role grammar: `any`, `guests`, `users`, `users/verified`,
/// `user:<id>`, `user:<id>/verified`, `team:<id>`, `team:<id>/<role>`, `member:<id>` and
/// `label:<name>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Everyone, signed in or not.
    Any,
    /// Callers without a session.
    Guests,
    /// Every signed-in user, optionally only (un)verified ones.
    Users(Option<Verification>),
    /// One user, optionally only while (un)verified.
    User(Cow<'static, str>, Option<Verification>),
    /// Members of a team, optionally only those holding a team role.
    Team(Cow<'static, str>, Option<Cow<'static, str>>),
    /// One team membership.
    Member(Cow<'static, str>),
    /// Users carrying a label.
    Label(Cow<'static, str>),
}

/// The verification qualifier of `users/verified` and `user:<id>/unverified`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verification {
    /// Email or phone verified.
    Verified,
    /// Neither verified.
    Unverified,
}

impl Verification {
    const fn as_str(self) -> &'static str {
        match self {
            Verification::Verified => "verified",
            Verification::Unverified => "unverified",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "verified" => Some(Verification::Verified),
            "unverified" => Some(Verification::Unverified),
            _ => None,
        }
    }
}

impl Role {
    /// `any`.
    pub const fn any() -> Self {
        Role::Any
    }

    /// `guests`.
    pub const fn guests() -> Self {
        Role::Guests
    }

    /// `users`.
    pub const fn users() -> Self {
        Role::Users(None)
    }

    /// `user:<id>`.
    pub fn user(id: impl Into<Cow<'static, str>>) -> Self {
        Role::User(id.into(), None)
    }

    /// `team:<id>`.
    pub fn team(id: impl Into<Cow<'static, str>>) -> Self {
        Role::Team(id.into(), None)
    }

    /// `member:<id>`.
    pub fn member(id: impl Into<Cow<'static, str>>) -> Self {
        Role::Member(id.into())
    }

    /// `label:<name>`.
    pub fn label(name: impl Into<Cow<'static, str>>) -> Self {
        Role::Label(name.into())
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let suffix = |f: &mut fmt::Formatter<'_>, v: &Option<Verification>| match v {
            Some(v) => write!(f, "/{}", v.as_str()),
            None => Ok(()),
        };
        match self {
            Role::Any => f.write_str("any"),
            Role::Guests => f.write_str("guests"),
            Role::Users(v) => {
                f.write_str("users")?;
                suffix(f, v)
            }
            Role::User(id, v) => {
                write!(f, "user:{id}")?;
                suffix(f, v)
            }
            Role::Team(id, None) => write!(f, "team:{id}"),
            Role::Team(id, Some(role)) => write!(f, "team:{id}/{role}"),
            Role::Member(id) => write!(f, "member:{id}"),
            Role::Label(name) => write!(f, "label:{name}"),
        }
    }
}

/// A role or permission string that does not follow Appwrite's grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} `{text}`: {reason}")]
pub struct ParsePermissionError {
    what: &'static str,
    text: String,
    reason: &'static str,
}

impl ParsePermissionError {
    pub(crate) fn not_a_list(text: &str) -> Self {
        ParsePermissionError {
            what: "permission list",
            text: text.chars().take(200).collect(),
            reason: "expected a list of strings",
        }
    }

    fn role(text: &str, reason: &'static str) -> Self {
        ParsePermissionError {
            what: "role",
            text: text.to_owned(),
            reason,
        }
    }
}

// A role as written, borrowing from the text, so that a malformed role is rejected before any
// allocation.
enum RoleShape<'a> {
    Any,
    Guests,
    Users(Option<Verification>),
    User(&'a str, Option<Verification>),
    Team(&'a str, Option<&'a str>),
    Member(&'a str),
    Label(&'a str),
}

impl<'a> RoleShape<'a> {
    fn parse(text: &'a str) -> Result<Self, &'static str> {
        if text.bytes().any(|b| b.is_ascii_control() || b == b'"') {
            return Err("a role cannot contain quotes or control characters");
        }
        let (name, rest) = match text.bytes().position(|b| b == b':') {
            Some(colon) => (&text[..colon], Some(&text[colon + 1..])),
            None => (text, None),
        };
        let (id, qualifier) = match rest {
            Some(rest) => match rest.bytes().position(|b| b == b'/') {
                Some(slash) => (Some(&rest[..slash]), Some(&rest[slash + 1..])),
                None => (Some(rest), None),
            },
            None => (None, None),
        };
        if id.is_some_and(str::is_empty) {
            return Err("the id after `:` is empty");
        }
        let verification = |q: Option<&str>| match q {
            None => Ok(None),
            Some(q) => Verification::parse(q)
                .map(Some)
                .ok_or("expected `/verified` or `/unverified`"),
        };
        match (name, id) {
            ("any", None) => Ok(RoleShape::Any),
            ("guests", None) => Ok(RoleShape::Guests),
            ("users", None) => Ok(RoleShape::Users(None)),
            ("users/verified", None) => Ok(RoleShape::Users(Some(Verification::Verified))),
            ("users/unverified", None) => Ok(RoleShape::Users(Some(Verification::Unverified))),
            ("user", Some(id)) => Ok(RoleShape::User(id, verification(qualifier)?)),
            // A team role, when given, names something: `team:t1/` is refused like Appwrite does.
            ("team", Some(id)) if qualifier != Some("") => Ok(RoleShape::Team(id, qualifier)),
            ("member", Some(id)) if qualifier.is_none() => Ok(RoleShape::Member(id)),
            ("label", Some(id)) if qualifier.is_none() => Ok(RoleShape::Label(id)),
            _ => Err("expected one of `any`, `guests`, `users`, `users/verified`, `users/unverified`, `user:<id>`, `user:<id>/verified`, `team:<id>`, `team:<id>/<role>`, `member:<id>`, `label:<name>`"),
        }
    }

    fn into_role(self) -> Role {
        let owned = |s: &str| Cow::Owned(s.to_owned());
        match self {
            RoleShape::Any => Role::Any,
            RoleShape::Guests => Role::Guests,
            RoleShape::Users(v) => Role::Users(v),
            RoleShape::User(id, v) => Role::User(owned(id), v),
            RoleShape::Team(id, role) => Role::Team(owned(id), role.map(owned)),
            RoleShape::Member(id) => Role::Member(owned(id)),
            RoleShape::Label(name) => Role::Label(owned(name)),
        }
    }
}

impl FromStr for Role {
    type Err = ParsePermissionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        RoleShape::parse(text)
            .map(RoleShape::into_role)
            .map_err(|reason| ParsePermissionError::role(text, reason))
    }
}

fn parse_permission(text: &str) -> Result<(Action, RoleShape<'_>), ParsePermissionError> {
    let invalid = |reason| ParsePermissionError {
        what: "permission",
        text: text.to_owned(),
        reason,
    };
    // Byte positions rather than substring searches: this runs for every permission of every
    // decoded document.
    let open = text
        .bytes()
        .position(|b| b == b'(')
        .ok_or_else(|| invalid("expected `action(\"role\")`"))?;
    let role = text
        .get(open + 1..)
        .and_then(|rest| rest.strip_prefix('"'))
        .and_then(|rest| rest.strip_suffix("\")"))
        .ok_or_else(|| invalid("expected `action(\"role\")`"))?;
    let action = Action::parse(&text[..open])
        .ok_or_else(|| invalid("the action must be one of `read`, `create`, `update`, `delete`, `write`"))?;
    let role = RoleShape::parse(role).map_err(|reason| ParsePermissionError::role(role, reason))?;
    Ok((action, role))
}

/// One permission: an [`Action`] granted to a [`Role`], written `read("users")` on the wire.
///
/// ```
/// use appwrite_orm::{Permission, Role};
///
/// let p = Permission::read(Role::label("billing"));
/// assert_eq!(p.to_string(), r#"read("label:billing")"#);
/// assert_eq!(r#"read("label:billing")"#.parse::<Permission>().unwrap(), p);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Permission {
    /// What is allowed.
    pub action: Action,
    /// To whom.
    pub role: Role,
}

impl Permission {
    /// A permission from its parts.
    pub const fn new(action: Action, role: Role) -> Self {
        Permission { action, role }
    }

    /// `read(role)`.
    pub const fn read(role: Role) -> Self {
        Permission::new(Action::Read, role)
    }

    /// `create(role)`; meaningful on collections only.
    pub const fn create(role: Role) -> Self {
        Permission::new(Action::Create, role)
    }

    /// `update(role)`.
    pub const fn update(role: Role) -> Self {
        Permission::new(Action::Update, role)
    }

    /// `delete(role)`.
    pub const fn delete(role: Role) -> Self {
        Permission::new(Action::Delete, role)
    }

    /// `write(role)`, which Appwrite stores expanded into its parts.
    pub const fn write(role: Role) -> Self {
        Permission::new(Action::Write, role)
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(\"{}\")", self.action.as_str(), self.role)
    }
}

impl FromStr for Permission {
    type Err = ParsePermissionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_permission(text).map(|(action, role)| Permission::new(action, role.into_role()))
    }
}

impl Serialize for Permission {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_string() {
        for text in [
            "any",
            "guests",
            "users",
            "users/verified",
            "users/unverified",
            "user:abc",
            "user:abc/verified",
            "team:t1",
            "team:t1/owner",
            "member:m1",
            "label:svc",
        ] {
            let role: Role = text.parse().unwrap();
            assert_eq!(role.to_string(), text);
        }
    }

    #[test]
    fn malformed_roles_and_permissions_are_rejected() {
        for text in [
            "anyone",
            "user:",
            "user",
            "users/maybe",
            "label:a/b",
            "",
            "user:a\nb",
            "label:\"x",
        ] {
            assert!(text.parse::<Role>().is_err(), "{text} parsed");
        }
        for text in ["read(any)", "read(\"any\"", "fly(\"any\")", "read(\"nobody\")"] {
            assert!(text.parse::<Permission>().is_err(), "{text} parsed");
        }
    }
}
