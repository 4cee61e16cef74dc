//! What an event handler returns. The error type is fixed so that a closure's `Ok(())` needs no
//! annotation; `?` converts any `std::error::Error` into it, as `anyhow` does.

use std::error::Error as StdError;
use std::fmt;

/// The error of a failed event handler: any error, boxed, or a message.
///
/// A handler returns `()` when it cannot fail, or `Result<(), HandlerError>`; `?` converts every
/// `std::error::Error + Send + Sync` into it (so [`crate::Error`] too) and
/// [`HandlerError::msg`] makes one from text.
///
/// ```
/// use appwrite_orm::realtime::HandlerError;
///
/// fn parse(text: &str) -> Result<(), HandlerError> {
///     let n: u32 = text.parse()?;
///     if n == 0 {
///         return Err(HandlerError::msg("zero is not a quantity"));
///     }
///     Ok(())
/// }
/// assert_eq!(parse("x").unwrap_err().to_string(), "invalid digit found in string");
/// assert_eq!(parse("0").unwrap_err().to_string(), "zero is not a quantity");
/// assert!(parse("3").is_ok());
/// ```
pub struct HandlerError(Box<dyn StdError + Send + Sync + 'static>);

impl HandlerError {
    /// An error carrying only `message`.
    pub fn msg(message: impl fmt::Display) -> Self {
        HandlerError(Box::new(Message(message.to_string())))
    }

    /// The error a handler returned, e.g. to downcast it.
    pub fn into_inner(self) -> Box<dyn StdError + Send + Sync + 'static> {
        self.0
    }
}

// Not `impl Error for HandlerError`: that would overlap with this blanket `From`.
impl<E: StdError + Send + Sync + 'static> From<E> for HandlerError {
    fn from(error: E) -> Self {
        HandlerError(Box::new(error))
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for Message {}

/// What an event handler's future may resolve to: `()` or `Result<(), HandlerError>`. Only these
/// two, so that a closure ending in `Ok(())` has its error type inferred.
#[diagnostic::on_unimplemented(
    message = "an event handler returns `()` or `Result<(), HandlerError>`, not `{Self}`",
    label = "the handler's future resolves to this",
    note = "`?` converts any std::error::Error into `appwrite_orm::realtime::HandlerError`; for text use `HandlerError::msg`"
)]
pub trait HandlerOutcome: sealed::Sealed {
    #[doc(hidden)]
    fn into_result(self) -> Result<(), HandlerError>;
}

impl HandlerOutcome for () {
    fn into_result(self) -> Result<(), HandlerError> {
        Ok(())
    }
}

impl HandlerOutcome for Result<(), HandlerError> {
    fn into_result(self) -> Result<(), HandlerError> {
        self
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for () {}
    impl Sealed for Result<(), super::HandlerError> {}
}
