"""Subject links (issue 15): a subject id in a listing or result table is a link to its profile in this view, an id
that is not a subject of DM is left as text, a click in the page opens the profile in the kernel, and report.html
(no link function) keeps plain ids."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from widgets.app import ReviewApp
from widgets.links import SubjectLinks
from workbench.filters import ViewFilter
from workbench.review import run_review
from workbench.sections import section_blocks
from workbench.tables.html import frame_html, subject_html, table_html
from workbench.viewstate import ViewState

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
LINK = re.compile(r"<a class='wb-subject-link' data-usubjid='([^']+)' href='([^']+)'>")


@pytest.fixture(scope="module")
def koa():
    return run_review(SAMPLES / "rct-ucmsc-koa")


def _sae(review):
    return next(b.std_table for b in section_blocks(review, "safety", "en")
                if b.kind == "std" and b.std_table.id == "sae_listing")


def test_sae_listing_ids_link_to_profiles_in_the_current_view(koa):
    app = ReviewApp(koa, None, "tester", "en", state=ViewState(submission="rct-ucmsc-koa", tab="safety",
                                                                 filter=ViewFilter(sexes=("F",))))
    html = table_html(_sae(koa), "en", link=app.subject_href)
    links = LINK.findall(html)
    ae = pd.read_parquet(SAMPLES / "rct-ucmsc-koa" / "tabulations" / "ae.parquet")
    assert links and {s for s, _ in links} <= set(ae.loc[ae["AESER"] == "Y", "USUBJID"])
    for subject, href in links:      # the link keeps the view (submission, tab, filter) and names the subject
        assert "submission=rct-ucmsc-koa" in href and "tab=safety" in href and "sex=F" in href
        assert f"subject={subject}" in href
    assert "wb-subject-link" not in table_html(_sae(koa), "en")          # report.html: plain ids


def test_only_subjects_of_dm_become_links(koa):
    app = ReviewApp(koa, None, "tester", "en")
    assert app.subject_href("NOT-A-SUBJECT") is None
    assert subject_html("NOT-A-SUBJECT", app.subject_href) == "NOT-A-SUBJECT"
    assert subject_html("<x>", lambda s: None) == "&lt;x&gt;"                # escaped, no link
    frame = pd.DataFrame({"USUBJID": [koa.submission.study.subjects.index[0], "—"], "n": [1, 2]})
    assert len(LINK.findall(frame_html(frame, "en", link=app.subject_href))) == 1


def test_a_click_in_the_page_opens_the_profile(koa):
    app = ReviewApp(koa, None, "tester", "en")
    subject = str(koa.submission.study.subjects.index[0])
    app.links.request.value = json.dumps([subject, 1])
    assert app.state.subject == subject and type(app.children[2]).__name__ == "ProfileView"
    app.links.request.value = json.dumps(["", 2])          # the browser's Back: the tables again
    assert app.state.subject is None and type(app.children[2]).__name__ == "Tab"


def test_a_malformed_request_is_ignored():
    seen = []
    links = SubjectLinks(seen.append)
    for bad in ("not json", json.dumps({"a": 1}), json.dumps([5, 1])):
        links.request.value = bad
    links.request.value = json.dumps(["  S-1  ", 3])
    assert seen == ["S-1"]
