import RedistCore
import Testing

/// Small-number suppression: what is hidden, and that nothing hidden can be worked out.
struct SuppressionTests {
    typealias Cell = SuppressedTable.Cell

    @Test func countsBelowTheMinimumAreHiddenAndZerosShown() {
        let t = SuppressedTable(rowNames: ["A"], columnNames: ["x", "y", "z"], counts: [[7, 0, 9]], rowTotals: [16],
                                columnTotals: [7, 0, 9], total: 16, minimum: 5)
        #expect(t.cells[0] == [.count(7), .count(0), .count(9)])
        #expect(t.total == .count(16))
    }

    @Test func aLoneHiddenCellTakesAnotherWithItSoTheTotalCannotGiveItAway() {
        // Row A: 3 is hidden; with the total 15 shown, 3 = 15 − 12, so 12 must be hidden too.
        let t = SuppressedTable(rowNames: ["A", "B"], columnNames: ["x", "y"], counts: [[3, 12], [6, 8]], rowTotals: [15, 14],
                                columnTotals: [9, 20], total: 29, minimum: 5)
        #expect(t.cells[0][0] == .suppressed)
        #expect(t.cells[0][1] == .suppressed)
        // Column y now has one hidden cell (12) and a shown total: another must go.
        let hiddenInColumnY = t.cells.filter { $0[1] == .suppressed }.count
        #expect(hiddenInColumnY != 1 || t.columnTotals[1] == .suppressed)
        #expect(noLineRevealsOneHiddenCell(t))
    }

    @Test func aHiddenCellWithOnlyZerosBesideItHidesTheTotal() {
        let t = SuppressedTable(rowNames: ["A"], columnNames: ["x", "y"], counts: [[2, 0]], rowTotals: [2],
                                columnTotals: [2, 0], total: 2, minimum: 5)
        #expect(t.cells[0][0] == .suppressed)
        #expect(t.rowTotals[0] == .suppressed)
        #expect(t.total == .suppressed)
    }

    @Test func everyLineHasNoneOrAtLeastTwoHiddenCellsOnLargerTables() {
        let counts = [[1, 6, 7, 0], [5, 2, 9, 8], [12, 6, 1, 3], [0, 0, 4, 11]]
        let rows = counts.map { $0.reduce(0, +) }
        let cols = (0..<4).map { c in counts.map { $0[c] }.reduce(0, +) }
        let t = SuppressedTable(rowNames: ["a", "b", "c", "d"], columnNames: ["w", "x", "y", "z"], counts: counts,
                                rowTotals: rows, columnTotals: cols, total: rows.reduce(0, +), minimum: 5)
        for r in 0..<4 { for c in 0..<4 where counts[r][c] > 0 && counts[r][c] < 5 { #expect(t.cells[r][c] == .suppressed) } }
        #expect(noLineRevealsOneHiddenCell(t))
        #expect(SuppressedTable.Cell.suppressed.text == "[c]")
    }

    func noLineRevealsOneHiddenCell(_ t: SuppressedTable) -> Bool {
        for (r, row) in t.cells.enumerated() where t.rowTotals[r] != .suppressed {
            if row.filter({ $0 == .suppressed }).count == 1 { return false }
        }
        for c in t.columnNames.indices where t.columnTotals[c] != .suppressed {
            if t.cells.filter({ $0[c] == .suppressed }).count == 1 { return false }
        }
        return true
    }
}
