"""The loaded submission: datasets, manifest, CMC, documents, and what could not be loaded."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from pathlib import Path

import pandas as pd

from .manifest import Manifest, ManifestProblem


class LoadReason(str, Enum):
    """Stable reasons a file could not be (fully) used."""

    CORRUPT = "corrupt"                    # the reader failed on the file
    EMPTY = "empty"                        # zero bytes
    ENCODING = "unknown_encoding"          # CSV neither UTF-8 nor GB18030
    DUPLICATE_DOMAIN = "duplicate_domain"  # two files for one domain
    MISSING_COLUMNS = "missing_columns"    # a table lacks columns the format requires
    UNSAFE_XML = "unsafe_xml"              # define.xml with DTD/entities/external references
    TOO_LARGE = "too_large"                # exceeds a safety limit
    PATH_OUTSIDE = "path_outside"          # documents index path leaves documents/
    LINK = "symlink"                       # a file that is a link is never followed
    UNRECOGNISED_NAME = "unrecognised_name"  # a dataset file whose name is not an SDTM dataset name
    NOT_REGULAR = "not_regular_file"       # a pipe, socket or device where a file was expected


@dataclass(frozen=True)
class LoadIssue:
    """A problem met while loading one file; checks turn these into findings (TRC-007, MAN-*)."""

    path: str
    reason: LoadReason
    detail_en: str
    detail_zh: str
    domain: str | None = None


@dataclass(frozen=True)
class InputFile:
    """One file read as input, with its SHA-256 (review.json `inputs`)."""

    path: str                 # relative to the submission root, POSIX separators
    sha256: str
    rows: int | None = None
    encoding: str | None = None
    kind: str = "dataset"     # dataset | adam_dataset | manifest | define | cmc | documents_index | document
    #                           | reviewer_guide | program | other (files of a data package, hashed, never run)
    domain: str | None = None

    def to_dict(self) -> dict:
        return {"path": self.path, "sha256": self.sha256, "rows": self.rows, "encoding": self.encoding}


PACKAGE_FILE_KINDS = ("define", "reviewer_guide", "program", "other")


@dataclass
class Submission:
    """Everything read from one submission folder. Built by :func:`workbench.load_submission`.

    ``datasets`` maps upper-case SDTM domain names to DataFrames with upper-case
    columns; supplemental qualifiers are already merged onto parent records as
    columns named by QNAM (raw SUPP-- tables stay in ``supp``). Text cells are
    stripped strings with empty cells as missing; nothing is type-converted beyond
    what the file format stores (use :mod:`workbench.units` and :mod:`workbench.dates`).
    """

    root: Path
    submission_id: str
    manifest: Manifest | None
    manifest_problems: list[ManifestProblem] = field(default_factory=list)
    bare: bool = False
    datasets: dict[str, pd.DataFrame] = field(default_factory=dict)
    supp: dict[str, pd.DataFrame] = field(default_factory=dict)
    dataset_files: dict[str, str] = field(default_factory=dict)   # domain -> relative path
    batches: pd.DataFrame | None = None
    release_tests: pd.DataFrame | None = None
    documents: pd.DataFrame | None = None   # index.csv + PATH_STATUS, FILE_SHA256 columns
    unindexed_documents: list[str] = field(default_factory=list)  # files in documents/ not in the index
    define: dict[str, set[str]] | None = None  # dataset name -> variable names, from define.xml
    inputs: list[InputFile] = field(default_factory=list)
    load_issues: list[LoadIssue] = field(default_factory=list)
    rules: object | None = None   # workbench.rules.Rules in force (None: the shipped rules); see use_rules()
    overlay: object | None = None  # workbench.overlay.Overlay: reviewer-supplied facts; see use_overlay()
    # a CDE/eCTD data package (docs/package.md): the analysis datasets (ADaM, upper-case names, read like SDTM,
    # never merged into ``datasets``), their files, their define.xml, and what the package holds
    adam: dict[str, pd.DataFrame] = field(default_factory=dict)
    adam_files: dict[str, str] = field(default_factory=dict)       # ADaM dataset -> relative path
    adam_define: dict[str, set[str]] | None = None
    package: object | None = None   # workbench.loader.package.DataPackage; None for the other layouts

    def use_rules(self, rules) -> None:
        """Read this submission under ``rules`` (a :class:`workbench.rules.Rules`); derivations made under other
        rules are forgotten."""
        if rules is not self.rules:
            from .memo import clear

            clear(self)
            self.rules = rules

    def use_overlay(self, overlay) -> None:
        """Read this submission with the reviewer's overlay (a :class:`workbench.overlay.Overlay`, or None)."""
        if overlay is not None and not overlay:
            overlay = None
        if overlay != self.overlay:
            from .memo import clear

            clear(self)
            self.__dict__.pop("_effective_manifest", None)
            self.overlay = overlay

    @property
    def rules_in_force(self):
        """The rules this submission is read under (the shipped rules when none were set)."""
        if self.rules is None:
            from .rules import default_rules

            self.rules = default_rules()
        return self.rules

    @property
    def vocab(self):
        """The vocabularies of the rules in force (:class:`workbench.study.vocab.Vocabularies`)."""
        return self.rules_in_force.vocab

    @property
    def study(self):
        """The study model (:class:`workbench.study.StudyModel`), built once."""
        from .study import study_model

        return study_model(self)

    @property
    def manifest_present(self) -> bool:
        return self.manifest is not None

    @property
    def m(self) -> Manifest:
        """The manifest with the reviewer's overlay applied, or an all-defaults one when none was supplied (never
        None). ``manifest`` stays what the sponsor submitted."""
        cached = self.__dict__.get("_effective_manifest")
        if cached is None:
            if self.overlay:
                cached = self.overlay.apply(self.manifest)
            else:
                cached = self.manifest if self.manifest is not None else Manifest()
            self.__dict__["_effective_manifest"] = cached
        return cached

    def domain(self, name: str) -> pd.DataFrame | None:
        """The dataset for a domain (case-insensitive), or None when absent."""
        return self.datasets.get(name.upper())

    def has(self, name: str) -> bool:
        return name.upper() in self.datasets

    @cached_property
    def input_sha256(self) -> str:
        """SHA-256 over ``path\\tsha256\\n`` of every input, in path order (review.json `input_sha256`)."""
        h = hashlib.sha256()
        for f in sorted(self.inputs, key=lambda f: f.path):
            h.update(f"{f.path}\t{f.sha256}\n".encode())
        return h.hexdigest()

    def inventory(self) -> pd.DataFrame:
        """One row per loaded dataset: rows, subjects, source file, its SHA-256 and encoding, its standard (SDTM,
        or ADaM for the analysis datasets of a data package) and kind; a data package adds one row per define.xml,
        reviewer guide, program and other file (kind says which)."""
        by_path = {f.path: f for f in self.inputs}
        rows = []
        for dom in sorted(self.datasets):
            df = self.datasets[dom]
            path = self.dataset_files.get(dom, "")
            f = by_path.get(path)
            subjects = int(df["USUBJID"].nunique()) if "USUBJID" in df.columns else None
            rows.append({"domain": dom, "rows": len(df), "subjects": subjects, "file": path,
                         "sha256": f.sha256 if f else None, "encoding": f.encoding if f else None})
        for dom in sorted(self.supp):
            path = self.dataset_files.get(dom, "")
            f = by_path.get(path)
            df = self.supp[dom]
            rows.append({"domain": dom, "rows": len(df),
                         "subjects": int(df["USUBJID"].nunique()) if "USUBJID" in df.columns else None,
                         "file": path, "sha256": f.sha256 if f else None, "encoding": f.encoding if f else None})
        for dom in sorted(self.adam):
            path = self.adam_files.get(dom, "")
            f = by_path.get(path)
            df = self.adam[dom]
            rows.append({"domain": dom, "rows": len(df),
                         "subjects": int(df["USUBJID"].nunique()) if "USUBJID" in df.columns else None,
                         "file": path, "sha256": f.sha256 if f else None, "encoding": f.encoding if f else None,
                         "standard": "ADaM"})
        for r in rows:
            r.setdefault("standard", "SDTM")
            r["kind"] = "dataset"
        if self.package is not None:   # a data package's define.xml, reviewer guides and programs (hashed, never run)
            for f in sorted(self.inputs, key=lambda f: f.path):
                if f.kind in PACKAGE_FILE_KINDS:
                    part = "ADaM" if f.path.startswith("analysis/") else "SDTM" if f.path.startswith("tabulations/") \
                        else None
                    rows.append({"domain": None, "rows": None, "subjects": None, "file": f.path, "sha256": f.sha256,
                                 "encoding": None, "standard": part, "kind": f.kind})
        return pd.DataFrame(rows, columns=["domain", "rows", "subjects", "file", "sha256", "encoding", "standard",
                                           "kind"])
