"""Folder names under --out can never point outside it."""

import pytest

from reportkit.exceptions import ParameterError
from reportkit.paths import ID_PATTERN, slug


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Huyện Tuy An", "huyen-tuy-an"),
        ("Thị xã Đông Hòa", "thi-xa-dong-hoa"),
        ("../../etc", "etc"),
        ("a/b\\c", "a-b-c"),
        ("x\0y", "x-y"),
        ("2021-05-20", "2021-05-20"),
        ("Huyện Tuy An  2021-05-20", "huyen-tuy-an-2021-05-20"),
    ],
)
def test_slug(text, name):
    assert slug(text) == name


@pytest.mark.parametrize("text", ["", "../", "///", "\0"])
def test_slug_of_nothing_usable_is_an_error(text):
    with pytest.raises(ParameterError):
        slug(text)


@pytest.mark.parametrize("good", ["wtisd-2021-phu-yen", "a", "x.y_z"])
def test_campaign_ids(good):
    assert ID_PATTERN.fullmatch(good)


@pytest.mark.parametrize("bad", ["../x", "/x", ".hidden", "A", "a/b", "a\0b", ""])
def test_campaign_ids_that_are_not_folder_names(bad):
    assert not ID_PATTERN.fullmatch(bad)
