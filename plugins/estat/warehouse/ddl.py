"""Warehouse DDL derived from the exchange contract.

The migrations under ``migrations/`` are frozen SQL: what was applied stays as it was
applied. This module states what the contract implies today; a test compares the migrated
warehouse with it, so a change of the contract without a migration fails the build.
``python -m estat ddl`` prints it, as the start of the next migration.
"""

from __future__ import annotations

from estat.contract import (
    DICTIONARIES,
    TABLES,
    ColumnType,
    Dictionary,
    DictionaryColumn,
    Field,
    Rule,
    Table,
)

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


# --- the loaded export tables (schema burkit) ----------------------------------------------

# Columns every burkit table carries after the contract's fields: (name, type, meaning).
BURKIT_BOOKKEEPING_COLUMNS: tuple[tuple[str, str, str], ...] = (
    # Checked once per statement by the triggers of migration V006 (see burkit_table_ddl).
    ("file_id", "bigint NOT NULL", "the export file (ops.export_file) that last wrote the row"),
    ("row_number", "integer NOT NULL", "the row's position in its table in that file"),
)


def burkit_column_type(field: Field) -> str:
    """The PostgreSQL type a contract field is loaded as."""
    match field.rule:
        case Rule.DATE:
            return "date"
        case Rule.YEAR | Rule.SEX | Rule.FLAG:
            return "smallint"
        case Rule.CODE:
            return "integer"
        case Rule.IIN:
            return "character(12)"
        case Rule.MIGRATION_TYPE:
            return "character(1)"
        case _:
            # Identifiers stay text: they may start with zeros.
            return f"character varying({field.length})"


def burkit_table_name(table: Table) -> str:
    return f"burkit.{table.name.lower()}"


def burkit_key(table: Table) -> tuple[str, ...]:
    """The columns a loaded row is merged on: kind and CODE (L_EM2TR has no CODE)."""
    kind = () if table.main else ("kind",)
    if "CODE" in table.field_names:
        return (*kind, "code")
    return (*kind, "emcode", "trcode")


def burkit_table_ddl(table: Table) -> str:
    """CREATE TABLE (with comments) for one contract table in schema ``burkit``."""
    name = burkit_table_name(table)
    lines = []
    if not table.main:
        lines.append(
            """    kind text COLLATE "C" NOT NULL CHECK (kind IN ('EMIGRANT', 'IMMIGRANT'))"""
        )
    for field in table.fields:
        constraint = " NOT NULL" if field.required else ""
        # Key columns compare byte by byte (migration V006).
        collation = ' COLLATE "C"' if field.name in ("CODE", "EMCODE") else ""
        lines.append(f"    {field.name.lower()} {burkit_column_type(field)}{collation}{constraint}")
    lines.extend(f"    {column} {sql_type}" for column, sql_type, _ in BURKIT_BOOKKEEPING_COLUMNS)
    lines.append(f"    PRIMARY KEY ({', '.join(burkit_key(table))})")

    statements = [f"CREATE TABLE {name} (\n" + ",\n".join(lines) + "\n);"]
    if not table.main and burkit_key(table)[:2] != ("kind", "emcode"):
        # A person's child rows are looked up by (kind, emcode): the key finds them when it
        # starts with those columns (L_EM2TR, migration V007), an index otherwise.
        statements.append(f"CREATE INDEX {table.name.lower()}_by_person ON {name} (kind, emcode);")
    for event in ("insert", "update"):
        statements.append(
            f"CREATE TRIGGER {table.name.lower()}_file_id_on_{event} AFTER {event.upper()} "
            f"ON {name} REFERENCING NEW TABLE AS written FOR EACH STATEMENT "
            "EXECUTE FUNCTION burkit.check_file_ids();"
        )
    statements.append(
        f"COMMENT ON TABLE {name} IS "
        f"{_quote(f'{table.name}: {table.meaning_en} ({table.meaning_kk})')};"
    )
    if not table.main:
        statements.append(
            f"COMMENT ON COLUMN {name}.kind IS 'the kind of export file: EMIGRANT or IMMIGRANT';"
        )
    for field in table.fields:
        meaning = f"{field.meaning_en} ({field.meaning_kk})"
        statements.append(f"COMMENT ON COLUMN {name}.{field.name.lower()} IS {_quote(meaning)};")
    for column, _, meaning in BURKIT_BOOKKEEPING_COLUMNS:
        statements.append(f"COMMENT ON COLUMN {name}.{column} IS {_quote(meaning)};")
    return "\n".join(statements)


def burkit_ddl() -> str:
    """Every burkit table the contract implies, in contract order."""
    return "\n\n".join(burkit_table_ddl(t) for t in TABLES.values()) + "\n"
