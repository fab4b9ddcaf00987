"""The page and the PDF round a share, an interval and a mean as the Excel workbook shows the same
stored value (its "0.0%" and "0.00" formats round half away from zero) and as the findings' sentences
round (`estimates.rounded`): half up, after the float noise is gone."""

import pytest
from django.utils import translation

from surveys.reports.display import decimal_text, interval_text, mean_interval_text, share_text


@pytest.mark.parametrize(
    ("share", "shown"),
    [
        # 1 of 16 = 0.0625 exactly: 6.25 %, which Excel's "0.0%" shows as 6.3 %.
        (1 / 16, "6,3\xa0%"),
        # 41 of 80 = 0.5125: 100 * 0.5125 is 51.24999999999999 in floating point; Excel shows 51.3 %.
        (41 / 80, "51,3\xa0%"),
        # 33 of 80 = 0.4125 -> 41.25 % -> 41.3 %.
        (33 / 80, "41,3\xa0%"),
    ],
)
def test_a_share_is_rounded_half_up_as_in_the_workbook(share, shown):
    with translation.override("fi"):
        assert share_text(share) == shown


def test_an_interval_is_rounded_half_up_at_both_ends():
    # 0.0625-0.5125: Excel's two cells show 6.3 % and 51.3 %.
    with translation.override("fi"):
        assert interval_text(1 / 16, 41 / 80) == "6,3–51,3\xa0%"


def test_a_mean_and_its_interval_are_rounded_half_up():
    # A weighted mean of 3.125 (1/8 exact in binary) is 3.13 in the workbook's "0.00" cell; its
    # interval 2.625-3.625 is 2.63-3.63 there.
    with translation.override("fi"):
        assert decimal_text(3.125) == "3,13"
        assert mean_interval_text(2.625, 3.625) == "2,63–3,63"
