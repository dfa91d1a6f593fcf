"""A strict reader of the sql-insert dictionary files.

The files come from outside, so they are parsed and never executed. The reader accepts
exactly the form the exchange contract describes (an Oracle SQL*Plus export):

* ``INSERT INTO <the file's own dictionary> (<columns>) VALUES (<literals>);``
* ``SET <words>;`` and ``COMMIT;``
* ``-- line`` and ``/* block */`` comments

Keywords and identifiers in any case; strings in single quotes with ``''`` for a quote
(a backslash is an ordinary character, as in SQL); whole numbers; ``NULL``. Statements
end in ``;`` and may span lines. Anything else anywhere in the file (another statement,
another table, a function call, a subquery, an expression, a quoted identifier) refuses
the whole file, and so do values that break the dictionary's structure or its tree.

As in Oracle, an empty string is NULL. A tree root may hold CODEPAR 0 or NULL; both are
read as NULL.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from estat.contract import DICTIONARIES, ColumnType, Dictionary, DictionaryColumn

# Larger than any real dictionary by far; a bigger file is refused unread.
MAX_FILE_BYTES = 64 * 1024 * 1024
# The warehouse keeps dictionary numbers as PostgreSQL integers.
MAX_NUMBER = 2**31 - 1

Value = int | str | None


class DictionaryFileError(ValueError):
    """A dictionary file that is refused whole, with where and why."""

    def __init__(self, path: Path | str, reason: str, line: int | None = None) -> None:
        self.file_name = Path(path).name
        self.line = line
        self.reason = reason
        where = self.file_name if line is None else f"{self.file_name}, line {line}"
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class DictionaryRow:
    """One dictionary entry, by the contract's column names, and the line it starts on."""

    values: dict[str, Value]
    line: int

    @property
    def code(self) -> int:
        return self.values["CODE"]  # type: ignore[return-value]


@dataclass(frozen=True)
class DictionaryVersion:
    """A dictionary file read in full and found sound."""

    dictionary: Dictionary
    file_name: str
    sha256: str
    rows: tuple[DictionaryRow, ...]


# --- tokens -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # WORD, NUMBER, STRING, PUNCT
    text: str  # the word upper-cased, the number's digits, the string's value, the mark
    line: int
    raw: str


_TOKEN = re.compile(
    r"""
      (?P<space>[ \t\r\n\f]+)
    | (?P<line_comment>--[^\n]*)
    | (?P<block_comment>/\*.*?\*/)
    | (?P<word>[A-Za-z][A-Za-z0-9_$\#]*)
    | (?P<number>-?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)
    | (?P<string>'(?:[^']|'')*')
    | (?P<punct>[(),;])
    """,
    re.VERBOSE | re.DOTALL,
)


def _tokens(text: str, path: Path) -> Iterator[_Token]:
    position, line = 0, 1
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            found = text[position : position + 20].split("\n")[0]
            if text.startswith("/*", position):
                reason = "a block comment is not closed"
            elif text.startswith("'", position):
                reason = "a string is not closed"
            else:
                reason = f"unexpected text {found!r}"
            raise DictionaryFileError(path, reason, line)
        raw = match.group()
        kind = match.lastgroup
        if kind == "word":
            yield _Token("WORD", raw.upper(), line, raw)
        elif kind == "number":
            yield _Token("NUMBER", raw, line, raw)
        elif kind == "string":
            yield _Token("STRING", raw[1:-1].replace("''", "'"), line, raw)
        elif kind == "punct":
            yield _Token("PUNCT", raw, line, raw)
        line += raw.count("\n")
        position = match.end()


# --- statements ---------------------------------------------------------------------------


class _Statements:
    """Walks the tokens statement by statement, refusing anything outside the grammar."""

    def __init__(self, text: str, path: Path, dictionary: Dictionary) -> None:
        self._tokens = _tokens(text, path)
        self._path = path
        self._dictionary = dictionary
        self._last_line = 1

    def _next(self, expected: str) -> _Token:
        token = next(self._tokens, None)
        if token is None:
            raise DictionaryFileError(
                self._path, f"the file ends where {expected} was expected", self._last_line
            )
        self._last_line = token.line
        return token

    def _expect(self, kind: str, text: str, expected: str) -> _Token:
        token = self._next(expected)
        if token.kind != kind or token.text != text:
            raise self._error(token, f"expected {expected}, found {token.raw!r}")
        return token

    def _error(self, token: _Token, reason: str) -> DictionaryFileError:
        return DictionaryFileError(self._path, reason, token.line)

    def inserts(self) -> Iterator[tuple[int, list[_Token], list[_Token]]]:
        """Yield (line, column tokens, value tokens) for every INSERT of the file."""
        for token in self._tokens:
            self._last_line = token.line
            if token.kind != "WORD" or token.text not in {"INSERT", "SET", "COMMIT"}:
                raise self._error(
                    token,
                    f"only INSERT, SET and COMMIT statements may appear, found {token.raw!r}",
                )
            if token.text == "SET":
                self._set()
            elif token.text == "COMMIT":
                self._expect("PUNCT", ";", "';' after COMMIT")
            else:
                yield token.line, *self._insert()

    def _set(self) -> None:
        while True:
            token = self._next("';' ending the SET command")
            if token.kind == "PUNCT" and token.text == ";":
                return
            if token.kind not in {"WORD", "NUMBER"}:
                raise self._error(token, f"a SET command holds only words, found {token.raw!r}")

    def _insert(self) -> tuple[list[_Token], list[_Token]]:
        self._expect("WORD", "INTO", "INTO after INSERT")
        table = self._next("the dictionary's name")
        if table.kind != "WORD":
            raise self._error(table, f"expected the dictionary's name, found {table.raw!r}")
        if table.text != self._dictionary.name:
            raise self._error(
                table,
                f"an INSERT into {table.raw} in the file of {self._dictionary.name}: "
                "a dictionary file may insert only into its own dictionary",
            )
        self._expect("PUNCT", "(", f"'(' opening the column list after {table.raw}")
        columns = self._list("WORD", "a column name")
        self._expect("WORD", "VALUES", "VALUES after the column list")
        self._expect("PUNCT", "(", "'(' opening the values")
        values = self._list("VALUE", "a literal value (string, whole number or NULL)")
        self._expect("PUNCT", ";", "';' ending the INSERT")
        return columns, values

    def _list(self, kind: str, what: str) -> list[_Token]:
        items: list[_Token] = []
        while True:
            token = self._next(what)
            if kind == "WORD":
                acceptable = token.kind == "WORD"
            else:
                acceptable = token.kind in {"STRING", "NUMBER"} or (
                    token.kind == "WORD" and token.text == "NULL"
                )
            if not acceptable:
                reason = f"expected {what}, found {token.raw!r}"
                if kind == "VALUE" and token.kind in {"WORD", "PUNCT"}:
                    reason += " (functions, subqueries and expressions are not accepted)"
                raise self._error(token, reason)
            items.append(token)
            separator = self._next("',' or ')'")
            if separator.kind == "PUNCT" and separator.text == ")":
                return items
            if separator.kind != "PUNCT" or separator.text != ",":
                reason = f"expected ',' or ')' after {token.raw!r}, found {separator.raw!r}"
                if kind == "VALUE":
                    reason += " (functions, subqueries and expressions are not accepted)"
                raise self._error(separator, reason)


# --- values -------------------------------------------------------------------------------


def _value(column: DictionaryColumn, token: _Token, dictionary: Dictionary, path: Path) -> Value:
    def refuse(reason: str) -> DictionaryFileError:
        return DictionaryFileError(path, f"column {column.name}: {reason}", token.line)

    if token.kind == "WORD" or (token.kind == "STRING" and token.text == ""):
        if not column.nullable:
            raise refuse("is mandatory but holds NULL")
        return None
    if column.type is ColumnType.TEXT:
        if token.kind != "STRING":
            raise refuse(f"must be a string in quotes, found {token.raw}")
        return token.text
    if token.kind != "NUMBER":
        raise refuse(f"must be a whole number, found the string {token.raw}")
    if not token.text.lstrip("-").isdigit():
        raise refuse(f"must be a whole number, found {token.raw}")
    number = int(token.text)
    if number < 0 or number > MAX_NUMBER:
        raise refuse(f"must be a whole number from 0 to {MAX_NUMBER}, found {token.raw}")
    if column.allowed is not None and number not in column.allowed:
        allowed = " or ".join(str(n) for n in sorted(column.allowed))
        raise refuse(f"must be {allowed}, found {number}")
    if dictionary.tree and column.name == "CODE" and number == 0:
        raise refuse("0 marks the root of a tree and cannot be a CODE")
    if column.name == "CODEPAR" and number == 0:
        return None
    return number


def _row(
    line: int, columns: list[_Token], values: list[_Token], dictionary: Dictionary, path: Path
) -> DictionaryRow:
    known = {c.name: c for c in dictionary.columns}
    names: list[str] = []
    for token in columns:
        if token.text not in known:
            raise DictionaryFileError(
                path, f"unknown column {token.raw} for {dictionary.name}", token.line
            )
        if token.text in names:
            raise DictionaryFileError(path, f"column {token.raw} is listed twice", token.line)
        names.append(token.text)
    missing = [c.name for c in dictionary.columns if c.required and c.name not in names]
    if missing:
        raise DictionaryFileError(path, f"missing mandatory column {', '.join(missing)}", line)
    if len(values) != len(names):
        raise DictionaryFileError(path, f"{len(names)} columns but {len(values)} values", line)

    row: dict[str, Value] = {c.name: None for c in dictionary.columns}
    for name, token in zip(names, values, strict=True):
        row[name] = _value(known[name], token, dictionary, path)
    return DictionaryRow(row, line)


# --- the tree -----------------------------------------------------------------------------


def _check_tree(rows: tuple[DictionaryRow, ...], path: Path) -> None:
    """Refuse a parent that is not there, a cycle, or a level that is not parent's plus one."""
    by_code = {row.code: row for row in rows}
    for row in rows:
        parent = row.values["CODEPAR"]
        if parent is not None and parent not in by_code:
            raise DictionaryFileError(
                path, f"CODEPAR {parent} of CODE {row.code} names no CODE in the file", row.line
            )

    settled: set[int] = set()  # codes whose ancestry is known to reach a root
    for row in rows:
        trail: list[int] = []
        code: int | None = row.code
        while code is not None and code not in settled:
            if code in trail:
                cycle = " -> ".join(str(c) for c in [*trail[trail.index(code) :], code])
                raise DictionaryFileError(
                    path, f"CODEPAR forms a cycle: {cycle}", by_code[code].line
                )
            trail.append(code)
            code = by_code[code].values["CODEPAR"]  # type: ignore[assignment]
        settled.update(trail)

    for row in rows:
        parent = row.values["CODEPAR"]
        if parent is None:
            continue
        expected = by_code[parent].values["LEV"] + 1  # type: ignore[operator]
        if row.values["LEV"] != expected:
            raise DictionaryFileError(
                path,
                f"LEV {row.values['LEV']} of CODE {row.code} is not its parent's LEV "
                f"{expected - 1} plus one",
                row.line,
            )


# --- the file -----------------------------------------------------------------------------


def dictionary_of_file(path: Path) -> Dictionary:
    """The dictionary a file holds, by its name (``T_CITIZEN.sql``, any case)."""
    dictionary = DICTIONARIES.get(path.stem.upper())
    if dictionary is None or path.suffix.lower() != ".sql":
        known = ", ".join(d.file_name for d in DICTIONARIES.values())
        raise DictionaryFileError(
            path, f"not a dictionary file of the exchange contract (expected one of {known})"
        )
    return dictionary


def decode(data: bytes, path: Path) -> str:
    """UTF-8 text of a file (a byte-order mark is allowed), or a refusal naming the line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise DictionaryFileError(path, "the file is not valid UTF-8", line) from None


def read_dictionary_file(path: Path) -> DictionaryVersion:
    """Read and check one sql-insert file; raise :class:`DictionaryFileError` to refuse it."""
    dictionary = dictionary_of_file(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise DictionaryFileError(path, f"larger than {MAX_FILE_BYTES} bytes")
    data = path.read_bytes()
    text = decode(data, path)

    statements = _Statements(text, path, dictionary)
    rows = tuple(
        _row(line, columns, values, dictionary, path)
        for line, columns, values in statements.inserts()
    )
    if not rows:
        raise DictionaryFileError(path, "the file holds no INSERT")

    first_line: dict[int, int] = {}
    for row in rows:
        if row.code in first_line:
            raise DictionaryFileError(
                path,
                f"CODE {row.code} appears twice (first on line {first_line[row.code]})",
                row.line,
            )
        first_line[row.code] = row.line
    if dictionary.tree:
        _check_tree(rows, path)

    return DictionaryVersion(
        dictionary=dictionary,
        file_name=path.name,
        sha256=hashlib.sha256(data).hexdigest(),
        rows=rows,
    )
