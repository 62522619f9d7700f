"""What a reviewer sees, as a URL query: submission, language, tab, subject profile and filter.

``…/review.ipynb?submission=rct-ucmsc-koa&lang=en&tab=safety&sex=F&arm=DL1`` opens exactly that view; the app
writes the query back as the reviewer changes the view, so a link can be sent to a colleague. Multiple values are
comma-separated (``arm=DL1,DL2``) or repeated. Unknown keys and values are ignored (a link never breaks the app).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

from .filters import AGE_BANDS, FILTER_FIELDS, ViewFilter

TABS = ("overview", "completeness", "traceability", "process_quality", "dose_response", "safety", "follow_up",
        "reconciliation", "tier", "export")   # workbench.sections.SECTIONS, in its order
LANGS = ("zh", "en")
FILTER_KEYS = {key: attr for attr, (key, _, _) in FILTER_FIELDS.items() if attr != "subjects"}   # URL key -> attr
MAX_VALUE = 200


@dataclass(frozen=True)
class ViewState:
    submission: str | None = None
    lang: str = "zh"
    tab: str = "overview"
    subject: str | None = None          # the patient profile open, if any
    filter: ViewFilter = field(default_factory=ViewFilter)

    @classmethod
    def from_query(cls, query: str | dict, default_lang: str = "zh", tabs: tuple[str, ...] = TABS) -> "ViewState":
        """Parse a query string (or parse_qs dict); values that are not allowed fall back to the defaults."""
        q = parse_qs(query.lstrip("?"), keep_blank_values=False) if isinstance(query, str) else \
            {k: (v if isinstance(v, list) else [v]) for k, v in query.items()}

        def one(key):
            v = q.get(key)
            return str(v[0])[:MAX_VALUE] if v else None

        def many(key):
            out: list[str] = []
            for v in q.get(key) or []:
                out += [p.strip()[:MAX_VALUE] for p in str(v).split(",") if p.strip()]
            return tuple(out)

        lang = one("lang") if one("lang") in LANGS else default_lang
        tab = one("tab") if one("tab") in tabs else tabs[0]
        selections = {attr: many(key) for key, attr in FILTER_KEYS.items()}
        selections["age_bands"] = tuple(b for b in selections["age_bands"] if b in AGE_BANDS)
        return cls(submission=one("submission"), lang=lang, tab=tab, subject=one("subject"),
                   filter=ViewFilter(**selections, subjects=one("q") or ""))

    def to_query(self) -> str:
        """The query string (stable order; empty values left out)."""
        pairs: list[tuple[str, str]] = []
        if self.submission:
            pairs.append(("submission", self.submission))
        pairs += [("lang", self.lang), ("tab", self.tab)]
        for key, attr in FILTER_KEYS.items():
            values = getattr(self.filter, attr)
            if values:
                pairs.append((key, ",".join(values)))
        if self.filter.subjects:
            pairs.append(("q", self.filter.subjects))
        if self.subject:
            pairs.append(("subject", self.subject))
        return urlencode(pairs)

    def with_(self, **changes) -> "ViewState":
        from dataclasses import replace

        return replace(self, **changes)
