import Foundation
import PostgresNIO
import SmileyWire

/// A batch's samples in one prepared statement: the columns as arrays, unnested, a sample a
/// terminal already sent skipped (`ON CONFLICT DO NOTHING`); its one row is how many were new.
/// The rows it returns (only the new samples) are added to the rollups (hourly and daily) in the
/// same statement, in key order (two transactions meeting the same rollup rows lock them in one order).
struct InsertSamples: PostgresPreparedStatement {
    static let sql = """
        WITH inserted AS (
            INSERT INTO sample (terminal, site, batch, received_at, uuid, survey, button, button_name, scale,
                                recorded_at, utc_offset, local_day, clock_synchronized, misuse)
            SELECT $1, $2, $3, $4, s.uuid, s.survey, s.button, s.button_name, s.scale,
                   s.recorded_at, s.utc_offset, s.local_day::date, s.clock_synchronized, NULLIF(s.misuse, '')
            FROM unnest($5::uuid[], $6::text[], $7::int4[], $8::text[], $9::int4[], $10::int8[], $11::int4[],
                        $12::text[], $13::bool[], $14::text[])
                AS s(uuid, survey, button, button_name, scale, recorded_at, utc_offset, local_day,
                     clock_synchronized, misuse)
            ON CONFLICT (terminal, uuid) DO NOTHING
            RETURNING terminal, site, local_day, survey, scale, button, button_name, recorded_at, utc_offset, misuse
        ), rolled AS (
            INSERT INTO rollup (site, local_day, terminal, survey, scale, button, hour, misuse, button_name, n)
            SELECT site, local_day, terminal, survey, scale, button, \(RollupKey.localHourSQL),
                   coalesce(misuse, ''), min(button_name COLLATE "C"), count(*)
            FROM inserted
            GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
            ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
            ON CONFLICT (site, local_day, terminal, survey, scale, button, hour, misuse)
            DO UPDATE SET n = rollup.n + excluded.n, button_name = least(rollup.button_name, excluded.button_name)
        ), rolled_day AS (
            INSERT INTO rollup_day (site, local_day, terminal, survey, scale, button, misuse, button_name, n)
            SELECT site, local_day, terminal, survey, scale, button, coalesce(misuse, ''), min(button_name COLLATE "C"), count(*)
            FROM inserted
            GROUP BY 1, 2, 3, 4, 5, 6, 7
            ORDER BY 1, 2, 3, 4, 5, 6, 7
            ON CONFLICT (site, local_day, terminal, survey, scale, button, misuse)
            DO UPDATE SET n = rollup_day.n + excluded.n, button_name = least(rollup_day.button_name, excluded.button_name)
        )
        SELECT count(*)::int8 FROM inserted
        """

    typealias Row = Int64

    var batch: WireBatch
    var receivedAtMs: Int64

    func makeBindings() throws -> PostgresBindings {
        let samples = batch.samples
        var bindings = PostgresBindings(capacity: 14)
        bindings.append(batch.terminal)
        bindings.append(batch.site)
        bindings.append(batch.key)
        bindings.append(receivedAtMs)
        bindings.append(samples.map(\.id))
        bindings.append(samples.map(\.survey))
        bindings.append(samples.map { Int32(clamping: $0.button) })
        bindings.append(samples.map(\.buttonName))
        bindings.append(samples.map { Int32(clamping: $0.scale) })
        bindings.append(samples.map(\.recordedAtMs))
        bindings.append(samples.map { Int32(clamping: $0.utcOffsetSeconds) })
        bindings.append(samples.map(\.localDay))
        bindings.append(samples.map(\.clockSynchronized))
        // Arrays carry no NULLs here: no reason is '' (reasons are never empty).
        bindings.append(samples.map { $0.misuse?.rawValue ?? "" })
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Int64.self)
    }
}
