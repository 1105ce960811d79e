'use strict';
// The page side of bench/native_paths.js: hands the picked file to a worker and records what
// each way of hashing it there measured.
const worker = new Worker('worker.js');
window.results = [];
worker.onmessage = (e) => window.results.push(e.data);
document.getElementById('f').onchange = (e) => { window.file = e.target.files[0]; };
window.measure = (mode, integrity) => worker.postMessage({ file: window.file, mode, integrity });
