"""Unwanted images of doing harm (OCD, perinatal intrusive thoughts) are not an intent to harm."""

from __future__ import annotations

import pytest

from summarizer.risk import detect_risks


@pytest.mark.parametrize("transcript", [
    "Patient: At the top of the stairs I suddenly see myself pushing Tom down them. It terrifies me, I hate these "
    "thoughts.",
    "Patient: When I'm slicing bread I picture myself stabbing Dan with the knife and I feel sick, I'd never.",
])
def test_an_unwanted_image_of_harm_is_not_a_finding(transcript: str) -> None:
    assert [f for f in detect_risks(transcript) if f.current] == []


def test_an_image_of_harm_without_horror_is_still_a_risk() -> None:
    transcript = "Patient: I picture myself stabbing Dan in the car park and honestly it feels good."
    assert {f.family for f in detect_risks(transcript) if f.current} == {"violence"}
