@testable import RedistCore
import RedistIngest
import RedistModel
import Testing

/// Reconciliation on small hand-made cases, one per status and per tricky case.
struct ReconcilerTests {
    static let pipelineText = """
    [organisation]
    id = "GB-CHC-1"
    name = "Hub"
    [[funder]]
    id = "GB-CHC-2"
    name = "Funder Two"
    [[fund]]
    code = "R"
    name = "Restricted"
    type = "restricted"
    funders = ["GB-CHC-2"]
    [[rule]]
    account = "4000"
    category = "income.grant"
    [[rule]]
    account = "5000"
    category = "redistributed.grant"
    [[rule]]
    account = "4900"
    category = "transfer"
    [reconciliation]
    date_window_days = 10
    """

    static func pipeline() throws -> Pipeline { try Pipeline.parse(pipelineText, file: "p.toml") }

    static func day(_ s: String) -> Day { Day(iso: s)! }
    static func money(_ pence: Int64) -> Money { Money(minorUnits: pence, currency: .gbp) }

    static func movement(_ date: String, _ pence: Int64, account: String = "", counterparty: String = "", counterpartyId: String = "",
                         reference: String = "", kind: String = "", nativeId: String = "", line: Int, file: String = "ledger.csv") -> Movement {
        Movement(date: day(date), amount: money(pence), account: account, fund: "R", counterparty: counterparty,
                 counterpartyId: counterpartyId, reference: reference, nativeId: nativeId, kind: kind,
                 location: SourceLocation(file: file, line: line))
    }

    static func classified(_ m: Movement, _ category: Category, role: String, source: String) -> ClassifiedMovement {
        ClassifiedMovement(movement: m, source: source, role: role, id: "\(source):\(m.location.line)", category: category,
                           ruleNumber: nil, isIndividual: false, member: nil)
    }

    static func dataset(ledger: [ClassifiedMovement] = [], bank: [ClassifiedMovement] = [], funder: [ClassifiedMovement] = [],
                        grantsIn: [GrantRecord] = [], grantsOut: [GrantRecord] = []) throws -> Dataset {
        try ScratchWarehouse.dataset(pipeline: try pipeline(), ledger: ledger, bank: bank, funder: funder,
                                     grantsIn: grantsIn.map { StoredGrant(grant: $0, source: "funders", role: "grants-in") },
                                     grantsOut: grantsOut.map { StoredGrant(grant: $0, source: "register", role: "grants-out") })
    }

    static func income(_ date: String, _ pence: Int64, line: Int, reference: String = "") -> ClassifiedMovement {
        classified(movement(date, pence, account: "4000", counterparty: "Funder Two", reference: reference, line: line), .incomeGrant,
                   role: "ledger", source: "ledger")
    }

    static func iati(_ date: String, _ pence: Int64, line: Int) -> ClassifiedMovement {
        classified(movement(date, pence, counterparty: "Funder Two", counterpartyId: "GB-CHC-2", kind: "3", nativeId: "ACT#\(line)",
                            line: line, file: "funder.xml"), .unclassified, role: "grants-in", source: "iati")
    }

    @Test func funderPaymentsMatchOneToOneWithinTheWindow() throws {
        let data = try Self.dataset(ledger: [Self.income("2024-01-10", 500_000, line: 2), Self.income("2024-02-10", 500_000, line: 3)],
                                    funder: [Self.iati("2024-01-05", 500_000, line: 10), Self.iati("2024-02-08", 500_000, line: 20)])
        let rows = Reconciler(data: data).all()
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0.status == .matched && $0.kind == "funder-payments" })
        #expect(rows[0].leftRef == "ACT#10" && rows[0].rightRef == "ledger.csv:2")
        #expect(rows[1].leftRef == "ACT#20" && rows[1].rightRef == "ledger.csv:3")
        #expect(rows[0].rule == "same amount within 10 days")
    }

    @Test func aDateJustOutsideTheWindowIsOnlyLeftAndOnlyRight() throws {
        let data = try Self.dataset(ledger: [Self.income("2024-01-16", 500_000, line: 2)],
                                    funder: [Self.iati("2024-01-05", 500_000, line: 10)])
        let rows = Reconciler(data: data).all()
        #expect(rows.map(\.status) == [.onlyLeft, .onlyRight])
        #expect(rows[0].difference == 500_000 && rows[1].difference == -500_000)
        // Ten days exactly is inside.
        let inside = try Self.dataset(ledger: [Self.income("2024-01-15", 500_000, line: 2)], funder: [Self.iati("2024-01-05", 500_000, line: 10)])
        #expect(Reconciler(data: inside).all().map(\.status) == [.matched])
    }

    @Test func oneFunderTotalAgainstTwoReceiptsIsCumulative() throws {
        let grant = GrantRecord(identifier: "360G-F-1", amountAwarded: Self.money(1_000_000), amountDisbursed: Self.money(1_000_000),
                                awardDate: Self.day("2023-12-01"), recipientId: "GB-CHC-1", recipientName: "Hub", funderId: "GB-CHC-2",
                                funderName: "Funder Two", location: SourceLocation(file: "f.csv", line: 2))
        let matched = try Self.dataset(ledger: [Self.income("2024-01-10", 600_000, line: 2, reference: "360G-F-1"),
                                                Self.income("2024-03-10", 400_000, line: 3, reference: "360G-F-1")],
                                       grantsIn: [grant])
        let rows = Reconciler(data: matched).all()
        #expect(rows.count == 1)
        #expect(rows[0].status == .matched && rows[0].kind == "funder-grant-totals")
        #expect(rows[0].rightRef == "ledger.csv:2 ledger.csv:3")
        #expect(rows[0].rule.contains("cumulative: 2 ledger receipts quoting the grant"))
        let short = try Self.dataset(ledger: [Self.income("2024-01-10", 600_000, line: 2, reference: "360G-F-1")], grantsIn: [grant])
        let differs = Reconciler(data: short).all()
        #expect(differs[0].status == .amountDiffers && differs[0].difference == 400_000)
    }

    static func paid(_ id: String, _ pence: Int64, award: String, paid: String?, recipient: String = "360G-G1") -> GrantRecord {
        GrantRecord(identifier: id, amountAwarded: money(pence), amountDisbursed: paid == nil ? money(0) : money(pence),
                    awardDate: day(award), paymentDate: paid.map(day), recipientId: recipient, recipientName: "Group One",
                    funderId: "GB-CHC-1", funderName: "Hub", fund: "R", location: SourceLocation(file: "register.csv", line: 2))
    }

    static func grantPayment(_ date: String, _ pence: Int64, reference: String, line: Int, counterpartyId: String = "360G-G1") -> ClassifiedMovement {
        classified(movement(date, -pence, account: "5000", counterparty: "Group One", counterpartyId: counterpartyId, reference: reference,
                            line: line), .redistributedGrant, role: "ledger", source: "ledger")
    }

    @Test func grantsRegisterAgainstLedgerWithCommittedLeftOut() throws {
        let data = try Self.dataset(
            ledger: [Self.grantPayment("2024-01-12", 150_000, reference: "G-1", line: 5),
                     Self.grantPayment("2024-02-01", 99_950, reference: "G-2", line: 6)],
            grantsOut: [Self.paid("G-1", 150_000, award: "2023-12-01", paid: "2024-01-12"),
                        Self.paid("G-2", 100_000, award: "2023-12-05", paid: "2024-02-01"),
                        Self.paid("G-3", 300_000, award: "2024-03-01", paid: nil)])
        let rows = Reconciler(data: data).all()
        #expect(rows.count == 2, "the unpaid grant G-3 is committed, not a difference")
        #expect(rows[0].status == .matched && rows[0].rule == "same amount, same reference, within 10 days")
        #expect(rows[1].status == .amountDiffers && rows[1].difference == 50 && rows[1].rule == "same reference, different amount")
    }

    static func bankEntry(_ date: String, _ pence: Int64, ref: String, line: Int) -> ClassifiedMovement {
        classified(movement(date, pence, reference: ref, nativeId: "BANK\(line)", line: line, file: "statement.xml"), .unclassified,
                   role: "bank", source: "bank")
    }

    @Test func twoIdenticalPaymentsOnADayMatchTwoBankLinesNotOneTwice() throws {
        let pay = { (line: Int) in Self.classified(Self.movement("2024-02-15", -5_000, account: "5000", counterparty: "Group One", line: line),
                                                  .redistributedGrant, role: "ledger", source: "ledger") }
        let data = try Self.dataset(ledger: [pay(7), pay(8)],
                                    bank: [Self.bankEntry("2024-02-15", -5_000, ref: "", line: 30), Self.bankEntry("2024-02-15", -5_000, ref: "", line: 31)])
        let rows = Reconciler(data: data).all().filter { $0.kind == "bank-statement" }
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0.status == .matched })
        #expect(Set(rows.map(\.rightRef)) == ["ledger.csv:7", "ledger.csv:8"])
        #expect(Set(rows.map(\.leftRef)) == ["BANK30", "BANK31"])
        // Three ledger lines against two bank lines leave one only-right.
        let three = try Self.dataset(ledger: [pay(7), pay(8), pay(9)],
                                     bank: [Self.bankEntry("2024-02-15", -5_000, ref: "", line: 30), Self.bankEntry("2024-02-15", -5_000, ref: "", line: 31)])
        #expect(Reconciler(data: three).all().filter { $0.status == .onlyRight }.count == 1)
    }

    @Test func bankIgnoresTransfersAndLedgerLinesOutsideTheStatement() throws {
        let transfer = Self.classified(Self.movement("2024-02-10", 60_000, account: "4900", line: 9), .transfer, role: "ledger", source: "ledger")
        let before = Self.classified(Self.movement("2023-12-01", -1_000, account: "5000", line: 10), .redistributedGrant, role: "ledger", source: "ledger")
        let charge = Self.bankEntry("2024-02-28", -850, ref: "", line: 40)
        let data = try Self.dataset(ledger: [transfer, before], bank: [Self.bankEntry("2024-02-01", 0, ref: "", line: 39), charge])
        let rows = Reconciler(data: data).all()
        #expect(rows.filter { $0.status == .onlyRight }.isEmpty)
        #expect(rows.filter { $0.status == .onlyLeft }.map(\.leftRef) == ["BANK39", "BANK40"])
    }
}
