"""The dictionary files shipped in include/dictionaries read cleanly and hold real content."""

from __future__ import annotations

import pytest
from conftest import DICTIONARY_DIR

from estat.contract import DICTIONARIES
from estat.sqlinsert import read_dictionary_file


@pytest.mark.parametrize("name", list(DICTIONARIES))
def test_every_dictionary_has_a_file_that_reads(name: str) -> None:
    version = read_dictionary_file(DICTIONARY_DIR / f"{name}.sql")

    assert version.dictionary.name == name
    assert len(version.rows) >= 5
    assert all(row.values["NAME"] for row in version.rows)
    assert all(row.values["KZNAME"] for row in version.rows)


def test_countries_form_a_tree_of_regions_and_iso_countries() -> None:
    rows = read_dictionary_file(DICTIONARY_DIR / "T_CITIZEN.sql").rows
    by_shifr = {row.values["SHIFR"]: row.values for row in rows}

    regions = [r for r in rows if r.values["LEV"] == 1]
    countries = [r for r in rows if r.values["LEV"] == 2 and r.values["EXIST"] == 1]
    assert all(r.values["CODEPAR"] is None for r in regions)
    assert len(regions) == 5
    # ISO 3166-1 has 249 countries and territories.
    assert len(countries) == 249
    assert by_shifr["KAZ"] == {
        "CODE": 398,
        "CODEPAR": 142,
        "NAME": "Казахстан",
        "KZNAME": "Қазақстан",
        "LEV": 2,
        "SHIFR": "KAZ",
        "EXIST": 1,
    }
    assert by_shifr["SUN"]["EXIST"] == 0
    assert by_shifr["SUN"]["CODE"] == 810


def test_nationalities_follow_the_census() -> None:
    rows = read_dictionary_file(DICTIONARY_DIR / "F_NATION.sql").rows
    names = {row.values["NAME"]: row.values["KZNAME"] for row in rows}

    assert len(rows) >= 100
    assert names["Казахи"] == "Қазақтар"
    assert {"Русские", "Уйгуры", "Корейцы", "Немцы"} <= set(names)


def test_the_folder_holds_only_dictionaries_of_the_contract() -> None:
    assert sorted(p.stem for p in DICTIONARY_DIR.glob("*.sql")) == sorted(DICTIONARIES)
