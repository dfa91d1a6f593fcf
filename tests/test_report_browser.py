"""The quality report as a person sees it, and as the Airflow API server serves it.

A real headless Chromium (Debian's ``chromium`` package, driven by Playwright; ``make
install`` installs both) opens the index, follows a period's link by clicking it, reads the
figures off the rendered page and takes a screenshot. The browser test fails, never skips,
when Chromium cannot run: the report is checked in a browser or the run is red.

The Airflow plugin is loaded by Airflow's own plugin manager from ``plugins/``, its sites
mounted as the API server mounts them, and asked for pages through a test client.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT
from report_warehouse import Delivered, Delivery, delivered_warehouse

from estat.contract import Kind
from estat.generator import Fault
from estat.report import write_quality_report

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
# As root and without a network: no sandbox, and none of Chromium's own connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
JANUARY = date(2026, 1, 31)
DELIVERIES = (
    Delivery(
        "faulty",
        Kind.EMIGRANT,
        JANUARY,
        persons=40,
        seed=5,
        faults=(Fault.BAD_IIN_CHECK_DIGIT, Fault.ORPHAN_PASSPORT, Fault.LIQUIDATED_CITIZENSHIP),
    ),
    Delivery("immigrant", Kind.IMMIGRANT, date(2026, 2, 28), persons=20, seed=6),
)


@pytest.fixture(scope="module")
def delivered(pg_server, tmp_path_factory) -> Delivered:
    with delivered_warehouse(pg_server, tmp_path_factory.mktemp("deliveries"), DELIVERIES) as found:
        assert {i.status for i in found.ingestions.values()} == {"loaded"}
        yield found


@pytest.fixture(scope="module")
def report(delivered: Delivered, tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("quality")
    write_quality_report(delivered.conn, directory)
    return directory


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium; a machine without it fails here, loudly."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"no Chromium at {CHROMIUM}: `make install` installs Debian's chromium package",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# --- in the browser -----------------------------------------------------------------------


def test_a_statistician_opens_a_period_from_the_index_and_reads_its_figures(
    browser, report: Path, delivered: Delivered, tmp_path: Path
) -> None:
    generated = delivered.exports["faulty"]
    file_id = delivered.ingestions["faulty"].file_id
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto((report / "index.html").as_uri())
    assert (
        page.title()
        == "Отчёт о качестве данных / Деректер сапасы туралы есеп / Data quality report"
    )
    page.get_by_role("link", name="01.01.2026 – 31.01.2026").click()
    page.wait_for_url("**/period-2026-01-31.html")

    body = page.locator("body").inner_text()
    assert "Отчётный период / Есепті кезең / Reporting period: 01.01.2026 – 31.01.2026" in body
    assert generated.path.name in body
    for reason in ("iin:IIN", "person_in_file:EMCODE", "person_rejected:EMCODE"):
        assert reason in body
    section = page.locator(f"#file-{file_id}")
    persons = page.locator(f"#file-{file_id} table.table-rows tr[data-key='M_EMIGRANT'] td")
    assert persons.all_inner_texts()[1:] == [
        str(generated.rows["M_EMIGRANT"]),
        str(generated.rows["M_EMIGRANT"]),
        str(generated.loaded["M_EMIGRANT"]),
        str(generated.rejected["M_EMIGRANT"]),
    ]
    passports = section.locator("table.table-rows tr[data-key='MC_PASSPORT'] td").all_inner_texts()
    assert passports[-1] == str(generated.rejected["MC_PASSPORT"])
    liquidated = section.locator("table.code-validity tr[data-key='M_EMIGRANT.CITIZ'] td")
    assert liquidated.last.inner_text() == str(generated.warnings)
    failed_iin = section.locator("table.identity-checks tr[data-key='M_EMIGRANT.iin'] td")
    assert failed_iin.last.inner_text() == "1"
    # The charts are drawn: inline SVG with a real size on the page.
    chart = section.locator("svg.chart").first
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert box["height"] > 100

    shot = tmp_path / "period-2026-01-31.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000

    page.get_by_role("link", name="All reporting periods").click()
    page.wait_for_url("**/index.html")
    assert page.locator("svg.chart").count() == 1  # rejected records by rule over the periods
    # Offline by construction: the pages asked for nothing but themselves.
    assert requested
    assert [url for url in requested if not url.startswith("file://")] == []
    context.close()


# --- served by the Airflow API server -----------------------------------------------------


@pytest.fixture
def api_client(report: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The plugin's sites mounted as Airflow's API server mounts them, behind a test client."""
    from airflow.api_fastapi.app import init_plugins
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    docs = tmp_path / "local_site"
    docs.mkdir()
    (docs / "index.html").write_text("<!DOCTYPE html><title>Data Docs</title>", encoding="utf-8")
    monkeypatch.setenv("ESTAT_REPORT_DIR", str(report))
    monkeypatch.setenv("ESTAT_DATA_DOCS_DIR", str(docs))
    app = FastAPI()
    init_plugins(app)
    with TestClient(app) as client:
        yield client


def test_the_api_server_serves_the_report_and_the_data_docs(api_client) -> None:
    index = api_client.get("/estat/quality/")
    period = api_client.get("/estat/quality/period-2026-01-31.html")
    bare = api_client.get("/estat/quality")
    docs = api_client.get("/estat/data-docs/")

    assert index.status_code == 200
    assert index.headers["content-type"].startswith("text/html")
    assert "Data quality report" in index.text
    assert 'href="period-2026-01-31.html"' in index.text
    assert period.status_code == 200
    assert "EMIGRANT_20260131_001.xml" in period.text
    assert bare.status_code == 200
    assert bare.url.path == "/estat/quality/"
    assert docs.status_code == 200
    assert "<title>Data Docs</title>" in docs.text
    assert api_client.get("/estat/quality/period-1999-12-31.html").status_code == 404
    escape = api_client.get("/estat/quality/%2e%2e/%2e%2e/%2e%2e/pyproject.toml")
    assert escape.status_code == 404


def test_a_report_not_yet_written_is_not_found_then_served(
    api_client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = tmp_path / "not-yet"
    monkeypatch.setenv("ESTAT_REPORT_DIR", str(later))

    before = api_client.get("/estat/quality/")
    later.mkdir()
    (later / "index.html").write_text("<!DOCTYPE html><title>written</title>", encoding="utf-8")
    after = api_client.get("/estat/quality/")

    assert before.status_code == 404
    assert after.status_code == 200
    assert "<title>written</title>" in after.text


def test_the_plugin_links_the_report_and_the_data_docs_in_the_navigation() -> None:
    from airflow import plugins_manager
    from airflow.api_fastapi.app import RESERVED_URL_PREFIXES
    from airflow.api_fastapi.core_api.datamodels.plugins import PluginResponse

    (info,) = [p for p in plugins_manager.get_plugin_info() if p["name"] == "estat_quality_report"]
    errors = {k: v for k, v in plugins_manager.get_import_errors().items() if "estat" in k}

    assert errors == {}
    views = {view["name"]: view for view in info["external_views"]}
    assert views["Data quality"]["href"] == "/estat/quality/"
    assert views["Data quality"]["destination"] == "nav"
    assert "category" not in views["Data quality"]  # a top-level entry of the navigation
    assert views["Data Docs"]["href"] == "/estat/data-docs/"
    assert views["Data Docs"]["category"] == "browse"
    prefixes = [app["url_prefix"] for app in info["fastapi_apps"]]
    assert prefixes == ["/estat/quality", "/estat/data-docs"]
    assert not [p for p in prefixes if p.startswith(tuple(RESERVED_URL_PREFIXES))]
    # What the UI reads about the plugin (GET /api/v2/plugins) accepts it as it is.
    response = PluginResponse.model_validate(info)
    assert {v.name: v.url_route for v in response.external_views} == {
        "Data quality": "data-quality",
        "Data Docs": "data-docs",
    }


IMPORT_SCRIPT = textwrap.dedent(
    """
    import json, socket, sys, time

    import airflow.plugins_manager  # present in every Airflow process before its plugins

    def refuse(*args, **kwargs):
        raise RuntimeError("a connection while importing the plugin")

    socket.socket.connect = refuse
    before = set(sys.modules)
    started = time.perf_counter()
    import estat_quality_report
    seconds = time.perf_counter() - started
    heavy = {"fastapi", "starlette", "psycopg", "pandas", "lxml", "great_expectations"}
    print(json.dumps({"seconds": seconds, "heavy": sorted(heavy & (set(sys.modules) - before))}))
    """
)


def test_the_plugin_imports_fast_and_touches_nothing() -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_SCRIPT],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")},
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    imported = json.loads(result.stdout.strip().splitlines()[-1])
    assert imported["heavy"] == []
    assert imported["seconds"] < 0.5
