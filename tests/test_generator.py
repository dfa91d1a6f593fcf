"""The test-data generator: its files follow the exchange contract, and its faults do what it says.

The files are read back with lxml and judged by a small independent reading of the contract
(:func:`judge`), not by the pipeline, so a disagreement points at the generator or at this
reading, never at code under test elsewhere.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from dataclasses import FrozenInstanceError, dataclass, field
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import DICTIONARY_DIR
from lxml import etree

from estat import generator, iin
from estat.contract import (
    CHILD_TABLES,
    MAIN_TABLE_OF_KIND,
    MIGRATION_TYPE_OF_KIND,
    TABLES,
    Kind,
    Rule,
    tables_of_kind,
)
from estat.generator import Fault, GeneratedExport, export_file_name, write_export, write_samples
from estat.sqlinsert import read_dictionary_file

Row = dict[str, str | None]

CYRILLIC_FIO = re.compile(r"[А-ЯЁӘҒҚҢӨҰҮҺІ][а-яёәғқңөұүһі-]+( [А-ЯЁӘҒҚҢӨҰҮҺІ][а-яёәғқңөұүһі-]+)+")


def hardened_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass
class ReadExport:
    """An export file as lxml reads it: root attributes, and every table's rows."""

    root: dict[str, str]
    tag: str
    table_order: list[str]
    declared: dict[str, int]
    tables: dict[str, list[Row]]
    element_names: dict[str, list[list[str]]]  # per table, per row: element names in order


def read(path: Path) -> ReadExport:
    root = etree.parse(str(path), hardened_parser()).getroot()
    tables: dict[str, list[Row]] = {}
    names: dict[str, list[list[str]]] = {}
    declared: dict[str, int] = {}
    for table in root:
        declared[table.tag] = int(table.get("rows"))
        tables[table.tag] = []
        names[table.tag] = []
        for row in table:
            assert row.tag == "ROW"
            values: Row = {}
            for element in row:
                text = (element.text or "").strip()
                values[element.tag] = text or None
            tables[table.tag].append(values)
            names[table.tag].append([element.tag for element in row])
    return ReadExport(
        root=dict(root.attrib),
        tag=root.tag,
        table_order=[table.tag for table in root],
        declared=declared,
        tables=tables,
        element_names=names,
    )


# --- an independent reading of the contract -----------------------------------------------


def dictionary_codes(directory: Path = DICTIONARY_DIR) -> dict[str, dict[int, dict]]:
    return {
        name: {row.code: row.values for row in read_dictionary_file(directory / f"{name}.sql").rows}
        for name in ("T_CITIZEN", "F_NATION", "F_MARITAL", "F_POSITION", "F_PASSTYPE", "F_TRAINING")
    }


DICTIONARY_CODES = dictionary_codes()


def parse_date(value: str, length: int) -> date | None:
    if re.fullmatch(r"\d\d\.\d\d\.\d{4}", value):
        day, month, year = value[0:2], value[3:5], value[6:10]
    elif length == 8 and re.fullmatch(r"\d{8}", value):
        day, month, year = value[0:2], value[2:4], value[4:8]
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


@dataclass
class Verdict:
    """What the contract makes of an export: the rows it rejects and the warnings it counts."""

    rejected: dict[str, list[int]] = field(default_factory=dict)  # table -> row positions
    reasons: list[str] = field(default_factory=list)
    warnings: int = 0

    def count(self, table: str) -> int:
        return len(self.rejected.get(table, []))


def field_problems(kind: Kind, table_name: str, row: Row) -> tuple[list[str], int]:
    """The rule breaches of one row on its own, and its uses of liquidated codes."""
    table = TABLES[table_name]
    problems, warnings = [], 0
    for name in row:
        if name not in table.field_names:
            problems.append(f"{name} is no field of {table_name}")
    for f in table.fields:
        value = row.get(f.name)
        if value is None:
            if f.required:
                problems.append(f"{f.name} missing")
            continue
        if f.rule is not Rule.DATE and len(value) > f.length:
            problems.append(f"{f.name} longer than {f.length}")
        if f.rule is Rule.DIGITS and not (value.isascii() and value.isdigit()):
            problems.append(f"{f.name} not digits")
        elif f.rule is Rule.DATE and parse_date(value, f.length) is None:
            problems.append(f"{f.name} not a date")
        elif f.rule is Rule.YEAR and not re.fullmatch(r"\d{4}", value):
            problems.append(f"{f.name} not a year")
        elif f.rule is Rule.IIN and iin.problem(value) is not None:
            problems.append(f"{f.name}: {iin.problem(value)}")
        elif f.rule is Rule.SEX and value not in {"1", "2"}:
            problems.append(f"{f.name} not 1 or 2")
        elif f.rule is Rule.FLAG and value not in {"0", "1"}:
            problems.append(f"{f.name} not 0 or 1")
        elif f.rule is Rule.MIGRATION_TYPE and value != MIGRATION_TYPE_OF_KIND[kind]:
            problems.append(f"{f.name} disagrees with the kind")
        elif f.rule is Rule.CODE:
            entry = DICTIONARY_CODES[f.dictionary].get(int(value)) if value.isdigit() else None
            if entry is None:
                problems.append(f"{f.name} not a code of {f.dictionary}")
            elif entry["EXIST"] == 0:
                warnings += 1
        if f.not_before and row.get(f.not_before):
            later = parse_date(value, f.length)
            earlier = parse_date(row[f.not_before] or "", table.field(f.not_before).length)
            if later and earlier and later < earlier:
                problems.append(f"{f.name} before {f.not_before}")

    identifier = row.get("IIN")
    if identifier and iin.problem(identifier) is None:
        if "BIRTHDAY" in table.field_names:
            born = parse_date(row.get("BIRTHDAY") or "", 8)
            if born and iin.birth_date(identifier) != born:
                problems.append("IIN disagrees with BIRTHDAY")
            if row.get("SEX") in {"1", "2"} and iin.sex(identifier) != int(row["SEX"] or 0):
                problems.append("IIN disagrees with SEX")
        elif row.get("BIRTHYEAR"):
            if iin.birth_date(identifier).year != int(row["BIRTHYEAR"] or 0):
                problems.append("IIN disagrees with BIRTHYEAR")
    return problems, warnings


def judge(kind: Kind, export: ReadExport) -> Verdict:
    """Every rejection and warning the contract implies, person rejections cascading."""
    verdict = Verdict()
    main = MAIN_TABLE_OF_KIND[kind]

    def reject(table: str, position: int, reason: str) -> None:
        verdict.reasons.append(f"{table}[{position}]: {reason}")
        if position not in verdict.rejected.setdefault(table, []):
            verdict.rejected[table].append(position)

    for table_name, rows in export.tables.items():
        for position, row in enumerate(rows):
            problems, warnings = field_problems(kind, table_name, row)
            verdict.warnings += warnings
            for problem in problems:
                reject(table_name, position, problem)
        if "CODE" in TABLES[table_name].field_names:
            seen = Counter(row.get("CODE") for row in rows)
            for position, row in enumerate(rows):
                if seen[row.get("CODE")] > 1:
                    reject(table_name, position, "CODE not unique")

    people = {row["CODE"]: row for row in export.tables[main]}
    rejected_codes = {export.tables[main][p]["CODE"] for p in verdict.rejected.get(main, [])}
    for table_name in CHILD_TABLES:
        pairs: Counter[tuple[str | None, str | None]] = Counter()
        for position, row in enumerate(export.tables[table_name]):
            person = people.get(row.get("EMCODE"))
            if person is None:
                reject(table_name, position, "EMCODE names no person")
            elif row.get("EMCODE") in rejected_codes:
                reject(table_name, position, "its person is rejected")
            elif row.get("GSID") and row["GSID"] != person["GSID"]:
                reject(table_name, position, "GSID is not its person's")
            pairs[(row.get("EMCODE"), row.get("TRCODE"))] += 1
        if table_name == "L_EM2TR":
            for position, row in enumerate(export.tables[table_name]):
                if pairs[(row.get("EMCODE"), row.get("TRCODE"))] > 1:
                    reject(table_name, position, "(EMCODE, TRCODE) repeated")
    return verdict


def rejected_codes(export: ReadExport, verdict: Verdict, table: str) -> list[str]:
    return sorted(export.tables[table][p]["CODE"] or "" for p in verdict.rejected.get(table, []))


# --- writing ------------------------------------------------------------------------------


def write(
    tmp_path: Path, kind: Kind = Kind.EMIGRANT, persons: int = 60, **options
) -> GeneratedExport:
    period_end = options.get("period_end", date(2026, 1, 31))
    name = export_file_name(kind, period_end, options.get("seq", 1))
    directory = tmp_path / options.pop("folder", "landing")
    directory.mkdir(exist_ok=True)
    return write_export(directory / name, kind=kind, persons=persons, **options)


@pytest.fixture(scope="module")
def clean(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[Kind, tuple[GeneratedExport, ReadExport]]:
    """One clean file of each kind, 300 people, read back."""
    folder = tmp_path_factory.mktemp("clean")
    exports = {}
    for kind in Kind:
        written = write(folder, kind, 300, seed=7)
        exports[kind] = (written, read(written.path))
    return exports


# --- the file's form ----------------------------------------------------------------------


def test_file_name_and_package_follow_the_contract() -> None:
    assert export_file_name(Kind.EMIGRANT, date(2026, 1, 31), 1) == "EMIGRANT_20260131_001.xml"
    assert export_file_name("IMMIGRANT", date(2026, 2, 28), 12) == "IMMIGRANT_20260228_012.xml"
    assert generator.default_package(Kind.EMIGRANT, date(2026, 1, 31), 1) == "EM-2026-01-001"
    assert generator.default_package(Kind.IMMIGRANT, date(2026, 3, 31), 2) == "IM-2026-03-002"
    with pytest.raises(ValueError, match="three digits"):
        export_file_name(Kind.EMIGRANT, date(2026, 1, 31), 1000)


@pytest.mark.parametrize("kind", list(Kind))
def test_root_tables_and_row_counts_follow_the_contract(clean, kind: Kind) -> None:
    written, export = clean[kind]
    text = written.path.read_text(encoding="utf-8")

    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<BURKIT_EXPORT ')
    assert written.path.name == f"{kind}_20260131_001.xml"
    assert export.tag == "BURKIT_EXPORT"
    prefix = "EM" if kind is Kind.EMIGRANT else "IM"
    assert export.root == {
        "kind": str(kind),
        "package": f"{prefix}-2026-01-001",
        "period_start": "01.01.2026",
        "period_end": "31.01.2026",
        "created": "2026-02-01T03:00:00",
    }
    assert export.table_order == [t.name for t in tables_of_kind(kind)]
    assert export.declared == {name: len(rows) for name, rows in export.tables.items()}
    assert written.rows == export.declared
    assert written.rows[MAIN_TABLE_OF_KIND[kind]] == 300
    for table, rows in export.element_names.items():
        for names in rows:
            assert set(names) <= set(TABLES[table].field_names), table
            assert len(names) == len(set(names)), f"a field repeated in a {table} row"


def test_root_attributes_can_be_chosen(tmp_path: Path) -> None:
    written = write(
        tmp_path,
        Kind.IMMIGRANT,
        5,
        period_end=date(2026, 2, 28),
        seq=3,
        package="IM-TEST & <1>",
        created=datetime(2026, 3, 2, 10, 30, 5),
    )
    export = read(written.path)

    assert written.path.name == "IMMIGRANT_20260228_003.xml"
    assert export.root["package"] == "IM-TEST & <1>" == written.package
    assert export.root["period_start"] == "01.02.2026"
    assert export.root["period_end"] == "28.02.2026"
    assert export.root["created"] == "2026-03-02T10:30:05"
    assert (written.period_start, written.period_end) == (date(2026, 2, 1), date(2026, 2, 28))


# --- clean content ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(Kind))
def test_clean_file_passes_every_rule_of_the_contract(clean, kind: Kind) -> None:
    written, export = clean[kind]
    verdict = judge(kind, export)

    assert verdict.reasons == []
    assert verdict.warnings == 0 == written.warnings
    assert written.rejected == dict.fromkeys(written.rows, 0)
    assert written.rejected_persons == 0
    assert written.loaded == written.rows
    assert written.planted == {}


@pytest.mark.parametrize("kind", list(Kind))
def test_iins_are_valid_and_agree_with_birthday_and_sex(clean, kind: Kind) -> None:
    _, export = clean[kind]
    people = export.tables[MAIN_TABLE_OF_KIND[kind]]

    with_iin = [p for p in people if p.get("IIN")]
    if kind is Kind.EMIGRANT:
        assert len(with_iin) == len(people)
    else:
        assert 0 < len(with_iin) < len(people)
    for person in with_iin:
        number = person["IIN"] or ""
        assert iin.problem(number) is None
        assert iin.birth_date(number) == parse_date(person["BIRTHDAY"] or "", 8)
        assert iin.sex(number) == int(person["SEX"] or 0)
        assert int(number[6]) % 2 == (1 if person["SEX"] == "1" else 0)
    for child in export.tables["MC_EMCHILDS"]:
        if child.get("IIN"):
            assert iin.problem(child["IIN"] or "") is None
            if child.get("BIRTHYEAR"):
                assert iin.birth_date(child["IIN"] or "").year == int(child["BIRTHYEAR"] or 0)
    assert any(c.get("IIN") and c.get("BIRTHYEAR") for c in export.tables["MC_EMCHILDS"])


@pytest.mark.parametrize("kind", list(Kind))
def test_codes_are_codes_in_use_of_their_dictionaries(clean, kind: Kind) -> None:
    _, export = clean[kind]

    used: dict[str, set[int]] = {}
    for table, rows in export.tables.items():
        for f in TABLES[table].fields:
            if f.rule is not Rule.CODE:
                continue
            for row in rows:
                if row.get(f.name) is not None:
                    entry = DICTIONARY_CODES[f.dictionary][int(row[f.name] or "")]
                    assert entry["EXIST"] == 1, (table, f.name)
                    if f.dictionary == "T_CITIZEN":
                        assert entry["LEV"] == 2, "a country, not a region"
                    used.setdefault(f.dictionary, set()).add(entry["CODE"])
    # the codes vary and every dictionary field is used
    assert set(used) == {
        "T_CITIZEN",
        "F_NATION",
        "F_MARITAL",
        "F_POSITION",
        "F_PASSTYPE",
        "F_TRAINING",
    }
    assert all(len(codes) >= 2 for codes in used.values())


@pytest.mark.parametrize("kind", list(Kind))
def test_identifiers_are_unique_and_children_name_their_person(clean, kind: Kind) -> None:
    _, export = clean[kind]
    people = {p["CODE"]: p for p in export.tables[MAIN_TABLE_OF_KIND[kind]]}

    assert len(people) == len(export.tables[MAIN_TABLE_OF_KIND[kind]])
    for table, rows in export.tables.items():
        if "CODE" in TABLES[table].field_names:
            codes = [row["CODE"] or "" for row in rows]
            assert len(set(codes)) == len(codes), table
            assert all(re.fullmatch(r"\d{13}", code) for code in codes)
    assert any(code.startswith("0") for code in people), "leading zeros must be exercised"
    assert all(re.fullmatch(r"\d{13}", p["GSID"] or "") for p in people.values())

    for table in CHILD_TABLES:
        for row in export.tables[table]:
            assert row["EMCODE"] in people
    for passport in export.tables["MC_PASSPORT"]:
        assert passport["GSID"] == people[passport["EMCODE"]]["GSID"]
    links = [(row["EMCODE"], row["TRCODE"]) for row in export.tables["L_EM2TR"]]
    assert len(set(links)) == len(links)


@pytest.mark.parametrize("kind", list(Kind))
def test_people_have_realistic_documents_jobs_children_and_education(clean, kind: Kind) -> None:
    _, export = clean[kind]
    people = export.tables[MAIN_TABLE_OF_KIND[kind]]
    per_person = {
        table: Counter(row["EMCODE"] for row in export.tables[table]) for table in CHILD_TABLES
    }

    assert all(1 <= per_person["MC_PASSPORT"][p["CODE"]] <= 2 for p in people)
    assert max(per_person["MC_EMLABOR"].values()) == 3
    assert max(per_person["MC_EMCHILDS"].values()) == 3
    assert max(per_person["L_EM2TR"].values()) == 2
    assert {p["TYPE"] for p in people} == {MIGRATION_TYPE_OF_KIND[kind]}
    assert {p["SEX"] for p in people} == {"1", "2"}
    for person in people:
        assert CYRILLIC_FIO.fullmatch(person["FIO"] or ""), "FIO is Cyrillic words"
        assert len(person["FIO"] or "") <= 50
    birthdays = [p["BIRTHDAY"] or "" for p in people]
    assert any(re.fullmatch(r"\d\d\.\d\d\.\d{4}", b) for b in birthdays)
    assert any(re.fullmatch(r"\d{8}", b) for b in birthdays)
    assert any(p.get("PROF") is None for p in people)
    assert any(p.get("PROF") is not None for p in people)
    assert any(p.get("CONVICT") is None for p in people)
    for table in ("MC_PASSPORT", "MC_EMCHILDS"):
        for row in export.tables[table]:
            for name in ("GIVEDATE", "ENDDATE"):
                if row.get(name):
                    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}", row[name] or ""), "length 10 dates"
    for job in export.tables["MC_EMLABOR"]:
        assert job["FIRMA"]
    assert any(p.get("PSERIA") for p in export.tables["MC_PASSPORT"])


def test_rows_carry_the_variety_the_contract_allows(clean) -> None:
    written, export = clean[Kind.EMIGRANT]
    text = written.path.read_text(encoding="utf-8")

    assert "<![CDATA[" in text
    assert re.search(r"<[A-Z]+>\n +[^<\s]", text), "a value on its own line"
    assert re.search(r"<([A-Z]+)>  [^<]+ </\1>", text), "a value surrounded by spaces"
    assert re.search(r"<[A-Z]+/>", text), "an empty element for NULL"
    assert re.search(r"<([A-Z]+)>\s+</\1>", text), "an element of white space only"
    assert "&amp;" in text, "an ampersand in a text, escaped"
    shuffled = [
        names
        for table, rows in export.element_names.items()
        for names in rows
        if names != [n for n in TABLES[table].field_names if n in names]
    ]
    assert shuffled, "a row whose elements are out of the contract's order"


# --- encodings and determinism ------------------------------------------------------------


def test_windows_1251_file_decodes_and_holds_the_same_values(tmp_path: Path) -> None:
    utf8 = write(tmp_path, Kind.IMMIGRANT, 150, seed=3, folder="utf8")
    cp1251 = write(tmp_path, Kind.IMMIGRANT, 150, seed=3, encoding="windows-1251", folder="cp1251")
    raw = cp1251.path.read_bytes()

    assert raw.startswith(b'<?xml version="1.0" encoding="windows-1251"?>')
    text = raw.decode("cp1251")  # every byte is windows-1251
    assert "<TYPE>И</TYPE>" in text
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    # Kazakh letters that windows-1251 lacks travel as character references
    assert "&#" in text
    assert cp1251.encoding == "windows-1251"
    values = read(cp1251.path).tables
    assert values == read(utf8.path).tables
    names = " ".join(p["FIO"] or "" for p in values["M_IMMIGRANT"])
    assert re.search("[ӘҒҚҢӨҰҮҺәғқңөұүһ]", names), "Kazakh letters round-trip"
    assert re.search("[а-яё]", names)


def test_same_seed_gives_the_same_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    first = write(tmp_path, persons=80, seed=11, folder="a", faults=[Fault.MONTH_13])
    second = write(tmp_path, persons=80, seed=11, folder="b", faults=[Fault.MONTH_13])
    third = write(tmp_path, persons=80, seed=12, folder="c", faults=[Fault.MONTH_13])

    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.planted == second.planted
    assert first.path.read_bytes() != third.path.read_bytes()
    assert first.planted != third.planted


def test_the_export_record_is_frozen_and_loaded_is_rows_minus_rejected(tmp_path: Path) -> None:
    written = write(tmp_path, persons=30, faults=[Fault.WRONG_SEX, Fault.ORPHAN_PASSPORT])

    with pytest.raises(FrozenInstanceError):
        written.persons = 1  # type: ignore[misc]
    assert written.loaded == {t: written.rows[t] - written.rejected[t] for t in written.rows}
    assert written.total_rows == sum(written.rows.values())
    assert written.main_table == "M_EMIGRANT"


# --- faults -------------------------------------------------------------------------------


def damaged_as_documented(fault: Fault, kind: Kind, export: ReadExport, code: str) -> bool:
    """Whether the row the fault planted shows exactly the damage the generator documents."""
    people = export.tables[MAIN_TABLE_OF_KIND[kind]]
    if fault.on_passport:
        (passport,) = [p for p in export.tables["MC_PASSPORT"] if p["CODE"] == code]
        person = next((p for p in people if p["CODE"] == passport["EMCODE"]), None)
        if fault is Fault.ORPHAN_PASSPORT:
            return person is None
        if fault is Fault.PASSPORT_GSID_MISMATCH:
            gsids = {p["GSID"] for p in people}
            return person is not None and passport["GSID"] not in gsids
        given = parse_date(passport["GIVEDATE"] or "", 10)
        until = parse_date(passport["ENDDATE"] or "", 10)
        return given is not None and until is not None and until < given

    rows = [p for p in people if p["CODE"] == code]
    if fault is Fault.DUPLICATE_CODE:
        return len(rows) == 2
    (person,) = rows
    number = person.get("IIN") or ""
    born = parse_date(person["BIRTHDAY"] or "", 8)
    checks = {
        Fault.BAD_IIN_CHECK_DIGIT: lambda: iin.problem(number) == "wrong check digit",
        Fault.IIN_DISAGREES_WITH_BIRTHDAY: lambda: (
            iin.problem(number) is None
            and iin.birth_date(number) != born
            and iin.sex(number) == int(person["SEX"] or 0)
        ),
        Fault.IIN_DISAGREES_WITH_SEX: lambda: (
            iin.problem(number) is None
            and iin.birth_date(number) == born
            and iin.sex(number) != int(person["SEX"] or 0)
        ),
        Fault.UNKNOWN_CITIZENSHIP_CODE: lambda: (
            int(person["CITIZ"] or 0) not in DICTIONARY_CODES["T_CITIZEN"]
        ),
        Fault.MISSING_FIO: lambda: person.get("FIO") is None,
        Fault.IMPOSSIBLE_BIRTHDAY: lambda: (person["BIRTHDAY"] or "").startswith("30.02."),
        Fault.MONTH_13: lambda: (person["BIRTHDAY"] or "")[2:6] == ".13.",
        Fault.TOO_LONG_FIO: lambda: len(person["FIO"] or "") > 50,
        Fault.WRONG_SEX: lambda: person["SEX"] == "3",
        Fault.WRONG_TYPE: lambda: person["TYPE"] not in {None, MIGRATION_TYPE_OF_KIND[kind]},
        Fault.LIQUIDATED_CITIZENSHIP: lambda: (
            DICTIONARY_CODES["T_CITIZEN"][int(person["CITIZ"] or 0)]["EXIST"] == 0
        ),
    }
    return checks[fault]()


def differing_rows(clean: ReadExport, faulty: ReadExport) -> dict[str, list[int]]:
    return {
        table: [
            n for n, (a, b) in enumerate(zip(rows, faulty.tables[table], strict=True)) if a != b
        ]
        for table, rows in clean.tables.items()
    }


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("fault", list(Fault))
def test_each_fault_does_exactly_the_damage_it_documents(
    tmp_path: Path, kind: Kind, fault: Fault
) -> None:
    clean_export = read(write(tmp_path, kind, 40, seed=5, folder="clean").path)
    written = write(tmp_path, kind, 40, seed=5, faults=[fault], folder="faulty")
    export = read(written.path)
    verdict = judge(kind, export)
    main = MAIN_TABLE_OF_KIND[kind]

    # the generator's account agrees with the contract's verdict, table by table
    assert written.rows == {table: len(rows) for table, rows in export.tables.items()}
    assert written.rejected == {table: verdict.count(table) for table in written.rows}
    assert written.rejected_persons == verdict.count(main)
    assert written.warnings == verdict.warnings
    assert written.loaded == {t: written.rows[t] - verdict.count(t) for t in written.rows}

    # the planted rows are the rejected ones and show the documented damage
    codes = written.planted[fault.value]
    assert list(written.planted) == [fault.value]
    assert len(codes) == fault.persons
    for code in codes:
        assert damaged_as_documented(fault, kind, export, code)
    if fault.on_passport:
        assert rejected_codes(export, verdict, "MC_PASSPORT") == codes
        assert verdict.count(main) == 0
        assert sum(written.rejected.values()) == 1
    elif fault.rejects:
        assert rejected_codes(export, verdict, main) == sorted(codes)
        people = [p for p in export.tables[main] if p["CODE"] in codes]
        cascaded = {
            table: sum(1 for row in export.tables[table] if row["EMCODE"] in codes)
            for table in CHILD_TABLES
        }
        assert {t: written.rejected[t] for t in CHILD_TABLES} == cascaded
        assert written.rejected_persons == len(people) == fault.persons
    else:
        assert verdict.reasons == []
        assert written.warnings == 1
        assert sum(written.rejected.values()) == 0

    # and nothing else changed: every other row is the clean file's row
    changed = differing_rows(clean_export, export)
    for table, positions in changed.items():
        for position in positions:
            row = export.tables[table][position]
            planted_row = row.get("CODE") in codes and (
                table == main or (fault.on_passport and table == "MC_PASSPORT")
            )
            assert planted_row or position in verdict.rejected.get(table, []), (table, row)
    main_changes = 0 if fault.on_passport else 1  # a duplicate changes only its second row
    assert len(changed[main]) == main_changes


@pytest.mark.parametrize("kind", list(Kind))
def test_many_faults_together_each_hit_their_own_people(tmp_path: Path, kind: Kind) -> None:
    faults = [*Fault, Fault.WRONG_SEX, Fault.ORPHAN_PASSPORT, Fault.DUPLICATE_CODE]
    written = write(tmp_path, kind, 50, seed=9, faults=faults)
    export = read(written.path)
    verdict = judge(kind, export)
    main = MAIN_TABLE_OF_KIND[kind]

    assert written.rejected == {table: verdict.count(table) for table in written.rows}
    assert written.warnings == verdict.warnings == 1
    person_codes = [
        code for f in Fault if not f.on_passport and f.rejects for code in written.planted[f]
    ]
    assert len(written.planted["WRONG_SEX"]) == 2
    assert len(written.planted["DUPLICATE_CODE"]) == 4
    assert len(set(person_codes)) == len(person_codes) - 2  # two duplicated CODEs
    assert rejected_codes(export, verdict, main) == sorted(person_codes)
    passport_codes = [code for f in Fault if f.on_passport for code in written.planted[f]]
    assert len(passport_codes) == 4
    assert rejected_codes(export, verdict, "MC_PASSPORT") == sorted(
        passport_codes
        + [p["CODE"] or "" for p in export.tables["MC_PASSPORT"] if p["EMCODE"] in person_codes]
    )


def test_too_many_faults_for_the_people_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="need 3 people"):
        write(tmp_path, persons=2, faults=[Fault.MISSING_FIO, Fault.DUPLICATE_CODE])
    with pytest.raises(ValueError, match="is not a valid Fault"):
        write(tmp_path, persons=2, faults=["NO_SUCH_FAULT"])
    with pytest.raises(LookupError):
        write(tmp_path, persons=2, encoding="no-such-encoding")
    assert list((tmp_path / "landing").iterdir()) == []


def test_faults_may_be_named_by_string(tmp_path: Path) -> None:
    written = write(tmp_path, persons=10, faults=["WRONG_TYPE"])

    assert list(written.planted) == ["WRONG_TYPE"]
    assert written.rejected_persons == 1


# --- dictionaries and samples -------------------------------------------------------------


def test_codes_come_from_the_dictionary_folder_given(tmp_path: Path) -> None:
    folder = tmp_path / "dictionaries"
    shutil.copytree(DICTIONARY_DIR, folder)
    marital = folder / "F_MARITAL.sql"
    kept = [line for line in marital.read_text().splitlines() if "values (7," not in line]
    kept = [line for line in kept if not re.search(r"values \([1-5],", line)]
    marital.write_text("\n".join(kept) + "\n")

    written = write(tmp_path, persons=100, dictionary_dir=folder)
    people = read(written.path).tables["M_EMIGRANT"]

    assert {p.get("MARITAL") for p in people} == {None, "6"}


def test_samples_appear_only_as_complete_xml_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = tmp_path / "landing"
    renames: list[tuple[str, str]] = []
    real_replace = os.replace

    def replace(source: Path, target: Path) -> None:
        # at the moment of the rename the file is complete and no .xml of it exists yet
        assert not Path(target).exists()
        etree.parse(str(source), hardened_parser())
        renames.append((Path(source).name, Path(target).name))
        real_replace(source, target)

    monkeypatch.setattr(generator.os, "replace", replace)
    samples = write_samples(landing)

    assert [s.path.name for s in samples] == [
        "EMIGRANT_20260131_001.xml",
        "IMMIGRANT_20260131_001.xml",
        "EMIGRANT_20260228_001.xml",
    ]
    assert renames == [(f"{s.path.name}.part", s.path.name) for s in samples]
    assert sorted(p.name for p in landing.iterdir()) == sorted(s.path.name for s in samples)
    emigrants, immigrants, faulty = samples
    assert (emigrants.persons, emigrants.encoding, emigrants.rejected_persons) == (200, "UTF-8", 0)
    assert (immigrants.kind, immigrants.encoding) == (Kind.IMMIGRANT, "windows-1251")
    assert immigrants.path.read_bytes().startswith(b'<?xml version="1.0" encoding="windows-1251"')
    assert faulty.rejected_persons > 0
    assert faulty.warnings == 1
    assert faulty.rejected["MC_PASSPORT"] > 0
    for sample in samples:
        export = read(sample.path)
        verdict = judge(sample.kind, export)
        assert sample.rejected == {t: verdict.count(t) for t in sample.rows}
        assert export.root["package"] == sample.package
    assert len({s.package for s in samples}) == 3


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object, **__: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(generator.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write(tmp_path, persons=5)
    assert list((tmp_path / "landing").iterdir()) == []


def test_twenty_thousand_people_stream_out_with_about_four_and_three_quarter_rows_each(
    tmp_path: Path,
) -> None:
    written = write(tmp_path, persons=20_000, seed=1)

    declared: dict[str, int] = {}
    counted: Counter[str] = Counter()
    for event, element in etree.iterparse(
        str(written.path), events=("start", "end"), resolve_entities=False, no_network=True
    ):
        if event == "start" and element.get("rows") is not None:
            declared[element.tag] = int(element.get("rows"))
        elif event == "end" and element.tag == "ROW":
            counted[element.getparent().tag] += 1
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    assert declared == dict(counted) == written.rows
    assert 4.5 < written.total_rows / written.persons < 5.0
    assert 15_000_000 < written.path.stat().st_size < 30_000_000
