//! Containers of the shown image (issue 5): the sub-state the app reducer holds, and how
//! each user action turns into a `pancake_core::write::container` operation. The core does the
//! copy-on-write; this module only keeps the values, the bytes read so far, and the UI's
//! bookkeeping (which container, which file is open, the last copy-up to animate).
//!
//! Lower file content comes from the worker asynchronously; the core's `Lower` wants it
//! synchronously. So content is fetched first (the existing `ReadContent` path), kept in
//! a page-wide cache, and the `Lower`'s fetch closure answers from that cache only.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use pancake_core::analyze::union::FileRow;
use pancake_core::write::container::{
    Container, ContainerError, Lower, LowerFile, UpperEntry, MAX_FILE_BYTES,
};
use pancake_core::{Archive, EntryKind, Image, RawPath};

use crate::container_export::ExportFailure;
use crate::state::archive_ref::same_structure;

/// What the container panel says after an action, or in place of a file's text: kept as a
/// typed value and put into words by the view (`views::container_message`) in the page's
/// language; the only words kept as given are the browser's and the reader's details.
#[derive(Clone, Debug, PartialEq)]
pub enum CtrMessage {
    /// The core refused an operation.
    Refused(ContainerError),
    /// Committing or exporting failed.
    Export(ExportFailure),
    /// A file of the image whose layer blob is not in the archive (`/`-rooted path).
    NoBlob(String),
    /// The worker could not read a file of the image: the path and the reader's words.
    Unread {
        /// The path, `/`-rooted.
        path: String,
        /// What the reader said, when it said anything.
        detail: Option<String>,
    },
    /// A message of its own, by locale key.
    Key(&'static str),
}

/// What an action did, for the view's polite status line (`views::container_message::said`):
/// the facts as the core's values give them, put into words in the page's language. A
/// screen reader hears a change the eye sees in the list, the stack and `docker diff`.
#[derive(Clone, Debug, PartialEq)]
pub enum Done {
    /// A file was written: `from_layer` is the image layer it was copied up from (it was not
    /// in the container layer yet); `size` its bytes now.
    Saved {
        path: String,
        size: u64,
        from_layer: Option<usize>,
    },
    /// A path was deleted: `whiteout` when the container layer now holds a whiteout hiding
    /// the image's copy, else it was only in the container layer and is simply gone.
    Deleted { path: String, whiteout: bool },
    /// A new empty file, or folder, in the container layer.
    Created { path: String, folder: bool },
    /// A container was started on the image.
    Started { name: String },
    /// A container was removed (Undo brings it back).
    Removed { name: String },
    /// Undo took back a change to a container: its layer holds `size` bytes again.
    Undone { name: String, size: u64 },
    /// Undo brought a removed container back.
    Restored { name: String },
}

/// The last [`Done`], numbered so the same words said twice are a new announcement.
#[derive(Clone, Debug, PartialEq)]
pub struct News {
    pub seq: u32,
    pub done: Done,
}

/// Cached lower content, keyed by (archive member, path in that layer).
type ContentKey = (usize, RawPath);

/// A built `Lower` and the archive value and image it was built from.
type LowerMemo = Option<(Rc<Archive>, usize, Rc<Lower<'static>>)>;

thread_local! {
    static CONTENT: RefCell<HashMap<ContentKey, Rc<Vec<u8>>>> = RefCell::new(HashMap::new());
    /// The `Lower` of the image last asked for, kept with the archive it was built from.
    static LOWER: RefCell<LowerMemo> = const { RefCell::new(None) };
}

/// The `Lower` fetch: cached bytes, or an error saying they were not read yet.
fn fetch_cached(row: &FileRow) -> Result<Vec<u8>, String> {
    let member = row
        .member
        .ok_or("this file has no layer blob to read from")?;
    CONTENT.with(|c| {
        c.borrow()
            .get(&(member, row.path.clone()))
            .map(|b| b.as_ref().clone())
            .ok_or_else(|| "its content has not been read from the image yet".to_string())
    })
}

/// Shared, identity-compared `Lower` for props and state.
#[derive(Clone)]
pub struct LowerRef(pub Rc<Lower<'static>>);

impl PartialEq for LowerRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for LowerRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LowerRef")
    }
}

/// The image's merged filesystem as the core sees it, built once per file structure: the
/// archives that verification facts replace while blobs are hashed share their layer indexes,
/// and a `Lower` holds only what those give (paths, kinds, sizes, owners, where bytes are), so
/// it is not rebuilt — an O(entries) fold — on every facts update.
pub fn lower_of(archive: &Rc<Archive>, image: usize) -> Option<LowerRef> {
    let img = archive.images.get(image)?;
    LOWER.with(|l| {
        let mut l = l.borrow_mut();
        if let Some((a, i, lower)) = l.as_ref() {
            if *i == image && (Rc::ptr_eq(a, archive) || same_structure(a, archive)) {
                return Some(LowerRef(lower.clone()));
            }
        }
        let fetch: &'static dyn Fn(&FileRow) -> Result<Vec<u8>, String> = &fetch_cached;
        let lower = Rc::new(Lower::from_image(archive, img, fetch));
        *l = Some((archive.clone(), image, lower.clone()));
        Some(LowerRef(lower))
    })
}

/// The `Lower` of `image` if one is built for this archive's structure (by [`lower_of`] or
/// [`keep_lower`]), without building it.
pub fn built_lower(archive: &Rc<Archive>, image: usize) -> Option<LowerRef> {
    LOWER.with(|l| {
        let l = l.borrow();
        let (a, i, lower) = l.as_ref()?;
        (*i == image && (Rc::ptr_eq(a, archive) || same_structure(a, archive)))
            .then(|| LowerRef(lower.clone()))
    })
}

/// Keeps `files` (what the file's scanner worker folded: `write::container::files_of`) as
/// the `Lower` of `image` of `archive`, as [`lower_of`] would have built it on the page.
pub fn keep_lower(archive: &Rc<Archive>, image: usize, files: Vec<LowerFile>) -> LowerRef {
    let fetch: &'static dyn Fn(&FileRow) -> Result<Vec<u8>, String> = &fetch_cached;
    let lower = Rc::new(Lower::new(files, fetch));
    LOWER.with(|l| *l.borrow_mut() = Some((archive.clone(), image, lower.clone())));
    LowerRef(lower)
}

/// Where a lower file's bytes live: its own entry, or for a hard link the file it links to
/// (the core resolves it, even when the target's name is gone).
pub fn content_source(_lower: &Lower, f: &LowerFile) -> Option<ContentKey> {
    let c = f.row.content.as_ref()?;
    Some((c.member?, c.path.clone()))
}

pub fn cached(key: &ContentKey) -> Option<Rc<Vec<u8>>> {
    CONTENT.with(|c| c.borrow().get(key).cloned())
}

fn forget_content() {
    CONTENT.with(|c| c.borrow_mut().clear());
}

/// Which image a set of containers belongs to (and where they are stored): its config digest.
pub fn image_key(image: &Image) -> Option<String> {
    image.config_digest.as_ref().map(|d| d.as_str().to_string())
}

/// The file open in the editor.
#[derive(Clone, Debug, PartialEq)]
pub struct Editor {
    /// `/etc/nginx/nginx.conf`
    pub path: String,
    /// The image's copy (lower), if the image has this path; `None` while it is being read.
    pub original: Option<Rc<Vec<u8>>>,
    /// Whether the image has this path at all (a new file has no original).
    pub in_image: bool,
    /// The image layer that owns the image's copy.
    pub layer: Option<usize>,
    /// Waiting for this lower content from the worker.
    pub waiting: Option<ContentKey>,
    /// Why the file cannot be shown for editing.
    pub error: Option<CtrMessage>,
}

/// A copy-up to animate: a file went from an image layer into the container layer.
#[derive(Clone, Debug, PartialEq)]
pub struct CopyUp {
    pub path: String,
    pub from_layer: usize,
    pub seq: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContainerState {
    /// Config digest of the image these containers run on.
    pub key: Option<String>,
    /// Whether the stored containers for `key` were loaded (so new ones may be saved).
    pub loaded: bool,
    pub list: Vec<Rc<Container>>,
    pub selected: Option<String>,
    pub editor: Option<Editor>,
    pub copy_up: Option<CopyUp>,
    pub seq: u32,
    /// The last failed action.
    pub message: Option<CtrMessage>,
    /// What the last action did (cleared by the next action).
    pub news: Option<News>,
    /// Work in progress (commit / export), as a locale key.
    pub busy: Option<&'static str>,
    /// The container file list's filter (kept here so opening a file does not clear it).
    pub filter: String,
    /// What each change replaced, the latest last, at most [`UNDO_STEPS`]: a container as it
    /// was before a write, a delete, a new file or folder, or before it was removed. One tap
    /// on a ✕ deletes a whole folder (or the container), so each step can be taken back.
    /// Containers are immutable values, so a step is the value itself. Not stored.
    pub undo: Vec<UndoStep>,
}

/// One change [`ContainerAction::Undo`] can take back.
#[derive(Clone, Debug, PartialEq)]
pub struct UndoStep {
    /// The container as it was before the change.
    pub before: Rc<Container>,
    /// Where it stood in the list: a removed container comes back there.
    pub at: usize,
}

/// How many changes can be taken back.
pub const UNDO_STEPS: usize = 20;

pub enum ContainerAction {
    /// The containers stored for `key` (IndexedDB).
    Loaded {
        key: String,
        list: Vec<Container>,
    },
    Run {
        name: String,
    },
    Select(String),
    Remove(String),
    /// Open a file of the selected container in the editor.
    Open(String),
    CloseEditor,
    Save {
        path: String,
        text: String,
    },
    Delete(String),
    CreateFile(String),
    Mkdir(String),
    Message(Option<CtrMessage>),
    Busy(Option<&'static str>),
    /// The reader typed in the file list's filter.
    Filter(String),
    /// Takes the last change back ([`ContainerState::undo`]): a removed container comes back
    /// (and is selected), a changed one is as it was before the change.
    Undo,
}

impl ContainerState {
    pub fn current(&self) -> Option<&Rc<Container>> {
        let id = self.selected.as_deref()?;
        self.list.iter().find(|c| c.id == id)
    }

    /// Lower content arrived from the worker (any `ReadContent` answer passes by here).
    pub fn on_content(
        mut self,
        member: usize,
        path: &RawPath,
        bytes: Option<&[u8]>,
        error: Option<&str>,
    ) -> ContainerState {
        let Some(ed) = self.editor.as_mut() else {
            return self;
        };
        let Some(key) = ed.waiting.clone() else {
            return self;
        };
        if key != (member, path.clone()) {
            return self;
        }
        ed.waiting = None;
        match (bytes, error) {
            (Some(b), None) => {
                let b = Rc::new(b.to_vec());
                CONTENT.with(|c| c.borrow_mut().insert(key, b.clone()));
                ed.original = Some(b);
            }
            (_, e) => {
                ed.error = Some(CtrMessage::Unread {
                    path: ed.path.clone(),
                    detail: e.map(str::to_string),
                })
            }
        }
        self
    }
}

/// A Docker-style name (`adjective_noun`) not yet used by `taken`.
pub fn new_name(taken: &[Rc<Container>], random: impl Fn() -> f64) -> String {
    const ADJ: &[&str] = &[
        "brave", "calm", "clever", "eager", "fluffy", "gentle", "happy", "jolly", "kind", "lucid",
        "merry", "nimble", "quiet", "rapid", "sunny", "tender", "vivid", "warm", "witty", "zen",
    ];
    const NOUN: &[&str] = &[
        "pancake", "waffle", "crepe", "mochi", "martabak", "serabi", "lemper", "klepon", "onde",
        "bika", "dadar", "putu", "lapis", "kue", "bolu", "donat", "roti", "apem", "getuk",
        "wingko",
    ];
    let pick = |list: &[&'static str]| -> &'static str {
        let i = (random() * list.len() as f64) as usize;
        list.get(i.min(list.len().saturating_sub(1)))
            .copied()
            .unwrap_or("pancake")
    };
    for _ in 0..50 {
        let name = format!("{}_{}", pick(ADJ), pick(NOUN));
        if !taken.iter().any(|c| c.name == name) {
            return name;
        }
    }
    format!("{}_{}", pick(ADJ), taken.len() + 1)
}

/// Applies one action. `archive`/`image` are the shown image (containers need its layers).
pub fn reduce(
    s: &ContainerState,
    archive: Option<&Rc<Archive>>,
    image: usize,
    action: ContainerAction,
) -> ContainerState {
    let mut s = s.clone();
    let img = archive.and_then(|a| a.images.get(image));
    let key = img.and_then(image_key);
    // Another image is shown now: its containers are another set.
    if s.key != key {
        forget_content();
        s = ContainerState {
            key: key.clone(),
            seq: s.seq,
            ..ContainerState::default()
        };
    }
    // Built (or taken from its memo) only by the actions that use the image's files: a
    // container list arriving from storage must not fold 200,000 entries.
    let needs_lower = matches!(
        action,
        ContainerAction::Open(_)
            | ContainerAction::Save { .. }
            | ContainerAction::Delete(_)
            | ContainerAction::CreateFile(_)
            | ContainerAction::Mkdir(_)
    );
    let lower = if needs_lower {
        archive.and_then(|a| lower_of(a, image))
    } else {
        None
    };
    s.message = None;
    s.news = None;
    match action {
        ContainerAction::Loaded { key: k, list } => {
            if Some(&k) == s.key.as_ref() {
                for c in list {
                    if !s.list.iter().any(|x| x.id == c.id) {
                        s.list.push(Rc::new(c));
                    }
                }
                s.loaded = true;
                if s.selected.is_none() {
                    s.selected = s.list.first().map(|c| c.id.clone());
                }
            }
        }
        ContainerAction::Run { name } => {
            if let Some(img) = img {
                let c = Container::new(&name, img);
                tell(&mut s, Done::Started { name });
                s.selected = Some(c.id.clone());
                s.editor = None;
                s.list.push(Rc::new(c));
            }
        }
        ContainerAction::Select(id) => {
            if s.selected.as_deref() != Some(&id) {
                s.selected = Some(id);
                s.editor = None;
                s.copy_up = None;
            }
        }
        ContainerAction::Remove(id) => {
            if let Some(at) = s.list.iter().position(|c| c.id == id) {
                if let Some(gone) = s.list.get(at).cloned() {
                    let name = gone.name.clone();
                    remember(&mut s, gone, at);
                    tell(&mut s, Done::Removed { name });
                }
            }
            s.list.retain(|c| c.id != id);
            if s.selected.as_deref() == Some(&id) {
                s.selected = s.list.first().map(|c| c.id.clone());
                s.editor = None;
                s.copy_up = None;
            }
        }
        ContainerAction::Open(path) => {
            if let (Some(c), Some(lower)) = (s.current().cloned(), lower.as_ref()) {
                s.editor = Some(open_editor(&c, &lower.0, &path));
            }
        }
        ContainerAction::CloseEditor => s.editor = None,
        ContainerAction::Save { path, text } => {
            if let (Some(c), Some(lower)) = (s.current().cloned(), lower.as_ref()) {
                let owner = c
                    .stat(&path, &lower.0)
                    .filter(|st| !st.in_upper)
                    .and_then(|st| st.layer);
                match c.write_file(&path, text.as_bytes(), &lower.0) {
                    Ok(next) => {
                        replace(&mut s, next);
                        let done = Done::Saved {
                            path: path.clone(),
                            size: text.len() as u64,
                            from_layer: owner,
                        };
                        tell(&mut s, done);
                        if let Some(from_layer) = owner {
                            s.seq = s.seq.wrapping_add(1);
                            s.copy_up = Some(CopyUp {
                                path,
                                from_layer,
                                seq: s.seq,
                            });
                        }
                    }
                    Err(e) => s.message = Some(CtrMessage::Refused(e)),
                }
            }
        }
        ContainerAction::Delete(path) => {
            if apply(&mut s, lower.as_ref(), |c, l| c.delete(&path, l)) {
                let whiteout = s.current().is_some_and(|c| holds_whiteout(c, &path));
                tell(&mut s, Done::Deleted { path, whiteout });
            }
        }
        ContainerAction::CreateFile(path) => {
            let made = apply(&mut s, lower.as_ref(), |c, l| {
                c.create_file(&path, b"", 0o644, l)
            });
            if made {
                let done = Done::Created {
                    path: path.clone(),
                    folder: false,
                };
                tell(&mut s, done);
                if let (Some(c), Some(lower)) = (s.current().cloned(), lower.as_ref()) {
                    s.editor = Some(open_editor(&c, &lower.0, &path));
                }
            }
        }
        ContainerAction::Mkdir(path) => {
            if apply(&mut s, lower.as_ref(), |c, l| c.mkdir(&path, 0o755, l)) {
                tell(&mut s, Done::Created { path, folder: true });
            }
        }
        ContainerAction::Message(m) => s.message = m,
        ContainerAction::Busy(b) => s.busy = b,
        ContainerAction::Filter(f) => s.filter = f,
        ContainerAction::Undo => {
            if let Some(UndoStep { before, at }) = s.undo.pop() {
                s.editor = None;
                s.copy_up = None;
                // The change is shown where it is taken back.
                s.selected = Some(before.id.clone());
                let name = before.name.clone();
                let done = match s.list.iter_mut().find(|c| c.id == before.id) {
                    Some(slot) => {
                        let size = before.upper_size();
                        *slot = before;
                        Done::Undone { name, size }
                    }
                    // Removed: it comes back where it stood, as a new value (stored again).
                    None => {
                        let at = at.min(s.list.len());
                        s.list.insert(at, Rc::new((*before).clone()));
                        Done::Restored { name }
                    }
                };
                tell(&mut s, done);
            }
        }
    }
    s
}

fn replace(s: &mut ContainerState, next: Container) {
    if let Some(at) = s.list.iter().position(|c| c.id == next.id) {
        if let Some(slot) = s.list.get_mut(at) {
            let before = std::mem::replace(slot, Rc::new(next));
            remember(s, before, at);
        }
    }
}

/// Keeps `done` as what the last action did, under a new number.
fn tell(s: &mut ContainerState, done: Done) {
    s.seq = s.seq.wrapping_add(1);
    s.news = Some(News { seq: s.seq, done });
}

/// Whether `c`'s layer holds a whiteout at `path` (a delete hid the image's copy).
fn holds_whiteout(c: &Container, path: &str) -> bool {
    let raw = RawPath::from_typed(path);
    matches!(c.upper.get(&raw), Some(UpperEntry::Whiteout))
}

/// Keeps `before` as the step [`ContainerAction::Undo`] takes back next.
fn remember(s: &mut ContainerState, before: Rc<Container>, at: usize) {
    s.undo.push(UndoStep { before, at });
    if s.undo.len() > UNDO_STEPS {
        s.undo.remove(0);
    }
}

/// Applies `op` to the shown container; whether it changed it (a refusal is the message).
fn apply(
    s: &mut ContainerState,
    lower: Option<&LowerRef>,
    op: impl FnOnce(
        &Container,
        &Lower,
    ) -> Result<Container, pancake_core::write::container::ContainerError>,
) -> bool {
    let (Some(c), Some(lower)) = (s.current().cloned(), lower) else {
        return false;
    };
    match op(&c, &lower.0) {
        Ok(next) => {
            // A deleted file's editor would show something that no longer exists.
            if let Some(ed) = &s.editor {
                if next.stat(&ed.path, &lower.0).is_none() {
                    s.editor = None;
                }
            }
            replace(s, next);
            true
        }
        Err(e) => {
            s.message = Some(CtrMessage::Refused(e));
            false
        }
    }
}

/// The editor for `path`: the image's copy comes from the cache, or is marked to wait for.
fn open_editor(c: &Container, lower: &Lower, path: &str) -> Editor {
    let raw = RawPath::from_typed(path);
    let lf = lower.get(&raw);
    let mut ed = Editor {
        path: path.to_string(),
        original: None,
        in_image: lf.is_some(),
        layer: lf.map(|f| f.row.layer),
        waiting: None,
        error: None,
    };
    let st = c.stat(path, lower);
    if let Some(st) = &st {
        if st.kind == EntryKind::Dir {
            ed.error = Some(CtrMessage::Refused(ContainerError::IsADirectory(
                path.to_string(),
            )));
            return ed;
        }
        // Compared as u64: `usize` is 32 bits here, and 1.1 TB would read as 488 MB.
        if st.size > MAX_FILE_BYTES as u64 {
            ed.error = Some(CtrMessage::Refused(ContainerError::TooLarge {
                path: path.to_string(),
                size: st.size,
                limit: MAX_FILE_BYTES,
            }));
            return ed;
        }
    }
    if let Some(f) = lf {
        match content_source(lower, f) {
            Some(k) => match cached(&k) {
                Some(b) => ed.original = Some(b),
                None => ed.waiting = Some(k),
            },
            None => {
                if f.row.kind == EntryKind::File || f.row.kind == EntryKind::Hardlink {
                    ed.error = Some(CtrMessage::NoBlob(path.to_string()));
                }
            }
        }
    }
    ed
}
