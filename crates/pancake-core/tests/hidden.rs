//! The deletion lesson: a layer that deletes files (whiteout, opaque directory) hides the
//! bytes of lower layers and frees none of them (`union::hidden_bytes`).

use pancake_core::analyze::union;
use pancake_core::read::archive::{self, Options};
use pancake_demo as demo;

#[test]
fn whiteouts_demo_hides_lower_bytes_and_frees_nothing() {
    let bytes = demo::build("whiteouts").unwrap_or_default();
    let a = archive::open("whiteouts", &bytes, &Options::default(), &mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    let img = &a.images[0];
    // Sizes of the files as layer 1 (COPY app/) stores them, read from its index.
    let size = |p: &str| {
        union::layer_entries(&a, img, 1)
            .iter()
            .find(|e| e.path.to_string() == p)
            .map(|e| e.size)
            .unwrap_or_else(|| panic!("no {p} in layer 1"))
    };
    let sum = |ps: &[&str]| ps.iter().map(|p| size(p)).sum::<u64>();
    let by_first_rm = sum(&[
        "app/old-readme.txt",
        "app/cache/page-1.html",
        "app/cache/page-2.html",
        "app/cache/index.bin",
    ]);
    let by_second_rm = sum(&[
        "app/config/app.ini",
        "app/config/secrets.ini",
        "app/logs/build.log",
    ]);
    assert!(by_first_rm > 10_000, "{by_first_rm}");
    let hidden = union::hidden_bytes(&a, img);
    assert_eq!(hidden, vec![0, 0, by_first_rm, by_second_rm]);
    // The bytes are still stored in layer 1: they are its wasted bytes, and the deleting
    // layers store almost nothing themselves (only `fresh\n`).
    let wasted = union::wasted(&a, img);
    assert_eq!(wasted, vec![0, by_first_rm + by_second_rm, 0, 0]);
    let stored = union::stored_bytes(&a, img);
    assert_eq!(stored.get(2..), Some(&[6u64, 0][..]));
    // Nothing hidden in an image without deletions.
    let nginx = demo::build("nginx").unwrap_or_default();
    let n = archive::open("nginx", &nginx, &Options::default(), &mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(union::hidden_bytes(&n, &n.images[0]), vec![0, 0, 0]);
}
