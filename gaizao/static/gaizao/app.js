// gaizao: one small script for every page.
// The pages carry no inline scripts nor on*= handlers (Content-Security-Policy,
// issue 9 #10): what they did is asked for with data attributes instead.
//   data-confirm="…"   on a form: ask before sending (cancel: not sent)
//   data-autosubmit    on a select/input: send its form when it changes
//   data-print         on a button: print the page
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    e.preventDefault();
    e.stopImmediatePropagation();
  }
}, true);
document.addEventListener("change", function (e) {
  var el = e.target;
  if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
    if (el.form.requestSubmit) el.form.requestSubmit(); else el.form.submit();
  }
});
document.addEventListener("click", function (e) {
  var el = e.target.closest && e.target.closest("[data-print]");
  if (el) { e.preventDefault(); window.print(); }
});
// A form sent the ordinary way (not by htmx) is sent once: a second tap on
// a slow phone does nothing, and the button says it is working.
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (!(form instanceof HTMLFormElement) || form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) return;
  if (form.method.toLowerCase() !== "post") return;
  if (form.dataset.sent === "1") { e.preventDefault(); return; }
  form.dataset.sent = "1";
  // Re-enable if the browser comes back to this page from its history.
  window.addEventListener("pageshow", function () { form.dataset.sent = ""; }, { once: true });
  var btn = e.submitter;
  if (btn && btn.tagName === "BUTTON") { btn.setAttribute("aria-busy", "true"); btn.classList.add("busy"); }
}, true);

// After an htmx swap, put the cursor back in the field marked data-refocus
// without scrolling to it (autofocus would scroll past the page header on a
// phone), and show the top of the swapped part: its message and counts.
document.addEventListener("htmx:afterSettle", function () {
  var field = document.querySelector("[data-refocus]");
  if (!field || document.activeElement === field) return;
  field.focus({ preventScroll: true });
  var top = field.closest("[data-refocus-top]");
  if (top && top.getBoundingClientRect().top < 0) top.scrollIntoView({ block: "start" });
});

// A compound, organisation or person typed by name (data-suggest="url" on
// an input with a <datalist>): as the user types, ask the server for at
// most 20 matches within the user's scope and offer them (no page lists
// every compound, organisation or person).
(function () {
  var timer = null, last = {};
  document.addEventListener("input", function (e) {
    var el = e.target;
    if (!el || !el.dataset || !el.dataset.suggest || !el.list) return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = el.value.trim();
      var key = el.id || el.name;
      if (!q || last[key] === q) return;
      last[key] = q;
      var url = el.dataset.suggest;
      url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q);
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          var list = el.list;
          while (list.firstChild) list.removeChild(list.firstChild);
          (data.results || []).forEach(function (row) {
            var o = document.createElement("option");
            o.value = row.label;
            list.appendChild(o);
          });
        })
        .catch(function () {});
    }, 200);
  });
})();
