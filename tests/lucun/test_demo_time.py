import random
from datetime import date, datetime, timedelta

from lucun import demo_time
from lucun.demo_time import FORUM_STARTS, MEETING_STARTS, OFFICE, RESIDENT, TZ


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_working_days_skip_weekends_and_the_public_holidays():
    assert demo_time.is_working_day(date(2026, 12, 3))  # a Thursday
    assert not demo_time.is_working_day(date(2026, 12, 5))  # a Saturday
    assert not demo_time.is_working_day(date(2026, 10, 2))  # 国庆
    assert not demo_time.is_working_day(date(2026, 2, 18))  # 春节, a Wednesday
    assert not demo_time.is_working_day(date(2027, 1, 1))  # a year not in the table: 元旦 all the same
    assert demo_time.working_days(date(2026, 9, 28), date(2026, 10, 12)) == [
        date(2026, 9, 28),
        date(2026, 9, 29),
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
    ]


def test_draws_fall_in_the_hours_of_working_days_only():
    rng = random.Random(7)
    start, end = at(2026, 9, 25, 17, 0), at(2026, 10, 12, 9, 0)
    for _ in range(500):
        moment = demo_time.draw(rng, start, end)
        assert start <= moment <= end and demo_time.is_working_time(moment)
        assert moment.weekday() < 5 and not (10, 1) <= (moment.month, moment.day) <= (10, 7)
        clock = (moment.hour, moment.minute)
        assert (8, 30) <= clock <= (12, 0) or (14, 0) <= clock <= (18, 0)
    meetings = {demo_time.draw(rng, start, end, FORUM_STARTS, 30) for _ in range(300)}
    assert {m.minute for m in meetings} == {0, 30}
    assert {m.hour for m in meetings} >= {8, 14, 19, 20} and max(m.hour for m in meetings) <= 20
    # A holiday weekend holds no working time; residents still write.
    assert demo_time.draw(rng, at(2026, 10, 1, 0, 0), at(2026, 10, 7, 23, 0)) is None
    written = demo_time.draw(rng, at(2026, 10, 3, 0, 0), at(2026, 10, 3, 23, 0), RESIDENT)
    assert demo_time.is_working_time(written, RESIDENT) and 7 <= written.hour <= 22


def test_working_time_adds_up_across_nights_weekends_and_holidays():
    assert demo_time.add_working(at(2026, 12, 4, 17, 0), timedelta(hours=3)) == at(2026, 12, 7, 10, 30)
    # 25 September 2026 is a Friday of the 中秋 holiday: the clock starts on Monday.
    assert demo_time.add_working(at(2026, 9, 25, 17, 0), timedelta(hours=3)) == at(2026, 9, 28, 11, 30)
    assert demo_time.add_working(at(2026, 9, 30, 17, 0), timedelta(hours=2)) == at(2026, 10, 8, 9, 30)
    assert demo_time.next_working(at(2026, 12, 3, 12, 30)) == at(2026, 12, 3, 14, 0)
    assert demo_time.previous_working(at(2026, 12, 5, 2, 0)) == at(2026, 12, 4, 18, 0)
    assert demo_time.next_slot(at(2026, 12, 4, 16, 40)) == at(2026, 12, 7, 8, 30)
    assert demo_time.next_slot(at(2026, 12, 4, 16, 40), FORUM_STARTS) == at(2026, 12, 4, 19, 0)
    assert demo_time.previous_slot(at(2026, 12, 4, 12, 0), MEETING_STARTS) == at(2026, 12, 4, 10, 30)
    assert demo_time.is_working_time(demo_time.on_day(random.Random(1), date(2026, 12, 3)), OFFICE)
