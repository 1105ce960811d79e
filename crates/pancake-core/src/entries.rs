//! A layer index's entry list, shared, and either held as entries or in the compact form
//! that carried it between two readers ([`crate::wire`]), decoded the first time it is read.
//!
//! The page's scanner worker walks a layer and keeps its entries (it serves content reads,
//! rows and searches from them); the page receives them in the compact form (for 200,000
//! files 4.7 MB against ~26 MB of entries and names) and has no use for most of them until a
//! view lists files. Holding that form and decoding on the first read means the page keeps
//! one copy of the index instead of two while nothing on it walks the entries (issue 13,
//! target 3), and a view that does gets the same list it always did: nothing has to know
//! which form a list is in, so no view can read a list not yet decoded as "no files".

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::Entry;

/// The members of one layer tar, in the order the tar holds them ([`crate::LayerIndex`]).
///
/// Cheap to clone (one `Arc`): every clone shares the list, and a compact one is decoded
/// once for all of them. [`Entries::len`] and [`Entries::is_empty`] never decode; reading
/// the entries (`Deref` to `[Entry]`) decodes a compact list on the first read, on the
/// thread that reads it (natively ~23 ms for 206,002 entries). [`Entries::as_ptr`] is the
/// same for every clone and never changes, so a memo may be keyed on it.
#[derive(Clone, Default)]
pub struct Entries(Arc<Held>);

#[derive(Default)]
struct Held {
    /// Set from the start for a list held as entries; for a compact one, at its first read.
    decoded: OnceLock<Vec<Entry>>,
    /// The compact form's bytes and where this list's entries lie in them (a list that
    /// came as entries has none).
    compact: Option<Compact>,
    count: usize,
}

struct Compact {
    bytes: Arc<[u8]>,
    /// Byte offset of the list's first entry in `bytes`.
    start: usize,
}

impl Entries {
    /// A list in the compact form: `count` entries written by [`crate::wire`] from byte
    /// `start` of `bytes` (the first one sharing no prefix), already checked to decode
    /// (`wire::Decoder::compact`), so the first read cannot fail.
    pub(crate) fn compact(bytes: Arc<[u8]>, start: usize, count: usize) -> Entries {
        Entries(Arc::new(Held {
            decoded: OnceLock::new(),
            compact: Some(Compact { bytes, start }),
            count,
        }))
    }

    /// The number of entries, without decoding.
    pub fn len(&self) -> usize {
        self.0.count
    }

    /// No entries (an empty layer, or a list [`crate::wire::split`] left empty), without
    /// decoding.
    pub fn is_empty(&self) -> bool {
        self.0.count == 0
    }

    /// The entries, decoded now when this is a compact list's first read.
    pub fn as_slice(&self) -> &[Entry] {
        self.0.decoded.get_or_init(|| match &self.0.compact {
            // Checked when it arrived (`wire::Decoder::compact`), so this decodes whole.
            Some(c) => crate::wire::decode_list(&c.bytes, c.start, self.0.count),
            None => Vec::new(),
        })
    }

    /// Calls `f` with each entry in order, with its index, until `f` returns `false`. A compact
    /// list not yet decoded is read one entry at a time and stays compact (nothing kept: a
    /// caller that wants one entry, or a few, of a 200,000-entry list does not hold them all);
    /// a decoded one is iterated.
    pub fn each_until(&self, mut f: impl FnMut(usize, &Entry) -> bool) {
        match (self.0.decoded.get(), &self.0.compact) {
            (None, Some(c)) => crate::wire::each_in_list(&c.bytes, c.start, self.0.count, f),
            _ => {
                for (i, e) in self.as_slice().iter().enumerate() {
                    if !f(i, e) {
                        return;
                    }
                }
            }
        }
    }

    /// Entry `i`, cloned, without decoding a compact list ([`Entries::each_until`]).
    pub fn get_one(&self, i: usize) -> Option<Entry> {
        if i >= self.len() {
            return None;
        }
        let mut found = None;
        self.each_until(|k, e| {
            if k == i {
                found = Some(e.clone());
            }
            k < i
        });
        found
    }

    /// Whether the list is held as entries now (a compact list not yet read is not).
    pub fn is_decoded(&self) -> bool {
        self.0.decoded.get().is_some()
    }

    /// The address every clone of this list shares, for memos keyed on the list.
    pub fn as_ptr(&self) -> *const () {
        Arc::as_ptr(&self.0).cast()
    }

    /// Both are clones of one list (not merely equal lists).
    pub fn ptr_eq(a: &Entries, b: &Entries) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

impl From<Vec<Entry>> for Entries {
    fn from(entries: Vec<Entry>) -> Entries {
        let count = entries.len();
        Entries(Arc::new(Held {
            decoded: OnceLock::from(entries),
            compact: None,
            count,
        }))
    }
}

impl Deref for Entries {
    type Target = [Entry];

    fn deref(&self) -> &[Entry] {
        self.as_slice()
    }
}

impl PartialEq for Entries {
    fn eq(&self, other: &Entries) -> bool {
        Entries::ptr_eq(self, other)
            || (self.len() == other.len() && self.as_slice() == other.as_slice())
    }
}

impl Eq for Entries {}

impl fmt::Debug for Entries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Entries {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Entries, D::Error> {
        Vec::<Entry>::deserialize(d).map(Entries::from)
    }
}
