//! `pancake_core::analyze::share` and `union` on real fixtures (through the same reader the CLI uses),
//! against the fixtures' independently computed `.expected.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use pancake_core::analyze::union::Change;
use pancake_core::{analyze::share, analyze::union, read::archive, Archive};
use serde_json::Value;

fn fixtures() -> PathBuf {
    match std::env::var_os("PANCAKE_FIXTURES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"),
    }
}

fn open(name: &str) -> Archive {
    let path = fixtures().join(name);
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    archive::open(name, &file, &archive::Options::default(), &mut |_| {})
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn expected(name: &str) -> Value {
    let p = fixtures().join(format!("{name}.expected.json"));
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn multi_image_fixture_shared_layers() {
    let name = "docker26-save-multi-app1-app2-app3.tar";
    let a = open(name);
    let exp = expected(name);
    // Our image index for each expected image, matched by config digest.
    let exp_images = exp["images"].as_array().cloned().unwrap_or_default();
    let ours_of: Vec<usize> = exp_images
        .iter()
        .map(|ei| {
            let cfg = ei["config"]["digest"].as_str().unwrap_or_default();
            a.images
                .iter()
                .position(|i| i.config_digest.as_ref().map(|d| d.as_str()) == Some(cfg))
                .unwrap_or_else(|| panic!("no image {cfg}"))
        })
        .collect();
    let want: BTreeMap<String, BTreeSet<usize>> = exp["shared_layers"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    let imgs = v
                        .as_array()
                        .map(|x| {
                            x.iter()
                                .filter_map(|i| i.as_u64())
                                .map(|i| i as usize)
                                .collect()
                        })
                        .unwrap_or_default();
                    (k.clone(), imgs)
                })
                .collect()
        })
        .unwrap_or_default();
    let got: BTreeMap<String, BTreeSet<usize>> = share::shared_layers(&[&a])
        .into_iter()
        .map(|l| {
            let imgs = l
                .image_ids()
                .into_iter()
                .filter_map(|(_, i)| ours_of.iter().position(|&o| o == i))
                .collect();
            (l.diff_id.to_string(), imgs)
        })
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        share::all_layers(&[&a]).len() as u64,
        exp["distinct_layers"].as_u64().unwrap_or(0)
    );

    let s = share::storage(&[&a]);
    assert!(s.stored_bytes < s.separate_bytes);
    // sa-app3 = sa-app1 + one RUN layer: pulling it next to sa-app1 moves exactly one layer.
    let app1 = ours_of.first().copied().unwrap_or(0);
    let app3 = ours_of.get(2).copied().unwrap_or(0);
    let plan = share::pull_plan(&[&a], (0, app3), &[(0, app1)]);
    let pulled: Vec<usize> = plan
        .iter()
        .filter(|s| s.status == share::StepStatus::Pull)
        .map(|s| s.layer)
        .collect();
    assert_eq!(pulled, vec![plan.len() - 1]);
    // A pull checks Docker's layer store, by ChainID; the existing ones are sa-app1's chains.
    let app1_chains = a.images.get(app1).map(share::chain_ids).unwrap_or_default();
    assert!(plan.iter().all(|s| s.identity == share::Identity::ChainId));
    for s in &plan {
        let have = s
            .chain_id
            .as_ref()
            .is_some_and(|c| app1_chains.contains(&Some(c.clone())));
        assert_eq!(
            s.status == share::StepStatus::Exists,
            have,
            "layer {}",
            s.layer
        );
    }
    // A push checks the registry's blobs: docker save blobs are uncompressed, so by diff_id.
    let push = share::push_plan(&[&a], (0, app3), &[(0, app1)]);
    assert!(push.iter().all(|s| s.identity == share::Identity::DiffId));
    assert_eq!(
        push.iter()
            .filter(|s| s.status == share::StepStatus::Push)
            .count(),
        1
    );
}

#[test]
fn two_tarballs_share_their_base() {
    let (a1, a2) = (
        open("docker20-save-app1.tar"),
        open("docker20-save-app2.tar"),
    );
    let ids = |name: &str| -> BTreeSet<String> {
        expected(name)["images"][0]["config"]["diff_ids"]
            .as_array()
            .map(|v| {
                v.iter()
                    .filter_map(|d| d.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let want: BTreeSet<String> = ids("docker20-save-app1.tar")
        .intersection(&ids("docker20-save-app2.tar"))
        .cloned()
        .collect();
    let got: BTreeSet<String> = share::shared_layers(&[&a1, &a2])
        .iter()
        .map(|l| l.diff_id.to_string())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got, want);
    for l in share::shared_layers(&[&a1, &a2]) {
        assert_eq!(l.image_ids(), vec![(0, 0), (1, 0)]);
    }
}

#[test]
fn union_view_of_app1() {
    // Layers: 0 base, 1 COPY files/ /data/, 2 RUN echo >> hello.txt, 3 RUN rm b.txt (whiteout),
    // 4 RUN rm -rf dir && mkdir dir (opaque dir), 5 RUN ln … (symlinks, hard link), 6 WORKDIR.
    let a = open("docker26-save-app1.tar");
    let img = a.images.first().unwrap_or_else(|| panic!("no image"));
    let top = img.layers.len() - 1;
    let m = union::merged(&a, img, top);
    let row = |p: &str| m.iter().find(|r| r.path.to_string() == p);
    assert!(row("data/b.txt").is_none());
    assert!(m.iter().all(|r| !r.path.file_name().starts_with(b".wh.")));
    assert_eq!(
        row("data/hello.txt").map(|r| r.layer),
        Some(5),
        "copied up by the `ln` step"
    );
    assert!(row("data/dir/new.txt").is_some());

    let rm = union::layer_changes(&a, img, 3);
    assert_eq!(rm.deleted, 1);
    assert!(rm
        .rows
        .iter()
        .any(|r| r.path.to_string() == "data/b.txt" && r.change == Change::Deleted));
    let echo = union::layer_changes(&a, img, 2);
    assert!(echo
        .rows
        .iter()
        .any(|r| r.path.to_string() == "data/hello.txt" && r.change == Change::Modified));
    // The opaque `data/dir` hides everything the COPY put below it.
    let opq = union::layer_changes(&a, img, 4);
    assert!(opq.deleted >= 1 && opq.rows.iter().any(|r| r.change == Change::Added));

    let wasted = union::wasted(&a, img);
    let stored = union::stored_bytes(&a, img);
    assert_eq!(wasted.len(), img.layers.len());
    assert!(wasted.iter().zip(&stored).all(|(w, s)| w <= s));
    let e = union::efficiency(&a, img);
    let total: u64 = stored.iter().sum();
    let w: u64 = wasted.iter().sum();
    assert!((e - (total - w) as f64 / total as f64).abs() < 1e-12);
    assert!(w > 0 && e < 1.0);
}
