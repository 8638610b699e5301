"""Leader-training progress toward the ABS requirements, with dates around every boundary."""

from datetime import date

from confops.groups.credentialing import (
    ABS,
    GroupLed,
    IntensiveAttended,
    Requirements,
    SupervisionSession,
    intensives_progress,
    leading_progress,
    progress,
    supervision_progress,
)


def monthly(first: date, months: int, day: int = 15) -> list[GroupLed]:
    out = []
    y, m = first.year, first.month
    for _ in range(months):
        out.append(GroupLed(date(y, m, day)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# -- intensives --------------------------------------------------------------------------------
def test_three_intensives_with_the_final_one_evaluative_is_met():
    r = intensives_progress([IntensiveAttended(date(2024, 3, 1)), IntensiveAttended(date(2024, 9, 1)),
                             IntensiveAttended(date(2025, 3, 1), evaluative=True)], date(2025, 3, 1))
    assert r.met and r.done == 3 and r.missing == ()


def test_evaluative_intensive_too_early_counts_as_an_ordinary_one():
    r = intensives_progress([IntensiveAttended(date(2024, 3, 1), evaluative=True),
                             IntensiveAttended(date(2024, 9, 1)), IntensiveAttended(date(2025, 3, 1))],
                            date(2025, 6, 1))
    assert not r.met and r.done == 2
    assert "counts as an ordinary one" in r.missing[0]
    assert r.missing[-1] == "Attend a final evaluative intensive."


def test_evaluative_on_the_same_day_as_the_second_is_not_after_it():
    same = date(2025, 3, 1)
    r = intensives_progress([IntensiveAttended(date(2024, 3, 1)), IntensiveAttended(same),
                             IntensiveAttended(same, evaluative=True)], date(2025, 3, 2))
    assert not r.met


def test_a_future_intensive_does_not_count_yet():
    recs = [IntensiveAttended(date(2024, 3, 1)), IntensiveAttended(date(2024, 9, 1)),
            IntensiveAttended(date(2025, 3, 1), evaluative=True)]
    assert not intensives_progress(recs, date(2025, 2, 28)).met
    assert intensives_progress(recs, date(2025, 3, 1)).met


def test_missing_intensives_are_counted_in_words():
    r = intensives_progress([IntensiveAttended(date(2024, 3, 1))], date(2025, 1, 1))
    assert r.missing == ("Attend 1 more intensive, then a final evaluative intensive.",)
    assert intensives_progress([], date(2025, 1, 1)).missing == (
        "Attend 2 more intensives, then a final evaluative intensive.",)


def test_a_society_without_an_evaluative_intensive_only_counts():
    rules = Requirements(intensives=2, final_evaluative=False)
    r = intensives_progress([IntensiveAttended(date(2024, 3, 1))], date(2025, 1, 1), rules)
    assert not r.met and r.missing == ("Attend 1 more intensive.",)


# -- leading -----------------------------------------------------------------------------------
def test_twenty_four_consecutive_months_is_met_across_a_year_boundary():
    led = monthly(date(2024, 12, 1), 24)  # Dec 2024 .. Nov 2026
    assert leading_progress(led, date(2026, 11, 30)).met
    assert not leading_progress(led, date(2026, 11, 14)).met  # the 24th group is on the 15th


def test_one_empty_month_starts_the_count_again():
    led = monthly(date(2024, 1, 1), 10) + monthly(date(2024, 12, 1), 14)  # gap: Nov 2024
    r = leading_progress(led, date(2026, 1, 20))
    assert not r.met and r.done == 14
    assert r.missing == ("Keep leading at least once a month for 10 more months.",)


def test_last_day_and_first_day_of_months_are_different_months():
    led = [GroupLed(date(2025, 1, 31)), GroupLed(date(2025, 2, 1))]
    r = leading_progress(led, date(2025, 2, 1), Requirements(leading_months=2))
    assert r.met
    both_in_january = [GroupLed(date(2025, 1, 1)), GroupLed(date(2025, 1, 31))]
    assert not leading_progress(both_in_january, date(2025, 2, 1), Requirements(leading_months=2)).met


def test_a_run_is_still_going_until_a_whole_month_is_missed():
    led = monthly(date(2025, 1, 1), 6)  # Jan..Jun 2025
    assert leading_progress(led, date(2025, 7, 31)).done == 6  # July may still come
    stopped = leading_progress(led, date(2025, 8, 1))
    assert stopped.done == 0 and "Jun 2025" in stopped.summary and "6 months" in stopped.summary


def test_leading_twice_a_month_when_the_society_asks_for_it():
    rules = Requirements(leading_months=2, leading_per_month=2)
    once = [GroupLed(date(2025, 1, 5)), GroupLed(date(2025, 2, 5)), GroupLed(date(2025, 2, 6))]
    assert not leading_progress(once, date(2025, 3, 1), rules).met
    assert leading_progress([*once, GroupLed(date(2025, 1, 20))], date(2025, 3, 1), rules).met


def test_no_groups_led_says_what_to_do():
    r = leading_progress([], date(2025, 1, 1))
    assert r.done == 0 and "24 consecutive months" in r.missing[0]


# -- supervision -------------------------------------------------------------------------------
def sessions(*days):
    return [SupervisionSession(d) for d in days]


def test_six_supervisions_in_each_year_of_leading():
    led = monthly(date(2024, 1, 1), 24)
    year1 = [date(2024, m, 10) for m in range(1, 7)]
    year2 = [date(2025, m, 10) for m in range(7, 13)]
    r = supervision_progress(sessions(*year1, *year2), led, date(2025, 12, 31))
    assert r.met and r.done == 12


def test_a_supervision_on_the_first_day_of_year_two_is_not_in_year_one():
    led = monthly(date(2024, 1, 1), 24)
    five = [date(2024, m, 10) for m in range(1, 6)]
    late = sessions(*five, date(2025, 1, 1), *[date(2025, m, 2) for m in range(2, 8)])
    r = supervision_progress(late, led, date(2025, 12, 31))
    assert not r.met
    assert r.missing == ("Year 1 of leading (Jan 2024–Dec 2024): 1 more supervision session needed.",)
    on_time = sessions(*five, date(2024, 12, 31), *[date(2025, m, 2) for m in range(2, 8)])
    assert supervision_progress(on_time, led, date(2025, 12, 31)).met


def test_supervision_before_any_leading_counts_from_its_first_session():
    r = supervision_progress(sessions(date(2025, 3, 3), date(2025, 4, 3)), [], date(2025, 5, 1))
    assert not r.met and r.done == 2
    assert "Mar 2025–Feb 2026" in r.summary


def test_whole_progress_for_a_person_part_way():
    led = monthly(date(2025, 1, 1), 11)
    p = progress([IntensiveAttended(date(2024, 10, 1))], led,
                 sessions(date(2025, 2, 1), date(2025, 5, 1)), date(2025, 11, 30), ABS)
    assert not p.met
    assert p.get("intensives").done == 1
    assert p.get("leading").done == 11
    assert p.get("supervision").done == 2
    assert all(r.missing for r in p.requirements)
