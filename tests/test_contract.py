"""The contract module against the exchange contract's own tables, typed in again here."""

from __future__ import annotations

import pytest

from estat.contract import (
    CHILD_TABLES,
    DICTIONARIES,
    TABLES,
    Kind,
    Rule,
    tables_of_kind,
)

# (field, length, mandatory) for every table of Appendix 2, as the contract lists them.
EXPECTED_FIELDS = {
    "M_EMIGRANT": [
        ("CODE", 13, True),
        ("GSID", 13, True),
        ("POSITION", 100, False),
        ("TYPE", 1, True),
        ("IIN", 12, True),
        ("FIO", 50, True),
        ("BIRTHDAY", 8, True),
        ("SEX", 1, True),
        ("CITIZ", 9, True),
        ("NATION", 9, False),
        ("OUCIT", 9, False),
        ("OLDCIT", 9, False),
        ("MARITAL", 3, False),
        ("PROF", 300, False),
        ("CONVICT", 1, False),
    ],
    "MC_PASSPORT": [
        ("CODE", 13, True),
        ("EMCODE", 13, True),
        ("GSID", 13, False),
        ("CITIZEN", 9, False),
        ("PTYPE", 3, True),
        ("PNUM", 15, True),
        ("PSERIA", 15, False),
        ("GIVEDATE", 10, False),
        ("ENDDATE", 10, False),
    ],
    "MC_EMLABOR": [
        ("CODE", 13, True),
        ("EMCODE", 13, True),
        ("FIRMA", 100, True),
        ("STDATE", 8, False),
        ("ENDATE", 8, False),
    ],
    "MC_EMCHILDS": [
        ("CODE", 13, True),
        ("IIN", 12, False),
        ("EMCODE", 13, True),
        ("FIO", 50, True),
        ("BIRTHYEAR", 4, False),
        ("CITIZEN", 9, False),
        ("PNUM", 15, False),
        ("PSERIA", 15, False),
        ("GIVEDATE", 10, False),
        ("ENDDATE", 10, False),
    ],
    "L_EM2TR": [("EMCODE", 13, True), ("TRCODE", 9, True)],
}

EXPECTED_CODE_FIELDS = {
    ("M_EMIGRANT", "POSITION"): "F_POSITION",
    ("M_EMIGRANT", "CITIZ"): "T_CITIZEN",
    ("M_EMIGRANT", "NATION"): "F_NATION",
    ("M_EMIGRANT", "OUCIT"): "T_CITIZEN",
    ("M_EMIGRANT", "OLDCIT"): "T_CITIZEN",
    ("M_EMIGRANT", "MARITAL"): "F_MARITAL",
    ("MC_PASSPORT", "CITIZEN"): "T_CITIZEN",
    ("MC_PASSPORT", "PTYPE"): "F_PASSTYPE",
    ("MC_EMCHILDS", "CITIZEN"): "T_CITIZEN",
    ("L_EM2TR", "TRCODE"): "F_TRAINING",
}


@pytest.mark.parametrize("table", sorted(EXPECTED_FIELDS))
def test_fields_lengths_and_mandatory_marks(table: str) -> None:
    actual = [(f.name, f.length, f.required) for f in TABLES[table].fields]

    assert actual == EXPECTED_FIELDS[table]


def test_immigrant_table_is_the_emigrant_table_but_for_the_iin() -> None:
    emigrant, immigrant = TABLES["M_EMIGRANT"], TABLES["M_IMMIGRANT"]

    assert emigrant.field_names == immigrant.field_names
    differing = [f.name for f, g in zip(emigrant.fields, immigrant.fields, strict=True) if f != g]
    assert differing == ["IIN"]
    assert immigrant.field("IIN").required is False


def test_code_fields_name_their_dictionaries() -> None:
    actual = {
        (table.name, f.name): f.dictionary
        for table in TABLES.values()
        if table.name != "M_IMMIGRANT"
        for f in table.fields
        if f.rule is Rule.CODE
    }

    assert actual == EXPECTED_CODE_FIELDS
    assert all(name in DICTIONARIES for name in actual.values())


def test_every_field_has_its_meaning_in_english_and_kazakh() -> None:
    for table in TABLES.values():
        assert table.meaning_en, table.name
        assert table.meaning_kk, table.name
        for f in table.fields:
            assert f.meaning_en, f"{table.name}.{f.name}"
            assert f.meaning_kk, f"{table.name}.{f.name}"
            assert any("\u0400" <= ch <= "\u04ff" for ch in f.meaning_kk), f.name


def test_references_and_date_order_point_at_real_fields() -> None:
    for table in TABLES.values():
        for f in table.fields:
            if f.references:
                assert f.references in TABLES["M_EMIGRANT"].field_names
            if f.not_before:
                assert table.field(f.not_before).rule is Rule.DATE


def test_kinds_hold_their_main_table_and_the_child_tables() -> None:
    assert [t.name for t in tables_of_kind(Kind.EMIGRANT)] == ["M_EMIGRANT", *CHILD_TABLES]
    assert [t.name for t in tables_of_kind(Kind.IMMIGRANT)] == ["M_IMMIGRANT", *CHILD_TABLES]


def test_dictionaries_of_appendix_one() -> None:
    assert list(DICTIONARIES) == [
        "T_CITIZEN",
        "F_NATION",
        "F_MARITAL",
        "F_TRAINING",
        "F_POSITION",
        "F_PASSTYPE",
        "F_COORDSTATE",
        "F_IMMDECIS",
        "F_PMJDECIS",
    ]
    tree = DICTIONARIES["T_CITIZEN"]
    assert tree.tree
    assert tree.column_names == ("CODE", "CODEPAR", "NAME", "KZNAME", "LEV", "SHIFR", "EXIST")
    required = {c.name for c in tree.columns if c.required}
    assert required == {"CODE", "CODEPAR", "NAME", "LEV", "SHIFR"}
    flat = DICTIONARIES["F_NATION"]
    assert not flat.tree
    assert flat.column_names == ("CODE", "NAME", "KZNAME", "EXIST")
    assert {c.name for c in flat.columns if c.required} == {"CODE", "NAME"}
