//! Appwrite's key rule for ids and attribute keys: 1 to 36 characters from `[A-Za-z0-9._-]`,
//! not starting with `_`, `.` or `-`.

/// The longest id or key Appwrite accepts.
pub const MAX_KEY_LENGTH: usize = 36;

/// Why a string is not a valid Appwrite id or key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The string is empty.
    #[error("an id must not be empty")]
    Empty,
    /// The string is longer than [`MAX_KEY_LENGTH`].
    #[error("an id must be at most 36 characters long, this one has {0}")]
    TooLong(usize),
    /// The string starts with `_`, `.` or `-`.
    #[error("an id must not start with `{0}`")]
    BadStart(char),
    /// The string holds a character outside `[A-Za-z0-9._-]`.
    #[error("an id may only contain a-z, A-Z, 0-9, `.`, `_` and `-`, not `{0}`")]
    BadCharacter(char),
}

/// Checks `key` against Appwrite's key rule.
///
/// ```
/// use appwrite_orm::key::{validate, KeyError};
///
/// assert!(validate("orders.v2").is_ok());
/// assert_eq!(validate("_orders"), Err(KeyError::BadStart('_')));
/// ```
pub fn validate(key: &str) -> Result<(), KeyError> {
    let first = key.chars().next().ok_or(KeyError::Empty)?;
    let length = key.chars().count();
    if length > MAX_KEY_LENGTH {
        return Err(KeyError::TooLong(length));
    }
    if matches!(first, '_' | '.' | '-') {
        return Err(KeyError::BadStart(first));
    }
    match key
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        Some(bad) => Err(KeyError::BadCharacter(bad)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_accepts_and_rejects_what_appwrite_does() {
        assert_eq!(validate("a"), Ok(()));
        assert_eq!(validate(&"x".repeat(36)), Ok(()));
        assert_eq!(validate(&"x".repeat(37)), Err(KeyError::TooLong(37)));
        assert_eq!(validate(""), Err(KeyError::Empty));
        assert_eq!(validate("-a"), Err(KeyError::BadStart('-')));
        assert_eq!(validate(".a"), Err(KeyError::BadStart('.')));
        assert_eq!(validate("a b"), Err(KeyError::BadCharacter(' ')));
        assert_eq!(validate("é"), Err(KeyError::BadCharacter('é')));
    }
}
