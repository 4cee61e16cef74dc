//! Realtime frames: only the envelope is parsed here; the document stays raw JSON until the
//! subscriber decodes it into its own type.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::json;
use serde_json::value::RawValue;
use std::ops::Range;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// A server frame, parsed as far as routing needs.
#[derive(Debug)]
pub(crate) enum Frame {
    /// The server accepted the socket, as this user (`None`: as a guest).
    Connected {
        user_id: Option<String>,
    },
    Event(Arc<RawEvent>),
    /// The answer to a `subscribe` (`to_subscribe`) or `unsubscribe` message.
    Response {
        to_subscribe: bool,
    },
    Pong,
    Error {
        code: i64,
        message: String,
    },
    /// Anything that is not a frame Appwrite sends, kept for reporting.
    Malformed(String),
}

/// A document event, kept as the frame it arrived in (shared, not copied) with the positions
/// of its parts: routing needs none of them parsed, and parsing 48 strings per event on the
/// connection task, then freeing them on another thread, would cost more than everything else
/// it does.
#[derive(Debug)]
pub(crate) struct RawEvent {
    frame: Utf8Bytes,
    events: Range<usize>,
    channels: Range<usize>,
    payload: Range<usize>,
    pub(crate) timestamp: chrono::DateTime<chrono::Utc>,
    pub(crate) subscriptions: Vec<u64>,
}

#[derive(Deserialize)]
struct EventParts<'a> {
    #[serde(borrow)]
    events: &'a RawValue,
    #[serde(borrow)]
    channels: &'a RawValue,
    #[serde(deserialize_with = "crate::datetime::appwrite_format::deserialize")]
    timestamp: chrono::DateTime<chrono::Utc>,
    #[serde(default, deserialize_with = "subscription_ids")]
    subscriptions: Vec<u64>,
    #[serde(borrow)]
    payload: &'a RawValue,
}

fn strings(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

// The first element of a JSON array of strings, when it holds no escapes.
fn first_string(array: &str) -> Option<&str> {
    let rest = array
        .trim_start()
        .strip_prefix('[')?
        .trim_start()
        .strip_prefix('"')?;
    let end = rest.find(['"', '\\'])?;
    (rest.as_bytes()[end] == b'"').then(|| &rest[..end])
}

// Event names and channels never hold escapes, so they borrow; if one ever did, fall back.
fn with_names<R>(json: &str, f: impl FnOnce(&[&str]) -> R) -> R {
    match serde_json::from_str::<Vec<&str>>(json) {
        Ok(names) => f(&names),
        Err(_) => {
            let owned = strings(json);
            let names: Vec<&str> = owned.iter().map(String::as_str).collect();
            f(&names)
        }
    }
}

impl RawEvent {
    fn part(&self, range: &Range<usize>) -> &str {
        &self.frame.as_str()[range.clone()]
    }

    /// The document, as JSON text.
    pub(crate) fn payload(&self) -> &str {
        self.part(&self.payload)
    }

    /// The event names, parsed.
    pub(crate) fn event_names(&self) -> Vec<String> {
        strings(self.part(&self.events))
    }

    /// The channels, parsed.
    pub(crate) fn channel_names(&self) -> Vec<String> {
        strings(self.part(&self.channels))
    }

    /// Whether one of `channels` is among the event's.
    pub(crate) fn on_any_channel(&self, channels: &[String]) -> bool {
        with_names(self.part(&self.channels), |names| {
            names.iter().any(|name| channels.iter().any(|c| c == name))
        })
    }

    /// The kind of document event, read from the event names without keeping them.
    pub(crate) fn kind(&self) -> Option<super::EventKind> {
        let events = self.part(&self.events);
        // Appwrite lists the most specific name first; reading only that token avoids scanning
        // the other 41. Anything unexpected falls back to reading them all.
        first_string(events)
            .and_then(super::EventKind::from_event)
            .or_else(|| {
                with_names(events, |names| {
                    names.iter().find_map(|name| super::EventKind::from_event(name))
                })
            })
    }
}

// The ORM's subscription ids are numbers sent as strings; ids it did not send are dropped.
fn subscription_ids<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<u64>, D::Error> {
    struct Ids;

    impl<'de> serde::de::Visitor<'de> for Ids {
        type Value = Vec<u64>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a list of subscription ids")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u64>, A::Error> {
            let mut ids = Vec::with_capacity(seq.size_hint().unwrap_or(1));
            while let Some(id) = seq.next_element::<Id>()? {
                ids.extend(id.0);
            }
            Ok(ids)
        }
    }

    struct Id(Option<u64>);

    impl<'de> Deserialize<'de> for Id {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct IdVisitor;

            impl serde::de::Visitor<'_> for IdVisitor {
                type Value = Id;

                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a subscription id")
                }

                fn visit_str<E: serde::de::Error>(self, id: &str) -> Result<Id, E> {
                    Ok(Id(id.parse().ok()))
                }
            }

            deserializer.deserialize_str(IdVisitor)
        }
    }

    deserializer.deserialize_seq(Ids)
}

// `{"type": …, "data": …}` in one pass: serde reads `type` first (as Appwrite writes it) and
// then `data` straight into the right shape.
#[derive(Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "lowercase")]
enum Incoming<'a> {
    Connected(ConnectedData),
    Event(#[serde(borrow)] EventParts<'a>),
    Response(ResponseData),
    Pong,
    Error(ErrorData),
}

#[derive(Deserialize)]
struct ConnectedData {
    #[serde(default)]
    user: Option<UserRef>,
}

#[derive(Deserialize)]
struct UserRef {
    #[serde(rename = "$id")]
    id: String,
}

#[derive(Deserialize)]
struct ResponseData {
    #[serde(default)]
    to: Option<String>,
}

#[derive(Deserialize)]
struct ErrorData {
    code: i64,
    message: String,
}

pub(crate) fn parse(frame: Utf8Bytes) -> Frame {
    let text = frame.as_str();
    let range = |part: &RawValue| {
        let start = part.get().as_ptr() as usize - text.as_ptr() as usize;
        start..start + part.get().len()
    };
    match serde_json::from_str::<Incoming<'_>>(text) {
        Ok(Incoming::Connected(data)) => Frame::Connected {
            user_id: data.user.map(|user| user.id),
        },
        Ok(Incoming::Event(parts)) => {
            let (events, channels, payload) =
                (range(parts.events), range(parts.channels), range(parts.payload));
            let (timestamp, subscriptions) = (parts.timestamp, parts.subscriptions);
            Frame::Event(Arc::new(RawEvent {
                frame: frame.clone(),
                events,
                channels,
                payload,
                timestamp,
                subscriptions,
            }))
        }
        Ok(Incoming::Response(response)) => Frame::Response {
            to_subscribe: response.to.as_deref() == Some("subscribe"),
        },
        Ok(Incoming::Pong) => Frame::Pong,
        Ok(Incoming::Error(error)) => Frame::Error {
            code: error.code,
            message: error.message,
        },
        Err(_) => Frame::Malformed(text.chars().take(200).collect()),
    }
}

// Appwrite refuses frames over 64 000 bytes, so re-subscribing thousands of listeners after a
// reconnect takes several messages.
const MAX_FRAME: usize = 60_000;

/// One subscription as a `subscribe` message lists it.
pub(crate) struct Subscribe<'a> {
    pub(crate) id: u64,
    pub(crate) channels: &'a [String],
    pub(crate) queries: &'a [String],
}

/// The `subscribe` messages for `subscriptions`, each with the subscription ids it carries.
pub(crate) fn subscribe_messages(subscriptions: &[Subscribe<'_>]) -> Vec<(Message, Vec<u64>)> {
    let mut messages = Vec::new();
    let mut batch: Vec<serde_json::Value> = Vec::new();
    let mut ids = Vec::new();
    let mut size = 0;
    for subscription in subscriptions {
        let item = json!({
            "subscriptionId": subscription.id.to_string(),
            "channels": subscription.channels,
            "queries": subscription.queries,
        });
        let item_size = item.to_string().len() + 1;
        if !batch.is_empty() && size + item_size > MAX_FRAME {
            messages.push((std::mem::take(&mut batch), std::mem::take(&mut ids)));
            size = 0;
        }
        size += item_size;
        batch.push(item);
        ids.push(subscription.id);
    }
    if !batch.is_empty() {
        messages.push((batch, ids));
    }
    messages
        .into_iter()
        .map(|(batch, ids)| {
            let text = json!({"type": "subscribe", "data": batch}).to_string();
            (Message::Text(text.into()), ids)
        })
        .collect()
}

pub(crate) fn unsubscribe_message(id: u64) -> Message {
    let text = json!({"type": "unsubscribe", "data": [{"subscriptionId": id.to_string()}]}).to_string();
    Message::Text(text.into())
}

pub(crate) fn ping_message() -> Message {
    Message::Text(r#"{"type":"ping"}"#.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resubscribing_thousands_of_listeners_stays_under_the_frame_limit() {
        let channels = vec!["databases.main.collections.orders.documents.0123456789abcdef0123".to_owned()];
        let subscriptions: Vec<Subscribe<'_>> = (0..10_000)
            .map(|id| Subscribe {
                id,
                channels: &channels,
                queries: &[],
            })
            .collect();
        let messages = subscribe_messages(&subscriptions);
        assert!(messages.len() > 1);
        let mut total = 0;
        for (message, ids) in &messages {
            let Message::Text(text) = message else {
                panic!("text")
            };
            assert!(text.len() <= 64_000, "{}", text.len());
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(value["data"].as_array().unwrap().len(), ids.len());
            total += ids.len();
        }
        assert_eq!(total, 10_000);
    }

    #[test]
    fn connected_names_the_user_or_nobody() {
        let as_user = r#"{"type":"connected","data":{"channels":[],"user":{"$id":"svc","name":"x"}}}"#;
        assert!(matches!(parse(as_user.into()), Frame::Connected { user_id: Some(id) } if id == "svc"));
        let as_guest = r#"{"type":"connected","data":{"channels":["documents"],"user":null}}"#;
        assert!(matches!(
            parse(as_guest.into()),
            Frame::Connected { user_id: None }
        ));
    }

    #[test]
    fn envelopes_are_parsed_and_payloads_kept_raw() {
        let text = r#"{"type":"event","data":{"events":["a"],"channels":["documents"],"timestamp":"2024-05-01T10:20:30.123+00:00","subscriptions":["3"],"payload":{"$id":"x","n":1}}}"#;
        let Frame::Event(event) = parse(text.into()) else {
            panic!("an event")
        };
        assert_eq!(event.subscriptions, [3]);
        assert_eq!(event.event_names(), ["a"]);
        assert!(event.on_any_channel(&["documents".to_owned()]));
        assert_eq!(
            first_string(r#" [ "databases.a.collections.b.documents.c.update", "x"]"#),
            Some("databases.a.collections.b.documents.c.update")
        );
        assert_eq!(first_string(r#"["esc\"aped"]"#), None);
        assert_eq!(first_string("[]"), None);
        assert_eq!(event.payload(), r#"{"$id":"x","n":1}"#);
        assert!(matches!(parse(r#"{"type":"pong"}"#.into()), Frame::Pong));
        assert!(matches!(
            parse(r#"{"type":"error","data":{"code":1003,"message":"m"}}"#.into()),
            Frame::Error { code: 1003, .. }
        ));
        assert!(matches!(parse("garbage".into()), Frame::Malformed(_)));
        assert!(matches!(
            parse(r#"{"type":"event","data":{"events":1}}"#.into()),
            Frame::Malformed(_)
        ));
        assert!(matches!(
            parse(r#"{"type":"surprise"}"#.into()),
            Frame::Malformed(_)
        ));
    }
}
