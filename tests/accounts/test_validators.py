"""KVK-nummers and RSINs, as typed or read from a spreadsheet."""

import pytest
from django.core.exceptions import ValidationError

from accounts.validators import (
    classify_company_number,
    normalise_number,
    validate_kvk_nummer,
    validate_rsin,
)

# 9*1 + 8*1 + 7*1 + 6*2 + 5*2 + 4*2 + 3*3 + 2*3 = 69; 69 % 11 == 3, the last digit.
VALID_RSIN = "111222333"
INVALID_RSIN = "111222334"


def error_of(func, value) -> ValidationError:
    with pytest.raises(ValidationError) as exc_info:
        func(value)
    return exc_info.value


# --- validate_kvk_nummer ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["12345678", "00000001", "68750110"])
def test_valid_kvk_nummer(value):
    assert validate_kvk_nummer(value) is None


@pytest.mark.parametrize(
    "value",
    ["1234567", "123456789", "", "1234567a", "1234 567", "１２３４５６７８", "١٢٣٤٥٦٧٨"],
    ids=["7-digits", "9-digits", "empty", "letter", "space", "fullwidth", "arabic-indic"],
)
def test_invalid_kvk_nummer(value):
    error = error_of(validate_kvk_nummer, value)

    assert error.code == "invalid_kvk_nummer"
    assert error.messages == ["Een KVK-nummer bestaat uit precies 8 cijfers."]


# --- validate_rsin ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [VALID_RSIN, "001000007", "123456782"])
def test_valid_rsin(value):
    assert validate_rsin(value) is None


@pytest.mark.parametrize("value", [INVALID_RSIN, "123456789", "000000000"])
def test_rsin_failing_the_elfproef(value):
    error = error_of(validate_rsin, value)

    assert error.code == "invalid_rsin"
    assert error.messages == ["Dit fiscaal nummer (RSIN) klopt niet: de elfproef faalt."]


@pytest.mark.parametrize("value", ["12345678", "1112223330", "11122233a", "", "１１１２２２３３３"])
def test_rsin_of_the_wrong_form(value):
    error = error_of(validate_rsin, value)

    assert error.code == "invalid_rsin"
    assert error.messages == ["Een fiscaal nummer (RSIN) bestaat uit precies 9 cijfers."]


# --- classify_company_number --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12345678", ("kvk", "12345678")),
        ("68750110", ("kvk", "68750110")),
        (VALID_RSIN, ("rsin", VALID_RSIN)),
        ("  12345678  ", ("kvk", "12345678")),
        ("1234 5678", ("kvk", "12345678")),
        ("12.34.56.78", ("kvk", "12345678")),
        ("1112.22.333", ("rsin", VALID_RSIN)),
        ("111 222 333", ("rsin", VALID_RSIN)),
        # From Excel: numbers arrive as int or float.
        (12345678, ("kvk", "12345678")),
        (12345678.0, ("kvk", "12345678")),
        (111222333, ("rsin", VALID_RSIN)),
        (111222333.0, ("rsin", VALID_RSIN)),
    ],
)
def test_classify_company_number(raw, expected):
    assert classify_company_number(raw) == expected


@pytest.mark.parametrize("raw", ["1234567", "1234567890", 1234567890])
def test_classify_wrong_length(raw):
    error = error_of(classify_company_number, raw)

    assert error.code == "wrong_length"
    assert error.messages == [
        "Vul een KVK-nummer (8 cijfers) of een fiscaal nummer (9 cijfers) in; "
        f"u vulde {len(str(raw))} cijfers in."
    ]


@pytest.mark.parametrize("raw", ["1234567a", "KVK12345678", "12-34-56-78", "１２３４５６７８"])
def test_classify_not_digits(raw):
    error = error_of(classify_company_number, raw)

    assert error.code == "not_digits"
    assert error.messages == ["Een KVK-nummer of fiscaal nummer bevat alleen cijfers."]


@pytest.mark.parametrize("raw", [INVALID_RSIN, 111222334, "1112.22.334"])
def test_classify_invalid_rsin(raw):
    error = error_of(classify_company_number, raw)

    assert error.code == "invalid_rsin"
    assert error.messages == ["Dit fiscaal nummer (RSIN) klopt niet: de elfproef faalt."]


@pytest.mark.parametrize("raw", ["", "   ", None, " . "])
def test_classify_empty(raw):
    error = error_of(classify_company_number, raw)

    assert error.code == "required"
    assert error.messages == ["Vul een KVK-nummer of fiscaal nummer in."]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (12345678, "12345678"),
        (12345678.0, "12345678"),
        (" 1234.5678 ", "12345678"),
        (None, ""),
    ],
)
def test_normalise_number(raw, expected):
    assert normalise_number(raw) == expected


@pytest.mark.parametrize("raw", [2029700, 2029700.0])
def test_kvk_nummer_with_a_leading_zero_from_excel(raw):
    # Regional KVK-nummers start with 0 (e.g. 02029700). 002029700 fails the elfproef,
    # so the only reading of this cell is the KVK-nummer.
    assert classify_company_number(raw) == ("kvk", "02029700")


def test_number_cell_that_could_be_both_asks_for_text():
    # 001000007 passes the elfproef, so 1000007 may be RSIN 001000007 or KVK 01000007.
    error = error_of(classify_company_number, 1000007)

    assert error.code == "ambiguous_leading_zeros"
    assert error.messages == [
        "Het nummer 1000007 is als getal opgeslagen en de voorloopnullen zijn verloren: "
        "het kan KVK-nummer 01000007 of fiscaal nummer 001000007 zijn. "
        "Zet het nummer als tekst in het bestand."
    ]


def test_typed_text_keeps_its_length_and_is_not_padded():
    assert error_of(classify_company_number, "2029700").code == "wrong_length"
