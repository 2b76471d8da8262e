import RedistModel

/// A movement after de-duplication and classification: what every measure
/// and report reads.
///
/// A 16-byte handle to a row of a `MovementTable`, so the million-row
/// arrays the measures filter and sort copy handles, not movements; each
/// property reads its column. `init` makes a standalone one.
public struct ClassifiedMovement: Sendable {
    let table: MovementTable
    let row: Int

    init(table: MovementTable, row: Int) {
        self.table = table
        self.row = row
    }

    public init(movement: Movement, source: String, role: String, id: String, category: Category, ruleNumber: Int?,
                isIndividual: Bool, member: MemberRecord?) {
        var t = MovementColumns()
        t.append(movement, source: source, role: role)
        t.identity.append(0)
        t.occurrence.append(1)
        t.explicitId = [id]
        t.category = [category]
        t.ruleNumber = [Int32(ruleNumber ?? -1)]
        t.isIndividual = [isIndividual]
        if let member { t.members = [member]; t.member = [0] } else { t.member = [-1] }
        t.groupKey = [t.intern(Self.groupKey(member: member, movement))]
        table = MovementTable(t)
        row = 0
    }

    /// A group's key: its register id, else its counterparty id, else its name lower-cased.
    static func groupKey(member: MemberRecord?, _ m: Movement) -> String {
        member?.id ?? (m.counterpartyId.isEmpty ? m.counterparty.lowercased() : m.counterpartyId)
    }

    public var movement: Movement { table.c.movement(row) }
    public var source: String { table.c.strings[Int(table.c.source(row))] }
    public var role: String { table.c.strings[Int(table.c.role(row))] }
    /// Stable across runs: source, identity and occurrence.
    public var id: String { table.c.id(row) }
    public var category: Category { table.c.category[row] }
    /// The rule that gave the category (its number in the pipeline file), or nil.
    public var ruleNumber: Int? { table.c.ruleNumber[row] < 0 ? nil : Int(table.c.ruleNumber[row]) }
    /// True when the counterparty is a person: never named outside the warehouse.
    public var isIndividual: Bool { table.c.isIndividual[row] }
    /// The member register's entry for the counterparty, when there is one.
    public var member: MemberRecord? { table.c.member[row] < 0 ? nil : table.c.members[Int(table.c.member[row])] }

    public var isOut: Bool { table.c.amount[row] < 0 }
    public var date: Day { Day(ordinal: Int(table.c.day[row])) }
    public var fund: String { table.c.strings[Int(table.c.fund[row])] }
    /// For money converted from another currency: what the source said and at which rate.
    public var original: OriginalAmount? { table.c.originals.isEmpty ? nil : table.c.originals[Int32(row)] }

    // Column reads for the measures' loops, without making values.
    var dayOrdinal: Int { Int(table.c.day[row]) }
    var minorUnits: Int64 { table.c.amount[row] }
    var fundIndex: Int32 { table.c.fund[row] }
    var groupKey: String { table.c.strings[Int(table.c.groupKey[row])] }
    var hasCounterparty: Bool { table.c.counterparty[row] != 0 }
    var counterpartyName: String { table.c.strings[Int(table.c.counterparty[row])] }
    var counterpartyIdentifier: String { table.c.strings[Int(table.c.counterpartyId[row])] }
}

/// Everything the warehouse holds for a pipeline, de-duplicated and
/// classified once, for the measures and the reports.
public struct Dataset: Sendable {
    public var pipeline: Pipeline { didSet { index = LedgerIndex() } }
    /// Ledger movements (role `ledger`), unique, in date then source order.
    public var ledger: [ClassifiedMovement] { didSet { index = LedgerIndex() } }
    /// Bank statement entries (role `bank`), unique.
    public var bank: [ClassifiedMovement]
    /// Funders' reports of money (IATI transactions of `grants-in` sources).
    public var funderMovements: [ClassifiedMovement]
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
    /// The ledger indexed once for every engine made from this dataset.
    var index = LedgerIndex()
    /// The warehouse's measure views, asked through one query interface.
    var sql: MeasureSQL? = nil

    public static func load(pipeline: Pipeline, warehouse: Warehouse) throws -> Dataset {
        let files = try warehouse.files().filter { f in pipeline.sources.contains { $0.name == f.source } }
        let members = try warehouse.members(files: files)
        var table = MovementColumns()
        table.members = members
        let rowsByFile = try warehouse.readMovementColumns(files: files, into: &table)
        try warehouse.readOriginals(into: &table)
        warehouse.releaseMemory()  // the pages just read are in the table now
        // Before any figure: the warehouse holds what was loaded, and the
        // magnitudes of all amounts add up within 64 bits, so no sum the
        // measures make of them (each at most that total) can overflow.
        let grossTotal = try warehouse.checkControlTotals(files: files, movementRows: rowsByFile, amount: table.amount)

        // De-duplicate and classify in SQL (sql/movement_kept.sql,
        // sql/classify.sql), then take each kept movement's category, fund
        // and keys back into the table, in the ledger's order.
        try warehouse.prepareLedger(pipeline: pipeline, files: files, members: members)
        let n = table.count
        table.category = Array(repeating: .unclassified, count: n)
        table.ruleNumber = Array(repeating: -1, count: n)
        table.isIndividual = Array(repeating: false, count: n)
        table.member = Array(repeating: -1, count: n)
        table.groupKey = Array(repeating: 0, count: n)
        var partyMember: [Int64: (member: Int32, key: Int32)] = [:]
        for r in try warehouse.query("SELECT counterparty_id, member_index, group_key FROM run_party") {
            partyMember[r.int(0)] = (Int32(r.int(1)), table.intern(r.text(2)))
        }
        let categories = Dictionary(uniqueKeysWithValues: Category.allCases.map { ($0.rawValue, $0) })
        var kept: [(row: Int32, role: String)] = []
        kept.reserveCapacity(n)
        var building = table
        table = MovementColumns()
        try warehouse.each("""
            SELECT movement_id, role, fund, category, rule_number, is_individual, counterparty_id FROM ledger_entry ORDER BY position
            """) { r in
            guard let i = building.row(movementId: r.int(0)) else {
                throw DataError("\(warehouse.path): error: ledger_entry names movement \(r.int(0)), which the warehouse does not hold; run again")
            }
            building.fund[i] = building.intern(r.text(2))
            building.category[i] = categories[r.text(3)] ?? .unclassified
            building.ruleNumber[i] = r[4].int.map { Int32($0) } ?? -1
            building.isIndividual[i] = r.int(5) != 0
            if let p = partyMember[r.int(6)] { building.member[i] = p.member; building.groupKey[i] = p.key }
            kept.append((Int32(i), r.text(1)))
        }
        table = building
        building = MovementColumns()
        table.seal()
        let duplicates = table.count - kept.count
        let frozen = MovementTable(table)
        table = MovementColumns()
        var ledger: [ClassifiedMovement] = [], bank: [ClassifiedMovement] = [], funder: [ClassifiedMovement] = []
        ledger.reserveCapacity(kept.count)
        for (r, role) in kept {
            let c = ClassifiedMovement(table: frozen, row: Int(r))
            switch role {
            case "ledger": ledger.append(c)
            case "bank": bank.append(c)
            default: funder.append(c)
            }
        }
        let grants = try warehouse.grants(files: files)
        return Dataset(pipeline: pipeline, ledger: ledger, bank: bank, funderMovements: funder,
                       grantsIn: grants.filter { $0.role == SourceRoleName.grantsIn },
                       grantsOut: grants.filter { $0.role == SourceRoleName.grantsOut },
                       members: members, balances: try warehouse.balances(files: files), files: files,
                       findings: try warehouse.findings(files: files), duplicatesDropped: duplicates, grossTotal: grossTotal,
                       sql: MeasureSQL(warehouse: warehouse))
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

    /// Throws the first error a measure query met, so a run never keeps
    /// outputs made without all their figures.
    public func checkMeasures() throws {
        if let e = sql?.failure { throw e }
    }

    /// The date of the latest ledger movement: the data's as-at date.
    public var asAt: Day? { ledger.last?.date }
}

enum SourceRoleName {
    static let grantsIn = "grants-in"
    static let grantsOut = "grants-out"
}
