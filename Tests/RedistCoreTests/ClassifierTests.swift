import Foundation
@testable import RedistCore
import RedistModel
import Testing

/// The rules as staff write them, applied by the shipped SQL
/// (`sql/classify.sql`) to movements stored in a scratch warehouse.
@Suite("Classifier")
struct ClassifierTests {
    struct Classified {
        var category: Category
        var rule: Rule?
    }

    /// Classifies one movement at a time with the rules of a pipeline file.
    struct SQLClassifier {
        let pipeline: Pipeline
        var rules: [Rule] { pipeline.rules }

        func classify(_ m: Movement, source: String) -> Classified {
            do {
                let dir = FileManager.default.temporaryDirectory.appendingPathComponent("redist-classify-\(UUID().uuidString)").path
                defer { try? FileManager.default.removeItem(atPath: dir) }
                let w = try Warehouse(path: dir + "/w.sqlite")
                let file = Warehouse.LoadedFile(id: 1, source: source, role: "ledger", format: "csv", path: "ledger.csv", sha256: "",
                                                configHash: "", bytes: 0, rowsRead: 1, rowsLoaded: 1, rowsRejected: 0, rowsSkipped: 0,
                                                amountRead: 0, amountLoaded: 0, amountRejected: 0, amountSkipped: 0, failure: nil)
                try w.transaction { s in
                    try s.execute("INSERT INTO account(id, code, name) VALUES (1, ?, '')", [.text(m.account)])
                    try s.execute("INSERT INTO fund(id, code) VALUES (1, ?)", [.text(m.fund)])
                    try s.execute("INSERT INTO counterparty(id, name, org_id) VALUES (1, ?, ?)", [.text(m.counterparty), .text(m.counterpartyId)])
                    try s.execute("""
                        INSERT INTO movement_row(id, file_id, line, identity, occurrence, date, amount, currency, account_id, fund_id,
                          counterparty_id, description, reference, native_id, kind)
                        VALUES (1, 1, 2, 0, 1, ?, ?, 'GBP', 1, 1, 1, ?, '', '', '')
                        """, [.text(m.date.description), .int(m.amount.minorUnits), .text(m.description)])
                }
                try w.prepareLedger(pipeline: pipeline, files: [file], members: [])
                let r = try w.query("SELECT category, rule_number FROM ledger_entry")
                let number = r.first?[1].int.map(Int.init)
                return Classified(category: Category(rawValue: r.first?.text(0) ?? "") ?? .unclassified,
                                  rule: rules.first { $0.number == number })
            } catch {
                Issue.record("classifying failed: \(error)")
                return Classified(category: .unclassified, rule: nil)
            }
        }
    }

    /// A classifier from `[[rule]]` tables, as staff write them.
    func classifier(_ rules: String) throws -> SQLClassifier {
        SQLClassifier(pipeline: try Pipeline.parse("[organisation]\nid = \"GB-CHC-1\"\nname = \"Hub\"\n" + rules, file: "p.toml"))
    }

    func movement(_ pence: Int64, account: String = "", fund: String = "", counterparty: String = "", counterpartyId: String = "",
                  description: String = "") -> Movement {
        Movement(date: Day(year: 2024, month: 1, day: 10)!, amount: Money(minorUnits: pence, currency: .gbp), account: account,
                 fund: fund, counterparty: counterparty, counterpartyId: counterpartyId, description: description,
                 location: SourceLocation(file: "ledger.csv", line: 2))
    }

    @Test func theFirstMatchingRuleWins() throws {
        let c = try classifier("""
        [[rule]]
        account = "5000"
        fund = "SCP"
        category = "redistributed.small-costs"
        [[rule]]
        account = "5000"
        category = "redistributed.grant"
        """)
        let small = c.classify(movement(-100, account: "5000", fund: "SCP"), source: "ledger")
        #expect(small.category == .redistributedSmallCosts)
        #expect(small.rule?.number == 1)
        let grant = c.classify(movement(-100, account: "5000", fund: "TW-CC"), source: "ledger")
        #expect(grant.category == .redistributedGrant)
        #expect(grant.rule?.number == 2)
        #expect(grant.rule?.line == 8)
    }

    @Test func whatNoRuleMatchesIsUnclassified() throws {
        let c = try classifier("[[rule]]\naccount = \"5000\"\ncategory = \"redistributed.grant\"\n")
        let result = c.classify(movement(-100, account: "9999"), source: "ledger")
        #expect(result.category == .unclassified)
        #expect(result.rule == nil)
        #expect(try classifier("").classify(movement(5), source: "x").category == .unclassified)
    }

    @Test func accountRangesAndLists() throws {
        let c = try classifier("[[rule]]\naccount = [\"7000-7099\", \"7500\"]\ncategory = \"retained.overhead\"\n")
        #expect(c.classify(movement(-1, account: "7042"), source: "l").category == .retainedOverhead)
        #expect(c.classify(movement(-1, account: "7500"), source: "l").category == .retainedOverhead)
        #expect(c.classify(movement(-1, account: "7100"), source: "l").category == .unclassified)
    }

    @Test func everyMatcherOfARuleMustAgree() throws {
        let c = try classifier("""
        [[rule]]
        account = "4000"
        direction = "in"
        source = ["cashbook", "xero"]
        category = "income.grant"
        """)
        #expect(c.classify(movement(100, account: "4000"), source: "xero").category == .incomeGrant)
        #expect(c.classify(movement(-100, account: "4000"), source: "xero").category == .unclassified)  // out, not in
        #expect(c.classify(movement(100, account: "4000"), source: "bank").category == .unclassified)  // another source
        #expect(c.classify(movement(100, account: "4001"), source: "xero").category == .unclassified)
    }

    @Test func directionTreatsZeroAsIn() throws {
        let out = try classifier("[[rule]]\ndirection = \"out\"\ncategory = \"retained.programme\"\n")
        #expect(out.classify(movement(-1), source: "l").category == .retainedProgramme)
        #expect(out.classify(movement(0), source: "l").category == .unclassified)
        let into = try classifier("[[rule]]\ndirection = \"in\"\ncategory = \"income.other\"\n")
        #expect(into.classify(movement(0), source: "l").category == .incomeOther)
    }

    @Test func counterpartiesMatchByNameOrIdentifierIgnoringCase() throws {
        let c = try classifier("""
        [[rule]]
        counterparty = ["Tidewater Foundation", "GB-CHC-9990201", "HMRC"]
        category = "income.grant"
        """)
        #expect(c.classify(movement(1, counterparty: "TIDEWATER FOUNDATION"), source: "l").category == .incomeGrant)
        #expect(c.classify(movement(1, counterparty: "Someone", counterpartyId: "gb-chc-9990201"), source: "l").category == .incomeGrant)
        #expect(c.classify(movement(1, counterparty: "Tidewater"), source: "l").category == .unclassified)
        // An empty identifier never matches an empty entry by accident.
        let blank = try classifier("[[rule]]\ncounterparty = \"\"\ncategory = \"income.other\"\n")
        #expect(blank.classify(movement(1, counterparty: "Ada"), source: "l").category == .unclassified)
    }

    @Test func descriptionsAreCaseInsensitiveRegularExpressions() throws {
        let c = try classifier("""
        [[rule]]
        description = "^(room hire|venue)\\\\b"
        category = "retained.programme"
        """)
        #expect(c.classify(movement(-1, description: "Room hire, March"), source: "l").category == .retainedProgramme)
        #expect(c.classify(movement(-1, description: "VENUE deposit"), source: "l").category == .retainedProgramme)
        #expect(c.classify(movement(-1, description: "Refund of room hire"), source: "l").category == .unclassified)
        #expect(c.classify(movement(-1, description: "Venues"), source: "l").category == .unclassified)
    }

    @Test func fundsMatchExactly() throws {
        let c = try classifier("[[rule]]\nfund = [\"HP-1\", \"HP-2\"]\ndirection = \"out\"\ncategory = \"redistributed.hosted\"\n")
        #expect(c.classify(movement(-1, fund: "HP-2"), source: "l").category == .redistributedHosted)
        #expect(c.classify(movement(-1, fund: "hp-2"), source: "l").category == .unclassified)
        #expect(c.classify(movement(-1, fund: ""), source: "l").category == .unclassified)
    }

    @Test func aRuleCanMarkItsCounterpartiesAsPeople() throws {
        let c = try classifier("[[rule]]\naccount = \"5030\"\ncategory = \"redistributed.payment\"\ncounterparty_kind = \"individual\"\n")
        let result = c.classify(movement(-5_000, account: "5030", counterparty: "Alex Example"), source: "l")
        #expect(result.rule?.counterpartyKind == .individual)
    }
}
