"""Load a submission folder (submission-format.md). Read-only; never raises on a bad file."""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath

import pandas as pd

from .manifest import MAX_MANIFEST_BYTES, ManifestProblem, ProblemKind, parse_manifest
from .readers import (DATASET_EXTENSIONS, FORMAT_PREFERENCE, MAX_CSV_BYTES, ReadError, read_dataset,
                      sha256_file, tidy)
from .submission import InputFile, LoadIssue, LoadReason, Submission
from .text import norm_value, obj, per_distinct
from .textsafe import one_line

DOMAIN_RE = re.compile(r"[A-Z][A-Z0-9]{1,7}")   # used with fullmatch: '$' would accept a trailing newline
SUPP_COLUMNS = ("RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM", "QVAL")
BATCH_COLUMNS = ("LOTID", "PROCVER", "MFGDT", "SITE", "STATUS", "FAILREASON")
RELEASE_COLUMNS = ("LOTID", "ATTRIBUTE", "RESULT", "UNIT", "SPEC_LOW", "SPEC_HIGH", "SPEC_TEXT")
DOCUMENT_COLUMNS = ("DOCID", "DOCTYPE", "TITLE", "VERSION", "DATE", "SITEID", "USUBJID", "LOTID", "PATH", "SHA256")
MAX_DEFINE_BYTES = 50 * 1024 ** 2


class SubmissionError(Exception):
    """The input cannot be used at all (CLI exit code 2)."""


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _safe_id(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:64].strip(".") or "submission"
    return cleaned


class _Loader:
    def __init__(self, root: Path):
        self.root = root
        self.issues: list[LoadIssue] = []
        self.inputs: list[InputFile] = []
        self.seeds: dict[int, tuple[pd.DataFrame, dict]] = {}   # id(frame) -> (frame, column codes from tidy)

    def issue(self, path: str, reason: LoadReason | str, en: str, zh: str, domain: str | None = None):
        self.issues.append(LoadIssue(one_line(path), LoadReason(reason), en, zh, domain))

    # -- datasets ---------------------------------------------------------
    def dataset_candidates(self, folder: Path) -> dict[str, list[Path]]:
        found: dict[str, list[Path]] = {}
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            return found
        for p in entries:
            if p.suffix.lower() not in DATASET_EXTENSIONS:
                continue
            if p.is_symlink():
                self.issue(_rel(self.root, p), LoadReason.LINK, "dataset file is a symbolic link; not followed",
                           "数据集文件是符号链接，未读取")
                continue
            if not p.is_file():
                continue
            dom = p.stem.upper()
            if not DOMAIN_RE.fullmatch(dom):
                self.issue(_rel(self.root, p), LoadReason.UNRECOGNISED_NAME,
                           "file name is not an SDTM dataset name (1-8 letters and digits); not read",
                           "文件名不是 SDTM 数据集名称（1-8 个字母或数字），未读取")
                continue
            found.setdefault(dom, []).append(p)
        return found

    def read_table(self, path: Path, kind: str, domain: str | None = None) -> pd.DataFrame | None:
        rel = _rel(self.root, path)
        try:
            size = path.stat().st_size
            if size == 0:
                self.inputs.append(InputFile(rel, sha256_file(path), 0, None, kind, domain))
                self.issue(rel, LoadReason.EMPTY, "file is empty (0 bytes)", "文件为空（0 字节）", domain)
                return None
            if path.suffix.lower() == ".csv" and size > MAX_CSV_BYTES:   # refused before it is read into memory
                self.inputs.append(InputFile(rel, sha256_file(path), None, None, kind, domain))
                self.issue(rel, LoadReason.TOO_LARGE, f"file larger than {MAX_CSV_BYTES} bytes ({size} bytes); not read",
                           f"文件超过 {MAX_CSV_BYTES} 字节（{size} 字节），未读取", domain)
                return None
            data = path.read_bytes() if path.suffix.lower() == ".csv" else None
            digest = sha256_file(path) if data is None else __import__("hashlib").sha256(data).hexdigest()
        except OSError as exc:
            self.issue(rel, LoadReason.CORRUPT, f"file cannot be opened: {exc.strerror}", f"文件无法打开：{exc.strerror}",
                       domain)
            return None
        try:
            frame, encoding, warnings = read_dataset(path, data)
        except ReadError as exc:
            self.inputs.append(InputFile(rel, digest, None, None, kind, domain))
            self.issue(rel, exc.reason, exc.en, exc.zh, domain)
            return None
        seeds: dict = {}
        frame = tidy(frame, seeds)
        if seeds:
            self.seeds[id(frame)] = (frame, seeds)
        self.inputs.append(InputFile(rel, digest, len(frame), encoding, kind, domain))
        for w in warnings:
            self.issue(rel, w.reason, w.en, w.zh, domain)
        return frame

    def load_datasets(self, folder: Path) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame], dict[str, str]]:
        datasets: dict[str, pd.DataFrame] = {}
        supp: dict[str, pd.DataFrame] = {}
        files: dict[str, str] = {}
        for dom, paths in self.dataset_candidates(folder).items():
            paths = sorted(paths, key=lambda p: (FORMAT_PREFERENCE[p.suffix.lower()], p.name))
            chosen = paths[0]
            if len(paths) > 1:
                names = ", ".join(_rel(self.root, p) for p in paths)
                self.issue(_rel(self.root, chosen), LoadReason.DUPLICATE_DOMAIN,
                           f"domain {dom} is supplied by {len(paths)} files ({names}); {chosen.name} was used",
                           f"域 {dom} 由 {len(paths)} 个文件提供（{names}），已使用 {chosen.name}", dom)
                for other in paths[1:]:  # hash the others too: they are part of what was submitted
                    self.inputs.append(InputFile(_rel(self.root, other), sha256_file(other), None, None, "dataset", dom))
            frame = self.read_table(chosen, "dataset", dom)
            if frame is None:
                continue
            files[dom] = _rel(self.root, chosen)
            if dom.startswith("SUPP") and len(dom) > 4:
                supp[dom] = frame
            else:
                datasets[dom] = frame
        return datasets, supp, files

    # -- manifest ---------------------------------------------------------
    def load_manifest(self):
        path = self.root / "submission.yaml"
        if not path.is_file() or path.is_symlink():
            return None, [], False
        rel = "submission.yaml"
        try:
            size = path.stat().st_size
            if size > MAX_MANIFEST_BYTES:
                self.inputs.append(InputFile(rel, sha256_file(path), None, None, "manifest"))
                return None, [ManifestProblem("(file)", ProblemKind.UNREADABLE,
                                              f"submission.yaml is larger than {MAX_MANIFEST_BYTES} bytes; not read",
                                              f"submission.yaml 超过 {MAX_MANIFEST_BYTES} 字节，未读取")], True
            data = path.read_bytes()
        except OSError as exc:
            return None, [ManifestProblem("(file)", ProblemKind.UNREADABLE, f"submission.yaml cannot be opened: {exc}",
                                          f"submission.yaml 无法打开：{exc}")], True
        import hashlib

        self.inputs.append(InputFile(rel, hashlib.sha256(data).hexdigest(), None, None, "manifest"))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                return None, [ManifestProblem("(file)", ProblemKind.UNREADABLE,
                                              "submission.yaml is neither UTF-8 nor GB18030 text",
                                              "submission.yaml 既不是 UTF-8 也不是 GB18030 文本")], True
        manifest, problems = parse_manifest(text)
        return manifest, problems, True

    # -- define.xml ---------------------------------------------------------
    def load_define(self, path: Path) -> dict[str, set[str]] | None:
        if not path.is_file() or path.is_symlink():
            return None
        rel = _rel(self.root, path)
        try:
            size = path.stat().st_size
            self.inputs.append(InputFile(rel, sha256_file(path), None, None, "define"))
            if size > MAX_DEFINE_BYTES:
                self.issue(rel, LoadReason.TOO_LARGE, f"define.xml larger than {MAX_DEFINE_BYTES} bytes; not read",
                           f"define.xml 超过 {MAX_DEFINE_BYTES} 字节，未读取")
                return None
            from .define import parse_define

            return parse_define(path.read_bytes())
        except ReadError as exc:
            self.issue(rel, exc.reason, exc.en, exc.zh)
            return None
        except OSError as exc:
            self.issue(rel, LoadReason.CORRUPT, f"define.xml cannot be opened: {exc.strerror}",
                       f"define.xml 无法打开：{exc.strerror}")
            return None

    # -- CMC ---------------------------------------------------------------
    def load_cmc_table(self, name: str, required: tuple[str, ...]) -> pd.DataFrame | None:
        folder = self.root / "cmc"
        if folder.is_symlink():
            if name == "batches.csv":   # said once for the folder
                self.issue("cmc", LoadReason.LINK, "the cmc folder is a symbolic link; not followed",
                           "cmc 文件夹是符号链接，未读取")
            return None
        path = folder / name
        if path.is_symlink():
            self.issue(f"cmc/{name}", LoadReason.LINK, "file is a symbolic link; not followed", "文件是符号链接，未读取")
            return None
        if not path.is_file():
            return None
        frame = self.read_table(path, "cmc")
        if frame is None:
            return None
        missing = [c for c in required if c not in frame.columns]
        if missing:
            self.issue(f"cmc/{name}", LoadReason.MISSING_COLUMNS,
                       f"required column(s) missing: {', '.join(missing)}", f"缺少必需列：{', '.join(missing)}")
            if "LOTID" in missing:
                return None
            for c in missing:
                frame[c] = None
        return frame

    # -- documents -----------------------------------------------------------
    def load_documents(self) -> tuple[pd.DataFrame | None, list[str]]:
        docdir = self.root / "documents"
        if not docdir.is_dir() or docdir.is_symlink():
            return None, []
        index_path = docdir / "index.csv"
        frame = None
        if index_path.is_file() and not index_path.is_symlink():
            frame = self.read_table(index_path, "documents_index")
        real_docdir = docdir.resolve()
        present: dict[str, Path] = {}
        irregular: set[str] = set()
        for dirpath, dirnames, filenames in os.walk(docdir, followlinks=False):
            for fn in filenames:
                p = Path(dirpath) / fn
                rel_doc = p.relative_to(docdir).as_posix()
                if rel_doc == "index.csv":
                    continue
                try:
                    regular = stat.S_ISREG(p.lstat().st_mode)
                except OSError:
                    regular = False
                if not regular and not p.is_symlink():   # a pipe, socket or device is never opened
                    self.issue(f"documents/{rel_doc}", LoadReason.NOT_REGULAR,
                               "not a regular file (a pipe, socket or device); not opened",
                               "不是普通文件（管道、套接字或设备），未打开")
                    irregular.add(rel_doc)
                present[rel_doc] = p
        hashes: dict[str, str] = {}
        if frame is not None:
            if "PATH" not in frame.columns:
                self.issue("documents/index.csv", LoadReason.MISSING_COLUMNS, "required column PATH missing",
                           "缺少必需列 PATH")
                frame["PATH"] = None
            for c in DOCUMENT_COLUMNS:
                if c not in frame.columns:
                    frame[c] = None
            statuses, actual = [], []
            resolved: dict[str, tuple[str, str | None]] = {}   # one resolution per distinct PATH text
            for raw in frame["PATH"].tolist():
                key = raw if isinstance(raw, str) else None
                if key is None or key not in resolved:
                    result = self._resolve_document(raw, docdir, real_docdir, hashes)
                    if key is None:
                        statuses.append(result[0])
                        actual.append(result[1])
                        continue
                    resolved[key] = result
                status, digest = resolved[key]
                statuses.append(status)
                actual.append(digest)
            frame["PATH_STATUS"] = statuses
            frame["FILE_SHA256"] = actual
        indexed = set()
        if frame is not None:
            indexed = {_norm_doc_path(p) for p in set(frame["PATH"].dropna().tolist())}
        unindexed = []
        for rel_doc, p in sorted(present.items()):
            if p.is_symlink():
                continue
            if rel_doc in irregular:
                if rel_doc not in indexed:
                    unindexed.append(rel_doc)
                continue
            digest = hashes.get(rel_doc) or sha256_file(p)
            self.inputs.append(InputFile(f"documents/{rel_doc}", digest, None, None, "document"))
            if rel_doc not in indexed:
                unindexed.append(rel_doc)
        return frame, unindexed

    def _resolve_document(self, raw, docdir: Path, real_docdir: Path, hashes: dict[str, str]) -> tuple[str, str | None]:
        """Confine an index PATH to documents/: 'ok' | 'missing' | 'outside' | 'empty' (path never opened if outside)."""
        if raw is None or str(raw).strip() == "":
            return "empty", None
        text = str(raw).strip()
        if "\x00" in text or PurePosixPath(text).is_absolute() or PureWindowsPath(text).is_absolute() \
                or PureWindowsPath(text).drive or text.startswith("\\"):
            return "outside", None
        parts = re.split(r"[\\/]+", text)
        if any(part == ".." for part in parts):
            return "outside", None
        rel_doc = _norm_doc_path(text)
        candidate = docdir / rel_doc
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):
            return "outside", None
        if resolved != real_docdir and real_docdir not in resolved.parents:
            return "outside", None
        try:
            if not resolved.is_file():
                return "missing", None
        except OSError:   # e.g. a name longer than the file system allows
            return "missing", None
        if rel_doc not in hashes:
            try:
                hashes[rel_doc] = sha256_file(resolved)
            except OSError:
                return "missing", None
        return "ok", hashes[rel_doc]


def _norm_doc_path(text: str) -> str:
    parts = [p for p in re.split(r"[\\/]+", str(text).strip()) if p not in ("", ".")]
    return "/".join(parts)


def _merge_supp(datasets: dict[str, pd.DataFrame], supp: dict[str, pd.DataFrame], loader: _Loader) -> None:
    """Merge SUPP-- qualifiers onto parent records as columns named QNAM (parent values win on conflict)."""
    for name, sdf in supp.items():
        missing = [c for c in ("USUBJID", "QNAM", "QVAL") if c not in sdf.columns]
        if missing:
            loader.issue(loader_path(loader, name), LoadReason.MISSING_COLUMNS,
                         f"{name} lacks column(s) {', '.join(missing)}; not merged",
                         f"{name} 缺少列 {', '.join(missing)}，未合并", name)
            continue
        parent_name = name[4:]
        if "RDOMAIN" in sdf.columns and sdf["RDOMAIN"].notna().any():
            parent_name = str(sdf["RDOMAIN"].dropna().iloc[0]).upper()
        parent = datasets.get(parent_name)
        if parent is None or "USUBJID" not in parent.columns:
            continue
        s = sdf.copy()
        for c in ("IDVAR", "IDVARVAL"):
            if c not in s.columns:
                s[c] = None
        # a blank IDVAR (subject-level qualifiers, e.g. SUPPDM SAFETY / ITT) merges on USUBJID alone
        s["IDVAR"] = obj(per_distinct(s["IDVAR"], lambda v: norm_value(v) or "", ""), s.index)
        s["IDVARVAL"] = obj(per_distinct(s["IDVARVAL"], _key_text, ""), s.index)
        s["QNAM"] = obj(per_distinct(s["QNAM"], norm_value), s.index)
        s = s[s["QNAM"].notna()]
        reserved = s["QNAM"].isin(["USUBJID", "STUDYID", "DOMAIN", "IDVAR", "IDVARVAL"]) | s["QNAM"].str.startswith("_")
        if reserved.any():   # a qualifier may not overwrite the keys the merge is made on
            names = ", ".join(sorted(one_line(q) for q in set(s.loc[reserved, "QNAM"])))
            loader.issue(loader_path(loader, name), LoadReason.CORRUPT,
                         f"{name}: {int(reserved.sum())} qualifier(s) named after a key variable ({names}); not merged",
                         f"{name}：{int(reserved.sum())} 个补充限定符以关键变量命名（{names}），未合并", name)
            s = s[~reserved]
        merged = parent
        for idvar, group in s.groupby("IDVAR", sort=True):
            keys = ["USUBJID"] + (["__IDVAL"] if idvar else [])
            wide = group.assign(__IDVAL=group["IDVARVAL"]).pivot_table(
                index=keys, columns="QNAM", values="QVAL", aggfunc="first")
            wide.columns = [str(c) for c in wide.columns]
            wide = wide.reset_index()
            if idvar:
                if idvar not in merged.columns:
                    loader.issue(loader_path(loader, name), LoadReason.MISSING_COLUMNS,
                                 f"{name}: IDVAR {idvar} is not a column of {parent_name}; those qualifiers not merged",
                                 f"{name}：IDVAR {idvar} 不是 {parent_name} 的列，相应补充限定符未合并", name)
                    continue
                merged = merged.assign(__IDVAL=merged[idvar].map(_key_text))
            new_cols = [c for c in wide.columns if c not in keys]
            clash = [c for c in new_cols if c in merged.columns]
            wide = wide.rename(columns={c: f"{c}__SUPP" for c in clash})
            merged = merged.merge(wide, on=keys, how="left")
            for c in clash:
                merged[c] = merged[c].where(merged[c].notna(), merged[f"{c}__SUPP"])
                merged = merged.drop(columns=f"{c}__SUPP")
            if "__IDVAL" in merged.columns:
                merged = merged.drop(columns="__IDVAL")
        datasets[parent_name] = merged.astype({c: "object" for c in merged.columns
                                               if c not in parent.columns})


def loader_path(loader: _Loader, name: str) -> str:
    for f in loader.inputs:
        if f.domain == name:
            return f.path
    return name


def _key_text(v) -> str:
    """IDVARVAL / --SEQ as comparable text: 3, 3.0 and ' 3' are the same key."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    text = str(v).strip()
    try:
        f = float(text)
        if f.is_integer():
            return str(int(f))
    except ValueError:
        pass
    return text


def load_submission(path: str | os.PathLike) -> Submission:
    """Load one submission folder (or a bare folder of SDTM datasets).

    Raises :class:`SubmissionError` only when nothing is usable (path missing, not a
    folder, no readable dataset); every other problem is recorded in
    ``Submission.load_issues`` / ``manifest_problems``.
    """
    root = Path(path)
    if not root.exists():
        raise SubmissionError(f"{root}: no such folder")
    if not root.is_dir():
        raise SubmissionError(f"{root}: not a folder")
    root = root.resolve()
    loader = _Loader(root)
    manifest, problems, manifest_file = loader.load_manifest()
    tab = root / "tabulations"
    bare = not manifest_file and not tab.is_dir()
    folder = tab if tab.is_dir() and not tab.is_symlink() else root
    datasets, supp, files = loader.load_datasets(folder)
    if not datasets and not supp:
        reasons = "; ".join(f"{i.path}: {i.detail_en}" for i in loader.issues[:3])
        where = folder.relative_to(root).as_posix() if folder != root else "the folder"
        raise SubmissionError(f"{root}: no readable dataset in {where}" + (f" ({reasons})" if reasons else ""))
    _merge_supp(datasets, supp, loader)
    define = loader.load_define(root / "define.xml")
    batches = loader.load_cmc_table("batches.csv", ("LOTID", "STATUS"))
    release = loader.load_cmc_table("release_tests.csv", ("LOTID", "ATTRIBUTE", "RESULT"))
    documents, unindexed = loader.load_documents()
    sub_id = manifest.submission_id if manifest is not None and manifest.submission_id else _safe_id(root.name)
    sub = Submission(root=root, submission_id=sub_id, manifest=manifest if manifest_file else None,
                      manifest_problems=problems, bare=bare, datasets=datasets, supp=supp, dataset_files=files,
                      batches=batches, release_tests=release, documents=documents,
                      unindexed_documents=unindexed, define=define, inputs=loader.inputs,
                      load_issues=loader.issues)
    _seed_codes(sub, loader)
    return sub


def _seed_codes(sub: Submission, loader: _Loader) -> None:
    """Hand the column factorisations done while tidying to :func:`workbench.columns.coded` (same values as
    factorising again), for the datasets that are still the frames tidy returned (not SUPP-merged)."""
    from .columns import seed

    for dom, frame in sub.datasets.items():
        seeded = loader.seeds.get(id(frame))
        if seeded is None or seeded[0] is not frame:
            continue
        for var, (codes, uniques) in seeded[1].items():
            if var in frame.columns:
                seed(sub, dom, var, codes, uniques)
    loader.seeds.clear()
