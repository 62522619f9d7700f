"""Audit export for an inspector: one submission's decisions and sign-offs, with the role changes, as CSV or PDF.

Every row carries the signature manifestation (printed name, identity and its source, time with zone,
meaning) and the entry's hashes; the export carries the chain head (seq and hash) and the result of
verifying the whole chain at export time. ``workbench audit SUBMISSION_ID --out FILE.csv|FILE.pdf``.
"""
from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .store import DecisionStore, Entry, VerifyResult, format_time, signature_labels, signature_rows
from .store.roles import ROLES_SUBJECT
from .textsafe import one_line

EXIT_OK, EXIT_UNUSABLE, EXIT_CHAIN_FAILED = 0, 2, 3
TABLE_FIELDS = ("seq", "time", "printed_name", "identity", "identity_source", "meaning", "tier", "statement")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditTrail:
    """What an export holds: the entries (chain order), the verification of the whole chain, when and where."""

    submission_id: str
    entries: list[Entry]
    verify: VerifyResult
    store: str
    exported_at: str

    @property
    def decisions(self) -> list[Entry]:
        return [e for e in self.entries if e.submission_id == self.submission_id]


def audit_trail(store: DecisionStore, submission_id: str) -> AuditTrail:
    """The submission's entries and every role change, in chain order, with the chain verified now."""
    wanted = {submission_id, ROLES_SUBJECT}
    entries = [e for e in store.entries() if e.submission_id in wanted]
    where = store.engine.url.render_as_string(hide_password=True)
    return AuditTrail(submission_id, entries, store.verify_chain(), where,
                      datetime.now(timezone.utc).isoformat(timespec="seconds"))


def open_trail(db_url: str | None, submission_id: str) -> tuple[AuditTrail | None, str]:
    """(the trail, "") or (None, why the store could not be read, one line)."""
    from .store import StoreError

    try:
        with DecisionStore(db_url or None) as store:
            return audit_trail(store, submission_id), ""
    except StoreError as exc:
        return None, f"decision store unavailable / 审评结论库不可用: {exc}"


def verification_text(v: VerifyResult) -> str:
    if v.ok:
        return f"通过 / verified ({v.entries} entries)"
    return f"失败 / FAILED: {'; '.join(v.problems)}"


def header_rows(trail: AuditTrail, tz: str = "UTC") -> list[tuple[str, str]]:
    """(label, value) pairs heading every export, bilingual labels."""
    v = trail.verify
    return [("申报编号 / Submission", trail.submission_id),
            ("导出时间 / Exported at", format_time(trail.exported_at, tz)),
            ("审评结论库 / Decision store", trail.store),
            ("审计链末条序号 / Chain head seq", "" if v.head_seq is None else str(v.head_seq)),
            ("审计链末条哈希 / Chain head hash", v.head_hash or ""),
            ("审计链校验 / Chain verification", verification_text(v)),
            ("记录数 / Entries exported", f"{len(trail.decisions)} + {len(trail.entries) - len(trail.decisions)} "
                                          f"角色变更 / role changes")]


def table_rows(trail: AuditTrail, tz: str = "UTC") -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the entries table: the signature fields, then the hashes an inspector re-verifies."""
    labels = signature_labels("both")
    heads = [labels[k] for k in TABLE_FIELDS] + ["输入数据哈希 / Input SHA-256", "规则哈希 / Rules SHA-256",
                                                 "上一条哈希 / prev_hash", labels["entry_hash"], "链版本 / Chain v"]
    rows = []
    for e, r in zip(trail.entries, signature_rows(trail.entries, "both", tz)):
        rows.append([str(r[k]) for k in TABLE_FIELDS] + [e.input_sha256, e.rules_sha256, e.prev_hash, e.entry_hash,
                                                         str(e.chain_version)])
    return heads, rows


def _cell(value: str) -> str:
    """A leading ' for a cell a spreadsheet would run as a formula (CSV injection); nothing else changes."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_text(trail: AuditTrail, tz: str = "UTC") -> str:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(["审评审计记录 / Audit trail", trail.submission_id])
    for label, value in header_rows(trail, tz):
        out.writerow([label, _cell(value)])
    out.writerow([])
    heads, rows = table_rows(trail, tz)
    out.writerow(heads)
    for row in rows:
        out.writerow([_cell(c) for c in row])
    return buf.getvalue()


def write_export(trail: AuditTrail, path: str | Path, tz: str = "UTC") -> Path:
    """CSV (UTF-8 with BOM, for spreadsheets) or PDF, chosen by the file's suffix; written atomically."""
    from .review import atomic_write

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        atomic_write(p, ("\ufeff" + csv_text(trail, tz)).encode("utf-8"))
    elif suffix == ".pdf":
        from .audit_pdf import pdf_bytes

        atomic_write(p, pdf_bytes(trail, tz))
    else:
        raise ValueError(f"--out must end in .csv or .pdf (got {p.name}) / 输出文件须为 .csv 或 .pdf")
    return p


def main_audit(args) -> int:
    """`workbench audit SUBMISSION_ID --out FILE.csv|.pdf [--db-url URL] [--tz ZONE]`."""
    from .store import StoreError
    from .store.signatures import _zone

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".pdf"):
        print(f"workbench audit: --out must end in .csv or .pdf (got {one_line(out.name)}) / 输出文件须为 .csv 或 .pdf",
              file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        _zone(args.tz)
    except ValueError as exc:
        print(f"workbench audit: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        with DecisionStore(args.db_url or None) as store:
            trail = audit_trail(store, args.submission_id)
    except StoreError as exc:
        print(f"workbench audit: {one_line(exc)}", file=sys.stderr)
        return EXIT_UNUSABLE
    if not trail.decisions:
        print(f"workbench audit: no entry for {one_line(args.submission_id)} in {trail.store}; nothing written "
              f"/ 审评结论库中没有该申报的记录，未导出", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        write_export(trail, out, args.tz)
    except (OSError, RuntimeError) as exc:
        print(f"workbench audit: cannot write {one_line(out)} / 无法写入: {one_line(exc)}", file=sys.stderr)
        return EXIT_UNUSABLE
    v = trail.verify
    print(f"{out}: {len(trail.decisions)} entries for {args.submission_id}, chain head #{v.head_seq} {v.head_hash}")
    if not v.ok:
        print(f"workbench audit: chain verification FAILED (written into the export) / 审计链校验失败（已写入导出文件）: "
              f"{one_line('; '.join(v.problems))}", file=sys.stderr)
        return EXIT_CHAIN_FAILED
    return EXIT_OK
