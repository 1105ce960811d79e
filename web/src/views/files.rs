//! A layer's changes (+ ~ −), or the whole filesystem at that layer with each path's owner.
//! The list is virtualized: fixed-height rows, only those in view are in the DOM.

use std::rc::Rc;

use pancake_core::analyze::history::human_size;
use pancake_core::analyze::path_history::PathIndex;
use pancake_core::analyze::union::{self, Change, FileRow};
use pancake_core::EntryKind;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::virtual_list::{use_path_filter, use_virtual_window};
use super::{kind_class, layer_kind, layer_label, use_lang};
use crate::i18n::{t, tf};
use crate::state::{ArchiveRef, StructureKey};

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

#[function_component(Files)]
pub fn files(p: &FilesProps) -> Html {
    let lang = use_lang();
    let image = p.archive.images.get(p.image);
    let n_layers = image.map(|i| i.layers.len()).unwrap_or(0);
    let layer = p
        .layer
        .filter(|l| *l < n_layers)
        .or(n_layers.checked_sub(1));

    let rows: Rc<Vec<FileRow>> = {
        let key = (StructureKey(p.archive.clone()), p.image, layer, p.merged);
        (*use_memo(key, |(a, img, layer, merged)| {
            let (Some(image), Some(l)) = (a.images.get(*img), *layer) else {
                return Rc::new(Vec::new());
            };
            Rc::new(if *merged {
                union::merged(a, image, l)
            } else {
                union::layer_changes(a, image, l).rows
            })
        }))
        .clone()
    };
    // Each path's history, for the merged view's badge: the layer that added a path as well
    // as the last one that changed it. Built once per image, only when the merged view shows.
    let history: Option<Rc<PathIndex>> = {
        let key = (p.archive.clone(), p.image, p.merged);
        (*use_memo(key, |(a, img, merged)| {
            let image = a.images.get(*img).filter(|_| *merged)?;
            Some(Rc::new(PathIndex::build(a, image)))
        }))
        .clone()
    };
    let visible = use_path_filter(rows.clone(), &p.filter);
    let win = use_virtual_window(ROW_HEIGHT, OVERSCAN, 600.0, visible.len());

    let Some(image) = image else {
        return html! { <p class="empty">{ t(lang, "no-image") }</p> };
    };

    let total = visible.len();

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
    let filtering = !p.filter.is_empty();

    let render_row = |pos: usize| -> Html {
        let Some(r) = visible.get(pos).and_then(|i| rows.get(*i)) else {
            return html! {};
        };
        let path = r.path.display().to_string();
        let depth = r.path.components().count().saturating_sub(1);
        let name = if filtering {
            path.clone()
        } else {
            r.path.file_name_display().into_owned()
        };
        let openable = matches!(r.kind, EntryKind::File | EntryKind::Hardlink)
            && r.change != Change::Deleted
            && r.content.as_ref().is_some_and(|c| c.member.is_some());
        let onclick = {
            let cb = p.on_open.clone();
            let row = r.clone();
            Callback::from(move |_| {
                if openable {
                    cb.emit(row.clone())
                }
            })
        };
        let onkeydown = {
            let cb = p.on_open.clone();
            let row = r.clone();
            Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
                "Enter" if openable => cb.emit(row.clone()),
                // Rows are positioned absolutely in path order, so DOM siblings are neighbours;
                // focusing one scrolls it into view, which renders the rows beyond it.
                "ArrowDown" | "ArrowUp" => {
                    e.prevent_default();
                    let el = e
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
                    let next = el.and_then(|el| {
                        if e.key() == "ArrowDown" {
                            el.next_element_sibling()
                        } else {
                            el.previous_element_sibling()
                        }
                    });
                    if let Some(h) = next.and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) {
                        let _ = h.focus();
                    }
                }
                // First / last path: scroll the list there, then focus the row once rendered.
                "Home" | "End" => {
                    e.prevent_default();
                    let home = e.key() == "Home";
                    let list = e
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .and_then(|el| el.closest(".file-list").ok().flatten());
                    if let Some(list) = list {
                        list.set_scroll_top(if home { 0 } else { list.scroll_height() });
                        gloo::timers::callback::Timeout::new(60, move || {
                            let sel = if home {
                                ".file-row"
                            } else {
                                ".file-row:last-child"
                            };
                            let row = list.query_selector_all(sel).ok().and_then(|rows| {
                                rows.item(if home {
                                    0
                                } else {
                                    rows.length().saturating_sub(1)
                                })
                            });
                            if let Some(h) =
                                row.and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
                            {
                                let _ = h.focus();
                            }
                        })
                        .forget();
                    }
                }
                _ => {}
            })
        };
        let kind_mark = match r.kind {
            EntryKind::Dir => "▸",
            EntryKind::Symlink => "↪",
            EntryKind::Hardlink => "⇉",
            EntryKind::File => "·",
            _ => "◦",
        };
        let size = match r.kind {
            EntryKind::Dir => human_size(r.dir_size),
            EntryKind::File | EntryKind::Hardlink => human_size(r.size),
            _ => String::new(),
        };
        let owner_kind = kind_class(layer_kind(image, r.layer));
        // The last `Added` at or below the row's layer: a path deleted and added again counts
        // from its new start.
        let added = history.as_ref().and_then(|h| h.get(&r.path)).and_then(|h| {
            h.events
                .iter()
                .rev()
                .find(|e| e.layer <= r.layer && e.change == Change::Added)
                .map(|e| e.layer)
        });
        let owner_badge = match added.filter(|a| *a != r.layer) {
            Some(a) => {
                let args = [("a", (a + 1).to_string()), ("n", (r.layer + 1).to_string())];
                let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                html! {
                    <span class={classes!("owner", owner_kind)} title={tf(lang, "owner-added-layer", &args)}
                        data-testid="owner-badge" data-added={(a + 1).to_string()} data-layer={(r.layer + 1).to_string()}>
                        { tf(lang, "owner-added-short", &args) }
                    </span>
                }
            }
            None => html! {
                <span class={classes!("owner", owner_kind)} title={t(lang, "owner-layer")}
                    data-testid="owner-badge" data-added={(r.layer + 1).to_string()} data-layer={(r.layer + 1).to_string()}>
                    { tf(lang, "owner-short", &[("n", &(r.layer + 1).to_string())]) }
                </span>
            },
        };
        html! {
            <div class={classes!("file-row", format!("ch-{}", change_id(r.change)), openable.then_some("openable"))}
                role="treeitem" aria-level={(depth + 1).to_string()} tabindex="0"
                style={format!("top:{}px", win.top(pos))}
                data-testid="file-row" data-path={path.clone()} data-change={change_id(r.change)}
                title={path} {onclick} {onkeydown}>
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
                <span class="file-size">{ size }</span>
            </div>
        }
    };

    html! {
        <section class="files" aria-label={t(lang, "tab-files")}>
            <super::search::Search archive={p.archive.clone()} image={p.image} on_layer={p.on_layer.clone()}
                on_merged={p.on_merged.clone()} on_filter={p.on_filter.clone()} on_open={p.on_open.clone()} />
            <div class="files-bar">
                <label class="field">
                    <span>{ t(lang, "layer") }</span>
                    <select onchange={on_layer_change} data-testid="layer-select">
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
            <p class="files-summary small">
                { if p.merged {
                    html! { <>{ tf(lang, "files-count", &[("count", &rows.len().to_string())]) }</> }
                } else {
                    html! { <>
                        <span class="ch-added">{ format!("+ {added} ") }{ t(lang, "added") }</span>{ " · " }
                        <span class="ch-modified">{ format!("~ {modified} ") }{ t(lang, "modified") }</span>{ " · " }
                        <span class="ch-deleted">{ format!("− {deleted} ") }{ t(lang, "deleted") }</span>
                    </> }
                } }
                { if filtering { html! { <>{ " · " }{ tf(lang, "files-matching", &[("count", &total.to_string())]) }</> } } else { html! {} } }
            </p>
            <div class="file-list" ref={win.list_ref.clone()} onscroll={win.onscroll.clone()} role="tree" aria-label={t(lang, "files-tree")}
                data-testid="file-list" data-row-count={total.to_string()}>
                <div class="file-spacer" style={format!("height:{}px", win.height(total))}>
                    { for (win.first..win.last).map(render_row) }
                </div>
                { if total == 0 { html! { <p class="empty">{ t(lang, if filtering { "files-none-match" } else { "files-none" }) }</p> } } else { html! {} } }
            </div>
        </section>
    }
}
