//! The response model format a client asks for.

use serde_json::Value;

/// Appwrite rewrites responses for the model format a client asks for with
/// `X-Appwrite-Response-Format`. The one difference the emulator models is `$sequence`: a number
/// in 1.8's model, a string in 1.9's (turned back into a number for a client asking for a
/// format before 1.9.0), and a string for clients generated for the 2.x format (such as the
/// official Rust SDK).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Format {
    sequence_as_string: bool,
}

impl Format {
    pub(super) fn new(header: Option<&str>, server: crate::AppwriteVersion) -> Self {
        // `1.9` is `1.9.0`: missing parts count as 0, so the comparison below is numeric.
        let asked: Option<Vec<u32>> = header.map(|v| {
            let mut parts: Vec<u32> = v.split('.').map(|p| p.parse().unwrap_or(0)).collect();
            parts.resize(parts.len().max(3), 0);
            parts
        });
        let string_model = server >= crate::AppwriteVersion::V1_9_5;
        let sequence_as_string = match asked {
            None => string_model,
            Some(asked) if asked.first().is_some_and(|m| *m >= 2) => true,
            Some(asked) => string_model && asked.as_slice() >= [1, 9, 0].as_slice(),
        };
        Format { sequence_as_string }
    }

    /// The format of a realtime payload, which no header shapes.
    pub(crate) fn realtime(server: crate::AppwriteVersion) -> Self {
        Format::new(None, server)
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
