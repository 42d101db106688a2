// Language mirror: when a note uses deficit-framed words about the citizen, show a gentle
// reflection question. Never blocks submission; does nothing when the lexicon cannot load.
// Matching rules are the same as journal/mirror.py (see docs/language-mirror.md).
(function () {
  "use strict";
  const WORD = "[\\p{L}\\p{N}_]";

  function entrySource(entry) {
    const stem = entry.endsWith("*");
    const body = stem ? entry.slice(0, -1) : entry;
    const words = body.trim().split(/\s+/).map((word) =>
      Array.from(word).map((ch) =>
        ch === "'" || ch === "\u2019" ? "['\u2019]" : ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")
      ).join(""));
    return words.join("\\s+") + (stem ? WORD + "*" : "");
  }

  function buildMatcher(entries) {
    const cleaned = new Set((entries || []).map((e) => String(e).normalize("NFC").trim().split(/\s+/).join(" ")));
    const ordered = Array.from(cleaned).filter((e) => e && e !== "*")
      .sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
    if (!ordered.length) return null;
    const source = "(?<!" + WORD + ")(?:" + ordered.map(entrySource).join("|") + ")(?!" + WORD + ")";
    return new RegExp(source, "giu");
  }

  function findWords(matcher, text) {
    const found = [];
    const seen = new Set();
    if (!matcher || !text) return found;
    for (const match of String(text).normalize("NFC").matchAll(matcher)) {
      const phrase = match[0].trim().split(/\s+/).join(" ");
      const key = phrase.toLowerCase();
      if (!seen.has(key)) { seen.add(key); found.push(phrase); }
    }
    return found;
  }

  if (typeof module !== "undefined" && module.exports) module.exports = { buildMatcher, findWords };
  if (typeof document === "undefined") return;

  const matchers = new Map(); // lexicon URL -> Promise of a matcher (or null), once per page
  function load(url) {
    if (!matchers.has(url)) {
      const promise = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
        .then((data) => {
          try { return buildMatcher(data && data.entries); } catch (e) { return null; } // old engine
        }, () => { matchers.delete(url); return null; }); // offline: try again on next input
      matchers.set(url, promise);
    }
    return matchers.get(url);
  }

  function attach(area) {
    const hint = document.getElementById(area.dataset.mirrorHint || "");
    const url = area.dataset.mirrorLexicon;
    if (!hint || !url) return;
    const words = hint.querySelector("[data-mirror-words]");
    let timer = null;
    const check = () => load(url).then((matcher) => {
      if (!matcher) return; // lexicon unavailable: leave the page as it is
      const found = findWords(matcher, area.value);
      if (words) words.textContent = found.join(", ");
      hint.hidden = found.length === 0;
    }).catch(() => {});
    area.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 300); });
    if (area.value) check();
  }

  const start = () => document.querySelectorAll("textarea[data-mirror]").forEach(attach);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
