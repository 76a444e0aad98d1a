"""The persistent log: epoch, per-collection seq and history, checkpoints, and mutation outcomes.

SQLite from the standard library, WAL mode: every accepted mutation commits (log row, collection row,
outcome) in one transaction *before* it is acknowledged, so a killed and restarted server keeps its
epoch, history, and dedup memory.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Iterable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS collections (
    name TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,           -- last assigned seq in the current epoch
    floor INTEGER NOT NULL,         -- patches (floor, seq] are retained
    checkpoint_seq INTEGER NOT NULL,
    checkpoint TEXT NOT NULL        -- the merge tree's surviving writes at checkpoint_seq
);
CREATE TABLE IF NOT EXISTS log (
    collection TEXT NOT NULL,
    seq INTEGER NOT NULL,
    frame TEXT NOT NULL,
    PRIMARY KEY (collection, seq)
);
CREATE TABLE IF NOT EXISTS outcomes (
    client TEXT NOT NULL,
    mutation INTEGER NOT NULL,
    epoch TEXT NOT NULL,
    collection TEXT NOT NULL,
    frame TEXT NOT NULL,
    PRIMARY KEY (client, mutation)
);
CREATE TABLE IF NOT EXISTS clients (client TEXT PRIMARY KEY, highest INTEGER NOT NULL);
"""


def dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class Store:
    def __init__(self, path: str):
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    # -- meta --------------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # -- collections -------------------------------------------------------------------------

    def collections(self) -> list[tuple[str, int, int, int, list]]:
        rows = self.db.execute(
            "SELECT name, seq, floor, checkpoint_seq, checkpoint FROM collections"
        ).fetchall()
        return [(n, s, f, c, json.loads(t)) for n, s, f, c, t in rows]

    def log_after(self, collection: str, seq: int, limit: int | None = None) -> list[dict]:
        sql = "SELECT frame FROM log WHERE collection=? AND seq>? ORDER BY seq"
        args: tuple = (collection, seq)
        if limit is not None:
            sql += " LIMIT ?"
            args += (limit,)
        return [json.loads(r[0]) for r in self.db.execute(sql, args)]

    def begin(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        self.db.execute("ROLLBACK")

    def save_collection(self, name: str, seq: int, floor: int, checkpoint_seq: int | None,
                        checkpoint: list | None) -> None:
        if checkpoint is None:
            self.db.execute("UPDATE collections SET seq=?, floor=? WHERE name=?", (seq, floor, name))
        else:
            self.db.execute(
                "INSERT INTO collections(name, seq, floor, checkpoint_seq, checkpoint) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET seq=excluded.seq, "
                "floor=excluded.floor, checkpoint_seq=excluded.checkpoint_seq, "
                "checkpoint=excluded.checkpoint",
                (name, seq, floor, checkpoint_seq, dumps(checkpoint)),
            )

    def append_log(self, collection: str, seq: int, frame: dict) -> None:
        self.db.execute(
            "INSERT INTO log(collection, seq, frame) VALUES (?, ?, ?)", (collection, seq, dumps(frame))
        )

    def trim_log(self, collection: str, floor: int) -> None:
        self.db.execute("DELETE FROM log WHERE collection=? AND seq<=?", (collection, floor))

    def clear_log(self) -> None:
        self.db.execute("DELETE FROM log")

    # -- mutations ---------------------------------------------------------------------------

    def highest(self) -> Iterable[tuple[str, int]]:
        return self.db.execute("SELECT client, highest FROM clients").fetchall()

    def outcome(self, client: str, mutation: int) -> tuple[str, str, dict] | None:
        row = self.db.execute(
            "SELECT epoch, collection, frame FROM outcomes WHERE client=? AND mutation=?",
            (client, mutation),
        ).fetchone()
        return (row[0], row[1], json.loads(row[2])) if row else None

    def record_outcome(self, client: str, mutation: int, epoch: str, collection: str,
                       frame: dict, keep: int) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO outcomes(client, mutation, epoch, collection, frame) "
            "VALUES (?, ?, ?, ?, ?)",
            (client, mutation, epoch, collection, dumps(frame)),
        )
        self.db.execute(
            "INSERT INTO clients(client, highest) VALUES (?, ?) ON CONFLICT(client) "
            "DO UPDATE SET highest=max(highest, excluded.highest)",
            (client, mutation),
        )
        self.db.execute(
            "DELETE FROM outcomes WHERE client=? AND mutation<=?", (client, mutation - keep)
        )
