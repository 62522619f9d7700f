"""ISO 8601 --DTC values: a time part is accepted only when it is a possible time of day."""
from __future__ import annotations

import pytest

from workbench.dates import parse_dtc


@pytest.mark.parametrize("text,status", [
    ("2021-03-05T23:59:59", "full"), ("2021-03-05T00:00", "full"), ("2021-03-05T10", "full"),
    ("2021-03-05T10:00:00.250", "full"), ("2021-03-05T10:00Z", "full"), ("2021-03-05T10:00+08:00", "full"),
    ("2021-03-05T10:00-0530", "full"), ("2021-03", "partial"),
    ("2021-03-05T24:00", "malformed"), ("2021-03-05T25:61", "malformed"), ("2021-03-05T10:60", "malformed"),
    ("2021-03-05T10:00:61", "malformed"), ("2021-03-05T10:00+25:00", "malformed"),
    ("2021-03-05T1", "malformed"), ("2021-03-05T１０:00", "malformed"),
])
def test_time_part(text, status):
    assert parse_dtc([text]).status[0] == status
