"""AAPOR outcome rates checked against cases computed by hand (the arithmetic is in each test)."""

import pytest

from surveys.services.rates import eligibility_estimate, response_rates

# I=40 P=10 R=20 NC=15 O=5 UH=8 UO=2 NE=10
PILOT_LIKE = {"I": 40, "P": 10, "R": 20, "NC": 15, "O": 5, "UH": 8, "UO": 2, "NE": 10}
# I+P = 50; known eligible I+P+R+NC+O = 90; unknown UH+UO = 10; D = 90 + 10 = 100
# contacted (I+P)+R+O = 75; e = 90 / (90 + NE 10) = 0.9; De = 90 + 0.9 * 10 = 99


def test_e_is_estimated_from_the_cases_whose_eligibility_is_known():
    rates = response_rates(PILOT_LIKE)

    assert eligibility_estimate(PILOT_LIKE) == pytest.approx(90 / 100)
    assert (rates.e, rates.e_source) == (pytest.approx(0.9), "estimated")
    assert rates.dispositions == PILOT_LIKE


def test_response_rates_by_hand():
    rr = response_rates(PILOT_LIKE).rr

    assert rr["RR1"] == pytest.approx(40 / 100)  # I / D
    assert rr["RR2"] == pytest.approx(50 / 100)  # (I+P) / D
    assert rr["RR3"] == pytest.approx(40 / 99)  # I / De
    assert rr["RR4"] == pytest.approx(50 / 99)  # (I+P) / De
    assert rr["RR5"] == pytest.approx(40 / 90)  # I / ((I+P)+R+NC+O)
    assert rr["RR6"] == pytest.approx(50 / 90)  # (I+P) / ((I+P)+R+NC+O)


def test_cooperation_rates_by_hand():
    coop = response_rates(PILOT_LIKE).coop

    assert coop["COOP1"] == pytest.approx(40 / 75)  # I / ((I+P)+R+O) = 40 / (50+20+5)
    assert coop["COOP2"] == pytest.approx(50 / 75)  # (I+P) / ((I+P)+R+O)
    assert coop["COOP3"] == pytest.approx(40 / 70)  # I / ((I+P)+R) = 40 / (50+20)
    assert coop["COOP4"] == pytest.approx(50 / 70)  # (I+P) / ((I+P)+R)


def test_refusal_rates_by_hand():
    ref = response_rates(PILOT_LIKE).ref

    assert ref["REF1"] == pytest.approx(20 / 100)  # R / D
    assert ref["REF2"] == pytest.approx(20 / 99)  # R / De
    assert ref["REF3"] == pytest.approx(20 / 90)  # R / ((I+P)+R+NC+O)


def test_contact_rates_by_hand():
    con = response_rates(PILOT_LIKE).con

    assert con["CON1"] == pytest.approx(75 / 100)  # ((I+P)+R+O) / D
    assert con["CON2"] == pytest.approx(75 / 99)  # ((I+P)+R+O) / De
    assert con["CON3"] == pytest.approx(75 / 90)  # ((I+P)+R+O) / ((I+P)+R+NC+O)


def test_e_set_by_the_campaign_replaces_the_estimate():
    rates = response_rates(PILOT_LIKE, e=0.5)

    # De = 90 + 0.5 * 10 = 95
    assert (rates.e, rates.e_source) == (0.5, "set")
    assert rates.rr["RR3"] == pytest.approx(40 / 95)
    assert rates.rr["RR4"] == pytest.approx(50 / 95)
    assert rates.ref["REF2"] == pytest.approx(20 / 95)
    assert rates.con["CON2"] == pytest.approx(75 / 95)
    assert rates.rr["RR1"] == pytest.approx(40 / 100)  # D has no e in it


def test_e_zero_leaves_the_unknown_cases_out():
    rates = response_rates(PILOT_LIKE, e=0.0)

    # De = 90 + 0 * 10 = 90, so RR3 = RR5 and RR4 = RR6
    assert rates.rr["RR3"] == pytest.approx(rates.rr["RR5"]) == pytest.approx(40 / 90)
    assert rates.rr["RR4"] == pytest.approx(rates.rr["RR6"]) == pytest.approx(50 / 90)


def test_no_cases_at_all_gives_no_rate_instead_of_zero():
    rates = response_rates({})

    assert rates.dispositions == dict.fromkeys(("I", "P", "R", "NC", "O", "UH", "UO", "NE"), 0)
    assert (rates.e, rates.e_source) == (1.0, "assumed")
    for group in (rates.rr, rates.coop, rates.ref, rates.con):
        assert set(group.values()) == {None}


def test_only_unknown_cases_assume_every_one_eligible():
    rates = response_rates({"UH": 5})

    # Nothing known: e = 1 is assumed, De = 0 + 1 * 5 = 5 = D
    assert (rates.e, rates.e_source) == (1.0, "assumed")
    assert rates.rr["RR1"] == 0.0  # 0 / 5: defined, and zero
    assert rates.rr["RR3"] == 0.0
    assert rates.rr["RR5"] is None  # (I+P)+R+NC+O = 0
    assert rates.coop["COOP1"] is None
    assert rates.con["CON1"] == 0.0


def test_only_ineligible_numbers_estimate_e_as_zero_and_define_no_rate():
    rates = response_rates({"NE": 7})

    # e = 0 / (0 + 7) = 0; D = 0 and De = 0
    assert (rates.e, rates.e_source) == (0.0, "estimated")
    assert rates.rr["RR1"] is None
    assert rates.rr["RR3"] is None
    assert rates.ref["REF3"] is None
