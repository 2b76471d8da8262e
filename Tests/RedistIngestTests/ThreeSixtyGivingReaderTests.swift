import Foundation
import RedistModel
import Testing
@testable import RedistIngest

@Suite("360Giving reader")
struct ThreeSixtyGivingReaderTests {
    typealias S = CSVTestSupport
    static let organisation = "GB-CHC-9990012"

    func reader(_ role: SourceRole, options: [String: String] = [:]) -> ThreeSixtyGivingReader {
        try! ThreeSixtyGivingReader(ReaderConfiguration(sourceName: "grants", role: role, options: options,
                                                        organisationId: Self.organisation))
    }

    func grantsOut() -> S.Outcome { S.read(reader(.grantsOut), S.fixture("grants-out.csv")) }

    @Test func grantsOutKeepsEveryGrantWithFundAndPaymentDate() throws {
        let g = grantsOut().grants
        #expect(g.map(\.identifier) == ["360G-NPSN-GO-0001", "360G-NPSN-GO-0002", "360G-NPSN-GO-0001", "360G-NPSN-GO-0009"])
        let first = try #require(g.first)
        #expect(first.title == "Peer facilitator training")
        #expect(first.description == "Training four members, as \"peer facilitators\"")
        #expect(first.amountAwarded == Money(minorUnits: 200_000, currency: .gbp))
        #expect(first.amountDisbursed == Money(minorUnits: 200_000, currency: .gbp))
        #expect(first.awardDate == Day(year: 2023, month: 3, day: 9))
        #expect(first.paymentDate == Day(year: 2023, month: 4, day: 11))
        #expect(first.recipientId == "360G-NPSN-G007")
        #expect(first.recipientName == "Northumbrian Open Door Peers")
        #expect(first.funderId == Self.organisation)
        #expect(first.funderName == "Northfield Peer Support Network")
        #expect(first.programme == "Peer Support Grants")
        #expect(first.beneficiaryLocation == "North East")
        #expect(first.fund == "ML-PEER")
        #expect(first.location == SourceLocation(file: "grants-out.csv", line: 2, column: 1))
    }

    @Test func blanksTakeDefaultsAndDayFirstDatesAreRead() throws {
        let second = try #require(grantsOut().grants.dropFirst().first)
        #expect(second.amountAwarded == Money(minorUnits: 150_000, currency: .gbp))  // no currency: the organisation's
        #expect(second.amountDisbursed == nil)
        #expect(second.paymentDate == nil)  // awarded, not yet paid
        #expect(second.awardDate == Day(year: 2023, month: 3, day: 14))
        #expect(grantsOut().grants.last?.amountAwarded == Money(minorUnits: 25_000, currency: Currency(code: "USD")!))
    }

    @Test func plannedDatesAreReadAndABadOneIsAWarningNotADroppedGrant() throws {
        let header = "Identifier,Title,Amount Awarded,Award Date,Recipient Org:Identifier,Planned Dates:Start Date,Planned Dates:End Date,Planned Dates:Duration (months)\n"
        let out = try S.read(reader(.grantsOut), text: header
            + "360G-A,One,100.00,2023-03-01,GB-CHC-1,2023-04-01,31/03/2024,12\n"
            + "360G-B,Two,50.00,2023-03-02,GB-CHC-2,next spring,,twelve\n"
            + "360G-C,Three,25.00,2023-03-03,GB-CHC-3,,,\n")
        #expect(out.grants.map(\.identifier) == ["360G-A", "360G-B", "360G-C"])
        #expect(out.grants.map(\.plannedStart) == [Day(year: 2023, month: 4, day: 1), nil, nil])
        #expect(out.grants.map(\.plannedEnd) == [Day(year: 2024, month: 3, day: 31), nil, nil])
        #expect(out.grants.map(\.durationMonths) == [12, nil, nil])
        #expect(out.errors.isEmpty)
        #expect(out.findings(.plannedDate).map(\.rendered) == [
            "input.csv:3:38: warning: \"next spring\" is not a date (expected yyyy-mm-dd or dd/mm/yyyy); the grant is read without it",
            "input.csv:3:51: warning: \"twelve\" is not a number of months (expected a whole number such as 12); the grant is read without it",
        ])
        #expect(out.sink.rowsLoaded == 3)
        #expect(out.totalsBalance)
    }

    @Test func repeatedIdentifiersAreKeptAndWarnedAbout() {
        let out = grantsOut()
        let warnings = out.findings(.duplicateIdentifier)
        #expect(warnings.map(\.rendered) == [
            "grants-out.csv:4:1: warning: Identifier 360G-NPSN-GO-0001 appears more than once in this file; each row is kept",
        ])
    }

    @Test func badRowsAreRejectedWithTheirColumn() {
        let out = grantsOut()
        #expect(out.errors == [
            "grants-out.csv:5:1: error: the grant has no Identifier (expected a 360Giving identifier such as 360G-ABC-0001)",
            "grants-out.csv:6:35: error: \"1.000.00\" is not an amount (\(AmountParser.expectation))",
            "grants-out.csv:7:41: error: \"2023-02-30\" is not a date (expected yyyy-mm-dd or dd/mm/yyyy)",
            "grants-out.csv:8:141: error: \"soon\" is not a date (expected yyyy-mm-dd or dd/mm/yyyy)",
            "grants-out.csv:9:33: error: \"pounds\" is not a currency (expected an ISO 4217 code such as GBP)",
        ])
        #expect(out.sink.rowsLoaded == 4)
        #expect(out.sink.rowsRejected == 5)
        #expect(out.totalsBalance)
    }

    @Test func grantsInKeepsOnlyGrantsToTheOrganisation() {
        let out = S.read(reader(.grantsIn), S.fixture("funder-360giving.csv"))
        #expect(out.grants.map(\.identifier) == ["360G-TIDEWATER-2023-014"])
        #expect(out.findings(.skipOtherRecipient).map(\.message) == [
            "grant 360G-TIDEWATER-2022-029 is to GB-CHC-9993103, not to GB-CHC-9990012",
            "grant 360G-TIDEWATER-2023-029 is to an unnamed recipient, not to GB-CHC-9990012",
        ])
        // Skipped grants still count their money, so the file's totals balance.
        #expect(out.sink.amountSkipped == 2_000_000 + 500_000)
        #expect(out.sink.amountLoaded == 21_000_000)
        #expect(out.totalsBalance)
    }

    @Test func aMissingRequiredColumnFailsTheFile() {
        let out = S.read(reader(.grantsOut), S.fixture("360giving-no-amount.csv"))
        #expect(out.failure?.description == "360giving-no-amount.csv:1:1: error: the header has no column \"Amount Awarded\" (found: \"Identifier\", \"Title\", \"Currency\", \"Amount Applied For\", \"Award Date\", \"Recipient Org:Identifier\", \"Funding Org:Identifier\")")
        #expect(out.records.isEmpty)
    }

    /// Real published files often name recipients without identifiers: read, with a warning.
    @Test func aFileWithoutRecipientIdentifiersIsReadWithAWarning() throws {
        let out = S.read(reader(.grantsOut), S.fixture("360giving-no-recipient-id.csv"))
        #expect(out.failure == nil)
        #expect(out.grants.map(\.recipientId) == ["", ""])
        #expect(out.grants.map(\.recipientName) == ["Theatr Example", "Another Company"])
        #expect(out.grants.map(\.amountAwarded.minorUnits) == [290_000, 443_750])
        let warning = try #require(out.findings(.missingColumn).first)
        #expect(warning.severity == .warning)
        #expect(warning.location.line == 1)
        // As a funder's file it cannot say which grants are the organisation's: refused whole, not skipped row by row.
        let asFunder = S.read(reader(.grantsIn), S.fixture("360giving-no-recipient-id.csv"))
        #expect(asFunder.grants.isEmpty)
        #expect(asFunder.failure?.description.hasPrefix("360giving-no-recipient-id.csv:1:1: error: the header has no column \"Recipient Org:Identifier\" (found: ") == true)
    }

    /// A funder's file is narrowed to the organisation's grants by id, compared as IATI ids are; a blank recipient is never the organisation.
    @Test func grantsInNeedsTheOrganisationsIdAndComparesItLoosely() throws {
        #expect(throws: ReaderConfigurationError.self) {
            try ThreeSixtyGivingReader(ReaderConfiguration(sourceName: "grants", role: .grantsIn, organisationId: " "))
        }
        let text = """
            Identifier,Amount Awarded,Award Date,Recipient Org:Identifier,Funding Org:Identifier
            360G-1,10,2023-04-03, gb-chc-9990012 ,GB-CHC-1
            360G-2,20,2023-04-03,,GB-CHC-1
            360G-3,30,2023-04-03,GB-CHC-99900123,GB-CHC-1
            360G-4,40,2023-04-03,360G-NPSN,GB-CHC-1

            """
        let out = try S.read(reader(.grantsIn), text: text)
        #expect(out.grants.map(\.identifier) == ["360G-1"])
        #expect(out.sink.rowsSkipped == 3)
        // Another id of the organisation's, as for IATI.
        let also = try S.read(reader(.grantsIn, options: ["organisation_ref": "360G-NPSN"]), text: text)
        #expect(also.grants.map(\.identifier) == ["360G-1", "360G-4"])
        // With no id at all configured but a ref, a blank recipient is still not the organisation.
        let refOnly = try ThreeSixtyGivingReader(ReaderConfiguration(sourceName: "g", role: .grantsIn, options: ["organisation_ref": "X-1"]))
        #expect(try S.read(refOnly, text: text).grants.isEmpty)
    }

    /// The organisation is the funder of its own register: no Funding Org columns needed.
    @Test func aRegisterWithoutFundingOrgColumnsIsTheOrganisations() throws {
        let out = try S.read(reader(.grantsOut), text: "Identifier,Amount Awarded,Award Date,Recipient Org:Identifier\n360G-1,10,2023-04-03,360G-G1\n")
        #expect(out.failure == nil)
        #expect(out.grants.map(\.funderId) == [Self.organisation])
        // A funder's file must still say who the funder is.
        let funder = try S.read(reader(.grantsIn), text: "Identifier,Amount Awarded,Award Date,Recipient Org:Identifier\n360G-1,10,2023-04-03,GB-CHC-9990012\n")
        #expect(funder.failure?.description == "input.csv:1:1: error: the header has no column \"Funding Org:Identifier\" (found: \"Identifier\", \"Amount Awarded\", \"Award Date\", \"Recipient Org:Identifier\")")
    }

    /// A month-first date among day-first ones refuses the file: `03/04/2023` could be either.
    @Test func aMonthFirstDateRefusesTheFile() throws {
        let text = "Identifier,Amount Awarded,Award Date,Recipient Org:Identifier,Funding Org:Identifier\n360G-1,10,03/04/2023,A,B\n360G-2,10,11/27/2023,A,B\n"
        let out = try S.read(reader(.grantsOut), text: text)
        #expect(out.failure?.description == "input.csv:3:11: error: \"11/27/2023\" is a date only as mm/dd/yyyy, but this source reads dates as yyyy-mm-dd or dd/mm/yyyy: the file's dates look like mm/dd/yyyy, so none of them can be trusted and nothing from this file is loaded (expected date_format = \"mm/dd/yyyy\" for this file, or dates as dd/mm/yyyy)")
    }

    /// Published 360Giving files write award dates with a time (`dd/mm/yyyy hh:mm`).
    @Test func datesWithATimeAreRead() throws {
        let text = "Identifier,Amount Awarded,Award Date,Recipient Org:Identifier,Funding Org:Identifier\n360G-1,10,03/04/2023 00:00,A,B\n360G-2,10,2023-04-05T10:30:00+01:00,A,B\n"
        let out = try S.read(reader(.grantsOut), text: text)
        #expect(out.grants.map(\.awardDate) == [Day(year: 2023, month: 4, day: 3), Day(year: 2023, month: 4, day: 5)])
        #expect(out.errors.isEmpty)
    }

    @Test func anEmptyFileFails() throws {
        let out = try S.read(reader(.grantsOut), text: "")
        #expect(out.failure?.description == "input.csv:1: error: the file is empty (expected a 360Giving header row)")
    }

    @Test func aPreferredDateFormatIsTriedFirst() throws {
        let text = "Identifier,Amount Awarded,Award Date,Recipient Org:Identifier,Funding Org:Identifier\n360G-1,10,03/04/2023,A,B\n"
        let dayFirst = try S.read(reader(.grantsOut), text: text)
        #expect(dayFirst.grants.first?.awardDate == Day(year: 2023, month: 4, day: 3))
        let monthFirst = try S.read(reader(.grantsOut, options: ["date_format": "mm/dd/yyyy"]), text: text)
        #expect(monthFirst.grants.first?.awardDate == Day(year: 2023, month: 3, day: 4))
    }
}
