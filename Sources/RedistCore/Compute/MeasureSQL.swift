import Foundation
import RedistModel

/// The compute stage's queries: the shipped measure views (`sql/*.sql`)
/// asked for one period at a time, each period's answer kept once asked.
///
/// Before the first question the ledger is added up by day
/// (`sql/ledger_day.sql`), once: the views read those totals, so a period
/// costs its days, not every movement again. A period is added to
/// `run_period` the first time it is asked for, so every view covers each
/// period the run looks at; `summary` shows those the run reported on.
/// Queries are serialised: the evidence packs are written on a second
/// thread.
final class MeasureSQL: @unchecked Sendable {
    let warehouse: Warehouse?
    private let lock = NSLock()
    private var flows: [Period: PeriodFlows] = [:]
    /// True once `ledger_day` and its neighbours hold this run's ledger.
    private var addedUp = false
    /// The first query that failed; the run stops on it before any output is kept.
    private(set) var failure: Error?

    init(warehouse: Warehouse?) { self.warehouse = warehouse }

    /// For a dataset made in memory: no warehouse, no flows.
    static let none = MeasureSQL(warehouse: nil)

    /// One category's money in a scope and period (`sql/scope_flow.sql`).
    struct Flow: Sendable {
        var moneyIn: Int64 = 0, moneyOut: Int64 = 0, movements = 0
        /// Income received for an income category, spending net of refunds for a spending one.
        var net: Int64 = 0
    }

    struct PeriodFlows: Sendable {
        var organisation: [Category: Flow] = [:]
        var fund: [String: [Category: Flow]] = [:]
        /// Balance at the period's end, by fund (`sql/fund_held.sql`).
        var held: [String: Int64] = [:]
        var hostedHeld: Int64 = 0
        var totalHeld: Int64 = 0
        /// Awarded and not yet paid at the period's end (`sql/grant_committed.sql`), by scope.
        var committed: [ScopeKey: Int64] = [:]
        /// Days from award to payment of the grants paid in the period (`sql/time_to_money.sql`), by scope.
        var timing: [ScopeKey: TimeToMoney] = [:]
        /// Groups reached, first-time groups and people paid (`sql/reach.sql`), by scope.
        var reach: [ScopeKey: Reach] = [:]
        /// By fund code, each funder's income paid in by the period's end, in the fund's order of funders (`sql/pool_weight.sql`).
        var poolWeights: [String: [Int: Int64]] = [:]
        /// By funder position in the pipeline file (`sql/funder_money.sql`).
        var funderMoney: [Int: FunderMoney] = [:]
        /// Unrestricted funds' income and spending by category (`sql/unrestricted_spending.sql`).
        var unrestricted: [Category: Int64] = [:]
    }

    struct FunderMoney: Sendable {
        var given: Int64 = 0, givenToDate: Int64 = 0, unrestrictedIncome: Int64 = 0
    }

    struct Reach: Sendable {
        var groups = 0, firstTime = 0, individuals = 0
    }

    /// A scope as the views name it: `organisation` (id ""), `fund` (its code) or `funder` (its id).
    struct ScopeKey: Hashable, Sendable {
        var scope: String
        var id: String
        static let organisation = ScopeKey(scope: "organisation", id: "")
        static func fund(_ code: String) -> ScopeKey { ScopeKey(scope: "fund", id: code) }
        static func funder(_ id: String) -> ScopeKey { ScopeKey(scope: "funder", id: id) }
    }

    private func remember(_ error: Error) {
        if failure == nil { failure = error }
    }

    /// Adds the ledger up by day (`sql/ledger_day.sql`), once.
    func addUpLedger() throws {
        lock.lock(); defer { lock.unlock() }
        try addUpLedgerOnce()
    }

    private func addUpLedgerOnce() throws {
        guard let warehouse, !addedUp else { return }
        let statements = SQLCatalogue.statements("ledger_day")
        // On SQLite the day totals (the longest queries: every movement,
        // sorted) are read on a connection of their own while the writer
        // fills the reach tables, then stored: a few thousand rows however
        // long the ledger. PostgreSQL runs the file as it stands.
        let besideWriter = warehouse.postgres == nil
            ? statements.indices.filter { i in Self.dayTotalsInserts.contains { statements[i].hasPrefix($0) } } : []
        var reads: [(table: String, columns: [String], select: String)] = []
        for i in besideWriter {
            let statement = statements[i]
            guard let open = statement.firstIndex(of: "("), let close = statement.firstIndex(of: ")") else { continue }
            let table = statement[statement.index(statement.startIndex, offsetBy: "INSERT INTO ".count)..<open]
            let columns = statement[statement.index(after: open)..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            reads.append((String(table), columns, String(statement[statement.index(after: close)...])))
        }
        guard reads.count == besideWriter.count, !reads.isEmpty else {
            try warehouse.transaction { s in try s.run(file: "ledger_day") }
            addedUp = true
            return
        }
        let reader = try Warehouse(readingFrom: warehouse)
        let selects = reads.map(\.select)
        let totals = ConcurrentJob { try selects.map { try reader.query($0) } }
        try warehouse.transaction { s in
            for (n, statement) in statements.enumerated() where !besideWriter.contains(n) { try s.execute(statement) }
            for (read, rows) in zip(reads, try totals.wait()) { try s.insert(read.table, read.columns, rows.map(\.values)) }
        }
        addedUp = true
    }

    /// How `sql/ledger_day.sql` starts the statements whose rows are read beside the writer.
    private static let dayTotalsInserts = ["INSERT INTO ledger_day(", "INSERT INTO funder_day("]

    private func addPeriod(_ period: Period, reported: Bool) throws {
        guard let warehouse else { return }
        try addUpLedgerOnce()
        let start = SQLValue.text(period.start.description), end = SQLValue.text(period.end.description)
        try warehouse.transaction { s in
            if try s.query("SELECT 1 FROM run_period WHERE start_date = ? AND end_date = ?", [start, end]).isEmpty {
                try s.execute("INSERT INTO run_period(start_date, end_date, label, reported) VALUES (?, ?, ?, 0)",
                              [start, end, .text(period.label)])
                try s.run(file: "period_reach", [start, end, start, end])
            }
            if reported {
                try s.execute("UPDATE run_period SET reported = 1, label = ? WHERE start_date = ? AND end_date = ?",
                              [.text(period.label), start, end])
            }
        }
    }

    /// Records the period the run reports on, for the `summary` view.
    func markReported(_ period: Period) {
        lock.lock(); defer { lock.unlock() }
        do { try addPeriod(period, reported: true) } catch { remember(error) }
    }

    func flows(_ period: Period) -> PeriodFlows {
        lock.lock(); defer { lock.unlock() }
        if let f = flows[period] { return f }
        var f = PeriodFlows()
        guard let warehouse else { return f }
        do {
            try addPeriod(period, reported: false)
            let binds: [SQLValue] = [.text(period.start.description), .text(period.end.description)]
            for r in try warehouse.query("""
                SELECT scope, fund, category, money_in, money_out, movements, net FROM scope_flow
                WHERE start_date = ? AND end_date = ?
                """, binds) {
                guard let c = Category(rawValue: r.text(2)) else { continue }
                let flow = Flow(moneyIn: r.int(3), moneyOut: r.int(4), movements: Int(r.int(5)), net: r.int(6))
                if r.text(0) == "organisation" { f.organisation[c] = flow } else { f.fund[r.text(1), default: [:]][c] = flow }
            }
            for r in try warehouse.query("SELECT fund, hosted, held FROM fund_held WHERE start_date = ? AND end_date = ?", binds) {
                f.held[r.text(0)] = r.int(2)
                f.totalHeld += r.int(2)
                if r.int(1) == 1 { f.hostedHeld += r.int(2) }
            }
            for r in try warehouse.query("""
                SELECT scope, scope_id, committed FROM grant_committed WHERE start_date = ? AND end_date = ?
                """, binds) {
                f.committed[ScopeKey(scope: r.text(0), id: r.text(1))] = r.int(2)
            }
            for r in try warehouse.query("""
                SELECT scope, scope_id, grants_paid, median_days, p90_days FROM time_to_money WHERE start_date = ? AND end_date = ?
                """, binds) {
                f.timing[ScopeKey(scope: r.text(0), id: r.text(1))] = TimeToMoney(count: Int(r.int(2)), median: Int(r.int(3)),
                                                                                  p90: Int(r.int(4)))
            }
            for r in try warehouse.query("""
                SELECT scope, scope_id, groups_reached, first_time_groups, individuals_paid FROM reach
                WHERE start_date = ? AND end_date = ?
                """, binds) {
                f.reach[ScopeKey(scope: r.text(0), id: r.text(1))] = Reach(groups: Int(r.int(2)), firstTime: Int(r.int(3)),
                                                                           individuals: Int(r.int(4)))
            }
            for r in try warehouse.query("SELECT fund, position, paid_in FROM pool_weight WHERE start_date = ? AND end_date = ?", binds) {
                f.poolWeights[r.text(0), default: [:]][Int(r.int(1))] = r.int(2)
            }
            for r in try warehouse.query("""
                SELECT funder_position, given, given_to_date, unrestricted_income FROM funder_money WHERE start_date = ? AND end_date = ?
                """, binds) {
                f.funderMoney[Int(r.int(0))] = FunderMoney(given: r.int(1), givenToDate: r.int(2), unrestrictedIncome: r.int(3))
            }
            for r in try warehouse.query("SELECT category, net FROM unrestricted_spending WHERE start_date = ? AND end_date = ?", binds) {
                if let c = Category(rawValue: r.text(0)) { f.unrestricted[c] = r.int(1) }
            }
        } catch {
            remember(error)
        }
        flows[period] = f
        return f
    }
}
