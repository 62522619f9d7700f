"""Roles: who may record decisions (reviewer, lead) and who may sign off (lead only), by identity.

A roles file (YAML) names identities and their role, and optionally the printed name shown on signatures::

    identities:
      alice: reviewer
      bob: {role: lead, name: "李组长 Bob Li"}
      "local:wang": reviewer

Applying a file (``workbench serve --roles FILE``, :meth:`DecisionStore.apply_roles`) appends one chain entry
per change (action ``role``: a grant, a new name, or ``none`` for an identity no longer listed), so the
roles in force at any point are read back from the chain itself. Pure functions: no database here.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import DecisionError

REVIEWER, LEAD, NONE = "reviewer", "lead", "none"
ROLES = (REVIEWER, LEAD)
ROLE_LABELS = {REVIEWER: ("审评员", "reviewer"), LEAD: ("组长", "lead"), NONE: ("无角色", "no role")}
ROLES_SUBJECT = "(roles)"          # submission_id of role entries: not a valid submission id
MAX_ROLES_BYTES = 1_000_000
MAX_FIELD = 200


class RolesError(DecisionError):
    """A roles file that cannot be used (bilingual message, the file named)."""


@dataclass(frozen=True)
class RoleGrant:
    identity: str
    role: str
    name: str | None = None


def role_label(role: str | None, lang: str = "zh") -> str:
    zh, en = ROLE_LABELS.get(role or NONE, (role, role))
    return zh if lang == "zh" else en if lang == "en" else f"{zh} / {en}"


def _err(where: str, en: str, zh: str) -> RolesError:
    return RolesError(f"roles file {where}: {en}", f"角色文件 {where}：{zh}", "roles")


def _name_ok(value: str) -> bool:
    return bool(value) and len(value) <= MAX_FIELD and value.isprintable()


def parse_roles(data: object, where: str = "(mapping)") -> dict[str, RoleGrant]:
    """``{"identities": {identity: role | {role, name}}}`` -> grants by identity; raises :class:`RolesError`."""
    if not isinstance(data, Mapping) or set(data) - {"identities"} or "identities" not in data:
        raise _err(where, "the top level must be a mapping with one key, 'identities'",
                   "顶层必须是只含 identities 一个键的映射")
    items = data["identities"]
    if not isinstance(items, Mapping) or not items:
        raise _err(where, "'identities' must map at least one identity to a role",
                   "identities 必须至少给出一个身份及其角色")
    grants: dict[str, RoleGrant] = {}
    for key, value in items.items():
        ident = key.strip() if isinstance(key, str) else key
        if not isinstance(ident, str) or not _name_ok(ident) or "," in ident:
            raise _err(where, f"identity {key!r} is not a user name", f"身份 {key!r} 不是有效的用户名")
        name = None
        if isinstance(value, Mapping):
            if set(value) - {"role", "name"}:
                raise _err(where, f"{ident}: only 'role' and 'name' may be given", f"{ident}：只能给出 role 和 name")
            role, name = value.get("role"), value.get("name")
            if name is not None and (not isinstance(name, str) or not _name_ok(name.strip())):
                raise _err(where, f"{ident}: 'name' must be a printed name of at most {MAX_FIELD} characters",
                           f"{ident}：name 必须是不超过 {MAX_FIELD} 个字符的姓名")
            name = name.strip() if name else None
        else:
            role = value
        if role not in ROLES:
            raise _err(where, f"{ident}: role must be one of {', '.join(ROLES)} (got {role!r})",
                       f"{ident}：角色必须是 {'、'.join(ROLES)} 之一（当前：{role!r}）")
        grants[ident] = RoleGrant(ident, role, name)
    return grants


def load_roles(path: str | Path) -> tuple[dict[str, RoleGrant], str]:
    """Read and check a roles file; returns (grants, SHA-256 of the file). Raises :class:`RolesError`."""
    import yaml

    class _SafeLoader(yaml.SafeLoader):   # no object construction, and no aliases ("billion laughs")
        def compose_node(self, parent, index):  # noqa: ANN001, ANN202
            if self.check_event(yaml.AliasEvent):
                raise yaml.composer.ComposerError(None, None, "YAML aliases (*ref) are not accepted",
                                                  self.peek_event().start_mark)
            return super().compose_node(parent, index)

    p = Path(path)
    where = str(p)
    try:
        if p.stat().st_size > MAX_ROLES_BYTES:
            raise _err(where, f"larger than {MAX_ROLES_BYTES} bytes", f"超过 {MAX_ROLES_BYTES} 字节")
        raw = p.read_bytes()
    except OSError as exc:
        raise _err(where, f"cannot be read ({exc.strerror or exc})", f"无法读取（{exc.strerror or exc}）") from None
    try:
        data = yaml.load(raw.decode("utf-8"), Loader=_SafeLoader)  # noqa: S506 - a SafeLoader
    except (UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
        problem = " ".join(str(exc).split())[:200]
        raise _err(where, f"not valid UTF-8 YAML ({problem})", f"不是有效的 UTF-8 YAML（{problem}）") from None
    return parse_roles(data, where), hashlib.sha256(raw).hexdigest()


def grants_sha256(grants: Mapping[str, RoleGrant]) -> str:
    """A stable hash of a set of grants (for roles given as a mapping rather than a file)."""
    doc = {k: [g.role, g.name] for k, g in sorted(grants.items())}
    return hashlib.sha256(json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def roles_from_rows(rows: Iterable[Mapping]) -> dict[str, RoleGrant]:
    """Replay role entries (in chain order) into the roles in force."""
    roles: dict[str, RoleGrant] = {}
    for r in rows:
        ident = r["role_identity"]
        if not ident:
            continue
        if r["role"] in ROLES:
            roles[ident] = RoleGrant(ident, r["role"], r["role_name"])
        else:
            roles.pop(ident, None)
    return roles


def role_changes(current: Mapping[str, RoleGrant], wanted: Mapping[str, RoleGrant]) -> list[RoleGrant]:
    """What to append so that the roles in force become ``wanted``: grants and renames, then revocations
    (role ``none``) of identities no longer listed; sorted by identity."""
    changes = [g for k, g in sorted(wanted.items()) if current.get(k) != g]
    changes += [RoleGrant(k, NONE, None) for k in sorted(current) if k not in wanted]
    return changes
