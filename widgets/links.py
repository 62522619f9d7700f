"""Subject links: a subject id in the app's tables (a link made by :func:`workbench.tables.html.subject_html`) or a
subject's bar or marker in the swimmer plot opens that subject's profile in the same page, and the page URL follows.

A link is an ordinary ``<a href="?submission=…&subject=ID">``: opened in a new tab, copied or shared, it loads the
page straight into the profile (the URL is the view, :mod:`workbench.viewstate`). A plain click is handled in the
page: the script installed here writes the subject into a hidden text box of the app, the kernel opens the profile
without reloading the page, and the address is pushed onto the browser's history, so the browser's Back button
returns to the tables as well as the profile's own back button. Without the script (or before it runs) the link
simply loads the page.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable

import ipywidgets as w
from IPython.display import Javascript, display

log = logging.getLogger(__name__)

# Installed once per page; every later display only runs the part after it (the URL and the scroll position).
SCRIPT = """
(function () {
  if (window.__wbSubjectLinks) { return; }
  window.__wbSubjectLinks = true;
  function send(subject) {            // the hidden text box of the app: the kernel opens the profile
    var box = document.querySelector('.wb-subject-request input');
    if (!box) { return false; }
    box.value = JSON.stringify([subject || '', Date.now()]);
    box.dispatchEvent(new Event('input', {bubbles: true}));
    return true;
  }
  function open(subject) {
    var q = new URLSearchParams(location.search);
    q.set('subject', subject);
    window.__wbScroll = window.scrollY;
    if (send(subject)) { history.pushState({wbSubject: subject}, '', location.pathname + '?' + q.toString()); return true; }
    return false;
  }
  document.addEventListener('click', function (ev) {
    if (ev.defaultPrevented || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) { return; }
    var a = ev.target && ev.target.closest ? ev.target.closest('a.wb-subject-link') : null;
    if (a && a.dataset.usubjid && open(a.dataset.usubjid)) { ev.preventDefault(); }
  }, true);
  window.addEventListener('popstate', function () {   // the browser's Back / Forward between tables and profile
    send(new URLSearchParams(location.search).get('subject') || '');
  });
  function subjectOf(p, where) {      // "y", or "customdata.0": where a clicked point holds its subject id
    var parts = where.split('.'), v = p[parts[0]];
    if (parts.length > 1 && v) { v = v[Number(parts[1])]; }
    return v === undefined || v === null || v === '' ? null : String(v);
  }
  function hook() {                   // figures whose layout.meta.wb_subject says where a point's subject id is
    document.querySelectorAll('.js-plotly-plot').forEach(function (gd) {
      if (gd.__wbHooked || typeof gd.on !== 'function' || !gd._fullLayout) { return; }
      gd.__wbHooked = true;
      var where = ((gd.layout && gd.layout.meta) || {}).wb_subject;
      if (!where) { return; }
      gd.on('plotly_click', function (d) {
        var p = d && d.points && d.points[0], subject = p ? subjectOf(p, String(where)) : null;
        if (subject) { open(subject); }
      });
    });
  }
  setInterval(hook, 700);
})();
"""


class SubjectLinks(w.VBox):
    """Invisible: the text box the page's script writes a clicked subject into (``on_subject(id or None)`` is
    called), and an Output running the script and writing the view into the page URL."""

    def __init__(self, on_subject: Callable[[str | None], None], **kw):
        self.on_subject = on_subject
        self.request = w.Text(value="", layout=w.Layout(display="none"))
        self.request.add_class("wb-subject-request")
        self.request.observe(self._requested, names="value")
        self.out = w.Output(layout=w.Layout(height="0px"))
        super().__init__([self.request, self.out], layout=w.Layout(height="0px"), **kw)
        self.add_class("wb-subject-links")

    def _requested(self, change) -> None:
        try:
            subject, _ = json.loads(change["new"])
        except (TypeError, ValueError):
            return
        if not isinstance(subject, str):
            return
        try:
            self.on_subject(subject.strip()[:200] or None)
        except Exception:  # noqa: BLE001 - a click never breaks the page; the log has the traceback
            log.exception("opening subject %r failed", subject)

    def write(self, query: str, scroll: str | None = None) -> None:
        """Put ``query`` into the page URL (no reload, no new history entry); ``scroll``: "top" (a profile opened)
        or "back" (the position the reviewer left the tables at)."""
        js = SCRIPT + f"history.replaceState(history.state, '', location.pathname + '?' + {json.dumps(query)});"
        if scroll == "top":
            js += "setTimeout(function () { window.scrollTo(0, 0); }, 200);"
        elif scroll == "back":
            js += ("setTimeout(function () { window.scrollTo(0, window.__wbScroll || 0); window.__wbScroll = 0; }, "
                   "400);")
        self.out.clear_output()
        with self.out:
            display(Javascript(js))
