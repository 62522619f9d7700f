"""Who may record what in the decision store: the identity an entry is recorded under, the printed name it
carries, and why a sign-off is refused (only a lead, never the decision's author). Pure functions, no database:
:class:`workbench.store.decisions.DecisionStore` calls them inside its write transactions."""
from __future__ import annotations

from collections.abc import Mapping

from .entry import Entry
from .errors import DecisionError
from .identity import LOCAL, LOCAL_PREFIX, MAX_IDENTITY, Identity, check_header_name
from .roles import LEAD, RoleGrant, role_label
from .schema import MAX_NAME
from .validate import text_value


def identity_of(who: Identity | str) -> Identity:
    """The identity an entry is recorded under: an :class:`Identity`, or for a plain name (a script calling the
    API) the operating-system account running it, with that printed name."""
    if isinstance(who, str) or who is None:
        name = text_value(who, "reviewer", "审评人姓名", required=False, limit=MAX_NAME)
        who = Identity.local(name.strip() if name else None)
    if not isinstance(who, Identity):
        raise DecisionError("reviewer must be an Identity or a name", "审评人必须是身份或姓名", "identity")
    ident = who.identity.strip() if isinstance(who.identity, str) else ""
    if not ident or len(ident) > MAX_IDENTITY or not ident.isprintable():
        raise DecisionError("identity is required (one printable user name)", "必须有身份（一个可打印的用户名）",
                            "identity")
    source = who.source or ""
    if source == LOCAL:
        ok = ident.startswith(LOCAL_PREFIX)
    elif source.startswith("header:"):
        try:
            check_header_name(source[len("header:"):])
            ok = not ident.startswith(LOCAL_PREFIX)
        except ValueError:
            ok = False
    else:
        ok = False
    if not ok:
        raise DecisionError(f"identity source {source!r} does not fit identity {ident!r} (local:<user> from "
                            f"'local', a user name from 'header:NAME')",
                            f"身份来源 {source!r} 与身份 {ident!r} 不符（local 对应 local:<用户>，header:NAME "
                            f"对应用户名）", "identity")
    name = text_value(who.name, "reviewer", "审评人姓名", required=False, limit=MAX_NAME)
    return Identity(ident, source, name.strip() if name else None)


def signoff_refusals(actor: Identity, roles: Mapping[str, RoleGrant], decision: Entry) -> tuple[list, list]:
    """Why ``actor`` may not sign ``decision`` off (empty when it may): only a lead, never the author."""
    en, zh = [], []
    grant = roles.get(actor.identity)
    if not roles:
        en.append("only a lead may sign off and no lead is named (give `workbench serve --roles FILE`)")
        zh.append("只有组长可以签署，但尚未指定组长（请用 workbench serve --roles 角色文件）")
    elif grant is None or grant.role != LEAD:
        has = role_label(grant.role if grant else None, "en")
        en.append(f"only a lead may sign off: {actor.identity} is {'a ' + has if grant else 'not in the roles'}")
        zh.append(f"只有组长可以签署：{actor.identity} 的角色为{role_label(grant.role if grant else None, 'zh')}")
    if decision.identity is None:
        en.append(f"the decision (#{decision.seq}) was recorded before identities were recorded, so four-eyes "
                  f"cannot be checked: confirm or override it again first")
        zh.append(f"该结论（#{decision.seq}）记录于启用身份认证之前，无法核对“四眼原则”：请先重新确认或改判")
    elif decision.identity == actor.identity:
        en.append(f"four-eyes rule: {actor.identity} recorded the decision (#{decision.seq}) and cannot sign it "
                  f"off; another lead must")
        zh.append(f"四眼原则：{actor.identity} 记录了该结论（#{decision.seq}），不能自行签署，须由另一位组长签署")
    return en, zh


def printed_name(roles: Mapping[str, RoleGrant], actor: Identity) -> str:
    """The name recorded for ``actor``: the roles file's name for the identity, else the deployment's; an
    identity the roles file does not list (when there is one) cannot record (DecisionError)."""
    grant = roles.get(actor.identity)
    if roles and grant is None:
        raise DecisionError(f"{actor.identity} has no role in the roles file: nothing was recorded",
                            f"{actor.identity} 不在角色名单中，未记录", "identity")
    return grant.name if grant and grant.name else actor.printed_name
