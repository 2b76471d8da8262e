import RedistModel

/// IATI activity XML (2.0x, and 1.0x): a funder's activities and their
/// transactions, as funders publish them to the IATI registry.
///
/// Each `<transaction>` becomes a movement: its type code as `kind`
/// (`3`, or `D` in 1.0x), the transaction date, the value in its own
/// `@currency` or the activity's `@default-currency` (a value with neither is
/// rejected), the provider organisation as counterparty, the activity's
/// identifier as account and its title as account name, and
/// `<identifier>#<n>` (the transaction's ordinal in its activity) as native id.
/// 2.0x narratives and 1.0x plain text are both read; the first narrative wins.
///
/// As a `grants-in` source only the organisation's incoming commitments and
/// disbursements are records: transaction types 1, 2, 3 and 11 (1.0x `IF`,
/// `C`, `D`) whose `receiver-org` (its `@ref`, or its name) is the
/// organisation's id or one of the `organisation_ref` option's ids (a
/// comma-separated list, for the id a funder uses), compared without case,
/// spaces or punctuation (`GB-CHC-123` matches `GBCHC123`). Every other
/// transaction is skipped and counted. As a `ledger` source every
/// transaction is a record. Values keep their own sign in both roles: a
/// disbursement to the organisation is positive, its reversal negative.
///
/// As a `grants-in` source, an activity with such a transaction is also a
/// grant record (as a 360Giving row is), so a funder's pack can show what
/// was awarded against what was paid and spent: its `iati-identifier` as
/// the grant's identifier, its title, the sum of its commitments to the
/// organisation (types 2 and 11, 1.0x `C`) as the amount awarded, or its
/// budgets where it gives no commitment (the revised ones where there are
/// any), the first commitment's date as the award date, and its
/// `activity-date`s as the grant's start and end (planned, codes 1 and 3,
/// or actual, 2 and 4, where no planned date is given). Its
/// `other-identifier`s are kept, so a grant the funder's 360Giving file
/// gives too is shown once. The grant adds up transactions the file's
/// control totals count already, so it is not counted again; it has no
/// amount disbursed, as its disbursements are matched one by one.
///
/// Transactions are handed on when their activity ends, because 1.0x files
/// may put the identifier and title after the transactions: memory grows
/// with the largest activity, never with the file.
public struct IATIReader: SourceReader, Sendable {
    public static let format = "iati"
    public static let roles: [SourceRole] = [.grantsIn, .ledger]

    /// The root `<iati-activities>`.
    public static func claims(_ head: FileHead) -> Bool { head.firstTag == "iati-activities" }
    public static let columnKeys: [String] = []
    public static let optionKeys = ["organisation_ref"]

    let configuration: ReaderConfiguration
    /// The organisation's ids, normalised by `IATIReader.normalisedId`.
    let organisationIds: Set<String>

    public init(_ configuration: ReaderConfiguration) throws {
        self.configuration = configuration
        organisationIds = try configuration.organisationIds(format: "IATI", finding: "the transactions whose receiver is the organisation")
    }

    public func read(path: String, displayPath: String, into sink: RecordSink) throws {
        let stream = try XMLStream(path: path, displayPath: displayPath)
        let handler = IATIHandler(stream, reader: self, sink: sink)
        try stream.run(handler)
        for warning in stream.warnings { sink.report(warning) }
        sink.noteRoundedValues(handler.rounded, file: displayPath)
    }

    /// An organisation id compared loosely: upper case, letters and digits only.
    /// (360Giving grants-in files compare their recipients the same way.)
    static func normalisedId(_ id: String) -> String {
        String(String.UnicodeScalarView(id.uppercased().unicodeScalars.filter {
            ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0.value > 0x7F
        }))
    }

    /// Transaction types that are money promised or paid to the organisation.
    static let incomingTypes: Set<String> = ["1", "2", "3", "11", "IF", "C", "D"]
    /// Transaction types that are money promised to the organisation: a grant's award.
    static let commitmentTypes: Set<String> = ["2", "11", "C"]
    /// Types whose receiver, when not named, is the reporting organisation.
    static let receivedByReporter: Set<String> = ["1", "11", "IF"]

    /// The IATI TransactionType code list (2.0x codes and 1.0x letters).
    static let typeNames: [String: String] = [
        "1": "Incoming Funds", "2": "Outgoing Commitment", "3": "Disbursement", "4": "Expenditure",
        "5": "Interest Payment", "6": "Loan Repayment", "7": "Reimbursement", "8": "Purchase of Equity",
        "9": "Sale of Equity", "10": "Credit Guarantee", "11": "Incoming Commitment", "12": "Outgoing Pledge",
        "13": "Incoming Pledge",
        "IF": "Incoming Funds", "C": "Commitment", "D": "Disbursement", "E": "Expenditure", "IR": "Interest Repayment",
        "LR": "Loan Repayment", "R": "Reimbursement", "QP": "Purchase of Equity", "QS": "Sale of Equity",
        "CG": "Credit Guarantee",
    ]
}

/// A run of bytes in an activity's `bytes`: a field as read (decoded and
/// white space collapsed).
typealias IATIText = XMLByteRange

/// One IATI transaction as read, before it is mapped to a movement. Its
/// fields are byte ranges in its activity's `bytes`, so a transaction holds
/// no `String` and costs nothing to move or drop.
struct IATITransaction: Sendable, Equatable {
    var ordinal = 0
    var ref = IATIText()
    var typeCode = IATIText()
    var date = IATIText()
    var valueText = IATIText()
    var valueCurrency = IATIText()
    var valueDate = IATIText()
    var description = IATIText()
    var providerRef = IATIText()
    var providerName = IATIText()
    var providerActivityId = IATIText()
    var receiverRef = IATIText()
    var receiverName = IATIText()
    var receiverActivityId = IATIText()
    /// Where the `<transaction>` starts: its line and its element path.
    var line = 0
    var path = IATIText()
    /// Lines of `<value>` and `<transaction-date>`, 0 when absent.
    var valueLine = 0
    var dateLine = 0
}

/// One IATI activity's header fields, and its transactions until it ends.
struct IATIActivity: Sendable {
    var identifier = ""
    var title = ""
    var reportingOrgRef = ""
    var reportingOrgName = ""
    var defaultCurrency = ""
    var location: SourceLocation
    var transactions: [IATITransaction] = []
    /// The bytes the transactions' fields point into (filled in only for `onActivity`).
    var bytes: [UInt8] = []
    /// Read for grants in only: `activity-date`s by type (the first of each),
    /// `budget`s (type, value as written, currency), and `other-identifier` refs.
    var dates: [String: String] = [:]
    var budgets: [(type: String, value: String, currency: String)] = []
    var otherIdentifiers: [String] = []

    /// A transaction's field as text.
    func text(_ t: IATIText) -> String { bytes.withUnsafeBufferPointer { IATIHandler.string(t, $0) } }
}

/// The SAX state machine for IATI activity files.
final class IATIHandler: XMLStreamHandler {
    /// Values with more decimals than their currency, rounded: the file's findings say how many.
    var rounded = 0
    private let reader: IATIReader
    private let sink: RecordSink
    /// The file as messages name it.
    private let displayPath: String
    /// Called with each activity when it ends (tests use it to see the parse itself).
    var onActivity: ((IATIActivity) -> Void)?

    // Interned names.
    private let nActivities, nActivity, nIdentifier, nReportingOrg, nTitle, nNarrative, nTransaction: XMLName
    private let nTransactionType, nTransactionDate, nValue, nDescription, nProviderOrg, nReceiverOrg: XMLName
    private let nOrganisations, nActivityDate, nBudget, nOtherIdentifier: XMLName
    private let aType: XMLName
    /// Inside an activity's `<budget>` (grants in only), and its type.
    private var budgetType: String? = nil
    private var budgetCurrency = ""
    private let aDefaultCurrency, aRef, aCode, aIsoDate, aCurrency, aValueDate, aProviderActivityId: XMLName
    private let aReceiverActivityId: XMLName

    /// A ledger read uses no receiver and no activity ids: they are read
    /// only for grants in, or when a test looks at the whole parse.
    private var readsAll: Bool { grantsIn || onActivity != nil }
    /// The role, read once (not looked up in the configuration per transaction).
    private let grantsIn: Bool

    // State.
    private var spareTransactions: [IATITransaction] = []
    /// The current activity's fields as bytes (`IATIText` ranges point
    /// here), behind a pointer: a transaction lays out a dozen fields, and
    /// an `Array` would check its uniqueness and capacity for each.
    private var bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 4096)
    private var bytesCount = 0
    private var bytesCapacity = 4096
    private var laidOut: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: bytes, count: bytesCount) }
    /// The last counterparty, counterparty id, description and kind made
    /// `String`s: a funder's file names the same provider (and often the
    /// same description and type) transaction after transaction, and an
    /// equal `String` is shared rather than made again.
    private var lastProviderName = "", lastProviderRef = "", lastDescription = "", lastKind = ""
    private var activityDepth = 0
    private var activity: IATIActivity?
    private var transactionDepth = 0
    private var transaction: IATITransaction?

    private enum Field { case identifier, title, reportingOrg, value, description, provider, receiver, budgetValue }
    private var field: Field?
    private var fieldDepth = 0
    private var narrativeTaken = false
    private var narrativeText = IATIText()

    init(_ s: XMLStream, reader: IATIReader, sink: RecordSink) {
        self.reader = reader
        displayPath = s.displayPath
        grantsIn = reader.configuration.role == .grantsIn
        self.sink = sink
        nActivities = s.intern("iati-activities"); nActivity = s.intern("iati-activity")
        nIdentifier = s.intern("iati-identifier"); nReportingOrg = s.intern("reporting-org")
        nTitle = s.intern("title"); nNarrative = s.intern("narrative"); nTransaction = s.intern("transaction")
        nTransactionType = s.intern("transaction-type"); nTransactionDate = s.intern("transaction-date")
        nValue = s.intern("value"); nDescription = s.intern("description"); nProviderOrg = s.intern("provider-org")
        nReceiverOrg = s.intern("receiver-org"); nOrganisations = s.intern("iati-organisations")
        nActivityDate = s.intern("activity-date"); nBudget = s.intern("budget"); nOtherIdentifier = s.intern("other-identifier")
        aType = s.intern("type")
        aDefaultCurrency = s.intern("default-currency"); aRef = s.intern("ref")
        aCode = s.intern("code"); aIsoDate = s.intern("iso-date"); aCurrency = s.intern("currency")
        aValueDate = s.intern("value-date"); aProviderActivityId = s.intern("provider-activity-id")
        aReceiverActivityId = s.intern("receiver-activity-id")
        s.alwaysIndex(nActivity, nTransaction)
    }

    deinit { bytes.deallocate() }

    private func beginField(_ f: Field, _ s: XMLStream) {
        field = f
        fieldDepth = s.depth
        narrativeTaken = false
        narrativeText = IATIText()
        s.beginText()
    }

    override func startElement(_ s: XMLStream, _ tag: XMLStartTag) {
        let d = s.depth
        let name = tag.name
        if d == 1 {
            if name == nActivities || name == nActivity {
                // fall through: a lone <iati-activity> root is read too
            } else if name == nOrganisations {
                s.fail("this is an IATI organisation file, which has no transactions (expected <iati-activities>)")
                return
            } else {
                s.fail("not an IATI activity file: the root element is <\(String(cString: name))> (expected <iati-activities>)")
                return
            }
        }
        if activityDepth == 0 {
            if name == nActivity {
                activityDepth = d
                activity = IATIActivity(defaultCurrency: tag.attribute(aDefaultCurrency) ?? "", location: s.location())
                bytesCount = 0
                // The last activity's list, emptied, so that a long read does not grow a new one each time.
                swap(&activity!.transactions, &spareTransactions)
            }
            return
        }
        if let f = field, name == nNarrative, d == fieldDepth + 1, !narrativeTaken, f != .value, f != .identifier, f != .budgetValue {
            s.beginText()
            return
        }
        if transactionDepth == 0 {
            if budgetType != nil, d == activityDepth + 2, name == nValue {
                budgetCurrency = tag.attribute(aCurrency) ?? ""
                beginField(.budgetValue, s)
                return
            }
            guard d == activityDepth + 1 else { return }
            if name == nTransaction {
                transactionDepth = d
                var t = IATITransaction(ordinal: (activity?.transactions.count ?? 0) + 1, ref: attribute(tag, aRef), line: s.line)
                t.path = lay(s.elementPathBytes(), attribute: false)
                transaction = t
            } else if name == nIdentifier {
                beginField(.identifier, s)
            } else if name == nTitle {
                beginField(.title, s)
            } else if name == nReportingOrg {
                activity?.reportingOrgRef = tag.attribute(aRef) ?? ""
                beginField(.reportingOrg, s)
            } else if grantsIn && name == nActivityDate {
                let type = tag.attribute(aType) ?? ""
                if activity?.dates[type] == nil { activity?.dates[type] = tag.attribute(aIsoDate) ?? "" }
            } else if grantsIn && name == nBudget {
                budgetType = tag.attribute(aType) ?? ""
            } else if grantsIn && name == nOtherIdentifier, let ref = tag.attribute(aRef), !ref.isEmpty {
                activity?.otherIdentifiers.append(ref)
            }
            return
        }
        guard d == transactionDepth + 1 else { return }
        if name == nTransactionType {
            transaction?.typeCode = attribute(tag, aCode)
        } else if name == nTransactionDate {
            transaction?.date = attribute(tag, aIsoDate)
            transaction?.dateLine = s.line
        } else if name == nValue {
            transaction?.valueCurrency = attribute(tag, aCurrency)
            transaction?.valueDate = attribute(tag, aValueDate)
            transaction?.valueLine = s.line
            beginField(.value, s)
        } else if name == nDescription {
            beginField(.description, s)
        } else if name == nProviderOrg {
            transaction?.providerRef = attribute(tag, aRef)
            if readsAll { transaction?.providerActivityId = attribute(tag, aProviderActivityId) }
            beginField(.provider, s)
        } else if name == nReceiverOrg && readsAll {
            transaction?.receiverRef = attribute(tag, aRef)
            transaction?.receiverActivityId = attribute(tag, aReceiverActivityId)
            beginField(.receiver, s)
        }
    }

    /// An attribute's decoded value, laid out in `bytes` (empty when absent).
    private func attribute(_ tag: XMLStartTag, _ name: XMLName) -> IATIText {
        guard let raw = tag.attributeBytes(name) else { return IATIText() }
        return lay(raw, attribute: true)
    }

    /// The collected text, collapsed, laid out in `bytes`.
    private func collectedText(_ s: XMLStream) -> IATIText { lay(s.textBytes, attribute: false) }

    /// Lays out text (or an attribute value) as `XMLText.collapsed` (or
    /// `attributeValue`) reads it. The usual field, with single spaces
    /// between words and no `&`, is already that, and is copied as it is
    /// (`XMLText.isPlain`).
    private func lay(_ raw: UnsafeBufferPointer<UInt8>, attribute: Bool) -> IATIText {
        let from = bytesCount
        guard let base = raw.baseAddress, raw.count > 0 else { return IATIText(start: from, end: from) }
        if XMLText.isPlain(raw, attribute: attribute) {
            append(base, raw.count)
        } else {
            var decoded: [UInt8] = []
            if attribute { XMLText.appendAttributeValue(raw, to: &decoded) } else { XMLText.appendCollapsed(raw, to: &decoded) }
            decoded.withUnsafeBufferPointer { if let p = $0.baseAddress { append(p, $0.count) } }
        }
        return IATIText(start: from, end: bytesCount)
    }

    @inline(__always)
    private func append(_ p: UnsafePointer<UInt8>, _ n: Int) {
        if bytesCount + n > bytesCapacity {
            var capacity = bytesCapacity
            while bytesCount + n > capacity { capacity *= 2 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            grown.update(from: bytes, count: bytesCount)
            bytes.deallocate()
            bytes = grown
            bytesCapacity = capacity
        }
        (bytes + bytesCount).update(from: p, count: n)
        bytesCount += n
    }

    /// A field's bytes as a `String`: `last` again when it has the same bytes.
    @inline(__always)
    private static func string(_ t: IATIText, _ b: UnsafeBufferPointer<UInt8>, reusing last: inout String) -> String {
        let new = slice(t, b)
        let same = last.utf8.count == new.count && last.utf8.withContiguousStorageIfAvailable { old in
            var i = 0
            while i < old.count && old[i] == new[i] { i += 1 }
            return i == old.count
        } == true
        if !same { last = String(decoding: new, as: UTF8.self) }
        return last
    }

    /// A field's bytes as a `String`.
    @inline(__always)
    static func string(_ t: IATIText, _ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[t.start..<t.end]), as: UTF8.self)
    }

    @inline(__always)
    private static func slice(_ t: IATIText, _ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[t.start..<t.end])
    }

    override func endElement(_ s: XMLStream, _ name: XMLName) {
        let d = s.depth
        if let f = field {
            if name == nNarrative && d == fieldDepth + 1 && !narrativeTaken {
                narrativeText = collectedText(s)
                narrativeTaken = true
            } else if d == fieldDepth {
                let text = narrativeTaken ? narrativeText : collectedText(s)
                switch f {
                case .identifier: activity?.identifier = Self.string(text, laidOut)
                case .title: activity?.title = Self.string(text, laidOut)
                case .reportingOrg: activity?.reportingOrgName = Self.string(text, laidOut)
                case .value: transaction?.valueText = text
                case .description: transaction?.description = text
                case .provider: transaction?.providerName = text
                case .receiver: transaction?.receiverName = text
                case .budgetValue:
                    activity?.budgets.append((budgetType ?? "", Self.string(text, laidOut), budgetCurrency))
                }
                field = nil
                s.endText()
            }
        }
        if budgetType != nil && d == activityDepth + 1 && name == nBudget { budgetType = nil }
        if d == transactionDepth {
            // Moved, not copied: take() leaves nil behind.
            if let t = transaction.take() { activity?.transactions.append(t) }
            transactionDepth = 0
        } else if d == activityDepth {
            if var a = activity.take() {
                if let onActivity {
                    a.bytes = Array(laidOut)
                    onActivity(a)
                    a.bytes = []
                }
                emit(a)
                a.transactions.removeAll(keepingCapacity: true)
                swap(&a.transactions, &spareTransactions)
            }
            activityDepth = 0
        }
    }

    /// `identifier#ordinal`, made in one allocation.
    static func nativeId(_ identifier: String, _ ordinal: Int) -> String {
        var identifier = identifier
        return identifier.withUTF8 { id in
            String(unsafeUninitializedCapacity: id.count + 21) { out in
                var n = 0
                for b in id { out[n] = b; n += 1 }
                out[n] = UInt8(ascii: "#"); n += 1
                var digits = 1, v = ordinal
                while v >= 10 { v /= 10; digits += 1 }
                v = ordinal
                for k in stride(from: n + digits - 1, through: n, by: -1) { out[k] = UInt8(0x30 + v % 10); v /= 10 }
                return n + digits
            }
        }
    }

    private func emit(_ a: IATIActivity) {
        // The activity's default currency, resolved once for all its transactions.
        let defaultCurrency = a.defaultCurrency.isEmpty ? nil : Currency(code: a.defaultCurrency)
        let b = laidOut
        // Each transaction is lent where it lies, not copied out.
        var kept: [Kept] = []
        for i in a.transactions.indices {
            if let k = emit(a.transactions[i], of: a, defaultCurrency, b) { kept.append(k) }
        }
        if grantsIn, !kept.isEmpty, let grant = grant(a, kept, defaultCurrency) { sink.loadSummary(.grant(grant)) }
    }

    /// What a grant record needs of a transaction loaded for grants in.
    struct Kept {
        var type: String
        var money: Money
        var day: Day
        var receiverRef: String, receiverName: String
        var providerRef: String, providerName: String
    }

    /// The activity as a grant to the organisation, from the transactions
    /// of it that were loaded; nil when neither a commitment nor a budget
    /// says what was awarded.
    private func grant(_ a: IATIActivity, _ kept: [Kept], _ defaultCurrency: Currency?) -> GrantRecord? {
        func sum(_ amounts: [Money]) -> Money? {
            guard let first = amounts.first else { return nil }
            var total: Int64 = 0
            for m in amounts where m.currency == first.currency {
                let (t, overflow) = total.addingReportingOverflow(m.minorUnits)
                if overflow { return nil }
                total = t
            }
            return Money(minorUnits: total, currency: first.currency)
        }
        let commitments = kept.filter { IATIReader.commitmentTypes.contains($0.type) }
        var awarded = sum(commitments.map(\.money))
        if awarded == nil {
            let revised = a.budgets.filter { $0.type == "2" || $0.type.lowercased() == "revised" }
            var values: [Money] = []
            for budget in revised.isEmpty ? a.budgets : revised {
                let currency = budget.currency.isEmpty ? defaultCurrency : Currency(code: budget.currency)
                var rounded = 0, tooLarge = false
                guard let currency, let units = Array(budget.value.utf8).withUnsafeBytes({
                    AmountParser.xmlValue($0, digits: currency.minorDigits, rounded: &rounded, tooLarge: &tooLarge)
                }) else { continue }
                values.append(Money(minorUnits: units, currency: currency))
            }
            awarded = sum(values)
        }
        guard let awarded else { return nil }
        func date(_ codes: String...) -> Day? {
            for code in codes { if let text = a.dates[code], let d = Day(iso: String(text.prefix(10))) { return d } }
            return nil
        }
        let start = date("1", "start-planned", "2", "start-actual")
        let end = date("3", "end-planned", "4", "end-actual")
        let payer = commitments.first ?? kept[0]
        let receiver = kept.first { !$0.receiverRef.isEmpty || !$0.receiverName.isEmpty } ?? kept[0]
        return GrantRecord(
            identifier: a.identifier, title: a.title, amountAwarded: awarded,
            awardDate: commitments.map(\.day).min() ?? start ?? kept.map(\.day).min()!,
            recipientId: receiver.receiverRef, recipientName: receiver.receiverName,
            funderId: payer.providerRef.isEmpty ? a.reportingOrgRef : payer.providerRef,
            funderName: payer.providerName.isEmpty ? a.reportingOrgName : payer.providerName,
            plannedStart: start, plannedEnd: end, otherIdentifiers: a.otherIdentifiers, summarisesMovements: true,
            location: a.location)
    }

    @discardableResult
    private func emit(_ t: IATITransaction, of a: IATIActivity, _ defaultCurrency: Currency?, _ b: UnsafeBufferPointer<UInt8>) -> Kept? {
        var currency: Currency? = nil
        var currencyProblem: String? = nil
        if t.valueCurrency.isEmpty {
            if a.defaultCurrency.isEmpty {
                currencyProblem = "the value has no currency and the activity no default-currency (expected <value currency=\"GBP\"> or <iati-activity default-currency=\"GBP\">)"
            } else if let c = defaultCurrency {
                currency = c
            } else {
                currencyProblem = "\"\(a.defaultCurrency)\" is not a currency (expected an ISO 4217 code such as GBP)"
            }
        } else if let c = XMLText.currency(Self.slice(t.valueCurrency, b)) {
            currency = c
        } else {
            currencyProblem = "\"\(Self.string(t.valueCurrency, b))\" is not a currency (expected an ISO 4217 code such as GBP)"
        }
        var money: Money? = nil
        var tooLarge = false
        if let currency, let units = AmountParser.xmlValue(UnsafeRawBufferPointer(Self.slice(t.valueText, b)), digits: currency.minorDigits,
                                                           rounded: &rounded, tooLarge: &tooLarge) {
            money = Money(minorUnits: units, currency: currency)
        }
        let location = SourceLocation(file: displayPath, line: t.line, path: Self.string(t.path, b))
        // Where a child element of the transaction is, for errors.
        func childLocation(_ child: String, line: Int) -> SourceLocation {
            guard line > 0 else { return location }
            return SourceLocation(file: location.file, line: line, path: (location.path ?? "") + "/" + child)
        }

        var receiverRef = "", receiverName = ""
        if grantsIn {
            let typeCode = Self.string(t.typeCode, b)
            let type = typeCode.uppercased()
            if !IATIReader.incomingTypes.contains(type) {
                let label = IATIReader.typeNames[type].map { " (\($0))" } ?? ""
                let shown = typeCode.isEmpty ? "no transaction type" : "transaction type \(typeCode)\(label)"
                sink.skip(location, check: .skipTransactionType,
                          "\(shown): not a commitment or disbursement to the organisation", amount: money)
                return nil
            }
            receiverRef = Self.string(t.receiverRef, b)
            receiverName = Self.string(t.receiverName, b)
            if receiverRef.isEmpty && receiverName.isEmpty && IATIReader.receivedByReporter.contains(type) {
                receiverRef = a.reportingOrgRef
                receiverName = a.reportingOrgName
            }
            let ids = reader.organisationIds
            let matches = (!receiverRef.isEmpty && ids.contains(IATIReader.normalisedId(receiverRef)))
                || (!receiverName.isEmpty && ids.contains(IATIReader.normalisedId(receiverName)))
            if !matches {
                let who = [receiverRef, receiverName].filter { !$0.isEmpty }.joined(separator: " ")
                let message = who.isEmpty
                    ? "the transaction names no receiver-org, so it is not known to be for the organisation"
                    : "the receiver is \(who), not the organisation"
                sink.skip(location, check: .skipOtherOrganisation, message, amount: money)
                return nil
            }
        }

        if a.identifier.isEmpty {
            sink.reject(location, check: .rejectIdentifier,
                        "the activity has no <iati-identifier> (expected one, such as GB-CHC-1234567-AB12)", amount: money)
            return nil
        }
        if let currencyProblem {
            sink.reject(childLocation("value", line: t.valueLine), check: .rejectCurrency, currencyProblem)
            return nil
        }
        guard let money else {
            let text = Self.string(t.valueText, b)
            let message = tooLarge ? AmountParser.tooLargeMessage(text, digits: currency?.minorDigits ?? 2)
                : (t.valueText.isEmpty ? "the value is empty" : "\"\(text)\" is not an amount") + " (expected a number such as 1234.56)"
            sink.reject(childLocation("value", line: t.valueLine), check: .rejectAmount, message)
            return nil
        }
        guard let day = Day(iso: Self.slice(t.date, b)) ?? Day(iso: Self.slice(t.valueDate, b)) else {
            let shown = t.date.isEmpty ? "the transaction has no transaction-date/@iso-date" : "\"\(Self.string(t.date, b))\" is not a date"
            sink.reject(childLocation("transaction-date", line: t.dateLine), check: .rejectDate,
                        "\(shown) (expected <transaction-date iso-date=\"2023-04-01\"/>)", amount: money)
            return nil
        }
        let ref = Self.string(t.ref, b)
        let movement = Movement(
            date: day, amount: money, account: a.identifier, accountName: a.title,
            counterparty: Self.string(t.providerName, b, reusing: &lastProviderName),
            counterpartyId: Self.string(t.providerRef, b, reusing: &lastProviderRef),
            description: Self.string(t.description, b, reusing: &lastDescription),
            reference: ref.isEmpty ? a.identifier : ref, nativeId: Self.nativeId(a.identifier, t.ordinal),
            kind: Self.string(t.typeCode, b, reusing: &lastKind), location: location)
        let kept = grantsIn ? Kept(type: movement.kind.uppercased(), money: movement.amount, day: day, receiverRef: receiverRef,
                                   receiverName: receiverName, providerRef: movement.counterpartyId, providerName: movement.counterparty) : nil
        sink.load(.movement(movement), amount: money.minorUnits)
        return kept
    }
}
