"""How a domestic daily-orders range is split between TTTC0081R (3개월이내) and CTSC9215R (3개월이전).

The broker counts the three months by calendar month (legacy/Sample01/kis_domstk.py: "월단위 ex: 2024.04.25 이면
2024.01월~04월조회", before that "2024.01월이전"), so the split falls on the first of the month three months back,
whatever the day of the month. The emulator enforces the same rule (tests/emulator/test_fidelity.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pykis.scopes.history import WINDOW_DAYS, _windows, recent_start


@pytest.mark.parametrize(
    ("today", "first"),
    [
        (date(2024, 4, 25), date(2024, 1, 1)),  # the broker's own example
        (date(2024, 4, 1), date(2024, 1, 1)),
        (date(2024, 5, 31), date(2024, 2, 1)),  # a day count of ~90 would land in March
        (date(2025, 1, 15), date(2024, 10, 1)),  # across a year end
        (date(2025, 3, 31), date(2024, 12, 1)),
    ],
)
def test_the_recent_inquiry_starts_on_the_first_of_the_month_three_months_back(today: date, first: date) -> None:
    assert recent_start(today) == first


days = st.dates(date(2000, 1, 1), date(2099, 12, 31))


@given(today=days, back=st.integers(0, 2000), length=st.integers(0, 2000))
def test_windows_cover_the_range_once_each_within_what_its_tr_serves(today: date, back: int, length: int) -> None:
    start = today - timedelta(days=back)
    end = min(today, start + timedelta(days=length))
    windows = _windows(start, end, today)
    boundary = recent_start(today)
    covered = [first + timedelta(days=i) for _, first, last in windows for i in range((last - first).days + 1)]
    assert sorted(covered) == [start + timedelta(days=i) for i in range((end - start).days + 1)]  # each day once
    for period, first, last in windows:
        assert first <= last
        if period == "inner":
            assert first >= boundary
        else:
            assert last < boundary and (last - first).days < WINDOW_DAYS
