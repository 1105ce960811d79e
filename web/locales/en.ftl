# Pancake — English. Keys are shared with id.ftl; a test fails if either lacks one.
# Placeholders: { $name }.

lang-name = English
language = Language
tabs-label = Views
tab-stack = Stack
tab-files = Files
tab-history = History
tab-config = Config
open-file = Open file…
footer = Pancake reads your image in this browser tab. Nothing is uploaded.
drop-here = Drop the tarball to open it

## Start
start-title = See the layers inside a container image
start-lead = Open the tarball from docker save (or an OCI archive) and Pancake shows it the way Docker stores it: a stack of layers, each tied to its Dockerfile instruction, each SHA-256 checked again.
start-drop = Drop a .tar or .tar.gz anywhere on this page
start-or = or
start-choose = Choose a file
start-formats = docker save · podman · skopeo · OCI archives · gzip-compressed tarballs — any file name
start-demo-title = No tarball at hand? Try a demo
start-demo-lead = Built right here in your browser, no download.
start-privacy = Your file never leaves this computer: it is read here, in your browser.

## Status
reading = Reading…
progress-reading = Reading { $size }…
progress-hashing = Checking digests
time-left = { $time } left
seconds = { $n } s
minutes = { $m } min { $s } s
rate = { $mb } MB/s
per-second = { $size }/s
cancel = Cancel
cancelled = Checking was cancelled: digests not yet checked stay unverified.
ready = ✓ All digests checked: { $verified } of { $total } layers verified
ready-failed = ✗ Digests checked: only { $verified } of { $total } layers verified
scan-time = first view in { $ms } ms
summary-line = { $layers } layers · { $size } uncompressed · { $format }
errors-title = Problems found
error-fatal = Could not read the file:
no-image = This image could not be found in the tarball.
no-images-found = No image could be read from this file. The problems above say why.

## Formats
format-docker-archive = docker save (classic)
format-docker-oci-layout = docker save (Docker 25+, OCI layout)
format-oci-archive = OCI archive
format-legacy-v1 = legacy docker save (v1)
format-unrecognized = unrecognized layout

## Problems (kinds)
problem-archive = The tarball is damaged
problem-metadata = Manifest or config problem
problem-missing-blob = A layer is missing
problem-digest-mismatch = Digest mismatch
problem-layer-unreadable = A layer cannot be read
problem-unsafe-path = Unsafe path
problem-whiteout = Whiteout problem
problem-duplicate-member = Duplicate member
problem-history = History does not match the layers
problem-limit = Size limit reached
problem-tar-quirk = Layer tar format note
problem-hard-link = A hard link points to no file

## Image picker
picker-label = Images in this tarball
picker-title = { $count } images:
picker-layers = { $count } layers

## Stack
stack-label = Layers, base at the bottom
stack-top = top: the last instruction
stack-bottom = bottom: the base image
stack-hint = Choose a layer to see its digest, its command and what it changed.
layer-generic = LAYER
layer-aria = Layer { $n }: { $text }, { $size }
base = base
badge-verified = verified
badge-mismatch = mismatch
badge-pending = checking
badge-unchecked = not checked
layer-n-of = Layer { $n } of { $total }
mismatch-title = This layer is not what the image says it is.
expected = Expected
actual = Computed
verified-explain = Verified: the SHA-256 computed here matches every digest the image claims for this layer.
pending-explain = This layer's SHA-256 is being computed…
unchecked-explain = This layer could not be checked (its blob is missing or unreadable).
digest = Digest (blob)
diff-id = diff_id (uncompressed)
config-diff-id = diff_id in config
created = Created
command = Command
comment = Comment
size = Size
compression-none = uncompressed
entries = Entries
changes = Changes
added = added
modified = modified
deleted = deleted
unchanged = unchanged
wasted = Wasted
wasted-explain = bytes a later layer overwrote or deleted
blob-path = Blob in tarball
media-type = Media type
browse-files = Browse this layer's files
pending = pending…
copy = Copy
copied = Copied ✓

## Files
layer = Layer
files-mode = What to list
files-changes = Changes in this layer
files-merged = Filesystem at this layer
filter = Filter by path
filter-placeholder = Filter by path…
files-tree = Files
files-count = { $count } paths
files-matching = { $count } matching
files-none = This layer changed no files.
files-none-match = No path matches the filter.
owner-layer = The layer this file comes from
owner-short = L{ $n }

## File content
content-loading = Reading…
content-text = Showing { $shown } of { $size }.
content-binary = Binary file: hex dump of { $shown } of { $size }.
show-more = Show more
close = Close

## History
history-lead = As docker image history prints it, newest step first. Click a long command to read all of it.
expand = Show the whole command
collapse = Show less

## Config
cfg-tags = Tags
cfg-id = Image ID
cfg-platform = Platform
cfg-created = Created
cfg-author = Author
cfg-entrypoint = Entrypoint
cfg-cmd = Cmd
cfg-workdir = Working directory
cfg-user = User
cfg-env = Environment
cfg-ports = Exposed ports
cfg-volumes = Volumes
cfg-labels = Labels
cfg-key = Key
cfg-value = Value
cfg-source = Found in
cfg-diff-ids = Layer diff_ids (config)

# --- course mode (tour, embedding, links) ---
page-title = Pancake — see the layers of a container image
footer-tour = Take the tour
footer-embed = Embed in a course page
demo-missing = There is no demo called { $name }.
tour-start = Take the tour
tour-start-lead = Ten short steps through how image layers work, on built-in demo images.
tour-label = Guided tour
tour-counter = Step { $n } of { $total }
tour-close = Close the tour
tour-try = Try it:
tour-back = Back
tour-next = Next
tour-finish = Finish
tour-1-title = An image is a stack of layers
tour-1-body = Pull an image and Docker shows several downloads running side by side, even though you asked for one image. Each of those downloads is a layer: the image is built from layers stacked on top of each other, like pancakes on a plate. This is the nginx demo image, base layer at the bottom.
tour-1-do = Count the slabs in the stack: a pull of this image shows one download for each of them.
tour-2-title = One instruction, one layer
tour-2-body = Each layer was made by one instruction in the image's Dockerfile: FROM brings in the base, RUN installs software, COPY puts a file in place. Instructions such as ENV, EXPOSE and CMD only change settings, so they add no files and show up as thin 0 B lines between the slabs.
tour-2-do = Click the COPY layer and read the command that made it.
tour-3-title = Reading docker image history
tour-3-body = The command docker image history lists the same instructions, newest first. Rows of 0B are the settings-only steps; every other row belongs to exactly one slab of the stack.
tour-3-do = Find the COPY row and compare its size with the COPY slab on the Stack tab.
tour-4-title = Every layer has a fingerprint
tour-4-body = A layer is known by its SHA-256 digest, computed from its exact bytes: change a single byte and the digest is completely different. Docker uses it to tell layers apart. Pancake has just computed every digest again in your browser and compared it with what the image claims.
tour-4-do = In the details panel, find the ✓ verified badge and the full digest of the selected layer.
tour-5-title = Same instructions, shared layers
tour-5-body = These are two WordPress images of the same version, each with different site data. Their lower layers come from the same instructions in the same order, so they are identical byte for byte and Docker keeps only one copy of each. Only the top layer, the site data, is stored twice.
tour-5-do = Find a layer that both images use: it is drawn once, across both of them.
tour-6-title = A pull fetches only what is missing
tour-6-body = During a pull, Docker checks the SHA of every layer of the image against the layers already on your machine, and downloads only the ones it does not have yet. When all of them are already there, nothing is downloaded.
tour-6-do = Say that wordpress-a is already on this machine, then pull wordpress-b: which lines say Already exists?
tour-7-title = A container is a thin layer on top
tour-7-body = Starting a container does not copy the image. Docker puts one new, empty, writable layer on top of the image's layers, which all stay read-only. That is why a container starts in a moment and takes almost no space: at first its layer holds little more than metadata.
tour-7-do = Run a container and find its new layer on top of the stack.
tour-8-title = Copy on write
tour-8-body = When a container changes a file that belongs to the image, such as nginx.conf, Docker first copies the file up into the container's own layer and changes that copy. The file inside the image is never touched.
tour-8-do = Open /etc/nginx/nginx.conf in the container, change one line and save, then compare it with the image's copy.
tour-9-title = Containers don't see each other's changes
tour-9-body = Every container gets its own writable layer over the same image. A change made in one container lives only in that container's layer, so the other containers, and the image itself, never see it.
tour-9-do = Run a second container and open nginx.conf there: it still has the original text.
embed-open = Embed
embed-open-full = Open in full Pancake
embed-title = Put Pancake in a course page
embed-lead = Paste this line into your page. Everything runs in the reader's browser: nothing is uploaded and nothing is loaded from another site.
embed-snippet = HTML to paste into a course page
embed-params = Parameters
embed-param = Parameter
embed-values = Values
embed-meaning = What it does
embed-param-demo = Opens a built-in demo image; several names, separated by commas, open together as one session.
embed-param-view = The tab to show.
embed-param-layer = The layer to select, counted from the base.
embed-param-step = Opens the guided tour at this step.
embed-param-lang = Language of the page; without it, the browser's language.
embed-param-embed = Compact mode for an iframe: no header or footer, and a link to open the full page.
embed-param-src = Opens a tarball from a web address. The server hosting it must allow this page to read it (CORS).
embed-cors = For src, the host of the tarball must send the header Access-Control-Allow-Origin (for example *); without it the browser refuses to hand the file to the page.
embed-docs = The same help, with examples, is in docs/embed.md.
src-loading = Downloading { $url }…
src-failed = Could not download { $url }.
src-http = The server answered HTTP { $status }.
src-cors = The browser got no answer it may read. Either the server is unreachable, or it does not allow this page to read the file: the host must enable CORS (send the header Access-Control-Allow-Origin). Other sites are only reached over https.
src-confirm-title = Open a file from another site?
src-confirm-host = This link asks Pancake to download an image tarball from { $host }. Nothing is fetched until you say so.
src-confirm-why = The file is read in your browser and never uploaded. Only open it if you trust the link: the site will see that you asked for the file.
src-confirm-open = Download and open
src-confirm-cancel = Cancel

# --- containers ---
tab-container = Container
ctr-run = Run container
ctr-run-hint = Start a container on this image: a thin writable layer on top of its layers
ctr-no-config = This image has no config digest, so no container can be run on it
ctr-intro = A container is the image plus one thin writable layer. Change a file and it is copied up into that layer; the image stays as it was.
ctr-list = Containers of this image
ctr-remove = Remove container { $name }
ctr-none = No container yet. Press “Run container” above.
ctr-stack = The container's layers, top first
ctr-layer = container layer
ctr-layer-empty = empty: metadata only
ctr-layer-rw = writable: copied-up and new files
ctr-stack-note = The image layers below are read-only and shared by every container of this image.
ctr-files = Files the container sees
ctr-owner-container = container
ctr-owner-layer = image layer { $n }
ctr-delete = Delete { $path }
ctr-new-path = Path of a new file or folder
ctr-new-file = New file
ctr-new-folder = New folder
ctr-editor = File editor
ctr-editing = Content of { $path }
ctr-reading = Reading the file from the image…
ctr-binary = This file is not text; it can be deleted but not edited here.
ctr-save = Save
ctr-unsaved = Unsaved changes
ctr-delete-file = Delete
ctr-image-copy = Image's copy (layer { $n }, unchanged)
ctr-container-copy = Container's copy (container layer)
ctr-diff-empty = No changes yet: the container sees exactly the image.
ctr-commit = Commit
ctr-commit-hint = Turn the container layer into a new image layer and open the new image
ctr-export = Download as tarball
ctr-export-hint = The committed image as a tarball that docker load accepts
ctr-committing = Committing…
ctr-exporting = Writing the tarball…
ctr-file-gone = The opened file is no longer available; open it again.

# --- shared layers ---
tab-shared = Shared
demo-pair = Try: two WordPress sites
sh-title = Images in this session
sh-lead = Every image you open stays here, so you can see what they share. Open more files, drop several at once, or remove one with ✕.
sh-image-bytes = { $total } of layer tars, { $unique } of them its own
sh-pending = (still being checked)
sh-queued = { $count } more files waiting to be read.
sh-remove-aria = Remove { $image } from the session
sh-add = Add an image…
sh-need-two = Open a second image to see which layers they share — or try the two WordPress sites.
dg-title = Shared layers
dg-lead = Each column is one image, base at the bottom. A layer is shared when it is the same layer on the same layers below it — the same instructions, in the same order: Docker stores it once, by its ChainID. The same diff_id on a different base is another layer.
dg-label = Layers of every image side by side
dg-band-aria = { $text }, used by { $count } images
dg-shared-by = shared by { $count }
dg-hint = Hover over a layer, or click it, to see which images use it.
dg-used-by = Used by
dg-at-layer = layer { $n }
dg-stored-once = stored once in the layer store
st-title = Storage
st-separate = if each image kept its own copy
st-stored = in Docker's layer store (each ChainID once)
st-saved = saved by sharing
st-explain = Layer store sizes are the uncompressed layer tars, as Docker keeps them on disk: a layer is kept once per ChainID — the layer together with every layer below it — so two images share it only when they were built with the same instructions, in the same order.
st-content = content store (each blob once, by digest)
st-content-explain = A content store (containerd, a registry) keeps each blob once by its digest, wherever it sits in a chain: blobs as stored, compressed or not.
dg-chain-id = ChainID
dg-chain-id-hint = SHA-256 over the diff_ids from the base up to this layer: what Docker’s layer store keeps a layer by
tr-identity-chain = Docker skips a layer it already has together with every layer below it; from the first layer it lacks, every layer above is downloaded.
cmp-title = Compare two images
cmp-a = Image A
cmp-b = Image B
cmp-need-two = Open a second image to compare.
cmp-identical = They have exactly the same layers.
cmp-diverge-at = They differ from layer { $n } up: the { $shared } layers below it are the same.
cmp-no-layer = (no layer here)
cmp-shared = Shared layers: { $count } ({ $size }).
cmp-no-files = No file differs between their filesystems.
cmp-files-caption = { $count } paths differ between { $a } and { $b }
cmp-change = Change
cmp-path = Path
cmp-only-a = only in A
cmp-only-b = only in B
cmp-changed = changed
cmp-rewritten = rewritten (same size)
cmp-more = …and { $count } more.
tr-title = docker pull / docker push, simulated
tr-lead = Mark which images this computer already has and which the registry holds, then pull or push one. Only layers the other side lacks are moved.
tr-image = Image
tr-on-host = On this host
tr-in-registry = In the registry
tr-on-host-aria = { $image } is on this host
tr-in-registry-aria = { $image } is in the registry
tr-target = Image to move:
tr-speed = Speed
tr-skip = Skip animation
tr-hint = Press docker pull or docker push to see the transcript.
tr-transcript = Transcript
tr-identity-blob = Layers are matched by their compressed blob digest, as a registry stores them.
tr-identity-diff-id = The layers in this file are not compressed, so the registry recognises each one by the fingerprint (SHA-256) of its unpacked contents.
tr-counter-pull = Downloaded { $moved } of { $total } · skipped { $skipped } (already exists)
tr-counter-push = Uploaded { $moved } of { $total } · skipped { $skipped } (already in the registry)

# --- core problem kinds ---
problem-missing-platform = A platform is not in this tarball (not an error)

# Verification that cannot be done (nothing claims a digest, or left out on purpose)
badge-not-checkable = not checkable
not-checkable-explain = Nothing in this archive claims a digest for this layer that can be checked here, so it cannot be checked. It is not wrong:
problem-non-distributable = A layer was left out on purpose (non-distributable; not an error)
problem-disagreement = Two sources in the archive disagree
problem-artifact = A signature, attestation or SBOM refers to no image here (not an error)

# --- track "problems": grouped problems and what each kind means (#15, #14) ---
problems-layer = Layer { $n }
problems-image-layer = Image { $image } · layer { $n }
problems-select = Show this layer in the stack
problems-count = problems: { $count }
problem-archive-why = The tarball itself is cut off or broken, so what comes after the break could not be read. Was the download or copy complete?
problem-metadata-why = A manifest, index or config file is missing or not in the shape the format needs, so part of the image could not be described.
problem-missing-blob-why = The image lists a layer whose file is not in this tarball, so that layer's files cannot be shown or checked.
problem-missing-platform-why = The image is made for several platforms and only some were saved; this is normal for a single-platform pull.
problem-digest-mismatch-why = The fingerprint (SHA-256) computed from the bytes differs from the one the image records: the file was changed or damaged after it was saved.
problem-layer-unreadable-why = A layer's file could not be unpacked to its end (broken compression or tar), so its file list may be incomplete.
problem-unsafe-path-why = A name tries to point outside the image (an absolute path or ..). Pancake never follows it; a careless tool might.
problem-whiteout-why = A deletion marker (whiteout) has a name the rules do not allow, so it deletes nothing.
problem-hard-link-why = A hard link names a file that does not exist at that point, so the link has no content.
problem-duplicate-member-why = The same name appears twice; the last copy wins, as Docker reads it.
problem-history-why = The image's history steps do not line up one-to-one with its layers; the pairing shown follows Docker's rule.
problem-limit-why = Something was larger than Pancake's safety limit, so it was not read in full.
problem-tar-quirk-why = The tar file departs slightly from the format in a way Docker accepts; the layer is still read in full.
problem-non-distributable-why = This layer was left out on purpose (it must be downloaded from its own address); the image is otherwise complete.
problem-disagreement-why = Two files in the tarball describe the image differently; it is shown as docker load would load it.
problem-artifact-why = A signature, attestation or SBOM is here, but the image it belongs to is not in this tarball.
badge-missing = missing
badge-unreadable = unreadable

# --- track "views": artifacts, verification states, non-distributable layers ---
artifacts-title = Artifacts of this image ({ $count }): signatures, attestations, SBOMs
artifacts-lead = These manifests refer to this image. They are not images and have no layers to show.
artifact-kind-signature = Signature
artifact-kind-attestation = Attestation
artifact-kind-sbom = SBOM
artifact-kind-helm-chart = Helm chart
artifact-kind-other = Other artifact
artifact-absent = not in this archive (only its descriptor)
artifact-refers = refers to the image by { $how }
ready-neutral = ○ Digests checked: { $verified } of { $total } layers verified, { $neutral } not checkable (nothing claims a digest, or left out on purpose); none failed
badge-non-distributable = left out on purpose
nondist-explain = Left out of this archive on purpose: a non-distributable (foreign) layer, which image copy tools do not include. This is not an error; the rest of the image is complete. Its descriptor gives its size: { $size }.
nondist-urls = Where it can be fetched from (the URLs its descriptor gives):
nondist-no-urls = Its descriptor gives no URL to fetch it from.
nondist-size = { $size }, as its descriptor says (the layer is not in this archive)
nondist-size-short = { $size } · not here
missing-explain = Missing: this layer's blob is not in the archive.
unreadable-explain = Unreadable: this layer's blob is in the archive but could not be read to its end.

# --- track "views": raw JSON of the config and manifests ---
raw-title = Raw JSON, as stored in the archive
raw-none = This archive keeps no JSON for this image (a legacy save, or documents over the size limit).
raw-config = Config
raw-manifest = OCI manifest
raw-docker-manifest = manifest.json (docker save)
raw-index = index.json (OCI index)
raw-lines = { $n } lines
raw-copy = Copy the { $doc } JSON
# --- track "search": path search over every layer ---
search-title = Find a path in every layer
search-placeholder = Name, part of a path, or a glob like *.conf
search-hint = Text is found anywhere in the path; with * ? or [ it is a glob (on the name, or on the whole path when it has a /). Each hit lists the layers that added, modified and deleted it.
search-invalid = Not a valid pattern: { $reason }
search-count = Paths found: { $count }
search-count-some = Paths found: { $count } (the first { $shown } are listed)
search-gone = not in the final image
search-added = added in layer { $n }
search-modified = modified in layer { $n }
search-deleted-whiteout = deleted in layer { $n } (whiteout)
search-deleted-opaque = deleted in layer { $n } (opaque directory)
search-deleted-replaced = deleted in layer { $n } (replaced)
owner-added-short = L{ $a }→L{ $n }
owner-added-layer = Added in layer { $a }; last changed in layer { $n }
# --- speed (issue 13): how a layer's blob was hashed ---
hashed-with = Hashed with
hashed-webcrypto = WebCrypto (the browser's SHA-256, one read)
hashed-streamed = streamed (wasm, in chunks)
# --- track classroom ---
tour-fold = Fold the tour card to one line
tour-unfold = Show the whole tour card
tr-no-pull = docker pull is not possible: this image is not in the registry (pull fetches from the registry).
tr-no-push = docker push is not possible: this image is not on this host (push sends from this computer).
summary-line-one = { $layers } layer · { $size } uncompressed · { $format }
picker-layers-one = { $count } layer
sh-queued-one = { $count } more file waiting to be read.
dg-band-aria-one = { $text }, used by { $count } image
cmp-files-caption-one = { $count } path differs between { $a } and { $b }
# --- track dockerfile: the Dockerfile beside the history ---
df-lead = The Dockerfile read back from the image's history, base image first. Choose an instruction to select the layer it made; the history table next to it marks the same step.
df-base-unnamed-one = base image, 1 layer
df-base-unnamed = base image, { $count } layers
df-base-none = no base layers
df-base-layer-one = base image: layer 1
df-base-layers = base image: layers 1–{ $last }
df-layer-n = layer { $n }
df-select-aria = Select layer { $n }: { $text }
df-settings-only = settings only
df-no-layer = made no layer here
df-build-arg = build argument
tour-10-title = The Dockerfile behind the history
tour-10-body = This is the mysql demo image. Here is its Dockerfile, read back from the image's history, next to what docker image history mysql prints. They are the same steps: each RUN, COPY or ADD made one layer, and ENV, EXPOSE, CMD change settings only. A RUN rm in a later step frees nothing: the deleted files stay in the lower layer, the later layer only hides them.
tour-10-do = Click a RUN instruction in the Dockerfile: its layer is selected and the same row is marked in the history table.
hidden = Hidden below
hidden-value = { $size } of lower layers
hidden-explain = deleted by this layer but still stored in the layer below, so the image did not get any smaller: a RUN rm in a later step frees nothing.
df-no-recorded-step = no recorded step (base image)
df-pairing-top-one = The history records fewer layer-making steps than there are layers, so they were paired from the top (a build appends its steps above its base): layer 1 has no recorded step (base image).
df-pairing-top = The history records fewer layer-making steps than there are layers, so they were paired from the top (a build appends its steps above its base): layers 1–{ $last } have no recorded step (base image).
df-pairing-bottom = The history records more layer-making steps than there are layers, so they were paired from the bottom, as docker image history does: the newest steps made no layer here.
df-pairing-none = The image records no history: no layer has a step.

# platforms track (issue 15): the platforms of a multi-platform index
pf-title = Platforms in this index
pf-lead = The index lists { $count } platforms; { $present } of them are in this archive. Choose one to open it.
pf-open-aria = Open platform { $platform }
pf-shown = shown
pf-absent = not in this archive
pf-unreadable = in this archive, but could not be read
pf-no-digest = no manifest digest
# --- words track (#14): relative times, worded as docker image history prints them ---
ago-less-than-second = Less than a second ago
ago-seconds = { $count } seconds ago
ago-seconds-one = { $count } second ago
ago-about-minute = About a minute ago
ago-minutes = { $count } minutes ago
ago-about-hour = About an hour ago
ago-hours = { $count } hours ago
ago-days = { $count } days ago
ago-weeks = { $count } weeks ago
ago-months = { $count } months ago
ago-years = { $count } years ago
files-count-one = { $count } path
picker-title-one = { $count } image:
cmp-diverge-at-one = They differ from layer { $n } up: the { $shared } layer below it is the same.
<<<<<<< HEAD
# track: sizes — one size per layer (issue 14)
lsz-key = Layer sizes are the size of each layer's files, as docker history shows them; a layer's details also give its tar and stored sizes.
lsz-title = size of the layer's files (as docker history shows it)
lsz-files = Size of files
lsz-files-explain = what docker history shows as SIZE
lsz-other = Tar and stored
lsz-other-detail = uncompressed tar { $tar } · blob as stored { $stored } ({ $compression })
problem-subject = { $image } · Layer { $n }
sh-also-in = also in { $files }
=======
# --- tree track (#15): folding, sort, largest files, download ---
tree-sort = Order
tree-sort-name = Name
tree-sort-size = Size
tree-expand-all = Expand all
tree-collapse-all = Collapse all
tree-largest = Largest files
tree-largest-layer = Largest files this layer adds or changes
tree-largest-merged = Largest files in the filesystem at this layer
tree-largest-image = Largest files of the image
tree-largest-none = No files.
tree-show-more = Show { $shown } more ({ $hidden } not shown)
tree-download = Download
tree-download-reading = Reading the whole file…
tree-download-failed = Could not save the file: { $error }
tree-download-too-big = This file is { $size }; the page saves files up to { $limit }. Save it with: pancake cat FILE PATH
tree-layer-download-stored = Download layer { $n } as stored
tree-layer-download-tar = Download layer { $n } as .tar
tree-layer-inflating = Uncompressing…
tree-layer-tar-unavailable = This layer's compression cannot be undone in the browser; use: pancake export-layer FILE N
tree-layer-export-unavailable = This layer cannot be saved from the page: its blob is missing or the whole file is compressed.
>>>>>>> tree
tree-download-short = only { $got } of { $size } bytes could be read (the file ends early)

# track: index (issue 13, target 3): the layer indexes still crossing from the worker
index-pending = The file lists of the layers are still being read; this view opens in a moment.
