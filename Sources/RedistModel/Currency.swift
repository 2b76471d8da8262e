/// An ISO 4217 currency and how many minor digits it has.
public struct Currency: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let code: String
    public let minorDigits: Int

    public init(code: String, minorDigits: Int) {
        self.code = code
        self.minorDigits = minorDigits
    }

    /// The currency for an ISO code, or nil when the code is not three letters.
    /// Codes are upper-cased (`usd` is `USD`).
    public init?(code raw: String) {
        var bytes = raw
        // Three ASCII letters, as one number: the common case costs no allocation.
        let key: UInt32? = bytes.withUTF8 { b in
            guard b.count == 3 else { return nil }
            var k: UInt32 = 0
            for x in b {
                let upper = x & 0xDF
                guard upper >= 0x41 && upper <= 0x5A else { return nil }
                k = k << 8 | UInt32(upper)
            }
            return k
        }
        guard let key else { return nil }
        self.code = raw.utf8.allSatisfy({ $0 <= 0x5A }) ? raw : raw.uppercased()
        self.minorDigits = key == 0x47_42_50 ? 2 : Currency.exceptions[code] ?? 2  // GBP first
    }

    /// Currencies whose minor unit is not a hundredth.
    static let exceptions: [String: Int] = [
        "JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "XAF": 0, "XOF": 0, "UGX": 0, "PYG": 0, "RWF": 0,
        "BHD": 3, "JOD": 3, "KWD": 3, "OMR": 3, "TND": 3, "LYD": 3, "IQD": 3,
    ]

    public static let gbp = Currency(code: "GBP", minorDigits: 2)

    public static func < (lhs: Currency, rhs: Currency) -> Bool { lhs.code < rhs.code }
    public var description: String { code }
}
