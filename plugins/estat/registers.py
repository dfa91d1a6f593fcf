"""The statistical registers: the one use the order allows the data.

``registers.migrant`` holds one row per person and migration event, built from the loaded
``burkit`` tables: direction, reporting period, sex, age at the end of the period and its
five-year group, citizenship, the country of departure or destination (OUCIT) and its
world region (its ancestor at the top of the T_CITIZEN tree), nationality, marital
status, highest education, social position and the number of children under care. No
IIN, name, birth date or document number: a person appears under the HMAC-SHA256 of
their GSID, whose key is held outside the warehouse (``ESTAT_PSEUDONYM_KEY``).

A migration event is a person (GSID), a direction and a reporting period: a person can
emigrate and later come back, and each is an event of its own. When several loaded
records describe the same event (a corrected export under new CODEs), the one from the
latest export file supersedes the others, so nothing is counted twice.

``registers.migration_flow`` counts those persons in the tables statisticians publish:
per period and direction, one dimension (country, region, age group, nationality or
education) crossed with sex, with every margin (``total_over`` names the dimensions a
margin cell totals over). Each dimension carries its Russian and Kazakh label from the
dictionaries. ``registers.migration_flow_published`` withholds every cell under 3 persons
(primary suppression), and then, in every row and column of each table, its margins
included, enough further cells that no withheld cell is the only unknown of its line
(secondary suppression), so none can be derived by subtraction.

A refresh replaces both tables in one transaction, under an advisory lock: a reader sees
the old registers until it commits, then the new ones. The same input gives the same rows.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import pandas as pd
import psycopg

log = logging.getLogger(__name__)

DIRECTION_OF_KIND = {"EMIGRANT": "EMIGRATION", "IMMIGRANT": "IMMIGRATION"}
DIRECTION_LABELS = {
    "EMIGRATION": ("Эмиграция", "Эмиграция"),
    "IMMIGRATION": ("Иммиграция", "Иммиграция"),
}
SEX_LABELS = {1: ("Мужчины", "Ерлер"), 2: ("Женщины", "Әйелдер")}

# F_TRAINING codes from lowest to highest level, to find a person's highest education.
# 11 (not stated) ranks below everything: it counts only when nothing else is known. The
# pre-2007 codes sit where their level does (13 and 14 beside technical and vocational,
# 12, incomplete higher, between post-secondary and the bachelor's degree).
EDUCATION_ORDER = (11, 10, 1, 2, 3, 4, 14, 13, 5, 6, 12, 7, 8, 9)

SMALL_CELL = 3  # a published cell must count at least this many persons

# Published tables: name → the register columns of its dimension (country carries region).
FLOW_TABLES: dict[str, tuple[str, ...]] = {
    "country": ("country", "region"),
    "region": ("region",),
    "age_group": ("age_group",),
    "nationality": ("nationality",),
    "education": ("education",),
}
FLOW_COLUMNS = (
    "flow_table",
    "period_start",
    "period_end",
    "direction",
    "direction_ru",
    "direction_kk",
    "total_over",
    "country",
    "country_ru",
    "country_kk",
    "region",
    "region_ru",
    "region_kk",
    "sex",
    "sex_ru",
    "sex_kk",
    "age_group",
    "nationality",
    "nationality_ru",
    "nationality_kk",
    "education",
    "education_ru",
    "education_kk",
    "persons",
    "suppression",
)
_LABELLED = {"country": "t_citizen", "region": "t_citizen", "nationality": "f_nation"}
_LABELLED["education"] = "f_training"


@dataclass(frozen=True)
class RegisterRefresh:
    refresh_id: int
    migrants: int
    flow_cells: int
    suppressed_cells: int

    def as_dict(self) -> dict:
        return asdict(self)


def person_key(key: bytes, gsid: str) -> str:
    """The pseudonym of a GSID: irreversible without the key."""
    return hmac.new(key, gsid.encode("utf-8"), hashlib.sha256).hexdigest()


def age_group(age: int | None) -> str | None:
    if age is None or pd.isna(age):
        return None
    if age >= 85:
        return "85+"
    low = int(age) // 5 * 5
    return f"{low}-{low + 4}"


_EVENTS_SQL = """
WITH RECURSIVE region_of (code, region) AS (
    SELECT code, code FROM ref.t_citizen WHERE coalesce(codepar, 0) = 0
    UNION ALL
    SELECT c.code, r.region FROM ref.t_citizen AS c JOIN region_of AS r ON c.codepar = r.code
),
person AS (
    SELECT 'EMIGRANT' AS kind, code, gsid, sex, birthday, citiz, oucit, nation, marital,
           position, file_id
    FROM burkit.m_emigrant
    UNION ALL
    SELECT 'IMMIGRANT', code, gsid, sex, birthday, citiz, oucit, nation, marital, position,
           file_id
    FROM burkit.m_immigrant
),
education_rank (code, rank) AS (SELECT * FROM unnest(%(education_codes)s::integer[])
                                WITH ORDINALITY),
education AS (
    SELECT DISTINCT ON (t.kind, t.emcode) t.kind, t.emcode, t.trcode
    FROM burkit.l_em2tr AS t
    LEFT JOIN education_rank AS r ON r.code = t.trcode
    ORDER BY t.kind, t.emcode, r.rank DESC NULLS LAST, t.trcode DESC
),
children AS (
    SELECT kind, emcode, count(*) AS children FROM burkit.mc_emchilds GROUP BY kind, emcode
)
SELECT p.kind, p.code, p.gsid, p.sex, f.period_start, f.period_end,
       extract(year FROM age(f.period_end, p.birthday))::integer AS age,
       p.citiz AS citizenship, p.oucit AS country, region_of.region,
       p.nation AS nationality, p.marital AS marital_status, e.trcode AS education,
       p.position AS social_position, coalesce(c.children, 0) AS children, p.file_id
FROM person AS p
JOIN ops.export_file AS f ON f.file_id = p.file_id
LEFT JOIN region_of ON region_of.code = p.oucit
LEFT JOIN education AS e ON e.kind = p.kind AND e.emcode = p.code
LEFT JOIN children AS c ON c.kind = p.kind AND c.emcode = p.code
"""

_MIGRANT_COLUMNS = (
    "person_key",
    "direction",
    "period_start",
    "period_end",
    "sex",
    "age",
    "age_group",
    "citizenship",
    "country",
    "region",
    "nationality",
    "marital_status",
    "education",
    "social_position",
    "children",
    "file_id",
)


def migrant_events(conn: psycopg.Connection, key: bytes) -> pd.DataFrame:
    """One row per person and migration event, the latest export's record superseding."""
    cursor = conn.cursor()
    cursor.execute(_EVENTS_SQL, {"education_codes": list(EDUCATION_ORDER)})
    names = [c.name for c in cursor.description]
    events = pd.DataFrame(cursor.fetchall(), columns=names)
    if events.empty:
        return pd.DataFrame(columns=_MIGRANT_COLUMNS)
    events["person_key"] = [person_key(key, gsid) for gsid in events["gsid"]]
    events["direction"] = events["kind"].map(DIRECTION_OF_KIND)
    # A birth date after the period's end gives no age rather than a negative one.
    events["age"] = events["age"].where(events["age"] >= 0).astype("Int16")
    events["age_group"] = events["age"].map(age_group)
    events = events.sort_values(
        ["direction", "period_end", "person_key", "file_id", "code"], kind="stable"
    ).drop_duplicates(["direction", "period_end", "person_key"], keep="last")
    return events[list(_MIGRANT_COLUMNS)].reset_index(drop=True)


def _labels(conn: psycopg.Connection) -> dict[str, dict[int, tuple[str, str]]]:
    labels = {}
    for column, table in _LABELLED.items():
        rows = conn.execute(f"SELECT code, name, kzname FROM ref.{table}").fetchall()
        labels[column] = {code: (name, kzname or name) for code, name, kzname in rows}
    return labels


def flow_cells(events: pd.DataFrame, labels: dict) -> pd.DataFrame:
    """Every published table's cells, with its margins, before suppression."""
    cells = []
    keys = ["period_start", "period_end", "direction"]
    for table, columns in FLOW_TABLES.items():
        for total_over in ((), ("sex",), (columns[0],), (columns[0], "sex")):
            by = keys + [
                c
                for c in (*columns, "sex")
                if c not in total_over and not (c == "region" and "country" in total_over)
            ]
            counted = (
                events.groupby(by, dropna=False)["person_key"].nunique().reset_index()
                if not events.empty
                else pd.DataFrame(columns=[*by, "person_key"])
            )
            counted = counted.rename(columns={"person_key": "persons"})
            counted["flow_table"] = table
            counted["total_over"] = [list(total_over)] * len(counted)
            cells.append(counted)
    flow = pd.concat(cells, ignore_index=True) if cells else pd.DataFrame()
    for column in FLOW_COLUMNS:
        if column not in flow.columns:
            flow[column] = None
    for column in _LABELLED:
        names = flow[column].map(lambda c, m=labels[column]: m.get(c) if pd.notna(c) else None)
        flow[f"{column}_ru"] = names.map(lambda n: n[0] if n else None)
        flow[f"{column}_kk"] = names.map(lambda n: n[1] if n else None)
    flow["direction_ru"] = flow["direction"].map(lambda d: DIRECTION_LABELS[d][0])
    flow["direction_kk"] = flow["direction"].map(lambda d: DIRECTION_LABELS[d][1])
    sexes = flow["sex"].map(lambda s: SEX_LABELS.get(int(s)) if pd.notna(s) else None)
    flow["sex_ru"] = sexes.map(lambda n: n[0] if n else None)
    flow["sex_kk"] = sexes.map(lambda n: n[1] if n else None)
    return flow[list(FLOW_COLUMNS)]


def suppress(flow: pd.DataFrame) -> pd.Series:
    """Which cells to withhold: ``primary``, ``secondary`` or None, for every cell.

    Within each table (flow table, period, direction), the cells form a grid of the
    table's dimension by sex with a margin row and column. Every line of that grid (the
    cells of one category across sex with its total, or of one sex across categories with
    its total) must not hold exactly one withheld cell, else that cell is the line's total
    minus the rest. While some line does, its smallest published cell is withheld too.
    """
    result = pd.Series([None] * len(flow), index=flow.index, dtype=object)
    result[flow["persons"] < SMALL_CELL] = "primary"
    if flow.empty:
        return result

    dimension = flow["flow_table"].map(lambda t: FLOW_TABLES[t][0])
    values = {d: flow[d].astype(object).where(flow[d].notna(), None) for d in set(dimension)}
    category = [
        ("total",) if d in over else ("value", values[d][i])
        for i, d, over in zip(flow.index, dimension, flow["total_over"], strict=True)
    ]
    sexes = flow["sex"].astype(object).where(flow["sex"].notna(), None)
    sex = [
        ("total",) if "sex" in over else ("value", s)
        for over, s in zip(flow["total_over"], sexes, strict=True)
    ]
    table = list(zip(flow["flow_table"], flow["period_end"], flow["direction"], strict=True))

    lines: dict[tuple, list[int]] = {}
    for index, t, c, s in zip(flow.index, table, category, sex, strict=True):
        lines.setdefault((t, "category", c), []).append(index)
        lines.setdefault((t, "sex", s), []).append(index)

    changed = True
    while changed:
        changed = False
        for members in lines.values():
            withheld = [i for i in members if result[i] is not None]
            if len(withheld) != 1:
                continue
            published = [i for i in members if result[i] is None]
            if not published:
                continue
            smallest = min(published, key=lambda i: (flow.at[i, "persons"], i))
            result[smallest] = "secondary"
            changed = True
    return result


def refresh_registers(conn: psycopg.Connection, key: bytes) -> RegisterRefresh:
    """Rebuild registers.migrant and registers.migration_flow in one transaction."""
    started_at = datetime.now(UTC)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('estat.registers'))")
        events = migrant_events(conn, key)
        flow = flow_cells(events, _labels(conn))
        flow["suppression"] = suppress(flow)

        conn.execute("DELETE FROM registers.migrant")
        conn.execute("DELETE FROM registers.migration_flow")
        _copy(conn, "registers.migrant", events, _MIGRANT_COLUMNS)
        _copy(conn, "registers.migration_flow", flow, FLOW_COLUMNS)
        suppressed = int(flow["suppression"].notna().sum())
        (refresh_id,) = conn.execute(
            "INSERT INTO ops.register_refresh (started_at, migrants, flow_cells, "
            "suppressed_cells, last_file_id) VALUES (%s, %s, %s, %s, "
            "(SELECT max(file_id) FROM ops.export_file WHERE status = 'loaded')) "
            "RETURNING refresh_id",
            (started_at, len(events), len(flow), suppressed),
        ).fetchone()
    log.info(
        "refreshed the registers (refresh %d): %d migration events, %d flow cells, "
        "%d withheld from publication",
        refresh_id,
        len(events),
        len(flow),
        suppressed,
    )
    return RegisterRefresh(refresh_id, len(events), len(flow), suppressed)


def _copy(conn: psycopg.Connection, table: str, frame: pd.DataFrame, columns) -> None:
    values = frame[list(columns)].astype(object).where(frame[list(columns)].notna(), None)
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in values.itertuples(index=False, name=None):
            copy.write_row([_plain(v) for v in row])


def _plain(value):
    """Values as COPY takes them: numpy scalars as Python ones, lists as array literals."""
    if isinstance(value, list):
        return "{" + ",".join(value) + "}"
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
