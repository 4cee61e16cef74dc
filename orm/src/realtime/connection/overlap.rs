//! The URL-channel protocol (Appwrite 1.6–1.8) changes channels by opening a new socket: the
//! old one is still read for a moment so that nothing sent to it is lost, and frames both
//! sockets deliver are routed once.

use std::collections::{HashSet, VecDeque};
use std::time::Duration;

use tokio_tungstenite::tungstenite::Utf8Bytes;

/// A replaced socket is read until it delivers a frame the new socket also has (from then on
/// the new one has everything), or until it has been quiet this long, or at most
/// `MAX_OVERLAP` (the old socket may carry channels the new one dropped, which never overlap).
pub(crate) const OVERLAP: Duration = Duration::from_millis(300);
pub(crate) const MAX_OVERLAP: Duration = Duration::from_secs(3);

/// How many recent frames are remembered for de-duplication.
const REMEMBERED: usize = 4096;

/// Recently routed frames of URL-channel sockets: while an old and a new socket overlap, the
/// server sends the same event on both.
#[derive(Default)]
pub(crate) struct Dedupe {
    seen: HashSet<u64>,
    order: VecDeque<u64>,
}

impl Dedupe {
    pub(crate) fn key(frame: &str) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        frame.hash(&mut hasher);
        hasher.finish()
    }

    /// Whether the frame with this [`Dedupe::key`] is new, remembering it.
    pub(crate) fn first_time(&mut self, key: u64) -> bool {
        if !self.seen.insert(key) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > REMEMBERED {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }
}

/// The new socket's frames, held while the old one is still read: the old socket's are older,
/// so delivering them first keeps commit order.
#[derive(Default)]
pub(crate) struct Held {
    frames: Vec<(u64, Utf8Bytes)>,
    keys: HashSet<u64>,
}

impl Held {
    pub(crate) fn hold(&mut self, frame: Utf8Bytes) {
        let key = Dedupe::key(frame.as_str());
        self.keys.insert(key);
        self.frames.push((key, frame));
    }

    /// Whether the new socket also delivered the frame with this key: from then on the old
    /// socket has nothing the new one lacks.
    pub(crate) fn contains(&self, key: u64) -> bool {
        self.keys.contains(&key)
    }

    /// The held frames the old socket did not deliver, in arrival order.
    pub(crate) fn release<'a>(&'a mut self, dedupe: &'a mut Dedupe) -> impl Iterator<Item = Utf8Bytes> + 'a {
        self.keys.clear();
        self.frames
            .drain(..)
            .filter_map(move |(key, frame)| dedupe.first_time(key).then_some(frame))
    }
}
