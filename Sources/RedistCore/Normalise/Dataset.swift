import RedistModel

/// Everything a run reads from the warehouse for a pipeline: the files,
/// registers, balances and findings (small, held), and the ledger, which
/// stays in the warehouse, de-duplicated and classified once
/// (`ledger_entry`), and is asked for by query as each output needs it.
public struct Dataset: Sendable {
    public var pipeline: Pipeline { didSet { index = LedgerIndex() } }
    public var grantsIn: [StoredGrant]
    public var grantsOut: [StoredGrant] { didSet { index = LedgerIndex() } }
    public var members: [MemberRecord]
    public var balances: [(StatementBalance, String)]
    public var files: [Warehouse.LoadedFile]
    public var findings: [(Diagnostic, Warehouse.LoadedFile)]
    /// Rows that were the same money seen in an overlapping export.
    public var duplicatesDropped: Int
    /// The sum of the magnitudes of every amount read back (movements,
    /// grants awarded and disbursed, balances), checked when loaded: every
    /// sum of them the measures make is at most this, so cannot overflow.
    public var grossTotal: Int64 = 0
    /// Each day with a ledger movement, ascending (as day ordinals).
    let ledgerDays: [Int]
    /// The fund codes the ledger's movements use, ascending.
    let ledgerFunds: [String]
    /// Each scope's measures, once computed, for every engine made from this dataset.
    var index = LedgerIndex()
    /// The warehouse's measure views, asked through one query interface.
    var sql: MeasureSQL? = nil
    /// The ledger's rows, streamed from the warehouse.
    let rows: LedgerQueries

    /// A dataset over a warehouse whose `ledger_entry` is made
    /// (`Warehouse.prepareLedger`); nil for one with no ledger at all.
    init(pipeline: Pipeline, grantsIn: [StoredGrant], grantsOut: [StoredGrant], members: [MemberRecord],
         balances: [(StatementBalance, String)], files: [Warehouse.LoadedFile], findings: [(Diagnostic, Warehouse.LoadedFile)],
         duplicatesDropped: Int, grossTotal: Int64, warehouse: Warehouse?) throws {
        self.pipeline = pipeline
        self.grantsIn = grantsIn
        self.grantsOut = grantsOut
        self.members = members
        self.balances = balances
        self.files = files
        self.findings = findings
        self.duplicatesDropped = duplicatesDropped
        self.grossTotal = grossTotal
        var days: [Int] = [], funds = Set<String>()
        let sql = warehouse.map { MeasureSQL(warehouse: $0) }
        if let warehouse, let sql {
            // The ledger's days and funds, from its totals by day (a few thousand rows whatever its size).
            try sql.addUpLedger()
            for r in try warehouse.query("SELECT date, fund FROM ledger_day GROUP BY date, fund ORDER BY date") {
                let day = try Warehouse.day(r.text(0), "ledger_day").ordinal
                if days.last != day { days.append(day) }
                funds.insert(r.text(1))
            }
        }
        ledgerDays = days
        ledgerFunds = funds.sorted()
        self.sql = sql
        rows = LedgerQueries(warehouse: warehouse)
    }

    public static func load(pipeline: Pipeline, warehouse: Warehouse) throws -> Dataset {
        let files = try warehouse.files().filter { f in pipeline.sources.contains { $0.name == f.source } }
        let members = try warehouse.members(files: files)
        // Before any figure: the warehouse holds what was loaded, and the
        // magnitudes of all amounts add up within 64 bits, so no sum the
        // measures make of them (each at most that total) can overflow.
        // On SQLite this is read on a connection of its own while the
        // ledger is classified (which writes only the run's own tables);
        // a failure of the check is the run's error even so.
        let reader = warehouse.postgres == nil ? try Warehouse(readingFrom: warehouse) : nil
        let check = reader.map { r in ConcurrentJob { try r.checkControlTotals(files: files) } }
        let totals: (gross: Int64, movements: Int)
        if let check {
            // De-duplicate and classify in SQL (sql/movement_kept.sql, sql/classify.sql).
            let prepared = Result { try warehouse.prepareLedger(pipeline: pipeline, files: files, members: members) }
            totals = try check.wait()
            try prepared.get()
        } else {
            totals = try warehouse.checkControlTotals(files: files)
            try warehouse.prepareLedger(pipeline: pipeline, files: files, members: members)
        }
        let kept = try warehouse.query("SELECT count(*) FROM ledger_entry").first?.int(0) ?? 0
        let grants = try warehouse.grants(files: files)
        return try Dataset(pipeline: pipeline, grantsIn: grants.filter { $0.role == SourceRoleName.grantsIn },
                           grantsOut: grants.filter { $0.role == SourceRoleName.grantsOut },
                           members: members, balances: try warehouse.balances(files: files), files: files,
                           findings: try warehouse.findings(files: files), duplicatesDropped: totals.movements - Int(kept),
                           grossTotal: totals.gross, warehouse: warehouse)
    }

    /// Books that keep funds as account hierarchy (GnuCash's usual way:
    /// `Expenses:TW-CC:Grants`) name the fund by a path segment equal to a
    /// declared fund code.
    static func fundFromAccountPath(_ m: Movement, _ codes: Set<String>) -> String? {
        for path in [m.accountName, m.account] where path.contains(":") {
            if let segment = path.split(separator: ":").map({ String($0.trimmingSpaces) }).first(where: codes.contains) { return segment }
        }
        return nil
    }

    /// Closes the connections the ledger's rows were read through (the run
    /// is over: `Warehouse.keepAsOneFile` needs them closed).
    public func closeReaders() { rows.closeReaders() }

    /// Throws the first error a measure query met, so a run never keeps
    /// outputs made without all their figures.
    public func checkMeasures() throws {
        if let e = sql?.failure { throw e }
        if let e = rows.failure { throw e }
    }

    /// The date of the latest ledger movement: the data's as-at date.
    public var asAt: Day? { ledgerDays.last.map { Day(ordinal: $0) } }

    /// The date of the earliest ledger movement.
    public var firstLedgerDate: Day? { ledgerDays.first.map { Day(ordinal: $0) } }
}

extension Dataset {
    /// Each grant to the organisation once: a grant an IATI activity sums
    /// up is left out where another file gives the same grant (its
    /// identifier, or one of its other identifiers, is that grant's).
    public var distinctGrantsIn: [StoredGrant] {
        let given = Set(grantsIn.filter { !$0.grant.summarisesMovements }.map { $0.grant.funderId + "\u{0}" + $0.grant.identifier })
        guard !given.isEmpty else { return grantsIn }
        return grantsIn.filter { g in
            !g.grant.summarisesMovements
                || !([g.grant.identifier] + g.grant.otherIdentifiers).contains { given.contains(g.grant.funderId + "\u{0}" + $0) }
        }
    }
}

enum SourceRoleName {
    static let grantsIn = "grants-in"
    static let grantsOut = "grants-out"
}
