//! The subscriptions a socket's URL asks for, as Appwrite 1.9 builds them
//! (`Realtime::constructSubscriptions`): each channel may carry queries in a parameter named
//! after it (dots as underscores), grouped in slots — `documents[0][]=q1&documents[0][]=q2` is
//! one subscription with two queries, `documents[0][]=q1&documents[1][]=q2` two. A channel
//! without queries joins slot 0, which then listens to everything (`select(["*"])`).

use std::collections::HashMap;

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

/// The query parameters by PHP name (`documents[0][]` is `documents`), each with the rest of
/// its key and its value, in order — built once per socket, so that each channel's lookup is
/// one map access whatever the URL holds.
fn by_name(pairs: &[(String, String)]) -> HashMap<String, Vec<(&str, &str)>> {
    let mut names: HashMap<String, Vec<(&str, &str)>> = HashMap::new();
    for (name, value) in pairs {
        let (base, rest) = name.split_at(name.find('[').unwrap_or(name.len()));
        names
            .entry(php_name(base))
            .or_default()
            .push((rest, value.as_str()));
    }
    names
}

fn param(entries: Option<&Vec<(&str, &str)>>) -> Param {
    let mut text = None;
    let mut slots: Vec<(String, Vec<String>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut next_index = 0usize;
    for &(rest, value) in entries.into_iter().flatten() {
        if rest.is_empty() {
            text = Some(value.to_owned());
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
        if let Ok(number) = slot.parse::<usize>() {
            next_index = next_index.max(number.saturating_add(1));
        }
        let at = *index.entry(slot.clone()).or_insert_with(|| {
            slots.push((slot, Vec::new()));
            slots.len() - 1
        });
        // `[k]=q` sets the slot to one query, `[k][]=q` appends one.
        if tail.is_empty() {
            slots[at].1 = vec![value.to_owned()];
        } else {
            slots[at].1.push(value.to_owned());
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
    let params = by_name(pairs);
    let mut slots: Vec<Slot> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut slot = |key: &str, slots: &mut Vec<Slot>| -> usize {
        *index.entry(key.to_owned()).or_insert_with(|| {
            slots.push(Slot {
                key: key.to_owned(),
                channels: Vec::new(),
                queries: Vec::new(),
            });
            slots.len() - 1
        })
    };
    for channel in channels {
        let key = php_name(channel);
        let groups = match param(params.get(&key)) {
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
            // Channels arrive deduplicated and a channel's slots are distinct, so a channel
            // joins a slot at most once.
            let at = slot(&key, &mut slots);
            slots[at].channels.push(channel.clone());
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
