//! A layer's changes (+ ~ −), or the whole filesystem at that layer with each path's owner.
//! The list is virtualized: fixed-height rows, only those in view are in the DOM. Folders fold
//! (a WAI-ARIA tree: roving tabindex, arrow keys), the listing sorts by name or size, and the
//! largest files of the view and of the image are one click away (`tree/model.rs`).

use std::rc::Rc;

use crate::figures::human_size;
use pancake_core::analyze::path_history::PathIndex;
use pancake_core::analyze::union::{self, Change, FileRow};
use pancake_core::{Archive, EntryKind, Image};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::container::PoolHandle;
use super::tree::model::{self as tree, Folding, KeyMove, Line, SortBy, Tree};
use super::virtual_list::{use_path_filter, use_roving_focus, use_virtual_window};
use super::{kind_class, layer_kind, layer_label, use_lang};
use crate::i18n::{t, tf};
use crate::protocol::RowPick;
use crate::state::{ArchiveRef, StructureKey};
use crate::worker_glue::{Pool, ViewRows};

/// The layer that added each row's path (at or below the row's layer), as the scanner sends
/// it with a merged view's rows.
type AddedIn = Rc<Vec<Option<usize>>>;

/// From this many entries in an image's layers, its views are folded by the file's scanner
/// worker instead of on the page's thread (folding 20,000 entries here takes ~0.1 s).
pub const FOLD_ON_WORKER: usize = 20_000;

/// The entries a view of image `image` up to layer `upto` (0-based) folds: those of every
/// layer from the base to it (`usize::MAX`: every layer).
pub fn entries_upto(archive: &Archive, image: &Image, upto: usize) -> usize {
    (0..image.layers.len().min(upto.saturating_add(1)))
        .map(|i| union::layer_entry_count(archive, image, i))
        .sum()
}

/// No rows yet, one shared allocation (a new one per render would change every memo below).
fn empty_rows() -> Rc<Vec<FileRow>> {
    thread_local! {
        static EMPTY: Rc<Vec<FileRow>> = Rc::new(Vec::new());
    }
    EMPTY.with(Rc::clone)
}

/// Must match `.file-row { height }` in the stylesheet.
const ROW_HEIGHT: f64 = 30.0;
/// Rows rendered beyond each edge of the viewport, so fast scrolling shows no gaps.
const OVERSCAN: usize = 12;

#[derive(Properties, PartialEq)]
pub struct FilesProps {
    pub archive: ArchiveRef,
    pub image: usize,
    pub layer: Option<usize>,
    pub merged: bool,
    pub filter: AttrValue,
    pub on_layer: Callback<Option<usize>>,
    pub on_merged: Callback<bool>,
    pub on_filter: Callback<String>,
    /// A regular file was chosen: (row) to show its content.
    pub on_open: Callback<FileRow>,
    /// The opened file the archive was read from, for saving a layer (`None`: not offered).
    #[prop_or_default]
    pub file: Option<web_sys::File>,
    /// What the path search covers (the image shown, or every image of the session) and
    /// where its hits lead.
    pub search: super::search::Scope,
}

pub fn change_id(c: Change) -> &'static str {
    match c {
        Change::Added => "added",
        Change::Modified => "modified",
        Change::Deleted => "deleted",
        Change::Unchanged => "unchanged",
    }
}

fn change_symbol(c: Change) -> &'static str {
    match c {
        Change::Added => "+",
        Change::Modified => "~",
        Change::Deleted => "−",
        Change::Unchanged => "",
    }
}

/// What the file's scanner answered for the rows `ask` names (the view `(image, layer,
/// merged)` and the pick), kept under `key`: `None` while it is asked or when nothing is
/// (`ask` is `None`), `Some(None)` when it could not answer (the caller folds here). Only the
/// answer for the key last asked about is kept (one for a view already left, coming late,
/// would otherwise replace what is shown); a key already answered is not asked again.
#[hook]
fn use_scanner_rows<K: Clone + PartialEq + 'static>(
    pool: &PoolHandle,
    generation: u32,
    key: K,
    ask: Option<((usize, usize, bool), RowPick)>,
) -> Option<Option<ViewRows>> {
    let fetched = use_state(|| None::<(K, Option<ViewRows>)>);
    let asked_last = use_mut_ref(|| None::<K>);
    let asking = ask.is_some();
    {
        let fetched = fetched.clone();
        let pool = pool.clone();
        let have = fetched.as_ref().map(|(k, _)| k.clone());
        use_effect_with((key.clone(), asking), move |(key, _)| {
            *asked_last.borrow_mut() = None;
            if let Some((view, pick)) = ask {
                *asked_last.borrow_mut() = Some(key.clone());
                if have.as_ref() != Some(key) {
                    let asked = key.clone();
                    let answer = Callback::from(move |r: Option<ViewRows>| {
                        if asked_last.borrow().as_ref() == Some(&asked) {
                            fetched.set(Some((asked.clone(), r)))
                        }
                    });
                    Pool::view_rows(&pool.0, generation, view, pick, answer);
                }
            }
        });
    }
    fetched
        .as_ref()
        .filter(|(k, _)| asking && *k == key)
        .map(|(_, r)| r.clone())
}

#[function_component(Files)]
pub fn files(p: &FilesProps) -> Html {
    let lang = use_lang();
    let image = p.archive.images.get(p.image);
    let n_layers = image.map(|i| i.layers.len()).unwrap_or(0);
    let layer = p
        .layer
        .filter(|l| *l < n_layers)
        .or(n_layers.checked_sub(1));

    // A large image is folded by its file's scanner worker (`Pool::view_rows`), not here: a
    // 200,000-entry layer folds for about a second, which would freeze the page. Until its
    // rows come the view says it is folding; when no reader can answer (none holds the file)
    // the page folds them itself after all.
    // The entries folded for this view: every layer up to the one shown.
    let entries_total: usize = match (image, layer) {
        (Some(img), Some(l)) => entries_upto(&p.archive, img, l),
        _ => 0,
    };
    let on_worker = entries_total >= FOLD_ON_WORKER;
    // Layers of this view whose blob is not in the tarball (missing, or non-distributable):
    // their files are not listed, and a merged view leaves out what they changed — said
    // above the list, not shown as a layer that changed nothing.
    let absent: Vec<usize> = match (image, layer) {
        (Some(img), Some(l)) => img
            .layers
            .iter()
            .enumerate()
            .take(l + 1)
            .filter(|(i, x)| x.member.is_none() && (p.merged || *i == l))
            .map(|(i, _)| i)
            .collect(),
        _ => Vec::new(),
    };
    let view_key = (StructureKey(p.archive.clone()), p.image, layer, p.merged);
    // `Some(None)`: the scanner answered without rows.
    let from_worker = use_scanner_rows(
        &p.search.pool,
        p.search.shown.archive,
        view_key.clone(),
        layer
            .filter(|_| on_worker)
            .map(|l| ((p.image, l, p.merged), RowPick::All)),
    );
    let folding = on_worker && from_worker.is_none();
    let fold_here = !on_worker || matches!(from_worker, Some(None));
    let here_rows: Option<Rc<Vec<FileRow>>> = (*use_memo(
        (view_key.clone(), fold_here),
        |((a, img, layer, merged), here)| {
            let (true, Some(image), Some(l)) = (*here, a.images.get(*img), *layer) else {
                return None;
            };
            Some(Rc::new(if *merged {
                union::merged(a, image, l)
            } else {
                union::layer_changes(a, image, l).rows
            }))
        },
    ))
    .clone();
    let (rows, worker_added): (Rc<Vec<FileRow>>, Option<AddedIn>) = match (&from_worker, &here_rows)
    {
        (Some(Some(v)), _) => (v.rows.clone(), Some(v.added.clone())),
        (_, Some(r)) => (r.clone(), None),
        _ => (empty_rows(), None),
    };
    // Each path's additions, for the merged view's badge: the layers that added a path (an
    // index of additions only, `PathIndex::build_added`, not every change). Built once per
    // image, only when the merged view shows and was folded here (a scanner sends each row's
    // "added in" layer with the rows).
    let history: Option<Rc<PathIndex>> = {
        // Keyed on the file structure: verification facts arriving while blobs are hashed
        // must not rebuild an index over every path.
        let key = (
            StructureKey(p.archive.clone()),
            p.image,
            p.merged && fold_here,
        );
        (*use_memo(key, |(a, img, merged)| {
            let image = a.images.get(*img).filter(|_| *merged)?;
            // Only the additions: the badge reads nothing else, and a path every layer
            // rewrites then costs one event, not one per layer.
            Some(Rc::new(PathIndex::build_added(a, image)))
        }))
        .clone()
    };
    let visible = use_path_filter(rows.clone(), &p.filter);
    let filtering = !p.filter.is_empty();
    let tree_rc: Rc<Tree> = (*use_memo(rows.clone(), |rows| Rc::new(Tree::build(rows)))).clone();
    // Folding belongs to one listing: another layer, image or mode starts from its default.
    let listing_key = (p.image, layer, p.merged, rows.len());
    let fold_state = use_state(|| {
        (
            None::<(usize, Option<usize>, bool, usize)>,
            Folding::default(),
        )
    });
    let fold = if fold_state.0 == Some(listing_key) {
        fold_state.1.clone()
    } else {
        Folding::for_rows(rows.len())
    };
    let sort = use_state(SortBy::default);
    let lines: Rc<Vec<Line>> = {
        let key = (
            rows.clone(),
            tree_rc.clone(),
            visible.clone(),
            fold.clone(),
            *sort,
            filtering,
        );
        (*use_memo(key, |(rows, tr, visible, fold, sort, filtering)| {
            Rc::new(if *filtering {
                tree::flat(rows, visible, *sort)
            } else {
                tree::visible(rows, tr, fold, *sort)
            })
        }))
        .clone()
    };
    let win = use_virtual_window(ROW_HEIGHT, OVERSCAN, 600.0, lines.len());
    // The layer <select> follows the state (back/forward, a link) also after the person
    // picked in it: an option's `selected` attribute no longer moves a select whose choice
    // was made by hand, its `value` does.
    let layer_select = use_node_ref();
    {
        let layer_select = layer_select.clone();
        use_effect_with((layer, p.image, n_layers), move |(layer, _, _)| {
            if let Some(sel) = layer_select.cast::<web_sys::HtmlSelectElement>() {
                sel.set_value(&layer.map(|l| l.to_string()).unwrap_or_default());
            }
        });
    }
    // Each line's place among its siblings (aria-posinset/-setsize): only the lines in view
    // are rendered, so assistive technology cannot count them itself.
    let positions: Rc<Vec<(usize, usize)>> = {
        let key = (lines.clone(), tree_rc.clone(), filtering);
        (*use_memo(key, |(lines, tr, filtering)| {
            Rc::new(super::tree::aria::set_positions(lines, tr, *filtering))
        }))
        .clone()
    };
    // Roving tabindex: the line that takes focus (by position in `lines`), focused once
    // rendered when a key or click moved it (`RovingFocus::move_to`).
    let roving = use_roving_focus(&win, lines.len());
    let focus_pos = roving.pos.clone();
    // A path to show and focus once its folders are open (from the largest-files lists).
    let reveal = use_state(|| None::<pancake_core::RawPath>);
    let show_largest = use_state(|| false);
    // What the last link opened led to (a hard link's file, a symlink's target or why none).
    let link_note = use_state(|| None::<super::links::LinkNote>);
    {
        // The note is about a path of one listing: another archive, image, layer or mode
        // drops it.
        let link_note = link_note.clone();
        use_effect_with((p.archive.clone(), p.image, p.layer, p.merged), move |_| {
            link_note.set(None)
        });
    }
    // The listing's largest files, sorted once per listing and only while the list shows
    // (every scroll or key re-renders the tree).
    let view_largest: Rc<Vec<usize>> =
        (*use_memo((rows.clone(), *show_largest), |(rows, show)| {
            Rc::new(if *show {
                tree::largest(rows, tree::LARGEST)
            } else {
                Vec::new()
            })
        }))
        .clone();
    // The image's largest files need its whole filesystem at the top layer: a large image's
    // scanner finds them (`RowPick::Largest`), as it folds the listing.
    let image_entries: usize = image
        .map(|img| entries_upto(&p.archive, img, usize::MAX))
        .unwrap_or(0);
    let largest_key = (StructureKey(p.archive.clone()), p.image);
    let largest_on_worker = *show_largest && image_entries >= FOLD_ON_WORKER;
    // `Some(None)`: the scanner answered without rows (the page folds after all).
    let largest_from_worker = use_scanner_rows(
        &p.search.pool,
        p.search.shown.archive,
        largest_key.clone(),
        n_layers
            .checked_sub(1)
            .filter(|_| largest_on_worker)
            .map(|top| ((p.image, top, true), RowPick::Largest(tree::LARGEST))),
    );
    let largest_folding = largest_on_worker && largest_from_worker.is_none();
    let largest_here =
        *show_largest && (!largest_on_worker || matches!(largest_from_worker, Some(None)));
    let image_largest: Option<Rc<Vec<FileRow>>> = {
        let key = (StructureKey(p.archive.clone()), p.image, largest_here);
        let here = (*use_memo(key, |(a, img, here)| {
            let image = a.images.get(*img).filter(|_| *here)?;
            let top = image.layers.len().checked_sub(1)?;
            let all = union::merged(a, image, top);
            Some(Rc::new(
                tree::largest(&all, tree::LARGEST)
                    .into_iter()
                    .filter_map(|i| all.get(i).cloned())
                    .collect(),
            ))
        }))
        .clone();
        match &largest_from_worker {
            Some(Some(v)) => Some(v.rows.clone()),
            _ => here,
        }
    };
    let set_fold = {
        let fold_state = fold_state.clone();
        move |f: Folding| fold_state.set((Some(listing_key), f))
    };
    {
        // A revealed path: open its folders, then focus its line.
        let reveal = reveal.clone();
        let roving = roving.clone();
        let rows = rows.clone();
        let lines = lines.clone();
        let fold = fold.clone();
        let set_fold = set_fold.clone();
        use_effect_with(((*reveal).clone(), lines.clone()), move |_| {
            if let Some(path) = (*reveal).clone() {
                let at = lines.iter().position(|l| match l {
                    Line::Row(n) => rows.get(*n).is_some_and(|r| r.path == path),
                    Line::More { .. } => false,
                });
                match at {
                    Some(pos) => {
                        roving.move_to(pos);
                        reveal.set(None);
                    }
                    None if !filtering
                        && rows.iter().any(|r| r.path == path)
                        && !fold_opens(&fold, &path) =>
                    {
                        let mut f = fold;
                        f.reveal(&path);
                        set_fold(f);
                    }
                    None => reveal.set(None),
                }
            }
        });
    }

    let Some(image) = image else {
        return html! { <p class="empty">{ t(lang, "no-image") }</p> };
    };

    let total = lines.len();

    let on_layer_change = {
        let cb = p.on_layer.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            {
                cb.emit(sel.value().parse::<usize>().ok());
            }
        })
    };
    let on_filter = {
        let cb = p.on_filter.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(inp) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                cb.emit(inp.value());
            }
        })
    };
    let set_merged = |m: bool| {
        let cb = p.on_merged.clone();
        Callback::from(move |_| cb.emit(m))
    };
    let (added, modified, deleted) = rows.iter().fold((0, 0, 0), |(a, m, d), r| match r.change {
        Change::Added => (a + 1, m, d),
        Change::Modified => (a, m + 1, d),
        Change::Deleted => (a, m, d + 1),
        Change::Unchanged => (a, m, d),
    });

    // Symlinks followed by a scanner (a large image's changes view), counted: the answer
    // is shown only if nothing was opened, and the view neither changed nor closed, since.
    let follows = use_mut_ref(|| 0u32);
    {
        let follows = follows.clone();
        use_effect_with(view_key.clone(), move |_| {
            *follows.borrow_mut() += 1;
            move || *follows.borrow_mut() += 1
        });
    }
    // What a key or a click does to line `pos`.
    let act = {
        let follows = follows.clone();
        let pool = p.search.pool.clone();
        let generation = p.search.shown.archive;
        let lines = lines.clone();
        let rows = rows.clone();
        let fold = fold.clone();
        let set_fold = set_fold.clone();
        let roving = roving.clone();
        let on_open = p.on_open.clone();
        let link_note = link_note.clone();
        let archive = p.archive.clone();
        let (image_ix, merged) = (p.image, p.merged);
        move |m: KeyMove| match m {
            KeyMove::Focus(pos) => {
                roving.move_to(pos);
            }
            KeyMove::Fold(n, open) => {
                if let Some(r) = rows.get(n) {
                    let mut f = fold.clone();
                    f.set.insert(r.path.clone(), open);
                    set_fold(f);
                }
                if let Some(pos) = lines.iter().position(|l| *l == Line::Row(n)) {
                    roving.move_to(pos);
                }
            }
            KeyMove::Open(n) => match rows.get(n) {
                Some(r) if is_link(r) && !merged && on_worker && r.kind == EntryKind::Symlink => {
                    // The rows of the filesystem at this layer that resolving the symlink
                    // reads, from the scanner of this large image (a few, not all of them).
                    *follows.borrow_mut() += 1;
                    let mine = *follows.borrow();
                    let link = r.path.clone();
                    let (follows, link_note, on_open, r) = (
                        follows.clone(),
                        link_note.clone(),
                        on_open.clone(),
                        r.clone(),
                    );
                    let (archive, at) = (archive.clone(), layer);
                    let answer = Callback::from(move |v: Option<ViewRows>| {
                        // No scanner could answer: folded here after all.
                        // (The scanner's rows are let go through `ViewRows`, a slice per task.)
                        let here;
                        let rows: &[FileRow] = match &v {
                            Some(v) => &v.rows,
                            None => {
                                let img = archive.images.get(image_ix);
                                here = img.zip(at).map(|(img, l)| union::merged(&archive, img, l));
                                here.as_deref().unwrap_or_default()
                            }
                        };
                        let followed = super::links::follow(rows, &r);
                        if let (true, Some((note, open))) = (*follows.borrow() == mine, followed) {
                            link_note.set(Some(note));
                            if let Some(o) = open {
                                on_open.emit(o);
                            }
                        }
                    });
                    if let Some(l) = layer {
                        Pool::view_rows(
                            &pool.0,
                            generation,
                            (image_ix, l, true),
                            RowPick::Resolve(link),
                            answer,
                        );
                    }
                }
                Some(r) if is_link(r) => {
                    *follows.borrow_mut() += 1;
                    // A symlink resolves in the filesystem as it stands at this layer: the
                    // listing itself in the merged view, else that view built for this once
                    // (a hard link needs none: its row holds the bytes it shows).
                    let built;
                    let merged_rows: &[FileRow] = if merged || r.kind != EntryKind::Symlink {
                        &rows
                    } else {
                        built = archive
                            .images
                            .get(image_ix)
                            .zip(layer)
                            .map(|(img, l)| union::merged(&archive, img, l))
                            .unwrap_or_default();
                        &built
                    };
                    let followed = super::links::follow(merged_rows, r);
                    if let Some((note, open)) = followed {
                        link_note.set(Some(note));
                        if let Some(o) = open {
                            on_open.emit(o);
                        }
                    }
                }
                Some(r) if openable(r) => {
                    *follows.borrow_mut() += 1;
                    link_note.set(None);
                    on_open.emit(r.clone());
                }
                _ => {}
            },
            KeyMove::More(pos) => {
                if let Some(Line::More { parent, .. }) = lines.get(pos) {
                    let key = parent
                        .and_then(|n| rows.get(n))
                        .map(|r| r.path.clone())
                        .unwrap_or_default();
                    let mut f = fold.clone();
                    let more = f.more.entry(key).or_insert(0);
                    *more = more.saturating_add(tree::CHILD_CAP);
                    set_fold(f);
                    roving.move_to(pos);
                }
            }
            KeyMove::Nothing => {}
        }
    };
    let is_open = {
        let rows = rows.clone();
        let tree_rc = tree_rc.clone();
        let fold = fold.clone();
        move |n: usize| {
            let depth = tree_rc.nodes.get(n).map(|x| x.depth).unwrap_or(0);
            rows.get(n).is_some_and(|r| fold.is_open(&r.path, depth))
        }
    };
    // One handler on the tree: the focused line says which line a key acts on.
    let on_tree_key = {
        let lines = lines.clone();
        let tree_rc = tree_rc.clone();
        let act = act.clone();
        let is_open = is_open.clone();
        Callback::from(move |e: KeyboardEvent| {
            let pos = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.get_attribute("data-pos"))
                .and_then(|v| v.parse::<usize>().ok());
            let Some(pos) = pos else { return };
            // Alt+←/→ is the browser's back/forward, Ctrl/Meta+keys are shortcuts: not ours.
            if e.alt_key() || e.ctrl_key() || e.meta_key() {
                return;
            }
            let key = e.key();
            let m = tree::key_move(&key, &lines, pos, &tree_rc, is_open.clone());
            // A filtered list is flat: folding the tree it hides would change nothing now and
            // surprise when the filter is cleared.
            let m = match m {
                KeyMove::Fold(..) if filtering => KeyMove::Nothing,
                m => m,
            };
            if m != KeyMove::Nothing
                || matches!(key.as_str(), "ArrowDown" | "ArrowUp" | "Home" | "End" | " ")
            {
                e.prevent_default();
            }
            act(m);
        })
    };
    // Without a focused line in view, the first rendered one takes Tab.
    let tab_pos = roving.tab_pos(&win);

    // A file its layer's tar ends inside: its size is its header's claim (O(layers)).
    let cuts = pancake_core::analyze::gaps::cut_files(&p.archive, image);
    let render_row = |pos: usize| -> Html {
        let tabindex = if pos == tab_pos { "0" } else { "-1" };
        let (posinset, setsize) = positions.get(pos).copied().unwrap_or((1, 1));
        let (posinset, setsize) = (posinset.to_string(), setsize.to_string());
        let n = match lines.get(pos) {
            Some(Line::Row(n)) => *n,
            Some(Line::More { hidden, depth, .. }) => {
                let onclick = {
                    let act = act.clone();
                    Callback::from(move |_| act(KeyMove::More(pos)))
                };
                return html! {
                    <div class="file-row tree-more" role="treeitem" aria-level={(depth + 1).to_string()}
                        aria-posinset={posinset} aria-setsize={setsize}
                        tabindex={tabindex} data-pos={pos.to_string()} data-testid="tree-more"
                        style={format!("top:{}px", win.top(pos))} {onclick}>
                        <span class="ch-symbol"></span>
                        <span class="file-name" style={format!("padding-left:{}rem", *depth as f64 * 1.1)}>
                            { tf(lang, "tree-show-more", &[("shown", &crate::figures::count(lang, tree::CHILD_CAP.min(*hidden))), ("hidden", &crate::figures::count(lang, *hidden))]) }
                        </span>
                    </div>
                };
            }
            None => return html! {},
        };
        let Some(r) = rows.get(n) else {
            return html! {};
        };
        let path = r.path.display().to_string();
        let depth = if filtering {
            0
        } else {
            tree_rc.nodes.get(n).map(|x| x.depth).unwrap_or(0)
        };
        let name = if filtering {
            path.clone()
        } else {
            // A row whose folder has no row of its own here (a layer's changes list only what
            // the layer wrote: `tmp/f` in a folder a lower layer made) hangs from the nearest
            // folder that has one, or the top: its name says the folders between.
            let above = tree_rc
                .nodes
                .get(n)
                .and_then(|x| x.parent)
                .and_then(|p| rows.get(p))
                .map_or(&[][..], |p| p.path.as_bytes());
            let full = r.path.as_bytes();
            let rest = if above.is_empty() {
                full
            } else {
                full.get(above.len() + 1..).unwrap_or(full)
            };
            pancake_core::RawPath::from_bytes(rest.to_vec())
                .display()
                .into_owned()
        };
        let openable = openable(r);
        let link = is_link(r);
        let folder = !filtering && tree_rc.has_children(n);
        let open = folder && is_open(n);
        let onclick = {
            let act = act.clone();
            Callback::from(move |_| {
                act(KeyMove::Focus(pos));
                if folder {
                    act(KeyMove::Fold(n, !open));
                } else if openable || link {
                    act(KeyMove::Open(n));
                }
            })
        };
        let kind_mark = match r.kind {
            EntryKind::Dir if open => "▾",
            EntryKind::Dir if folder => "▸",
            // An empty folder (or one in a flat filtered list) does not fold: no arrow.
            EntryKind::Dir => "\u{a0}",
            EntryKind::Symlink => "↪",
            EntryKind::Hardlink => "⇉",
            EntryKind::File => "·",
            _ => "◦",
        };
        let size = match r.kind {
            EntryKind::File => super::layer_size::file_size(
                lang,
                &cuts,
                Some(r.layer),
                &r.path,
                tree::sort_size(r),
            ),
            EntryKind::Dir | EntryKind::Hardlink | EntryKind::Symlink => {
                html! { <span class="file-size">{ human_size(lang, tree::sort_size(r)) }</span> }
            }
            _ => html! { <span class="file-size"></span> },
        };
        let owner_kind = kind_class(layer_kind(image, r.layer));
        let added = match &worker_added {
            Some(a) => a.get(n).copied().flatten(),
            None => history
                .as_ref()
                .and_then(|h| h.get(&r.path))
                .and_then(|h| h.added_at_or_below(r.layer)),
        };
        // Shown short ("L1", "L8→L14"); said in words ("layer 1"), as the container's rows
        // are: "L1" alone means nothing read aloud.
        let owner_badge = match added.filter(|a| *a != r.layer) {
            Some(a) => {
                let args = [("a", (a + 1).to_string()), ("n", (r.layer + 1).to_string())];
                let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                html! {
                    <span class={classes!("owner", owner_kind)} title={tf(lang, "owner-added-layer", &args)}
                        data-testid="owner-badge" data-added={(a + 1).to_string()} data-layer={(r.layer + 1).to_string()}>
                        <span aria-hidden="true">{ tf(lang, "owner-added-short", &args) }</span>
                        <span class="visually-hidden" data-testid="owner-said">{ tf(lang, "owner-added-layer", &args) }</span>
                    </span>
                }
            }
            None => html! {
                <span class={classes!("owner", owner_kind)} title={t(lang, "owner-layer")}
                    data-testid="owner-badge" data-added={(r.layer + 1).to_string()} data-layer={(r.layer + 1).to_string()}>
                    <span aria-hidden="true">{ tf(lang, "owner-short", &[("n", &(r.layer + 1).to_string())]) }</span>
                    <span class="visually-hidden" data-testid="owner-said">{ tf(lang, "owner-said", &[("n", &(r.layer + 1).to_string())]) }</span>
                </span>
            },
        };
        html! {
            <div class={classes!("file-row", format!("ch-{}", change_id(r.change)), (openable || link).then_some("openable"), folder.then_some("folder"))}
                role="treeitem" aria-level={(depth + 1).to_string()} tabindex={tabindex}
                aria-posinset={posinset} aria-setsize={setsize}
                aria-expanded={folder.then(|| open.to_string())}
                style={format!("top:{}px", win.top(pos))} data-pos={pos.to_string()}
                data-testid="file-row" data-path={path.clone()} data-change={change_id(r.change)}
                data-size={tree::sort_size(r).to_string()} data-kind={tree::kind_id(r.kind)}
                title={path} {onclick}>
                <span class="ch-symbol" aria-label={t(lang, change_id(r.change))}>{ change_symbol(r.change) }</span>
                <span class="file-name mono" style={if filtering { String::new() } else { format!("padding-left:{}rem", depth as f64 * 1.1) }}>
                    <span class="kind-mark" aria-hidden="true">{ kind_mark }</span>
                    { name }{ if r.kind == EntryKind::Dir { "/" } else { "" } }
                    { if let Some(target) = &r.link_target {
                        html! { <span class="link-target">{ " → " }{ target.display().to_string() }</span> }
                    } else { html! {} } }
                </span>
                { if p.merged {
                    owner_badge
                } else { html! {} } }
                { size }
            </div>
        }
    };

    let set_sort = |by: SortBy| {
        let sort = sort.clone();
        let focus_pos = focus_pos.clone();
        Callback::from(move |_| {
            sort.set(by);
            focus_pos.set(0);
        })
    };
    let fold_all = |open: bool| {
        let fold = fold.clone();
        let set_fold = set_fold.clone();
        let focus_pos = focus_pos.clone();
        Callback::from(move |_| {
            let mut f = fold.clone();
            if open {
                f.expand_all()
            } else {
                f.collapse_all()
            }
            set_fold(f);
            focus_pos.set(0);
        })
    };
    let toggle_largest = {
        let show = show_largest.clone();
        Callback::from(move |_| show.set(!*show))
    };
    // A largest-files entry: open its content and show it in the tree. `layer`: the view to
    // switch to first (the image's list is of the merged view at the top layer).
    let largest_item = |r: &FileRow, list: &'static str, switch: Option<usize>| -> Html {
        let path = r.path.display().to_string();
        let onclick = {
            let row = r.clone();
            let on_open = p.on_open.clone();
            let on_layer = p.on_layer.clone();
            let on_merged = p.on_merged.clone();
            let reveal = reveal.clone();
            Callback::from(move |_| {
                if let Some(top) = switch {
                    on_merged.emit(true);
                    on_layer.emit(Some(top));
                }
                reveal.set(Some(row.path.clone()));
                if openable(&row) {
                    on_open.emit(row.clone());
                }
            })
        };
        html! {
            <li>
                <button type="button" class="largest-row" data-testid={list} data-path={path.clone()}
                    data-size={r.size.to_string()} {onclick}>
                    <span class="mono ellipsis" title={path.clone()}>{ format!("/{path}") }</span>
                    { super::layer_size::file_size(lang, &cuts, Some(r.layer), &r.path, r.size) }
                </button>
            </li>
        }
    };
    let largest_panel = {
        let here: Vec<Html> = view_largest
            .iter()
            .filter_map(|i| rows.get(*i))
            .map(|r| largest_item(r, "largest-view", None))
            .collect();
        let top = n_layers.checked_sub(1);
        let whole: Vec<Html> = image_largest
            .as_ref()
            .map(|v| {
                v.iter()
                    .map(|r| largest_item(r, "largest-image", top))
                    .collect()
            })
            .unwrap_or_default();
        let empty = |v: &Vec<Html>| {
            if v.is_empty() {
                html! { <p class="muted small">{ t(lang, "tree-largest-none") }</p> }
            } else {
                html! {}
            }
        };
        html! {
            <div class="tree-largest" id="tree-largest" data-testid="largest">
                <section aria-labelledby="tree-largest-view">
                    <h3 id="tree-largest-view" class="small">{ t(lang, if p.merged { "tree-largest-merged" } else { "tree-largest-layer" }) }</h3>
                    { empty(&here) }
                    <ol>{ for here }</ol>
                </section>
                <section aria-labelledby="tree-largest-image">
                    <h3 id="tree-largest-image" class="small">{ t(lang, "tree-largest-image") }</h3>
                    { if largest_folding {
                        html! { <p class="muted small" role="status" data-testid="largest-folding">{ t(lang, "tree-largest-folding") }</p> }
                    } else { empty(&whole) } }
                    <ol>{ for whole }</ol>
                </section>
            </div>
        }
    };

    html! {
        <section class="files" aria-label={t(lang, "tab-files")} data-testid="files-view"
            data-layer={layer.map(|l| l.to_string())} data-merged={p.merged.to_string()}>
            <super::search::Search archive={p.archive.clone()} image={p.image} scope={p.search.clone()} />
            <div class="files-bar">
                <label class="field">
                    <span>{ t(lang, "layer") }</span>
                    <select onchange={on_layer_change} data-testid="layer-select" ref={layer_select}>
                        { for (0..n_layers).rev().map(|i| {
                            let (kw, rest) = layer_label(image, i);
                            let label = format!("{} · {} {}", i + 1, kw, rest);
                            let label: String = label.chars().take(70).collect();
                            html! { <option value={i.to_string()} selected={layer == Some(i)}>{ label }</option> }
                        }) }
                    </select>
                </label>
                <div class="segmented" role="group" aria-label={t(lang, "files-mode")}>
                    <button type="button" aria-pressed={(!p.merged).to_string()} data-testid="files-changes" onclick={set_merged(false)}>{ t(lang, "files-changes") }</button>
                    <button type="button" aria-pressed={p.merged.to_string()} data-testid="files-merged" onclick={set_merged(true)}>{ t(lang, "files-merged") }</button>
                </div>
                <label class="field grow">
                    <span class="visually-hidden">{ t(lang, "filter") }</span>
                    <input type="search" placeholder={t(lang, "filter-placeholder")} value={p.filter.clone()}
                        oninput={on_filter} data-testid="file-filter" />
                </label>
            </div>
            <p class="files-summary small" aria-live="polite">
                { if folding {
                    html! { <span data-testid="files-folding">{ tf(lang, "files-folding", &[("count", &crate::figures::count(lang, entries_total))]) }</span> }
                } else if p.merged {
                    html! { <>{ tf(lang, "files-count", &[("count", &crate::figures::count(lang, rows.len()))]) }</> }
                } else if !absent.is_empty() {
                    // Not "0 added": unknown (the note below says why).
                    html! {}
                } else {
                    html! { <>
                        <span class="ch-added">{ format!("+ {} ", crate::figures::count(lang, added)) }{ t(lang, "added") }</span>{ " · " }
                        <span class="ch-modified">{ format!("~ {} ", crate::figures::count(lang, modified)) }{ t(lang, "modified") }</span>{ " · " }
                        <span class="ch-deleted">{ format!("− {} ", crate::figures::count(lang, deleted)) }{ t(lang, "deleted") }</span>
                    </> }
                } }
                { if filtering { html! { <>{ " · " }{ tf(lang, "files-matching", &[("count", &crate::figures::count(lang, total))]) }</> } } else { html! {} } }
            </p>
            <div class="tree-bar">
                <div class="segmented" role="group" aria-label={t(lang, "tree-sort")}>
                    <button type="button" aria-pressed={(*sort == SortBy::Name).to_string()} data-testid="sort-name" onclick={set_sort(SortBy::Name)}>{ t(lang, "tree-sort-name") }</button>
                    <button type="button" aria-pressed={(*sort == SortBy::Size).to_string()} data-testid="sort-size" onclick={set_sort(SortBy::Size)}>{ t(lang, "tree-sort-size") }</button>
                </div>
                <button type="button" class="button quiet" data-testid="expand-all" disabled={filtering} onclick={fold_all(true)}>{ t(lang, "tree-expand-all") }</button>
                <button type="button" class="button quiet" data-testid="collapse-all" disabled={filtering} onclick={fold_all(false)}>{ t(lang, "tree-collapse-all") }</button>
                <button type="button" class="button quiet" data-testid="largest-toggle" aria-expanded={show_largest.to_string()}
                    aria-controls="tree-largest" onclick={toggle_largest}>{ t(lang, "tree-largest") }</button>
            </div>
            { if let Some(l) = layer {
                html! { <super::tree::layer_export::LayerExport archive={p.archive.clone()} image={p.image} layer={l} file={p.file.clone()} /> }
            } else { html! {} } }
            { if *show_largest { largest_panel } else { html! {} } }
            { if let Some(n) = &*link_note { super::links::note_html(lang, n) } else { html! {} } }
            { absent_note(lang, &absent, p.merged) }
            <div class="file-list" ref={win.list_ref.clone()} onscroll={win.onscroll.clone()} role="tree" aria-label={t(lang, "files-tree")}
                onkeydown={on_tree_key}
                data-testid="file-list" data-row-count={total.to_string()}>
                <div class="file-spacer" style={format!("height:{}px", win.height(total))}>
                    { for (win.first..win.last).map(render_row) }
                </div>
                { if total == 0 && !folding && (p.merged || absent.is_empty()) { html! { <p class="empty">{ t(lang, if filtering { "files-none-match" } else { "files-none" }) }</p> } } else { html! {} } }
            </div>
        </section>
    }
}

/// What the list cannot show: the layer's own blob is not in the tarball, or (merged) layers
/// below are not, whose changes the list then leaves out. Layers numbered from 1.
pub(crate) fn absent_note(lang: crate::i18n::Lang, absent: &[usize], merged: bool) -> Html {
    if absent.is_empty() {
        return html! {};
    }
    let layers = absent
        .iter()
        .map(|l| (l + 1).to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let text = match (merged, absent.len()) {
        (false, _) => t(lang, "files-absent-layer"),
        (true, 1) => tf(lang, "files-absent-below", &[("layers", &layers)]),
        (true, _) => tf(lang, "files-absent-below-many", &[("layers", &layers)]),
    };
    html! {
        <p class="search-status small warn" data-testid="files-absent" data-layers={layers.replace(", ", ",")}>{ text }</p>
    }
}

/// A row whose bytes can be shown: a regular file or a resolved hard link, present here.
fn openable(r: &FileRow) -> bool {
    matches!(r.kind, EntryKind::File | EntryKind::Hardlink)
        && r.change != Change::Deleted
        && r.content.as_ref().is_some_and(|c| c.member.is_some())
}

/// A symlink or hard link present here: opening it follows it (`links`).
fn is_link(r: &FileRow) -> bool {
    matches!(r.kind, EntryKind::Symlink | EntryKind::Hardlink) && r.change != Change::Deleted
}

/// Whether every folder above `path` was opened by hand (a reveal has been applied).
fn fold_opens(fold: &Folding, path: &pancake_core::RawPath) -> bool {
    let mut up = path.parent();
    while !up.is_root() {
        if fold.set.get(&up) != Some(&true) {
            return false;
        }
        up = up.parent();
    }
    true
}
