/// Small-number protection for counts of groups: no published cell may let
/// anyone single out a group.
///
/// Primary suppression hides every count from 1 to `k − 1`. Secondary
/// suppression then hides more cells wherever a row or column has exactly
/// one hidden cell and a shown total, since that cell could otherwise be
/// worked out by subtraction; it repeats until nothing changes. Zeros are
/// shown: an empty cell singles out no one.
public struct SuppressedTable: Sendable, Equatable {
    public enum Cell: Sendable, Equatable {
        case count(Int)
        case suppressed

        /// `[c]` for a suppressed cell, the statistical convention.
        public var text: String {
            switch self {
            case .count(let n): return String(n)
            case .suppressed: return "[c]"
            }
        }
    }

    public var rowNames: [String]
    public var columnNames: [String]
    public var cells: [[Cell]]
    public var rowTotals: [Cell]
    public var columnTotals: [Cell]
    public var total: Cell

    public init(rowNames: [String], columnNames: [String], counts: [[Int]], rowTotals: [Int], columnTotals: [Int],
                total: Int, minimum k: Int) {
        self.rowNames = rowNames
        self.columnNames = columnNames
        func primary(_ n: Int) -> Cell { n > 0 && n < k ? .suppressed : .count(n) }
        var cells = counts.map { $0.map(primary) }
        var rowT = rowTotals.map(primary)
        var colT = columnTotals.map(primary)
        let tot = primary(total)
        // Secondary suppression, row by row and column by column, until stable.
        var changed = true
        while changed {
            changed = false
            for r in cells.indices {
                if Self.protect(line: &cells[r], total: &rowT[r], values: counts[r], totalValue: rowTotals[r]) { changed = true }
            }
            for c in columnNames.indices {
                var column = cells.map { $0[c] }
                if Self.protect(line: &column, total: &colT[c], values: counts.map { $0[c] }, totalValue: columnTotals[c]) {
                    for r in cells.indices { cells[r][c] = column[r] }
                    changed = true
                }
            }
            var totalsLine = rowT
            var grand = tot
            if Self.protect(line: &totalsLine, total: &grand, values: rowTotals, totalValue: total) {
                rowT = totalsLine
                changed = true
            }
        }
        self.cells = cells
        self.rowTotals = rowT
        self.columnTotals = colT
        self.total = tot
    }

    /// When exactly one cell of a line is hidden and its total is shown,
    /// hide the smallest other non-zero cell, or else the total.
    static func protect(line: inout [Cell], total: inout Cell, values: [Int], totalValue: Int) -> Bool {
        let hidden = line.indices.filter { line[$0] == .suppressed }
        guard hidden.count == 1, total != .suppressed else { return false }
        let candidates = line.indices.filter { line[$0] != .suppressed && values[$0] > 0 }
        if let smallest = candidates.min(by: { (values[$0], $0) < (values[$1], $1) }) {
            line[smallest] = .suppressed
        } else {
            total = .suppressed
        }
        return true
    }
}
