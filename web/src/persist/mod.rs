//! State that survives a reload (issue 15): the files a person opened — with the browser's
//! `FileSystemFileHandle` where it gives one — their order, names, sizes and dates, and the
//! place the page showed, kept in this browser's IndexedDB (`store`), never uploaded. After
//! a reload the banner (`views::reopen`) offers to open them again in one click
//! (`handles`); the place in the file comes back from the URL or the record (`place`).
//!
//! Demos and `?src=` files are not remembered: their URL already reopens them.
//!
//! What is remembered follows the session: a file joins the record when opened (picked,
//! dropped or reopened), and leaves it when its archive leaves the session; a reopen keeps
//! what it could open and forgets the rest once it has named them. Nothing is
//! written before the person opens (or forgets) something on this page, so a reload that is
//! left alone keeps the previous record for the next one.

pub mod handles;
pub mod place;
pub mod store;

use std::cell::RefCell;

use wasm_bindgen::JsValue;
use web_sys::File;

use store::{Record, Remembered};

/// Why a remembered file was not opened again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The browser gave no handle (no File System Access, or an `<input type=file>` pick):
    /// the person picks it again.
    NoHandle,
    /// Read permission was refused.
    Denied,
    /// The file is no longer where the handle points.
    Gone,
    /// Its size or modification time differ from what was remembered.
    Changed,
    /// The browser failed otherwise (its message, verbatim).
    Failed(String),
}

impl Reason {
    /// The i18n key of the reason.
    pub fn key(&self) -> &'static str {
        match self {
            Reason::NoHandle => "reopen-why-no-handle",
            Reason::Denied => "reopen-why-denied",
            Reason::Gone => "reopen-why-gone",
            Reason::Changed => "reopen-why-changed",
            Reason::Failed(_) => "reopen-why-failed",
        }
    }

    /// A stable id for tests and styling.
    pub fn id(&self) -> &'static str {
        match self {
            Reason::NoHandle => "no-handle",
            Reason::Denied => "denied",
            Reason::Gone => "gone",
            Reason::Changed => "changed",
            Reason::Failed(_) => "failed",
        }
    }
}

/// Whether a file read back differs from the remembered one: size (bytes) or
/// `lastModified` (ms since the epoch). A date of 0 was not known and is not compared.
pub fn changed(remembered: &Remembered, size: u64, last_modified: f64) -> bool {
    differs(
        remembered.size,
        remembered.last_modified,
        size,
        last_modified,
    )
}

fn differs(size: u64, modified: f64, now_size: u64, now_modified: f64) -> bool {
    size != now_size || (modified != 0.0 && modified != now_modified)
}

/// One remembered file and the session archive it became (its reader generation), once it
/// joined.
struct Entry {
    file: Remembered,
    key: Option<u32>,
}

#[derive(Default)]
struct Registry {
    entries: Vec<Entry>,
    place: String,
    /// The person opened or forgot something on this page: from now on the record follows
    /// this page's session.
    touched: bool,
}

thread_local! {
    static REG: RefCell<Registry> = RefCell::new(Registry::default());
}

fn save() {
    let record = REG.with(|r| {
        let r = r.borrow();
        r.touched.then(|| Record {
            files: r.entries.iter().map(|e| e.file.clone()).collect(),
            place: r.place.clone(),
        })
    });
    if let Some(record) = record {
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = store::save(record).await {
                web_sys::console::warn_1(&JsValue::from_str(&format!(
                    "the open files could not be remembered: {e}"
                )));
            }
        });
    }
}

fn remembered(f: &File, handle: Option<JsValue>) -> Remembered {
    Remembered {
        name: f.name(),
        size: f.size().max(0.0) as u64,
        last_modified: f.last_modified(),
        handle,
    }
}

/// Files the person opened (an `<input type=file>` pick, a drop, a reopen), in order, each
/// with its handle where there is one. Call before they are opened.
pub fn register(files: &[(File, Option<JsValue>)]) {
    REG.with(|r| {
        let mut r = r.borrow_mut();
        r.touched = true;
        for (f, h) in files {
            r.entries.push(Entry {
                file: remembered(f, h.clone()),
                key: None,
            });
        }
    });
    save();
}

/// Handles that arrived after their files were registered (a drop's): each goes to the
/// first registered file of the same name, size and date that has none.
pub fn attach_handles(found: Vec<(File, JsValue)>) {
    REG.with(|r| {
        let mut r = r.borrow_mut();
        for (f, h) in found {
            let want = remembered(&f, None);
            if let Some(e) = r.entries.iter_mut().find(|e| {
                e.file.handle.is_none()
                    && e.file.name == want.name
                    && !differs(
                        e.file.size,
                        e.file.last_modified,
                        want.size,
                        want.last_modified,
                    )
            }) {
                e.file.handle = Some(h);
            }
        }
    });
    save();
}

/// Whether the person opened or forgot files on this page (the banner's offer is then out
/// of date).
pub fn touched() -> bool {
    REG.with(|r| r.borrow().touched)
}

/// Forget every remembered file (the banner's "forget").
pub fn forget() {
    REG.with(|r| {
        let mut r = r.borrow_mut();
        r.touched = true;
        r.entries.clear();
    });
    save();
}

/// The page's query string now (`?view=…`), kept with the files.
pub fn remember_place(query: &str) {
    let changed = REG.with(|r| {
        let mut r = r.borrow_mut();
        if r.place == query {
            return false;
        }
        r.place = query.to_string();
        r.touched && !r.entries.is_empty()
    });
    if changed {
        save();
    }
}

/// The session's archives now, in order: `(reader generation, file name, bytes)`.
/// Registered files join the archive of their name and size; a file whose archive left the
/// session is forgotten.
pub fn sync_session(archives: &[(u32, String, u64)]) {
    let changed = REG.with(|r| {
        let mut r = r.borrow_mut();
        let slots = slots(&r.entries);
        let next = assign(&slots, archives);
        if next.iter().zip(&slots).all(|(n, s)| *n == Some(s.key)) {
            return false;
        }
        let old = std::mem::take(&mut r.entries);
        r.entries = old
            .into_iter()
            .zip(next)
            .filter_map(|(mut e, n)| {
                e.key = n?;
                Some(e)
            })
            .collect();
        true
    });
    if changed {
        save();
    }
}

/// A file whose reading failed before anything of it could be shown (`name`; `size` in
/// bytes where known): it will never join the session, so it is not offered again after a
/// reload. The first registered file of that name (and size) still waiting is forgotten.
pub fn failed(name: &str, size: Option<u64>) {
    let changed = REG.with(|r| {
        let mut r = r.borrow_mut();
        let slots = slots(&r.entries);
        match waiting_slot(&slots, name, size) {
            Some(i) => {
                r.entries.remove(i);
                true
            }
            None => false,
        }
    });
    if changed {
        save();
    }
}

/// The first slot still waiting for its archive with this name (and size, when given).
fn waiting_slot(slots: &[Slot], name: &str, size: Option<u64>) -> Option<usize> {
    slots
        .iter()
        .position(|s| s.key.is_none() && s.name == name && size.is_none_or(|z| z == s.size))
}

/// The registered files as [`assign`] and [`waiting_slot`] see them.
fn slots(entries: &[Entry]) -> Vec<Slot> {
    entries
        .iter()
        .map(|e| Slot {
            name: e.file.name.clone(),
            size: e.file.size,
            key: e.key,
        })
        .collect()
}

/// A registered file as [`assign`] sees it.
#[derive(Clone, Debug, PartialEq)]
struct Slot {
    name: String,
    size: u64,
    key: Option<u32>,
}

/// Each slot's archive after the session changed: `Some(key)` (joined or still waiting),
/// `None` to forget it (it had joined an archive that is gone). A waiting slot takes the
/// first archive of its name and size that no slot holds; demos and other files match none.
fn assign(slots: &[Slot], archives: &[(u32, String, u64)]) -> Vec<Option<Option<u32>>> {
    let mut held: Vec<u32> = slots.iter().filter_map(|s| s.key).collect();
    slots
        .iter()
        .map(|s| match s.key {
            Some(k) if archives.iter().any(|(a, _, _)| *a == k) => Some(Some(k)),
            Some(_) => None,
            None => {
                let found = archives
                    .iter()
                    .find(|(k, n, z)| *n == s.name && *z == s.size && !held.contains(k))
                    .map(|(k, _, _)| *k);
                held.extend(found);
                Some(found)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(name: &str, size: u64, key: Option<u32>) -> Slot {
        Slot {
            name: name.into(),
            size,
            key,
        }
    }

    #[test]
    fn a_failed_file_is_the_first_waiting_one_of_its_name_and_size() {
        let slots = [
            slot("a.tar", 10, Some(1)),
            slot("b.tar", 20, None),
            slot("b.tar", 30, None),
        ];
        assert_eq!(
            waiting_slot(&slots, "a.tar", Some(10)),
            None,
            "a.tar joined"
        );
        assert_eq!(waiting_slot(&slots, "b.tar", Some(30)), Some(2));
        assert_eq!(waiting_slot(&slots, "b.tar", None), Some(1));
        assert_eq!(waiting_slot(&slots, "c.tar", None), None);
    }

    #[test]
    fn files_join_their_archives_in_order_and_leave_with_them() {
        let slots = vec![
            slot("a.tar", 10, None),
            slot("a.tar", 10, None),
            slot("b.tar", 5, None),
        ];
        // The demo (nginx.tar) matches nothing; the same file opened twice is two archives.
        let session = vec![
            (1, "nginx.tar".to_string(), 99),
            (2, "a.tar".to_string(), 10),
            (3, "a.tar".to_string(), 10),
        ];
        assert_eq!(
            assign(&slots, &session),
            vec![Some(Some(2)), Some(Some(3)), Some(None)],
            "b.tar is still being read"
        );
        let slots = vec![
            slot("a.tar", 10, Some(2)),
            slot("a.tar", 10, Some(3)),
            slot("b.tar", 5, None),
        ];
        let session = vec![(3, "a.tar".to_string(), 10), (4, "b.tar".to_string(), 5)];
        assert_eq!(
            assign(&slots, &session),
            vec![None, Some(Some(3)), Some(Some(4))],
            "the removed archive's file is forgotten"
        );
        // Same name, other size: another file.
        assert_eq!(
            assign(&[slot("a.tar", 11, None)], &session),
            vec![Some(None)]
        );
    }

    #[test]
    fn a_file_changed_when_its_size_or_date_differ() {
        assert!(!differs(10, 1000.0, 10, 1000.0));
        assert!(differs(10, 1000.0, 11, 1000.0));
        assert!(differs(10, 1000.0, 10, 2000.0));
        assert!(
            !differs(10, 0.0, 10, 2000.0),
            "an unknown date is not compared"
        );
        assert_eq!(Reason::Changed.key(), "reopen-why-changed");
    }
}
