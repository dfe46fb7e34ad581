import SmileyTestSupport
import Testing

/// A suite trait: one throwaway PostgreSQL server (``TestPostgres``) for the suite's tests,
/// stopped and removed when they are done. Tests read it from ``current``.
struct PostgresServerTrait: SuiteTrait, TestScoping {
    @TaskLocal static var current: TestPostgres?

    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        let server = try await TestPostgres()
        do {
            try await Self.$current.withValue(server) { try await function() }
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }
}

extension Trait where Self == PostgresServerTrait {
    /// A PostgreSQL server of the suite's own.
    static var postgresServer: Self { PostgresServerTrait() }
}
