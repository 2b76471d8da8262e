import Foundation
import RedistModel

/// Classified movements stored by column: integers for dates and amounts,
/// small integers for repeated text (accounts, funds, counterparties,
/// files), and free text (descriptions, references) packed in one byte
/// buffer each. A million movements take about 130 bytes each, where a
/// `Movement` value with its strings takes over 400; `ClassifiedMovement`
/// is a 16-byte handle into it, so filtering and sorting copy handles only.
///
/// Built once as `MovementColumns` by `Dataset.load` (or for one movement
/// by `ClassifiedMovement.init`) and never changed after: the columns are a
/// `let`, so reading them needs no exclusivity checks.
final class MovementTable: @unchecked Sendable {
    let c: MovementColumns
    init(_ columns: MovementColumns) { c = columns }
}

/// The columns of a `MovementTable`, while it is built.
struct MovementColumns {
    /// Repeated text, each distinct value once; 0 is "".
    var strings: [String] = [""]
    private var stringIndex: [String: Int32] = ["": 0]
    var currencies: [Currency] = []
    var members: [MemberRecord] = []

    var day: [Int32] = []            // Day.ordinal
    var amount: [Int64] = []
    var currency: [UInt8] = []
    var account: [Int32] = [], accountName: [Int32] = [], fund: [Int32] = []
    var counterparty: [Int32] = [], counterpartyId: [Int32] = [], kind: [Int32] = []
    var description = DictionaryTextColumn(), reference = TextColumn(), nativeId = TextColumn()
    /// Where each row came from: an index in `origins` (file, source, role).
    var origin: [Int32] = []
    var origins: [Origin] = []
    var line: [Int32] = [], path: [Int32] = []
    /// Columns of rows that have one (-1: none); empty for rows from the warehouse.
    var column: [Int32] = []

    struct Origin: Hashable { var file: Int32; var source: Int32; var role: Int32 }

    func file(_ r: Int) -> Int32 { origins[Int(origin[r])].file }
    func source(_ r: Int) -> Int32 { origins[Int(origin[r])].source }
    func role(_ r: Int) -> Int32 { origins[Int(origin[r])].role }
    /// The warehouse's identity key and occurrence; the id is made from them.
    var identity: [Int64] = [], occurrence: [Int32] = []
    /// Each row's `movement_row.id`, ascending (rows are read in id order).
    var movementId: [Int64] = []
    /// Ids given as text (movements not read from a warehouse); else empty.
    var explicitId: [String] = []
    var category: [Category] = []
    var ruleNumber: [Int32] = []     // -1: none
    var isIndividual: [Bool] = []
    var member: [Int32] = []         // index in members, -1: none
    /// A group's key (register id, else counterparty id, else name lower-cased).
    var groupKey: [Int32] = []
    /// What the rows converted from another currency were, by row: few, so
    /// kept apart from the columns.
    var originals: [Int32: OriginalAmount] = [:]

    var count: Int { day.count }

    mutating func intern(_ s: String) -> Int32 {
        if let i = stringIndex[s] { return i }
        let i = Int32(strings.count)
        strings.append(s)
        stringIndex[s] = i
        return i
    }

    mutating func currencyIndex(_ c: Currency) -> UInt8 {
        if let i = currencies.firstIndex(of: c) { return UInt8(i) }
        currencies.append(c)
        return UInt8(currencies.count - 1)
    }

    /// Frees the interning dictionary once building is over.
    mutating func seal() {
        stringIndex = [:]
    }

    func movement(_ r: Int) -> Movement {
        Movement(date: Day(ordinal: Int(day[r])), amount: Money(minorUnits: amount[r], currency: currencies[Int(currency[r])]),
                 account: strings[Int(account[r])], accountName: strings[Int(accountName[r])], fund: strings[Int(fund[r])],
                 counterparty: strings[Int(counterparty[r])], counterpartyId: strings[Int(counterpartyId[r])],
                 description: description[r], reference: reference[r], nativeId: nativeId[r], kind: strings[Int(kind[r])],
                 location: location(r), original: originals[Int32(r)])
    }

    func location(_ r: Int) -> SourceLocation {
        SourceLocation(file: strings[Int(file(r))], line: Int(line[r]),
                       column: column.isEmpty || column[r] < 0 ? nil : Int(column[r]),
                       path: path[r] < 0 ? nil : strings[Int(path[r])])
    }

    func id(_ r: Int) -> String {
        if !explicitId.isEmpty { return explicitId[r] }
        let identityText: String
        if nativeId.isEmpty(r) {
            let hex = String(UInt64(bitPattern: identity[r]), radix: 16)
            identityText = "h:" + String(repeating: "0", count: 16 - hex.count) + hex
        } else {
            identityText = "id:" + nativeId[r]
        }
        return "\(strings[Int(source(r))]):\(identityText):\(occurrence[r])"
    }

    /// Appends one movement's columns (not its classification).
    mutating func append(_ m: Movement, source: String, role: String) {
        if let o = m.original { originals[Int32(count)] = o }
        day.append(Int32(m.date.ordinal))
        amount.append(m.amount.minorUnits)
        currency.append(currencyIndex(m.amount.currency))
        account.append(intern(m.account))
        accountName.append(intern(m.accountName))
        fund.append(intern(m.fund))
        counterparty.append(intern(m.counterparty))
        counterpartyId.append(intern(m.counterpartyId))
        kind.append(intern(m.kind))
        description.append(m.description)
        reference.append(m.reference)
        nativeId.append(m.nativeId)
        let o = Origin(file: intern(m.location.file), source: intern(source), role: intern(role))
        if let i = origins.firstIndex(of: o) { origin.append(Int32(i)) } else {
            origins.append(o)
            origin.append(Int32(origins.count - 1))
        }
        line.append(Int32(m.location.line))
        column.append(Int32(m.location.column ?? -1))
        if let p = m.location.path { path.append(intern(p)) } else { path.append(-1) }
    }

    mutating func reserve(_ n: Int) {
        day.reserveCapacity(n); amount.reserveCapacity(n); currency.reserveCapacity(n)
        account.reserveCapacity(n); accountName.reserveCapacity(n); fund.reserveCapacity(n)
        counterparty.reserveCapacity(n); counterpartyId.reserveCapacity(n); kind.reserveCapacity(n)
        description.reserve(n); reference.reserve(n); nativeId.reserve(n)
        origin.reserveCapacity(n); line.reserveCapacity(n); path.reserveCapacity(n)
        identity.reserveCapacity(n); occurrence.reserveCapacity(n); movementId.reserveCapacity(n)
    }

    /// The row read from `movement_row` with this id, if any.
    func row(movementId id: Int64) -> Int? {
        var lo = 0, hi = movementId.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if movementId[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < movementId.count && movementId[lo] == id ? lo : nil
    }
}

/// Text of many rows in one UTF-8 buffer: no allocation per row.
struct TextColumn {
    private(set) var bytes: [UInt8] = []
    private var ends: [UInt32] = []

    /// Room for `n` rows and `bytes` bytes of text (capacity never touched costs no memory).
    mutating func reserve(_ n: Int, bytes count: Int = 0) {
        ends.reserveCapacity(n)
        if count > 0 { bytes.reserveCapacity(count) }
    }

    mutating func append(_ s: String) {
        bytes.append(contentsOf: s.utf8)
        precondition(bytes.count <= Int(UInt32.max), "more than 4 GiB of text in one column")
        ends.append(UInt32(bytes.count))
    }

    mutating func append(_ p: UnsafePointer<UInt8>?, _ n: Int) {
        if let p, n > 0 { bytes.append(contentsOf: UnsafeBufferPointer(start: p, count: n)) }
        precondition(bytes.count <= Int(UInt32.max), "more than 4 GiB of text in one column")
        ends.append(UInt32(bytes.count))
    }

    private func start(_ r: Int) -> Int { r == 0 ? 0 : Int(ends[r - 1]) }

    func equals(_ r: Int, _ p: UnsafePointer<UInt8>?, _ n: Int) -> Bool {
        let s = start(r)
        guard Int(ends[r]) - s == n else { return false }
        guard n > 0, let p else { return true }
        return bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + s, p, n) == 0 }
    }

    func isEmpty(_ r: Int) -> Bool { start(r) == Int(ends[r]) }

    /// Row `r`'s UTF-8, without making a `String`.
    func withBytes<R>(_ r: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let s = start(r), e = Int(ends[r])
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[s..<e])) }
    }

    subscript(r: Int) -> String {
        let s = start(r), e = Int(ends[r])
        if s == e { return "" }
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[s..<e]), as: UTF8.self) }
    }
}

/// Text that repeats (descriptions such as "Rent April 2024"): each
/// distinct value stored once, rows hold its number.
struct DictionaryTextColumn {
    private var values = TextColumn()
    private var rows: [Int32] = []
    /// Open addressing over `values`: slot holds value index + 1, 0 is empty.
    private var slots: [Int32] = Array(repeating: 0, count: 1024)
    private var hashes: [UInt64] = []

    mutating func reserve(_ n: Int, bytes count: Int = 0) { rows.reserveCapacity(n) }

    mutating func append(_ s: String) {
        var copy = s
        copy.withUTF8 { append($0.baseAddress, $0.count) }
    }

    mutating func append(_ p: UnsafePointer<UInt8>?, _ n: Int) {
        var h: UInt64 = 0xcbf29ce484222325
        if let p { for i in 0..<n { h = (h ^ UInt64(p[i])) &* 0x100000001b3 } }
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while slots[i] != 0 {
            let v = Int(slots[i] - 1)
            if hashes[v] == h && values.equals(v, p, n) { rows.append(Int32(v)); return }
            i = (i + 1) & mask
        }
        let v = hashes.count
        values.append(p, n)
        hashes.append(h)
        slots[i] = Int32(v + 1)
        rows.append(Int32(v))
        if hashes.count * 2 > slots.count { grow() }
    }

    private mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (v, h) in hashes.enumerated() {
            var i = Int(truncatingIfNeeded: h) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = Int32(v + 1)
        }
    }

    func isEmpty(_ r: Int) -> Bool { values.isEmpty(Int(rows[r])) }
    subscript(r: Int) -> String { values[Int(rows[r])] }
    /// Row `r`'s UTF-8, without making a `String`.
    func withBytes<R>(_ r: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R { values.withBytes(Int(rows[r]), body) }
    /// The number of row `r`'s distinct value, for caches keyed by value.
    func valueNumber(_ r: Int) -> Int32 { rows[r] }
}
