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
cancel = Cancel
cancelled = Checking was cancelled: digests not yet checked are shown as pending.
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
size-detail = { $content } of files · tar { $tar } · stored { $stored } ({ $compression })
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
# --- shared layers ---
tab-shared = Shared
demo-pair = Try: two WordPress sites
sh-title = Images in this session
sh-lead = Every image you open stays here, so you can see what they share. Open more files, drop several at once, or remove one with ✕.
sh-image-bytes = { $total } in its layers, { $unique } of them its own
sh-pending = (still being checked)
sh-queued = { $count } more file(s) waiting to be read.
sh-remove-aria = Remove { $image } from the session
sh-add = Add an image…
sh-need-two = Open a second image to see which layers they share — or try the two WordPress sites.
dg-title = Shared layers
dg-lead = Each column is one image, base at the bottom. A layer used by several images is drawn once, as one band across their columns: Docker stores it once, by its diff_id.
dg-label = Layers of every image side by side
dg-band-aria = { $text }, used by { $count } image(s)
dg-shared-by = shared by { $count }
dg-hint = Point at a layer, or click it, to see which images use it.
dg-used-by = Used by
dg-at-layer = layer { $n }
dg-size = { $size } (blob as stored: { $stored })
dg-stored-once = stored once on disk
st-title = Storage
st-separate = if each image kept its own copy
st-stored = actually stored (each layer once)
st-saved = saved by sharing
st-explain = Sizes are the uncompressed layer tars, as Docker keeps them on disk; a layer is one file however many images use it.
cmp-title = Compare two images
cmp-a = Image A
cmp-b = Image B
cmp-need-two = Open a second image to compare.
cmp-identical = They have exactly the same layers.
cmp-diverge-at = They part at layer { $n }: the { $shared } layer(s) below it are the same.
cmp-no-layer = (no layer here)
cmp-shared = Shared layers: { $count } ({ $size }).
cmp-no-files = No file differs between their filesystems.
cmp-files-caption = { $count } path(s) differ between { $a } and { $b }
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
tr-identity-blob = Layers are matched by their compressed blob digest, as registries and pulls do.
tr-identity-diff-id = This tarball holds uncompressed layers only, so there is no compressed blob digest: layers are matched by diff_id (the SHA-256 of the uncompressed tar), as Docker's local storage does.
tr-counter-pull = Downloaded { $moved } of { $total } · skipped { $skipped } (already exists)
tr-counter-push = Uploaded { $moved } of { $total } · skipped { $skipped } (already in the registry)
