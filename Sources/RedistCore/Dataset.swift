import RedistModel

/// A movement after de-duplication and classification: what every measure
/// and report reads.
public struct ClassifiedMovement: Sendable {
    public var movement: Movement
    public var source: String
    public var role: String
    /// Stable across runs: source, identity and occurrence.
    public var id: String
    public var category: Category
    /// The rule that gave the category (its number in the pipeline file), or nil.
    public var ruleNumber: Int?
    /// True when the counterparty is a person: never named outside the warehouse.
    public var isIndividual: Bool
    /// The member register's entry for the counterparty, when there is one.
    public var member: MemberRecord?

    public var isOut: Bool { movement.amount.minorUnits < 0 }
    public var date: Day { movement.date }
    public var fund: String { movement.fund }
}

/// Everything the warehouse holds for a pipeline, de-duplicated and
/// classified once, for the measures and the reports.
public struct Dataset: Sendable {
    public var pipeline: Pipeline
    /// Ledger movements (role `ledger`), unique, in date then source order.
    public var ledger: [ClassifiedMovement]
    /// Bank statement entries (role `bank`), unique.
    public var bank: [ClassifiedMovement]
    /// Funders' reports of money (IATI transactions of `grants-in` sources).
    public var funderMovements: [ClassifiedMovement]
    public var grantsIn: [StoredGrant]
    public var grantsOut: [StoredGrant]
    public var members: [MemberRecord]
    public var balances: [(StatementBalance, String)]
    public var files: [Warehouse.LoadedFile]
    public var findings: [(Diagnostic, Warehouse.LoadedFile)]
    /// Rows that were the same money seen in an overlapping export.
    public var duplicatesDropped: Int

    public static func load(pipeline: Pipeline, warehouse: Warehouse) throws -> Dataset {
        let files = try warehouse.files().filter { f in pipeline.sources.contains { $0.name == f.source } }
        let stored = try warehouse.movements(files: files)
        let members = try warehouse.members(files: files)
        var byId: [String: MemberRecord] = [:]
        var byName: [String: MemberRecord] = [:]
        for m in members {
            if byId[m.id] == nil { byId[m.id] = m }
            let key = m.name.lowercased()
            if byName[key] == nil { byName[key] = m }
        }
        // Overlapping exports of one source: keep, for each content identity,
        // as many occurrences as the file that holds the most of them. Files
        // are taken in path order so the kept row's provenance is stable.
        let sourceOrder = Dictionary(uniqueKeysWithValues: pipeline.sources.enumerated().map { ($1.name, $0) })
        let ordered = stored.sorted {
            let a = ($0.source == $1.source) ? 0 : (sourceOrder[$0.source] ?? 0) - (sourceOrder[$1.source] ?? 0)
            if a != 0 { return a < 0 }
            if $0.movement.location.file != $1.movement.location.file { return $0.movement.location.file < $1.movement.location.file }
            return $0.movement.location.line < $1.movement.location.line
        }
        var seen: Set<String> = []
        var unique: [StoredMovement] = []
        unique.reserveCapacity(ordered.count)
        for s in ordered {
            let key = "\(s.source)\u{0}\(s.identity)\u{0}\(s.occurrence)"
            if seen.insert(key).inserted { unique.append(s) }
        }
        let classifier = Classifier(rules: pipeline.rules)
        let fundCodes = Set(pipeline.funds.map(\.code))
        var ledger: [ClassifiedMovement] = [], bank: [ClassifiedMovement] = [], funder: [ClassifiedMovement] = []
        for s in unique {
            var m = s.movement
            if m.fund.isEmpty, let fund = Self.fundFromAccountPath(m, fundCodes) { m.fund = fund }
            let member = (m.counterpartyId.isEmpty ? nil : byId[m.counterpartyId]) ?? byName[m.counterparty.lowercased()]
            var category = Category.unclassified
            var rule: Rule? = nil
            if s.role == "ledger" { (category, rule) = classifier.classify(m, source: s.source) }
            let individual = member?.kind == .individual || rule?.counterpartyKind == .individual
            let c = ClassifiedMovement(movement: m, source: s.source, role: s.role, id: "\(s.source):\(s.identity):\(s.occurrence)",
                                       category: category, ruleNumber: rule?.number, isIndividual: individual, member: member)
            switch s.role {
            case "ledger": ledger.append(c)
            case "bank": bank.append(c)
            default: funder.append(c)
            }
        }
        let byDate: (ClassifiedMovement, ClassifiedMovement) -> Bool = {
            if $0.date != $1.date { return $0.date < $1.date }
            return $0.movement.location < $1.movement.location
        }
        let grants = try warehouse.grants(files: files)
        return Dataset(pipeline: pipeline, ledger: ledger.sorted(by: byDate), bank: bank.sorted(by: byDate),
                       funderMovements: funder.sorted(by: byDate),
                       grantsIn: grants.filter { $0.role == SourceRoleName.grantsIn },
                       grantsOut: grants.filter { $0.role == SourceRoleName.grantsOut },
                       members: members, balances: try warehouse.balances(files: files), files: files,
                       findings: try warehouse.findings(files: files), duplicatesDropped: stored.count - unique.count)
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
