"""Ingesting an export file while it is parsed: the parse, the checks and the merge at once.

:mod:`estat.exports.staging` and :mod:`estat.exports.load` have the steps; this module
runs them side by side, each on a connection of its own, and hands every table on as soon
as it is complete:

1. the parse (a process of its own, see :mod:`estat.exports.parse_process`; the caller's
   thread waits for it) COPYs the rows of each table into its staging table and hands
   the table on when it ends;
2. the check (a thread) runs the table's suite with GX's SQL engine. The person table
   comes first: a child table is checked with its persons' columns and takes their
   rejections along, so it waits for the persons. It hands the table on with its
   rejected rows;
3. the merge (a thread, on the caller's connection, in one transaction) merges each
   table's accepted rows into ``burkit`` as they come, the person table first. Once the
   whole file is parsed and checked, the caller's decision runs in that same
   transaction: it finishes the load and the transaction commits, or it raises and
   nothing of the file is kept.

So the warehouse checks and merges one table while the next is parsed, and the parse has
a processor of its own while the check thread imports GX and reads its results. A
refusal, an error or a crash in any step stops the others and rolls the merge back; the
outcome is the one the steps would give one after the other
(``staging.stream_into_staging``, then ``staging.check_staged``, then
``load.merge_table`` for each table, the person table first).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path

import psycopg

from estat.contract import MAIN_TABLE_OF_KIND, TABLES
from estat.exports import load, parse_process, staging
from estat.exports.reader import Export, ExportTable
from estat.exports.validation import ExportCheck, RefCodes

log = logging.getLogger(__name__)

# What the load's decision is given: the connection in the load's transaction, the file,
# its check and the rows merged per table. It raises to roll everything back.
Decision = Callable[[psycopg.Connection, Export, ExportCheck, dict[str, int]], None]

_END = object()  # no more tables
_KIND_OF_MAIN = {main: kind for kind, main in MAIN_TABLE_OF_KIND.items()}


class _Stopped(Exception):
    """Another step failed or the ingestion was abandoned: this step stops."""


class _Step(threading.Thread):
    """A step in a thread of its own; what it raised is kept for the caller."""

    def __init__(self, name: str, work: Callable[[], None]) -> None:
        super().__init__(name=name, daemon=True)
        self.work = work
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.work()
        except BaseException as error:  # handed to the caller's thread
            self.error = error


def _another(conn: psycopg.Connection) -> psycopg.Connection:
    """A second autocommit connection to the same warehouse, as the same user."""
    return psycopg.connect(conn.info.dsn, password=conn.info.password, autocommit=True)


class ConcurrentIngestion:
    """One export file parsed, checked and merged at once (see the module's description).

    Use it as a context manager: ``stream`` the file, then ``finish`` with the decision.
    Leaving the block without finishing rolls the merge back.
    """

    def __init__(
        self,
        conn: psycopg.Connection,
        file_id: int,
        checked: Callable[[ExportCheck], None] | None = None,
    ) -> None:
        self.conn = conn
        self.file_id = file_id
        self.checked = checked  # given the whole file's check, in the check thread
        self.check = ExportCheck()
        self.loaded: dict[str, int] = {}
        self.export: Export | None = None
        self._stop = threading.Event()
        self._to_check: queue.Queue = queue.Queue()
        self._to_merge: queue.Queue = queue.Queue()
        self._decision: queue.Queue = queue.Queue()
        self._check_conn: psycopg.Connection | None = None
        self._steps: list[_Step] = []

    def __enter__(self) -> ConcurrentIngestion:
        self._check_conn = _another(self.conn)
        self._steps = [
            _Step(f"check export file {self.file_id}", self._check_tables),
            _Step(f"merge export file {self.file_id}", self._merge_tables),
        ]
        for step in self._steps:
            step.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._to_check.put(_END)
        self._decision.put(None)
        for step in self._steps:
            step.join()
        self._check_conn.close()

    # --- the caller's side ---------------------------------------------------------------

    def stream(self, path: Path) -> Export:
        """Parse ``path`` into its staging tables, handing each table on as it ends."""
        try:
            self.export = parse_process.stream_rows(
                self.conn, path, self.file_id, ended=self._to_check.put
            )
        except BaseException:
            self._stop.set()
            raise
        finally:
            self._to_check.put(_END)
        return self.export

    def finish(self, decide: Decision) -> None:
        """Wait for the checks and the merge, then decide in the load's transaction.

        The transaction commits when ``decide`` returns. Whatever ``decide`` or a step
        raised is raised here; leaving the block then stops every step, and the merge is
        rolled back.
        """
        checker, merger = self._steps
        checker.join()
        if checker.error is not None:
            raise checker.error
        self._decision.put(decide)
        merger.join()
        if merger.error is not None:
            raise merger.error

    # --- the check -----------------------------------------------------------------------

    def _check_tables(self) -> None:
        try:
            self._check_each()
        finally:
            self._to_merge.put(_END)

    def _check_each(self) -> None:
        conn = self._check_conn
        ref_codes = RefCodes.from_warehouse(conn)
        staging.get_ready_to_check(conn)
        main: str | None = None
        codes: list[str] = []
        waiting: list[ExportTable] = []  # child tables that came before the persons
        while (table := self._to_check.get()) is not _END:
            if table.name in _KIND_OF_MAIN:
                main = table.name
                self._check_one(conn, table, main, ref_codes, [])
                codes = staging.rejected_codes(conn, self.file_id, main, self.check)
                tables, waiting = waiting, []
            elif main is None:
                waiting.append(table)
                continue
            else:
                tables = [table]
            for child in tables:
                self._check_one(conn, child, main, ref_codes, codes)
        if self._stop.is_set():
            raise _Stopped
        if main is None:
            # The parse refuses a file without its person table; it never gets here.
            raise RuntimeError(f"export file {self.file_id} has no person table")
        staging.in_file_order(self.check, self.export)
        if self.checked is not None:
            # While the merge of the last tables goes on.
            self.checked(self.check)

    def _check_one(
        self,
        conn: psycopg.Connection,
        table: ExportTable,
        main: str,
        ref_codes: RefCodes,
        codes: list[str],
    ) -> None:
        if self._stop.is_set():
            raise _Stopped
        staging.prepare_table(conn, self.file_id, table.name, main)
        staging.check_table(conn, self.file_id, table, ref_codes, self.check)
        staging.cascade(conn, self.file_id, table.name, codes, self.check)
        self._to_merge.put((table.name, _KIND_OF_MAIN[main], self.check.rejected[table.name]))

    # --- the merge -----------------------------------------------------------------------

    def _merge_tables(self) -> None:
        try:
            with self.conn.transaction():
                self._merge_each()
        except _Stopped:
            log.info("export file %d: merge rolled back", self.file_id)

    def _merge_each(self) -> None:
        conn = self.conn
        staging.create_rejections(conn)
        while (item := self._to_merge.get()) is not _END:
            if self._stop.is_set():
                raise _Stopped
            name, kind, rejected = item
            staging.add_rejections(conn, {name: rejected})
            self.loaded[name] = load.merge_table(conn, TABLES[name], kind, self.file_id)
        decide = self._decision.get()
        if decide is None or self._stop.is_set():
            raise _Stopped
        decide(conn, self.export, self.check, dict(self.loaded))
