"""Landing page: the submissions under the served folder, their proposed tier and review status."""
from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

import ipywidgets as w

from workbench.cache import review_summary
from workbench.discover import discover
from workbench.i18n import severity_label, t

from .common import esc


class SubmissionPicker(w.VBox):
    """A table of submissions with links that open each one in the review app."""

    def __init__(self, root: str | Path, store=None, lang: str = "zh", rules_path=None,
                 review_url: str = "review.ipynb", **kw):
        self.root, self.store, self.lang, self.rules_path, self.review_url = Path(root), store, lang, rules_path, review_url
        self.progress = w.IntProgress(min=0, max=1, description=t("loading", lang))
        self.table = w.HTML()
        self.table.add_class("wb-submission-list")
        super().__init__([self.progress, self.table], **kw)
        self.summaries: list[tuple[Path, dict]] = []

    def load(self, background: bool = True) -> None:
        """List the submissions at once, then fill in each one's summary as it is computed (cached on disk)."""
        folders = discover(self.root)
        self.progress.max = max(len(folders), 1)
        self.summaries = [(folder, {"submission_id": folder.name, "pending": True}) for folder in folders]
        self.render()

        def work():
            for i, folder in enumerate(folders):
                try:
                    summary = review_summary(folder, self.rules_path)
                except Exception as exc:  # noqa: BLE001 - one bad folder never empties the list
                    summary = {"submission_id": folder.name, "error": f"{type(exc).__name__}: {exc}"}
                self.summaries[i] = (folder, summary)
                self.progress.value = i + 1
                self.render()
            self.progress.layout.display = "none"

        if background:
            import threading

            threading.Thread(target=work, name="submission-summaries", daemon=True).start()
        else:
            work()

    def _status(self, s: dict) -> str:
        L = lambda k: t(k, self.lang)  # noqa: E731
        if s.get("pending"):
            return f"<span class='wb-muted'>{esc(L('loading'))}</span>"
        if s.get("error"):
            return f"<span class='wb-sev-critical'>{esc(L('load_problem'))}: {esc(s['error'])}</span>"
        if self.store is None:
            return ""
        cur = self.store.current(s["submission_id"], s["input_sha256"], s.get("rules_sha256"))
        if cur.decision is None:
            return esc(L("not_reviewed"))
        text = f"{esc(cur.decision.action)} {esc(cur.tier)} · {esc(cur.decision.reviewer)}"
        if cur.signed_off:
            text += f" · {esc(L('signoff'))}"
        if cur.stale:
            text = f"<span class='wb-warn'>{esc(L('stale'))}</span> " + text
        return text

    def render(self) -> None:
        L = lambda k: t(k, self.lang)  # noqa: E731
        head = "".join(f"<th>{esc(h)}</th>" for h in (L("submission"), L("study"), L("proposed_tier"),
                                                      L("findings"), L("review_status"), ""))
        rows = []
        for folder, s in self.summaries:
            sev = s.get("findings_by_severity") or {}
            counts = " ".join(f"{severity_label(k, self.lang)} {v}" for k, v in sev.items() if v)
            tier = s.get("tier")
            label = s.get("tier_label_zh" if self.lang == "zh" else "tier_label_en") or ""
            badge = f"<span class='wb-badge wb-{esc(tier)}' style='font-size:13px;padding:2px 8px'>{esc(tier)}</span> {esc(label)}" if tier else ""
            href = f"{self.review_url}?submission={quote(folder.name)}&lang={self.lang}"
            rows.append(f"<tr><td><b>{esc(folder.name)}</b></td><td>{esc(s.get('title') or '')}</td><td>{badge}</td>"
                        f"<td>{esc(counts)}</td><td>{self._status(s)}</td>"
                        f"<td><a class='wb-open' href='{html.escape(href)}' target='_self'>{esc(L('open'))} →</a></td></tr>")
        self.table.value = f"<table class='wb-table'><tr>{head}</tr>{''.join(rows)}</table>"
