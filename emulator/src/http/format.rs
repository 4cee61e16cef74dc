//! The response model format a client asks for.

use serde_json::Value;

/// Appwrite rewrites responses for the model format a client asks for with
/// `X-Appwrite-Response-Format`. The one difference the emulator models: clients generated for
/// the 2.x format (such as the official Rust SDK) read `$sequence` as a string, 1.x as a number.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Format {
    sequence_as_string: bool,
}

impl Format {
    pub(super) fn from_header(value: Option<&str>) -> Self {
        let major = value.and_then(|v| v.split('.').next()?.parse::<u32>().ok());
        Format {
            sequence_as_string: major.is_some_and(|m| m >= 2),
        }
    }

    /// Applies the format to a document or a list of documents.
    pub(crate) fn shape(self, mut value: Value) -> Value {
        if self.sequence_as_string {
            let fix = |doc: &mut Value| {
                if let Some(sequence) = doc.get_mut("$sequence").filter(|s| s.is_number()) {
                    *sequence = Value::String(sequence.to_string());
                }
            };
            match value.get_mut("documents").and_then(Value::as_array_mut) {
                Some(documents) => documents.iter_mut().for_each(fix),
                None => fix(&mut value),
            }
        }
        value
    }
}
