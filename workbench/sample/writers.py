"""Write a simulated submission to disk, byte-for-byte reproducibly.

Formats: SAS transport v5/v8 (header timestamps fixed), CSV (UTF-8, UTF-8 with BOM,
GB18030), Parquet (pyarrow, zstd) and XLSX (openpyxl, document properties and zip
entry times fixed). Text files use '\\n' line ends whatever the platform.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd
import yaml

from .documents import Doc, DocPlan, binder_body, doc_body, index_frame
from .vocab import DOMAIN_LABELS, label_for

EXT = {"xpt5": ".xpt", "xpt8": ".xpt", "csv": ".csv", "csv-bom": ".csv", "csv-gb18030": ".csv",
       "parquet": ".parquet", "xlsx": ".xlsx"}
FIXED_TIME = _dt.datetime(2025, 10, 1, 9, 0, 0)
_XPT_STAMP = re.compile(rb"\d{2}[A-Z]{3}\d{2}:\d{2}:\d{2}:\d{2}")


@dataclass
class Sample:
    """Everything one bundled (or scaled) submission folder holds."""

    name: str
    readme: str
    datasets: dict[str, pd.DataFrame]
    formats: dict[str, str]                      # domain -> format key (EXT)
    default_format: str = "parquet"
    manifest: dict | None = None
    bare: bool = False
    batches: pd.DataFrame | None = None
    release: pd.DataFrame | None = None
    cmc_format: str = "csv"
    docs: list[Doc] = field(default_factory=list)
    doc_plan: DocPlan | None = None
    index_format: str = "csv"
    define: bool = True
    studyid: str = ""
    expectations: dict = field(default_factory=dict)
    # the CDE data package parts (docs/package.md): ADaM datasets written as SAS transport v5 into
    # analysis/adam/datasets/ with their define.xml, and other files (reviewer guides, programs) by relative path
    adam: dict[str, pd.DataFrame] = field(default_factory=dict)
    adam_formats: dict[str, dict[str, str]] = field(default_factory=dict)
    package_files: dict[str, bytes] = field(default_factory=dict)


# --------------------------------------------------------------------------- tables


def _integral_floats(df: pd.DataFrame) -> pd.DataFrame:
    """Float columns holding whole numbers (with gaps) become nullable integers, so text shows '12' not '12.0'."""
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if s.dtype.kind == "f":
            v = s.to_numpy()
            ok = ~np.isnan(v)
            if ok.any() and np.all(v[ok] == np.round(v[ok])) and (c.endswith(("SEQ", "DY")) or c == "VISITNUM"):
                out[c] = s.astype("Int64")
    return out


def _text_frame(df: pd.DataFrame) -> pd.DataFrame:
    return _integral_floats(df)


def write_table(df: pd.DataFrame, path: Path, fmt: str, name: str, formats: dict[str, str] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt in ("xpt5", "xpt8"):
        _write_xpt(df, path, name, 5 if fmt == "xpt5" else 8, formats)
    elif fmt.startswith("csv"):
        enc = {"csv": "utf-8", "csv-bom": "utf-8-sig", "csv-gb18030": "gb18030"}[fmt]
        text = _text_frame(df).to_csv(index=False, lineterminator="\n")
        data = text.encode(enc)
        if fmt == "csv-gb18030":
            _check_gb18030(data, path)
        path.write_bytes(data)
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(_integral_floats(df), preserve_index=False)
        # no pandas metadata (it names the pandas version): the bytes depend only on the data and pyarrow
        pq.write_table(table.replace_schema_metadata(None), path, compression="zstd")
    elif fmt == "xlsx":
        _write_xlsx(_text_frame(df), path, name)
    else:
        raise ValueError(f"unknown format {fmt}")


def _check_gb18030(data: bytes, path: Path) -> None:
    """The loader decodes GB18030 only when no non-ASCII line is valid UTF-8; make sure of it."""
    for i, line in enumerate(data.split(b"\n"), start=1):
        if max(line, default=0) > 0x7F:
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            raise ValueError(f"{path.name} line {i} is valid UTF-8 as well as GB18030; reword it")


def _write_xpt(df: pd.DataFrame, path: Path, name: str, version: int, formats: dict[str, str] | None = None) -> None:
    import pyreadstat

    cols = {}
    for c in df.columns:
        s = df[c]
        if s.dtype.kind in "fiu" or str(s.dtype) == "Int64":
            cols[c] = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        else:
            arr = s.to_numpy(dtype=object)
            arr = np.array(["" if not isinstance(x, str) else x for x in arr], dtype=object)
            if version == 5 and not "".join(arr).isascii():
                raise ValueError(f"{name}.{c}: SAS transport v5 text must be ASCII")
            cols[c] = arr
    out = pd.DataFrame(cols)
    maxlab = 40
    labels = [label_for(c)[:maxlab] for c in out.columns]
    pyreadstat.write_xport(out, str(path), file_label=DOMAIN_LABELS.get(name, name)[:40], column_labels=labels,
                           table_name=name[:8], file_format_version=version,
                           **({"variable_format": dict(formats)} if formats else {}))
    data = path.read_bytes()
    cut = data.find(b"HEADER RECORD*******OBS")
    head = _XPT_STAMP.sub(FIXED_TIME.strftime("%d%b%y:%H:%M:%S").upper().encode(), data[:cut])
    path.write_bytes(head + data[cut:])


def _write_xlsx(df: pd.DataFrame, path: Path, name: str) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = name[:31]
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    wb.properties.creator = "workbench.sample"
    wb.properties.lastModifiedBy = "workbench.sample"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(_fixed_zip(buf.getvalue()))


def _cell(v):
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    return v


_CORE_TIME = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _fixed_zip(data: bytes) -> bytes:
    """Re-pack a zip with fixed entry times (and fixed core-property times) so the bytes are reproducible."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _CORE_TIME.sub(rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", body)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, body)
    return out.getvalue()


def write_csv_table(df: pd.DataFrame, path: Path, fmt: str) -> None:
    write_table(df, path, fmt, path.stem.upper())


# --------------------------------------------------------------------------- manifest, define, docs


def write_manifest(manifest: dict, path: Path) -> None:
    text = yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100)
    path.write_bytes(text.encode("utf-8"))


def _datatype(s: pd.Series) -> tuple[str, int | None]:
    kind = s.dtype.kind
    if kind in "iu" or str(s.dtype) == "Int64":
        return "integer", 8
    if kind == "f":
        v = s.to_numpy()
        ok = ~np.isnan(v)
        if ok.any() and np.all(v[ok] == np.round(v[ok])):
            return "integer", 8
        return "float", 8
    arr = s.to_numpy(dtype=object)
    lengths = [len(x) for x in arr if isinstance(x, str)]
    return "text", max(lengths, default=1) or 1


def write_define(path: Path, studyid: str, title: str, files: list[tuple[str, str, pd.DataFrame]],
                 purpose: str = "Tabulation") -> None:
    """A Define-XML 2.0 document listing each dataset (ItemGroupDef) and its variables (ItemDef)."""
    groups, items = [], []
    for name, rel, df in files:
        refs = []
        for k, col in enumerate(df.columns, start=1):
            oid = f"IT.{name}.{col}"
            dtype, length = _datatype(df[col])
            key = ' KeySequence="1"' if col == "USUBJID" else ""
            refs.append(f'      <ItemRef ItemOID="{oid}" OrderNumber="{k}" Mandatory="No"{key}/>')
            items.append(f'    <ItemDef OID="{oid}" Name="{col}" DataType="{dtype}" Length="{length}" '
                         f'SASFieldName="{col}">\n      <Description><TranslatedText xml:lang="en">'
                         f'{escape(label_for(col))}</TranslatedText></Description>\n    </ItemDef>')
        label = DOMAIN_LABELS.get(name, name)
        dom = name[4:] if name.startswith("SUPP") else name
        groups.append(
            f'    <ItemGroupDef OID="IG.{name}" Name="{name}" Domain="{dom}" SASDatasetName="{name}" '
            f'Repeating="{"No" if name == "DM" else "Yes"}" '
            f'IsReferenceData="No" Purpose="{purpose}" def:ArchiveLocationID="LF.{name}">\n'
            f'      <Description><TranslatedText xml:lang="en">{escape(label)}</TranslatedText></Description>\n'
            + "\n".join(refs) + "\n"
            f'      <def:leaf ID="LF.{name}" xlink:href={quoteattr(rel)}><def:title>{escape(rel)}</def:title>'
            f'</def:leaf>\n    </ItemGroupDef>')
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" xmlns:def="http://www.cdisc.org/ns/def/v2.0" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" ODMVersion="1.3.2" FileType="Snapshot" '
        f'FileOID="DEF.{studyid}" CreationDateTime="{FIXED_TIME.isoformat()}" Originator="workbench.sample">\n'
        f'  <Study OID="ST.{studyid}">\n    <GlobalVariables>\n      <StudyName>{escape(studyid)}</StudyName>\n'
        f'      <StudyDescription>{escape(title)}</StudyDescription>\n'
        f'      <ProtocolName>{escape(studyid)}</ProtocolName>\n    </GlobalVariables>\n'
        f'    <MetaDataVersion OID="MDV.{studyid}.1" Name="{escape(studyid)} SDTM" def:DefineVersion="2.0.0" '
        'def:StandardName="SDTM-IG" def:StandardVersion="3.2">\n'
        + "\n".join(groups) + "\n" + "\n".join(items) + "\n    </MetaDataVersion>\n  </Study>\n</ODM>\n")
    path.write_bytes(xml.encode("utf-8"))


def write_documents(root: Path, docs: list[Doc], plan: DocPlan, studyid: str, index_format: str) -> None:
    docdir = root / "documents"
    hashes = {}
    by_path: dict[str, list[Doc]] = {}
    for d in docs:
        if d.write:
            by_path.setdefault(d.path, []).append(d)
    made: set[Path] = set()
    for path, group in by_path.items():
        p = docdir / path
        if p.parent not in made:
            p.parent.mkdir(parents=True, exist_ok=True)
            made.add(p.parent)
        text = doc_body(group[0], plan, studyid) if len(group) == 1 else binder_body(group, plan, studyid)
        body = text.encode("utf-8")
        p.write_bytes(body)
        hashes[path] = hashlib.sha256(body).hexdigest()
    write_table(index_frame(docs, plan, hashes), docdir / "index.csv", index_format, "INDEX")


# --------------------------------------------------------------------------- submission


def write_sample(root: Path, sample: Sample) -> Path:
    """Write one submission folder (``root`` is created; existing files are overwritten, not removed)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_bytes(sample.readme.encode("utf-8"))
    if sample.manifest is not None:
        write_manifest(sample.manifest, root / "submission.yaml")
    tab = root if sample.bare else root / "tabulations"
    files = []
    for name in sorted(sample.datasets):
        df = sample.datasets[name]
        fmt = sample.formats.get(name, sample.default_format)
        p = tab / f"{name.lower()}{EXT[fmt]}"
        write_table(df, p, fmt, name)
        files.append((name, p.relative_to(root).as_posix(), df))
    if sample.define and not sample.bare:
        write_define(root / "define.xml", sample.studyid, (sample.manifest or {}).get("title", sample.studyid), files)
    if sample.batches is not None:
        write_table(sample.batches, root / "cmc" / "batches.csv", sample.cmc_format, "BATCHES")
    if sample.release is not None:
        write_table(sample.release, root / "cmc" / "release_tests.csv", sample.cmc_format, "RELEASE")
    if sample.docs and sample.doc_plan is not None:
        write_documents(root, sample.docs, sample.doc_plan, sample.studyid, sample.index_format)
    if sample.adam:
        adam_dir = root / "analysis" / "adam" / "datasets"
        adam_files = []
        for name in sorted(sample.adam):
            p = adam_dir / f"{name.lower()}.xpt"
            write_table(sample.adam[name], p, "xpt5", name, sample.adam_formats.get(name))
            adam_files.append((name, p.name, sample.adam[name]))
        write_define(adam_dir / "define.xml", sample.studyid, (sample.manifest or {}).get("title", sample.studyid),
                     adam_files, purpose="Analysis")
    for rel, data in sorted(sample.package_files.items()):
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return root


def tree_hashes(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root`` (relative POSIX path -> digest)."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            out[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out
