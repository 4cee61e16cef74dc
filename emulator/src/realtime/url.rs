//! The subscriptions a socket's URL asks for, as Appwrite 1.9 builds them
//! (`Realtime::constructSubscriptions`): each channel may carry queries in a parameter named
//! after it (dots as underscores), grouped in slots — `documents[0][]=q1&documents[0][]=q2` is
//! one subscription with two queries, `documents[0][]=q1&documents[1][]=q2` two. A channel
//! without queries joins slot 0, which then listens to everything (`select(["*"])`).

use crate::query::{self, Query};

use super::filter;

/// One subscription of the URL: its slot (the key `connected` maps to its id), channels and
/// queries.
#[derive(Debug)]
pub(super) struct Slot {
    pub key: String,
    pub channels: Vec<String>,
    pub queries: Vec<Query>,
}

/// A channel's query parameter as PHP reads the query string: absent, one string
/// (`documents=q`), or slots in order of first appearance (`documents[k][]=q`, `documents[]=q`).
enum Param {
    Absent,
    Text(String),
    Slots(Vec<(String, Vec<String>)>),
}

/// PHP turns `.` and ` ` into `_` in a parameter's name (before any `[`).
fn php_name(name: &str) -> String {
    name.replace(['.', ' '], "_")
}

fn param(pairs: &[(String, String)], key: &str) -> Param {
    let mut text = None;
    let mut slots: Vec<(String, Vec<String>)> = Vec::new();
    let mut next_index = 0usize;
    for (name, value) in pairs {
        let (base, rest) = name.split_at(name.find('[').unwrap_or(name.len()));
        if php_name(base) != key {
            continue;
        }
        if rest.is_empty() {
            text = Some(value.clone());
            continue;
        }
        // `[k]…`: the slot's key, or the next integer for `[]`, as PHP appends.
        let Some((first, tail)) = rest[1..].split_once(']') else {
            continue;
        };
        let slot = if first.is_empty() {
            next_index.to_string()
        } else {
            first.to_owned()
        };
        if let Ok(index) = slot.parse::<usize>() {
            next_index = next_index.max(index + 1);
        }
        let at = match slots.iter().position(|(k, _)| *k == slot) {
            Some(at) => at,
            None => {
                slots.push((slot, Vec::new()));
                slots.len() - 1
            }
        };
        // `[k]=q` sets the slot to one query, `[k][]=q` appends one.
        if tail.is_empty() {
            slots[at].1 = vec![value.clone()];
        } else {
            slots[at].1.push(value.clone());
        }
    }
    match (text, slots.is_empty()) {
        (_, false) => Param::Slots(slots),
        (Some(text), true) => Param::Text(text),
        (None, true) => Param::Absent,
    }
}

/// Parses and checks one slot's queries; the error is the message of the 1008 frame.
fn queries(texts: &[String]) -> Result<Vec<Query>, String> {
    texts
        .iter()
        .map(|text| {
            let parsed = query::parse(text).map_err(|e| e.message)?;
            filter::check(&parsed)?;
            Ok(parsed)
        })
        .collect()
}

/// The subscriptions of `channels` (already rewritten for the caller's account) and their
/// query parameters among `pairs`, in Appwrite's slot order.
pub(super) fn subscriptions(channels: &[String], pairs: &[(String, String)]) -> Result<Vec<Slot>, String> {
    let mut slots: Vec<Slot> = Vec::new();
    let slot = |key: &str, slots: &mut Vec<Slot>| -> usize {
        match slots.iter().position(|s| s.key == key) {
            Some(at) => at,
            None => {
                slots.push(Slot {
                    key: key.to_owned(),
                    channels: Vec::new(),
                    queries: Vec::new(),
                });
                slots.len() - 1
            }
        }
    };
    for channel in channels {
        let key = php_name(channel);
        let groups = match param(pairs, &key) {
            // `project` as one string is the project's id, not queries.
            Param::Absent => None,
            Param::Text(_) if key == "project" => None,
            Param::Text(text) => Some(vec![("0".to_owned(), vec![text])]),
            Param::Slots(groups) => Some(groups),
        };
        let Some(groups) = groups else {
            let at = slot("0", &mut slots);
            slots[at].channels.push(channel.clone());
            if slots[at].queries.is_empty() {
                slots[at].queries = vec![Query::Select(vec!["*".to_owned()])];
            }
            continue;
        };
        for (key, texts) in groups {
            let at = slot(&key, &mut slots);
            if !slots[at].channels.contains(channel) {
                slots[at].channels.push(channel.clone());
            }
            // A slot keeps the queries it got first (Appwrite's order of precedence).
            if slots[at].queries.is_empty() {
                slots[at].queries = queries(&texts)?;
            }
        }
    }
    Ok(slots)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    const ACTIVE: &str = r#"{"method":"equal","attribute":"status","values":["active"]}"#;
    const GOLD: &str = r#"{"method":"equal","attribute":"tier","values":["gold"]}"#;

    #[test]
    fn slots_group_queries_and_channels_without_queries_share_slot_zero() {
        let channels = vec!["documents".to_owned(), "rows".to_owned(), "files".to_owned()];
        let slots = subscriptions(
            &channels,
            &pairs(&[
                ("documents[1][]", ACTIVE),
                ("documents[1][]", GOLD),
                ("rows[]", ACTIVE),
            ]),
        )
        .unwrap();
        let shape: Vec<(&str, Vec<&str>, usize)> = slots
            .iter()
            .map(|s| {
                let channels = s.channels.iter().map(String::as_str).collect();
                (s.key.as_str(), channels, s.queries.len())
            })
            .collect();
        assert_eq!(
            shape,
            vec![("1", vec!["documents"], 2), ("0", vec!["rows", "files"], 1),]
        );
    }

    #[test]
    fn dotted_channels_read_underscored_parameters_and_project_text_is_an_id() {
        let channels = vec![
            "databases.d.collections.c.documents".to_owned(),
            "project".to_owned(),
        ];
        let slots = subscriptions(
            &channels,
            &pairs(&[
                ("databases_d_collections_c_documents[0][]", ACTIVE),
                ("project", "my-project"),
            ]),
        )
        .unwrap();
        assert_eq!(slots.len(), 1);
        assert_eq!(slots[0].channels, channels);
        // Slot 0 got the channel's query first, so `project` joins it without select(*).
        assert!(matches!(slots[0].queries[0], Query::Filter { .. }));
    }

    #[test]
    fn refused_queries_name_the_method_and_malformed_ones_say_invalid() {
        let contains = r#"{"method":"contains","attribute":"tags","values":["a"]}"#;
        let err =
            subscriptions(&["documents".to_owned()], &pairs(&[("documents[0][]", contains)])).unwrap_err();
        assert!(
            err.starts_with("Query method 'contains' is not supported"),
            "{err}"
        );
        let err = subscriptions(&["project".to_owned()], &pairs(&[("project[0]", "invalid")])).unwrap_err();
        assert!(err.starts_with("Invalid query"), "{err}");
    }
}
