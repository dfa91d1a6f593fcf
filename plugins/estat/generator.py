"""Synthetic Burkit-MO export files, written exactly in the exchange contract's format.

:func:`write_export` writes one export file (``EMIGRANT_20260131_001.xml`` and so on) of
made-up people: Cyrillic Kazakh and Russian names, valid IINs that agree with the birth
date and sex, codes in use (``EXIST = 1``) taken from the dictionary files, one or two
identity documents, up to three jobs, up to three children and up to two education links
per person, about 4.75 rows per person in all. Every record passes every rule of the
contract unless a :class:`Fault` is planted. The file also carries the variety the
contract allows a sender: values wrapped in CDATA or surrounded by white space, elements
shuffled inside a ``ROW``, a missing optional field written as an empty element, birth
dates and job dates as ``DDMMYYYY`` as well as ``DD.MM.YYYY``.

The file is streamed: each table's ``rows`` attribute comes first, so a first pass draws
the few facts every table needs about each person (birth date, sex, names, citizenship and
how many documents, jobs, children and education links they have) into compact arrays,
and then every table is written row by row from a random stream of its own. Nothing holds
a table's rows. The same arguments give a byte-identical file. Planting a fault changes
only the values it names and draws nothing from the streams, so a file with faults holds
the same rows as the clean file of the same seed everywhere else.

Faults
------
Each fault planted hits a person of its own, chosen from the seed, never one hit by
another fault (a fault listed twice is planted twice, on two people). A fault on a
person's main row makes the pipeline reject the person and, by cascade, all their rows
in the child tables; a fault on a document rejects that document row alone.

``BAD_IIN_CHECK_DIGIT``
    The person's IIN keeps its birth date, century, sex and serial but its twelfth digit
    is not the check digit (an immigrant hit by it is given an IIN). Rejects the person.
``IIN_DISAGREES_WITH_BIRTHDAY``
    The IIN is a valid IIN of the person's sex, but of a birth date 40 days after
    BIRTHDAY (40 days before when that would be after the period). Rejects the person.
``IIN_DISAGREES_WITH_SEX``
    The IIN is a valid IIN of the person's birth date, but of the other sex than SEX.
    Rejects the person.
``UNKNOWN_CITIZENSHIP_CODE``
    CITIZ holds a number that is no CODE of T_CITIZEN (999 unless the dictionary uses
    it). Rejects the person.
``MISSING_FIO``
    The mandatory FIO is NULL (the element is missing, or empty in a varied row).
    Rejects the person.
``IMPOSSIBLE_BIRTHDAY``
    BIRTHDAY is 30 February of the person's birth year (``30.02.YYYY``). Rejects the
    person.
``MONTH_13``
    BIRTHDAY names month 13 (``DD.13.YYYY``, the person's day and year). Rejects the
    person.
``TOO_LONG_FIO``
    FIO is the person's name lengthened with further names to 51 characters or more,
    longer than the contract's 50. Rejects the person.
``WRONG_SEX``
    SEX is ``3``, neither male nor female. Rejects the person.
``DUPLICATE_CODE``
    Hits two people: the second's CODE is set to the first's, and the second's child rows
    name that CODE as their EMCODE. The CODE is no longer unique, so both people are
    rejected with all their child rows. Its entry in ``planted`` lists the CODE twice, once
    per row that holds it.
``WRONG_TYPE``
    TYPE is the other kind's letter (``И`` in an emigrant file, ``Э`` in an immigrant
    file). Rejects the person.
``ORPHAN_PASSPORT``
    The person's first identity document names, as its EMCODE, a CODE that no person of
    the file holds. Rejects that document row only.
``PASSPORT_GSID_MISMATCH``
    The person's first identity document holds a GSID that is not the person's (nor any
    other person's). Rejects that document row only.
``ENDDATE_BEFORE_GIVEDATE``
    The person's first identity document is valid until the day before its issue date.
    Rejects that document row only.
``LIQUIDATED_CITIZENSHIP``
    CITIZ holds a country marked liquidated (``EXIST = 0``) in T_CITIZEN, the USSR (810)
    when the dictionary has it. The record stays valid; the quality report counts one
    warning.

Clean rows never use a liquidated code, so ``warnings`` counts exactly the
``LIQUIDATED_CITIZENSHIP`` faults.
"""

from __future__ import annotations

import codecs
import logging
import os
import random
import time
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

from estat import config, iin
from estat.contract import (
    CHILD_TABLES,
    MAIN_TABLE_OF_KIND,
    MIGRATION_TYPE_OF_KIND,
    TABLES,
    Kind,
    Rule,
    Table,
    tables_of_kind,
)
from estat.sqlinsert import DictionaryVersion, read_dictionary_file

log = logging.getLogger(__name__)


class Fault(StrEnum):
    """A known bad record that :func:`write_export` can plant (see the module docstring)."""

    BAD_IIN_CHECK_DIGIT = "BAD_IIN_CHECK_DIGIT"
    IIN_DISAGREES_WITH_BIRTHDAY = "IIN_DISAGREES_WITH_BIRTHDAY"
    IIN_DISAGREES_WITH_SEX = "IIN_DISAGREES_WITH_SEX"
    UNKNOWN_CITIZENSHIP_CODE = "UNKNOWN_CITIZENSHIP_CODE"
    MISSING_FIO = "MISSING_FIO"
    IMPOSSIBLE_BIRTHDAY = "IMPOSSIBLE_BIRTHDAY"
    MONTH_13 = "MONTH_13"
    TOO_LONG_FIO = "TOO_LONG_FIO"
    WRONG_SEX = "WRONG_SEX"
    DUPLICATE_CODE = "DUPLICATE_CODE"
    WRONG_TYPE = "WRONG_TYPE"
    ORPHAN_PASSPORT = "ORPHAN_PASSPORT"
    PASSPORT_GSID_MISMATCH = "PASSPORT_GSID_MISMATCH"
    ENDDATE_BEFORE_GIVEDATE = "ENDDATE_BEFORE_GIVEDATE"
    LIQUIDATED_CITIZENSHIP = "LIQUIDATED_CITIZENSHIP"

    @property
    def on_passport(self) -> bool:
        """The fault damages one MC_PASSPORT row, not the person's main row."""
        return self in _PASSPORT_FAULTS

    @property
    def rejects(self) -> bool:
        """The damaged row is rejected (a liquidated code is only a warning)."""
        return self is not Fault.LIQUIDATED_CITIZENSHIP

    @property
    def persons(self) -> int:
        """How many people one planting of the fault hits."""
        return 2 if self is Fault.DUPLICATE_CODE else 1


_PASSPORT_FAULTS = frozenset(
    {Fault.ORPHAN_PASSPORT, Fault.PASSPORT_GSID_MISMATCH, Fault.ENDDATE_BEFORE_GIVEDATE}
)


@dataclass(frozen=True)
class GeneratedExport:
    """What a written export file holds and what the pipeline must make of it.

    Everything here comes from the generator's own choices, not from reading the file.
    ``rows`` is the number of ``ROW`` elements per table (the ``rows`` attributes);
    ``rejected`` is how many of them the pipeline must quarantine, cascaded child rows of
    rejected people and both rows of a duplicated CODE included; ``planted`` maps each
    planted fault to the CODE of every row it damaged (the main table's CODE for a fault
    on a person, the document's CODE for a fault on a document).
    """

    path: Path
    kind: Kind
    package: str
    period_start: date
    period_end: date
    created: datetime
    encoding: str
    seed: int
    persons: int
    rows: dict[str, int]
    rejected: dict[str, int]
    rejected_persons: int
    warnings: int
    planted: dict[str, list[str]]

    @property
    def main_table(self) -> str:
        return MAIN_TABLE_OF_KIND[self.kind]

    @property
    def loaded(self) -> dict[str, int]:
        """Rows per table that the pipeline must load: written minus rejected."""
        return {table: count - self.rejected[table] for table, count in self.rows.items()}

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _check_seq(seq: int) -> None:
    if not 1 <= seq <= 999:
        raise ValueError(f"an export's sequence number has three digits, not {seq}")


def export_file_name(kind: Kind | str, period_end: date, seq: int = 1) -> str:
    """The contract's file name, ``{KIND}_{YYYYMMDD}_{SEQ:03d}.xml``."""
    _check_seq(seq)
    return f"{Kind(kind)}_{period_end:%Y%m%d}_{seq:03d}.xml"


def default_package(kind: Kind | str, period_end: date, seq: int = 1) -> str:
    """The package name Burkit-MO gives an export, ``EM-2026-01-001`` or ``IM-...``."""
    _check_seq(seq)
    prefix = "EM" if Kind(kind) is Kind.EMIGRANT else "IM"
    return f"{prefix}-{period_end:%Y-%m}-{seq:03d}"


# --- names and texts ----------------------------------------------------------------------


def _female_surname(surname: str) -> str:
    for male, female in (("ский", "ская"), ("цкий", "цкая")):
        if surname.endswith(male):
            return surname[: -len(male)] + female
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname


@dataclass(frozen=True)
class _NameGroup:
    """Surnames, first names and patronymics that go together, and the codes they suggest."""

    surnames: tuple[tuple[str, str], ...]  # (male form, female form)
    fathers: tuple[tuple[str, str, str], ...]  # (male name, son's patronymic, daughter's)
    female_names: tuple[str, ...]
    nations: tuple[str, ...]  # preferred F_NATION codes
    homelands: tuple[str, ...]  # T_CITIZEN codes immigrants of the group come from


def _kazakh_fathers(names: Iterable[str]) -> tuple[tuple[str, str, str], ...]:
    # Both forms of patronymic are in use: the Russian -ович / -овна and the Kazakh -ұлы / -қызы.
    return tuple(
        (name, f"{name}ович", f"{name}овна") if n % 2 == 0 else (name, f"{name}ұлы", f"{name}қызы")
        for n, name in enumerate(names)
    )


_KAZAKH = _NameGroup(
    surnames=tuple(
        (s, _female_surname(s))
        for s in (
            "Ахметов",
            "Нурланов",
            "Сериков",
            "Жумабаев",
            "Касымов",
            "Абдрахманов",
            "Искаков",
            "Омаров",
            "Бекмуханов",
            "Сатпаев",
            "Тулегенов",
            "Есенов",
            "Кенжебаев",
            "Мухамедов",
            "Байтурсынов",
            "Әлиев",
            "Құнанбаев",
            "Сәрсенбаев",
            "Оспанов",
            "Смагулов",
            "Жақсылықов",
            "Калиев",
            "Нургалиев",
            "Утегенов",
            "Ермеков",
            "Досмұхамедов",
            "Бөкейханов",
            "Серікбаев",
            "Жанұзақов",
            "Шәріпов",
        )
    ),
    fathers=_kazakh_fathers(
        (
            "Нурлан",
            "Серік",
            "Ерлан",
            "Асхат",
            "Бауыржан",
            "Данияр",
            "Ержан",
            "Айдос",
            "Арман",
            "Қайрат",
            "Мұхтар",
            "Тимур",
            "Әлихан",
            "Санжар",
            "Ерболат",
            "Жандос",
            "Марат",
            "Болат",
            "Нұржан",
            "Ғалым",
            "Дәурен",
            "Асқар",
        )
    ),
    female_names=(
        "Айгерим",
        "Гульнара",
        "Динара",
        "Жанар",
        "Асель",
        "Сауле",
        "Камила",
        "Меруерт",
        "Айжан",
        "Әсел",
        "Гүлнұр",
        "Жансая",
        "Томирис",
        "Аружан",
        "Ақбота",
        "Назерке",
        "Балжан",
        "Жұлдыз",
    ),
    nations=("1",),
    homelands=("860", "156", "496", "795", "643", "417"),
)

_SLAVIC = _NameGroup(
    surnames=tuple(
        (s, _female_surname(s))
        for s in (
            "Иванов",
            "Петров",
            "Смирнов",
            "Кузнецов",
            "Попов",
            "Васильев",
            "Соколов",
            "Михайлов",
            "Новиков",
            "Фёдоров",
            "Морозов",
            "Волков",
            "Алексеев",
            "Лебедев",
            "Семёнов",
            "Егоров",
            "Павлов",
            "Козлов",
            "Степанов",
            "Николаев",
            "Орлов",
            "Андреев",
            "Макаров",
            "Никитин",
            "Захаров",
            "Зайцев",
            "Борисов",
            "Яковлев",
            "Романов",
            "Ковалевский",
            "Шевченко",
            "Бондаренко",
            "Ким",
            "Пак",
            "Цой",
            "Шмидт",
            "Вагнер",
            "Мюллер",
            "Рихтер",
        )
    ),
    fathers=(
        ("Алексей", "Алексеевич", "Алексеевна"),
        ("Сергей", "Сергеевич", "Сергеевна"),
        ("Андрей", "Андреевич", "Андреевна"),
        ("Дмитрий", "Дмитриевич", "Дмитриевна"),
        ("Владимир", "Владимирович", "Владимировна"),
        ("Александр", "Александрович", "Александровна"),
        ("Николай", "Николаевич", "Николаевна"),
        ("Игорь", "Игоревич", "Игоревна"),
        ("Михаил", "Михайлович", "Михайловна"),
        ("Виктор", "Викторович", "Викторовна"),
        ("Евгений", "Евгеньевич", "Евгеньевна"),
        ("Павел", "Павлович", "Павловна"),
        ("Олег", "Олегович", "Олеговна"),
        ("Юрий", "Юрьевич", "Юрьевна"),
        ("Иван", "Иванович", "Ивановна"),
        ("Пётр", "Петрович", "Петровна"),
        ("Артём", "Артёмович", "Артёмовна"),
        ("Константин", "Константинович", "Константиновна"),
    ),
    female_names=(
        "Ольга",
        "Елена",
        "Татьяна",
        "Наталья",
        "Ирина",
        "Светлана",
        "Анна",
        "Мария",
        "Екатерина",
        "Юлия",
        "Оксана",
        "Людмила",
        "Валентина",
        "Дарья",
        "Алина",
        "Виктория",
    ),
    nations=("2", "2", "2", "2", "4", "4", "12", "6", "6", "9"),
    homelands=("643", "643", "804", "112", "276", "860"),
)

_GROUPS = (_KAZAKH, _SLAVIC)

# Names added, in turn, to lengthen an FIO past the contract's 50 characters.
_EXTRA_NAMES = ("Мария-Антуанетта", "Константинопольская", "Александровна", "Бекмухамедова")

_PROFESSIONS = (
    "инженер-строитель",
    "врач-терапевт",
    "учитель начальных классов",
    "экономист",
    "бухгалтер",
    "программист",
    "юрист",
    "медицинская сестра",
    "агроном",
    "электрогазосварщик",
    "водитель",
    "инженер-нефтяник",
    "преподаватель казахского языка и литературы",
    "архитектор",
    "механик",
    "повар",
    "ветеринарный врач",
    "менеджер по продажам",
    "инженер по технике безопасности & охране труда",
)

_ORGANISATIONS = (
    "АО «Казахтелеком»",
    "АО «НК «КазМунайГаз»",
    "АО «Қазақстан темір жолы»",
    "ТОО «Тау & Дала»",
    "ТОО «Алматы Құрылыс»",
    "КГУ «Средняя школа № 12»",
    "ГКП на ПХВ «Городская поликлиника № 5»",
    'ИП "Сейтжанов"',
    "АО «Kaspi Bank»",
    "ТОО «Procter & Gamble Kazakhstan Distribution»",
    "ТОО «Север <Логистик>»",
    "ТОО «Агрофирма «Родина»",
    "ТОО «Шымкент Сүт»",
    "РГП «Казгидромет»",
)

_POSTS = (
    "инженер",
    "бухгалтер",
    "учитель",
    "водитель",
    "менеджер",
    "врач",
    "оператор",
    "директор",
    "продавец-консультант",
    "главный специалист",
    "слесарь-ремонтник",
)

_LATIN = "ABCEHKMNPTX"


# --- dictionaries -------------------------------------------------------------------------


class _Pool:
    """The codes a field may take, as the strings written in the file."""

    def __init__(self, codes: Iterable[str]) -> None:
        self.codes = tuple(codes)
        self._known = frozenset(self.codes)
        if not self.codes:
            raise ValueError("a dictionary has no code in use")

    def __contains__(self, code: str) -> bool:
        return code in self._known

    def pick(self, u: float) -> str:
        return self.codes[int(u * len(self.codes))]

    def prefer(self, codes: Iterable[str]) -> _Pool:
        """The preferred codes that are in use, or every code when none is."""
        preferred = [c for c in codes if c in self._known]
        return _Pool(preferred) if preferred else self


@dataclass(frozen=True)
class _CodeBook:
    """The codes of every dictionary field, read from the sql-insert files."""

    countries: _Pool
    nations: _Pool
    maritals: _Pool
    positions: _Pool
    passport_types: _Pool
    trainings: _Pool
    liquidated_country: str | None
    unknown_country: str

    @classmethod
    def read(cls, directory: Path) -> _CodeBook:
        def version(name: str) -> DictionaryVersion:
            return read_dictionary_file(directory / f"{name}.sql")

        def in_use(name: str) -> _Pool:
            return _Pool(str(r.code) for r in version(name).rows if r.values["EXIST"] == 1)

        citizen = version("T_CITIZEN").rows
        countries = [r for r in citizen if r.values["LEV"] == 2]
        liquidated = [str(r.code) for r in countries if r.values["EXIST"] == 0]
        taken = {r.code for r in citizen}
        return cls(
            countries=_Pool(str(r.code) for r in countries if r.values["EXIST"] == 1),
            nations=in_use("F_NATION"),
            maritals=in_use("F_MARITAL"),
            positions=in_use("F_POSITION"),
            passport_types=in_use("F_PASSTYPE"),
            trainings=in_use("F_TRAINING"),
            liquidated_country="810" if "810" in liquidated else next(iter(liquidated), None),
            unknown_country=str(next(c for c in range(999, 10**9) if c not in taken)),
        )


# --- identifiers and dates ----------------------------------------------------------------

_IDENTIFIER_SPAN = 10**13


class _Identifiers:
    """A one-to-one map from a row's number to a 13-digit identifier (leading zeros kept)."""

    def __init__(self, rng: random.Random) -> None:
        self._base = rng.randrange(_IDENTIFIER_SPAN)
        step = rng.randrange(_IDENTIFIER_SPAN // 10, _IDENTIFIER_SPAN // 10 * 9) | 1
        # coprime to 10**13, so that distinct numbers below 10**13 never share an identifier
        self._step = step + 2 if step % 5 == 0 else step

    def __call__(self, number: int) -> str:
        return f"{(self._base + number * self._step) % _IDENTIFIER_SPAN:013d}"


_YEAR = 365.2425


# A file holds a few tens of thousands of distinct days, each written many times.
@lru_cache(maxsize=1 << 16)
def _dotted(ordinal: int) -> str:
    day = date.fromordinal(ordinal)
    return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"


@lru_cache(maxsize=1 << 16)
def _compact(ordinal: int) -> str:
    day = date.fromordinal(ordinal)
    return f"{day.day:02d}{day.month:02d}{day.year:04d}"


def _iin(born: int, sex: int, serial: int) -> str:
    """A valid IIN for the birth date and sex, from the serial or the next that admits one."""
    day = date.fromordinal(born)
    for step in range(10000):
        number = iin.compose(day, sex, (serial + step) % 10000)
        if number is not None:
            return number
    raise AssertionError("every birth date admits some serial")


# --- the people ---------------------------------------------------------------------------

# (share of people, youngest, oldest) by age at the end of the period
_AGES = ((0.17, 0, 17), (0.25, 18, 29), (0.28, 30, 44), (0.18, 45, 59), (0.12, 60, 85))


class _People:
    """What every table needs to know about each person, drawn once, in compact arrays."""

    def __init__(self, count: int, rng: random.Random, kind: Kind, end: int, book: _CodeBook):
        r = rng.random
        self.born = array("l")
        self.sex = bytearray()
        self.group = bytearray()
        self.surname = array("H")
        self.first_name = array("H")
        self.citizenship = array("H")
        self.passports = bytearray()
        self.jobs = bytearray()
        self.children = bytearray()
        self.educations = bytearray()
        countries = book.countries
        kazakhstan = countries.prefer(("398",))
        homelands = [countries.prefer(g.homelands) for g in _GROUPS]
        country_index = {code: n for n, code in enumerate(countries.codes)}
        kazakh_share = 0.35 if kind is Kind.EMIGRANT else 0.6
        for _ in range(count):
            youngest, oldest = _age_band(r())
            age_days = int((youngest + r() * (oldest - youngest + 1)) * _YEAR)
            born = end - age_days
            age = age_days / _YEAR
            sex = 1 if r() < 0.5 else 2
            group_index = 0 if r() < kazakh_share else 1
            group = _GROUPS[group_index]
            names = group.fathers if sex == 1 else group.female_names
            if kind is Kind.EMIGRANT and r() < 0.96:
                citizenship = kazakhstan.pick(r())
            else:
                citizenship = homelands[group_index].pick(r())

            self.born.append(born)
            self.sex.append(sex)
            self.group.append(group_index)
            self.surname.append(int(r() * len(group.surnames)))
            self.first_name.append(int(r() * len(names)))
            self.citizenship.append(country_index[citizenship])
            self.passports.append(2 if r() < 0.33 else 1)
            self.jobs.append(_count(r(), (0.3, 0.68, 0.88)) if age >= 18 else 0)
            self.children.append(_count(r(), (0.5, 0.75, 0.92)) if 20 <= age < 62 else 0)
            self.educations.append(_count(r(), (0.15, 0.9)) if age >= 6 else 0)

    def age(self, person: int, end: int) -> float:
        return (end - self.born[person]) / _YEAR


def _age_band(u: float) -> tuple[int, int]:
    total = 0.0
    for share, youngest, oldest in _AGES:
        total += share
        if u < total:
            return youngest, oldest
    return _AGES[-1][1:]


def _count(u: float, thresholds: tuple[float, ...]) -> int:
    for count, threshold in enumerate(thresholds):
        if u < threshold:
            return count
    return len(thresholds)


# --- writing rows -------------------------------------------------------------------------

# Share of rows written with the variety the contract allows (CDATA, white space, empty
# elements, shuffled order, one element per line); the rest are plain, one line each.
_VARIED_ROW_SHARE = 0.08
_BUFFERED_ROWS = 2048


def _escaped(value: str) -> str:
    if "&" in value or "<" in value or ">" in value:
        return escape(value)
    return value


class _TableWriter:
    """Writes one table element: its ``rows`` attribute, then its rows as they come."""

    def __init__(self, out: TextIO, table: Table, rows: int, encoding: str) -> None:
        self._out = out
        self._names = table.field_names
        self._open = tuple(f"<{name}>" for name in self._names)
        self._close = tuple(f"</{name}>" for name in self._names)
        self._text = tuple(f.rule is Rule.TEXT for f in table.fields)
        self._text_fields = tuple(i for i, text in enumerate(self._text) if text)
        self._utf8 = codecs.lookup(encoding).name == "utf-8"
        self._encoding = encoding
        self._buffer: list[str] = []
        self._table = table.name
        self._declared = rows
        self._written = 0
        out.write(f'  <{table.name} rows="{rows}">\n')

    def write(self, rng: random.Random, values: list[str | None]) -> None:
        """Write one row; ``values`` follow the contract's field order, None for NULL."""
        if rng.random() < _VARIED_ROW_SHARE:
            self._buffer.append(self._varied(rng, values))
        else:
            for i in self._text_fields:
                value = values[i]
                if value is not None:
                    values[i] = _escaped(value)
            elements = [
                f"{open_tag}{value}{close_tag}"
                for open_tag, value, close_tag in zip(self._open, values, self._close, strict=True)
                if value is not None
            ]
            self._buffer.append(f"    <ROW>{''.join(elements)}</ROW>\n")
        self._written += 1
        if len(self._buffer) >= _BUFFERED_ROWS:
            self._flush()

    def close(self) -> None:
        self._flush()
        if self._written != self._declared:
            raise AssertionError(
                f"{self._table}: {self._written} rows written, {self._declared} declared"
            )
        self._out.write(f"  </{self._table}>\n")

    def _flush(self) -> None:
        self._out.write("".join(self._buffer))
        self._buffer.clear()

    def _varied(self, rng: random.Random, values: list[str | None]) -> str:
        # The draws depend on the number of fields only, never on the values, so a planted
        # fault leaves the rest of the stream as it was.
        order = list(range(len(values)))
        if rng.random() < 0.5:
            rng.shuffle(order)
        parts = ["    <ROW>\n"]
        for i in order:
            u = rng.random()
            value = values[i]
            open_tag, close_tag = self._open[i], self._close[i]
            if value is None:
                if u < 0.4:
                    continue
                if u < 0.6:
                    element = f"<{self._names[i]}/>"
                elif u < 0.8:
                    element = f"{open_tag}{close_tag}"
                else:
                    element = f"{open_tag}\n        {close_tag}"
            elif u < 0.2 and self._cdata_safe(value):
                element = f"{open_tag}<![CDATA[{value}]]>{close_tag}"
            elif u < 0.3 and self._cdata_safe(value):
                element = f"{open_tag}\n        <![CDATA[{value}]]>\n      {close_tag}"
            else:
                text = _escaped(value) if self._text[i] else value
                if u < 0.45:
                    element = f"{open_tag}\n        {text}\n      {close_tag}"
                elif u < 0.6:
                    element = f"{open_tag}  {text} {close_tag}"
                else:
                    element = f"{open_tag}{text}{close_tag}"
            parts.append(f"      {element}\n")
        parts.append("    </ROW>\n")
        return "".join(parts)

    def _cdata_safe(self, value: str) -> bool:
        # Outside CDATA a character the encoding lacks becomes a character reference; inside
        # CDATA it cannot, so such a value is written as ordinary text.
        if "]]>" in value:
            return False
        if self._utf8:
            return True
        try:
            value.encode(self._encoding)
        except UnicodeEncodeError:
            return False
        return True


# --- the export ---------------------------------------------------------------------------


@dataclass
class _Plan:
    """Which people the planted faults hit."""

    person_faults: dict[int, Fault]
    passport_faults: dict[int, Fault]
    duplicate_of: dict[int, int]  # second person of a DUPLICATE_CODE -> first person
    order: list[tuple[Fault, tuple[int, ...]]]  # each planting with its people


def _plan(faults: Sequence[Fault], persons: int, rng: random.Random) -> _Plan:
    needed = sum(f.persons for f in faults)
    if needed > persons:
        raise ValueError(f"{len(faults)} faults need {needed} people, the export has {persons}")
    chosen = iter(rng.sample(range(persons), needed))
    plan = _Plan({}, {}, {}, [])
    for fault in faults:
        hit = tuple(next(chosen) for _ in range(fault.persons))
        plan.order.append((fault, hit))
        if fault.on_passport:
            plan.passport_faults[hit[0]] = fault
        else:
            for person in hit:
                plan.person_faults[person] = fault
        if fault is Fault.DUPLICATE_CODE:
            plan.duplicate_of[hit[1]] = hit[0]
    return plan


class _Export:
    """The content of one export file, table by table."""

    def __init__(
        self, kind: Kind, persons: int, seed: int, period_end: date, book: _CodeBook
    ) -> None:
        self.kind = kind
        self.count = persons
        self.seed = seed
        self.book = book
        self.end = period_end.toordinal()
        self.end_year = period_end.year
        self.people = _People(persons, self.stream("people"), kind, self.end, book)
        self.codes = {name: _Identifiers(self.stream(f"{name}:CODE")) for name in TABLES}
        self.gsids = _Identifiers(self.stream("GSID"))

    def stream(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{self.kind}:{name}")

    def person_code(self, person: int) -> str:
        return self.codes[MAIN_TABLE_OF_KIND[self.kind]](person)

    # -- the main table --

    def person_rows(self, plan: _Plan, rng: random.Random) -> Iterator[list[str | None]]:
        r = rng.random
        people, book = self.people, self.book
        emigrant = self.kind is Kind.EMIGRANT
        migration_type = MIGRATION_TYPE_OF_KIND[self.kind]
        nations = [book.nations.prefer(g.nations) for g in _GROUPS]
        minors_marital = book.maritals.prefer(("1",))
        adult_positions = book.positions.prefer(
            c for c in book.positions.codes if c not in {"7", "9", "10"}
        )
        preschool, pupil = book.positions.prefer(("10",)), book.positions.prefer(("9",))
        pensioner = book.positions.prefer(("7",))
        for person in range(self.count):
            group = _GROUPS[people.group[person]]
            sex = people.sex[person]
            born = people.born[person]
            age = people.age(person, self.end)
            citizenship = book.countries.codes[people.citizenship[person]]

            surname = group.surnames[people.surname[person]][sex - 1]
            if sex == 1:
                first_name = group.fathers[people.first_name[person]][0]
            else:
                first_name = group.female_names[people.first_name[person]]
            patronymic = group.fathers[int(r() * len(group.fathers))][sex]
            fio = f"{surname} {first_name}"
            if r() < (0.99 if emigrant else 0.9) and len(fio) + len(patronymic) < 50:
                fio = f"{fio} {patronymic}"

            serial = int(r() * 10000)
            has_iin = r() < 0.6 or emigrant
            birthday = _compact(born) if r() < 0.15 else _dotted(born)

            u = r()
            if age < 7:
                position = preschool.pick(u)
            elif age < 18:
                position = pupil.pick(u)
            elif age >= 63 and u < 0.8:
                position = pensioner.pick(u / 0.8)
            else:
                position = adult_positions.pick(u)
            if r() < 0.08:
                position = None

            u = r()
            nation = nations[people.group[person]].pick(u / 0.85) if u < 0.85 else None
            if nation is None and u < 0.93:
                nation = book.nations.pick((u - 0.85) / 0.08)

            u = r()
            if emigrant:
                departure = "398" if u < 0.7 and "398" in book.countries else None
            else:
                departure = citizenship if u < 0.6 else book.countries.pick((u - 0.6) / 0.4)
            u = r()
            former_share = 0.1 if emigrant else 0.45
            former = book.countries.pick(u / former_share) if u < former_share else None

            u = r()
            if u < 0.15:
                marital = None
            elif age < 18:
                marital = minors_marital.pick((u - 0.15) / 0.85)
            else:
                marital = book.maritals.pick((u - 0.15) / 0.85)

            u = r()
            profession = _PROFESSIONS[int(u / 0.6 * len(_PROFESSIONS))] if u < 0.6 else None
            if age < 18:
                profession = None
            u = r()
            convict = None if u < 0.25 else ("1" if u < 0.28 else "0")

            values: list[str | None] = [
                self.person_code(person),
                self.gsids(person),
                position,
                migration_type,
                _iin(born, sex, serial) if has_iin else None,
                fio,
                birthday,
                str(sex),
                citizenship,
                nation,
                departure,
                former,
                marital,
                profession,
                convict,
            ]
            fault = plan.person_faults.get(person)
            if fault is not None:
                self._plant(fault, person, values, plan, serial)
            yield values

    def _plant(
        self, fault: Fault, person: int, values: list[str | None], plan: _Plan, serial: int
    ) -> None:
        """Damage a person's main row as the fault documents (drawing nothing)."""
        born, sex = self.people.born[person], self.people.sex[person]
        day = date.fromordinal(born)
        correct_iin = _iin(born, sex, serial)
        if fault is Fault.BAD_IIN_CHECK_DIGIT:
            values[4] = f"{correct_iin[:11]}{(int(correct_iin[11]) + 1) % 10}"
        elif fault is Fault.IIN_DISAGREES_WITH_BIRTHDAY:
            other = born + 40 if born + 40 <= self.end else born - 40
            values[4] = _iin(other, sex, serial)
        elif fault is Fault.IIN_DISAGREES_WITH_SEX:
            values[4] = _iin(born, 3 - sex, serial)
        elif fault is Fault.UNKNOWN_CITIZENSHIP_CODE:
            values[8] = self.book.unknown_country
        elif fault is Fault.MISSING_FIO:
            values[5] = None
        elif fault is Fault.IMPOSSIBLE_BIRTHDAY:
            values[6] = f"30.02.{day.year:04d}"
        elif fault is Fault.MONTH_13:
            values[6] = f"{day.day:02d}.13.{day.year:04d}"
        elif fault is Fault.TOO_LONG_FIO:
            fio = values[5] or ""
            for n in range(len(_EXTRA_NAMES) * 4):
                if len(fio) > 50:
                    break
                fio = f"{fio} {_EXTRA_NAMES[n % len(_EXTRA_NAMES)]}"
            values[5] = fio
        elif fault is Fault.WRONG_SEX:
            values[7] = "3"
        elif fault is Fault.DUPLICATE_CODE:
            values[0] = self.person_code(plan.duplicate_of.get(person, person))
        elif fault is Fault.WRONG_TYPE:
            other_kind = Kind.IMMIGRANT if self.kind is Kind.EMIGRANT else Kind.EMIGRANT
            values[3] = MIGRATION_TYPE_OF_KIND[other_kind]
        elif fault is Fault.LIQUIDATED_CITIZENSHIP:
            if self.book.liquidated_country is None:
                raise ValueError("T_CITIZEN has no liquidated country to plant")
            values[8] = self.book.liquidated_country

    def emcode(self, person: int, plan: _Plan) -> str:
        return self.person_code(plan.duplicate_of.get(person, person))

    # -- the child tables --

    def passport_rows(self, plan: _Plan, rng: random.Random) -> Iterator[list[str | None]]:
        r = rng.random
        people, book = self.people, self.book
        code = self.codes["MC_PASSPORT"]
        kazakh_adult = book.passport_types.prefer(("1", "2"))
        kazakh_child = book.passport_types.prefer(("6", "2"))
        foreign = book.passport_types.prefer(("5", "3"))
        orphans = gsid_mismatches = 0
        number = 0
        for person in range(self.count):
            born = people.born[person]
            age = people.age(person, self.end)
            citizenship = book.countries.codes[people.citizenship[person]]
            kazakh = citizenship == "398"
            types = (kazakh_adult if age >= 16 else kazakh_child) if kazakh else foreign
            emcode, gsid = self.emcode(person, plan), self.gsids(person)
            for document in range(people.passports[person]):
                ptype = types.codes[(int(r() * len(types.codes)) + document) % len(types.codes)]
                digits = int(r() * 10**8)
                if kazakh:
                    pnum = f"N{digits:08d}" if ptype == "2" else f"0{digits:08d}"
                    series = None
                else:
                    pnum = f"{_LATIN[digits % len(_LATIN)]}{digits % 10**7:07d}"
                    series = f"{_LATIN[digits % 7]}{_LATIN[digits % 11]}" if r() < 0.4 else None
                earliest = born + int(16 * _YEAR) if age >= 16 else born
                earliest = max(earliest, self.end - int(10 * _YEAR))
                given = earliest + int(r() * (self.end - earliest + 1))
                dated = r() < 0.92
                until = None if ptype == "6" else given + int(10 * _YEAR) - 1
                values: list[str | None] = [
                    code(number),
                    emcode,
                    gsid,
                    citizenship,
                    ptype,
                    pnum,
                    series,
                    _dotted(given) if dated else None,
                    _dotted(until) if dated and until is not None else None,
                ]
                fault = plan.passport_faults.get(person) if document == 0 else None
                if fault is Fault.ORPHAN_PASSPORT:
                    values[1] = self.person_code(self.count + orphans)
                    orphans += 1
                elif fault is Fault.PASSPORT_GSID_MISMATCH:
                    values[2] = self.gsids(self.count + gsid_mismatches)
                    gsid_mismatches += 1
                elif fault is Fault.ENDDATE_BEFORE_GIVEDATE:
                    values[7] = _dotted(given)
                    values[8] = _dotted(given - 1)
                number += 1
                yield values

    def job_rows(self, plan: _Plan, rng: random.Random) -> Iterator[list[str | None]]:
        r = rng.random
        people = self.people
        code = self.codes["MC_EMLABOR"]
        number = 0
        for person in range(self.count):
            jobs = people.jobs[person]
            if not jobs:
                continue
            start = people.born[person] + int(18 * _YEAR)
            emcode = self.emcode(person, plan)
            span = (self.end - start) // jobs
            for job in range(jobs):
                organisation = _ORGANISATIONS[int(r() * len(_ORGANISATIONS))]
                post = _POSTS[int(r() * len(_POSTS))]
                began = start + job * span + int(r() * span / 2)
                ended = start + job * span + span // 2 + int(r() * span / 2)
                current = job == jobs - 1 and r() < 0.5
                u = r()
                form = _compact if u < 0.15 else _dotted
                yield [
                    code(number),
                    emcode,
                    f"{organisation}, {post}",
                    None if u > 0.96 else form(began),
                    None if current else form(min(ended, self.end)),
                ]
                number += 1

    def child_rows(self, plan: _Plan, rng: random.Random) -> Iterator[list[str | None]]:
        r = rng.random
        people, book = self.people, self.book
        code = self.codes["MC_EMCHILDS"]
        emigrant = self.kind is Kind.EMIGRANT
        number = 0
        for person in range(self.count):
            children = people.children[person]
            if not children:
                continue
            group = _GROUPS[people.group[person]]
            surnames = group.surnames[people.surname[person]]
            parent_born = date.fromordinal(people.born[person])
            earliest = max(
                date(parent_born.year + 18, 1, 1), date(self.end_year - 17, 1, 1)
            ).toordinal()
            citizenship = book.countries.codes[people.citizenship[person]]
            emcode = self.emcode(person, plan)
            for _ in range(children):
                born = earliest + int(r() * (self.end - earliest + 1))
                sex = 1 if r() < 0.5 else 2
                if sex == 1:
                    first_name = group.fathers[int(r() * len(group.fathers))][0]
                else:
                    first_name = group.female_names[int(r() * len(group.female_names))]
                if people.sex[person] == 1:
                    father = group.fathers[people.first_name[person]]
                else:
                    father = group.fathers[int(r() * len(group.fathers))]
                fio = f"{surnames[sex - 1]} {first_name}"
                if len(fio) + len(father[sex]) < 50:
                    fio = f"{fio} {father[sex]}"
                serial = int(r() * 10000)
                has_iin = r() < (0.85 if emigrant else 0.45)
                has_year = r() < 0.95
                documented = r() < 0.6
                digits = int(r() * 10**8)
                given = born + int(r() * (self.end - born + 1))
                yield [
                    code(number),
                    _iin(born, sex, serial) if has_iin else None,
                    emcode,
                    fio,
                    f"{date.fromordinal(born).year:04d}" if has_year else None,
                    citizenship if r() < 0.9 else None,
                    f"{digits:09d}" if documented else None,
                    f"{_LATIN[digits % 11]}{_LATIN[digits % 7]}" if documented else None,
                    _dotted(given) if documented else None,
                    _dotted(given + int(10 * _YEAR) - 1) if documented else None,
                ]
                number += 1

    def education_rows(self, plan: _Plan, rng: random.Random) -> Iterator[list[str | None]]:
        r = rng.random
        people = self.people
        trainings = self.book.trainings.codes
        for person in range(self.count):
            links = people.educations[person]
            if not links:
                continue
            emcode = self.emcode(person, plan)
            first = int(r() * len(trainings))
            yield [emcode, trainings[first]]
            if links > 1 and len(trainings) > 1:
                # a second, different education type: no (EMCODE, TRCODE) pair repeats
                second = (first + 1 + int(r() * (len(trainings) - 1))) % len(trainings)
                yield [emcode, trainings[second]]

    # -- what the pipeline must make of it --

    def row_counts(self) -> dict[str, int]:
        people = self.people
        return {
            MAIN_TABLE_OF_KIND[self.kind]: self.count,
            "MC_PASSPORT": sum(people.passports),
            "MC_EMLABOR": sum(people.jobs),
            "MC_EMCHILDS": sum(people.children),
            "L_EM2TR": sum(people.educations) - self._missing_second_links(),
        }

    def _missing_second_links(self) -> int:
        # With one education type in use a person can hold only one link.
        if len(self.book.trainings.codes) > 1:
            return 0
        return sum(1 for links in self.people.educations if links > 1)

    def _educations(self, person: int) -> int:
        return min(self.people.educations[person], len(self.book.trainings.codes))

    def rejected_counts(self, plan: _Plan) -> dict[str, int]:
        people = self.people
        rejected = dict.fromkeys(self.row_counts(), 0)
        for person, fault in plan.person_faults.items():
            if not fault.rejects:
                continue
            rejected[MAIN_TABLE_OF_KIND[self.kind]] += 1
            rejected["MC_PASSPORT"] += people.passports[person]
            rejected["MC_EMLABOR"] += people.jobs[person]
            rejected["MC_EMCHILDS"] += people.children[person]
            rejected["L_EM2TR"] += self._educations(person)
        rejected["MC_PASSPORT"] += len(plan.passport_faults)
        return rejected

    def planted(self, plan: _Plan) -> dict[str, list[str]]:
        planted: dict[str, list[str]] = {}
        passport_code = self.codes["MC_PASSPORT"]
        for fault, hit in plan.order:
            if fault.on_passport:
                first_document = sum(self.people.passports[: hit[0]])
                codes = [passport_code(first_document)]
            else:
                codes = [self.emcode(person, plan) for person in hit]
            planted.setdefault(fault.value, []).extend(codes)
        return planted


def write_export(
    path: Path,
    *,
    kind: Kind | str,
    persons: int,
    seed: int = 0,
    period_end: date = date(2026, 1, 31),
    seq: int = 1,
    package: str | None = None,
    encoding: str = "UTF-8",
    faults: Sequence[Fault | str] = (),
    created: datetime | None = None,
    dictionary_dir: Path | None = None,
) -> GeneratedExport:
    """Write one export file of ``persons`` made-up people to ``path`` and say what it holds.

    The file is written under ``path`` plus ``.part`` and renamed into place when complete,
    so a watcher of the directory never sees a half-written ``.xml``. Codes come from the
    dictionary files of ``dictionary_dir`` (by default the configured dictionary folder).
    ``faults`` plants known bad records (see the module docstring); a fault may be given by
    its name.
    """
    started = time.perf_counter()
    kind = Kind(kind)
    planted_faults = [Fault(f) for f in faults]
    if persons < 0:
        raise ValueError(f"an export cannot hold {persons} people")
    codecs.lookup(encoding)  # an unknown encoding fails here, before any file is touched
    _check_seq(seq)
    package = package or default_package(kind, period_end, seq)
    period_start = period_end.replace(day=1)
    created = created or datetime.combine(period_end + timedelta(days=1), clock(3, 0, 0))
    book = _CodeBook.read(dictionary_dir or config.dictionary_dir())

    export = _Export(kind, persons, seed, period_end, book)
    plan = _plan(planted_faults, persons, random.Random(f"{seed}:{kind}:faults"))
    rows = export.row_counts()
    streams = {
        MAIN_TABLE_OF_KIND[kind]: export.person_rows,
        "MC_PASSPORT": export.passport_rows,
        "MC_EMLABOR": export.job_rows,
        "MC_EMCHILDS": export.child_rows,
        "L_EM2TR": export.education_rows,
    }

    partial = path.with_name(f"{path.name}.part")
    try:
        with partial.open(
            "w", encoding=encoding, errors="xmlcharrefreplace", newline="\n", buffering=1 << 20
        ) as out:
            out.write(f'<?xml version="1.0" encoding="{encoding}"?>\n')
            out.write(
                f'<BURKIT_EXPORT kind="{kind}" package={quoteattr(package)}'
                f' period_start="{period_start:%d.%m.%Y}" period_end="{period_end:%d.%m.%Y}"'
                f' created="{created.isoformat(timespec="seconds")}">\n'
            )
            for table in tables_of_kind(kind):
                rng = export.stream(table.name)
                writer = _TableWriter(out, table, rows[table.name], encoding)
                for values in streams[table.name](plan, rng):
                    writer.write(rng, values)
                writer.close()
            out.write("</BURKIT_EXPORT>\n")
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise

    rejected = export.rejected_counts(plan)
    generated = GeneratedExport(
        path=path,
        kind=kind,
        package=package,
        period_start=period_start,
        period_end=period_end,
        created=created,
        encoding=encoding,
        seed=seed,
        persons=persons,
        rows=rows,
        rejected=rejected,
        rejected_persons=rejected[MAIN_TABLE_OF_KIND[kind]],
        warnings=sum(1 for f in planted_faults if f is Fault.LIQUIDATED_CITIZENSHIP),
        planted=export.planted(plan),
    )
    log.info(
        "wrote %s: %d people, %d rows, %d to be rejected, in %.1f s",
        path.name,
        persons,
        generated.total_rows,
        sum(rejected.values()),
        time.perf_counter() - started,
    )
    return generated


@dataclass(frozen=True)
class Sample:
    """One sample export that ``make run`` drops into the landing directory."""

    kind: Kind
    persons: int
    period_end: date
    encoding: str = "UTF-8"
    faults: tuple[Fault, ...] = ()
    seq: int = 1

    @property
    def file_name(self) -> str:
        return export_file_name(self.kind, self.period_end, self.seq)


SAMPLES: tuple[Sample, ...] = (
    Sample(Kind.EMIGRANT, 200, date(2026, 1, 31)),
    Sample(Kind.IMMIGRANT, 120, date(2026, 1, 31), encoding="windows-1251"),
    Sample(
        Kind.EMIGRANT,
        150,
        date(2026, 2, 28),
        faults=(
            Fault.BAD_IIN_CHECK_DIGIT,
            Fault.IMPOSSIBLE_BIRTHDAY,
            Fault.UNKNOWN_CITIZENSHIP_CODE,
            Fault.DUPLICATE_CODE,
            Fault.ORPHAN_PASSPORT,
            Fault.PASSPORT_GSID_MISMATCH,
            Fault.LIQUIDATED_CITIZENSHIP,
        ),
    ),
)


def write_samples(
    directory: Path, *, seed: int = 0, dictionary_dir: Path | None = None
) -> list[GeneratedExport]:
    """Write the :data:`SAMPLES` into ``directory``, each file appearing only when complete."""
    directory.mkdir(parents=True, exist_ok=True)
    return [
        write_export(
            directory / sample.file_name,
            kind=sample.kind,
            persons=sample.persons,
            seed=seed + n,
            period_end=sample.period_end,
            seq=sample.seq,
            encoding=sample.encoding,
            faults=sample.faults,
            dictionary_dir=dictionary_dir,
        )
        for n, sample in enumerate(SAMPLES)
    ]


# The row builders above write values in the contract's field order; a change of the
# contract's tables must be met here.
_ROW_ORDER = {
    "M_EMIGRANT": (
        "CODE",
        "GSID",
        "POSITION",
        "TYPE",
        "IIN",
        "FIO",
        "BIRTHDAY",
        "SEX",
        "CITIZ",
        "NATION",
        "OUCIT",
        "OLDCIT",
        "MARITAL",
        "PROF",
        "CONVICT",
    ),
    "MC_PASSPORT": (
        "CODE",
        "EMCODE",
        "GSID",
        "CITIZEN",
        "PTYPE",
        "PNUM",
        "PSERIA",
        "GIVEDATE",
        "ENDDATE",
    ),
    "MC_EMLABOR": ("CODE", "EMCODE", "FIRMA", "STDATE", "ENDATE"),
    "MC_EMCHILDS": (
        "CODE",
        "IIN",
        "EMCODE",
        "FIO",
        "BIRTHYEAR",
        "CITIZEN",
        "PNUM",
        "PSERIA",
        "GIVEDATE",
        "ENDDATE",
    ),
    "L_EM2TR": ("EMCODE", "TRCODE"),
}
_ROW_ORDER["M_IMMIGRANT"] = _ROW_ORDER["M_EMIGRANT"]
if any(TABLES[name].field_names != fields for name, fields in _ROW_ORDER.items()) or set(
    _ROW_ORDER
) != {*MAIN_TABLE_OF_KIND.values(), *CHILD_TABLES}:
    raise ImportError("the generator's rows no longer follow the contract's tables")
