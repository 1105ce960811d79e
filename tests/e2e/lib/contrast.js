'use strict';
// WCAG AA contrast of the text on a page, as the browser computed its colours.

/**
 * WCAG contrast of every visible text node against the background behind it (colours as the
 * browser computed them, translucent backgrounds composed over their parents). Failures:
 * below 4.5 (3 for large text). `hidden`: text that assistive technology skips
 * (`aria-hidden`) is checked too — a number drawn for the eye must be readable.
 */
async function contrastFailures(page, { hidden = false } = {}) {
  return page.evaluate((hidden) => {
    const cv = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
    const rgba = (css) => {
      cv.clearRect(0, 0, 1, 1);
      cv.fillStyle = '#000'; cv.fillStyle = css; cv.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = cv.getImageData(0, 0, 1, 1).data;
      return [r, g, b, a / 255];
    };
    const over = (top, under) => top.slice(0, 3).map((c, i) => c * top[3] + under[i] * (1 - top[3])).concat(1);
    const lum = ([r, g, b]) => {
      const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const bgOf = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c[3] > 0) layers.push(c);
        if (c[3] >= 1) break;
      }
      let bg = [255, 255, 255, 1];
      if (layers.length && layers[layers.length - 1][3] >= 1) bg = layers.pop();
      for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
      return bg;
    };
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || seen.has(el) || !n.textContent.trim()) continue;
      seen.add(el);
      const r = el.getBoundingClientRect();
      const st = getComputedStyle(el);
      if (r.width === 0 || r.height === 0 || st.visibility === 'hidden' || (!hidden && el.closest('[aria-hidden=true]'))) continue;
      if (el.closest('.visually-hidden') || el.closest('[disabled]') || Number(st.opacity) < 1) continue;
      const bg = bgOf(el);
      const fg = over(rgba(st.color), bg);
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      const ratio = (a + 0.05) / (b + 0.05);
      const size = parseFloat(st.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(st.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) {
        out.push(`${ratio.toFixed(2)} "${n.textContent.trim().slice(0, 30)}" <${el.tagName.toLowerCase()} class="${el.className}"> ${st.color} on rgb(${bg.slice(0, 3).map(Math.round)})`);
      }
    }
    return out;
  }, hidden);
}

module.exports = { contrastFailures };
