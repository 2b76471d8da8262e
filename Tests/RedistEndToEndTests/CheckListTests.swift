import RedistCore
import RedistModel
@testable import RedistReports
import Testing

/// The checks a run can report, against docs/pipeline-reference.md and the reconciler.
@Suite("Check list")
struct CheckListTests {
    /// Every check is documented under quality.csv, and nothing else is.
    @Test func everyCheckIsDocumented() {
        ReferenceTests.same(ReferenceTests.tables("#### Checks")["check"], Check.allCases.map(\.rawValue), "checks of quality.csv")
    }

    /// Every kind of reconciliation has a check of its own.
    @Test func everyReconciliationKindHasACheck() {
        for kind in TrusteesReport.checks {
            #expect(Check(reconciliation: kind) != nil, "reconciliation \(kind) has no Check case")
        }
        #expect(TrusteesReport.checks.count == Check.allCases.filter(\.isReconciliation).count)
    }
}
