@testable import RedistCore
import RedistModel
import Testing

@Suite("Classifier")
struct ClassifierTests {
    /// A classifier from `[[rule]]` tables, as staff write them.
    func classifier(_ rules: String) throws -> Classifier {
        let p = try Pipeline.parse("[organisation]\nid = \"GB-CHC-1\"\nname = \"Hub\"\n" + rules, file: "p.toml")
        return Classifier(rules: p.rules)
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
        #expect(Classifier(rules: []).classify(movement(5), source: "x").category == .unclassified)
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
