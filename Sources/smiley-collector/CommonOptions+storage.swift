import Foundation
import Logging
import SmileyCollector
import SmileyCore

extension CommonOptions {
    /// Opens the configured database as `serve` does (a PostgreSQL one migrated first, its pool
    /// running meanwhile; a SQLite file shared with a running collector through WAL), runs `body`
    /// with it and closes it. A storage failure is exit 74; ``UserFacingError``s keep their status.
    func withStorage<T: Sendable>(_ body: (any CollectorStorage) async throws -> T) async throws -> T {
        let settings = try CollectorConfiguration.load(path: config)
        let logger = try bootstrapLogging()
        do {
            if let postgres = settings.postgres {
                let storage = try PostgresCollectorStorage(settings: postgres, logger: logger)
                _ = try await storage.migrate()
                return try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await storage.run() }
                    defer { group.cancelAll() }
                    return try await body(storage)
                }
            }
            let storage: SQLiteCollectorStorage
            do {
                storage = try SQLiteCollectorStorage(path: settings.database)
            } catch {
                throw CollectorStartError("cannot open the database \(settings.database): \(error)", exitCode: 74)
            }
            return try await body(storage)
        } catch let error as any UserFacingError {
            throw error
        } catch {
            throw CollectorStartError("the database failed: \(error)", exitCode: 74)
        }
    }

    /// Milliseconds since 1970 now (when a credential is made or revoked).
    static func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
