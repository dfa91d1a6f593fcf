"""Warehouse DDL derived from the exchange contract.

The migrations under ``migrations/`` are frozen SQL: what was applied stays as it was
applied. This module states what the contract implies today; a test compares the migrated
warehouse with it, so a change of the contract without a migration fails the build.
``python -m estat ddl`` prints it, as the start of the next migration.
"""

from __future__ import annotations

from estat.contract import DICTIONARIES, ColumnType, Dictionary, DictionaryColumn

# Bookkeeping columns every ref table carries after the dictionary's own:
# (name, type, nullable, meaning).
REF_BOOKKEEPING_COLUMNS: tuple[tuple[str, str, bool, str], ...] = (
    ("loaded_by", "bigint", False, "the dictionary load that last added or changed the row"),
    (
        "withdrawn_by",
        "bigint",
        True,
        "the dictionary load whose file no longer held this code (the code is kept)",
    ),
)


def ref_column_type(column: DictionaryColumn) -> str:
    """The PostgreSQL type of a dictionary column."""
    if column.type is ColumnType.TEXT:
        return "text"
    if column.allowed is not None:
        return "smallint"
    return "integer"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ref_table_ddl(dictionary: Dictionary) -> str:
    """CREATE TABLE (with comments) for one dictionary's table in schema ``ref``."""
    table = dictionary.warehouse_table
    lines = []
    for column in dictionary.columns:
        name = column.name.lower()
        definition = f"    {name} {ref_column_type(column)}"
        if name == "code":
            definition += " PRIMARY KEY"
        elif not column.nullable:
            definition += " NOT NULL"
        if name == "codepar":
            definition += f" REFERENCES {table} (code) DEFERRABLE INITIALLY DEFERRED"
        if column.allowed is not None:
            allowed = ", ".join(str(n) for n in sorted(column.allowed))
            definition += f" CHECK ({name} IN ({allowed}))"
        lines.append(definition)
    for name, sql_type, nullable, _ in REF_BOOKKEEPING_COLUMNS:
        constraint = "" if nullable else " NOT NULL"
        lines.append(f"    {name} {sql_type}{constraint} REFERENCES ops.dictionary_load (load_id)")

    statements = [f"CREATE TABLE {table} (\n" + ",\n".join(lines) + "\n);"]
    statements.append(
        f"COMMENT ON TABLE {table} IS "
        f"{_quote(f'{dictionary.name}: {dictionary.meaning_en} ({dictionary.meaning_kk})')};"
    )
    for column in dictionary.columns:
        meaning = f"{column.meaning_en} ({column.meaning_kk})"
        statements.append(f"COMMENT ON COLUMN {table}.{column.name.lower()} IS {_quote(meaning)};")
    for name, _, _, meaning in REF_BOOKKEEPING_COLUMNS:
        statements.append(f"COMMENT ON COLUMN {table}.{name} IS {_quote(meaning)};")
    return "\n".join(statements)


def contract_ddl() -> str:
    """Every ref table the contract implies, in dictionary order."""
    return "\n\n".join(ref_table_ddl(d) for d in DICTIONARIES.values()) + "\n"
