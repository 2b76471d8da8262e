import Foundation
import RedistModel

/// A movement with its classification, as a value: what a test puts in a
/// scratch warehouse, and what `Dataset.ledger` reads back. A run never
/// holds the ledger as these: its outputs stream `LedgerRowView`s.
public struct ClassifiedMovement: Sendable {
    public var movement: Movement
    public var source: String
    public var role: String
    /// Stable across runs: source, identity and occurrence.
    public var id: String
    public var category: Category
    /// The rule that gave the category (its number in the pipeline file), or nil.
    public var ruleNumber: Int?
    /// True when the counterparty is a person: never named outside the warehouse.
    public var isIndividual: Bool
    /// The member register's entry for the counterparty, when there is one.
    public var member: MemberRecord?

    public init(movement: Movement, source: String, role: String, id: String, category: Category, ruleNumber: Int?,
                isIndividual: Bool, member: MemberRecord?) {
        self.movement = movement
        self.source = source
        self.role = role
        self.id = id
        self.category = category
        self.ruleNumber = ruleNumber
        self.isIndividual = isIndividual
        self.member = member
    }

    public var isOut: Bool { movement.amount.minorUnits < 0 }
    public var date: Day { movement.date }
    public var fund: String { movement.fund }
    var minorUnits: Int64 { movement.amount.minorUnits }
}

/// The ledger's rows as the outputs read them: one query shape over
/// `ledger_entry` (the classified, de-duplicated ledger) joined with the
/// stored movement, its account, counterparty and file, streamed a row at
/// a time. Nothing here holds more than one row.
///
/// The outputs that read rows (transactions.csv, a pack's flows.csv,
/// quality.csv's unclassified movements, the reconciliation's sides) have
/// no error path of their own; a query that fails is remembered and the
/// run stops on it (`Dataset.checkMeasures`) before any output is kept.
///
/// On SQLite each query is read through a read-only connection of its own
/// (one per thread asking at once, kept for the next), so outputs written
/// on different threads read the ledger at the same time instead of
/// taking turns on the one connection that writes.
public final class LedgerQueries: @unchecked Sendable {
    let warehouse: Warehouse?
    private let lock = NSLock()
    private var firstFailure: Error?
    /// Read-only connections not in use now.
    private var idleReaders: [Warehouse] = []

    init(warehouse: Warehouse?) { self.warehouse = warehouse }

    var failure: Error? {
        lock.lock(); defer { lock.unlock() }
        return firstFailure
    }

    func remember(_ error: Error) {
        lock.lock(); defer { lock.unlock() }
        if firstFailure == nil { firstFailure = error }
    }

    /// A group (never a person) paid redistributed money in a period from
    /// one fund: the kind of payment, its member register entry (-1: none),
    /// the counterparty's name, and the ledger position of the last such
    /// payment.
    struct GroupPayment: Sendable {
        var fund: String
        var category: Category
        var member: Int
        var name: String
        var last: Int64
    }
    private var groupPaymentsByPeriod: [Period: [GroupPayment]] = [:]
    /// Held while a period's groups paid are looked up or read, so that two
    /// threads asking at once read them once (the other waits for them).
    private let groupPaymentsLock = NSLock()

    /// The period's groups paid, by fund, read once a run for every funder's
    /// evidence pack (each takes the rows of its own funds).
    func groupPayments(_ period: Period) -> [GroupPayment] {
        groupPaymentsLock.lock(); defer { groupPaymentsLock.unlock() }
        if let known = groupPaymentsByPeriod[period] { return known }
        let redistributed = Category.allCases.filter(\.isRedistributed).map { SQLValue.text($0.rawValue) }
        // The period's movements are one run of ledger positions (`positions`).
        let found: [GroupPayment] = run([]) { w in
            guard let (first, last) = try positions(period, w) else { return [] }
            return try w.query("""
                SELECT e.fund, e.category, coalesce(p.member_index, -1), c.name, max(e.position) AS last_position
                FROM ledger_entry e JOIN counterparty c ON c.id = e.counterparty_id
                  LEFT JOIN run_party p ON p.counterparty_id = e.counterparty_id
                WHERE e.role = 'ledger' AND e.position >= ? AND e.position <= ?
                  AND e.category IN (\(Array(repeating: "?", count: redistributed.count).joined(separator: ", ")))
                  AND e.amount < 0 AND e.is_individual = 0 AND c.name <> ''
                GROUP BY e.fund, e.category, coalesce(p.member_index, -1), c.name
                """, [.int(first), .int(last)] + redistributed).compactMap { r in
                Category(rawValue: r.text(1)).map { GroupPayment(fund: r.text(0), category: $0, member: Int(r.int(2)), name: r.text(3), last: r.int(4)) }
            }
        }
        groupPaymentsByPeriod[period] = found
        return found
    }

    /// Closes the read-only connections kept for the next query.
    func closeReaders() {
        lock.lock(); defer { lock.unlock() }
        idleReaders = []
    }

    /// Runs `body` with the warehouse; a failure is remembered and `fallback` given instead.
    func run<T>(_ fallback: T, _ body: (Warehouse) throws -> T) -> T {
        guard warehouse != nil else { return fallback }
        do { return try reading(body) } catch {
            remember(error)
            return fallback
        }
    }

    /// Runs `body` with a connection for reading: on SQLite a read-only one
    /// no other thread is using, on PostgreSQL the warehouse's own.
    private func reading<T>(_ body: (Warehouse) throws -> T) throws -> T {
        guard let warehouse else { preconditionFailure("no warehouse to read") }
        guard warehouse.postgres == nil else { return try body(warehouse) }
        lock.lock()
        let idle = idleReaders.popLast()
        lock.unlock()
        let reader = try idle ?? Warehouse(readingFrom: warehouse)
        defer {
            lock.lock()
            idleReaders.append(reader)
            lock.unlock()
        }
        return try body(reader)
    }

    /// The columns `LedgerRowView` reads, by position.
    static let select = """
        SELECT e.position, e.source, e.role, m.identity, m.occurrence, m.native_id, e.date, e.amount, m.currency,
          a.code, a.name, e.fund, c.name, c.org_id, m.description, m.reference, m.kind, f.path, m.line, m.path,
          e.category, e.rule_number, e.is_individual, coalesce(p.member_index, -1), coalesce(p.group_key, ''),
          m.original_amount, m.original_currency, m.rate, m.rate_date, m.rate_source
        FROM ledger_entry e
          JOIN movement_row m ON m.id = e.movement_id
          JOIN account a ON a.id = m.account_id
          JOIN counterparty c ON c.id = e.counterparty_id
          JOIN source_file f ON f.id = e.file_id
          LEFT JOIN run_party p ON p.counterparty_id = e.counterparty_id
        """

    /// The first and last ledger positions dated in the period (positions
    /// follow dates, so a period's rows are one run of positions), or nil:
    /// the two ends of the period in the date index, found without reading
    /// the rows between them.
    func positions(_ period: Period, _ w: Warehouse) throws -> (Int64, Int64)? {
        let dates: [SQLValue] = [.text(period.start.description), .text(period.end.description)]
        let r = try w.query("""
            SELECT (SELECT position FROM ledger_entry WHERE date >= ? AND date <= ? ORDER BY date, position LIMIT 1),
              (SELECT position FROM ledger_entry WHERE date >= ? AND date <= ? ORDER BY date DESC, position DESC LIMIT 1)
            """, dates + dates)
        guard let row = r.first, row[0] != .null else { return nil }
        return (row.int(0), row.int(1))
    }

    /// Streams the rows of one role dated in the period, in ledger order,
    /// that pass `condition` (SQL over `e`, `m`, `a`, `c`, `f`, `p`, with
    /// `values` bound to its `?`s).
    func each(role: String, in period: Period, where condition: String = "", _ values: [SQLValue] = [],
              members: [MemberRecord], _ body: (LedgerRowView) throws -> Void) throws {
        guard warehouse != nil, let range = try reading({ try positions(period, $0) }) else { return }
        try each(role: role, where: "e.position >= ? AND e.position <= ?" + (condition.isEmpty ? "" : " AND (\(condition))"),
                 [.int(range.0), .int(range.1)] + values, members: members, body)
    }

    /// Streams every row of one role that passes `condition`, in ledger order.
    func each(role: String, where condition: String = "", _ values: [SQLValue] = [], members: [MemberRecord],
              _ body: (LedgerRowView) throws -> Void) throws {
        guard warehouse != nil else { return }
        let sql = Self.select + " WHERE e.role = ?" + (condition.isEmpty ? "" : " AND \(condition)") + " ORDER BY e.position"
        var cache = LedgerRowView.Cache()
        try reading { w in
            try w.stream(sql, [.text(role)] + values) { r in
                try body(LedgerRowView(row: r, members: members, cache: &cache))
            }
        }
    }
}

/// One row of `LedgerQueries.select`, read in place (valid during the call).
public struct LedgerRowView {
    let row: SQLCursorRow
    let members: [MemberRecord]
    /// The day, currency and category, each read once per distinct text.
    public let dayOrdinal: Int
    public let minorDigits: Int
    public let category: Category
    /// For money converted from another currency: what the source said and at which rate.
    public let original: OriginalAmount?

    /// What the previous rows' repeated text was worked out to.
    struct Cache {
        var date: [UInt8] = [], day = 0
        var currency: [UInt8] = [], digits = 2
        var category: [UInt8] = [], value = Category.unclassified
    }

    init(row: SQLCursorRow, members: [MemberRecord], cache: inout Cache) throws {
        self.row = row
        self.members = members
        let day = try row.withText(6) { b -> Int in
            if b.elementsEqual(cache.date) { return cache.day }
            guard let d = Warehouse.ordinal(b.baseAddress, b.count) else {
                throw DataError("the warehouse holds \"\(String(decoding: b, as: UTF8.self))\" where a ledger date was stored; run again")
            }
            cache.date = Array(b)
            cache.day = d
            return d
        }
        dayOrdinal = day
        minorDigits = row.withText(8) { b -> Int in
            if !b.elementsEqual(cache.currency) {
                cache.currency = Array(b)
                cache.digits = (Currency(code: String(decoding: b, as: UTF8.self)) ?? .gbp).minorDigits
            }
            return cache.digits
        }
        category = row.withText(20) { b -> Category in
            if !b.elementsEqual(cache.category) {
                cache.category = Array(b)
                cache.value = Category(rawValue: String(decoding: b, as: UTF8.self)) ?? .unclassified
            }
            return cache.value
        }
        if row.isNull(26) { original = nil } else {
            guard let currency = Currency(code: row.text(26)), let rate = ExchangeRate(row.text(27)),
                  let rateDay = Day(iso: row.text(28)) else {
                throw DataError("the warehouse holds a conversion that cannot be read (\(row.text(26)) at \(row.text(27)) of \(row.text(28))); run again with a new --warehouse")
            }
            original = OriginalAmount(amount: Money(minorUnits: row.int(25), currency: currency), rate: rate, rateDate: rateDay,
                                      rateSource: row.text(29))
        }
    }

    public enum Field: Int {
        case source = 1, role = 2, nativeId = 5, currencyCode = 8, account = 9, accountName = 10, fund = 11, counterparty = 12,
             counterpartyId = 13, description = 14, reference = 15, kind = 16, file = 17, groupKey = 24
    }

    /// Calls `body` with the field's UTF-8 (valid only during the call).
    public func withUTF8<R>(_ field: Field, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try row.withText(field.rawValue, body)
    }

    public func text(_ field: Field) -> String { row.text(field.rawValue) }

    /// The ledger's order: date, file, line.
    public var position: Int64 { row.int(0) }
    public var date: Day { Day(ordinal: dayOrdinal) }
    /// Signed amount in minor units.
    public var amount: Int64 { row.int(7) }
    public var isOut: Bool { amount < 0 }
    /// The line of the source file it was read from.
    public var line: Int { Int(row.int(18)) }
    public var ruleNumber: Int? { row.isNull(21) ? nil : Int(row.int(21)) }
    /// True when the counterparty is a person: never named outside the warehouse.
    public var isIndividual: Bool { row.int(22) != 0 }
    /// The member register's entry for the counterparty, when there is one.
    public var member: MemberRecord? {
        let i = Int(row.int(23))
        return i >= 0 && i < members.count ? members[i] : nil
    }
    public var hasCounterparty: Bool { row.withText(12) { !$0.isEmpty } }

    public var location: SourceLocation {
        SourceLocation(file: text(.file), line: line, column: nil, path: row.isNull(19) ? nil : row.text(19))
    }

    /// Appends the movement's id (source, identity and occurrence) to `out`.
    public func appendId(to out: inout [UInt8]) {
        withUTF8(.source) { out.append(contentsOf: $0) }
        out.append(UInt8(ascii: ":"))
        let hasNative = withUTF8(.nativeId) { !$0.isEmpty }
        if hasNative {
            out.append(contentsOf: "id:".utf8)
            withUTF8(.nativeId) { out.append(contentsOf: $0) }
        } else {
            out.append(contentsOf: "h:".utf8)
            let v = UInt64(bitPattern: row.int(3))
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            for shift in stride(from: 60, through: 0, by: -4) { out.append(hex[Int((v >> UInt64(shift)) & 0xF)]) }
        }
        out.append(UInt8(ascii: ":"))
        DecimalText.append(row.int(4), to: &out)
    }

    public var id: String {
        var bytes: [UInt8] = []
        appendId(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The whole movement as a value.
    public var movement: Movement {
        let currency = Currency(code: text(.currencyCode)) ?? .gbp
        return Movement(date: date, amount: Money(minorUnits: amount, currency: currency), account: text(.account),
                        accountName: text(.accountName), fund: text(.fund), counterparty: text(.counterparty),
                        counterpartyId: text(.counterpartyId), description: text(.description), reference: text(.reference),
                        nativeId: text(.nativeId), kind: text(.kind), location: location, original: original)
    }

    public var classified: ClassifiedMovement {
        ClassifiedMovement(movement: movement, source: text(.source), role: text(.role), id: id, category: category,
                           ruleNumber: ruleNumber, isIndividual: isIndividual, member: member)
    }
}

/// Whole numbers written as decimal text into a byte buffer.
public enum DecimalText {
    /// A whole number in decimal, as `String(_:)` writes it.
    public static func append(_ v: Int64, to out: inout [UInt8]) {
        if v < 0 { out.append(UInt8(ascii: "-")) }
        var m = v.magnitude
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes, room for 20 digits
        var n = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            repeat {
                buf[n] = UInt8(48 + m % 10)
                m /= 10
                n += 1
            } while m > 0
            for i in stride(from: n - 1, through: 0, by: -1) { out.append(buf[i]) }
        }
    }
}

extension Dataset {
    /// Every movement of the ledger, read back as values: for tests and
    /// tools on small data. No output of a run reads the ledger this way.
    public var ledger: [ClassifiedMovement] {
        get throws { try movements(role: "ledger") }
    }

    /// Every kept movement of one role, as values, in ledger order.
    public func movements(role: String) throws -> [ClassifiedMovement] {
        var out: [ClassifiedMovement] = []
        try rows.each(role: role, members: members) { out.append($0.classified) }
        if let e = rows.failure { throw e }
        return out
    }
}

extension Dataset {
    /// Calls `body` with each ledger movement dated in the period, in
    /// ledger order, streamed from the warehouse.
    public func eachLedgerRow(in period: Period, _ body: (LedgerRowView) throws -> Void) throws {
        try rows.each(role: "ledger", in: period, members: members, body)
    }

    /// Calls `body` with each ledger movement dated in the period that no rule classified, in ledger order.
    public func eachUnclassified(in period: Period, _ body: (LedgerRowView) throws -> Void) throws {
        try rows.each(role: "ledger", in: period, where: "e.category = 'unclassified'", members: members, body)
    }

    /// How many ledger movements dated in the period each fund has (from
    /// the ledger's totals by day, which count every one).
    public func movementsByFund(in period: Period) throws -> [String: Int] {
        guard let w = rows.warehouse else { return [:] }
        var out: [String: Int] = [:]
        for r in try w.query("SELECT fund, CAST(sum(movements) AS {int}) FROM ledger_day WHERE date >= ? AND date <= ? GROUP BY fund",
                             [.text(period.start.description), .text(period.end.description)]) {
            out[r.text(0)] = Int(r.int(1))
        }
        return out
    }

    /// Remembers a failure of a query an output made, so the run stops on it (`checkMeasures`).
    public func remember(_ error: Error) { rows.remember(error) }
}
