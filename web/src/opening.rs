//! Opening a file's content: the navigation action and the read the file's worker is asked
//! for, in one place (a click in Files, a search hit, a link's place, a followed link).

use pancake_core::analyze::union::FileRow;

use crate::state::{Action, ContentView, NavAction};
use crate::worker_glue::{Pool, PoolRef};

/// Bytes of a file read when it is opened ("show more" asks for more).
pub const CONTENT_FIRST: u64 = 64 * 1024;

/// When an open applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// At once (the person just asked for it).
    Now,
    /// Only if the person did nothing else since `NavAction::Await(token)` (the row came
    /// from a worker, later); `merged` sets the Files mode with it.
    Awaited { token: u64, merged: Option<bool> },
}

/// Opens `row`'s content: its first [`CONTENT_FIRST`] bytes are asked of `pool` (for a hard
/// link, those of the file it links to). Nothing happens when the row has no stored bytes.
/// An awaited open the state refuses still reads; the bytes are then dropped
/// (`NavAction::ContentArrived` keeps only those of the file shown).
pub fn open_row(dispatch: &dyn Fn(Action), pool: &PoolRef, row: &FileRow, when: When) {
    let Some(c) = row.content.as_ref() else {
        return;
    };
    let Some(member) = c.member else {
        return;
    };
    let max = CONTENT_FIRST.min(row.size.max(1));
    let (entry, path, size) = (c.entry, c.path.clone(), row.size);
    dispatch(Action::Nav(match when {
        When::Now => NavAction::OpenContent {
            member,
            entry,
            path: path.clone(),
            size,
            max,
        },
        When::Awaited { token, merged } => NavAction::OpenAwaited {
            token,
            merged,
            content: ContentView::asked(member, entry, path.clone(), size, max),
        },
    }));
    Pool::read_content(pool, member, path, Some(entry), max);
}
