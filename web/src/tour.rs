//! The guided tour's steps: where each happens, what it points at and the world it needs.
//! The course slice of the state (step, embed mode, demo or URL shown) and its reducer are in
//! `state/course.rs`; the views in `views/tour.rs`; the URL side in `permalink.rs`.

pub use crate::state::course::{Course, CourseAction, Link, SrcStatus};

/// One step of the guided tour: where it happens and what it points at.
pub struct Step {
    /// Tab id to switch to (`Tab::from_id`; a tab that does not exist yet is skipped).
    pub tab: &'static str,
    /// CSS selectors of the part it explains, best first; the first one present is outlined.
    pub targets: &'static [&'static str],
    /// Demo image(s) the step needs, as a `Course::demo` value (names joined by `,`).
    pub demo: &'static str,
    /// What the page must look like for the step's text to be true (applied once the demo is
    /// read, whether the step was reached by Next or by a deep link).
    pub setup: Setup,
}

/// The world a step describes, beyond its tab and demo (see `tour_setup.rs`, which applies it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setup {
    /// Nothing beyond the tab and the demo.
    None,
    /// A layer is selected (the top one, when none is), so its details are shown.
    SelectLayer,
    /// Only the images of the shown file (the demo pair) are listed and drawn on the Shared tab
    /// and in the image picker, even when the session holds others (e.g. nginx from the steps
    /// before); the Shared tab titles the list as the file's and says how many it leaves out.
    ShownFileOnly,
    /// A container of the image is running (one is started when there is none) and, when
    /// `open` is given, that file is open in its editor.
    Container { open: Option<&'static str> },
}

/// The file step 8 edits.
pub const NGINX_CONF: &str = "/etc/nginx/nginx.conf";

pub const NGINX: &str = "nginx";
pub const WORDPRESS_PAIR: &str = "wordpress-a,wordpress-b";
pub const MYSQL: &str = "mysql";

/// The chapter's ideas in order. Texts: `tour-N-title`, `tour-N-body`, `tour-N-do`.
pub const STEPS: [Step; 10] = [
    // 1. Pulling shows several downloads: an image is layers.
    Step {
        tab: "stack",
        targets: &["[data-testid=stack]", ".stack"],
        demo: NGINX,
        setup: Setup::None,
    },
    // 2. One Dockerfile instruction, one layer.
    Step {
        tab: "stack",
        targets: &["[data-testid=layer].kind-copy", "[data-testid=layer]"],
        demo: NGINX,
        setup: Setup::None,
    },
    // 3. docker image history.
    Step {
        tab: "history",
        targets: &[
            "[data-testid=history-row].kind-copy",
            "[data-testid=history-table]",
        ],
        demo: NGINX,
        setup: Setup::None,
    },
    // 4. Every layer has a SHA-256, checked again here.
    Step {
        tab: "stack",
        targets: &[
            "[data-testid=layer-details] .ok",
            "[data-testid=layer-details] .facts",
            "[data-testid=layer-details]",
            "[data-testid=layer]",
        ],
        demo: NGINX,
        setup: Setup::SelectLayer,
    },
    // 5. Same instructions, same order: shared layers, stored once.
    Step {
        tab: "shared",
        targets: &["[data-testid=shared-diagram]", "[data-testid=image-picker]"],
        demo: WORDPRESS_PAIR,
        setup: Setup::ShownFileOnly,
    },
    // 6. A pull downloads only the layers whose SHA is missing.
    Step {
        tab: "shared",
        targets: &[
            "section.transfer",
            "section.transfer .tr-marks",
            "[data-testid=pull-line]",
            "[data-testid=shared-diagram]",
        ],
        demo: WORDPRESS_PAIR,
        setup: Setup::ShownFileOnly,
    },
    // 7. Running a container adds a thin writable layer.
    Step {
        tab: "container",
        targets: &[
            "[data-testid=run-container]",
            "[data-testid=container-layer]",
        ],
        demo: NGINX,
        setup: Setup::None,
    },
    // 8. Editing nginx.conf copies it up; the image keeps its original.
    Step {
        tab: "container",
        targets: &[
            "[data-testid=container-editor]",
            // Where a line is changed and saved, when the whole editor is taller than the
            // screen leaves (800×600: 446 px).
            "[data-testid=container-editor] .ctr-text",
            "[data-testid=container-file-list]",
            "[data-testid=container-layer]",
            "[data-testid=run-container]",
        ],
        demo: NGINX,
        setup: Setup::Container {
            open: Some(NGINX_CONF),
        },
    },
    // 9. Two containers from one image don't affect each other.
    Step {
        tab: "container",
        targets: &[
            "[data-testid=run-container]",
            "[data-testid=container-layer]",
        ],
        demo: NGINX,
        setup: Setup::Container { open: None },
    },
    // 10. The chapter's last exercise: the mysql Dockerfile beside `docker image history mysql`.
    Step {
        tab: "history",
        // The first instruction that made a layer: what the step asks to click. The whole
        // Dockerfile (mysql's is ~2,000 px tall) fits on no screen.
        targets: &[
            "[data-testid=dockerfile] .df-layer",
            "[data-testid=dockerfile]",
            "[data-testid=history-table]",
        ],
        demo: MYSQL,
        setup: Setup::None,
    },
];

pub fn step(n: u8) -> Option<&'static Step> {
    STEPS.get(usize::from(n).checked_sub(1)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_steps_with_targets_and_texts() {
        let en = crate::i18n::parse_ftl(include_str!("../locales/en.ftl"));
        assert_eq!(STEPS.len(), 10);
        for n in 1..=10u8 {
            let st = step(n).expect("step");
            assert!(!st.targets.is_empty());
            for part in ["title", "body", "do"] {
                let key = format!("tour-{n}-{part}");
                assert!(en.contains_key(key.as_str()), "en.ftl lacks {key}");
            }
        }
        assert!(step(0).is_none() && step(11).is_none());
    }

    /// Every key any source file passes to `t`/`tf` (second argument, literal or `format!`
    /// pattern) exists in BOTH en.ftl and id.ftl. Scans all of `src/`, not a list of files,
    /// so a new view is covered without touching the test.
    #[test]
    fn every_key_in_every_source_is_in_both_languages() {
        let tables = [
            (
                "en",
                crate::i18n::parse_ftl(include_str!("../locales/en.ftl")),
            ),
            (
                "id",
                crate::i18n::parse_ftl(include_str!("../locales/id.ftl")),
            ),
        ];
        let mut files = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        let mut sources = Vec::new();
        while let Some(p) = files.pop() {
            if p.is_dir() {
                files.extend(
                    std::fs::read_dir(&p)
                        .expect("dir")
                        .flatten()
                        .map(|e| e.path()),
                );
            } else if p.extension().is_some_and(|e| e == "rs") {
                sources.push((p.clone(), std::fs::read_to_string(&p).expect("source")));
            }
        }
        let mut literal = 0;
        let mut problems = Vec::new();
        for (path, text) in &sources {
            for arg in key_arguments(text) {
                for lit in string_literals(&arg) {
                    let is_key = lit.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || "-{}_.()".contains(c)
                    });
                    if !is_key || lit.is_empty() {
                        continue;
                    }
                    for (lang, table) in &tables {
                        let found = if lit.contains('{') {
                            // A format! pattern: some key must fit it.
                            let (head, rest) = lit.split_once('{').unwrap_or((&lit, ""));
                            let tail = rest.rsplit_once('}').map_or("", |(_, t)| t);
                            table
                                .keys()
                                .any(|k| k.starts_with(head) && k.ends_with(tail))
                        } else {
                            literal += 1;
                            table.contains_key(lit.as_str())
                        };
                        if !found {
                            problems.push(format!("{lang}.ftl lacks {lit} ({})", path.display()));
                        }
                    }
                }
            }
        }
        assert!(literal > 100, "found only {literal} literal keys");
        problems.sort();
        problems.dedup();
        assert!(problems.is_empty(), "{problems:#?}");
        // The keys made at run time from tables.
        for (lang, table) in &tables {
            for n in 1..=STEPS.len() {
                for part in ["title", "body", "do"] {
                    assert!(
                        table.contains_key(format!("tour-{n}-{part}").as_str()),
                        "{lang}: tour-{n}-{part}"
                    );
                }
            }
            for p in ["demo", "view", "layer", "step", "lang", "embed", "src"] {
                assert!(
                    table.contains_key(format!("embed-param-{p}").as_str()),
                    "{lang}: embed-param-{p}"
                );
            }
        }
    }

    /// The second argument of every `t(..)` / `tf(..)` call.
    fn key_arguments(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let b = text.as_bytes();
        for pat in ["t(", "tf("] {
            let mut from = 0;
            while let Some(pos) = text[from..].find(pat) {
                let at = from + pos;
                from = at + pat.len();
                let before = at
                    .checked_sub(1)
                    .and_then(|i| b.get(i))
                    .copied()
                    .unwrap_or(b' ');
                if before.is_ascii_alphanumeric()
                    || before == b'_'
                    || before == b'.'
                    || before == b':'
                {
                    continue;
                }
                // Arguments up to the matching `)`, split at top-level commas.
                let (mut depth, mut args, mut cur, mut in_str) =
                    (0i32, Vec::new(), String::new(), false);
                for c in text[from..].chars() {
                    match c {
                        '"' => in_str = !in_str,
                        '(' | '[' | '{' if !in_str => depth += 1,
                        ')' | ']' | '}' if !in_str && depth == 0 => break,
                        ')' | ']' | '}' if !in_str => depth -= 1,
                        ',' if !in_str && depth == 0 => {
                            args.push(std::mem::take(&mut cur));
                            continue;
                        }
                        _ => {}
                    }
                    cur.push(c);
                }
                args.push(cur);
                if let Some(a) = args.get(1) {
                    out.push(a.clone());
                }
            }
        }
        out
    }

    /// String literals of an argument, except those compared against (`kind == "text"`).
    fn string_literals(s: &str) -> Vec<String> {
        let parts: Vec<&str> = s.split('"').collect();
        (1..parts.len())
            .step_by(2)
            .filter(|i| {
                let before = parts[i - 1].trim_end();
                !(before.ends_with("==") || before.ends_with("!="))
            })
            .map(|i| parts[i].to_string())
            .collect()
    }
}
