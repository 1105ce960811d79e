// The Web Workers' entry (hashers, scanner, exporter): loads wasm-bindgen's no-modules glue,
// then starts the worker's wasm. Ours rather than Trunk's `data-loader-shim`, which calls
// `wasm_bindgen(path)`, the form wasm-bindgen deprecates (a console warning per worker).
importScripts('./worker.js');
wasm_bindgen({ module_or_path: './worker_bg.wasm' });
