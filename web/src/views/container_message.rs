//! The container panel's messages in the page's language: a core refusal
//! (`ContainerError`), a failed commit or export (`ExportFailure`), or the panel's own. Each
//! typed value has its own key in `locales/*.ftl`; what the browser or the reader said is put
//! in as it came, marked as the detail.

use crate::figures::{grouped, human_size};
use pancake_core::write::container::{ContainerError, NameBound};
use pancake_core::EntryKind;

use crate::container_export::ExportFailure;
use crate::container_state::{CtrMessage, Done};
use crate::i18n::{t, tf, Lang};

/// `m` in `lang`.
pub fn text(lang: Lang, m: &CtrMessage) -> String {
    match m {
        CtrMessage::Refused(e) => refused(lang, e),
        CtrMessage::Export(e) => export(lang, e),
        CtrMessage::NoBlob(path) => tf(lang, "ctr-err-no-blob", &[("path", path)]),
        CtrMessage::Unread { path, detail } => tf(
            lang,
            "ctr-err-unread",
            &[("path", path), ("detail", detail.as_deref().unwrap_or("—"))],
        ),
        CtrMessage::Key(k) => t(lang, k),
    }
}

/// What an action did, in `lang`: the view's polite status line.
pub fn said(lang: Lang, d: &Done) -> String {
    match d {
        Done::Saved {
            path,
            size,
            from_layer,
        } => {
            let size = human_size(lang, *size);
            match from_layer {
                Some(l) => tf(
                    lang,
                    "ctr-said-saved-copied-up",
                    &[("path", path), ("size", &size), ("n", &(l + 1).to_string())],
                ),
                None => tf(lang, "ctr-said-saved", &[("path", path), ("size", &size)]),
            }
        }
        Done::Deleted { path, whiteout } => {
            let key = if *whiteout {
                "ctr-said-deleted-whiteout"
            } else {
                "ctr-said-deleted"
            };
            tf(lang, key, &[("path", path)])
        }
        Done::Created { path, folder } => {
            let key = if *folder {
                "ctr-said-created-folder"
            } else {
                "ctr-said-created-file"
            };
            tf(lang, key, &[("path", path)])
        }
        Done::Started { name } => tf(lang, "ctr-said-started", &[("name", name)]),
        Done::Removed { name } => tf(lang, "ctr-said-removed", &[("name", name)]),
        Done::Undone { name, size } => tf(
            lang,
            "ctr-said-undone",
            &[("name", name), ("size", &human_size(lang, *size))],
        ),
        Done::Restored { name } => tf(lang, "ctr-said-restored", &[("name", name)]),
    }
}

/// Why the core refused an operation, in `lang`.
pub fn refused(lang: Lang, e: &ContainerError) -> String {
    let on = |key: &str, path: &str| tf(lang, key, &[("path", path)]);
    match e {
        ContainerError::NotFound(p) => on("ctr-err-not-found", p),
        ContainerError::AlreadyExists(p) => on("ctr-err-exists", p),
        ContainerError::NotADirectory(p) => on("ctr-err-not-dir", p),
        ContainerError::IsADirectory(p) => on("ctr-err-is-dir", p),
        ContainerError::InvalidPath(p) => on("ctr-err-invalid-path", p),
        ContainerError::InvalidLinkTarget(p) => on("ctr-err-link-target", p),
        ContainerError::MoveIntoItself(p) => on("ctr-err-into-itself", p),
        ContainerError::WriteToSymlink(p) => on("ctr-err-write-symlink", p),
        ContainerError::ReservedName(p) => on("ctr-err-reserved", p),
        ContainerError::NotCopiedUp { path, kind } => {
            let kind = match kind {
                EntryKind::Char => "ctr-kind-char",
                EntryKind::Block => "ctr-kind-block",
                EntryKind::Fifo => "ctr-kind-fifo",
                _ => "ctr-kind-other",
            };
            tf(
                lang,
                "ctr-err-not-copied-up",
                &[("path", path), ("kind", &t(lang, kind))],
            )
        }
        ContainerError::InvalidOwner { uid, gid } => tf(
            lang,
            "ctr-err-owner",
            &[("uid", &uid.to_string()), ("gid", &gid.to_string())],
        ),
        ContainerError::TooLarge { path, size, limit } => tf(
            lang,
            "ctr-err-too-large",
            &[
                ("path", path),
                ("size", &human_size(lang, *size)),
                ("limit", &human_size(lang, *limit as u64)),
            ],
        ),
        ContainerError::TooLong { path, bound } => {
            let key = match bound {
                NameBound::Name => "ctr-err-name-too-long",
                NameBound::Path => "ctr-err-path-too-long",
                NameBound::LinkTarget => "ctr-err-target-too-long",
                NameBound::Depth => "ctr-err-too-deep",
            };
            tf(
                lang,
                key,
                &[
                    ("path", path),
                    ("limit", &grouped(lang, bound.limit() as u64)),
                ],
            )
        }
        ContainerError::Lower { path, message } => tf(
            lang,
            "ctr-err-unread",
            &[("path", path), ("detail", message)],
        ),
        ContainerError::Commit(detail) => tf(lang, "ctr-err-commit", &[("detail", detail)]),
    }
}

fn export(lang: Lang, e: &ExportFailure) -> String {
    match e {
        ExportFailure::ImageGone => t(lang, "ctr-err-image-gone"),
        ExportFailure::NoConfig => t(lang, "ctr-err-no-config"),
        ExportFailure::Refused(e) => refused(lang, e),
        ExportFailure::BlobMissing { layer } => {
            tf(lang, "ctr-err-blob-missing", &[("n", &layer.to_string())])
        }
        ExportFailure::CompressedWhole { member } => {
            tf(lang, "ctr-err-compressed", &[("member", member)])
        }
        ExportFailure::Read(d) => tf(lang, "ctr-err-read", &[("detail", d)]),
        ExportFailure::Short { offset, want, got } => tf(
            lang,
            "ctr-err-short",
            &[
                ("offset", &grouped(lang, *offset)),
                ("want", &grouped(lang, *want)),
                ("got", &grouped(lang, *got)),
            ],
        ),
        ExportFailure::Write(d) => tf(lang, "ctr-err-write", &[("detail", d)]),
        ExportFailure::Download(d) => tf(lang, "ctr-err-download", &[("detail", d)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each thing an action did is said in both languages, with its path or name, no key
    /// shown raw and no placeholder left.
    #[test]
    fn every_done_is_said_in_both_languages() {
        let p = "/etc/nginx/nginx.conf".to_string();
        let n = "calm_waffle".to_string();
        let all = [
            Done::Saved {
                path: p.clone(),
                size: 969,
                from_layer: Some(2),
            },
            Done::Saved {
                path: p.clone(),
                size: 969,
                from_layer: None,
            },
            Done::Deleted {
                path: p.clone(),
                whiteout: true,
            },
            Done::Deleted {
                path: p.clone(),
                whiteout: false,
            },
            Done::Created {
                path: p.clone(),
                folder: false,
            },
            Done::Created {
                path: p.clone(),
                folder: true,
            },
            Done::Started { name: n.clone() },
            Done::Removed { name: n.clone() },
            Done::Undone {
                name: n.clone(),
                size: 0,
            },
            Done::Restored { name: n.clone() },
        ];
        for d in &all {
            let en = said(Lang::En, d);
            let id = said(Lang::Id, d);
            assert!(
                (en.contains(&p) && id.contains(&p)) || (en.contains(&n) && id.contains(&n)),
                "{en} / {id}"
            );
            assert!(
                !en.contains("ctr-said") && !id.contains("ctr-said"),
                "{en} / {id}"
            );
            assert!(!en.contains("{ $") && !id.contains("{ $"), "{en} / {id}");
            assert_ne!(en, id, "{d:?}");
        }
        let copied = said(Lang::En, &all[0]);
        assert!(
            copied.contains("969B") && copied.contains("layer 3"),
            "{copied}"
        );
    }

    /// Every refusal has words of its own in both languages (no key shown raw, no English
    /// left in the Indonesian), and the path is in them.
    #[test]
    fn every_refusal_is_said_in_both_languages() {
        let p = "/etc/x".to_string();
        let all = [
            ContainerError::NotFound(p.clone()),
            ContainerError::AlreadyExists(p.clone()),
            ContainerError::NotADirectory(p.clone()),
            ContainerError::IsADirectory(p.clone()),
            ContainerError::InvalidPath(p.clone()),
            ContainerError::InvalidLinkTarget(p.clone()),
            ContainerError::MoveIntoItself(p.clone()),
            ContainerError::WriteToSymlink(p.clone()),
            ContainerError::ReservedName(p.clone()),
            ContainerError::NotCopiedUp {
                path: p.clone(),
                kind: EntryKind::Fifo,
            },
            ContainerError::TooLarge {
                path: p.clone(),
                size: 20 << 20,
                limit: 16 << 20,
            },
            ContainerError::TooLong {
                path: p.clone(),
                bound: NameBound::Name,
            },
            ContainerError::TooLong {
                path: p.clone(),
                bound: NameBound::Path,
            },
            ContainerError::TooLong {
                path: p.clone(),
                bound: NameBound::LinkTarget,
            },
            ContainerError::TooLong {
                path: p.clone(),
                bound: NameBound::Depth,
            },
            ContainerError::Lower {
                path: p.clone(),
                message: "gone".into(),
            },
        ];
        for e in &all {
            let en = refused(Lang::En, e);
            let id = refused(Lang::Id, e);
            assert!(en.contains(&p) && id.contains(&p), "{en} / {id}");
            assert!(
                !en.contains("ctr-err") && !id.contains("ctr-err"),
                "{en} / {id}"
            );
            assert!(!en.contains("{ $") && !id.contains("{ $"), "{en} / {id}");
            assert_ne!(en, id, "{e:?}");
        }
        let long = refused(
            Lang::Id,
            &ContainerError::TooLong {
                path: p.clone(),
                bound: NameBound::Name,
            },
        );
        assert!(long.contains("255"), "{long}");
        let owner = refused(
            Lang::Id,
            &ContainerError::InvalidOwner {
                uid: 1 << 40,
                gid: 0,
            },
        );
        assert!(owner.contains("1099511627776"), "{owner}");
        for f in [
            ExportFailure::ImageGone,
            ExportFailure::NoConfig,
            ExportFailure::BlobMissing { layer: 3 },
            ExportFailure::CompressedWhole {
                member: "blobs/sha256/ab".into(),
            },
            ExportFailure::Read("NotReadableError".into()),
            ExportFailure::Short {
                offset: 512,
                want: 10,
                got: 4,
            },
            ExportFailure::Write("disk".into()),
            ExportFailure::Download("no document".into()),
        ] {
            let en = export(Lang::En, &f);
            let id = export(Lang::Id, &f);
            assert!(!id.contains("ctr-err") && !id.contains("{ $"), "{id}");
            assert_ne!(en, id, "{f:?}");
        }
    }
}
