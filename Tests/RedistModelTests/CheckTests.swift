import RedistModel
import Testing

@Suite("Checks")
struct CheckTests {
    let here = SourceLocation(file: "ledger.csv", line: 3, column: 9)

    /// Each check's text is what quality.csv and the warehouse hold, and reads back as the same case.
    @Test func everyCheckReadsBackFromItsStoredText() {
        for check in Check.allCases {
            let d = Diagnostic(stored: "warning", here, check: check.rawValue, "found", amount: nil)
            #expect(d.check == check && d.message == "found" && d.severity == .warning)
            #expect("\(check)" == check.rawValue)
        }
        #expect(Set(Check.allCases.map(\.rawValue)).count == Check.allCases.count)
    }

    /// A check stored by a newer redist is kept, named in the message, not dropped and not a crash.
    @Test func aCheckFromANewerVersionIsKeptAsUnrecognised() {
        let d = Diagnostic(stored: "error", here, check: "reject.from-the-future", "the value is odd",
                           amount: Money(minorUnits: -700, currency: .gbp))
        #expect(d.check == .unrecognised)
        #expect(d.message == "reject.from-the-future: the value is odd")
        #expect(d.severity == .error && d.location == here && d.amount == Money(minorUnits: -700, currency: .gbp))
        #expect(!d.check.rejectsRow)
        #expect(Diagnostic(stored: "fatal", here, check: "file", "gone", amount: nil).severity == .error)
    }

    @Test func rejectsAndReconciliationsAreNamedByTheirFamily() {
        #expect(Check.allCases.filter(\.rejectsRow).allSatisfy { $0.rawValue.hasPrefix("reject.") })
        #expect(Check.allCases.filter(\.rejectsRow).count == 12)
        #expect(Check(reconciliation: "bank-statement") == .reconcileBankStatement)
        #expect(Check(reconciliation: "amount") == nil)
        #expect(Check.allCases.filter(\.isReconciliation).map { Check(reconciliation: String($0.rawValue.dropFirst("reconcile.".count))) }
            == Check.allCases.filter(\.isReconciliation))
    }
}
