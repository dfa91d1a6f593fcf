"""The sql-insert reader: what the contract allows is read, anything else refuses the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from estat.sqlinsert import DictionaryFileError, read_dictionary_file

SPEC_EXAMPLE = """SET DEFINE OFF;
-- any comment
Insert into F_MARITAL (CODE,NAME,KZNAME,EXIST) values (1,'Женат (замужем)','Үйленген (тұрмыста)',1);
INSERT INTO F_MARITAL (CODE, NAME, KZNAME, EXIST) VALUES (2, 'Холост (не замужем)', NULL, 1);
COMMIT;
"""

TREE_HEAD = "insert into T_CITIZEN (CODE,CODEPAR,NAME,KZNAME,LEV,SHIFR,EXIST) values "


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def refusal(tmp_path: Path, name: str, text: str | bytes) -> DictionaryFileError:
    with pytest.raises(DictionaryFileError) as caught:
        read_dictionary_file(write(tmp_path, name, text))
    return caught.value


def test_reads_the_contract_example(tmp_path: Path) -> None:
    version = read_dictionary_file(write(tmp_path, "F_MARITAL.sql", SPEC_EXAMPLE))

    assert version.dictionary.name == "F_MARITAL"
    assert [row.values for row in version.rows] == [
        {"CODE": 1, "NAME": "Женат (замужем)", "KZNAME": "Үйленген (тұрмыста)", "EXIST": 1},
        {"CODE": 2, "NAME": "Холост (не замужем)", "KZNAME": None, "EXIST": 1},
    ]
    assert [row.line for row in version.rows] == [3, 4]
    assert len(version.sha256) == 64


def test_reads_statements_spanning_lines_comments_quotes_and_bom(tmp_path: Path) -> None:
    text = (
        "\ufeffset define off;\n/* block\ncomment */\n"
        "InSeRt InTo f_marital\n  (code, name)\n  VALUES\n"
        "  (7, 'Д''Артаньян -- ; не комментарий');\n"
        "insert into F_MARITAL (CODE,NAME,KZNAME) values (8,'Вдовец','');\ncommit;"
    )
    version = read_dictionary_file(write(tmp_path, "f_marital.sql", text))

    assert version.rows[0].values == {
        "CODE": 7,
        "NAME": "Д'Артаньян -- ; не комментарий",
        "KZNAME": None,
        "EXIST": None,
    }
    assert version.rows[0].line == 4
    # As in Oracle, an empty string is NULL.
    assert version.rows[1].values["KZNAME"] is None


def test_tree_root_may_hold_codepar_zero_or_null(tmp_path: Path) -> None:
    text = (
        f"{TREE_HEAD}(150,0,'Европа','Еуропа',1,'R150',1);\n"
        f"{TREE_HEAD}(142,NULL,'Азия','Азия',1,'R142',1);\n"
        f"{TREE_HEAD}(398,142,'Казахстан','Қазақстан',2,'KAZ',1);\n"
    )
    rows = read_dictionary_file(write(tmp_path, "T_CITIZEN.sql", text)).rows

    assert [(r.code, r.values["CODEPAR"]) for r in rows] == [(150, None), (142, None), (398, 142)]


FLAT = "Insert into F_MARITAL (CODE,NAME,KZNAME,EXIST) values "


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        pytest.param(
            f"{FLAT}(1,'a','b',1);\nDROP TABLE F_MARITAL;\n",
            2,
            "only INSERT, SET and COMMIT statements may appear, found 'DROP'",
            id="drop-after-insert",
        ),
        pytest.param(
            f"{FLAT}(1,'a','b',1); DELETE FROM F_MARITAL;\n",
            1,
            "found 'DELETE'",
            id="second-statement-on-the-same-line",
        ),
        pytest.param(
            # A backslash does not escape a quote in SQL: the string ends after it.
            f"{FLAT}(1,'a\\','b',1); DROP TABLE F_MARITAL; --','b',1);\n",
            1,
            "found 'DROP'",
            id="quote-escape-trick",
        ),
        pytest.param(
            "Insert into F_NATION (CODE,NAME,KZNAME,EXIST) values (1,'a','b',1);\n",
            1,
            "a dictionary file may insert only into its own dictionary",
            id="other-table",
        ),
        pytest.param(
            "Insert into SYS.F_MARITAL (CODE,NAME) values (1,'a');\n",
            1,
            "a dictionary file may insert only into its own dictionary",
            id="schema-qualified",
        ),
        pytest.param(
            f"{FLAT}((SELECT max(code) FROM F_MARITAL),'a','b',1);\n",
            1,
            "functions, subqueries and expressions are not accepted",
            id="subquery",
        ),
        pytest.param(
            f"{FLAT}(1,upper('a'),'b',1);\n",
            1,
            "functions, subqueries and expressions are not accepted",
            id="function-call",
        ),
        pytest.param(
            f"{FLAT}(1+1,'a','b',1);\n",
            1,
            'unexpected text "+1',
            id="expression",
        ),
        pytest.param(
            "Insert into F_MARITAL (CODE,NAME,COLOUR) values (1,'a','b');\n",
            1,
            "unknown column COLOUR",
            id="unknown-column",
        ),
        pytest.param(
            "Insert into F_MARITAL (CODE,KZNAME) values (1,'b');\n",
            1,
            "missing mandatory column NAME",
            id="missing-mandatory-column",
        ),
        pytest.param(
            "Insert into F_MARITAL (CODE,NAME,CODE) values (1,'a',2);\n",
            1,
            "column CODE is listed twice",
            id="column-twice",
        ),
        pytest.param(
            f"{FLAT}('1','a','b',1);\n",
            1,
            "column CODE: must be a whole number",
            id="string-for-number",
        ),
        pytest.param(
            f"{FLAT}(1,2,'b',1);\n",
            1,
            "column NAME: must be a string in quotes",
            id="number-for-string",
        ),
        pytest.param(
            f"{FLAT}(1.5,'a','b',1);\n",
            1,
            "column CODE: must be a whole number, found 1.5",
            id="decimal",
        ),
        pytest.param(f"{FLAT}(-3,'a','b',1);\n", 1, "from 0 to", id="negative"),
        pytest.param(
            f"{FLAT}(1,NULL,'b',1);\n",
            1,
            "column NAME: is mandatory but holds NULL",
            id="null-mandatory",
        ),
        pytest.param(f"{FLAT}(1,'a','b',2);\n", 1, "column EXIST: must be 0 or 1", id="exist-2"),
        pytest.param(f"{FLAT}(1,'a','b');\n", 1, "4 columns but 3 values", id="value-count"),
        pytest.param(
            f"{FLAT}(1,'a','b',1);\n\n{FLAT}(1,'c','d',1);\n",
            3,
            "CODE 1 appears twice (first on line 1)",
            id="duplicate-code",
        ),
        pytest.param(f"{FLAT}(1,'a','b',1)\n", 1, "the file ends where", id="no-semicolon"),
        pytest.param(f"{FLAT}(1,'a,'b',1);\n", 1, "expected ',' or ')'", id="broken-quote"),
        pytest.param(f"{FLAT}(1,'a\n", 1, "a string is not closed", id="unclosed-string"),
        pytest.param(f"{FLAT}(1,\"a\",'b',1);\n", 1, "unexpected text", id="double-quotes"),
        pytest.param(
            "SET DEFINE OFF;\n-- nothing\nCOMMIT;\n", None, "the file holds no INSERT", id="no-rows"
        ),
        pytest.param("SET DEFINE 'x';\n", 1, "a SET command holds only words", id="set-string"),
    ],
)
def test_refuses_what_the_contract_does_not_allow(
    tmp_path: Path, text: str, line: int | None, reason: str
) -> None:
    error = refusal(tmp_path, "F_MARITAL.sql", text)

    assert reason in error.reason
    assert error.line == line
    assert str(error).startswith("F_MARITAL.sql")


def test_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    text = f"{FLAT}(1,'a','b',1);\n{FLAT}(2,'Вдова','b',1);\n".encode("cp1251")

    error = refusal(tmp_path, "F_MARITAL.sql", text)

    assert (error.line, error.reason) == (2, "the file is not valid UTF-8")


def test_refuses_a_file_named_after_no_dictionary(tmp_path: Path) -> None:
    error = refusal(tmp_path, "F_COLOURS.sql", f"{FLAT}(1,'a','b',1);\n")

    assert "not a dictionary file of the exchange contract" in error.reason


@pytest.mark.parametrize(
    ("rows", "line", "reason"),
    [
        pytest.param(
            ["(142,0,'Азия','Азия',1,'R142',1)", "(398,77,'Казахстан','Қазақстан',2,'KAZ',1)"],
            2,
            "CODEPAR 77 of CODE 398 names no CODE in the file",
            id="missing-parent",
        ),
        pytest.param(
            ["(142,0,'Азия','Азия',1,'R142',1)", "(398,142,'Казахстан','Қазақстан',3,'KAZ',1)"],
            2,
            "LEV 3 of CODE 398 is not its parent's LEV 1 plus one",
            id="wrong-level",
        ),
        pytest.param(
            ["(1,2,'a','a',1,'A',1)", "(2,3,'b','b',2,'B',1)", "(3,1,'c','c',3,'C',1)"],
            1,
            "CODEPAR forms a cycle: 1 -> 2 -> 3 -> 1",
            id="cycle",
        ),
        pytest.param(
            ["(5,5,'a','a',1,'A',1)"], 1, "CODEPAR forms a cycle: 5 -> 5", id="own-parent"
        ),
        pytest.param(
            ["(0,0,'a','a',1,'A',1)"],
            1,
            "column CODE: 0 marks the root of a tree and cannot be a CODE",
            id="code-zero",
        ),
        pytest.param(
            ["(142,0,'Азия','Азия',1,NULL,1)"],
            1,
            "column SHIFR: is mandatory but holds NULL",
            id="no-shifr",
        ),
    ],
)
def test_refuses_a_broken_tree(tmp_path: Path, rows: list[str], line: int, reason: str) -> None:
    text = "".join(f"{TREE_HEAD}{row};\n" for row in rows)

    error = refusal(tmp_path, "T_CITIZEN.sql", text)

    assert (error.line, error.reason) == (line, reason)


def test_a_tree_insert_without_codepar_is_refused(tmp_path: Path) -> None:
    text = "Insert into T_CITIZEN (CODE,NAME,LEV,SHIFR) values (1,'a',1,'A');\n"

    error = refusal(tmp_path, "T_CITIZEN.sql", text)

    assert error.reason == "missing mandatory column CODEPAR"
