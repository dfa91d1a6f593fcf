"""The export reader: the contract's structure, values as text, and hostile files refused."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from estat.contract import CHILD_TABLES, Kind
from estat.exports.reader import ExportRefused, check_file_name, read_export

HEADER = (
    'kind="{kind}" package="EM-2026-01-001" period_start="01.01.2026" '
    'period_end="31.01.2026" created="2026-02-01T03:00:00"'
)


def document(
    body: str, *, kind: str = "EMIGRANT", encoding: str = "UTF-8", prolog: str = ""
) -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n{prolog}'
        f"<BURKIT_EXPORT {HEADER.format(kind=kind)}>\n{body}\n</BURKIT_EXPORT>\n"
    )


# Russian letters only: windows-1251 has no Kazakh letters such as Ә or Ұ.
PERSON = "<ROW><CODE>0000000000001</CODE><FIO>Жаксыбеков Нурлан</FIO></ROW>"
MAIN = f'<M_EMIGRANT rows="1">{PERSON}</M_EMIGRANT>'


def write(tmp_path: Path, text: str | bytes, name: str = "EMIGRANT_20260131_001.xml") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def refusal(path: Path) -> ExportRefused:
    with pytest.raises(ExportRefused) as caught:
        read_export(path)
    assert caught.value.file_name == path.name
    assert str(caught.value).startswith(f"{path.name}: ")
    return caught.value


def test_reads_header_tables_and_values_as_text(tmp_path: Path) -> None:
    body = (
        '<M_EMIGRANT rows="2">'
        "<ROW><FIO> <![CDATA[Иванов  Иван]]>\n </FIO><CODE>0000000000001</CODE>"
        "<IIN>   </IIN><PROF/><CITIZ>\n398\n</CITIZ></ROW>"
        "<ROW><CODE>0000000000002</CODE><FIO>Ли &amp; Ким</FIO></ROW>"
        "</M_EMIGRANT>"
        '<L_EM2TR rows="1"><ROW><TRCODE>07</TRCODE><EMCODE>0000000000002</EMCODE></ROW></L_EM2TR>'
    )
    path = write(tmp_path, document(body))

    export = read_export(path)

    assert export.header.kind is Kind.EMIGRANT
    assert export.header.package == "EM-2026-01-001"
    assert f"{export.header.period_start:%d.%m.%Y}-{export.header.period_end:%d.%m.%Y}" == (
        "01.01.2026-31.01.2026"
    )
    assert len(export.sha256) == 64
    assert export.size_bytes == path.stat().st_size
    persons = export.tables["M_EMIGRANT"]
    assert persons.declared_rows == 2
    rows = persons.frame.to_dict("records")
    assert [r["row_number"] for r in rows] == [1, 2]
    assert rows[0]["CODE"] == "0000000000001"  # leading zeros kept
    assert rows[0]["FIO"] == "Иванов  Иван"  # CDATA and surrounding space
    assert rows[0]["CITIZ"] == "398"
    assert all(persons.frame[c].isna()[0] for c in ("IIN", "PROF", "GSID"))  # blank, empty, missing
    assert rows[1]["FIO"] == "Ли & Ким"
    assert export.tables["L_EM2TR"].frame["TRCODE"].tolist() == ["07"]
    # Tables the file leaves out are empty, with every contract column.
    assert set(export.tables) == {"M_EMIGRANT", *CHILD_TABLES}
    assert export.tables["MC_PASSPORT"].declared_rows == 0
    assert "PNUM" in export.tables["MC_PASSPORT"].frame.columns


def test_windows_1251_and_a_bom_are_read(tmp_path: Path) -> None:
    cp1251 = write(tmp_path, document(MAIN, encoding="windows-1251").encode("cp1251"))
    assert read_export(cp1251).tables["M_EMIGRANT"].frame["FIO"].tolist() == ["Жаксыбеков Нурлан"]

    bom = write(tmp_path, b"\xef\xbb\xbf" + document(MAIN).encode("utf-8"), "b.xml")
    assert read_export(bom).tables["M_EMIGRANT"].frame["FIO"].tolist() == ["Жаксыбеков Нурлан"]


@pytest.mark.parametrize(
    ("text", "rule", "says"),
    [
        (document(MAIN).replace("BURKIT_EXPORT", "EXPORT"), "root", "root element is EXPORT"),
        (document(MAIN, kind="TOURIST"), "kind", "kind is not EMIGRANT or IMMIGRANT"),
        (
            document(MAIN.replace("M_EMIGRANT", "M_IMMIGRANT")),
            "unknown_table",
            "M_IMMIGRANT is a contract table of an EMIGRANT file",
        ),
        (document(MAIN + '<M_VISA rows="0"/>'), "unknown_table", "M_VISA is no contract table"),
        (
            document(MAIN.replace("<FIO>", "<NICK>x</NICK><FIO>")),
            "unknown_field",
            "M_EMIGRANT row 1: NICK is not a field of M_EMIGRANT",
        ),
        (
            document(MAIN.replace("<FIO>", "<FIO>a</FIO><FIO>")),
            "structure",
            "field FIO appears twice",
        ),
        (document(MAIN.replace(' rows="1"', "")), "structure", "no whole number"),
        (document(MAIN.replace('rows="1"', 'rows="-1"')), "structure", "no whole number"),
        (document(MAIN + MAIN), "structure", "table M_EMIGRANT appears twice"),
        (document(MAIN.replace("<ROW>", "<RECORD>", 1)), "structure", "holds RECORD, not ROW"),
        (document('<MC_PASSPORT rows="0"/>'), "structure", "the M_EMIGRANT table is missing"),
        (
            document(MAIN).replace('period_end="31.01.2026"', 'period_end="2026-01-31"'),
            "header",
            "period_end is not a DD.MM.YYYY date",
        ),
        (document(MAIN).replace(' package="EM-2026-01-001"', ""), "header", "package is missing"),
    ],
)
def test_a_breach_of_the_structure_refuses_the_file(
    tmp_path: Path, text: str, rule: str, says: str
) -> None:
    refused = refusal(write(tmp_path, text))

    assert refused.rule == rule
    assert says in refused.reason


def test_a_truncated_file_is_refused(tmp_path: Path) -> None:
    whole = document(MAIN)
    for cut in (len(whole) // 3, len(whole) - 20, len(whole.rstrip()) - 1):
        refused = refusal(write(tmp_path, whole[:cut]))
        assert refused.rule == "not_well_formed"


def test_trailing_content_after_the_root_is_refused(tmp_path: Path) -> None:
    refused = refusal(write(tmp_path, document(MAIN) + "<BURKIT_EXPORT/>"))

    assert refused.rule == "not_well_formed"


def test_a_wrong_encoding_declaration_is_refused(tmp_path: Path) -> None:
    # Declared UTF-8, written in windows-1251: the Cyrillic bytes are not UTF-8.
    path = write(tmp_path, document(MAIN).encode("cp1251"))

    refused = refusal(path)

    assert refused.rule == "not_well_formed"
    assert "encoding" in refused.reason


BILLION_LAUGHS = """<!DOCTYPE BURKIT_EXPORT [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    text = document(MAIN.replace("Жаксыбеков Нурлан", "&lol9;"), prolog=BILLION_LAUGHS)

    refused = refusal(write(tmp_path, text))

    assert refused.rule == "doctype"


def test_quadratic_blowup_is_refused(tmp_path: Path) -> None:
    prolog = f'<!DOCTYPE BURKIT_EXPORT [<!ENTITY a "{"x" * 50_000}">]>\n'
    text = document(MAIN.replace("Жаксыбеков Нурлан", "&a;" * 50_000), prolog=prolog)

    refused = refusal(write(tmp_path, text))

    assert refused.rule == "doctype"


def test_an_external_entity_is_neither_read_nor_accepted(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    prolog = f'<!DOCTYPE BURKIT_EXPORT [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
    path = write(tmp_path, document(MAIN.replace("Жаксыбеков Нурлан", "&xxe;"), prolog=prolog))

    refused = refusal(path)

    assert refused.rule == "doctype"
    assert "TOP-SECRET" not in str(refused)


def test_an_undeclared_entity_is_refused(tmp_path: Path) -> None:
    refused = refusal(write(tmp_path, document(MAIN.replace("Жаксыбеков Нурлан", "&xxe;"))))

    assert refused.rule == "not_well_formed"


@pytest.fixture
def web_server():
    """A local HTTP server that counts the requests it receives."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY remote "FETCHED">')

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()


def test_an_external_dtd_or_entity_is_never_fetched(tmp_path: Path, web_server) -> None:
    url, requests = web_server
    external_dtd = f'<!DOCTYPE BURKIT_EXPORT SYSTEM "{url}/contract.dtd">\n'
    remote_entity = f'<!DOCTYPE BURKIT_EXPORT [<!ENTITY % r SYSTEM "{url}/e.dtd"> %r;]>\n'

    for prolog in (external_dtd, remote_entity):
        text = document(MAIN.replace("Жаксыбеков Нурлан", "&remote;"), prolog=prolog)
        assert refusal(write(tmp_path, text)).rule == "doctype"

    assert requests == []


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    deep = "<FIO>" + "<X>" * 5000 + "x" + "</X>" * 5000 + "</FIO>"
    text = document(f'<M_EMIGRANT rows="1"><ROW>{deep}</ROW></M_EMIGRANT>')

    refused = refusal(write(tmp_path, text))

    assert refused.rule == "structure"
    assert "field FIO holds elements" in refused.reason


def test_a_file_that_is_not_xml_is_refused(tmp_path: Path) -> None:
    assert refusal(write(tmp_path, b"PK\x03\x04 not xml")).rule == "not_well_formed"
    assert refusal(write(tmp_path, b"")).rule == "not_well_formed"


def test_no_refusal_quotes_a_value(tmp_path: Path) -> None:
    breaches = [
        document(MAIN.replace("<FIO>", "<SECRET_FIELD>Жаксыбеков</SECRET_FIELD><FIO>")),
        document(MAIN).encode("cp1251"),
        document(MAIN.replace("Жаксыбеков Нурлан", "Жаксыбеков <b>Нурлан</b>")),
    ]
    for text in breaches:
        refused = refusal(write(tmp_path, text))
        for value in ("Жаксыбеков", "Нурлан"):
            assert value not in str(refused)


@pytest.mark.parametrize(
    ("name", "fits"),
    [
        ("EMIGRANT_20260131_001.xml", True),
        ("IMMIGRANT_20260131_001.xml", False),  # wrong kind
        ("EMIGRANT_20260228_001.xml", False),  # not the period's end
        ("EMIGRANT_20260131_1.xml", False),
        ("emigrant_20260131_001.xml", False),
        ("export.xml", False),
    ],
)
def test_the_file_name_must_agree_with_the_file(tmp_path: Path, name: str, fits: bool) -> None:
    header = read_export(write(tmp_path, document(MAIN))).header

    if fits:
        check_file_name(name, header)
    else:
        with pytest.raises(ExportRefused) as caught:
            check_file_name(name, header)
        assert caught.value.rule == "file_name"
