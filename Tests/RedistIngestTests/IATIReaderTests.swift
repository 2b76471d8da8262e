import Foundation
import RedistModel
import Testing
@testable import RedistIngest

@Suite("IATI reader")
struct IATIReaderTests {
    let organisation = "GB-CHC-9990012"

    @Test func grantsInKeepsIncomingTransactionsToTheOrganisation() throws {
        let out = XMLTestSupport.read(XMLTestSupport.iati(.grantsIn, organisation: organisation),
                                      XMLTestSupport.fixture("iati-203.xml"), display: "funders/tidewater.xml")
        #expect(out.failure == nil)
        let m = out.movements
        #expect(m.count == 3)
        let sink = out.sink
        #expect(sink.rowsRead == 8)
        #expect(sink.rowsLoaded == 3)
        #expect(sink.rowsSkipped == 2)
        #expect(sink.rowsRejected == 3)

        let award = try #require(m.first)
        #expect(award.date == Day(year: 2022, month: 4, day: 15))
        #expect(award.amount == Money(minorUnits: 6_000_000, currency: .gbp))
        #expect(award.kind == "2")
        #expect(award.account == "GB-CHC-9990201-CC01")
        #expect(award.accountName == "Community Constellations")
        #expect(award.counterparty == "Tidewater Foundation")
        #expect(award.counterpartyId == "GB-CHC-9990201")
        #expect(award.description == "Award: Community Constellations, three years")
        #expect(award.reference == "TW-2022-001")
        #expect(award.nativeId == "GB-CHC-9990201-CC01#1")
        #expect(award.fund == "")
        #expect(award.location.file == "funders/tidewater.xml")
        #expect(award.location.line == 21)
        #expect(award.location.path == "/iati-activities/iati-activity[1]/transaction[1]")

        // Its own currency, more decimals than cents (rounded half up), CDATA, &amp;,
        // a date with a time, a receiver id spelt differently.
        let usd = m[1]
        #expect(usd.amount == Money(minorUnits: 2_000_051, currency: Currency(code: "USD")!))
        #expect(usd.date == Day(year: 2022, month: 5, day: 3))
        #expect(usd.description == "First instalment <year 1> & travel")
        #expect(usd.counterparty == "Tidewater & Partners")
        #expect(usd.counterpartyId == "GB-CHC-9990201&X")
        #expect(usd.reference == "GB-CHC-9990201-CC01")
        #expect(usd.nativeId == "GB-CHC-9990201-CC01#2")

        // A reversal keeps its sign; the receiver named only in a narrative.
        let reversal = m[2]
        #expect(reversal.amount == Money(minorUnits: -50_000, currency: .gbp))
        #expect(reversal.nativeId == "GB-CHC-9990201-CC01#5")
    }

    @Test func grantsInSkipsOtherReceiversAndTypesWithTheirAmounts() {
        let out = XMLTestSupport.read(XMLTestSupport.iati(.grantsIn, organisation: organisation), XMLTestSupport.fixture("iati-203.xml"))
        let other = out.diagnostics(.skipOtherOrganisation)
        #expect(other.count == 1)
        #expect(other.first?.severity == .note)
        #expect(other.first?.amount == Money(minorUnits: -250_000, currency: .gbp))
        #expect(other.first?.message.contains("GB-COH-00000001") == true)
        #expect(other.first?.location.path == "/iati-activities/iati-activity[1]/transaction[3]")
        let type = out.diagnostics(.skipTransactionType)
        #expect(type.count == 1)
        #expect(type.first?.message.contains("Expenditure") == true)
        #expect(out.sink.amountSkipped == 250_000 + 12_000)
    }

    @Test func rowsThatCannotBeReadAreRejectedWithFileLineAndPath() throws {
        let out = XMLTestSupport.read(XMLTestSupport.iati(.grantsIn, organisation: organisation),
                                      XMLTestSupport.fixture("iati-203.xml"), display: "t.xml")
        let currency = try #require(out.diagnostics(.rejectCurrency).first)
        #expect(currency.severity == .error)
        #expect(currency.location.path == "/iati-activities/iati-activity[2]/transaction[1]/value")
        #expect(currency.location.line == 76)
        #expect(currency.message.contains("no currency"))
        let amount = try #require(out.diagnostics(.rejectAmount).first)
        #expect(amount.location.path == "/iati-activities/iati-activity[2]/transaction[2]/value")
        #expect(amount.message.contains("12,34.5"))
        #expect(amount.rendered.hasPrefix("t.xml:82 (/iati-activities/iati-activity[2]/transaction[2]/value): error:"))
        let date = try #require(out.diagnostics(.rejectDate).first)
        #expect(date.location.path == "/iati-activities/iati-activity[2]/transaction[3]/transaction-date")
        #expect(date.amount == Money(minorUnits: 1000, currency: Currency(code: "EUR")!))
    }

    /// IATI dates are read by the one date rule every reader uses
    /// (`Day(iso:)`): a time of day may follow the date, but it must be one.
    @Test func aDateWithATimeThatIsNotATimeIsRefused() throws {
        func transaction(_ ref: String, _ date: String) -> String {
            """
              <transaction ref="\(ref)"><transaction-type code="3"/><transaction-date iso-date="\(date)"/>
               <value>1.00</value></transaction>
            """
        }
        let path = try XMLTestSupport.temporaryFile("dates.xml", """
            <iati-activities version="2.03"><iati-activity default-currency="GBP"><iati-identifier>GB-1</iati-identifier>
            \(transaction("T1", "2024-01-02T09:30:00Z"))
            \(transaction("T2", "2024-01-03T25:00"))
            \(transaction("T3", "2024-01-04 10:00:00 +0100"))
            \(transaction("T4", "2024-01-05Tnoon"))
            </iati-activity></iati-activities>
            """)
        defer { XMLTestSupport.remove(path) }
        let out = XMLTestSupport.read(XMLTestSupport.iati(.ledger), path, display: "dates.xml")
        #expect(out.movements.map { $0.reference } == ["T1", "T3"])
        #expect(out.movements.map { $0.date.description } == ["2024-01-02", "2024-01-04"])
        #expect(out.diagnostics(.rejectDate).map { $0.message } == [
            "\"2024-01-03T25:00\" is not a date (expected <transaction-date iso-date=\"2023-04-01\"/>)",
            "\"2024-01-05Tnoon\" is not a date (expected <transaction-date iso-date=\"2023-04-01\"/>)",
        ])
    }

    @Test func ledgerRoleKeepsEveryTransaction() {
        let out = XMLTestSupport.read(XMLTestSupport.iati(.ledger), XMLTestSupport.fixture("iati-203.xml"))
        #expect(out.failure == nil)
        #expect(out.sink.rowsRead == 8)
        #expect(out.sink.rowsLoaded == 5)
        #expect(out.sink.rowsRejected == 3)
        #expect(out.movements.map { $0.kind } == ["2", "3", "3", "4", "3"])
        #expect(out.movements.map { $0.amount.minorUnits } == [6_000_000, 2_000_051, -250_000, 12_000, -50_000])
    }

    @Test func version1FilesAreReadWithCodeLettersAndPlainText() throws {
        let out = XMLTestSupport.read(XMLTestSupport.iati(.ledger), XMLTestSupport.fixture("iati-105.xml"))
        #expect(out.failure == nil)
        let m = out.movements
        #expect(m.count == 2)
        // The identifier and title come after the transactions in this file.
        #expect(m.allSatisfy { $0.account == "GB-1-105838" })
        #expect(m.allSatisfy { $0.accountName == "Support to the Poverty Reduction Strategy Process" })
        #expect(m.map { $0.kind } == ["C", "IF"])
        #expect(m[0].amount == Money(minorUnits: 106_791_200, currency: .gbp))
        #expect(m[0].counterparty == "DFID")
        #expect(m[0].counterpartyId == "GB-1")
        #expect(m[0].description == "Commitment for the whole programme")
        #expect(m[0].date == Day(year: 2012, month: 4, day: 1))
        #expect(m[1].amount == Money(minorUnits: 25_050, currency: .gbp))
    }

    @Test func incomingFundsWithoutReceiverBelongToTheReportingOrganisation() {
        // organisation_ref adds the id the funder's file uses for the organisation.
        let withRef = XMLTestSupport.read(XMLTestSupport.iati(.grantsIn, organisation: organisation, options: ["organisation_ref": "GB-1"]),
                                          XMLTestSupport.fixture("iati-105.xml"))
        #expect(withRef.movements.map { $0.kind } == ["C", "IF"])
        let without = XMLTestSupport.read(XMLTestSupport.iati(.grantsIn, organisation: organisation), XMLTestSupport.fixture("iati-105.xml"))
        #expect(without.movements.map { $0.kind } == ["C"])
        #expect(without.diagnostics(.skipOtherOrganisation).first?.message.contains("GB-1") == true)
    }

    @Test func theParseKeepsEveryTransactionField() throws {
        let stream = try XMLStream(path: XMLTestSupport.fixture("iati-203.xml"), displayPath: "t.xml")
        let handler = IATIHandler(stream, reader: XMLTestSupport.iati(.ledger), sink: RecordSink { _ in })
        var activities: [IATIActivity] = []
        handler.onActivity = { activities.append($0) }
        try stream.run(handler)
        #expect(activities.count == 2)
        let a = activities[0]
        #expect(a.reportingOrgRef == "GB-CHC-9990201")
        #expect(a.reportingOrgName == "Tidewater Foundation")
        #expect(a.defaultCurrency == "GBP")
        let t = a.transactions[0]
        #expect(a.text(t.valueDate) == "2022-04-15")
        #expect(a.text(t.providerActivityId) == "GB-CHC-9990201-CC01")
        #expect(a.text(t.receiverRef) == "GB-CHC-9990012")
        #expect(a.text(t.receiverName) == "Northfield Peer Support Network")
        #expect(a.text(t.receiverActivityId) == "GB-CHC-9990012-A1")
        #expect(a.text(a.transactions[1].valueCurrency) == "usd")
        #expect(activities[1].defaultCurrency == "")
    }

    @Test func grantsInNeedsTheOrganisationsId() {
        #expect(throws: ReaderConfigurationError.self) {
            _ = try IATIReader(ReaderConfiguration(sourceName: "funder", role: .grantsIn))
        }
        #expect(throws: ReaderConfigurationError.self) {
            _ = try IATIReader(ReaderConfiguration(sourceName: "funder", role: .grantsIn, options: ["organisation_ref": "GB-1,,"]))
        }
        #expect(IATIReader.normalisedId("gb-chc 9990012") == "GBCHC9990012")
    }

    @Test func otherDocumentsAreRefusedWithTheReason() throws {
        let camt = try #require(XMLTestSupport.read(XMLTestSupport.iati(), XMLTestSupport.fixture("camt053-v02.xml")).failure)
        #expect(camt.location.line == 2)
        #expect(camt.location.path == "/Document")
        #expect(camt.message.contains("expected <iati-activities>"))
        let path = try XMLTestSupport.temporaryFile("org.xml", "<iati-organisations version=\"2.03\"><iati-organisation/></iati-organisations>")
        defer { XMLTestSupport.remove(path) }
        #expect(XMLTestSupport.read(XMLTestSupport.iati(), path).failure?.message.contains("organisation file") == true)
    }

    @Test func inspectRowsShowTheMovementAsRead() throws {
        let out = XMLTestSupport.read(XMLTestSupport.iati(.ledger), XMLTestSupport.fixture("iati-203.xml"))
        let row = inspectRows(try #require(out.records.first))
        #expect(inspectHeader.count == 13)
        #expect(row.count == inspectHeader.count)
        #expect(row == ["2022-04-15", "60000.00", "GBP", "GB-CHC-9990201-CC01", "Community Constellations", "",
                        "Tidewater Foundation", "GB-CHC-9990201", "Award: Community Constellations, three years",
                        "TW-2022-001", "GB-CHC-9990201-CC01#1", "2", "line 21, /iati-activities/iati-activity[1]/transaction[1]"])
    }

    // MARK: An activity as a grant record

    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path + "/sample-data/funders/fellhouse-iati.xml"

    /// The activity paid to us is a grant: its identifier, its commitment as
    /// the amount awarded and its date, its planned start and end; the other
    /// activity (to another organisation) is none.
    @Test func anActivityPaidToUsIsAGrant() throws {
        let out = XMLTestSupport.read(XMLTestSupport.iati(.grantsIn, organisation: organisation), Self.sample, display: "funders/fellhouse-iati.xml")
        #expect(out.failure == nil)
        #expect(out.grants.count == 1)
        let g = try #require(out.grants.first)
        #expect(g.identifier == "GB-CHC-9990203-RG-2023-01")
        #expect(g.title == "Regional Groups Pool: Northfield Peer Support Network")
        #expect(g.amountAwarded == Money(minorUnits: 4_000_000, currency: .gbp))
        #expect(g.amountDisbursed == nil, "its disbursements are matched one by one")
        #expect(g.awardDate == Day(year: 2023, month: 3, day: 17))
        #expect(g.plannedStart == Day(year: 2023, month: 4, day: 1))
        #expect(g.plannedEnd == Day(year: 2024, month: 9, day: 30), "activity-date type 3 is the planned end")
        #expect(g.funderId == "GB-CHC-9990203")
        #expect(g.funderName == "Fellhouse Fund")
        #expect(g.recipientId == "GB-CHC-9990012")
        #expect(g.otherIdentifiers == ["360G-FELLHOUSE-23-112"])
        #expect(g.summarisesMovements)
        #expect(g.location.file == "funders/fellhouse-iati.xml" && g.location.line == 3)
    }

    /// The grant sums rows counted already: the control totals count the transactions only.
    @Test func theGrantIsNotCountedAgain() {
        let out = XMLTestSupport.read(XMLTestSupport.iati(.grantsIn, organisation: organisation), Self.sample)
        #expect(out.sink.rowsRead == 6)
        #expect(out.sink.rowsLoaded == 3 && out.sink.rowsSkipped == 3)
        #expect(out.movements.count == 3)
        #expect(out.totalsBalance)
    }

    /// With no commitment to us, the budget says what was awarded (the
    /// revised budgets where there are any); an actual start stands in for
    /// a planned one; 1.0x date types are read too.
    @Test func withoutACommitmentTheBudgetIsTheAward() throws {
        let path = try XMLTestSupport.temporaryFile("budget.xml", """
            <iati-activities version="2.03">
             <iati-activity default-currency="GBP">
              <iati-identifier>GB-CHC-1-X</iati-identifier>
              <reporting-org ref="GB-CHC-1"><narrative>A Funder</narrative></reporting-org>
              <activity-date iso-date="2023-05-02" type="2"/>
              <activity-date iso-date="2024-04-30" type="end-planned"/>
              <budget type="1"><value>9000.00</value></budget>
              <budget type="2"><value>7000.00</value></budget>
              <budget type="2"><value currency="GBP">500.50</value></budget>
              <transaction><transaction-type code="3"/><transaction-date iso-date="2023-06-01"/><value>3500.00</value>
               <provider-org ref="GB-CHC-1"><narrative>A Funder</narrative></provider-org>
               <receiver-org ref="GB-CHC-9990012"/></transaction>
             </iati-activity>
            </iati-activities>
            """)
        defer { XMLTestSupport.remove(path) }
        let out = XMLTestSupport.read(XMLTestSupport.iati(.grantsIn, organisation: organisation), path)
        let g = try #require(out.grants.first)
        #expect(g.amountAwarded == Money(minorUnits: 750_050, currency: .gbp))
        #expect(g.awardDate == Day(year: 2023, month: 5, day: 2))
        #expect(g.plannedStart == Day(year: 2023, month: 5, day: 2))
        #expect(g.plannedEnd == Day(year: 2024, month: 4, day: 30))
        #expect(out.sink.rowsRead == 1 && out.sink.rowsLoaded == 1)
    }

    /// As a ledger, an activity is no grant.
    @Test func aLedgerReadMakesNoGrant() {
        let out = XMLTestSupport.read(XMLTestSupport.iati(.ledger), Self.sample)
        #expect(out.grants.isEmpty)
    }
}
