'use strict';
// The browser's processes as the benchmarks see them, from /proc (Linux): the processes under
// the browser started by a script, their summed resident memory, the browser's pid.
const fs = require('fs');

/** Every process under `root` (by /proc ppid links). */
function descendants(root) {
  const kids = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(d));
    } catch { /* gone */ }
  }
  const out = [];
  const walk = (p) => { for (const k of kids.get(p) || []) { out.push(k); walk(k); } };
  walk(root);
  return out;
}

/** Summed resident memory (bytes) of the renderer processes under the browser `browserPid`. */
function rendererRss(browserPid) {
  let sum = 0;
  for (const pid of descendants(browserPid)) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer')) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) sum += Number(m[1]) * 1024;
    } catch { /* gone */ }
  }
  return sum;
}

/** The pid of the browser process whose command line names `userDir`, or null. */
function browserPid(userDir) {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.includes(userDir) && !cmd.includes('--type=')) return Number(d);
    } catch { /* gone */ }
  }
  return null;
}

module.exports = { descendants, rendererRss, browserPid };
