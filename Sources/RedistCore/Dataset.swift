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

    private func with(_ change: (inout Parts) -> Void) -> ClassifiedMovement {
        var p = Parts(movement: movement, source: source, role: role, id: id, category: category, ruleNumber: ruleNumber,
                      isIndividual: isIndividual, member: member)
        change(&p)
        return ClassifiedMovement(movement: p.movement, source: p.source, role: p.role, id: p.id, category: p.category,
                                  ruleNumber: p.ruleNumber, isIndividual: p.isIndividual, member: p.member)
    }

    private struct Parts {
        var movement: Movement, source: String, role: String, id: String, category: Category, ruleNumber: Int?
        var isIndividual: Bool, member: MemberRecord?
    }

    public var movement: Movement {
        get { table.c.movement(row) }
        set { self = with { $0.movement = newValue } }
    }
    public var source: String {
        get { table.c.strings[Int(table.c.source(row))] }
        set { self = with { $0.source = newValue } }
    }
    public var role: String {
        get { table.c.strings[Int(table.c.role(row))] }
        set { self = with { $0.role = newValue } }
    }
    /// Stable across runs: source, identity and occurrence.
    public var id: String {
        get { table.c.id(row) }
        set { self = with { $0.id = newValue } }
    }
    public var category: Category {
        get { table.c.category[row] }
        set { self = with { $0.category = newValue } }
    }
    /// The rule that gave the category (its number in the pipeline file), or nil.
    public var ruleNumber: Int? {
        get { table.c.ruleNumber[row] < 0 ? nil : Int(table.c.ruleNumber[row]) }
        set { self = with { $0.ruleNumber = newValue } }
    }
    /// True when the counterparty is a person: never named outside the warehouse.
    public var isIndividual: Bool {
        get { table.c.isIndividual[row] }
        set { self = with { $0.isIndividual = newValue } }
    }
    /// The member register's entry for the counterparty, when there is one.
    public var member: MemberRecord? {
        get { table.c.member[row] < 0 ? nil : table.c.members[Int(table.c.member[row])] }
        set { self = with { $0.member = newValue } }
    }

    public var isOut: Bool { table.c.amount[row] < 0 }
    public var date: Day { Day(ordinal: Int(table.c.day[row])) }
    public var fund: String { table.c.strings[Int(table.c.fund[row])] }

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

    public static func load(pipeline: Pipeline, warehouse: Warehouse) throws -> Dataset {
        let files = try warehouse.files().filter { f in pipeline.sources.contains { $0.name == f.source } }
        let members = try warehouse.members(files: files)
        var byId: [String: Int32] = [:]
        var byName: [String: Int32] = [:]
        for (i, m) in members.enumerated() {
            if byId[m.id] == nil { byId[m.id] = Int32(i) }
            let key = m.name.lowercased()
            if byName[key] == nil { byName[key] = Int32(i) }
        }
        var table = MovementColumns()
        table.members = members
        let rowsByFile = try warehouse.readMovementColumns(files: files, into: &table)
        warehouse.releaseMemory()  // the pages just read are in the table now
        // Before any figure: the warehouse holds what was loaded, and the
        // magnitudes of all amounts add up within 64 bits, so no sum the
        // measures make of them (each at most that total) can overflow.
        let grossTotal = try warehouse.checkControlTotals(files: files, movementRows: rowsByFile, amount: table.amount)

        // Overlapping exports of one source: keep, for each content identity,
        // as many occurrences as the file that holds the most of them. Files
        // are taken in path order so the kept row's provenance is stable.
        // A source with one file has nothing to de-duplicate.
        let sourceOrder = Dictionary(uniqueKeysWithValues: pipeline.sources.enumerated().map { ($1.name, $0) })
        let orderedFiles = files.sorted {
            let a = ($0.source == $1.source) ? 0 : (sourceOrder[$0.source] ?? 0) - (sourceOrder[$1.source] ?? 0)
            if a != 0 { return a < 0 }
            return $0.path < $1.path
        }
        let filesPerSource = Dictionary(grouping: files, by: \.source).mapValues(\.count)
        struct Key: Hashable { var identity: Int64; var occurrence: Int32; var native: String }
        var unique: [Int32] = []
        unique.reserveCapacity(table.count)
        var seen: [String: Set<Key>] = [:]
        for f in orderedFiles {
            guard let rows = rowsByFile[f.id] else { continue }
            if (filesPerSource[f.source] ?? 1) <= 1 {
                unique.append(contentsOf: rows)
                continue
            }
            var set = seen[f.source] ?? []
            for r in rows {
                let i = Int(r)
                let key = Key(identity: table.identity[i], occurrence: table.occurrence[i],
                              native: table.nativeId.isEmpty(i) ? "" : table.nativeId[i])
                if set.insert(key).inserted { unique.append(r) }
            }
            seen[f.source] = set
        }
        seen = [:]

        // Classify. Without description rules a rule sees only the account,
        // fund, counterparty, direction and source, so each distinct
        // combination is classified once.
        let n = table.count
        table.category = Array(repeating: .unclassified, count: n)
        table.ruleNumber = Array(repeating: -1, count: n)
        table.isIndividual = Array(repeating: false, count: n)
        table.member = Array(repeating: -1, count: n)
        table.groupKey = Array(repeating: 0, count: n)
        let classifier = Classifier(rules: pipeline.rules)
        let perRow = pipeline.rules.contains { $0.description != nil }
        // Each distinct combination's classification, and each counterparty's
        // member and group key, by dimension numbers.
        var classified = WordMap()
        /// What a row keeps of its classification (not the rule itself, whose text would be retained per row).
        struct Classified {
            var category: Category, ruleNumber: Int32, individual: Bool
            static let none = Classified(category: .unclassified, ruleNumber: -1, individual: false)
            init(category: Category, ruleNumber: Int32, individual: Bool) {
                self.category = category; self.ruleNumber = ruleNumber; self.individual = individual
            }
            init(_ r: (Category, Rule?)) {
                self.init(category: r.0, ruleNumber: Int32(r.1?.number ?? -1), individual: r.1?.counterpartyKind == .individual)
            }
        }
        var classifications: [Classified] = []
        let memberIsIndividual = members.map { $0.kind == .individual }
        struct Party: Hashable { var name, id: Int32 }
        var parties = WordMap()
        var partyFound: [(member: Int32, key: Int32)] = []
        let ledgerRole = table.intern("ledger")
        let fundCodes = Set(pipeline.funds.map(\.code))
        struct AccountPair: Hashable { var account, name: Int32 }
        var fundOfAccount: [AccountPair: Int32] = [:]
        for r in unique {
            let i = Int(r)
            if table.fund[i] == 0 {
                // Books that keep funds as account hierarchy name the fund in the account path.
                let pair = AccountPair(account: table.account[i], name: table.accountName[i])
                if let f = fundOfAccount[pair] { table.fund[i] = f } else {
                    let probe = Movement(date: Day(ordinal: 0), amount: .zero(.gbp), account: table.strings[Int(pair.account)],
                                         accountName: table.strings[Int(pair.name)], location: SourceLocation(file: "", line: 0))
                    let f = Self.fundFromAccountPath(probe, fundCodes).map { table.intern($0) } ?? 0
                    fundOfAccount[pair] = f
                    table.fund[i] = f
                }
            }
            let party = Party(name: table.counterparty[i], id: table.counterpartyId[i])
            let found: (member: Int32, key: Int32)
            let partyKey = WordMap.Key(a: UInt64(UInt32(bitPattern: party.name)), b: UInt64(UInt32(bitPattern: party.id)), c: 0)
            if let p = parties.value(partyKey) { found = partyFound[Int(p)] } else {
                let name = table.strings[Int(party.name)], cid = table.strings[Int(party.id)]
                let m = (cid.isEmpty ? nil : byId[cid]) ?? byName[name.lowercased()] ?? -1
                let member = m < 0 ? nil : members[Int(m)]
                let key = member?.id ?? (cid.isEmpty ? name.lowercased() : cid)
                found = (m, table.intern(key))
                parties.set(partyKey, Int32(partyFound.count))
                partyFound.append(found)
            }
            table.member[i] = found.member
            table.groupKey[i] = found.key
            var result = Classified.none
            if table.role(i) == ledgerRole {
                if perRow {
                    result = Classified(classifier.classify(table.movement(i), source: table.strings[Int(table.source(i))]))
                } else {
                    let c = WordMap.Key(a: UInt64(UInt32(bitPattern: table.account[i])) << 32 | UInt64(UInt32(bitPattern: table.fund[i])),
                                        b: UInt64(UInt32(bitPattern: party.name)) << 32 | UInt64(UInt32(bitPattern: party.id)),
                                        c: UInt64(UInt32(bitPattern: table.source(i))) << 1 | (table.amount[i] < 0 ? 1 : 0))
                    if let known = classified.value(c) { result = classifications[Int(known)] } else {
                        result = Classified(classifier.classify(table.movement(i), source: table.strings[Int(table.source(i))]))
                        classified.set(c, Int32(classifications.count))
                        classifications.append(result)
                    }
                }
            }
            table.category[i] = result.category
            table.ruleNumber[i] = result.ruleNumber
            table.isIndividual[i] = (found.member >= 0 && memberIsIndividual[Int(found.member)]) || result.individual
        }

        // Order by date, then file, line and column, as `SourceLocation` sorts.
        // Rank of each origin's file name, so rows compare by integers.
        let names = Set(table.origins.map(\.file)).sorted { table.strings[Int($0)] < table.strings[Int($1)] }
        var nameRank: [Int32: Int32] = [:]
        for (rank, f) in names.enumerated() { nameRank[f] = Int32(rank) }
        let originRank = table.origins.map { nameRank[$0.file]! }
        let roleOf = table.origins.map(\.role)
        let bankRole = table.intern("bank")
        table.seal()
        let origin = table.origin
        let day = table.day, line = table.line, column = table.column
        let duplicates = table.count - unique.count
        let frozen = MovementTable(table)
        table = MovementColumns()
        var ledger: [ClassifiedMovement] = [], bank: [ClassifiedMovement] = [], funder: [ClassifiedMovement] = []
        // Most rows are the ledger's: one allocation instead of doubling copies of a million handles.
        var ledgerCount = 0
        for r in unique where roleOf[Int(origin[Int(r)])] == ledgerRole { ledgerCount += 1 }
        ledger.reserveCapacity(ledgerCount)
        for r in unique {
            let c = ClassifiedMovement(table: frozen, row: Int(r))
            switch roleOf[Int(origin[Int(r)])] {
            case ledgerRole: ledger.append(c)
            case bankRole: bank.append(c)
            default: funder.append(c)
            }
        }
        let byDate: (ClassifiedMovement, ClassifiedMovement) -> Bool = { a, b in
            let x = a.row, y = b.row
            if day[x] != day[y] { return day[x] < day[y] }
            let fx = originRank[Int(origin[x])], fy = originRank[Int(origin[y])]
            if fx != fy { return fx < fy }
            if line[x] != line[y] { return line[x] < line[y] }
            return !column.isEmpty && max(column[x], 0) < max(column[y], 0)
        }
        ledger.sort(by: byDate)
        bank.sort(by: byDate)
        funder.sort(by: byDate)
        let grants = try warehouse.grants(files: files)
        return Dataset(pipeline: pipeline, ledger: ledger, bank: bank, funderMovements: funder,
                       grantsIn: grants.filter { $0.role == SourceRoleName.grantsIn },
                       grantsOut: grants.filter { $0.role == SourceRoleName.grantsOut },
                       members: members, balances: try warehouse.balances(files: files), files: files,
                       findings: try warehouse.findings(files: files), duplicatesDropped: duplicates, grossTotal: grossTotal)
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

    /// The date of the latest ledger movement: the data's as-at date.
    public var asAt: Day? { ledger.last?.date }
}

enum SourceRoleName {
    static let grantsIn = "grants-in"
    static let grantsOut = "grants-out"
}
