@testable import RedistCore
import RedistIngest
import RedistModel
import Testing

@Suite("Measure engine")
struct MeasureEngineTests {
    static let pipelineText = """
    [organisation]
    id = "GB-CHC-1"
    name = "Hub"
    financial_year_start = "04-01"
    [[funder]]
    id = "GB-CHC-2"
    name = "Funder One"
    [[funder]]
    id = "GB-CHC-3"
    name = "Funder Two"
    [[fund]]
    code = "GEN"
    name = "General"
    type = "unrestricted"
    [[fund]]
    code = "R1"
    name = "Restricted One"
    type = "restricted"
    funders = ["GB-CHC-2"]
    [[fund]]
    code = "POOL"
    name = "Pooled"
    type = "restricted"
    funders = ["GB-CHC-2", "GB-CHC-3"]
    [[fund]]
    code = "HP"
    name = "Hosted Project"
    type = "hosted"
    group = "360G-HUB-HP"
    """

    static func day(_ s: String) -> Day { Day(iso: s)! }

    static func m(_ date: String, _ fund: String, _ pence: Int64, _ category: Category, counterparty: String = "",
                  counterpartyId: String = "", individual: Bool = false) -> ClassifiedMovement {
        let movement = Movement(date: day(date), amount: Money(minorUnits: pence, currency: .gbp), fund: fund,
                                counterparty: counterparty, counterpartyId: counterpartyId,
                                location: SourceLocation(file: "ledger.csv", line: 1))
        return ClassifiedMovement(movement: movement, source: "ledger", role: "ledger", id: "ledger:\(date):\(pence)", category: category,
                                  ruleNumber: nil, isIndividual: individual, member: nil)
    }

    static let ledger: [ClassifiedMovement] = [
        m("2023-11-15", "POOL", -500, .redistributedGrant, counterparty: "Group B"),
        m("2023-12-01", "GEN", 10_000, .incomeDonation),
        m("2024-01-05", "R1", 100_000, .incomeGrant, counterparty: "Funder One"),
        m("2024-01-10", "R1", -30_000, .redistributedGrant, counterparty: "Group A"),
        m("2024-01-15", "ZZ", -100, .retainedProgramme),
        m("2024-01-20", "R1", -5_000, .retainedStaff, counterparty: "Payroll"),
        m("2024-02-01", "GEN", -2_000, .retainedOverhead),
        m("2024-02-02", "GEN", 500, .retainedOverhead),  // a refund nets off
        m("2024-02-03", "GEN", -700, .unclassified),
        m("2024-02-04", "GEN", 300, .unclassified),
        m("2024-02-05", "GEN", -1_000, .transfer),
        m("2024-02-05", "HP", 1_000, .transfer),
        m("2024-02-06", "HP", -200, .retainedHostingFee),
        m("2024-02-06", "GEN", 200, .transfer),
        m("2024-02-10", "HP", -3_000, .redistributedHosted),
        m("2024-03-01", "POOL", 60_000, .incomeGrant, counterparty: "FUNDER ONE"),
        m("2024-03-02", "POOL", 20_000, .incomeGrant, counterparty: "Another name", counterpartyId: "GB-CHC-3"),
        m("2024-03-05", "POOL", -10_001, .redistributedGrant, counterparty: "Group B"),
        m("2024-03-06", "R1", -4_000, .redistributedPayment, counterparty: "Alex", individual: true),
        m("2024-03-07", "R1", -1_000, .redistributedGrant, counterparty: "group a"),
        m("2024-04-02", "R1", -999, .redistributedGrant, counterparty: "Group C"),
    ]

    static func grant(_ id: String, _ pence: Int64, award: String, disbursed: Int64? = nil, paid: String? = nil, fund: String) -> GrantRecord {
        GrantRecord(identifier: id, amountAwarded: Money(minorUnits: pence, currency: .gbp),
                    amountDisbursed: disbursed.map { Money(minorUnits: $0, currency: .gbp) }, awardDate: day(award),
                    paymentDate: paid.map(day), recipientId: "360G-G-\(id)", recipientName: "Group \(id)", funderId: "GB-CHC-1",
                    funderName: "Hub", fund: fund, location: SourceLocation(file: "register.csv", line: 2))
    }

    static let grantsOut: [GrantRecord] = [
        grant("G1", 50_000, award: "2024-01-01", disbursed: 50_000, paid: "2024-01-10", fund: "R1"),
        grant("G2", 20_000, award: "2024-02-01", fund: "R1"),
        grant("G3", 30_000, award: "2024-03-01", disbursed: 10_000, fund: "POOL"),
        grant("G4", 10_000, award: "2024-03-15", disbursed: 10_000, paid: "2024-04-20", fund: "R1"),
        grant("G5", 10_000, award: "2024-04-05", fund: "R1"),
        grant("G6", 5_000, award: "2023-12-01", paid: "2024-02-15", fund: "GEN"),
    ]

    static func engine(ledger: [ClassifiedMovement] = ledger, grants: [GrantRecord] = grantsOut) throws -> MeasureEngine {
        let pipeline = try Pipeline.parse(pipelineText, file: "p.toml")
        let data = try ScratchWarehouse.dataset(pipeline: pipeline, ledger: ledger,
                                                grantsOut: grants.map { StoredGrant(grant: $0, source: "register", role: "grants-out") })
        return MeasureEngine(data: data)
    }

    let q1 = Period("2024-Q1")!

    @Test func organisationIncomeAndSpendingByCategory() throws {
        let org = try Self.engine().organisation(q1)
        #expect(org.scope.kind == .organisation && org.scope.id == "GB-CHC-1")
        #expect(org.incomeByCategory == [.incomeGrant: 180_000])  // the December donation is before the period
        #expect(org.income == 180_000)
        #expect(org.spent(.redistributedGrant) == 41_001)
        #expect(org.spent(.redistributedPayment) == 4_000)
        #expect(org.spent(.redistributedHosted) == 3_000)
        #expect(org.spent(.retainedStaff) == 5_000)
        #expect(org.spent(.retainedOverhead) == 1_500)
        #expect(org.spent(.retainedProgramme) == 100)
        #expect(org.redistributed == 48_001)
        #expect(org.retained == 6_600)
    }

    @Test func theRateIsFourPlacesWithUnclassifiedBesideIt() throws {
        let org = try Self.engine().organisation(q1)
        #expect(org.rate == "0.8791")
        #expect(org.penceInThePound == 88)
        #expect(org.unclassified == 1_000)  // gross: 700 out and 300 in
        #expect(org.unclassifiedCount == 2)
        let nothing = try Self.engine(ledger: [], grants: []).organisation(q1)
        #expect(nothing.rate == nil)
        #expect(nothing.penceInThePound == nil)
    }

    @Test func hostingFeesAreTransfersOrgWideAndRetainedInTheHostedFund() throws {
        let e = try Self.engine()
        let org = e.organisation(q1)
        #expect(org.spent(.retainedHostingFee) == 0)
        #expect(org.transfersOut == 1_200)
        #expect(org.transfersIn == 1_200)
        let hosted = e.fund("HP", q1)
        #expect(hosted.spent(.retainedHostingFee) == 200)
        #expect(hosted.spent(.redistributedHosted) == 3_000)
        #expect(hosted.rate == "0.9375")
        #expect(hosted.transfersIn == 1_000)
    }

    @Test func heldIsTheBalanceAtThePeriodsEndWithTheHostedPartApart() throws {
        let e = try Self.engine()
        let org = e.organisation(q1)
        #expect(org.held == 134_499)
        #expect(org.heldHosted == -2_200)
        #expect(e.fund("HP", q1).heldHosted == -2_200)
        #expect(e.fund("R1", q1).held == 60_000)
        #expect(e.fund("R1", q1).heldHosted == 0)
        #expect(e.fund("POOL", q1).held == 69_499)
        // A year later everything is booked, including April's payment.
        #expect(e.organisation(Period("2024-04-01..2025-03-31")!).held == 134_499 - 999)
    }

    @Test func committedIsAwardedButNotPaidByThePeriodsEnd() throws {
        let e = try Self.engine()
        // G2 unpaid 200.00, G3 part-paid 200.00 left, G4 paid only after the end 100.00; G5 awarded later.
        #expect(e.organisation(q1).committed == 50_000)
        #expect(e.fund("R1", q1).committed == 30_000)
        #expect(e.fund("POOL", q1).committed == 20_000)
        #expect(e.organisation(Period("2024-Q2")!).committed == 20_000 + 20_000 + 10_000)
    }

    @Test func timeToMoneyForGrantsPaidInThePeriod() throws {
        let org = try Self.engine().organisation(q1)
        #expect(org.timeToMoney == TimeToMoney(count: 2, median: 43, p90: 76))
        #expect(org.timeToMoney?.median == 43)
        #expect(org.timeToMoney?.p90 == 76)
        #expect(org.grantsEvidenced == 2)
    }

    /// The organisation's time to money for grants paid on 1 March 2024, each `days` after its award.
    func timing(_ days: [Int]) throws -> TimeToMoney? {
        let paid = Self.day("2024-03-01")
        let grants = days.enumerated().map { i, d in
            Self.grant("T\(i)", 100, award: Day(ordinal: paid.ordinal - d).description, disbursed: 100, paid: "2024-03-01", fund: "R1")
        }
        return try Self.engine(grants: grants).organisation(q1).timeToMoney
    }

    @Test func medianAndNinetiethPercentile() throws {
        #expect(try timing([]) == nil)
        let one = try timing([5])
        #expect(one?.median == 5 && one?.p90 == 5 && one?.count == 1)
        let ten = try timing([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])
        #expect(ten?.median == 6 && ten?.p90 == 9)
        let three = try timing([3, 1, 2])
        #expect(three?.median == 2 && three?.p90 == 3)
        let eleven = try timing(Array(1...11))
        #expect(eleven?.p90 == 10)
        let two = try timing([0, 3])  // 1.5 rounds half up
        #expect(two?.median == 2 && two?.p90 == 3)
    }

    @Test func reachCountsDistinctGroupsNotPeople() throws {
        let org = try Self.engine().organisation(q1)
        // Group A (twice, in two spellings), Group B, and the hosted project, whose
        // own spending reaches it rather than the suppliers it paid.
        #expect(org.groupsReached == 3)
        #expect(org.firstTimeGroups == 2)  // Group B was first paid in November; the hosted project first spent in Q1
        #expect(org.individualsPaid == 1)
    }

    @Test func aPooledFundIsSharedByIncomeWithTheLargestRemainder() throws {
        let e = try Self.engine()
        #expect(e.poolWeights(e.data.pipeline.fund("POOL")!, upTo: Self.day("2024-03-31")) == [60_000, 20_000])
        // Before any income arrives the funders share equally.
        #expect(e.poolWeights(e.data.pipeline.fund("POOL")!, upTo: Self.day("2024-02-01")) == [1, 1])
        let one = e.funder(e.data.pipeline.funder("GB-CHC-2")!, q1)
        let two = e.funder(e.data.pipeline.funder("GB-CHC-3")!, q1)
        #expect(one.income == 160_000)
        #expect(two.income == 20_000)
        #expect(one.spent(.redistributedGrant) == 31_000 + 7_501)
        #expect(two.spent(.redistributedGrant) == 2_500)
        #expect(one.held == 60_000 + 52_124)
        #expect(two.held == 17_375)
        #expect(one.groupsReached == 2 && two.groupsReached == 1)
        // Shares add back up to the pooled fund's own figures.
        let pool = e.fund("POOL", q1)
        #expect(one.held + two.held - e.fund("R1", q1).held == pool.held)
    }

    @Test func summaryHasTheOrganisationEveryFundAndEveryFunder() throws {
        let rows = try Self.engine().summary(for: q1)
        #expect(rows.map(\.scope.kind) == [.organisation, .fund, .fund, .fund, .fund, .fund, .funder, .funder])
        // Declared funds in order, then codes the ledger uses without declaring them.
        #expect(rows.map(\.scope.id) == ["GB-CHC-1", "GEN", "R1", "POOL", "HP", "ZZ", "GB-CHC-2", "GB-CHC-3"])
        #expect(rows[5].scope.name == "ZZ")
        #expect(rows[2].scope.name == "Restricted One")
        #expect(rows.allSatisfy { $0.period == q1 && $0.currency == .gbp })
    }

    @Test func yearToDateAndTrendQuarters() throws {
        let e = try Self.engine()
        let ytd = e.yearToDate(q1)
        #expect(ytd.start == Self.day("2023-04-01") && ytd.end == Self.day("2024-03-31"))
        #expect(ytd.label == "2023-04-01..2024-03-31")
        #expect(e.trendQuarters(endingWith: q1).map(\.label) == ["2023-Q4", "2024-Q1"])
        #expect(try Self.engine(ledger: []).trendQuarters(endingWith: q1).isEmpty)
    }
}
