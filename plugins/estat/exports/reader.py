"""Reading a Burkit-MO export file into one DataFrame per table.

The file comes from outside, so the parser is hardened: no DTD is loaded, no entity is
resolved, nothing is fetched from the network, and a file that carries a DOCTYPE at all is
refused (with entities off, an entity would otherwise silently read as empty text). The
file is streamed with ``iterparse`` and every ``ROW`` is cleared once read, so memory holds
the values, not the tree.

The structure is the contract's (``BURKIT_EXPORT`` → table elements → ``ROW`` → one element
per field). Anything else refuses the whole file with :class:`ExportRefused`, naming the
file, where and what. Values stay text, as written, with surrounding white space removed;
an empty or missing element is NULL. Each row keeps its position in its table as
``row_number`` (1-based), the key by which rejections are reported.

Showing conformity with the contract's field list needs every unknown name, not just the
first: read with ``unknown="collect"``, a table or field the contract does not know is
skipped and counted on the :class:`Export` instead of refusing the file, and the rows in
which each field's element appears are counted too. Every other breach still refuses it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

import pandas as pd
from lxml import etree

from estat.contract import MAIN_TABLE_OF_KIND, TABLES, Kind, tables_of_kind

ROOT = "BURKIT_EXPORT"
ROW = "ROW"
ROW_NUMBER = "row_number"

# {KIND}_{PERIODEND:YYYYMMDD}_{SEQ:3 digits}.xml, as the contract names export files.
FILE_NAME = re.compile(r"^(?P<kind>[A-Z]+)_(?P<period_end>\d{8})_(?P<seq>\d{3})\.xml$")


class ExportRefused(Exception):
    """A file refused whole; ``rule`` names the broken rule, ``reason`` says what broke it."""

    def __init__(self, file_name: str, rule: str, reason: str) -> None:
        super().__init__(f"{file_name}: {reason}")
        self.file_name = file_name
        self.rule = rule
        self.reason = reason


@dataclass(frozen=True)
class ExportHeader:
    """The attributes of the root element."""

    kind: Kind
    package: str
    period_start: date
    period_end: date
    created: datetime | None


@dataclass
class ExportTable:
    """One table of the file: its declared row count and its rows, as text."""

    name: str
    declared_rows: int
    frame: pd.DataFrame


@dataclass
class Export:
    """A parsed export file."""

    file_name: str
    sha256: str
    size_bytes: int
    header: ExportHeader
    tables: dict[str, ExportTable] = field(default_factory=dict)
    # Counted only when read with unknown="collect" (names and counts, never a value):
    # an unknown table → the ROWs it held; table → unknown field → the rows holding it;
    # table → contract field → the rows in which its element appears (even empty).
    unknown_tables: dict[str, int] = field(default_factory=dict)
    unknown_fields: dict[str, dict[str, int]] = field(default_factory=dict)
    field_appearances: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def main_table(self) -> ExportTable:
        return self.tables[MAIN_TABLE_OF_KIND[self.header.kind]]


class _HashingReader:
    """A binary file that hashes and counts what the parser reads from it."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk


def _parse_date(file_name: str, attribute: str, text: str | None) -> date:
    try:
        return datetime.strptime((text or "").strip(), "%d.%m.%Y").date()
    except ValueError:
        raise ExportRefused(
            file_name, "header", f"root attribute {attribute} is not a DD.MM.YYYY date"
        ) from None


def _read_header(file_name: str, root: etree._Element) -> ExportHeader:
    if root.tag != ROOT:
        raise ExportRefused(file_name, "root", f"the root element is {root.tag}, not {ROOT}")
    unknown = set(root.attrib) - {"kind", "package", "period_start", "period_end", "created"}
    if unknown:
        raise ExportRefused(
            file_name, "header", f"unknown root attributes: {', '.join(sorted(unknown))}"
        )
    kind_text = root.get("kind")
    if kind_text not in Kind.__members__:
        raise ExportRefused(file_name, "kind", "root attribute kind is not EMIGRANT or IMMIGRANT")
    package = (root.get("package") or "").strip()
    if not package:
        raise ExportRefused(file_name, "header", "root attribute package is missing")
    period_start = _parse_date(file_name, "period_start", root.get("period_start"))
    period_end = _parse_date(file_name, "period_end", root.get("period_end"))
    if period_end < period_start:
        raise ExportRefused(file_name, "header", "period_end is before period_start")
    created = None
    if root.get("created"):
        try:
            created = datetime.fromisoformat(root.get("created").strip())
        except ValueError:
            raise ExportRefused(
                file_name, "header", "root attribute created is not an ISO date and time"
            ) from None
    return ExportHeader(Kind(kind_text), package, period_start, period_end, created)


def check_file_name(file_name: str, header: ExportHeader) -> None:
    """Refuse a name that does not follow the contract or disagrees with the file's root."""
    match = FILE_NAME.match(file_name)
    if match is None:
        raise ExportRefused(
            file_name, "file_name", "the name does not follow {KIND}_{YYYYMMDD}_{SEQ}.xml"
        )
    if match["kind"] != header.kind:
        raise ExportRefused(
            file_name, "file_name", f"the name says {match['kind']} but the file is {header.kind}"
        )
    if match["period_end"] != f"{header.period_end:%Y%m%d}":
        raise ExportRefused(file_name, "file_name", "the name's date is not the file's period_end")


def _text(element: etree._Element) -> str | None:
    text = element.text
    if text is None:
        return None
    text = text.strip()
    return text or None


UNKNOWN_HANDLING = ("refuse", "collect")


def read_export(path: Path, *, file_name: str | None = None, unknown: str = "refuse") -> Export:
    """Parse an export file completely, or raise :class:`ExportRefused`.

    ``file_name`` is the name reported (the delivered name; ``path`` may be a copy).
    ``unknown`` says what a table or field the contract does not know does: ``"refuse"``
    refuses the file at the first one; ``"collect"`` skips and counts every one (in
    ``Export.unknown_tables`` and ``Export.unknown_fields``), for a conformity check.
    """
    if unknown not in UNKNOWN_HANDLING:
        raise ValueError(f"unknown must be one of {', '.join(UNKNOWN_HANDLING)}, not {unknown!r}")
    name = file_name or path.name
    with path.open("rb") as raw:
        reader = _HashingReader(raw)
        export = _parse(name, reader, collect=unknown == "collect")
        # The parser may stop before the end (trailing bytes are an error it reports, but
        # read the rest anyway so that the hash is always the whole file's).
        while reader.read(1 << 20):
            pass
    export.sha256 = reader.digest.hexdigest()
    export.size_bytes = reader.size
    return export


def _parse(name: str, reader: _HashingReader, *, collect: bool = False) -> Export:
    events = etree.iterparse(
        reader,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    export: Export | None = None
    allowed_tables: dict[str, tuple[str, ...]] = {}
    table: str | None = None
    columns: dict[str, list[str | None]] = {}
    row: dict[str, str | None] | None = None
    row_count = 0
    depth = 0
    skipped_table: str | None = None  # an unknown table being skipped (collect only)

    try:
        for event, element in events:
            if skipped_table is not None:
                depth += 1 if event == "start" else -1
                if event == "start" and depth == 3:
                    export.unknown_tables[skipped_table] += 1
                elif event == "end" and depth == 2:
                    _clear_row(element)
                elif event == "end" and depth == 1:
                    element.clear(keep_tail=False)
                    skipped_table = None
                continue
            if event == "start":
                depth += 1
                if depth == 1:
                    docinfo = element.getroottree().docinfo
                    if docinfo.doctype or docinfo.internalDTD is not None:
                        raise ExportRefused(name, "doctype", "the file carries a DOCTYPE")
                    header = _read_header(name, element)
                    export = Export(name, "", 0, header)
                    allowed_tables = {t.name: t.field_names for t in tables_of_kind(header.kind)}
                elif depth == 2:
                    table = element.tag
                    if table not in allowed_tables and collect:
                        export.unknown_tables.setdefault(table, 0)
                        skipped_table, table = table, None
                        continue
                    if table not in allowed_tables:
                        known = "a contract table" if table in TABLES else "no contract table"
                        raise ExportRefused(
                            name,
                            "unknown_table",
                            f"element {table} is {known} of an {export.header.kind} file",
                        )
                    if table in export.tables:
                        raise ExportRefused(name, "structure", f"table {table} appears twice")
                    columns = {f: [] for f in allowed_tables[table]}
                    row_count = 0
                elif depth == 3:
                    if element.tag != ROW:
                        raise ExportRefused(
                            name, "structure", f"{table} holds {element.tag}, not {ROW}"
                        )
                    row = {}
                elif depth == 4:
                    if element.tag not in columns and collect:
                        unknown_here = export.unknown_fields.setdefault(table, {})
                        unknown_here[element.tag] = unknown_here.get(element.tag, 0) + 1
                        continue
                    if element.tag not in columns:
                        raise ExportRefused(
                            name,
                            "unknown_field",
                            f"{table} row {row_count + 1}: {element.tag} is not a field of {table}",
                        )
                    if element.tag in row:
                        raise ExportRefused(
                            name,
                            "structure",
                            f"{table} row {row_count + 1}: field {element.tag} appears twice",
                        )
                else:
                    raise ExportRefused(
                        name,
                        "structure",
                        f"{table} row {row_count + 1}: field {element.getparent().tag} holds "
                        "elements",
                    )
                continue

            depth -= 1
            if depth == 3:
                if element.tag in columns:  # an unknown field (collect only) is left out
                    row[element.tag] = _text(element)
            elif depth == 2:
                row_count += 1
                for column, values in columns.items():
                    values.append(row.get(column))
                if collect:
                    appearances = export.field_appearances.setdefault(table, {})
                    for column in row:
                        appearances[column] = appearances.get(column, 0) + 1
                row = None
                _clear_row(element)
            elif depth == 1:
                export.tables[table] = ExportTable(
                    table, _declared_rows(name, element), _frame(columns, row_count)
                )
                element.clear(keep_tail=False)
                table = None
    except etree.XMLSyntaxError as error:
        # libxml2's messages name the problem and its line, never a field's value.
        raise ExportRefused(name, "not_well_formed", f"not well-formed XML: {error.msg}") from None

    if export is None:
        raise ExportRefused(name, "not_well_formed", "the file holds no XML element")
    main = MAIN_TABLE_OF_KIND[export.header.kind]
    if main not in export.tables:
        raise ExportRefused(name, "structure", f"the {main} table is missing")
    # A child table the sender left out holds no rows (the contract's example lists all).
    for other, fields in allowed_tables.items():
        if other not in export.tables:
            export.tables[other] = ExportTable(other, 0, _frame({f: [] for f in fields}, 0))
    return export


def _clear_row(element: etree._Element) -> None:
    """Free a row once read, and the rows before it, so memory holds values, not the tree."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    while element.getprevious() is not None:
        del parent[0]


def _declared_rows(name: str, element: etree._Element) -> int:
    declared = element.get("rows")
    if declared is None or not declared.isascii() or not declared.isdigit():
        raise ExportRefused(
            name, "structure", f"table {element.tag} has no whole number as its rows attribute"
        )
    return int(declared)


def _frame(columns: dict[str, list[str | None]], row_count: int) -> pd.DataFrame:
    return pd.DataFrame(
        {ROW_NUMBER: pd.array(range(1, row_count + 1), dtype="int32")}
        | {column: pd.array(values, dtype="str") for column, values in columns.items()}
    )
