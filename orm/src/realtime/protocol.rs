//! Realtime frames: only the envelope is parsed here; the document stays raw JSON until the
//! subscriber decodes it into its own type.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;

/// A server frame, parsed as far as routing needs.
#[derive(Debug)]
pub(crate) enum Frame {
    Connected,
    Event(Arc<RawEvent>),
    Response,
    Pong,
    Error {
        code: i64,
        message: String,
    },
    /// Anything that is not a frame Appwrite sends, kept for reporting.
    Malformed(String),
}

/// A document event with its payload still as JSON text.
#[derive(Debug, Deserialize)]
pub(crate) struct RawEvent {
    pub(crate) events: Vec<String>,
    pub(crate) channels: Vec<String>,
    pub(crate) timestamp: String,
    #[serde(default)]
    pub(crate) subscriptions: Vec<String>,
    pub(crate) payload: Box<RawValue>,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(borrow)]
    data: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct ErrorData {
    code: i64,
    message: String,
}

pub(crate) fn parse(text: &str) -> Frame {
    let malformed = || Frame::Malformed(text.chars().take(200).collect());
    let Ok(envelope) = serde_json::from_str::<Envelope<'_>>(text) else {
        return malformed();
    };
    match envelope.kind {
        "connected" => Frame::Connected,
        "response" => Frame::Response,
        "pong" => Frame::Pong,
        "event" => match envelope.data.map(|d| serde_json::from_str::<RawEvent>(d.get())) {
            Some(Ok(event)) => Frame::Event(Arc::new(event)),
            _ => malformed(),
        },
        "error" => match envelope.data.map(|d| serde_json::from_str::<ErrorData>(d.get())) {
            Some(Ok(error)) => Frame::Error {
                code: error.code,
                message: error.message,
            },
            _ => malformed(),
        },
        _ => malformed(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_are_parsed_and_payloads_kept_raw() {
        let text = r#"{"type":"event","data":{"events":["a"],"channels":["documents"],"timestamp":"t","subscriptions":["3"],"payload":{"$id":"x","n":1}}}"#;
        let Frame::Event(event) = parse(text) else {
            panic!("an event")
        };
        assert_eq!(event.subscriptions, ["3"]);
        assert_eq!(event.payload.get(), r#"{"$id":"x","n":1}"#);
        assert!(matches!(parse(r#"{"type":"pong"}"#), Frame::Pong));
        assert!(matches!(
            parse(r#"{"type":"error","data":{"code":1003,"message":"m"}}"#),
            Frame::Error { code: 1003, .. }
        ));
        assert!(matches!(parse("garbage"), Frame::Malformed(_)));
        assert!(matches!(
            parse(r#"{"type":"event","data":{"events":1}}"#),
            Frame::Malformed(_)
        ));
        assert!(matches!(parse(r#"{"type":"surprise"}"#), Frame::Malformed(_)));
    }
}
