"""Evidence-tier panel: proposal with every criterion, confirm / override with reason, sign-off, audit history.

Who records is the identity the deployment gives (the proxy's header, else the local account): shown, never
typed. The store enforces the roles (only a lead signs off, never their own decision); refusals show here.
"""
from __future__ import annotations

import ipywidgets as w
import pandas as pd

from workbench.enums import TIER_CODES
from workbench.i18n import t

from .common import esc, html_table

TIERS = TIER_CODES
HISTORY_FIELDS = ("seq", "time", "printed_name", "identity", "identity_source", "meaning", "tier", "statement")


def tier_badge(tier_dict: dict | None, lang: str) -> str:
    if not tier_dict:
        return f"<span class='wb-muted'>{esc(t('not_evaluable', lang))}</span>"
    label = tier_dict["label_zh"] if lang == "zh" else tier_dict["label_en"]
    return (f"<span class='wb-badge wb-{esc(tier_dict['proposed'])} wb-proposed-tier'>"
            f"{esc(tier_dict['proposed'])} · {esc(label)}</span>")


def criteria_table(tier_dict: dict, lang: str) -> str:
    rows = []
    decisive = set(tier_dict.get("decisive") or [])
    for c in tier_dict.get("criteria", []):
        met = c.get("met")
        mark = "—" if met is None else ("✔" if met else "✘")
        ev = c.get("evidence_zh") if lang == "zh" and c.get("evidence_zh") else c.get("evidence")
        rows.append({t("criterion", lang): ("★ " if c["id"] in decisive else "") + c["id"],
                     t("met", lang): mark, t("evidence", lang): ev})
    return html_table(pd.DataFrame(rows), max_rows=100)


def resolve_identity(identity=None):
    """(Identity, None) for this page's request, or (None, the bilingual DecisionError saying why there is none).
    ``identity``: an Identity to use as is; a plain name means the local account with that printed name."""
    from workbench.store import DecisionError, Identity, identity_from_environ

    if isinstance(identity, Identity):
        return identity, None
    if isinstance(identity, str) and identity.strip():
        return Identity.local(identity.strip()), None
    try:
        return identity_from_environ(), None
    except DecisionError as exc:
        return None, exc


def display_tz() -> str:
    """The zone times are shown in: ``$WORKBENCH_TZ`` (e.g. Asia/Shanghai), else UTC."""
    from workbench.settings import Settings

    return Settings.from_env().tz


class TierPanel(w.VBox):
    """Shows the proposed tier and records the reviewer's decision in the audit-logged store."""

    def __init__(self, review, store, identity=None, lang: str = "zh", identity_error=None, **kw):
        self.review, self.store, self.lang = review, store, lang
        if identity is None and identity_error is None:
            identity, identity_error = resolve_identity()
        elif identity is not None:
            identity, identity_error = resolve_identity(identity)
        self.identity, self.identity_error = identity, identity_error
        self.tz = display_tz()
        self.doc_tier = review.tier.to_dict() if review.tier is not None else None
        self.sid = review.submission.submission_id
        self.input_sha = review.submission.input_sha256
        self.rules_sha = getattr(review.rules, "sha256", None) or "0" * 64
        L = lambda k: t(k, lang)  # noqa: E731
        summary = ""
        if self.doc_tier:
            summary = self.doc_tier.get("summary_zh" if lang == "zh" else "summary_en") or ""
            needs = self.doc_tier.get("next_tier_needs_zh" if lang == "zh" else "next_tier_needs") or []
            if needs:
                summary += f"<p><b>{esc(L('next_tier'))}:</b> {esc('; '.join(needs))}</p>"
        self.proposal = w.HTML(f"<h3>{esc(L('proposed_tier'))}</h3>{tier_badge(self.doc_tier, lang)}"
                               f"<p>{summary}</p>{criteria_table(self.doc_tier, lang) if self.doc_tier else ''}")
        self.who = w.HTML()          # the identity: shown, not editable
        proposed = self.doc_tier["proposed"] if self.doc_tier else None
        self.choice = w.Dropdown(options=list(TIERS), value=proposed or "T0", description=L("decision_tier"),
                                 layout=w.Layout(width="200px"))
        self.choice.style.description_width = "auto"
        self.reason = w.Textarea(placeholder=L("reason"), layout=w.Layout(width="100%", height="70px"))
        self.reason.add_class("wb-reason")
        self.btn_confirm = w.Button(description=L("confirm"), button_style="success", icon="check")
        self.btn_override = w.Button(description=L("override"), button_style="warning", icon="edit")
        self.btn_signoff = w.Button(description=L("signoff"), button_style="primary", icon="pencil")
        for b in (self.btn_confirm, self.btn_override, self.btn_signoff):
            b.layout.width = "auto"
        self.btn_confirm.on_click(lambda _: self._record("confirm"))
        self.btn_override.on_click(lambda _: self._record("override"))
        self.btn_signoff.on_click(lambda _: self._record("signoff"))
        self.message = w.HTML()
        self.current = w.HTML()
        self.history = w.HTML()
        self.history.add_class("wb-audit-history")
        enabled = self.doc_tier is not None and store is not None and self.identity is not None
        for b in (self.btn_confirm, self.btn_override, self.btn_signoff):
            b.disabled = not enabled
        super().__init__([self.proposal, w.HTML(f"<h3>{esc(L('current_decision'))}</h3>"), self.current,
                          self.who, self.choice, self.reason,
                          w.HBox([self.btn_confirm, self.btn_override, self.btn_signoff]), self.message,
                          w.HTML(f"<h3>{esc(L('audit_history'))}</h3>"), self.history], **kw)
        self.add_class("wb-tier-panel")
        self.refresh()

    def _who_html(self) -> str:
        from workbench.store import source_label
        from workbench.store.roles import role_label

        L = lambda k: t(k, self.lang)  # noqa: E731
        if self.identity is None:
            err = self.identity_error
            why = (f"{esc(err.message_zh)}<br>{esc(err.message_en)}" if err is not None
                   else "未通过身份认证 / not authenticated")
            return f"<div class='wb-error wb-identity-missing'>{why}</div>"
        grant = None
        if self.store is not None:
            try:
                grant = self.store.roles().get(self.identity.identity)
            except Exception:  # noqa: BLE001 - the panel still shows who is signed in
                grant = None
        name = grant.name if grant is not None and grant.name else self.identity.printed_name
        role = role_label(grant.role if grant is not None else None, self.lang)
        return (f"<div class='wb-identity'><b>{esc(L('signed_in_as'))}:</b> <span class='wb-identity-name'>"
                f"{esc(name)}</span> · <span class='wb-identity-id'>{esc(self.identity.identity)}</span> · "
                f"{esc(L('identity_source'))}: {esc(source_label(self.identity.source, self.lang))} · "
                f"{esc(L('role'))}: <span class='wb-identity-role'>{esc(role)}</span></div>")

    def _record(self, action: str) -> None:
        from workbench.store import DecisionError, StoreError

        if self.identity is None or self.store is None:
            self.message.value = self._who_html()
            return
        proposed = self.doc_tier["proposed"]
        try:
            kwargs = {"proposed": proposed}
            if action == "override":
                kwargs.update(tier=self.choice.value, reason=self.reason.value)
            elif action in ("confirm", "signoff") and self.reason.value.strip():
                kwargs.update(comment=self.reason.value)
            entry = self.store.record_decision(self.sid, self.input_sha, self.rules_sha, self.identity,
                                               action, **kwargs)
        except DecisionError as exc:
            self.message.value = f"<div class='wb-error wb-refused'>{esc(exc.message(self.lang))}</div>"
            return
        except StoreError as exc:
            self.message.value = f"<div class='wb-error'>{esc(str(exc))}</div>"
            return
        self.message.value = (f"<div class='wb-ok wb-recorded'>{esc(t('recorded', self.lang))}: "
                              f"{esc(entry.action)} {esc(entry.tier or '')} (#{entry.seq}) · "
                              f"{esc(entry.reviewer)} ({esc(entry.identity)})</div>")
        self.reason.value = ""
        self.refresh()

    def refresh(self) -> None:
        from workbench.store import format_time, signature_labels, signature_rows
        from workbench.store.signatures import meaning

        self.who.value = self._who_html()
        if self.store is None:
            return
        L = lambda k: t(k, self.lang)  # noqa: E731
        cur = self.store.current(self.sid, self.input_sha, self.rules_sha)
        if cur.decision is None:
            self.current.value = f"<div class='wb-muted'>{esc(L('no_decision'))}</div>"
        else:
            d = cur.decision
            text = (f"<b>{esc(d.tier)}</b> — {esc(meaning(d, self.lang))} · {esc(d.reviewer)} "
                    f"({esc(d.identity or '—')}) · {esc(format_time(d.recorded_at, self.tz))}")
            if cur.signed_off:
                s = cur.signoff
                text += (f"<br><span class='wb-signed-off'>{esc(L('signed_off_by'))}: {esc(s.reviewer)} "
                         f"({esc(s.identity or '—')}) · {esc(format_time(s.recorded_at, self.tz))}</span>")
            if cur.stale:
                reasons = cur.stale_reasons_zh if self.lang == "zh" else cur.stale_reasons_en
                text = (f"<div class='wb-warn wb-stale'>{esc(L('stale'))} {esc('; '.join(reasons))}</div>" + text)
            self.current.value = text
        labels = signature_labels(self.lang)
        history = self.store.history(self.sid)
        rows = [{**{labels[k]: r[k] for k in HISTORY_FIELDS}, "input": e.input_sha256[:12]}
                for e, r in reversed(list(zip(history, signature_rows(history, self.lang, self.tz))))]
        self.history.value = html_table(pd.DataFrame(rows), max_rows=100) if rows else \
            f"<div class='wb-muted'>{esc(L('no_decision'))}</div>"
