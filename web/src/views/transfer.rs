//! `docker pull` / `docker push` simulated over the session: only layers whose identity the
//! other side lacks move. The transcript uses Docker's own words, one line per layer.
//!
//! Time is measured in bytes moved (a virtual clock advanced by speed × elapsed time), so
//! changing the speed mid-run neither jumps nor restarts, and a line's duration follows
//! the layer's stored size.

use std::rc::Rc;

use crate::figures::human_size;
use gloo::timers::callback::Interval;
use pancake_core::analyze::share::{self, Identity, PlanStep, StepStatus};
use pancake_core::units::human_size as docker_size;
use yew::prelude::*;

use super::{reduced_motion, use_lang};
use crate::i18n::{t, tf};
use crate::session::{image_archives, ImageKey, SessionImage, SharedAction};

thread_local! {
    /// Images the simulation has seen: a new one starts "in the registry" once (see below).
    static SEEN: std::cell::RefCell<std::collections::BTreeSet<ImageKey>> =
        const { std::cell::RefCell::new(std::collections::BTreeSet::new()) };
}

/// Docker pulls three layers at once, pushes five.
const PULL_SLOTS: usize = 3;
const PUSH_SLOTS: usize = 5;
const TICK_MS: u32 = 50;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Pull,
    Push,
}

/// When each step happens on the virtual clock (bytes).
#[derive(Clone, Debug, PartialEq)]
pub struct Timing {
    pub start: f64,
    pub end: f64,
    /// Pull only: extraction, after the download and after the layer below.
    pub extract_start: f64,
    pub extract_end: f64,
}

/// Schedules moving steps on `slots` parallel transfers (in plan order); pulls then extract
/// one layer at a time, bottom up. Tiny layers get a floor so they are still seen moving.
pub fn schedule(steps: &[PlanStep], dir: Direction) -> (Vec<Timing>, f64) {
    let total: u64 = steps
        .iter()
        .filter(|s| s.status != StepStatus::Exists)
        .map(|s| s.bytes)
        .sum();
    let floor = (total as f64 * 0.03).max(1.0);
    let slots = match dir {
        Direction::Pull => PULL_SLOTS,
        Direction::Push => PUSH_SLOTS,
    };
    let mut free = vec![0.0f64; slots];
    let mut last_extract = 0.0f64;
    let mut out = Vec::with_capacity(steps.len());
    for s in steps {
        if s.status == StepStatus::Exists {
            out.push(Timing {
                start: 0.0,
                end: 0.0,
                extract_start: 0.0,
                extract_end: 0.0,
            });
            continue;
        }
        let (slot, at) = free
            .iter()
            .copied()
            .enumerate()
            .fold(
                (0, f64::MAX),
                |best, (i, t)| if t < best.1 { (i, t) } else { best },
            );
        let end = at + (s.bytes as f64).max(floor);
        if let Some(f) = free.get_mut(slot) {
            *f = end;
        }
        let (es, ee) = match dir {
            Direction::Pull => {
                let es = end.max(last_extract);
                let ee = es + (s.bytes as f64 / 4.0).max(floor / 2.0);
                last_extract = ee;
                (es, ee)
            }
            Direction::Push => (end, end),
        };
        out.push(Timing {
            start: at,
            end,
            extract_start: es,
            extract_end: ee,
        });
    }
    let finish = out
        .iter()
        .map(|t| t.end.max(t.extract_end))
        .fold(0.0, f64::max);
    (out, finish)
}

/// A line's words and bar at virtual time `now`.
fn line_state(step: &PlanStep, tm: &Timing, now: f64, dir: Direction) -> (String, Option<f64>) {
    // A phase running from `a` to `b`: its words with bytes done so far, and its bar.
    let progress = |word: &str, a: f64, b: f64| {
        let f = ((now - a) / (b - a).max(1e-9)).clamp(0.0, 1.0);
        let done = (step.bytes as f64 * f) as u64;
        (
            format!("{word}  {}/{}", docker_size(done), docker_size(step.bytes)),
            Some(f),
        )
    };
    match (step.status, dir) {
        (StepStatus::Exists, Direction::Pull) => ("Already exists".into(), None),
        (StepStatus::Exists, Direction::Push) => ("Layer already exists".into(), None),
        (_, Direction::Pull) => {
            if now < tm.start {
                ("Pulling fs layer".into(), None)
            } else if now < tm.end {
                progress("Downloading", tm.start, tm.end)
            } else if now < tm.extract_start {
                ("Download complete".into(), None)
            } else if now < tm.extract_end {
                progress("Extracting", tm.extract_start, tm.extract_end)
            } else {
                ("Pull complete".into(), None)
            }
        }
        (_, Direction::Push) => {
            if now < tm.start {
                ("Preparing".into(), None)
            } else if now < tm.end {
                progress("Pushing", tm.start, tm.end)
            } else {
                ("Pushed".into(), None)
            }
        }
    }
}

fn short_id(step: &PlanStep) -> String {
    // Docker names each line by the blob it moves (also in a pull, which checks ChainIDs).
    let d = match step.identity {
        Identity::BlobDigest | Identity::ChainId => step.digest.as_ref().or(step.diff_id.as_ref()),
        Identity::DiffId => step.diff_id.as_ref().or(step.digest.as_ref()),
    };
    d.map(|d| d.hex().chars().take(12).collect())
        .unwrap_or_else(|| "????????????".into())
}

/// `wordpress:a` → (`wordpress`, `a`); no tag → (`<id>`, `latest`).
fn repo_and_tag(tag: &str) -> (String, String) {
    match tag.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r.to_string(), t.to_string()),
        _ => (tag.to_string(), "latest".to_string()),
    }
}

#[derive(Clone, PartialEq)]
struct Run {
    dir: Direction,
    /// A pull of an image this host has already: Docker compares the manifest, lists no
    /// layer and says it is up to date.
    up_to_date: bool,
    target: usize,
    key: ImageKey,
    tag: String,
    digest: Option<String>,
    /// Bytes of the image's manifest, when the archive holds its blob: what `docker push`
    /// prints after "size:" (the manifest's length, not the layers').
    manifest_size: Option<u64>,
    steps: Rc<Vec<PlanStep>>,
    timings: Rc<Vec<Timing>>,
    finish: f64,
}

#[derive(Properties, PartialEq)]
pub struct TransferProps {
    pub images: Vec<SessionImage>,
    pub present: Vec<ImageKey>,
    pub pushed: Vec<ImageKey>,
    pub dispatch: Callback<SharedAction>,
}

/// Speed slider position (0..=100) → bytes per second. The middle moves the whole plan in
/// about four seconds whatever its size (a 20 kB demo or a 2 GB image); each end is 100×
/// slower or faster. Within a run, a line still takes time in proportion to its bytes.
fn speed_of(v: f64, finish: f64) -> f64 {
    (finish / 4.0).max(1.0) * 10f64.powf((v - 50.0) / 25.0)
}

#[function_component(Transfer)]
pub fn transfer(p: &TransferProps) -> Html {
    let lang = use_lang();
    let target = use_state(|| p.images.len().saturating_sub(1));
    let run = use_state(|| None::<Run>);
    let clock = use_mut_ref(|| 0.0f64);
    let speed = use_state(|| 50.0f64);
    let frame = use_state(|| 0u64);
    let ticker = use_mut_ref(|| None::<Interval>);
    let finished = use_mut_ref(|| false);
    let n = p.images.len();
    let target_i = (*target).min(n.saturating_sub(1));
    // A new image starts in the registry: that is where a class pulls it from (Docker Hub holds
    // nginx and wordpress). The reader unticks it to say otherwise; it is not re-ticked later.
    {
        let keys: Vec<ImageKey> = p.images.iter().map(|i| i.key).collect();
        let d = p.dispatch.clone();
        use_effect_with(keys, move |keys| {
            for k in keys {
                if SEEN.with(|s| s.borrow_mut().insert(*k)) {
                    d.emit(SharedAction::Pushed(*k, true));
                }
            }
        });
    }
    // Docker's rules: `docker pull` fetches from the registry, so the image must be there;
    // `docker push` sends from this host, so the image must be here. A refused action says why.
    let chosen = p.images.get(target_i).map(|s| s.key);
    let can_pull = chosen.is_some_and(|k| p.pushed.contains(&k));
    let can_push = chosen.is_some_and(|k| p.present.contains(&k));

    // Drive the clock while a run is going.
    {
        let clock = clock.clone();
        let frame = frame.clone();
        let ticker = ticker.clone();
        let speed_v = *speed;
        use_effect_with(((*run).clone(), speed_v), move |(run, speed_v)| {
            *ticker.borrow_mut() = None;
            if let Some(r) = run.clone() {
                let bps = speed_of(*speed_v, r.finish);
                let finish = r.finish;
                let mut count = 0u64;
                *ticker.borrow_mut() = Some(Interval::new(TICK_MS, move || {
                    let mut c = clock.borrow_mut();
                    if *c < finish {
                        *c = (*c + bps * TICK_MS as f64 / 1000.0).min(finish);
                        count += 1;
                        frame.set(count);
                    }
                }));
            }
            let ticker = ticker.clone();
            move || {
                *ticker.borrow_mut() = None;
            }
        });
    }
    let now = *clock.borrow();
    // Once done: the pulled image is on this host, the pushed one in the registry.
    if let Some(r) = (*run).as_ref() {
        if now >= r.finish && !*finished.borrow() {
            *finished.borrow_mut() = true;
            let action = match r.dir {
                Direction::Pull => SharedAction::Present(r.key, true),
                Direction::Push => SharedAction::Pushed(r.key, true),
            };
            p.dispatch.emit(action);
        }
    }

    let start = |dir: Direction, allowed: bool| {
        let run = run.clone();
        let clock = clock.clone();
        let finished = finished.clone();
        let images = p.images.clone();
        let other: Vec<ImageKey> = match dir {
            Direction::Pull => p.present.clone(),
            Direction::Push => p.pushed.clone(),
        };
        let frame = frame.clone();
        Callback::from(move |_| {
            let Some(si) = images.get(target_i).filter(|_| allowed) else {
                return;
            };
            let owned = image_archives(&images);
            let refs: Vec<&pancake_core::Archive> = owned.iter().collect();
            let side: Vec<(usize, usize)> = images
                .iter()
                .enumerate()
                .filter(|(i, s)| *i != target_i && other.contains(&s.key))
                .map(|(i, _)| (i, 0))
                .collect();
            // The target itself marked as there: everything exists.
            let side = if other.contains(&si.key) {
                let mut s = side;
                s.push((target_i, 0));
                s
            } else {
                side
            };
            let steps = match dir {
                Direction::Pull => share::pull_plan(&refs, (target_i, 0), &side),
                Direction::Push => share::push_plan(&refs, (target_i, 0), &side),
            };
            let (timings, finish) = schedule(&steps, dir);
            let image = si.image();
            *clock.borrow_mut() = if reduced_motion() { finish } else { 0.0 };
            *finished.borrow_mut() = false;
            frame.set(0);
            run.set(Some(Run {
                dir,
                up_to_date: dir == Direction::Pull && other.contains(&si.key),
                target: target_i,
                key: si.key,
                tag: si.tag(),
                digest: image
                    .and_then(|i| i.manifest_digest.as_ref().or(i.config_digest.as_ref()))
                    .map(|d| d.to_string()),
                manifest_size: image
                    .and_then(|i| i.manifest_digest.as_ref())
                    .and_then(|d| {
                        let path = d.blob_path();
                        si.archive
                            .members
                            .iter()
                            .rfind(|m| m.path.as_bytes() == path.as_bytes())
                            .map(|m| m.size)
                    }),
                steps: Rc::new(steps),
                timings: Rc::new(timings),
                finish,
            }));
        })
    };
    let skip = {
        let clock = clock.clone();
        let run = run.clone();
        let frame = frame.clone();
        Callback::from(move |_| {
            if let Some(r) = (*run).as_ref() {
                *clock.borrow_mut() = r.finish;
                frame.set(u64::MAX);
            }
        })
    };
    let on_target = {
        let target = target.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = select_value(&e) {
                target.set(v);
            }
        })
    };
    let on_speed = {
        let speed = speed.clone();
        Callback::from(move |e: InputEvent| {
            use wasm_bindgen::JsCast;
            if let Some(i) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                if let Ok(v) = i.value().parse::<f64>() {
                    speed.set(v);
                }
            }
        })
    };
    let marks = p.images.iter().enumerate().map(|(i, si)| {
        let key = si.key;
        let on_host = p.present.contains(&key);
        let in_reg = p.pushed.contains(&key);
        let d1 = p.dispatch.clone();
        let d2 = p.dispatch.clone();
        html! {
            <tr>
                <th scope="row"><span class="dg-num">{ format!("#{}", i + 1) }</span>{ " " }{ super::name::middle_ellipsis(&si.tag()) }</th>
                <td><input type="checkbox" checked={on_host} data-testid="present-toggle" data-index={i.to_string()}
                    aria-label={tf(lang, "tr-on-host-aria", &[("image", &si.tag())])}
                    onchange={Callback::from(move |_| d1.emit(SharedAction::Present(key, !on_host)))} /></td>
                <td><input type="checkbox" checked={in_reg} data-testid="pushed-toggle" data-index={i.to_string()}
                    aria-label={tf(lang, "tr-in-registry-aria", &[("image", &si.tag())])}
                    onchange={Callback::from(move |_| d2.emit(SharedAction::Pushed(key, !in_reg)))} /></td>
            </tr>
        }
    });

    let transcript = match (*run).as_ref() {
        None => html! { <p class="muted small">{ t(lang, "tr-hint") }</p> },
        Some(r) => {
            let done = now >= r.finish;
            let (repo, tag) = repo_and_tag(&r.tag);
            let moving: u64 = r
                .steps
                .iter()
                .filter(|s| s.status != StepStatus::Exists)
                .map(|s| s.bytes)
                .sum();
            let skipped: u64 = r
                .steps
                .iter()
                .filter(|s| s.status == StepStatus::Exists)
                .map(|s| s.bytes)
                .sum();
            let moved: u64 = r
                .steps
                .iter()
                .zip(r.timings.iter())
                .filter(|(s, _)| s.status != StepStatus::Exists)
                .map(|(s, tm)| {
                    let f = ((now - tm.start) / (tm.end - tm.start).max(1e-9)).clamp(0.0, 1.0);
                    (s.bytes as f64 * f) as u64
                })
                .sum();
            let moved = if done { moving } else { moved.min(moving) };
            let identity_text = if r.dir == Direction::Pull {
                t(lang, "tr-identity-chain")
            } else if r.steps.iter().any(|s| s.identity == Identity::DiffId) {
                t(lang, "tr-identity-diff-id")
            } else {
                t(lang, "tr-identity-blob")
            };
            // Docker lists pulls bottom first, pushes top first.
            let mut order: Vec<usize> = (0..r.steps.len()).collect();
            if r.dir == Direction::Push {
                order.reverse();
            }
            if r.up_to_date {
                order.clear();
            }
            let lines = order.into_iter().filter_map(|i| {
                let s = r.steps.get(i)?;
                let tm = r.timings.get(i)?;
                let (words, bar) = line_state(s, tm, now, r.dir);
                let status = match (s.status, r.dir) {
                    (StepStatus::Exists, _) => "exists",
                    (_, Direction::Pull) => "pulled",
                    (_, Direction::Push) => "pushed",
                };
                let id = short_id(s);
                Some(html! {
                    <li class={classes!("pull-line", format!("st-{status}"))} data-testid="pull-line" data-layer={id.clone()}
                        data-status={status} data-index={s.layer.to_string()}>
                        <span class="mono">{ format!("{id}: ") }{ words }</span>
                        { match bar {
                            Some(f) => html! { <span class="tr-bar" aria-hidden="true"><span style={format!("width:{:.1}%", f * 100.0)}></span></span> },
                            None => html! {},
                        } }
                    </li>
                })
            });
            let head = match r.dir {
                Direction::Pull => format!("{tag}: Pulling from {repo}"),
                Direction::Push => format!("The push refers to repository [{repo}]"),
            };
            let tail = match (r.dir, done) {
                (_, false) => html! {},
                (Direction::Pull, true) => html! {
                    <>
                        <li class="mono">{ format!("Digest: {}", r.digest.clone().unwrap_or_default()) }</li>
                        // "Up to date" only for an image the host had: one it lacks is
                        // downloaded (its manifest and config) even when every layer exists.
                        <li class="mono" data-testid="pull-status">{ if r.up_to_date {
                            format!("Status: Image is up to date for {}", r.tag)
                        } else {
                            format!("Status: Downloaded newer image for {}", r.tag)
                        } }</li>
                    </>
                },
                (Direction::Push, true) => html! {
                    // "size:" is the manifest's length; said only when the archive holds the
                    // manifest (a classic save's is made by the push itself).
                    <li class="mono" data-testid="pull-status">{ match r.manifest_size {
                        Some(n) => format!("{tag}: digest: {} size: {n}", r.digest.clone().unwrap_or_default()),
                        None => format!("{tag}: digest: {}", r.digest.clone().unwrap_or_default()),
                    } }</li>
                },
            };
            html! {
                <div class="tr-run" data-testid="transfer-run" data-direction={if r.dir == Direction::Pull { "pull" } else { "push" }}
                    data-done={done.to_string()} data-target={r.target.to_string()}>
                    <p class="tr-identity small">{ identity_text }</p>
                    <ol class="terminal" aria-live="off" aria-label={t(lang, "tr-transcript")}>
                        <li class="mono">{ head }</li>
                        { for lines }
                        { tail }
                    </ol>
                    <p class="tr-counter" data-testid="transfer-counter" data-moved-bytes={moving.to_string()} data-skipped-bytes={skipped.to_string()} aria-live="polite">
                        { tf(lang, if r.dir == Direction::Pull { "tr-counter-pull" } else { "tr-counter-push" }, &[
                            ("moved", &human_size(lang, moved)),
                            ("total", &human_size(lang, moving)),
                            ("skipped", &human_size(lang, skipped)),
                        ]) }
                    </p>
                </div>
            }
        }
    };
    let running = (*run).as_ref().is_some_and(|r| now < r.finish);
    // What a screen reader says of the slider: the bytes per second of the run shown, else
    // how many times the usual pace (the slider's middle) it is — not a bare "50", nor "1B/s"
    // for a run with nothing to move (every layer already there).
    let speed_text = match (*run).as_ref().filter(|r| r.finish > 0.0) {
        Some(r) => tf(
            lang,
            "per-second",
            &[("size", &human_size(lang, speed_of(*speed, r.finish) as u64))],
        ),
        None => {
            let times = 10f64.powf((*speed - 50.0) / 25.0);
            let places = if times < 1.0 { 2 } else { 1 };
            format!("{}×", crate::figures::decimal(lang, times, places))
        }
    };
    html! {
        <section class="card transfer" aria-labelledby="tr-title">
            <h2 id="tr-title">{ t(lang, "tr-title") }</h2>
            <p class="muted small">{ t(lang, "tr-lead") }</p>
            <table class="tr-marks">
                <thead><tr><th scope="col">{ t(lang, "tr-image") }</th><th scope="col">{ t(lang, "tr-on-host") }</th><th scope="col">{ t(lang, "tr-in-registry") }</th></tr></thead>
                <tbody>{ for marks }</tbody>
            </table>
            <div class="tr-controls">
                <label>{ t(lang, "tr-target") }{ " " }
                    <select data-testid="pull-target" onchange={on_target}>
                        { for p.images.iter().enumerate().map(|(i, si)| html! {
                            <option value={i.to_string()} selected={i == target_i}>{ format!("#{} {}", i + 1, si.tag()) }</option>
                        }) }
                    </select>
                </label>
                <button type="button" class="button primary" data-testid="pull-button" onclick={start(Direction::Pull, can_pull)}
                    disabled={!can_pull} aria-describedby="tr-rules">{ "docker pull" }</button>
                <button type="button" class="button" data-testid="push-button" onclick={start(Direction::Push, can_push)}
                    disabled={!can_push} aria-describedby="tr-rules">{ "docker push" }</button>
                <label class="tr-speed">{ t(lang, "tr-speed") }{ " " }
                    <input type="range" min="0" max="100" step="1" value={speed.to_string()} oninput={on_speed} data-testid="pull-speed"
                        aria-valuetext={speed_text.clone()} />
                    { for (*run).as_ref().filter(|r| r.finish > 0.0).map(|_| html! { <span class="mono small" data-testid="pull-rate">{ speed_text.clone() }</span> }) }
                </label>
                <button type="button" class="button" data-testid="pull-skip" onclick={skip} disabled={!running}>{ t(lang, "tr-skip") }</button>
            </div>
            <p id="tr-rules" class="small tr-rules" data-testid="transfer-rules" aria-live="polite">
                { if can_pull { html! {} } else { html! { <span data-testid="no-pull">{ t(lang, "tr-no-pull") }{ " " }</span> } } }
                { if can_push { html! {} } else { html! { <span data-testid="no-push">{ t(lang, "tr-no-push") }</span> } } }
            </p>
            { transcript }
        </section>
    }
}

fn select_value(e: &Event) -> Option<usize> {
    use wasm_bindgen::JsCast;
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .and_then(|s| s.value().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pancake_core::units::human_size;

    fn step(bytes: u64, status: StepStatus) -> PlanStep {
        PlanStep {
            layer: 0,
            diff_id: None,
            chain_id: None,
            digest: None,
            identity: Identity::DiffId,
            status,
            bytes,
        }
    }

    #[test]
    fn existing_layers_take_no_time_and_pulls_extract_in_order() {
        let steps = [
            step(1000, StepStatus::Exists),
            step(100, StepStatus::Pull),
            step(400, StepStatus::Pull),
        ];
        let (tm, finish) = schedule(&steps, Direction::Pull);
        assert_eq!(tm.first().map(|t| t.end), Some(0.0));
        let (a, b) = (&tm[1], &tm[2]);
        // Both download at once (three slots), durations follow size.
        assert_eq!((a.start, b.start), (0.0, 0.0));
        assert!(b.end > a.end);
        // Extraction is bottom up: b extracts after a.
        assert!(b.extract_start >= a.extract_end);
        assert_eq!(finish, b.extract_end);
    }

    #[test]
    fn more_layers_than_slots_wait_their_turn() {
        let steps: Vec<PlanStep> = (0..6).map(|_| step(10, StepStatus::Push)).collect();
        let (tm, _) = schedule(&steps, Direction::Push);
        assert!(tm.iter().take(5).all(|t| t.start == 0.0));
        assert!(tm.get(5).is_some_and(|t| t.start > 0.0));
    }

    #[test]
    fn lines_use_dockers_words_and_show_bytes_done() {
        let s = step(1000, StepStatus::Pull);
        let tm = Timing {
            start: 0.0,
            end: 100.0,
            extract_start: 200.0,
            extract_end: 300.0,
        };
        let at = |now| line_state(&s, &tm, now, Direction::Pull);
        let half = format!("{}/{}", human_size(500), human_size(1000));
        assert_eq!(at(50.0), (format!("Downloading  {half}"), Some(0.5)));
        assert_eq!(at(150.0), ("Download complete".into(), None));
        assert_eq!(at(250.0), (format!("Extracting  {half}"), Some(0.5)));
        assert_eq!(at(300.0), ("Pull complete".into(), None));
        let push = line_state(&s, &tm, 50.0, Direction::Push);
        assert_eq!(push, (format!("Pushing  {half}"), Some(0.5)));
    }

    #[test]
    fn tags_split_like_docker() {
        assert_eq!(
            repo_and_tag("wordpress:a"),
            ("wordpress".into(), "a".into())
        );
        assert_eq!(
            repo_and_tag("localhost:5000/x"),
            ("localhost:5000/x".into(), "latest".into())
        );
    }
}
