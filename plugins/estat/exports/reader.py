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
from typing import TYPE_CHECKING, BinaryIO

from lxml import etree

from estat.contract import MAIN_TABLE_OF_KIND, TABLES, Kind, tables_of_kind

if TYPE_CHECKING:
    import pandas as pd

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

    def __reduce__(self):
        # Pickled by its three fields (the parse process sends refusals to its caller).
        return type(self), (self.file_name, self.rule, self.reason)


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
    frame: pd.DataFrame | None  # None when the rows went elsewhere (see stream_export)
    received_rows: int = 0


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
    file_id: int | None = None  # the ledger's id, once the rows are staged in the warehouse

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


UNKNOWN_HANDLING = ("refuse", "collect")


class RowSink:
    """Where the parser puts what it reads, table by table, as it reads it.

    ``rows`` gets batches of tuples ``(row_number, value, ...)`` in the order of the
    contract's fields of that table (``fields``). A refusal can come after some rows were
    given: a sink keeps nothing for good until the whole file has been read.
    """

    def begin_table(self, name: str, fields: tuple[str, ...]) -> None:
        """A table starts."""

    def rows(self, name: str, rows: list[tuple]) -> None:
        """Rows of the table ``name``, in file order."""

    def end_table(self, table: ExportTable) -> None:
        """The table ended: ``table`` has its declared and its received row counts."""


class _FrameSink(RowSink):
    """Builds one DataFrame per table (what :func:`read_export` returns)."""

    def __init__(self) -> None:
        self.rows_of: dict[str, list[tuple]] = {}
        self.fields_of: dict[str, tuple[str, ...]] = {}

    def begin_table(self, name: str, fields: tuple[str, ...]) -> None:
        self.rows_of[name], self.fields_of[name] = [], fields

    def rows(self, name: str, rows: list[tuple]) -> None:
        self.rows_of[name].extend(rows)

    def end_table(self, table: ExportTable) -> None:
        rows = self.rows_of.pop(table.name)
        fields = self.fields_of[table.name]
        columns = list(zip(*rows, strict=True)) if rows else [()] * (len(fields) + 1)
        table.frame = _frame(dict(zip(fields, columns[1:], strict=True)), len(rows))


def read_export(path: Path, *, file_name: str | None = None, unknown: str = "refuse") -> Export:
    """Parse an export file completely, or raise :class:`ExportRefused`.

    ``file_name`` is the name reported (the delivered name; ``path`` may be a copy).
    ``unknown`` says what a table or field the contract does not know does: ``"refuse"``
    refuses the file at the first one; ``"collect"`` skips and counts every one (in
    ``Export.unknown_tables`` and ``Export.unknown_fields``), for a conformity check.
    """
    return stream_export(path, _FrameSink(), file_name=file_name, unknown=unknown)


def stream_export(
    path: Path, sink: RowSink, *, file_name: str | None = None, unknown: str = "refuse"
) -> Export:
    """Parse an export file, giving its rows to ``sink`` as they are read.

    The :class:`Export` returned has every table with its counts (and, for the frame sink
    of :func:`read_export`, its DataFrame); the rows themselves went to the sink. The
    refusals are :func:`read_export`'s.
    """
    if unknown not in UNKNOWN_HANDLING:
        raise ValueError(f"unknown must be one of {', '.join(UNKNOWN_HANDLING)}, not {unknown!r}")
    name = file_name or path.name
    collect = unknown == "collect"
    with path.open("rb") as raw:
        reader = _HashingReader(raw)
        try:
            export = _parse(name, reader, sink, collect=True) if collect else None
            if export is None:
                export = _parse_rows(name, reader, sink)
        except _Irregular:
            # Something is out of place: the exact parser finds what, and refuses the file.
            with path.open("rb") as again:
                _parse(name, _HashingReader(again), RowSink())
            raise RuntimeError(f"{name}: the two parsers disagree on the file") from None
        # The parser may stop before the end (trailing bytes are an error it reports, but
        # read the rest anyway so that the hash is always the whole file's).
        while reader.read(1 << 20):
            pass
    export.sha256 = reader.digest.hexdigest()
    export.size_bytes = reader.size
    return export


# Rows are handed to the sink in batches of this many.
BATCH_ROWS = 5_000


def _iterparse(reader: _HashingReader, **options) -> etree.iterparse:
    """lxml's ``iterparse``, hardened: no DTD, no entity, no network, no huge tree."""
    return etree.iterparse(
        reader,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        **options,
    )


class _Irregular(Exception):
    """The fast parser met something out of place (the exact parser says what)."""


def _parse_rows(name: str, reader: _HashingReader, sink: RowSink) -> Export:
    """Parse a file by its rows: the fast way, for a file that keeps to the structure.

    Only the end of each ``ROW`` comes to Python, and its fields are read from it, so the
    work per field is a few attribute reads. Whatever does not fit the structure (an
    unknown name, a field twice or holding elements, an element out of place, a DOCTYPE,
    a header, table or ``rows`` attribute in breach, XML that is not well-formed) raises
    :class:`_Irregular`, and :func:`_parse` reads the file again to refuse it exactly.
    """
    events = _iterparse(reader, events=("end",), tag=ROW)
    export: Export | None = None
    root = None
    allowed_tables: dict[str, tuple[str, ...]] = {}
    table: etree._Element | None = None
    table_name = ""
    fields: tuple[str, ...] = ()
    known: frozenset[str] = frozenset()
    batch: list[tuple] = []
    row_count = since = 0
    try:
        for _, row in events:
            parent = row.getparent()
            if parent is not table:
                if export is None:
                    root = row.getroottree().getroot()
                    export, allowed_tables = _start(name, root)
                if table is not None:
                    _end_table(name, export, sink, table, batch, row_count, since)
                    batch = []
                table, table_name = parent, parent.tag
                if parent.getparent() is not root or table_name not in allowed_tables:
                    raise _Irregular
                if table_name in export.tables:
                    raise _Irregular  # the table appears twice
                fields = allowed_tables[table_name]
                known = frozenset(fields)
                row_count = since = 0
                export.tables[table_name] = ExportTable(table_name, 0, None)
                sink.begin_table(table_name, fields)
            values: dict[str, str | None] = {}
            for child in row:
                tag = child.tag
                if tag not in known or tag in values or len(child):
                    raise _Irregular
                text = child.text
                values[tag] = (text.strip() or None) if text is not None else None
            row_count += 1
            since += 1
            batch.append((row_count, *map(values.get, fields)))
            row.clear(keep_tail=False)
            if since >= BATCH_ROWS:
                # The parser may have read ahead, so only the rows before this one can go;
                # they must be exactly the rows read since last time: anything else
                # between them is out of place.
                if table.index(row) != since - 1:
                    raise _Irregular
                del table[: since - 1]
                since = 1
                sink.rows(table_name, batch)
                batch = []
        if export is None:
            root = events.root
            export, allowed_tables = _start(name, root)
        if table is not None:
            _end_table(name, export, sink, table, batch, row_count, since)
    except etree.XMLSyntaxError:
        raise _Irregular from None

    # The tables without rows, and nothing else under the root, each table once.
    seen: set[str] = set()
    for element in root:
        table_name = element.tag
        if table_name not in allowed_tables or table_name in seen:
            raise _Irregular
        seen.add(table_name)
        if table_name not in export.tables:
            export.tables[table_name] = ExportTable(table_name, 0, None)
            sink.begin_table(table_name, allowed_tables[table_name])
            _end_table(name, export, sink, element, [], 0, 0)
    if MAIN_TABLE_OF_KIND[export.header.kind] not in export.tables:
        raise _Irregular
    _add_left_out_tables(export, allowed_tables, sink)
    return export


def _start(name: str, root: etree._Element) -> tuple[Export, dict[str, tuple[str, ...]]]:
    if root is None:
        raise _Irregular
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _Irregular
    try:
        header = _read_header(name, root)
    except ExportRefused:
        raise _Irregular from None
    allowed = {t.name: t.field_names for t in tables_of_kind(header.kind)}
    return Export(name, "", 0, header), allowed


def _end_table(
    name: str,
    export: Export,
    sink: RowSink,
    element: etree._Element,
    batch: list[tuple],
    row_count: int,
    since: int,
) -> None:
    """A table read by :func:`_parse_rows` is complete: check what is left of it, end it."""
    if len(element) != since:
        raise _Irregular  # something other than a row before, between or after its rows
    if batch:
        sink.rows(element.tag, batch)
    found = export.tables[element.tag]
    try:
        found.declared_rows = _declared_rows(name, element)
    except ExportRefused:
        raise _Irregular from None
    found.received_rows = row_count
    sink.end_table(found)
    element.clear(keep_tail=False)


def _parse(name: str, reader: _HashingReader, sink: RowSink, *, collect: bool = False) -> Export:
    events = _iterparse(reader, events=("start", "end"))
    export: Export | None = None
    allowed_tables: dict[str, tuple[str, ...]] = {}
    table: str | None = None
    fields: tuple[str, ...] = ()
    known: frozenset[str] = frozenset()
    batch: list[tuple] = []
    row: dict[str, str | None] = {}
    row_count = 0
    depth = 0
    skipped_table: str | None = None  # an unknown table being skipped (collect only)
    skipped_field = False  # an unknown field is being skipped (collect only)

    try:
        for event, element in events:
            # The common case first: a field's element ends (depth 4 → 3).
            if event == "end" and depth == 4 and skipped_table is None:
                depth = 3
                if skipped_field:
                    skipped_field = False
                    continue
                text = element.text
                if text is not None:
                    text = text.strip() or None
                row[element.tag] = text
                continue
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
                if depth == 4:
                    tag = element.tag
                    if tag not in known:
                        if collect:
                            unknown_here = export.unknown_fields.setdefault(table, {})
                            unknown_here[tag] = unknown_here.get(tag, 0) + 1
                            skipped_field = True
                            continue
                        raise ExportRefused(
                            name,
                            "unknown_field",
                            f"{table} row {row_count + 1}: {tag} is not a field of {table}",
                        )
                    if tag in row:
                        raise ExportRefused(
                            name,
                            "structure",
                            f"{table} row {row_count + 1}: field {tag} appears twice",
                        )
                elif depth == 3:
                    if element.tag != ROW:
                        raise ExportRefused(
                            name, "structure", f"{table} holds {element.tag}, not {ROW}"
                        )
                    row = {}
                elif depth == 2:
                    table = element.tag
                    if table not in allowed_tables and collect:
                        export.unknown_tables.setdefault(table, 0)
                        skipped_table, table = table, None
                        continue
                    if table not in allowed_tables:
                        known_table = "a contract table" if table in TABLES else "no contract table"
                        raise ExportRefused(
                            name,
                            "unknown_table",
                            f"element {table} is {known_table} of an {export.header.kind} file",
                        )
                    if table in export.tables:
                        raise ExportRefused(name, "structure", f"table {table} appears twice")
                    fields = allowed_tables[table]
                    known = frozenset(fields)
                    row_count = 0
                    export.tables[table] = ExportTable(table, 0, None)
                    sink.begin_table(table, fields)
                elif depth == 1:
                    docinfo = element.getroottree().docinfo
                    if docinfo.doctype or docinfo.internalDTD is not None:
                        raise ExportRefused(name, "doctype", "the file carries a DOCTYPE")
                    header = _read_header(name, element)
                    export = Export(name, "", 0, header)
                    allowed_tables = {t.name: t.field_names for t in tables_of_kind(header.kind)}
                else:
                    raise ExportRefused(
                        name,
                        "structure",
                        f"{table} row {row_count + 1}: field {element.getparent().tag} holds "
                        "elements",
                    )
                continue

            depth -= 1
            if depth == 2:
                row_count += 1
                batch.append((row_count, *map(row.get, fields)))
                if collect:
                    appearances = export.field_appearances.setdefault(table, {})
                    for column in row:
                        appearances[column] = appearances.get(column, 0) + 1
                if len(batch) >= BATCH_ROWS:
                    sink.rows(table, batch)
                    batch = []
                _clear_row(element)
            elif depth == 1:
                if batch:
                    sink.rows(table, batch)
                    batch = []
                found = export.tables[table]
                found.declared_rows = _declared_rows(name, element)
                found.received_rows = row_count
                sink.end_table(found)
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
    _add_left_out_tables(export, allowed_tables, sink)
    return export


def _add_left_out_tables(
    export: Export, allowed_tables: dict[str, tuple[str, ...]], sink: RowSink
) -> None:
    """A child table the sender left out holds no rows (the contract's example lists all)."""
    for other, other_fields in allowed_tables.items():
        if other not in export.tables:
            export.tables[other] = ExportTable(other, 0, None)
            sink.begin_table(other, other_fields)
            sink.end_table(export.tables[other])


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
    import pandas as pd  # only the DataFrame reading needs it, not the staging parse

    return pd.DataFrame(
        {ROW_NUMBER: pd.array(range(1, row_count + 1), dtype="int32")}
        | {column: pd.array(values, dtype="str") for column, values in columns.items()}
    )
