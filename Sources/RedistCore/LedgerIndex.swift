import Foundation
import RedistModel

/// What every scope, period and funder would otherwise work out again from
/// the whole ledger, worked out once per dataset on first use: the ledger's
/// rows in one column table, its positions by fund and by day (so a period
/// is a binary search, and a balance at a date a look-up), the first day
/// each group was paid, and the measures already computed.
///
/// Dimensions are the table's string numbers (each distinct text is stored
/// once), so sets of groups are bitmaps and filters compare integers.
/// Shared by every `MeasureEngine` made from one dataset; a dataset whose
/// inputs change gets a new one.
final class LedgerIndex: @unchecked Sendable {
    private let lock = NSLock()
    private var built: LedgerState?
    private var memo = Memo()

    struct Memo {
        var organisation: [Period: ScopeMeasures] = [:]
        var fund: [FundPeriod: ScopeMeasures] = [:]
        var funder: [FundPeriod: ScopeMeasures] = [:]
        var funderMatch: [String: FunderMatch] = [:]
    }
    struct FundPeriod: Hashable { var code: String; var period: Period }

    func state(_ data: Dataset) -> LedgerState {
        lock.lock()
        defer { lock.unlock() }
        if let s = built { return s }
        let s = LedgerState(data)
        built = s
        return s
    }

    func remembered<K, V>(_ path: WritableKeyPath<Memo, [K: V]>, _ key: K, _ make: () -> V) -> V {
        lock.lock()
        if let v = memo[keyPath: path][key] { lock.unlock(); return v }
        lock.unlock()
        let v = make()
        lock.lock()
        memo[keyPath: path][key] = v
        lock.unlock()
        return v
    }
}

/// Ledger positions (indexes in `Dataset.ledger`) in date order, with the
/// running balance at the end of each day that has movements.
struct PositionList {
    var positions: [Int32] = []
    /// Each distinct day, ascending; `ends[k]` is where its positions end and
    /// `balance[k]` the sum of amounts up to there.
    var days: [Int32] = []
    var ends: [Int32] = []
    var balance: [Int64] = []

    /// The first `k` with `days[k] >= day`.
    private func lowerBound(_ day: Int32) -> Int {
        var lo = 0, hi = days.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if days[mid] < day { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Indexes in `positions` of the movements dated in the period.
    func range(_ period: Period) -> Range<Int> {
        let s = lowerBound(Int32(period.start.ordinal)), e = lowerBound(Int32(period.end.ordinal) + 1)
        guard s < e else { return 0..<0 }
        return (s == 0 ? 0 : Int(ends[s - 1]))..<Int(ends[e - 1])
    }

    /// The sum of every amount dated on or before `end`.
    func held(upTo end: Day) -> Int64 {
        let e = lowerBound(Int32(end.ordinal) + 1)
        return e == 0 ? 0 : balance[e - 1]
    }
}

/// Which counterparty texts name a funder (by id or, case-insensitively, by name).
struct FunderMatch {
    /// By string number: the counterparty's name matches.
    var name: [Bool]
    /// By string number: the counterparty's id is the funder's id.
    var id: [Bool]
}

/// The built part of a `LedgerIndex`; never changed once made.
final class LedgerState: @unchecked Sendable {
    /// The table every ledger row is in (the dataset's own, or a copy of
    /// the rows gathered into one when they come from several).
    let t: MovementColumns
    /// The dataset's own table when every ledger row is in it (else nil).
    let tableObject: MovementTable?
    /// Ledger position → row of `t`.
    let rows: [Int32]
    /// True when the ledger is in date order (as `Dataset.load` makes it).
    let ledgerSorted: Bool
    let all: PositionList
    /// By the fund's string number.
    let byFund: [Int32: PositionList]
    /// Fund string numbers in the ledger, ascending.
    let fundIds: [Int32]
    let stringId: [String: Int32]
    init(_ data: Dataset) {
        let ledger = data.ledger
        var table: MovementColumns
        var rows: [Int32]
        if let first = ledger.first, ledger.allSatisfy({ $0.table === first.table }) {
            table = first.table.c
            rows = ledger.map { Int32($0.row) }
            tableObject = first.table
        } else {
            table = MovementColumns.gathered(ledger)
            rows = (0..<ledger.count).map { Int32($0) }
            tableObject = nil
        }
        t = table
        self.rows = rows
        var ids: [String: Int32] = [:]
        for (i, s) in table.strings.enumerated() where ids[s] == nil { ids[s] = Int32(i) }
        stringId = ids

        // Date order: stable, so a ledger already in date order keeps its order.
        let n = ledger.count
        var sorted = true
        var previous = Int32.min
        for p in 0..<n {
            let d = table.day[Int(rows[p])]
            if d < previous { sorted = false; break }
            previous = d
        }
        ledgerSorted = sorted
        var order = (0..<n).map { Int32($0) }
        if !sorted {
            let day = table.day
            order.sort { a, b in
                let x = day[Int(rows[Int(a)])], y = day[Int(rows[Int(b)])]
                return x != y ? x < y : a < b
            }
        }
        func list(_ positions: [Int32]) -> PositionList {
            var l = PositionList()
            l.positions = positions
            var total: Int64 = 0
            for (i, p) in positions.enumerated() {
                let r = Int(rows[Int(p)])
                let d = table.day[r]
                if l.days.last != d {
                    if !l.days.isEmpty { l.ends.append(Int32(i)); l.balance.append(total) }
                    l.days.append(d)
                }
                total += table.amount[r]
            }
            if !l.days.isEmpty { l.ends.append(Int32(positions.count)); l.balance.append(total) }
            return l
        }
        all = list(order)
        var fundPositions: [Int32: [Int32]] = [:]
        var fundOfString = [Int32](repeating: -1, count: table.strings.count)
        var funds: [[Int32]] = []
        var fundIds: [Int32] = []
        for p in order {
            let f = table.fund[Int(rows[Int(p)])]
            var slot = fundOfString[Int(f)]
            if slot < 0 {
                slot = Int32(funds.count)
                fundOfString[Int(f)] = slot
                funds.append([])
                fundIds.append(f)
            }
            funds[Int(slot)].append(p)
        }
        for (slot, f) in fundIds.enumerated() { fundPositions[f] = funds[slot] }
        funds = []
        byFund = fundPositions.mapValues(list)
        self.fundIds = fundIds.sorted()

    }

    func fundId(_ code: String) -> Int32? { stringId[code] }

    /// Ledger positions in the period, in ledger order.
    func ledgerOrder(_ positions: [Int32]) -> [Int32] { ledgerSorted ? positions : positions.sorted() }
}

extension MovementColumns {
    /// One table holding the given movements (from several tables), in order.
    static func gathered(_ movements: [ClassifiedMovement]) -> MovementColumns {
        var t = MovementColumns()
        for c in movements {
            t.append(c.movement, source: c.source, role: c.role)
            t.identity.append(0)
            t.occurrence.append(1)
            t.explicitId.append(c.id)
            t.category.append(c.category)
            t.ruleNumber.append(Int32(c.ruleNumber ?? -1))
            t.isIndividual.append(c.isIndividual)
            if let m = c.member { t.member.append(Int32(t.members.count)); t.members.append(m) } else { t.member.append(-1) }
            t.groupKey.append(t.intern(c.groupKey))
        }
        return t
    }
}

extension Category {
    /// Its place in `allCases`, for tallies kept in arrays.
    var slot: Int {
        switch self {
        case .redistributedGrant: return 0
        case .redistributedSmallCosts: return 1
        case .redistributedHosted: return 2
        case .redistributedPayment: return 3
        case .retainedStaff: return 4
        case .retainedProgramme: return 5
        case .retainedOverhead: return 6
        case .retainedHostingFee: return 7
        case .incomeGrant: return 8
        case .incomeDonation: return 9
        case .incomeHosted: return 10
        case .incomeOther: return 11
        case .transfer: return 12
        case .unclassified: return 13
        }
    }
    var retainedFast: Bool {
        switch self {
        case .retainedStaff, .retainedProgramme, .retainedOverhead, .retainedHostingFee: return true
        default: return false
        }
    }
}

/// A map from three machine words to a small number, for per-row look-ups
/// of combinations of dimension numbers: open addressing with a
/// multiplicative hash, where `Dictionary` would run SipHash for each row.
struct WordMap {
    struct Key: Equatable { var a, b, c: UInt64 }
    private var keys: [Key]
    private var values: [Int32]   // -1: empty
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var n = 16
        while n < capacity * 2 { n *= 2 }
        keys = Array(repeating: Key(a: 0, b: 0, c: 0), count: n)
        values = Array(repeating: -1, count: n)
    }

    @inline(__always) private static func slot(_ k: Key, _ mask: Int) -> Int {
        var h = k.a &* 0x9E3779B97F4A7C15
        h = (h ^ (h >> 29) ^ k.b) &* 0xBF58476D1CE4E5B9
        h = (h ^ (h >> 32) ^ k.c) &* 0x94D049BB133111EB
        return Int(truncatingIfNeeded: h ^ (h >> 31)) & mask
    }

    func value(_ k: Key) -> Int32? {
        let mask = keys.count - 1
        var i = Self.slot(k, mask)
        while values[i] >= 0 {
            if keys[i] == k { return values[i] }
            i = (i + 1) & mask
        }
        return nil
    }

    mutating func set(_ k: Key, _ v: Int32) {
        precondition(v >= 0)
        if (count + 1) * 2 > keys.count { grow() }
        let mask = keys.count - 1
        var i = Self.slot(k, mask)
        while values[i] >= 0 {
            if keys[i] == k { values[i] = v; return }
            i = (i + 1) & mask
        }
        keys[i] = k
        values[i] = v
        count += 1
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = Array(repeating: Key(a: 0, b: 0, c: 0), count: oldKeys.count * 2)
        values = Array(repeating: -1, count: oldKeys.count * 2)
        count = 0
        for (k, v) in zip(oldKeys, oldValues) where v >= 0 { set(k, v) }
    }
}
