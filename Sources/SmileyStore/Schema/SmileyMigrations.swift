import GRDB

/// The schema, as an ordered list of named migrations. A binary refuses a database that has
/// migrations it does not know (written by a newer Smiley).
public enum SmileyMigrations {
    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-create-sample") { db in
            // One row per press. The integer rowid keeps inserts appending to the table's b-tree;
            // the sample's public UUID (v7, time-ordered) is stored as 16 bytes beside it.
            try db.execute(sql: """
                CREATE TABLE sample (
                    id INTEGER PRIMARY KEY,
                    uuid BLOB NOT NULL UNIQUE CHECK (length(uuid) = 16),
                    terminal TEXT NOT NULL,
                    site TEXT NOT NULL,
                    survey TEXT NOT NULL,
                    button INTEGER NOT NULL CHECK (button >= 0),
                    scale INTEGER NOT NULL CHECK (scale BETWEEN 2 AND 5),
                    button_name TEXT NOT NULL,
                    -- UTC, milliseconds since 1970.
                    recorded_at INTEGER NOT NULL,
                    -- The zone's offset from UTC at the press, seconds.
                    utc_offset INTEGER NOT NULL,
                    boot_id TEXT NOT NULL,
                    -- CLOCK_MONOTONIC of the press's first edge, ns (compare within one boot only).
                    monotonic_ns INTEGER NOT NULL,
                    -- Whether the wall clock was NTP-synchronized when the press was recorded.
                    clock_synchronized INTEGER NOT NULL CHECK (clock_synchronized IN (0, 1)),
                    -- Set when recorded_at was corrected after a later clock sync: the original value.
                    recorded_at_original INTEGER,
                    misuse TEXT CHECK (misuse IN ('interval', 'simultaneous')),
                    -- Set when the button was held past held-ms: how long it was down (ms).
                    held_ms INTEGER,
                    sync_state TEXT NOT NULL DEFAULT 'pending' CHECK (sync_state IN ('pending', 'synced'))
                )
                """)
            // Summaries read a time range; the index covers every column they count.
            try db.execute(sql: "CREATE INDEX sample_by_time ON sample(recorded_at, button, misuse, held_ms)")
            // The uploader's backlog, and this boot's samples awaiting a clock correction.
            try db.execute(sql: "CREATE INDEX sample_unsynced ON sample(id) WHERE sync_state = 'pending'")
            try db.execute(sql: """
                CREATE INDEX sample_clock_uncorrected ON sample(boot_id)
                WHERE clock_synchronized = 0 AND recorded_at_original IS NULL
                """)
        }
        migrator.registerMigration("v2-sync-batches") { db in
            // Upstream sync. A batch is a fixed set of samples sent under one Idempotency-Key (its
            // uuid): the unsynced samples whose row ids lie in first_sample...last_sample. Batches
            // take the oldest samples no batch has taken yet, in row id order, so their ranges never
            // overlap and each sample belongs to at most one batch. The uuid and the range are
            // committed before the first send, so a retry — after a timeout, a crash or a power cut —
            // re-sends the same samples under the same key. (Row ids only grow: retention never
            // deletes the newest sample, so SQLite never hands out a row id below a batch's range.)
            //   pending      formed (or put back from quarantine), not yet attempted
            //   in-flight    an attempt started; the receiver may hold it: re-send it, never re-form it
            //   quarantined  the receiver refused it (a 4xx other than 408/409/429): kept, not retried
            //                until `smileyctl sync --retry-quarantined`
            //   done         acknowledged; its samples are synced
            try db.execute(sql: """
                CREATE TABLE sync_batch (
                    id INTEGER PRIMARY KEY,
                    uuid BLOB NOT NULL UNIQUE CHECK (length(uuid) = 16),
                    state TEXT NOT NULL CHECK (state IN ('pending', 'in-flight', 'quarantined', 'done')),
                    -- The members: sample row ids first_sample...last_sample.
                    first_sample INTEGER NOT NULL,
                    last_sample INTEGER NOT NULL CHECK (last_sample >= first_sample),
                    sample_count INTEGER NOT NULL CHECK (sample_count > 0),
                    -- Failed attempts so far.
                    attempts INTEGER NOT NULL DEFAULT 0,
                    -- The last HTTP status the receiver answered (null: none, or no answer).
                    last_status INTEGER,
                    last_error TEXT,
                    -- ms since 1970.
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                )
                """)
            try db.execute(sql: "CREATE INDEX sync_batch_open ON sync_batch(state, id) WHERE state != 'done'")
        }
        // Independent of v2: this step depends on v1 only.
        migrator.registerMigration("v3-report-indexes") { db in
            // Summaries count presses by the hour the terminal's clock showed: the local hour since
            // 1970, (recorded_at + utc_offset·1000) / 3 600 000. A virtual column (computed, not
            // stored in the table) lets an index keep the rows in that order, so SQLite counts a
            // year by walking the index in GROUP BY order, without sorting a million rows.
            try db.execute(sql: """
                ALTER TABLE sample ADD COLUMN local_hour INTEGER
                GENERATED ALWAYS AS ((recorded_at + utc_offset * 1000) / 3600000) VIRTUAL
                """)
            // One index serves every summary: the survey comes last, so a --survey filter is
            // answered from the index too, in the same order.
            try db.execute(sql: """
                CREATE INDEX sample_by_local_hour ON sample(local_hour, utc_offset, button, misuse, held_ms, survey)
                """)
        }
        return migrator
    }
}
