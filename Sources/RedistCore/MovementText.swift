import RedistModel

/// A movement's text fields as UTF-8 bytes, for writers that lay out a
/// large file byte by byte instead of making a `String` per field.
public enum MovementText: Sendable {
    case fund, account, accountName, counterparty, counterpartyId, description, reference, source, file, currencyCode
}

extension ClassifiedMovement {
    /// Calls `body` with the field's UTF-8 (valid only during the call).
    public func withUTF8<R>(_ field: MovementText, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let c = table.c
        func text(_ i: Int32) -> R {
            var s = c.strings[Int(i)]
            return s.withUTF8(body)
        }
        switch field {
        case .fund: return text(c.fund[row])
        case .account: return text(c.account[row])
        case .accountName: return text(c.accountName[row])
        case .counterparty: return text(c.counterparty[row])
        case .counterpartyId: return text(c.counterpartyId[row])
        case .description: return c.description.withBytes(row, body)
        case .reference: return c.reference.withBytes(row, body)
        case .source: return text(c.source(row))
        case .file: return text(c.file(row))
        case .currencyCode:
            var s = c.currencies[Int(c.currency[row])].code
            return s.withUTF8(body)
        }
    }

    /// The number of the movement's description among the table's distinct
    /// descriptions, and the table it belongs to, so a writer can keep what
    /// it works out per description.
    public var descriptionKey: (table: ObjectIdentifier, value: Int32) { (ObjectIdentifier(table), table.c.description.valueNumber(row)) }

    /// The day as days since 1970-01-01 (`Day.ordinal`), without making a `Day`.
    public var dayNumber: Int { Int(table.c.day[row]) }

    /// True when the movement is dated in the period (integers only).
    public func isDated(in period: Period) -> Bool {
        let d = Int(table.c.day[row])
        return d >= period.start.ordinal && d <= period.end.ordinal
    }

    /// The line of the source file it was read from.
    public var line: Int { Int(table.c.line[row]) }

    /// Signed amount in minor units, without making a `Money`.
    public var amountMinorUnits: Int64 { table.c.amount[row] }

    /// Digits after the point of the movement's currency.
    public var minorDigits: Int { table.c.currencies[Int(table.c.currency[row])].minorDigits }

    /// Appends `id`'s UTF-8 to `out` without making a `String`.
    public func appendId(to out: inout [UInt8]) {
        let c = table.c
        if !c.explicitId.isEmpty { out.append(contentsOf: c.explicitId[row].utf8); return }
        var source = c.strings[Int(c.source(row))]
        source.withUTF8 { out.append(contentsOf: $0) }
        out.append(UInt8(ascii: ":"))
        if c.nativeId.isEmpty(row) {
            out.append(contentsOf: "h:".utf8)
            let v = UInt64(bitPattern: c.identity[row])
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            for shift in stride(from: 60, through: 0, by: -4) { out.append(hex[Int((v >> UInt64(shift)) & 0xF)]) }
        } else {
            out.append(contentsOf: "id:".utf8)
            c.nativeId.withBytes(row) { out.append(contentsOf: $0) }
        }
        out.append(UInt8(ascii: ":"))
        Self.appendDecimal(Int64(c.occurrence[row]), to: &out)
    }

    /// A whole number in decimal, as `String(_:)` writes it.
    public static func appendDecimal(_ v: Int64, to out: inout [UInt8]) {
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
