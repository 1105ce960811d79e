//! Image names that stay distinguishable when cut: `pancake-demo/wordpress-a:6.4` and
//! `pancake-demo/wordpress-b:6.4` must not both become `pancake-demo/wordpr…` on a phone.
//! The repository prefix is what gets the ellipsis; the last path segment and the tag stay.

use yew::prelude::*;

/// Splits a shown image name (`registry/org/repo:tag`, escaped as the views show it) into the
/// part that may be cut (everything up to and including the last `/` before the tag) and the
/// part that is always shown (last segment and tag). Either may be empty.
pub fn split(name: &str) -> (&str, &str) {
    // A `:` after the last `/` starts the tag; a `:` before it is a registry port.
    let slash = name.rfind('/');
    match slash {
        Some(i) => name.split_at(i.saturating_add(1).min(name.len())),
        None => ("", name),
    }
}

/// The name in one line, cut in the middle (CSS: `.mid-ell`); the full name is its title.
pub fn middle_ellipsis(name: &str) -> Html {
    let (head, tail) = split(name);
    html! {
        <span class="mono mid-ell" title={name.to_string()}>
            <span class="mid-head">{ head }</span><span class="mid-tail">{ tail }</span>
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn keeps_the_last_segment_and_tag() {
        assert_eq!(
            split("pancake-demo/wordpress-a:6.4"),
            ("pancake-demo/", "wordpress-a:6.4")
        );
        assert_eq!(split("localhost:5000/a/b:1"), ("localhost:5000/a/", "b:1"));
        assert_eq!(split("nginx:1.25"), ("", "nginx:1.25"));
        assert_eq!(split("x/"), ("x/", ""));
    }
}
