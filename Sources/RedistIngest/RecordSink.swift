import RedistModel

/// Collects what a reader makes of one file: records go on to the handler,
/// findings are kept, and the control totals are counted so that rows read
/// = loaded + rejected + skipped, and the same for amounts (gross, in minor
/// units, so money in and out do not cancel).
public final class RecordSink {
    public var rowsRead: Int { totals.rowsRead }
    public var rowsLoaded: Int { totals.rowsLoaded }
    public var rowsRejected: Int { totals.rowsRejected }
    public var rowsSkipped: Int { totals.rowsSkipped }
    public var amountRead: Int64 { totals.amountRead }
    public var amountLoaded: Int64 { totals.amountLoaded }
    public var amountRejected: Int64 { totals.amountRejected }
    public var amountSkipped: Int64 { totals.amountSkipped }

    /// The counters in one value, so a loaded row updates them with one
    /// access to the object (each access to a class's property is checked
    /// for exclusivity at run time: per row, that showed in profiles).
    private struct Totals {
        var rowsRead = 0, rowsLoaded = 0, rowsRejected = 0, rowsSkipped = 0
        var amountRead: Int64 = 0, amountLoaded: Int64 = 0, amountRejected: Int64 = 0, amountSkipped: Int64 = 0
        /// The currency `validate` last accepted a row in.
        var acceptedCurrency: Currency? = nil
        /// Set when an amount total went past what 64 bits hold (see `totalsFailure`).
        var overflowed = false
    }

    /// Where the file's amount totals first went past what 64 bits hold, if
    /// they did: the file cannot be counted, so it fails whole
    /// (`totalsFailure`). The totals are added with checked arithmetic and
    /// never trap; after an overflow they are not to be used.
    public private(set) var overflowAt: SourceLocation? = nil

    /// The failure of a file whose amounts could not be counted, for the reader's caller to throw.
    public var totalsFailure: FileFailure? {
        guard let overflowAt else { return nil }
        return FileFailure(overflowAt, "the amounts of this file add up to more than redist can count (\(MoneyFormat.grouped(Int64.max, digits: 0)) minor units) by this row, so nothing from it is loaded (expected amounts that add up to less)")
    }

    @inline(never)
    private func noteOverflow(_ location: SourceLocation) {
        if overflowAt == nil { overflowAt = location }
    }

    /// An amount's gross size, counted: the magnitude, or an overflow for `Int64.min`.
    @inline(__always)
    private static func gross(_ units: Int64) -> Int64 { units == .min ? .max : Int64(units.magnitude) }

    /// `a + b`, with `overflowed` set rather than a trap when it does not fit.
    @inline(__always)
    private static func add(_ a: Int64, _ b: Int64, _ overflowed: inout Bool) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        if overflow { overflowed = true }
        return sum
    }
    private var totals = Totals()
    public private(set) var diagnostics: [Diagnostic] = []
    /// Findings are kept up to this many per check; the rest are counted.
    public var keepPerCheck = 1000
    private var countsByCheck: [Check: Int] = [:]
    /// Takes each record over (a buffering handler moves it, never copies it).
    private let handler: (consuming SourceRecord) -> Void
    private let rowHandler: ((borrowing MovementRow) -> Void)?
    /// A last look at each record before it is loaded: it may change the
    /// record (an amount in another currency converted to the reporting
    /// one), and a message turns the row into a reject. For movements handed
    /// over as rows it is asked once per currency while it changes nothing;
    /// a row it changes is handed on as a record.
    public var validate: ((inout SourceRecord) -> String?)? = nil

    /// `handler` gets every record; with `rows`, readers that can hand
    /// ledger rows over as bytes (`MovementRow`) do so instead of making a
    /// `Movement` of each.
    public init(_ handler: @escaping (consuming SourceRecord) -> Void, rows: ((borrowing MovementRow) -> Void)? = nil) {
        self.handler = handler
        self.rowHandler = rows
    }

    /// True when movements may be handed over as `MovementRow`s.
    public var takesRows: Bool { rowHandler != nil }

    /// A ledger row that became a movement, as bytes (only when `takesRows`).
    @inline(__always)
    public func load(_ row: borrowing MovementRow) {
        if Self.countIfAccepted(&totals, row.amount) {
            if totals.overflowed { noteOverflow(SourceLocation(file: row.file, line: row.line, column: 1)) }
            rowHandler!(row)
        } else {
            loadChecking(row)
        }
    }

    /// Counts the row when it is in the currency accepted before.
    @inline(__always)
    private static func countIfAccepted(_ t: inout Totals, _ amount: Money) -> Bool {
        guard t.acceptedCurrency == amount.currency else { return false }
        count(&t, gross(amount.minorUnits))
        return true
    }

    /// The first row in a currency: asks `validate`.
    private func loadChecking(_ row: borrowing MovementRow) {
        if let validate {
            let original = row.movement()
            var record = SourceRecord.movement(original)
            if let problem = validate(&record) {
                let location = SourceLocation(file: row.file, line: row.line, column: 1)
                rejected({ location }, check: .rejectCurrency, { problem }, amount: row.amount)
                return
            }
            if case .movement(let converted) = record, converted != original {
                // Converted: its amount is no longer the row's, so it goes on as a record.
                Self.count(&totals, Self.gross(converted.amount.minorUnits))
                if totals.overflowed { noteOverflow(converted.location) }
                handler(record)
                return
            }
        }
        totals.acceptedCurrency = row.amount.currency
        Self.count(&totals, Self.gross(row.amount.minorUnits))
        if totals.overflowed { noteOverflow(SourceLocation(file: row.file, line: row.line, column: 1)) }
        rowHandler!(row)
    }

    /// A row that became a record.
    @inline(__always)
    public func load(_ record: consuming SourceRecord, amount: Int64) {
        var amount = amount
        if let validate {
            let before = record.money
            if let problem = validate(&record) {
                let location = record.location
                rejected({ location }, check: .rejectCurrency, { problem }, amount: before)
                return
            }
            // A converted record is counted in the currency it is loaded in.
            if let after = record.money, after != before { amount = after.minorUnits }
        }
        Self.count(&totals, Self.gross(amount))
        if totals.overflowed { noteOverflow(record.location) }
        handler(record)
    }

    /// A record that sums up rows already counted (an IATI activity's
    /// grant, made of its transactions): handed on, converted as any record
    /// is, but not counted again. One that cannot be converted is dropped:
    /// its transactions were rejected with the reason already.
    public func loadSummary(_ record: consuming SourceRecord) {
        if let validate, validate(&record) != nil { return }
        handler(record)
    }

    @inline(__always)
    private static func count(_ t: inout Totals, _ gross: Int64) {
        t.rowsRead += 1
        t.rowsLoaded += 1
        var o = t.overflowed
        t.amountRead = add(t.amountRead, gross, &o)
        t.amountLoaded = add(t.amountLoaded, gross, &o)
        t.overflowed = o
    }

    /// A row that could not be used: an error, counted. The location and
    /// the message are made only when the finding is kept.
    public func reject(_ location: @autoclosure () -> SourceLocation, check: Check, _ message: @autoclosure () -> String,
                       amount: Money? = nil) {
        rejected(location, check: check, message, amount: amount)
    }

    private func rejected(_ location: () -> SourceLocation, check: Check, _ message: () -> String, amount: Money?) {
        let gross = Self.gross(amount?.minorUnits ?? 0)
        totals.rowsRead += 1
        totals.rowsRejected += 1
        var o = totals.overflowed
        totals.amountRead = Self.add(totals.amountRead, gross, &o)
        totals.amountRejected = Self.add(totals.amountRejected, gross, &o)
        totals.overflowed = o
        if totals.overflowed { noteOverflow(location()) }
        if counts(check) { diagnostics.append(Diagnostic(.error, location(), check: check, message(), amount: amount)) }
    }

    /// A row that is not a record by design (a total row, another
    /// organisation's grant): a note, counted. The location and the message
    /// are made only when the finding is kept (a file may skip every other row).
    public func skip(_ location: @autoclosure () -> SourceLocation, check: Check, _ message: @autoclosure () -> String,
                     amount: Money? = nil) {
        let gross = Self.gross(amount?.minorUnits ?? 0)
        totals.rowsRead += 1
        totals.rowsSkipped += 1
        var o = totals.overflowed
        totals.amountRead = Self.add(totals.amountRead, gross, &o)
        totals.amountSkipped = Self.add(totals.amountSkipped, gross, &o)
        totals.overflowed = o
        if totals.overflowed { noteOverflow(location()) }
        if counts(check) { diagnostics.append(Diagnostic(.note, location(), check: check, message(), amount: amount)) }
    }

    /// A finding that is not about one row (a failed balance check, a file-level warning).
    public func report(_ diagnostic: Diagnostic) {
        if counts(diagnostic.check) { diagnostics.append(diagnostic) }
    }

    /// Counts a finding of `check`: true when it is to be kept.
    private func counts(_ check: Check) -> Bool {
        let n = countsByCheck[check, default: 0] + 1
        countsByCheck[check] = n
        return n <= keepPerCheck
    }

    /// Findings not kept because there were more than `keepPerCheck` of a kind.
    public var unkeptFindings: [Check: Int] {
        countsByCheck.compactMapValues { $0 > keepPerCheck ? $0 - keepPerCheck : nil }
    }
}

extension SourceRecord {
    public var location: SourceLocation {
        switch self {
        case .movement(let m): return m.location
        case .grant(let g): return g.location
        case .member(let m): return m.location
        case .balance(let b): return b.location
        }
    }

    var money: Money? {
        switch self {
        case .movement(let m): return m.amount
        case .grant(let g): return g.amountAwarded
        case .balance(let b): return b.amount
        case .member: return nil
        }
    }
}
