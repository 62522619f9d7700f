"""Issue 9: the bad-input corpus, generated (never hand-edited binaries).

``build_corpus(root)`` writes one submission folder per bad input under ``root`` (plus
``root/_outside/``, the files that hostile links and paths point at) and returns the
:class:`Case` list. Every case starts from the small clean study of ``tests/factory.py``
(``clean_study()`` / ``write_study()``) and plants one defect; each says what
``workbench review`` must do with it:

* ``expect``: exit 0 and review.json findings including each ``(check_id, text)`` (``check_id`` may be
  ``"A|B"`` (either) or ``"*"`` (any); ``text`` must occur in the finding's record or English message,
  ``None``: any finding of that check); every run must also be free of check and analysis errors;
* ``absent``: findings that must *not* be there (e.g. full-width digits are numbers, not ADM-002);
* ``exit2``: nothing is usable, exit 2 with exactly one line on stderr;
* ``verify``: an extra check on the review.json document;
* ``cli``: run through the real ``workbench review`` in a subprocess (memory and time watched),
  else in-process (a worker process of the test's pool, for speed);
* ``bug``: a known defect: the test is ``xfail(strict=True)`` with this reason.

Everything is deterministic (seeded), bounded in size (the largest real file is the 50 MB CSV
line and the 30 MB define.xml attribute; the >4 GB CSV and the >50 MB define.xml are sparse files) and
written only under ``root``. ``python tests/robustness/corpus.py DIR`` writes it for a look (~130 MB).
"""
from __future__ import annotations

import io
import os
import random
import shutil
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

_TESTS = Path(__file__).resolve().parents[1]
if str(_TESTS) not in sys.path:
    sys.path.insert(0, str(_TESTS))

from factory import Study, clean_study, write_study  # noqa: E402

OUTSIDE = "_outside"
CANARY = "TOP-SECRET-CANARY-7f3a"          # content of every file outside a submission: must never be read
DOMAINS_WITH_USUBJID = ("DM", "DS", "EX", "AE", "CM", "LB", "VS", "SV", "QS", "IE", "SUPPAE")
DATE_COLUMNS = {"DM": ("RFSTDTC",), "DM_CONSENT": ("RFICDTC",), "DS": ("DSSTDTC",), "EX": ("EXSTDTC",),
                "AE": ("AESTDTC",), "CM": ("CMSTDTC",), "LB": ("LBDTC",), "VS": ("VSDTC",),
                "SV": ("SVSTDTC", "SVENDTC"), "QS": ("QSDTC",)}


@dataclass
class Case:
    name: str
    kind: str
    build: Callable[[Path, Path], Path | None]   # (case folder, outside folder) -> submission folder (default: case folder)
    expect: list[tuple[str, str | None]] = field(default_factory=list)
    absent: list[tuple[str, str | None]] = field(default_factory=list)
    exit2: bool = False
    verify: Callable[[dict], None] | None = None
    cli: bool = False
    bug: str | None = None
    timeout: float = 60.0
    path: Path | None = None                     # set by build_corpus


# -- helpers -------------------------------------------------------------------------------------------------

def _base(path: Path, mutate: Callable[[Study], None] | None = None) -> Path:
    study = clean_study()
    if mutate is not None:
        mutate(study)
    return write_study(study, path)


def _text_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text ('' for missing): what binary writers need for object columns of mixed types."""
    out = df.astype(object).where(df.notna(), "")
    return out.map(lambda v: str(v))


def _dataset_bytes(df: pd.DataFrame, fmt: str, tmp: Path) -> bytes:
    tmp.parent.mkdir(parents=True, exist_ok=True)
    t = _text_frame(df)
    if fmt == "xpt":
        import pyreadstat

        pyreadstat.write_xport(t, str(tmp), file_format_version=5)
        data = tmp.read_bytes()
        tmp.unlink()
        return data
    buf = io.BytesIO()
    if fmt == "parquet":
        t.to_parquet(buf, index=False)
    elif fmt == "xlsx":
        t.to_excel(buf, index=False, engine="openpyxl")
    else:
        raise ValueError(fmt)
    return buf.getvalue()


def _replace_domain(path: Path, domain: str, fmt: str, data: bytes) -> Path:
    """Remove tabulations/<domain>.csv and write tabulations/<domain>.<fmt> with ``data``."""
    tab = path / "tabulations"
    (tab / f"{domain.lower()}.csv").unlink(missing_ok=True)
    target = tab / f"{domain.lower()}.{fmt}"
    target.write_bytes(data)
    return target


def _rng(name: str) -> random.Random:
    return random.Random(f"wb-corpus-{name}")


def _csv_of(study_or_df, domain: str | None = None) -> str:
    df = study_or_df if isinstance(study_or_df, pd.DataFrame) else study_or_df.tables[domain]
    return df.to_csv(index=False)


# -- builders: binary formats -------------------------------------------------------------------------------

def _truncated(domain: str, fmt: str, frac: float | None = None, keep: int | None = None):
    def build(path: Path, outside: Path) -> None:
        _base(path)
        df = clean_study().tables[domain]
        data = _dataset_bytes(df, fmt, path.parent / f".{path.name}.tmp.{fmt}")
        n = keep if keep is not None else int(len(data) * frac)
        _replace_domain(path, domain, fmt, data[:n])
    return build


def _garbage(domain: str, fmt: str, magic: bytes = b"", size: int = 4096):
    def build(path: Path, outside: Path) -> None:
        _base(path)
        rnd = _rng(f"{domain}{fmt}{magic!r}")
        body = rnd.randbytes(size)
        data = magic + body + (magic if fmt == "parquet" and magic else b"")
        _replace_domain(path, domain, fmt, data)
    return build


def _bitflips(domain: str, fmt: str, flips: int = 40):
    """A real file with bytes overwritten at seeded random places past its first header."""
    def build(path: Path, outside: Path) -> None:
        _base(path)
        data = bytearray(_dataset_bytes(clean_study().tables[domain], fmt, path.parent / f".{path.name}.tmp.{fmt}"))
        rnd = _rng(f"flip{domain}{fmt}")
        for _ in range(flips):
            i = rnd.randrange(min(80, len(data) // 2), len(data))
            data[i] = rnd.randrange(256)
        _replace_domain(path, domain, fmt, bytes(data))
    return build


def _xpt_obs_claim(path: Path, outside: Path) -> None:
    """SAS transport v8 whose OBS header claims 9,999,999,999 observations."""
    import pyreadstat

    _base(path)
    df = _text_frame(clean_study().tables["IE"])
    tmp = path.parent / f".{path.name}.v8.xpt"
    pyreadstat.write_xport(df, str(tmp), file_format_version=8)
    data = bytearray(tmp.read_bytes())
    tmp.unlink()
    at = data.find(b"HEADER RECORD*******OBSV8   HEADER RECORD!!!!!!!")
    data[at + 48:at + 63] = b"9999999999".rjust(15)
    _replace_domain(path, "IE", "xpt", bytes(data))


def _xpt_var_claim(path: Path, outside: Path) -> None:
    """SAS transport v5 whose NAMESTR header claims 9999 variables."""
    _base(path)
    data = bytearray(_dataset_bytes(clean_study().tables["IE"], "xpt", path.parent / f".{path.name}.t.xpt"))
    at = data.find(b"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!")
    data[at + 48:at + 58] = b"0000009999"
    _replace_domain(path, "IE", "xpt", bytes(data))


def _parquet_footer_claim(path: Path, outside: Path) -> None:
    """Parquet whose footer length field claims ~2 GB of metadata."""
    _base(path)
    data = bytearray(_dataset_bytes(clean_study().tables["LB"], "parquet", path.parent / "x"))
    data[-8:-4] = (0x7FFFFFF0).to_bytes(4, "little")
    _replace_domain(path, "LB", "parquet", bytes(data))


def _xlsx_zip_variant(kind: str):
    """XLSX (a zip) with its worksheet removed, or replaced by malformed XML."""
    def build(path: Path, outside: Path) -> None:
        _base(path)
        data = _dataset_bytes(clean_study().tables["CM"], "xlsx", path.parent / "x")
        src = zipfile.ZipFile(io.BytesIO(data))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                body = src.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    if kind == "no-sheet":
                        continue
                    body = body[: len(body) // 2]          # malformed XML
                dst.writestr(item, body)
        _replace_domain(path, "CM", "xlsx", buf.getvalue())
    return build


def _xlsx_far_cell(path: Path, outside: Path) -> None:
    """A 5 KB XLSX with one cell at XFD1048576 (the last cell of a sheet): a cells x rows bomb for readers."""
    import openpyxl

    _base(path)
    wb = openpyxl.Workbook()
    ws = wb.active
    cm = clean_study().tables["CM"]
    ws.append(list(cm.columns))
    for row in _text_frame(cm).itertuples(index=False):
        ws.append(list(row))
    ws["XFD1048576"] = "far away"
    buf = io.BytesIO()
    wb.save(buf)
    _replace_domain(path, "CM", "xlsx", buf.getvalue())


# -- builders: CSV -------------------------------------------------------------------------------------------

def _ae_csv(path: Path, data: bytes) -> None:
    (path / "tabulations" / "ae.csv").write_bytes(data)


def _csv_bytes(transform: Callable[[str], bytes]):
    def build(path: Path, outside: Path) -> None:
        _base(path)
        _ae_csv(path, transform(_csv_of(clean_study(), "AE")))
    return build


def _mixed_encoding(text: str) -> bytes:
    lines = text.splitlines()
    out = [lines[0].encode()]
    for i, line in enumerate(lines[1:]):
        line = line.replace("Headache", "头痛").replace("Pneumonia", "肺炎")
        out.append(line.encode("utf-8" if i % 2 == 0 else "gb18030"))
    return b"\n".join(out) + b"\n"


def _stray_delimiters(text: str) -> bytes:
    lines = text.splitlines()
    lines[2] = lines[2] + ",,stray,,"
    return ("\n".join(lines) + "\n").encode()


def _embedded_newlines(text: str) -> bytes:
    study = clean_study()
    ae = study.tables["AE"].copy()
    ae.loc[0, "AETERM"] = "Head\nache, with a\r\nline break"
    return ae.to_csv(index=False).encode()


def _unterminated_quote(text: str) -> bytes:
    """A last record whose quoted field is never closed (runs to the end of the file)."""
    return (text + 'SCX-001-0006,2,"Rash,Rash,Skin,2021-05-03,,N,NOT RELATED,MILD,1,RECOVERING\n').encode()


def _stray_quote(text: str) -> bytes:
    """A quote opening a field mid-file: lenient parsers merge the following record into it."""
    lines = text.splitlines()
    lines[2] = lines[2].replace("Pneumonia", '"Pneumonia', 1)
    return ("\n".join(lines) + "\n").encode()


def _nul_bytes(text: str) -> bytes:
    return text.replace("Headache", "Head\x00ache").replace("NOT RELATED", "NOT\x00\x00RELATED", 1).encode()


def _utf16(text: str) -> bytes:
    return text.encode("utf-16")


def _undecodable(text: str) -> bytes:
    return text.encode() + b"SCX-001-0001,\x80\xff\xfe\xfd,\x81\n"


def _only_bom(text: str) -> bytes:
    return b"\xef\xbb\xbf\r\n  \r\n"


def _cr_only(text: str) -> bytes:
    return text.replace("\n", "\r").encode()


def _semicolons(text: str) -> bytes:
    return text.replace(",", ";").encode()


def _huge_line(path: Path, outside: Path) -> None:
    """One AE record whose AETERM is a 50 MB line."""
    _base(path)
    ae = clean_study().tables["AE"].copy()
    head = ae.iloc[:0].to_csv(index=False)
    rows = ae.to_csv(index=False, header=False).splitlines()
    big = rows[0].replace("Headache", "H" * (50 * 1024 ** 2), 1)
    with open(path / "tabulations" / "ae.csv", "w", encoding="utf-8") as fh:
        fh.write(head + big + "\n" + "\n".join(rows[1:]) + "\n")


def _huge_header(path: Path, outside: Path) -> None:
    """An MH CSV whose header has 5,000 columns (a wide table) and one data row."""
    _base(path)
    n = 5_000
    header = "USUBJID,MHTERM," + ",".join(f"C{i}" for i in range(n))
    row = "SCX-001-0001,Asthma" + "," * n
    (path / "tabulations" / "mh.csv").write_text(header + "\n" + row + "\n")


def _sparse_csv(path: Path, outside: Path) -> None:
    """A CSV of 4 GiB + 1 byte (sparse: no disk used): over the documented 4 GB CSV limit."""
    _base(path)
    f = path / "tabulations" / "mh.csv"
    with open(f, "wb") as fh:
        fh.write(b"USUBJID,MHTERM\n")
        fh.truncate(4 * 1024 ** 3 + 1)


# -- builders: empty / zero rows / columns / keys --------------------------------------------------------------

def _empty_file(domain: str, fmt: str):
    def build(path: Path, outside: Path) -> None:
        _base(path)
        _replace_domain(path, domain, fmt, b"")
    return build


def _header_only(domain: str, fmt: str = "csv"):
    def build(path: Path, outside: Path) -> None:
        _base(path)
        df = clean_study().tables[domain].iloc[:0]
        if fmt == "csv":
            (path / "tabulations" / f"{domain.lower()}.csv").write_text(df.to_csv(index=False))
        else:
            _replace_domain(path, domain, fmt, _dataset_bytes(df, fmt, path.parent / f".{path.name}.t.{fmt}"))
    return build


def _drop_columns(domain: str, cols: tuple[str, ...]):
    def mutate(study: Study) -> None:
        study.tables[domain] = study.tables[domain].drop(columns=list(cols))
    return lambda path, outside: _base(path, mutate)


def _dup_dm(study: Study) -> None:
    dm = study.tables["DM"]
    study.tables["DM"] = pd.concat([dm, dm.iloc[[1]].assign(AGE=99)], ignore_index=True)


def _dup_aeseq(study: Study) -> None:
    ae = study.tables["AE"]
    extra = ae.iloc[[0]].assign(AETERM="Dizziness", AEDECOD="Dizziness")
    study.tables["AE"] = pd.concat([ae, extra], ignore_index=True)   # SCX-001-0001 AESEQ=1 twice


def _dup_lot(study: Study) -> None:
    b = study.batches
    study.batches = pd.concat([b, b.iloc[[1]].assign(STATUS="REJECTED", FAILREASON="duplicate row")],
                              ignore_index=True)


# -- builders: values ----------------------------------------------------------------------------------------

def _set_value(domain: str, column: str, value, row: int = 0):
    def mutate(study: Study) -> None:
        t = study.tables[domain].astype(object)
        t.loc[row, column] = value
        study.tables[domain] = t
    return lambda path, outside: _base(path, mutate)


def _fullwidth(study: Study) -> None:
    for name in ("EX", "DM", "AE", "LB"):
        study.tables[name] = study.tables[name].astype(object)
    study.tables["EX"].loc[0, "EXDOSE"] = "１"                  # 1 x 10^6 cells/kg = the DL1 dose
    study.tables["DM"].loc[0, "AGE"] = "４５"
    study.tables["AE"].loc[1, "AETOXGR"] = "３"
    study.tables["LB"].loc[0, "LBSTRESN"] = "１２３"


def _text_numbers(study: Study) -> None:
    for name in ("EX", "DM"):
        study.tables[name] = study.tables[name].astype(object)
    study.tables["EX"].loc[0, "EXDOSE"] = " 1.0 "
    study.tables["EX"].loc[1, "EXDOSE"] = "1,0"                 # decimal comma: ambiguous, must not crash
    study.tables["DM"].loc[1, "AGE"] = "52.0"


def _extreme_numbers(study: Study) -> None:
    for name in ("EX", "AE", "DM", "LB", "QS"):
        study.tables[name] = study.tables[name].astype(object)
    study.tables["EX"].loc[0, "EXDOSE"] = "1e400"
    study.tables["EX"].loc[1, "EXDOSE"] = "-3"
    study.tables["EX"].loc[2, "EXDOSE"] = "NaN"
    study.tables["EX"].loc[3, "EXDOSE"] = "0"
    study.tables["AE"].loc[0, "AETOXGR"] = "99999999999999999999"
    study.tables["DM"].loc[0, "AGE"] = "-1"
    study.tables["DM"].loc[1, "AGE"] = "1e308"
    study.tables["LB"].loc[0, "LBSTRESN"] = "inf"
    study.tables["QS"].loc[0, "QSSTRESN"] = "-inf"


# -- builders: manifest ----------------------------------------------------------------------------------------

def _manifest_text(text: str | bytes):
    def build(path: Path, outside: Path) -> None:
        _base(path)
        data = text.encode() if isinstance(text, str) else text
        (path / "submission.yaml").write_bytes(data)
    return build


def _manifest_mut(fn: Callable[[dict], None]):
    def mutate(study: Study) -> None:
        fn(study.manifest)
    return lambda path, outside: _base(path, mutate)


def _wrong_types(m: dict) -> None:
    m["study"]["first_in_human"] = "maybe"
    m["study"]["arms"][0]["dose"] = "lots"
    m["study"]["dlt"]["window_days"] = "four weeks"
    m["product"]["gene_modified"] = [1, 2]
    m["study"]["followup"] = "long"
    m["study"]["stopping_rules"] = {"id": "SR1"}


def _unknown_keys(m: dict) -> None:
    m["favourite_colour"] = "blue"
    m["study"]["arms"][0]["colour"] = "red"
    m["product"]["x-extra"] = {"nested": [1, 2, 3]}


def _extreme_manifest(m: dict) -> None:
    m["study"]["dlt"]["window_days"] = 10 ** 20
    m["study"]["followup"]["required_days"] = 10 ** 20
    m["study"]["sentinel_interval_days"] = 10 ** 20
    m["study"]["arms"][0]["dose"] = float("inf")
    m["study"]["arms"][1]["dose"] = float("nan")
    m["study"]["primary_endpoint"]["responder_change"] = float("nan")
    m["study"]["stopping_rules"][0]["threshold"] = 10 ** 20


def _id_mut(value):
    def fn(m: dict) -> None:
        m["submission_id"] = value
    return fn


def _billion_laughs() -> str:
    bomb = 'lol0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 10):
        bomb += f"lol{i}: &a{i} [{', '.join('*a' + str(i - 1) for _ in range(9))}]\n"
    return bomb + "submission_id: BOMB\n"


def _pwned_yaml(marker: Path) -> str:
    return (f"submission_id: !!python/object/apply:os.system ['touch {marker}']\n"
            f"title: !!python/object/apply:subprocess.check_output [['touch', '{marker}']]\n"
            "sponsor: !!python/name:os.system\n")


def _yaml_object_tags(path: Path, outside: Path) -> None:
    _base(path)
    (path / "submission.yaml").write_text(_pwned_yaml(outside / "PWNED"))


# -- builders: define.xml ----------------------------------------------------------------------------------

def _define(text_fn: Callable[[Path], str | bytes]):
    def build(path: Path, outside: Path) -> None:
        _base(path)
        data = text_fn(outside)
        (path / "define.xml").write_bytes(data.encode() if isinstance(data, str) else data)
    return build


def _xxe_file(outside: Path) -> str:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE ODM [<!ENTITY xxe SYSTEM "file://{outside / "secret.txt"}">]>\n'
            '<ODM><Study><MetaDataVersion><ItemGroupDef OID="IG.DM" Name="&xxe;"/></MetaDataVersion></Study></ODM>\n')


def _xxe_http(outside: Path) -> str:
    return ('<?xml version="1.0"?>\n<!DOCTYPE ODM SYSTEM "http://127.0.0.1:9/define.dtd" '
            '[<!ENTITY xxe SYSTEM "http://127.0.0.1:9/secret">]>\n<ODM><Study>&xxe;</Study></ODM>\n')


def _xml_laughs(outside: Path) -> str:
    ents = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    return f'<?xml version="1.0"?>\n<!DOCTYPE ODM [{ents}]>\n<ODM><Study>&l9;</Study></ODM>\n'


def _huge_attribute(outside: Path) -> str:
    from factory import define_xml

    x = define_xml(clean_study().tables)
    return x.replace('Name="test"', 'Name="' + "A" * (30 * 1024 ** 2) + '"', 1)


def _deep_xml(outside: Path) -> str:
    depth = 200_000
    return '<?xml version="1.0"?>\n<ODM>' + "<a>" * depth + "</a>" * depth + "</ODM>\n"


def _sparse_define(path: Path, outside: Path) -> None:
    _base(path)
    with open(path / "define.xml", "wb") as fh:
        fh.write(b"<?xml version='1.0'?><ODM>")
        fh.truncate(50 * 1024 ** 2 + 1)


# -- builders: documents -----------------------------------------------------------------------------------

def _secret(outside: Path) -> Path:
    outside.mkdir(parents=True, exist_ok=True)
    f = outside / "secret.txt"
    if not f.exists():
        f.write_text(CANARY + "\n")
    d = outside / "secretdir"
    d.mkdir(exist_ok=True)
    (d / "inner.pdf").write_text(CANARY + " inner\n")
    return f


def _doc_paths(*paths: str):
    def mutate(study: Study) -> None:
        for i, p in enumerate(paths):
            study.add_doc("DEVIATION_LOG", DOCID=f"X{i:02d}", PATH=p, SHA256="")
            study.skip_doc_files.add(p)                  # listed in the index, never written
    return lambda path, outside: (_secret(outside), _base(path, mutate))


def _doc_symlink_file(path: Path, outside: Path) -> None:
    secret = _secret(outside)

    def mutate(study: Study) -> None:
        study.add_doc("DEVIATION_LOG", DOCID="X00", PATH="leak.pdf", SHA256="")
        study.skip_doc_files.add("leak.pdf")
    _base(path, mutate)
    (path / "documents" / "leak.pdf").symlink_to(secret)
    (path / "documents" / "unindexed-link.pdf").symlink_to(secret)


def _doc_symlink_dir(path: Path, outside: Path) -> None:
    _secret(outside)

    def mutate(study: Study) -> None:
        study.add_doc("DEVIATION_LOG", DOCID="X00", PATH="linked/inner.pdf", SHA256="")
        study.skip_doc_files.add("linked/inner.pdf")
    _base(path, mutate)
    (path / "documents" / "linked").symlink_to(outside / "secretdir", target_is_directory=True)


def _documents_dir_symlink(path: Path, outside: Path) -> None:
    _secret(outside)
    _base(path)
    real = outside / "documents-elsewhere"
    if real.exists():
        shutil.rmtree(real)
    shutil.move(str(path / "documents"), str(real))
    (path / "documents").symlink_to(real, target_is_directory=True)


def _cmc_dir_symlink(path: Path, outside: Path) -> None:
    _secret(outside)
    _base(path)
    real = outside / "cmc-elsewhere"
    if real.exists():
        shutil.rmtree(real)
    shutil.move(str(path / "cmc"), str(real))
    (path / "cmc").symlink_to(real, target_is_directory=True)


def _tabulations_symlinks(path: Path, outside: Path) -> None:
    """tabulations/ae.csv links to a file outside; define.xml and submission.yaml are links too."""
    _secret(outside)
    _base(path)
    elsewhere = outside / "ae-elsewhere.csv"
    (path / "tabulations" / "ae.csv").rename(elsewhere)
    (path / "tabulations" / "ae.csv").symlink_to(elsewhere)
    (path / "define.xml").unlink()
    (path / "define.xml").symlink_to(outside / "secret.txt")
    elsewhere_manifest = outside / "manifest-elsewhere.yaml"
    elsewhere_manifest.write_text("submission_id: FROM-OUTSIDE\n")
    (path / "submission.yaml").unlink()
    (path / "submission.yaml").symlink_to(elsewhere_manifest)


def _doc_fifo(path: Path, outside: Path) -> None:
    _base(path)
    os.mkfifo(path / "documents" / "pipe.pdf")


def _doc_long_name(path: Path, outside: Path) -> None:
    def mutate(study: Study) -> None:
        study.add_doc("DEVIATION_LOG", DOCID="X00", PATH="a" * 300 + ".pdf", SHA256="")
        study.add_doc("DEVIATION_LOG", DOCID="X01", PATH="/".join(["deep"] * 2000) + "/x.pdf", SHA256="")
        study.skip_doc_files.update(d["PATH"] for d in study.docs[-2:])
    _base(path, mutate)


def _index_100k(path: Path, outside: Path) -> None:
    _base(path)
    lines = ["DOCID,DOCTYPE,TITLE,VERSION,DATE,SITEID,USUBJID,LOTID,PATH,SHA256"]
    index = (path / "documents" / "index.csv").read_text().splitlines()[1:]
    lines += index
    lines += [f"Z{i:06d},MONITORING_REPORT,Visit {i},1.0,2021-09-01,01,,,monitoring/visit_{i:06d}.pdf,"
              for i in range(100_000)]
    (path / "documents" / "index.csv").write_text("\n".join(lines) + "\n")


def _index_no_path(path: Path, outside: Path) -> None:
    _base(path)
    idx = pd.read_csv(path / "documents" / "index.csv", dtype=str)
    idx.drop(columns=["PATH"]).to_csv(path / "documents" / "index.csv", index=False)


def _cmc_no_lotid(path: Path, outside: Path) -> None:
    _base(path)
    b = pd.read_csv(path / "cmc" / "batches.csv", dtype=str)
    b.drop(columns=["LOTID"]).to_csv(path / "cmc" / "batches.csv", index=False)


# -- builders: names and unusable folders ----------------------------------------------------------------------

def _only_dataset(data: bytes, name: str = "dm.xpt"):
    def build(path: Path, outside: Path) -> None:
        (path / "tabulations").mkdir(parents=True)
        (path / "tabulations" / name).write_bytes(data)
        (path / "submission.yaml").write_text("submission_id: ONLY-CORRUPT\n")
    return build


def _empty_tabulations(path: Path, outside: Path) -> None:
    (path / "tabulations").mkdir(parents=True)
    (path / "submission.yaml").write_text("submission_id: NOTHING\n")


def _newline_folder(path: Path, outside: Path) -> Path:
    sub = path / "bad\nname"
    (sub / "tabulations").mkdir(parents=True)
    (sub / "tabulations" / "dm.xpt").write_bytes(b"not a transport file")
    return sub


def _named_dataset(fname: str, data: bytes | None = None):
    def build(path: Path, outside: Path) -> None:
        _base(path)
        (path / "tabulations" / fname).write_bytes(
            data if data is not None else clean_study().tables["IE"].to_csv(index=False).encode())
    return build


def _supp_qnam(qnam: str):
    def mutate(study: Study) -> None:
        study.tables["SUPPAE"].loc[0, "QNAM"] = qnam
    return lambda path, outside: _base(path, mutate)


def _two_files_one_domain(path: Path, outside: Path) -> None:
    _base(path)
    data = _dataset_bytes(clean_study().tables["AE"], "xpt", path.parent / f".{path.name}.t.xpt")
    (path / "tabulations" / "AE.xpt").write_bytes(data[: len(data) // 2])   # preferred format, and corrupt


# -- the corpus ----------------------------------------------------------------------------------------------

def cases() -> list[Case]:
    C = Case
    out: list[Case] = []
    # truncated / corrupt binary datasets (AE as XPT, LB as Parquet, CM as XLSX)
    for fmt, dom, magic in (("xpt", "AE", b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!"),
                            ("parquet", "LB", b"PAR1"), ("xlsx", "CM", b"PK\x03\x04")):
        f = f"tabulations/{dom.lower()}.{fmt}"
        rows = len(clean_study().tables[dom])
        for frac in (0.02, 0.5, 0.97):
            out.append(C(f"truncated-{fmt}-{int(frac * 100):02d}pct", f"truncated {fmt}", _truncated(dom, fmt, frac),
                         expect=[("TRC-007", f)] if frac <= 0.9 or fmt == "xpt" else [],
                         verify=_all_rows_or_trc7(f, rows)))
        out.append(C(f"garbage-{fmt}", f"corrupt {fmt}", _garbage(dom, fmt), expect=[("TRC-007", f)], cli=fmt == "xpt"))
        out.append(C(f"garbage-{fmt}-with-magic", f"corrupt {fmt}", _garbage(dom, fmt, magic), expect=[("TRC-007", f)]))
        out.append(C(f"bitflips-{fmt}", f"corrupt {fmt}", _bitflips(dom, fmt)))  # may or may not read: no crash
    out.append(C("xpt-v8-claims-10e9-obs", "huge size claim", _xpt_obs_claim, expect=[], cli=True))
    out.append(C("xpt-claims-9999-vars", "huge size claim", _xpt_var_claim, expect=[("TRC-007", "tabulations/ie.xpt")],
                 cli=True))
    out.append(C("parquet-footer-claims-2gb", "huge size claim", _parquet_footer_claim,
                 expect=[("TRC-007", "tabulations/lb.parquet")], cli=True))
    out.append(C("xlsx-no-worksheet", "corrupt xlsx", _xlsx_zip_variant("no-sheet"), expect=[("TRC-007", "cm.xlsx")]))
    out.append(C("xlsx-malformed-sheet-xml", "corrupt xlsx", _xlsx_zip_variant("half-sheet"),
                 expect=[("TRC-007", "cm.xlsx")]))
    out.append(C("xlsx-cell-at-XFD1048576", "huge size claim", _xlsx_far_cell, cli=True, timeout=60,
                 expect=[("TRC-007", "tabulations/cm.xlsx")]))
    out.append(C("two-files-one-domain-preferred-corrupt", "duplicate domain", _two_files_one_domain,
                 expect=[("TRC-007", "duplicate_domain"), ("TRC-007", "AE.xpt")]))

    # CSV
    csv = [("csv-mixed-encodings", _mixed_encoding, [("TRC-007", "encoding")]),  # (also through the CLI below)
           ("csv-stray-delimiters", _stray_delimiters, [("TRC-007", "malformed")]),
           ("csv-embedded-newlines", _embedded_newlines, []),
           ("csv-unterminated-quote", _unterminated_quote, [("TRC-007", "tabulations/ae.csv")]),
           ("csv-stray-quote-mid-file", _stray_quote, [("TRC-003|TRC-007", None)]),
           ("csv-nul-bytes", _nul_bytes, []),
           ("csv-utf16", _utf16, [("TRC-007", "tabulations/ae.csv")]),
           ("csv-undecodable-bytes", _undecodable, [("TRC-007", "tabulations/ae.csv")]),
           ("csv-only-bom-and-blanks", _only_bom, [("TRC-007", "tabulations/ae.csv"), ("SAF-001", None)]),
           ("csv-cr-line-endings", _cr_only, []),
           ("csv-semicolon-delimited", _semicolons, [("SAF-001", None)])]
    for name, fn, exp in csv:
        out.append(C(name, "csv", _csv_bytes(fn), expect=exp, cli=name == "csv-mixed-encodings",
                     ))
    out.append(C("csv-50mb-line", "huge size claim", _huge_line, cli=True, timeout=120))
    out.append(C("csv-5k-columns", "huge size claim", _huge_header, cli=True, timeout=90))
    out.append(C("csv-over-4gb-sparse", "huge size claim", _sparse_csv, cli=True, timeout=60,
                 expect=[("TRC-007", "tabulations/mh.csv")]))

    # empty files and zero-row datasets
    for dom, fmt in (("AE", "csv"), ("LB", "xpt"), ("CM", "parquet"), ("VS", "xlsx")):
        out.append(C(f"empty-{dom.lower()}-{fmt}", "empty file", _empty_file(dom, fmt),
                     expect=[("TRC-007", f"tabulations/{dom.lower()}.{fmt}")]))
    for dom, fmt, exp in (("DM", "csv", [("TRC-002", None)]), ("AE", "csv", []), ("EX", "csv", [("ADM-001", None)]),
                          ("AE", "xpt", []), ("LB", "parquet", [("SAF-008", None)]), ("CM", "xlsx", [])):
        out.append(C(f"zero-rows-{dom.lower()}-{fmt}", "zero rows", _header_only(dom, fmt), expect=exp))

    # missing key columns
    usubjid_expect = {"DM": "SCR-001", "EX": "ADM-001", "LB": "SAF-008", "SV": "FUP-001", "DS": "SCR-007",
                      "SUPPAE": "TRC-007"}
    for dom in DOMAINS_WITH_USUBJID:
        known = usubjid_expect.get(dom)
        out.append(C(f"no-usubjid-{dom.lower()}", "missing key column", _drop_columns(dom, ("USUBJID",)),
                     expect=[(known, None)] if known else [("TRC-002", f"{dom}.USUBJID")]))
    # without RFICDTC the consent date comes from DS (INFORMED CONSENT OBTAINED): nothing to report
    date_expect = {"DM": "SCR-004", "DM_CONSENT": None, "DS": None, "EX": "ADM-002", "AE": "SAF-001",
                   "CM": "CON-001", "LB": "SAF-008", "VS": None, "SV": "FUP-001", "QS": None}
    for key, cols in DATE_COLUMNS.items():
        dom = key.split("_")[0]
        exp = [(date_expect[key], None)] if date_expect[key] else []
        out.append(C(f"no-dates-{key.lower()}", "missing key column", _drop_columns(dom, cols), expect=exp))
    out.append(C("cmc-batches-no-lotid", "missing key column", _cmc_no_lotid,
                 expect=[("TRC-007", "cmc/batches.csv"), ("CMC-001", None)]))
    out.append(C("documents-index-no-path", "missing key column", _index_no_path,
                 expect=[("TRC-007", "documents/index.csv")]))

    # duplicate keys
    out.append(C("duplicate-usubjid-dm", "duplicate keys", lambda p, o: _base(p, _dup_dm),
                 expect=[("SCR-001", "SCX-001-0002")]))
    out.append(C("duplicate-aeseq-ae", "duplicate keys", lambda p, o: _base(p, _dup_aeseq),
                 verify=_verify_dup_aeseq))
    out.append(C("duplicate-lot-batches", "duplicate keys", lambda p, o: _base(p, _dup_lot)))

    # dates
    for value, exp in (("31/12/2021", [("TRC-003", "31/12/2021")]), ("2021-02-30", [("TRC-003", "2021-02-30")]),
                       ("2021-13", [("TRC-003", "2021-13")]), ("yesterday", [("TRC-003", "yesterday")]),
                       ("", [("SAF-001", None)]), ("２０２１-03-05", [("TRC-003", None)]),
                       ("0000-00-00", [("TRC-003", "0000-00-00")])):
        slug = value.replace("/", "-").replace(":", "") or "blank"
        out.append(C(f"date-aestdtc-{slug}", "bad date", _set_value("AE", "AESTDTC", value), expect=exp,
                     cli=value == "2021-02-30"))
    out.append(C("date-aestdtc-bad-time", "bad date", _set_value("AE", "AESTDTC", "2021-03-05T25:61"),
                 expect=[("TRC-003", "2021-03-05T25:61")]))
    out.append(C("date-exstdtc-yesterday", "bad date", _set_value("EX", "EXSTDTC", "yesterday"),
                 expect=[("TRC-003", "yesterday")]))
    out.append(C("date-rficdtc-2021-02-30", "bad date", _set_value("DM", "RFICDTC", "2021-02-30"),
                 expect=[("TRC-003", "2021-02-30")]))

    # numbers and units
    out.append(C("fullwidth-digits", "numbers as text", lambda p, o: _base(p, _fullwidth),
                 absent=[("ADM-002", "SCX-001-0001"), ("SCR-004", "SCX-001-0001")]))
    out.append(C("numbers-as-text", "numbers as text", lambda p, o: _base(p, _text_numbers)))
    out.append(C("extreme-numbers", "numbers as text", lambda p, o: _base(p, _extreme_numbers),
                 expect=[("ADM-002", None)]))
    out.append(C("dose-a-lot", "non-numeric dose", _set_value("EX", "EXDOSE", "a lot"), expect=[("ADM-002", "a lot")]))
    out.append(C("unit-mg", "bad unit", _set_value("EX", "EXDOSU", "mg"), expect=[("ADM-002", "mg")]))
    out.append(C("unit-10e6-vials", "bad unit", _set_value("EX", "EXDOSU", "10^6 vials"),
                 expect=[("ADM-002", "10^6 vials")]))

    # manifest
    out.append(C("manifest-wrong-types", "manifest", _manifest_mut(_wrong_types),
                 expect=[("MAN-002", "study.first_in_human"), ("MAN-002", "study.arms[0].dose")]))
    out.append(C("manifest-unknown-keys", "manifest", _manifest_mut(_unknown_keys),
                 expect=[("MAN-002", "favourite_colour"), ("MAN-002", "colour")]))
    out.append(C("manifest-python-object-tags", "manifest", _yaml_object_tags, expect=[("MAN-002", None)], cli=True))
    out.append(C("manifest-billion-laughs", "manifest", _manifest_text(_billion_laughs()), expect=[("MAN-002", "alias")]))
    out.append(C("manifest-not-a-mapping", "manifest", _manifest_text("- a\n- list\n"), expect=[("MAN-002", None)]))
    out.append(C("manifest-over-1mb", "manifest", _manifest_text("title: '" + "x" * 1_100_000 + "'\n"),
                 expect=[("MAN-002", None)]))
    out.append(C("manifest-binary", "manifest", _manifest_text(b"\xff\xfe\x00\x81\x00garbage"),
                 expect=[("MAN-002", None)]))
    out.append(C("manifest-extreme-numbers", "manifest", _manifest_mut(_extreme_manifest)))
    out.append(C("manifest-deeply-nested", "manifest",
                 _manifest_text("submission_id: DEEP\nstudy:\n  arms: " + "[" * 2000 + "]" * 2000 + "\n"),
                 expect=[("MAN-002", None)], cli=True))

    # define.xml
    out.append(C("define-xxe-file", "define.xml", _define(_xxe_file), expect=[("TRC-007", "define.xml")], cli=True))
    out.append(C("define-xxe-http", "define.xml", _define(_xxe_http), expect=[("TRC-007", "define.xml")]))
    out.append(C("define-entity-expansion", "define.xml", _define(_xml_laughs), expect=[("TRC-007", "define.xml")]))
    out.append(C("define-30mb-attribute", "define.xml", _define(_huge_attribute), cli=True, timeout=120))
    out.append(C("define-200k-deep", "define.xml", _define(_deep_xml), cli=True, timeout=120))
    out.append(C("define-over-50mb-sparse", "define.xml", _sparse_define, expect=[("TRC-007", "define.xml")]))
    out.append(C("define-binary", "define.xml", _define(lambda o: _rng("def").randbytes(3000)),
                 expect=[("TRC-007", "define.xml")]))

    # documents
    out.append(C("doc-path-dotdot", "document path", _doc_paths("../_outside/secret.txt", "a/../../../x.pdf", ".."),
                 expect=[("TRC-004", "X00"), ("TRC-004", "X01"), ("TRC-004", "X02")]))
    out.append(C("doc-path-absolute", "document path", _doc_paths("/etc/passwd", "//etc/passwd"),
                 expect=[("TRC-004", "X00"), ("TRC-004", "X01")]))
    out.append(C("doc-path-windows", "document path",
                 _doc_paths("C:\\Windows\\win.ini", "\\\\server\\share\\x.pdf", "..\\..\\x.pdf", "c:x.pdf"),
                 expect=[("TRC-004", "X00"), ("TRC-004", "X01"), ("TRC-004", "X02"), ("TRC-004", "X03")]))
    out.append(C("doc-path-nul", "document path", _doc_paths("ok\x00/../../etc/passwd"), expect=[("TRC-004", "X00")]))
    out.append(C("doc-symlink-file-outside", "document path", _doc_symlink_file, expect=[("TRC-004", "X00")],
                 cli=True))
    out.append(C("doc-symlinked-directory", "document path", _doc_symlink_dir, expect=[("TRC-004", "X00")]))
    out.append(C("documents-folder-is-symlink", "document path", _documents_dir_symlink, expect=[("TRC-001", None)]))
    out.append(C("cmc-folder-is-symlink", "document path", _cmc_dir_symlink,
                 expect=[("CMC-001", None), ("TRC-007", "PATH=cmc")],
                 verify=lambda doc: _assert(not [i["path"] for i in doc["inputs"] if i["path"].startswith("cmc/")],
                                            "files read through the cmc/ link")))
    out.append(C("dataset-define-manifest-symlinks", "document path", _tabulations_symlinks,
                 expect=[("TRC-007", "tabulations/ae.csv"), ("SAF-001", None), ("MAN-001", None)],
                 verify=lambda doc: _assert(doc["submission_id"] != "FROM-OUTSIDE", doc["submission_id"])))
    out.append(C("doc-fifo-unindexed", "document path", _doc_fifo, cli=True, timeout=15,
                 expect=[("TRC-004", "pipe.pdf"), ("TRC-007", "not a regular file")]))
    out.append(C("doc-path-too-long", "document path", _doc_long_name, expect=[("TRC-004", "X00")]))
    out.append(C("doc-index-100k-rows", "document path", _index_100k, cli=True, timeout=240,
                 expect=[("TRC-004", "Z099999")]))

    # submission ids and names
    for slug, value, exp in (("dotdot", "../../x", [("MAN-002", "submission_id")]),
                             ("slash", "a/b", [("MAN-002", "submission_id")]),
                             ("con", "CON", []),
                             ("nul", "a\x00b", [("MAN-002", "submission_id")]),
                             ("long", "x" * 5000, [("MAN-002", "submission_id")])):
        out.append(C(f"submission-id-{slug}", "submission id", _manifest_mut(_id_mut(value)), expect=exp,
                     verify=_verify_safe_id))
    out.append(C("supp-qnam-usubjid", "duplicate keys", _supp_qnam("USUBJID"), cli=True,
                 expect=[("TRC-007", "named after a key variable (USUBJID)")]))
    out.append(C("dataset-name-with-newline", "submission id", _named_dataset("ie\n.csv"),
                 expect=[("TRC-007", "unrecognised_name")], absent=[("TRC-005", "IE\n")],
                 verify=_verify_no_newline_domain))

    # nothing usable: exit 2, one line
    out.append(C("only-dataset-corrupt-xpt", "unusable", _only_dataset(b"HEADER RECORD" + _rng("x").randbytes(500)),
                 exit2=True, cli=True))
    out.append(C("only-dataset-empty-csv", "unusable", _only_dataset(b"", "dm.csv"), exit2=True))
    out.append(C("only-dataset-garbage-parquet", "unusable", _only_dataset(b"PAR1garbagePAR1", "ae.parquet"),
                 exit2=True))
    out.append(C("tabulations-empty", "unusable", _empty_tabulations, exit2=True))
    out.append(C("only-dataset-name-with-newline", "unusable", _only_dataset(b"junk", "dm\n.xpt"), exit2=True,
                 cli=True))
    out.append(C("folder-name-with-newline", "unusable", _newline_folder, exit2=True, cli=True))
    return out


def _all_rows_or_trc7(path: str, rows: int):
    """A truncated file is either reported (TRC-007) or was complete enough to give every row back."""
    def verify(doc: dict) -> None:
        reported = any(f["check_id"] == "TRC-007" and path in (f.get("record") or "") for f in doc["findings"])
        got = {i["path"]: i["rows"] for i in doc["inputs"]}.get(path)
        assert reported or got == rows, f"{path}: {got} of {rows} rows loaded and no TRC-007"
    return verify


def _assert(cond: bool, what) -> None:
    assert cond, what


def _verify_dup_aeseq(doc: dict) -> None:
    """Both records keyed AESEQ=1 of subject 0001 are kept (nothing deduplicated away)."""
    rows = {i["path"]: i["rows"] for i in doc["inputs"]}
    assert rows["tabulations/ae.csv"] == 4, rows


def _verify_safe_id(doc: dict) -> None:
    import re

    assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", doc["submission_id"]), doc["submission_id"]


def _verify_no_newline_domain(doc: dict) -> None:
    assert not any("\n" in (f.get("domain") or "") for f in doc["findings"])
    assert not any("\n" in d for d in doc["study"]["domains"]), doc["study"]["domains"]


def build_corpus(root: Path, only: set[str] | None = None) -> list[Case]:
    """Write every case (or those named in ``only``) under ``root``; returns them with ``path`` set."""
    root = Path(root)
    outside = root / OUTSIDE
    outside.mkdir(parents=True, exist_ok=True)
    _secret(outside)
    built = []
    for case in cases():
        if only is not None and case.name not in only:
            continue
        folder = root / case.name
        folder.mkdir(parents=True)
        result = case.build(folder, outside)
        case.path = result if isinstance(result, Path) and result != folder and result.parent == folder else folder
        for stray in folder.parent.glob(f".{folder.name}.*"):
            stray.unlink()
        built.append(case)
    return built


if __name__ == "__main__":  # python tests/robustness/corpus.py DIR: write the corpus for a look
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "robustness-corpus")
    for c in build_corpus(target):
        print(f"{c.kind:22s} {c.name}")
