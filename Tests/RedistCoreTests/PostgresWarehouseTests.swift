import Foundation
@testable import RedistCore
import Testing

/// The PostgreSQL server named by `REDIST_TEST_PG_URL`, when there is one.
enum TestPostgres {
    static let url: String? = ProcessInfo.processInfo.environment["REDIST_TEST_PG_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// A URL for a schema of its own on the server.
    static func fresh() -> String {
        let base = url ?? ""
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        return base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
    }
}

@Suite(.enabled(if: TestPostgres.url != nil,
                "REDIST_TEST_PG_URL is not set: no PostgreSQL server to test against (scripts/pg-test-server.sh start)"))
struct PostgresWarehouseTests {
    /// The numbered migrations are applied once and recorded; opening the
    /// warehouse again applies nothing.
    @Test func migrationsAreRecordedAndAppliedOnce() throws {
        let url = TestPostgres.fresh()
        let first = try Warehouse.open(url)
        let pg = try #require(first.postgres)
        func applied() throws -> [Int64] { try pg.rows("SELECT number FROM schema_migration ORDER BY number").map { try $0.int(0) } }
        #expect(try applied() == WarehouseSchema.migrations.map { Int64($0.number) })
        #expect(try first.meta("schema_version") == String(WarehouseSchema.version))
        try first.setMeta("kept", "yes")
        let second = try Warehouse.open(url)
        #expect(try applied() == WarehouseSchema.migrations.map { Int64($0.number) })
        #expect(try second.meta("kept") == "yes")
        // The same tables as SQLite's, text compared by its bytes.
        let tables = try pg.rows("""
            SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name
            """).map { try $0.text(0) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("redist-tables-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sqlite = try Warehouse(path: dir + "/w.sqlite")
        let sqliteTables = try sqlite.query("""
            SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'
            """).map { $0.text(0) }
        #expect(tables == (sqliteTables + ["schema_migration"]).sorted())
        #expect(tables.contains("ledger_entry") && tables.contains("run_rule") && tables.contains("movement"))
    }

    /// A warehouse made by a newer redist is refused, not changed.
    @Test func aNewerSchemaIsRefused() throws {
        let url = TestPostgres.fresh()
        let pg = try #require(try Warehouse.open(url).postgres)
        try pg.execute("INSERT INTO schema_migration(number, name) VALUES (99, 'from-the-future')")
        #expect {
            _ = try Warehouse.open(url)
        } throws: { error in
            "\(error)".hasSuffix("error: the warehouse was made by a newer redist (schema 99; this one reads schema \(WarehouseSchema.version)): run that version, or give another --warehouse")
        }
    }

    /// The movement view spells identities as SQLite's does, negative hashes included.
    @Test func theMovementViewSpellsIdentitiesAsSQLiteDoes() throws {
        let pg = try #require(try Warehouse.open(TestPostgres.fresh()).postgres)
        let sql = SQLDialect.postgresql.render("SELECT {hex16 x} FROM (VALUES (-1::bigint), (255::bigint), ((-9223372036854775807)::bigint - 1)) AS v(x)")
        #expect(try pg.rows(sql).map { try $0.text(0) } == ["h:ffffffffffffffff", "h:00000000000000ff", "h:8000000000000000"])
    }

    /// One run at a time on a warehouse: the second is told another run is
    /// using it, and may go once the first has closed it.
    @Test func oneRunAtATime() throws {
        let url = TestPostgres.fresh()
        var first: Warehouse? = try Warehouse.open(url)
        try first!.lockForRun()
        let second = try Warehouse.open(url)
        #expect {
            try second.lockForRun()
        } throws: { error in
            "\(error)".hasSuffix("error: another redist run is using this warehouse; wait for it to finish, then run again")
        }
        // Another schema on the same server is another warehouse.
        try Warehouse.open(TestPostgres.fresh()).lockForRun()
        first = nil
        _ = first
        try second.lockForRun()
    }

    /// A server that cannot be reached is a clear error, not a hang.
    @Test func anUnreachableServerIsAClearError() {
        #expect {
            _ = try Warehouse.open("postgresql://nobody@127.0.0.1:1/none?sslmode=disable")
        } throws: { error in
            !"\(error)".isEmpty && !"\(error)".contains("Generic description")
        }
    }
}
