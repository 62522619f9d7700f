"""Readers for the five dataset formats and for CSV encodings. Each returns a DataFrame or raises ReadError."""
from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

DATASET_EXTENSIONS = (".xpt", ".sas7bdat", ".parquet", ".csv", ".xlsx")
# when two files name one domain, the one used (and reported as ambiguous) follows this order
FORMAT_PREFERENCE = {ext: i for i, ext in enumerate(DATASET_EXTENSIONS)}

MAX_CSV_BYTES = 4 * 1024 ** 3
MAX_XLSX_CELLS = 50_000_000   # rows x columns of a worksheet's used range (a 5 KB file can claim 17 billion)
XPT_RECORD = 80               # a SAS transport file is a whole number of 80-byte records


class ReadWarning(NamedTuple):
    """A file was read, but not cleanly: ``reason`` is a LoadReason value, messages in both languages."""

    reason: str
    en: str
    zh: str


class ReadError(Exception):
    """A file could not be read; ``reason`` is a LoadReason value, messages in both languages."""

    def __init__(self, reason: str, en: str, zh: str):
        super().__init__(en)
        self.reason, self.en, self.zh = reason, en, zh


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _cjk_share(text: str) -> float:
    """Share of non-ASCII characters that are CJK ideographs, CJK punctuation or full-width forms."""
    non_ascii = [c for c in text if ord(c) > 0x7F]
    if not non_ascii:
        return 1.0
    cjk = sum(1 for c in non_ascii if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f"
              or "\uff00" <= c <= "\uffef" or "\u3400" <= c <= "\u4dbf")
    return cjk / len(non_ascii)


def _looks_gb18030(data: bytes) -> bool:
    """Bytes that also decode as GB18030 into mostly Chinese text (short GB text can be valid UTF-8)."""
    try:
        return _cjk_share(data.decode("gb18030")) >= 0.9
    except UnicodeDecodeError:
        return False


def _decode_line(line: bytes) -> tuple[str | None, str]:
    """('ascii' | 'utf-8' | 'gb18030' | None, text) for one line."""
    if max(line, default=0) <= 0x7F:
        return "ascii", line.decode("ascii")
    try:
        text = line.decode("utf-8")
        if _cjk_share(text) >= 0.5 or not _looks_gb18030(line):
            return "utf-8", text
    except UnicodeDecodeError:
        pass
    try:
        return "gb18030", line.decode("gb18030")
    except UnicodeDecodeError:
        return None, ""


def decode_text(data: bytes) -> tuple[str, str, str | None]:
    """Decode CSV bytes: UTF-8 (BOM or not) else GB18030.

    Returns (text, encoding, warning). Mixed files (some lines UTF-8, others
    GB18030) are decoded line by line and reported with a warning.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig", None
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-8")
        if _cjk_share(text) >= 0.5 or not _looks_gb18030(data):
            return text, "utf-8", None
        return data.decode("gb18030"), "gb18030", None
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    decoded: list[str] = []
    kinds: set[str] = set()
    for i, line in enumerate(lines, start=1):
        kind, text = _decode_line(line)
        if kind is None:
            raise ReadError("unknown_encoding", f"line {i} is neither UTF-8 nor GB18030",
                            f"第 {i} 行既不是 UTF-8 也不是 GB18030 编码")
        kinds.add(kind)
        decoded.append(text)
    if "utf-8" in kinds and "gb18030" in kinds:
        return "\n".join(decoded), "mixed", "lines in both UTF-8 and GB18030 encodings (decoded line by line)"
    try:
        return data.decode("gb18030"), "gb18030", None
    except UnicodeDecodeError as exc:
        raise ReadError("unknown_encoding",
                        f"neither UTF-8 nor GB18030 (undecodable byte at offset {exc.start})",
                        f"既不是 UTF-8 也不是 GB18030 编码（第 {exc.start} 字节无法解码）") from None


def read_csv_bytes(data: bytes) -> tuple[pd.DataFrame, str, list[str]]:
    """Parse CSV bytes as text columns. Returns (frame, encoding, warnings). Malformed lines are skipped and named."""
    if len(data) > MAX_CSV_BYTES:
        raise ReadError("too_large", f"file larger than {MAX_CSV_BYTES} bytes", f"文件超过 {MAX_CSV_BYTES} 字节")
    text, encoding, warning = decode_text(data)
    warnings = [ReadWarning("unknown_encoding", warning, "文件混用 UTF-8 与 GB18030 编码（已逐行解码）")] if warning else []
    if not text.strip():
        raise ReadError("empty", "file has no header row", "文件没有表头行")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""],
                            skipinitialspace=False)
    except pd.errors.ParserError:
        bad: list[int] = []

        def _skip(line: list[str]):
            bad.append(len(bad))
            return None

        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""],
                                engine="python", on_bad_lines=_skip)
        except (pd.errors.ParserError, csv.Error, ValueError) as exc:
            raise ReadError("corrupt", f"CSV cannot be parsed: {str(exc).splitlines()[0]}",
                            f"CSV 无法解析：{str(exc).splitlines()[0]}") from None
        warnings.append(ReadWarning("corrupt", f"{len(bad)} malformed line(s) with the wrong number of fields skipped",
                                    f"{len(bad)} 行字段数不符，已跳过"))
    except (csv.Error, ValueError) as exc:
        raise ReadError("corrupt", f"CSV cannot be parsed: {str(exc).splitlines()[0]}",
                        f"CSV 无法解析：{str(exc).splitlines()[0]}") from None
    return frame, encoding, warnings


def read_dataset(path: Path, data: bytes | None = None) -> tuple[pd.DataFrame, str | None, list[str]]:
    """Read one dataset file of any supported format. Returns (frame, encoding, warnings)."""
    ext = path.suffix.lower()
    try:
        if ext == ".csv":
            return read_csv_bytes(data if data is not None else path.read_bytes())
        if ext == ".xpt":
            import pyreadstat

            frame, encoding = _read_sas(pyreadstat.read_xport, path)
            return frame, encoding, _xpt_truncation(path, len(frame))
        if ext == ".sas7bdat":
            import pyreadstat

            frame, encoding = _read_sas(pyreadstat.read_sas7bdat, path)
            return frame, encoding, []
        if ext == ".parquet":
            return pd.read_parquet(path), None, []
        if ext == ".xlsx":
            _xlsx_size_guard(path)
            return pd.read_excel(path, dtype=str, engine="openpyxl"), None, []
    except ReadError:
        raise
    except MemoryError:
        raise ReadError("too_large", "file too large to read", "文件过大，无法读取") from None
    except Exception as exc:  # noqa: BLE001 - any reader failure is a finding, never a crash
        msg = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise ReadError("corrupt", f"{ext[1:].upper()} file cannot be read ({type(exc).__name__}: {msg})",
                        f"{ext[1:].upper()} 文件无法读取（{type(exc).__name__}：{msg}）") from None
    raise ReadError("corrupt", f"unsupported format {ext}", f"不支持的格式 {ext}")


SAS_FALLBACKS = ("gb18030", "windows-1252", "latin-1")   # tried in this order when a value is not UTF-8


def _read_sas(reader, path: Path) -> tuple[pd.DataFrame, str | None]:
    """A SAS file read as UTF-8 (None: no fallback needed); when a value is not UTF-8, read again byte for byte
    and decode each text value as UTF-8 if it is, else with the one fallback that reads the file's other bytes:
    GB18030 when they are Chinese text, else Windows-1252, else Latin-1 (returned as the file's encoding)."""
    try:
        frame, _ = reader(str(path))
        return frame, None
    except UnicodeDecodeError:
        pass
    frame, _ = reader(str(path), encoding="LATIN1")   # every byte read as one character: nothing lost
    text_cols = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype)]
    raw_values: dict[str, bytes] = {}
    for c in text_cols:
        for v in pd.unique(frame[c].dropna()):
            if isinstance(v, str) and not v.isascii() and v not in raw_values:
                raw_values[v] = v.encode("latin-1")
    foreign = [b for b in raw_values.values() if not _is_utf8(b)]
    blob = b"\n".join(foreign)
    fallback = next(e for e in SAS_FALLBACKS if _reads_as(blob, e))
    decoded = {v: (b.decode("utf-8") if _is_utf8(b) else b.decode(fallback, errors="replace"))
               for v, b in raw_values.items()}
    for c in text_cols:
        if frame[c].isin(list(decoded)).any():
            frame[c] = frame[c].map(lambda v: decoded.get(v, v) if isinstance(v, str) else v)
    utf8_too = any(_is_utf8(b) for b in raw_values.values())
    return frame, (f"utf-8+{fallback}" if utf8_too else fallback)


def _is_utf8(b: bytes) -> bool:
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _gb2312_pairs(blob: bytes) -> bool:
    """Are the non-ASCII bytes (almost all) GB2312 character pairs (lead 0xA1-0xF7, trail 0xA1-0xFE)?

    Chinese text in GBK/GB18030 is mostly such pairs; Windows-1252 text has lone high bytes between ASCII
    letters ('Alzheimer\x92s'), which GB18030 would also decode, into nonsense."""
    good = bad = i = 0
    n = len(blob)
    while i < n:
        b = blob[i]
        if b < 0x80:
            i += 1
        elif i + 1 < n and 0xA1 <= b <= 0xF7 and 0xA1 <= blob[i + 1] <= 0xFE:
            good, i = good + 1, i + 2
        else:
            bad, i = bad + 1, i + 1
    return good > 0 and good >= 9 * bad


def _reads_as(blob: bytes, encoding: str) -> bool:
    if encoding == "gb18030":
        return _gb2312_pairs(blob) and _looks_gb18030(blob)
    try:
        blob.decode(encoding)
        return True
    except UnicodeDecodeError:
        return False


def _xpt_truncation(path: Path, rows: int) -> list[ReadWarning]:
    """A transport file cut short: pyreadstat reads what is there without complaint, so say so."""
    size = path.stat().st_size
    if size % XPT_RECORD == 0:
        return []
    return [ReadWarning("corrupt", f"file is truncated ({size} bytes, not a whole number of {XPT_RECORD}-byte records): "
                                   f"{rows} record(s) read, the last record(s) may be missing",
                        f"文件不完整（{size} 字节，不是 {XPT_RECORD} 字节记录的整数倍）：读取 {rows} 条记录，末尾记录可能缺失")]


def _xlsx_size_guard(path: Path) -> None:
    """Refuse a worksheet whose used range is absurdly large before pandas materialises it cell by cell.

    The range the sheet declares is checked first (instant); then the cells it really has, in a streaming pass
    that keeps nothing (a sheet may declare nothing, or lie)."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    def refuse(rows: int, cols: int):
        where = f"{get_column_letter(min(max(cols, 1), 16384))}{rows}"
        return ReadError("too_large", f"worksheet reaches cell {where} ({rows} rows x {cols} columns, over "
                                      f"{MAX_XLSX_CELLS:,} cells); not read",
                         f"工作表延伸至单元格 {where}（{rows} 行 × {cols} 列，超过 {MAX_XLSX_CELLS:,} 个单元格），未读取")

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        rows, cols = ws.max_row or 0, ws.max_column or 0
        if rows * cols > MAX_XLSX_CELLS:
            raise refuse(rows, cols)
        ws.reset_dimensions()
        last_row = width = 0
        for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
            used = len(row)
            while used and row[used - 1] is None:
                used -= 1
            if used:
                last_row, width = i, max(width, used)
                if last_row * width > MAX_XLSX_CELLS:
                    raise refuse(last_row, width)
    finally:
        wb.close()


SEED_ALL_ROWS = 250_000   # tables up to this size keep every text column's codes; larger ones only the keys


def seed_column(name: str, rows: int = 0) -> bool:
    """Columns whose factorisation :func:`tidy` hands on to :func:`workbench.derive.coded`: every text column of
    a table up to SEED_ALL_ROWS rows, else the ones most checks read (subject, dates, baseline flag, test code)."""
    return rows <= SEED_ALL_ROWS or name in ("USUBJID", "VISIT") or name.endswith(("DTC", "BLFL", "TESTCD"))


def tidy(frame: pd.DataFrame, codes: dict | None = None) -> pd.DataFrame:
    """Upper-case column names (first of duplicates kept); strip text cells; empty text -> missing.

    Text columns come back as object arrays of ``str`` (None where missing); every other column is kept
    as read. Text is stripped once per distinct value (a 1.3M-row LB column holds a few thousand), and
    equal cells share one string object. When ``codes`` is a dict, it receives ``name -> (codes, uniques)``
    of the tidied text columns named by :func:`seed_column` (as ``pd.factorize`` of the tidied column gives).
    """
    names = [str(c).strip().upper() for c in frame.columns]
    seen: set[str] = set()
    data: dict[str, object] = {}
    for i, name in enumerate(names):
        if name in seen:
            continue
        seen.add(name)
        s = frame.iloc[:, i]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            data[name] = pd.Series(_tidy_text(s, codes, name), index=frame.index, dtype=object, copy=False)
        else:
            data[name] = s
    return pd.DataFrame(data, index=frame.index, columns=list(data), copy=False)


def _tidy_text(s: pd.Series, seeds: dict | None = None, name: str = "") -> np.ndarray:
    """One text column as an object array: stripped ``str`` cells, None for missing or blank text."""
    if s.dtype != object or pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        mapped = [v.strip() or None for v in uniques.tolist()]
        if seeds is not None and seed_column(name, len(s)):
            # stripping can merge distinct raw values: re-factorise the (few) tidied values and map the codes
            c2, u2 = pd.factorize(np.asarray(mapped, dtype=object), use_na_sentinel=True)
            seeds[name] = (np.append(c2, -1).astype(np.int32)[codes], np.asarray(u2, dtype=object))
        mapped.append(None)    # code -1 (missing) picks the trailing None
        return np.asarray(mapped, dtype=object)[codes]
    # mixed cells (numbers in an object column, or dates: a SAS numeric with a DATE9. format reads as
    # datetime.date) keep their value; only text is stripped; missing (None, NaN, NaT) and blank text -> None
    return np.asarray([_tidy_cell(v) for v in s.to_numpy(dtype=object)], dtype=object)


def _tidy_cell(v):
    if isinstance(v, str):
        return v.strip() or None
    if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    return v
