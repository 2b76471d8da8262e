import Foundation
import RedistModel

/// The classify stage: the run's settings written as tables, then the
/// shipped SQL (`sql/movement_kept.sql`, `sql/classify.sql`) de-duplicates
/// and classifies the ledger into `ledger_entry`, on either engine.
///
/// Swift only lays out what SQL cannot read from a pipeline file: the
/// rules in order, each counterparty's keys (names compared ignoring case,
/// the member register's entry), the fund an account path names, and, for
/// rules with a description pattern, which descriptions it matches
/// (regular expressions are evaluated by one engine, Foundation's, so both
/// warehouses classify alike). The first-match choice and everything after
/// it are SQL.
extension Warehouse {
    /// The views every run reads through, made again from the shipped files.
    static let viewFiles = ["movement_kept", "scope_flow", "fund_held", "grant_committed", "time_to_money", "reach",
                                    "funder_payment", "pool_weight", "funder_money", "unrestricted_spending", "summary"]

    func prepareLedger(pipeline: Pipeline, files: [LoadedFile], members: [MemberRecord]) throws {
        try transaction { s in
            for view in Self.viewFiles { try s.run(file: view) }
            for table in ["run_file", "run_rule", "run_rule_account", "run_rule_value", "run_rule_description", "run_party",
                          "run_account_fund", "run_fund", "run_funder", "run_fund_funder", "run_organisation", "run_period"] {
                try s.execute("DELETE FROM \(table)")
            }
            try s.insert("run_file", ["file_id", "source", "role", "path_rank", "files_in_source"], Self.fileRows(files))
            try writeRules(pipeline.rules, s)
            try writeFunds(pipeline, s)
            try s.insert("run_party", ["counterparty_id", "name_key", "id_key", "group_key", "member_index", "member_individual"],
                         try Self.partyRows(members: members, s))
            let codes = Set(pipeline.funds.map(\.code))
            let accounts = try s.query("SELECT id, code, name FROM account").compactMap { r -> [SQLValue]? in
                let probe = Movement(date: Day(ordinal: 0), amount: .zero(.gbp), account: r.text(1), accountName: r.text(2),
                                     location: SourceLocation(file: "", line: 0))
                return Dataset.fundFromAccountPath(probe, codes).map { [r[0], .text($0)] }
            }
            try s.insert("run_account_fund", ["account_id", "fund"], accounts)
            try writeDescriptionMatches(pipeline.rules, s)
            try s.run(file: "classify")
        }
    }

    /// Each file with its rank by path: de-duplication keeps the earliest's rows.
    static func fileRows(_ files: [LoadedFile]) -> [[SQLValue]] {
        let paths = Set(files.map(\.path)).sorted()
        let rank = Dictionary(uniqueKeysWithValues: paths.enumerated().map { ($1, Int64($0)) })
        let perSource = Dictionary(grouping: files, by: \.source).mapValues(\.count)
        return files.map { f in
            [.int(f.id), .text(f.source), .text(f.role), .int(rank[f.path]!), .int(Int64(perSource[f.source] ?? 1))]
        }
    }

    /// The organisation, its funds and funders, as the pipeline file declares them.
    private func writeFunds(_ pipeline: Pipeline, _ s: SQLSession) throws {
        let o = pipeline.organisation
        try s.insert("run_organisation", ["id", "name", "currency"], [[.text(o.id), .text(o.name), .text(o.currency.code)]])
        try s.insert("run_fund", ["code", "name", "type", "ringfenced", "group_id", "position"], pipeline.funds.enumerated().map { i, f in
            [.text(f.code), .text(f.name), .text(f.type.rawValue), .int(f.ringfenced ? 1 : 0), .text(f.group), .int(Int64(i))]
        })
        try s.insert("run_funder", ["id", "name", "name_key", "position"], pipeline.funders.enumerated().map { i, f in
            [.text(f.id), .text(f.name), .text(f.name.lowercased()), .int(Int64(i))]
        })
        try s.insert("run_fund_funder", ["fund", "funder", "position"], pipeline.funds.flatMap { f in
            f.funders.enumerated().map { i, id in [.text(f.code), .text(id), .int(Int64(i))] }
        })
    }

    private func writeRules(_ rules: [Rule], _ s: SQLSession) throws {
        var rows: [[SQLValue]] = [], accounts: [[SQLValue]] = [], values: [[SQLValue]] = []
        for (position, rule) in rules.enumerated() {
            let p = SQLValue.int(Int64(position))
            func flag(_ b: Bool) -> SQLValue { .int(b ? 1 : 0) }
            rows.append([p, .int(Int64(rule.number)), .text(rule.category.rawValue), flag(rule.counterpartyKind == .individual),
                         rule.direction.map { .text($0.rawValue) } ?? .null, flag(rule.account != nil), flag(rule.funds != nil),
                         flag(rule.counterparties != nil), flag(rule.sources != nil), flag(rule.description != nil)])
            for part in rule.account?.parts ?? [] {
                switch part {
                case .code(let c): accounts.append([p, .text(c), .text(c), .int(0)])
                case .range(let lo, let hi): accounts.append([p, .text(lo), .text(hi), .int(1)])
                }
            }
            for f in rule.funds ?? [] { values.append([p, .text("fund"), .text(f)]) }
            for c in rule.counterparties ?? [] { values.append([p, .text("counterparty"), .text(c)]) }
            for src in rule.sources ?? [] { values.append([p, .text("source"), .text(src)]) }
        }
        try s.insert("run_rule", ["position", "number", "category", "individual", "direction", "matches_account", "matches_fund",
                                  "matches_counterparty", "matches_source", "matches_description"], rows)
        try s.insert("run_rule_account", ["position", "low", "high", "is_range"], accounts)
        try s.insert("run_rule_value", ["position", "field", "value"], values)
    }

    /// Each counterparty's keys: its name and id lower-cased (what rules
    /// match), its member register entry (by id, else by name ignoring case)
    /// and its group key (the register id, else its own id, else its name
    /// lower-cased).
    static func partyRows(members: [MemberRecord], _ s: SQLSession) throws -> [[SQLValue]] {
        var byId: [String: Int] = [:], byName: [String: Int] = [:]
        for (i, m) in members.enumerated() {
            if byId[m.id] == nil { byId[m.id] = i }
            let key = m.name.lowercased()
            if byName[key] == nil { byName[key] = i }
        }
        return try s.query("SELECT id, name, org_id FROM counterparty").map { r in
            let name = r.text(1), cid = r.text(2)
            let m = (cid.isEmpty ? nil : byId[cid]) ?? byName[name.lowercased()]
            let member = m.map { members[$0] }
            let key = member?.id ?? (cid.isEmpty ? name.lowercased() : cid)
            return [r[0], .text(name.lowercased()), .text(cid.lowercased()), .text(key), .int(Int64(m ?? -1)),
                    .int(member?.kind == .individual ? 1 : 0)]
        }
    }

    /// For each rule with a description pattern, the ledger descriptions it matches.
    private func writeDescriptionMatches(_ rules: [Rule], _ s: SQLSession) throws {
        let patterns = rules.enumerated().filter { $0.element.description != nil }
        guard !patterns.isEmpty else { return }
        var rows: [[SQLValue]] = []
        for r in try s.query("SELECT DISTINCT description FROM movement_kept WHERE role = 'ledger'") {
            let text = r.text(0)
            for (position, rule) in patterns where rule.matchesDescription(text) {
                rows.append([.int(Int64(position)), .text(text)])
            }
        }
        try s.insert("run_rule_description", ["position", "description"], rows)
    }
}
