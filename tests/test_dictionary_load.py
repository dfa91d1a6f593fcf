"""Loading dictionary files into the real warehouse: counts, refreshes, refusals."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DICTIONARY_DIR

from estat.contract import DICTIONARIES
from estat.dictionaries import (
    DictionaryRefused,
    load_dictionary_dir,
    load_dictionary_file,
    pending_dictionary_files,
)
from estat.sqlinsert import read_dictionary_file

HEAD = "Insert into F_MARITAL (CODE,NAME,KZNAME,EXIST) values "


def snapshot(conn, table: str) -> list[tuple]:
    return conn.execute(f"SELECT * FROM {table} ORDER BY code").fetchall()


def write_marital(directory: Path, *rows: str) -> Path:
    path = directory / "F_MARITAL.sql"
    path.write_text("SET DEFINE OFF;\n" + "".join(f"{HEAD}{r};\n" for r in rows) + "COMMIT;\n")
    return path


def test_every_shipped_dictionary_loads_with_the_counts_its_file_holds(conn) -> None:
    loads, refusals = load_dictionary_dir(conn, DICTIONARY_DIR)

    assert refusals == []
    assert sorted(load.dictionary for load in loads) == sorted(DICTIONARIES)
    for load in loads:
        in_file = len(read_dictionary_file(DICTIONARY_DIR / load.file_name).rows)
        (in_table,) = conn.execute(
            f"SELECT count(*) FROM {DICTIONARIES[load.dictionary].warehouse_table}"
        ).fetchone()
        assert load.rows_in_file == load.added == in_table == in_file
    kazakhstan = conn.execute(
        "SELECT codepar, name, kzname, lev, shifr, exist FROM ref.t_citizen WHERE code = 398"
    ).fetchone()
    assert kazakhstan == (142, "Казахстан", "Қазақстан", 2, "KAZ", 1)


def test_a_reload_of_the_same_files_changes_nothing(conn) -> None:
    load_dictionary_dir(conn, DICTIONARY_DIR)
    before = {d.name: snapshot(conn, d.warehouse_table) for d in DICTIONARIES.values()}

    assert pending_dictionary_files(conn, DICTIONARY_DIR) == []
    (last_load,) = conn.execute("SELECT max(load_id) FROM ops.dictionary_load").fetchone()
    loads, _ = load_dictionary_dir(conn, DICTIONARY_DIR, force=True)

    assert {d.name: snapshot(conn, d.warehouse_table) for d in DICTIONARIES.values()} == before
    assert all(load.added == load.changed == load.withdrawn == 0 for load in loads)
    assert all(load.unchanged == load.rows_in_file for load in loads)
    assert len(loads) == len(DICTIONARIES)
    assert conn.execute(
        "SELECT count(*) FROM ops.dictionary_change WHERE load_id > %s", (last_load,)
    ).fetchone() == (0,)


def test_a_new_version_updates_adds_and_keeps_what_disappeared(conn, tmp_path: Path) -> None:
    first = load_dictionary_file(
        conn,
        write_marital(
            tmp_path, "(1,'Женат','Үйленген',1)", "(2,'Холост',NULL,1)", "(3,'Вдовец','Жесір',1)"
        ),
    )
    second = load_dictionary_file(
        conn,
        write_marital(
            tmp_path,
            "(1,'Женат (замужем)','Үйленген',1)",
            "(3,'Вдовец','Жесір',1)",
            "(4,'Разведен','Ажырасқан',1)",
        ),
    )

    assert (second.added, second.changed, second.unchanged, second.withdrawn) == (1, 1, 1, 1)
    rows = conn.execute(
        "SELECT code, name, loaded_by, withdrawn_by FROM ref.f_marital ORDER BY code"
    ).fetchall()
    assert rows == [
        (1, "Женат (замужем)", second.load_id, None),
        (2, "Холост", first.load_id, second.load_id),  # kept: records may point at it
        (3, "Вдовец", first.load_id, None),
        (4, "Разведен", second.load_id, None),
    ]
    changes = conn.execute(
        "SELECT code, change, before ->> 'name', after ->> 'name' FROM ops.dictionary_change "
        "WHERE load_id = %s ORDER BY code",
        (second.load_id,),
    ).fetchall()
    assert changes == [
        (1, "changed", "Женат", "Женат (замужем)"),
        (2, "withdrawn", "Холост", None),
        (4, "added", None, "Разведен"),
    ]

    third = load_dictionary_file(
        conn,
        write_marital(
            tmp_path,
            "(1,'Женат (замужем)','Үйленген',1)",
            "(2,'Холост',NULL,1)",
            "(3,'Вдовец','Жесір',1)",
            "(4,'Разведен','Ажырасқан',1)",
        ),
    )
    assert (third.added, third.changed, third.withdrawn) == (0, 1, 0)
    assert conn.execute("SELECT withdrawn_by FROM ref.f_marital WHERE code = 2").fetchone() == (
        None,
    )
    assert conn.execute(
        "SELECT change FROM ops.dictionary_change WHERE load_id = %s", (third.load_id,)
    ).fetchall() == [("restored",)]


def test_a_hostile_file_is_refused_and_changes_nothing(conn, tmp_path: Path) -> None:
    load_dictionary_file(conn, write_marital(tmp_path, "(1,'Женат','Үйленген',1)"))
    before = snapshot(conn, "ref.f_marital")
    hostile = write_marital(tmp_path, "(1,'Женат','Үйленген',1)", "(9,'x','y',1)")
    hostile.write_text(hostile.read_text().replace("COMMIT;", "DROP TABLE ref.f_marital;"))

    with pytest.raises(DictionaryRefused) as refused:
        load_dictionary_file(conn, hostile)

    assert snapshot(conn, "ref.f_marital") == before
    assert refused.value.line == 4
    status, reason, added = conn.execute(
        "SELECT status, reason, rows_added FROM ops.dictionary_load WHERE load_id = %s",
        (refused.value.load_id,),
    ).fetchone()
    assert (status, added) == ("refused", None)
    assert reason == (
        "F_MARITAL.sql, line 4: only INSERT, SET and COMMIT statements may appear, found 'DROP'"
    )
    # The refused version is not tried again until it changes.
    assert pending_dictionary_files(conn, tmp_path) == []


def test_one_refused_file_does_not_hold_back_the_others(conn, tmp_path: Path) -> None:
    shutil.copytree(DICTIONARY_DIR, tmp_path, dirs_exist_ok=True)
    (tmp_path / "F_NATION.sql").write_text(
        "Insert into F_NATION (CODE,NAME) values (1,upper('x'));\n"
    )

    loads, refusals = load_dictionary_dir(conn, tmp_path)

    assert [r.file_name for r in refusals] == ["F_NATION.sql"]
    assert len(loads) == len(DICTIONARIES) - 1
    assert conn.execute("SELECT count(*) FROM ref.f_nation").fetchone() == (0,)
