"""The exchange contract between Burkit-MO and e-Statistics, as data.

This module is the one place that states what the exchange contains: the tables of
Appendix 2 of the joint order (the export files) and the reference dictionaries of
Appendix 1 (the sql-insert files). Parsers, expectation suites, warehouse DDL and
documentation derive from it, so a change of the contract is a change here.

Meanings are given in English and in Kazakh, as the order words them. Lengths are
the order's maximum number of characters. ``required`` marks what the exchange
contract makes mandatory (the order itself marks no export field mandatory).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Rule(StrEnum):
    """How a field's value is checked."""

    DIGITS = "digits"  # an identifier made of digits only
    TEXT = "text"
    DATE = "date"  # DD.MM.YYYY, or DDMMYYYY where the order gives a length of 8
    YEAR = "year"  # YYYY
    IIN = "iin"  # 12-digit individual identification number with its check digit
    SEX = "sex"  # 1 male, 2 female
    FLAG = "flag"  # 0 no, 1 yes
    MIGRATION_TYPE = "migration_type"  # Э emigration, И immigration
    CODE = "code"  # a CODE of the dictionary named by ``Field.dictionary``


class Kind(StrEnum):
    """The two kinds of export file, named as in the file's ``kind`` attribute."""

    EMIGRANT = "EMIGRANT"
    IMMIGRANT = "IMMIGRANT"


# The value of TYPE that agrees with each kind of file.
MIGRATION_TYPE_OF_KIND: dict[Kind, str] = {Kind.EMIGRANT: "Э", Kind.IMMIGRANT: "И"}


@dataclass(frozen=True)
class Field:
    """One field of an export table."""

    name: str
    meaning_en: str
    meaning_kk: str
    length: int
    rule: Rule
    required: bool = False
    dictionary: str | None = None  # for Rule.CODE: the dictionary whose CODE it holds
    references: str | None = None  # a field of the main table this one must match
    not_before: str | None = None  # a date field of the same row this one may not precede


@dataclass(frozen=True)
class Table:
    """One table of an export file (an element holding ``ROW`` elements)."""

    name: str
    meaning_en: str
    meaning_kk: str
    fields: tuple[Field, ...]
    main: bool = False  # the person table of its kind of file

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name}")


class ColumnType(StrEnum):
    """The two column types of Appendix 1: сандық (number) and нышанды (text)."""

    NUMBER = "number"
    TEXT = "text"


@dataclass(frozen=True)
class DictionaryColumn:
    """One column of a reference dictionary."""

    name: str
    meaning_en: str
    meaning_kk: str
    type: ColumnType
    required: bool  # the column must be present in every INSERT
    nullable: bool  # NULL is an acceptable value (only where the contract allows it)
    allowed: frozenset[int] | None = None  # the only numbers a NUMBER column may hold


@dataclass(frozen=True)
class Dictionary:
    """One reference dictionary of Appendix 1."""

    name: str
    meaning_en: str
    meaning_kk: str
    tree: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tree", self.name.startswith("T_"))

    @property
    def columns(self) -> tuple[DictionaryColumn, ...]:
        return TREE_COLUMNS if self.tree else FLAT_COLUMNS

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def file_name(self) -> str:
        return f"{self.name}.sql"

    @property
    def warehouse_table(self) -> str:
        return f"ref.{self.name.lower()}"


# --- Appendix 1: the reference dictionaries -----------------------------------------------

_CODE = DictionaryColumn(
    "CODE", "identifier", "Сәйкестендіргіш", ColumnType.NUMBER, required=True, nullable=False
)
_NAME = DictionaryColumn(
    "NAME",
    "name in Russian",
    "Орыс тіліндегі атауы",
    ColumnType.TEXT,
    required=True,
    nullable=False,
)
_KZNAME = DictionaryColumn(
    "KZNAME",
    "name in Kazakh",
    "Қазақ тіліндегі атауы",
    ColumnType.TEXT,
    required=False,
    nullable=True,
)
_EXIST = DictionaryColumn(
    "EXIST",
    "1 in use, 0 liquidated",
    "1- қолданыста (0 - таратылған)",
    ColumnType.NUMBER,
    required=False,
    nullable=True,
    allowed=frozenset({0, 1}),
)

# CODEPAR is mandatory as a column, but the contract lets a root hold 0 or NULL.
TREE_COLUMNS: tuple[DictionaryColumn, ...] = (
    _CODE,
    DictionaryColumn(
        "CODEPAR",
        "parent record's identifier (0 or NULL at the root)",
        "Ата – ана жазбасының сәйкестендіргіші",
        ColumnType.NUMBER,
        required=True,
        nullable=True,
    ),
    _NAME,
    _KZNAME,
    DictionaryColumn(
        "LEV", "tree level", "Ағаш деңгейі", ColumnType.NUMBER, required=True, nullable=False
    ),
    DictionaryColumn(
        "SHIFR", "system cipher", "Жүйелік шифр", ColumnType.TEXT, required=True, nullable=False
    ),
    _EXIST,
)

FLAT_COLUMNS: tuple[DictionaryColumn, ...] = (_CODE, _NAME, _KZNAME, _EXIST)

DICTIONARIES: dict[str, Dictionary] = {
    d.name: d
    for d in (
        Dictionary("T_CITIZEN", "countries", "Елдер анықтамалығы"),
        Dictionary("F_NATION", "nationalities", "Ұлттар анықтамалығы"),
        Dictionary("F_MARITAL", "marital statuses", "Отбасылық жағдай анықтамалығы"),
        Dictionary("F_TRAINING", "education types", "Білім түрлері анықтамалығы"),
        Dictionary("F_POSITION", "social positions", "Әлеуметтік жағдай анықтамалығы"),
        Dictionary(
            "F_PASSTYPE",
            "identity document types",
            "Жеке басты куәландыратын құжаттар анықтамалығы",
        ),
        Dictionary("F_COORDSTATE", "coordination statuses", "Келісу мәртебелері анықтамалығы"),
        Dictionary(
            "F_IMMDECIS",
            "decisions on change of citizenship",
            "Азаматтықты ауыстыру бойынша шешімдер анықтамалығы",
        ),
        Dictionary(
            "F_PMJDECIS",
            "residence decisions by type",
            "Түрлері бойынша тұруға шешімдер анықтамалығы",
        ),
    )
}


# --- Appendix 2: the export tables --------------------------------------------------------

_EMCODE_KK = "Негізгі кесте жазбасының жүйелік сәйкестендіргіші"


def _emcode(meaning_en: str = "the person's record (main table CODE)") -> Field:
    return Field(
        "EMCODE", meaning_en, _EMCODE_KK, 13, Rule.DIGITS, required=True, references="CODE"
    )


def _person_fields(kind: Kind) -> tuple[Field, ...]:
    return (
        Field(
            "CODE",
            "system identifier of the record",
            "Жүйелік сәйкестендіргіш",
            13,
            Rule.DIGITS,
            required=True,
        ),
        Field(
            "GSID", "person identifier", "Адамды сәйкестендіргіш", 13, Rule.DIGITS, required=True
        ),
        Field(
            "POSITION",
            "social position",
            "Әлеуметтік ахуал",
            100,
            Rule.CODE,
            dictionary="F_POSITION",
        ),
        Field(
            "TYPE",
            "immigration / emigration",
            "Иммиграция\\Эмиграция",
            1,
            Rule.MIGRATION_TYPE,
            required=True,
        ),
        # An emigrant is a citizen leaving and must have an IIN; an immigrant may not yet.
        Field(
            "IIN", "the person's IIN", "Адамның ЖСН", 12, Rule.IIN, required=kind is Kind.EMIGRANT
        ),
        Field("FIO", "surname, name, patronymic", "Адамның Т.А.Ә.", 50, Rule.TEXT, required=True),
        Field("BIRTHDAY", "date of birth", "Туған күні", 8, Rule.DATE, required=True),
        Field("SEX", "sex", "Жынысы", 1, Rule.SEX, required=True),
        Field(
            "CITIZ",
            "country of citizenship",
            "Азаматтығы мемлекетінің коды",
            9,
            Rule.CODE,
            required=True,
            dictionary="T_CITIZEN",
        ),
        Field("NATION", "nationality", "Ұлтының коды", 9, Rule.CODE, dictionary="F_NATION"),
        Field(
            "OUCIT",
            "country of departure",
            "Шығу елінің коды",
            9,
            Rule.CODE,
            dictionary="T_CITIZEN",
        ),
        # The order's immigrant table names the positions dictionary here, an evident slip:
        # a former citizenship is a country in both tables.
        Field(
            "OLDCIT",
            "country of former citizenship",
            "Бұрын шетел азаматтығы болған мемлекеттің коды",
            9,
            Rule.CODE,
            dictionary="T_CITIZEN",
        ),
        Field(
            "MARITAL",
            "marital status",
            "Отбасылық жағдайының коды",
            3,
            Rule.CODE,
            dictionary="F_MARITAL",
        ),
        Field(
            "PROF",
            "profession and speciality by education",
            "Білімі бойынша кәсібі мен мамандығы",
            300,
            Rule.TEXT,
        ),
        Field("CONVICT", "has a criminal record", "Сотталғандығының болуы", 1, Rule.FLAG),
    )


_CHILD_TABLES: tuple[Table, ...] = (
    Table(
        "MC_PASSPORT",
        "identity documents",
        "Құжаттары туралы мәліметтер",
        (
            Field(
                "CODE",
                "system identifier of the document",
                "Құжаттың жүйелік сәйкестендіргіші",
                13,
                Rule.DIGITS,
                required=True,
            ),
            _emcode(),
            Field(
                "GSID",
                "the person's identifier (main table GSID)",
                "Негізгі кесте жазбасының адамды сәйкестендіргіші",
                13,
                Rule.DIGITS,
                references="GSID",
            ),
            Field(
                "CITIZEN",
                "issuing country",
                "Құжатты берген мемлекеттің коды",
                9,
                Rule.CODE,
                dictionary="T_CITIZEN",
            ),
            Field(
                "PTYPE",
                "document type",
                "Құжат түрінің коды",
                3,
                Rule.CODE,
                required=True,
                dictionary="F_PASSTYPE",
            ),
            Field("PNUM", "document number", "Құжаттың нөмірі", 15, Rule.TEXT, required=True),
            Field("PSERIA", "document series", "Құжаттың сериясы", 15, Rule.TEXT),
            Field("GIVEDATE", "issue date", "Құжаттың берілген күні", 10, Rule.DATE),
            Field(
                "ENDDATE",
                "valid until",
                "Құжаттың жарамдылық мерзімі",
                10,
                Rule.DATE,
                not_before="GIVEDATE",
            ),
        ),
    ),
    Table(
        "MC_EMLABOR",
        "education and employment",
        "Білімі мен жұмыспен қамтылуы туралы мәліметтер",
        (
            Field(
                "CODE",
                "system identifier",
                "Еңбек қызметінің жүйелік сәйкестендіргіші",
                13,
                Rule.DIGITS,
                required=True,
            ),
            _emcode(),
            Field(
                "FIRMA", "organisation, position", "Ұйымы, лауазымы", 100, Rule.TEXT, required=True
            ),
            Field("STDATE", "start date", "Түскен күні", 8, Rule.DATE),
            Field(
                "ENDATE",
                "end / dismissal date",
                "Аяқтау / босату күні",
                8,
                Rule.DATE,
                not_before="STDATE",
            ),
        ),
    ),
    Table(
        "MC_EMCHILDS",
        "children under the person's care",
        "Ортақ балалары туралы мәліметтер",
        (
            Field(
                "CODE",
                "system identifier",
                "Келесі ортақ балалары туралы жазбаның жүйелік сәйкестендіргіші",
                13,
                Rule.DIGITS,
                required=True,
            ),
            Field("IIN", "the child's IIN", "Баланың ЖСН", 12, Rule.IIN),
            _emcode("the parent's record"),
            Field("FIO", "the child's full name", "Адамның Т.А.Ә.", 50, Rule.TEXT, required=True),
            Field("BIRTHYEAR", "year of birth", "Туған жылы", 4, Rule.YEAR),
            Field(
                "CITIZEN",
                "country that issued the child's document",
                "Құжатты берген мемлекеттің коды",
                9,
                Rule.CODE,
                dictionary="T_CITIZEN",
            ),
            Field("PNUM", "document number", "Баланың құжатының нөмірі", 15, Rule.TEXT),
            Field("PSERIA", "document series", "Баланың құжатының сериясы", 15, Rule.TEXT),
            Field("GIVEDATE", "issue date", "Құжаттың берілген күні", 10, Rule.DATE),
            Field("ENDDATE", "valid until", "Құжаттың жарамдылық мерзімі", 10, Rule.DATE),
        ),
    ),
    Table(
        "L_EM2TR",
        "education (link)",
        "Білімі туралы деректер атрибуттары",
        (
            _emcode(),
            Field(
                "TRCODE",
                "education type",
                "Білім коды",
                9,
                Rule.CODE,
                required=True,
                dictionary="F_TRAINING",
            ),
        ),
    ),
)

MAIN_TABLE_OF_KIND: dict[Kind, str] = {Kind.EMIGRANT: "M_EMIGRANT", Kind.IMMIGRANT: "M_IMMIGRANT"}

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "M_EMIGRANT",
            "the person (emigration)",
            "Тұлға туралы мәлімет",
            _person_fields(Kind.EMIGRANT),
            main=True,
        ),
        Table(
            "M_IMMIGRANT",
            "the person (immigration)",
            "Адам туралы мәлімет",
            _person_fields(Kind.IMMIGRANT),
            main=True,
        ),
        *_CHILD_TABLES,
    )
}

CHILD_TABLES: tuple[str, ...] = tuple(t.name for t in _CHILD_TABLES)


def tables_of_kind(kind: Kind) -> tuple[Table, ...]:
    """The tables an export file of ``kind`` may hold: its main table, then the child tables."""
    return (TABLES[MAIN_TABLE_OF_KIND[kind]], *(TABLES[name] for name in CHILD_TABLES))
