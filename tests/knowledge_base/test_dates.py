"""The submission day read from Vietnamese text, with and without diacritics, and what is not a day."""

from __future__ import annotations

import datetime as dt

import pytest

from vntext import fold
from vntext.dates import find_submission_date, mentions_submission_date, parse_submission_date

# A Wednesday; every expectation below is counted by hand from it.
TODAY = dt.date(2025, 11, 12)
D = dt.date

POSITIVE: list[tuple[str, dt.date]] = [
    # Relative days.
    ("nộp hôm nay thì bao giờ có", D(2025, 11, 12)),
    ("chiều nay em nộp được không", D(2025, 11, 12)),
    ("Nay em nộp hồ sơ", D(2025, 11, 12)),
    ("bây giờ nộp thì khi nào có", D(2025, 11, 12)),
    ("ngày mai nộp kịp không", D(2025, 11, 13)),
    ("mai em nộp", D(2025, 11, 13)),
    ("nộp mai được không ạ", D(2025, 11, 13)),
    ("sáng mai em đi nộp", D(2025, 11, 13)),
    ("ngày kia nộp", D(2025, 11, 14)),
    ("ngày mốt em nộp", D(2025, 11, 14)),
    ("hôm qua em đã nộp rồi", D(2025, 11, 11)),
    ("em nộp hôm kia", D(2025, 11, 10)),
    # Weekdays: this week's unless passed; next week's with "tuần sau" / "tuần tới".
    ("thứ hai em nộp", D(2025, 11, 17)),
    ("nộp vào thứ 2", D(2025, 11, 17)),
    ("t2 nộp", D(2025, 11, 17)),
    ("thứ tư nộp", D(2025, 11, 12)),
    ("thứ năm em lên nộp", D(2025, 11, 13)),
    ("Thứ Sáu nộp thì bao giờ có?", D(2025, 11, 14)),
    ("t6 nộp", D(2025, 11, 14)),
    ("thứ bảy có nhận hồ sơ không", D(2025, 11, 15)),
    ("thứ 7 nộp", D(2025, 11, 15)),
    ("chủ nhật nộp online", D(2025, 11, 16)),
    ("nộp vào cn được không", D(2025, 11, 16)),
    ("thứ 3 tuần sau", D(2025, 11, 18)),
    ("nộp hồ sơ thứ 2 tuần sau", D(2025, 11, 17)),
    ("thứ ba tuần tới em nộp", D(2025, 11, 18)),
    ("tuần sau, thứ 5 em nộp", D(2025, 11, 20)),
    ("thứ 2 tuần này em nộp rồi", D(2025, 11, 10)),
    ("thứ 3 tuần trước em nộp", D(2025, 11, 4)),
    ("đầu tuần sau em nộp", D(2025, 11, 17)),
    ("tuần tới em nộp", D(2025, 11, 17)),
    # Explicit dates; a day/month without a year is the occurrence nearest today.
    ("nộp 15/12 thì bao giờ có", D(2025, 12, 15)),
    ("ngày 15/12/2025", D(2025, 12, 15)),
    ("15-12-2025", D(2025, 12, 15)),
    ("15.12.2025", D(2025, 12, 15)),
    ("2025-12-15", D(2025, 12, 15)),
    ("15/12/25", D(2025, 12, 15)),
    ("nộp 5/1 được không", D(2026, 1, 5)),
    ("em nộp 10/11 rồi", D(2025, 11, 10)),
    ("15 tháng 12", D(2025, 12, 15)),
    ("ngày 2 tháng 1 năm 2026", D(2026, 1, 2)),
    # "ngày N": this month, or the next month that has the day once it has passed.
    ("nộp ngày 15", D(2025, 11, 15)),
    ("ngày 5 em nộp", D(2025, 12, 5)),
    ("mùng 3 em nộp", D(2025, 12, 3)),
    ("ngày 31 nộp", D(2025, 12, 31)),
    # The phrase nearest the submission verb wins.
    ("hôm nay là 12/11, thứ 6 em nộp", D(2025, 11, 14)),
    # Codes next to a day do not hide it.
    ("hồ sơ 000.00.12.H37-251012-0001 nộp hôm qua", D(2025, 11, 11)),
    ("sđt 0912345678, mai em nộp", D(2025, 11, 13)),
]

# Bare "mot" is "một" (one): "mốt" alone counts only with its accent.
ACCENTED_ONLY: list[tuple[str, dt.date]] = [("mốt em nộp", D(2025, 11, 14))]

# Forms only written without diacritics, where folding would make the positive table ambiguous.
UNACCENTED_ONLY: list[tuple[str, dt.date]] = [
    ("mai nop duoc khong", D(2025, 11, 13)),
    ("thu 2 em nop", D(2025, 11, 17)),
    ("nop thu tu", D(2025, 11, 12)),
    ("cn nop dc ko", D(2025, 11, 16)),
    ("dau tuan toi nop", D(2025, 11, 17)),
    ("thu 5 tuan sau", D(2025, 11, 20)),
    ("ngay 20 em nop", D(2025, 11, 20)),
    ("15 thang 12 nam 2026", D(2026, 12, 15)),
]

NEGATIVE: list[str] = [
    # Codes and numbers.
    "hồ sơ 000.00.12.H37-251012-0001 tới đâu rồi",
    "H37.99-251012-0001",
    "thủ tục 1.001193 cần giấy tờ gì",
    "sđt của tôi 0912 345 678",
    "gọi 0912.345.678",
    "+84 912 345 678",
    "số CCCD 001203004567",
    "cmnd 123456789",
    "theo Nghị định 61/2018/NĐ-CP",
    "hỗ trợ 24/7",
    # Durations, not days.
    "đăng ký khai sinh mất bao lâu",
    "15 ngày làm việc",
    "mất 1 tháng 15 ngày",
    # Ordinals and look-alike words.
    "đăng ký khai sinh cho con thứ hai",
    "lần thứ 2 nộp thì sao",
    "Thứ nhất là giấy tờ, thứ hai là lệ phí",
    "thu tu cac buoc lam",
    "thương mại điện tử",
    "thuong mai dien tu",
    "trợ cấp mai táng",
    "mai tang phi",
    "mai mốt em nộp",
    "mot ngay lam viec",
    "thủ tục này mất bao lâu",
    "ho so nay nop o dau",
    "hiện nay thủ tục thế nào",
    "nop ngay 2 bo ho so",
    "thu 2 trieu dong",
    "",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_phrase_with_diacritics(text: str, expected: dt.date) -> None:
    assert parse_submission_date(text, TODAY) == expected


@pytest.mark.parametrize(("text", "expected"), POSITIVE)
def test_same_phrase_without_diacritics(text: str, expected: dt.date) -> None:
    assert parse_submission_date(fold(text), TODAY) == expected


@pytest.mark.parametrize(("text", "expected"), ACCENTED_ONLY + UNACCENTED_ONLY)
def test_phrase_in_one_spelling_only(text: str, expected: dt.date) -> None:
    assert parse_submission_date(text, TODAY) == expected


@pytest.mark.parametrize("text", NEGATIVE)
def test_no_day_in_codes_numbers_and_look_alikes(text: str) -> None:
    assert parse_submission_date(text, TODAY) is None
    assert not mentions_submission_date(text)


def test_mention_carries_the_phrase_as_written() -> None:
    mention = find_submission_date("Nộp THỨ 3 tuần sau nhé", TODAY)
    assert mention is not None
    assert mention.text == "THỨ 3 tuần sau"
    assert mention.day == D(2025, 11, 18)


def test_invalid_calendar_dates_are_not_days() -> None:
    assert parse_submission_date("nộp 31/02/2026", TODAY) is None
    assert parse_submission_date("nộp 12/13", TODAY) is None
    assert parse_submission_date("nộp 29/2", TODAY) is None  # no 29/02 in 2025 or 2026


def test_weekday_on_each_day_of_a_week_is_never_in_the_past() -> None:
    for offset in range(7):
        today = TODAY + dt.timedelta(days=offset)
        for phrase, weekday in [("thứ 2", 0), ("thứ 4", 2), ("chủ nhật", 6)]:
            day = parse_submission_date(f"{phrase} em nộp", today)
            assert day is not None and day.weekday() == weekday
            assert 0 <= (day - today).days < 7
            later = parse_submission_date(f"{phrase} tuần sau em nộp", today)
            assert later is not None and later.weekday() == weekday
            assert 7 <= (later - today + dt.timedelta(days=today.weekday())).days < 14


def test_mentions_submission_date() -> None:
    assert mentions_submission_date("thứ 6 tuần sau em nộp")
    assert mentions_submission_date("hom nay nop")
    assert not mentions_submission_date("làm căn cước cần giấy tờ gì")
