"""define.xml (Define-XML 2.x) parsed safely: dataset -> variable names."""
from __future__ import annotations

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from .readers import ReadError


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_define(data: bytes) -> dict[str, set[str]]:
    """Datasets and their variables from define.xml bytes. DTDs, entities and external references are refused."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ReadError("unsafe_xml", f"define.xml refused: {type(exc).__name__} (DTD, entity or external reference)",
                        f"define.xml 被拒绝读取：{type(exc).__name__}（含 DTD、实体或外部引用）") from None
    except SafeET.ParseError as exc:
        raise ReadError("corrupt", f"define.xml is not well-formed XML ({exc})",
                        f"define.xml 不是格式正确的 XML（{exc}）") from None
    item_names: dict[str, str] = {}
    groups: list[tuple[str, list[str]]] = []
    for el in root.iter():
        tag = _local(el.tag)
        if tag == "ItemDef":
            oid, name = el.get("OID"), el.get("Name")
            if oid and name:
                item_names[oid] = name.upper()
        elif tag == "ItemGroupDef":
            name = (el.get("Name") or el.get("Domain") or "").upper()
            refs = [ref.get("ItemOID") for ref in el if _local(ref.tag) == "ItemRef" and ref.get("ItemOID")]
            if name:
                groups.append((name, refs))
    return {name: {item_names.get(r, r.split(".")[-1].upper()) for r in refs} for name, refs in groups}
