"""Values typed or loaded: parsing, refusals with clear reasons, round trips, attrs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cgeditor.core.ops import REGISTRY
from cgeditor.model.errors import AttrError, ValueParseError
from cgeditor.model.values import (
    MAX_ELEMENTS,
    coerce_attrs,
    format_value,
    parse_value,
    parse_value_text,
)


def test_scalars_become_float64_scalars_and_lists_arrays() -> None:
    for raw in (2, 2.5, np.int64(3), np.float32(1.5)):
        v = parse_value(raw)
        assert type(v) is np.float64
    arr = parse_value([[1, 2], [3, 4]])
    assert arr.dtype == np.float64 and arr.shape == (2, 2)
    assert parse_value(np.arange(3)).dtype == np.float64


@pytest.mark.parametrize(("raw", "reason"), [
    ([[1, 2], [3]], "same length"),
    ([1, [2, 3]], "same length"),
    ("2", "is not a number"),
    ([1, "x"], "is not a number"),
    (True, "is not a number"),
    ([1.0, False], "is not a number"),
    (None, "is not a number"),
    (float("nan"), "finite"),
    ([1.0, float("inf")], "finite"),
    (10**400, "is not a finite number"),
    ([], "empty"),
    ([[[[[[[[[[1]]]]]]]]]], "levels of nesting"),
])
def test_parse_value_refusals(raw, reason) -> None:
    with pytest.raises(ValueParseError, match=reason):
        parse_value(raw)


def test_too_many_elements_is_refused_naming_the_limit() -> None:
    with pytest.raises(ValueParseError, match="elements"):
        parse_value([0.0] * (MAX_ELEMENTS + 1))


@pytest.mark.parametrize(("text", "expected"), [
    ("2", 2.0), (" -1e-3 ", -0.001), ("[1, 2.5]", [1.0, 2.5]), ("[[1, 2], [3, 4]]", [[1, 2],
                                                                                    [3, 4]]),
])
def test_parse_value_text(text, expected) -> None:
    np.testing.assert_array_equal(parse_value_text(text), expected)


@pytest.mark.parametrize(("text", "reason"), [
    ("", "enter a number"), ("   ", "enter a number"), ("NaN", "NaN is not a finite number"),
    ("[1, Infinity]", "Infinity is not a finite number"),
    ("-Infinity", "-Infinity is not a finite number"), ("abc", "not a number"),
    ("[1, 2", "not a number"), ("'3'", "not a number"), ('"3"', "is not a number"),
    ("true", "is not a number"), ("1e999", "finite"),
    ("[" * 100_000 + "]" * 100_000, "not a number or a nested list"),
])
def test_parse_value_text_refusals(text, reason) -> None:
    with pytest.raises(ValueParseError, match=reason):
        parse_value_text(text)


@pytest.mark.parametrize("value", [0.0, -2.0, 0.1, 1e-300, 1.7976931348623157e308, 1e16,
                                   123456789.123456789])
def test_scalar_text_round_trip_is_exact(value) -> None:
    text = format_value(np.float64(value))
    assert parse_value_text(text) == value


def test_integral_values_print_without_a_point() -> None:
    assert format_value(np.float64(2.0)) == "2"
    assert format_value(np.array([[1.0, 2.5], [-3.0, 0.0]])) == "[[1, 2.5], [-3, 0]]"
    assert format_value(None) == ""
    assert format_value(np.float64(1 / 3), digits=4) == "0.3333"


@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 4)),
              elements=st.floats(allow_nan=False, allow_infinity=False)))
def test_tensor_text_round_trip(arr) -> None:
    back = parse_value_text(format_value(arr))
    np.testing.assert_array_equal(back, arr)
    assert back.shape == arr.shape


def test_coerce_attrs_fills_defaults_and_converts() -> None:
    assert coerce_attrs(REGISTRY["sum"], {}) == {"axis": None}
    assert coerce_attrs(REGISTRY["sum"], {"axis": "1"}) == {"axis": 1}
    assert coerce_attrs(REGISTRY["sum"], {"axis": ""}) == {"axis": None}
    assert coerce_attrs(REGISTRY["sum"], {"axis": 0.0}) == {"axis": 0}
    assert coerce_attrs(REGISTRY["powc"], {"exponent": 3}) == {"exponent": 3.0}
    assert coerce_attrs(REGISTRY["softmax"], None) == {"axis": -1}


@pytest.mark.parametrize(("op", "attrs", "reason"), [
    ("sum", {"axes": 1}, "has no attribute 'axes'"),
    ("add", {"axis": 1}, "it has: none"),
    ("sum", {"axis": 1.5}, "an integer or empty"),
    ("sum", {"axis": True}, "an integer or empty"),
    ("sum", {"axis": 1000}, "small integer"),
    ("softmax", {"axis": None}, "an integer"),
    ("powc", {"exponent": float("nan")}, "a finite number"),
    ("powc", {"exponent": "two"}, "a finite number"),
    ("powc", {"exponent": [2]}, "a finite number"),
    # past float64's range: an int from Python, or digits typed in a field
    ("powc", {"exponent": 10 ** 400}, "is not a finite number"),
    ("powc", {"exponent": -(10 ** 400)}, "is not a finite number"),
    ("powc", {"exponent": "1" + "0" * 400}, "is not a finite number"),
    ("powc", {"exponent": np.complex128(2.0)}, "a finite number"),
])
def test_coerce_attrs_refusals(op, attrs, reason) -> None:
    with pytest.raises(AttrError, match=reason):
        coerce_attrs(REGISTRY[op], attrs)


NOT_FINITE = ("is not a finite number: values must be finite numbers between -1.8e308 and "
              "1.8e308 (no nan or inf)")


@pytest.mark.parametrize("typed", ["1e309", "nan", "NaN", "inf", "-Infinity", "[1, 1e309]",
                                   "[[1, 2], [nan, 3]]", "-1e400"])
def test_one_rule_one_message_for_non_finite_typed_values(typed: str) -> None:
    with pytest.raises(ValueParseError) as info:
        parse_value_text(typed)
    token = str(info.value).removesuffix(" " + NOT_FINITE)
    assert str(info.value) == f"{token} {NOT_FINITE}"
    assert token.lower().lstrip("-[") in typed.lower()


def test_non_finite_arrays_from_the_api_get_the_same_message() -> None:
    with pytest.raises(ValueParseError, match="^nan " + NOT_FINITE.replace("(", r"\(")
                       .replace(")", r"\)") + "$"):
        parse_value(np.array([1.0, np.nan]))


@pytest.mark.parametrize("typed", ["1e309", "nan", "-inf", "Infinity"])
def test_attribute_fields_give_the_same_non_finite_message(typed: str) -> None:
    with pytest.raises(AttrError) as info:
        coerce_attrs(REGISTRY["powc"], {"exponent": typed})
    assert str(info.value) == f"powc.exponent: {typed} {NOT_FINITE}"
