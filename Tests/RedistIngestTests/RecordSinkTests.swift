import RedistModel
import Testing
@testable import RedistIngest

@Suite("Record sink")
struct RecordSinkTests {
    let here = SourceLocation(file: "f.csv", line: 2, column: 1)

    func movement(_ pence: Int64, _ currency: Currency = .gbp) -> SourceRecord {
        .movement(Movement(date: Day(year: 2024, month: 1, day: 2)!, amount: Money(minorUnits: pence, currency: currency), location: here))
    }

    @Test func controlTotalsCountRowsAndGrossAmounts() {
        var handed = 0
        let sink = RecordSink { _ in handed += 1 }
        sink.load(movement(-5_000), amount: -5_000)
        sink.load(movement(3_000), amount: 3_000)
        sink.reject(here, check: .rejectDate, "bad", amount: Money(minorUnits: -700, currency: .gbp))
        sink.reject(here, check: .rejectAmount, "bad")
        sink.skip(here, check: .skipBalanceRow, "total", amount: Money(minorUnits: 10_000, currency: .gbp))
        #expect(handed == 2)
        #expect((sink.rowsRead, sink.rowsLoaded, sink.rowsRejected, sink.rowsSkipped) == (5, 2, 2, 1))
        // Money in and out do not cancel: the totals are gross.
        #expect((sink.amountRead, sink.amountLoaded, sink.amountRejected, sink.amountSkipped) == (18_700, 8_000, 700, 10_000))
        #expect(sink.diagnostics.map(\.severity) == [.error, .error, .note])
    }

    /// Totals past 64 bits are noted where they overflowed, never a trap; the file then fails.
    @Test func totalsThatOverflowFailTheFileInsteadOfTrapping() {
        let sink = RecordSink { _ in }
        let big = Int64.max / 2 + 1
        sink.load(movement(big), amount: big)
        #expect(sink.totalsFailure == nil)
        let later = SourceLocation(file: "f.csv", line: 9, column: 1)
        sink.reject(later, check: .rejectDate, "bad", amount: Money(minorUnits: -big, currency: .gbp))
        sink.skip(here, check: .skipBalanceRow, "total", amount: Money(minorUnits: big, currency: .gbp))
        #expect(sink.overflowAt == later)
        #expect(sink.totalsFailure?.description.hasPrefix("f.csv:9:1: error: the amounts of this file add up to more than redist can count") == true)
    }

    @Test func aFailedLastCheckTurnsTheRowIntoAReject() {
        var handed: [SourceRecord] = []
        let sink = RecordSink { handed.append($0) }
        sink.validate = { record in
            if case .movement(let m) = record, m.amount.currency != .gbp { return "not in GBP" }
            return nil
        }
        sink.load(movement(100, Currency(code: "EUR")!), amount: 100)
        sink.load(movement(200), amount: 200)
        #expect(handed.count == 1)
        #expect(sink.rowsRejected == 1 && sink.rowsLoaded == 1)
        let finding = sink.diagnostics.first
        #expect(finding?.check == .rejectCurrency && finding?.message == "not in GBP")
        #expect(finding?.amount == Money(minorUnits: 100, currency: Currency(code: "EUR")!))
        #expect(sink.amountRead == sink.amountLoaded + sink.amountRejected)
    }

    @Test func findingsBeyondTheLimitAreCountedNotKept() {
        let sink = RecordSink { _ in }
        sink.keepPerCheck = 2
        for _ in 0..<5 { sink.reject(here, check: .rejectAmount, "bad") }
        sink.report(Diagnostic(.warning, here, check: .bankBalance, "once"))
        #expect(sink.diagnostics.count == 3)
        #expect(sink.unkeptFindings == [.rejectAmount: 3])
        #expect(sink.rowsRejected == 5)
    }

    @Test func headersAreFoundExactlyThenIgnoringCaseAndSpaces() throws {
        let header = HeaderIndex(titles: [" ID", "Date", "date", "AMOUNT ", ""])
        #expect(header.index(of: " ID") == 0)
        #expect(header.index(of: "ID") == 0)
        #expect(header.index(of: "date") == 2)  // exact wins over an earlier folded match
        #expect(header.index(of: "Amount") == 3)
        #expect(header.index(of: "Fund") == nil)
        let found = try header.require([(key: "date", title: "Date"), (key: "amount", title: "amount")], location: here)
        #expect(found == ["date": 1, "amount": 3])
        #expect(throws: FileFailure.self) { try header.require([(key: "fund", title: "Fund"), (key: "x", title: "X")], location: here) }
        do {
            _ = try header.require([(key: "fund", title: "Fund"), (key: "x", title: "X")], location: here)
        } catch {
            #expect("\(error)" == "f.csv:2:1: error: the header has no column \"Fund\", \"X\" (found: \" ID\", \"Date\", \"date\", \"AMOUNT \")")
        }
    }
}
