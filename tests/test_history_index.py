"""`watcher history` on a large database: its queries use indexes, never a table scan."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from watcher.models import Assessment, Grade, Judgement, PageKind
from watcher.store import Store, queries
from watcher.store.schema import MIGRATIONS, open_database

T0 = datetime(2025, 1, 6, 7, 0, tzinfo=UTC)


def _assessment(organisation: str, cycle: str) -> Assessment:
    return Assessment(
        organisation=organisation,
        cycle=cycle,
        kind=PageKind.PILLAR_PAGE,
        url=f"https://site.test/{cycle}/{organisation}/",
        judgements=(Judgement("legitimacy", "Legitimacy", Grade.GOOD),),
    )


def _store_pages(store: Store) -> None:
    for organisation in ("kent", "essex", "surrey"):
        for cycle in ("peel-2016", "peel-2017"):
            page = _assessment(organisation, cycle)
            store.record_assessment(
                run_id=1,
                url=page.url,
                status=200,
                body=page.url.encode(),
                validators={},
                readings=[("", page)],
                changes=[],
                now=T0,
            )


def test_force_history_reads_no_table_in_full(tmp_path: Path) -> None:
    """Every statement force_history runs is answered by an index, not a scan of a table."""
    store = Store(open_database(tmp_path / "watcher.db"))
    _store_pages(store)
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        history = queries.force_history(store.db, "kent")
    finally:
        store.db.conn.set_trace_callback(None)
    assert [u.cycle for u in history.units] == ["peel-2016", "peel-2017"]
    selects = [s for s in statements if s.lstrip().lower().startswith(("select", "with"))]
    assert selects, "force_history ran no query"
    for statement in selects:
        plan = " | ".join(row[3] for row in store.db.execute(f"explain query plan {statement}"))
        assert "SCAN assessments" not in plan, plan


def test_history_index_migration_is_safe_in_any_order(tmp_path: Path) -> None:
    """The index migration can run twice (or after the index exists) without failing."""
    path = tmp_path / "watcher.db"
    open_database(path).conn.close()
    db = open_database(path)
    again = next(m for m in MIGRATIONS if m.__name__ == "_migration_history_index")
    again(db)  # once more: creates nothing new, raises nothing
    names = {row[0] for row in sqlite3.connect(path).execute("select name from sqlite_master")}
    assert "idx_assessments_subject_organisation" in names
