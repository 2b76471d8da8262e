import Foundation
@testable import RedistModel
import Testing

/// `AmountParser.parse` reads the usual spelling in one pass (`plain`) and
/// everything else the general way: both must agree on every input.
@Suite("Amount parser fast path")
struct AmountParserFastPathTests {
    @Test func fastPathAgreesWithGeneral() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789,.-+() $".utf8) + [0xC2, 0xA3, 0xC2, 0xA3]
        // Parsers that know only the decimals (any symbol), and parsers for a
        // currency, whose own symbol alone is accepted.
        let parsers = [0, 2, 3].flatMap { digits in [false, true].map { AmountParser(digits: digits, decimalComma: $0) } }
            + ["GBP", "USD", "EUR", "JPY"].flatMap { code in
                [false, true].map { AmountParser(currency: Currency(code: code)!, decimalComma: $0) }
            }
        for parser in parsers {
            let digits = parser.digits, decimalComma = parser.decimalComma
            do {
                var inputs: [[UInt8]] = ["1,234.56", "1234.56", "-12.00", "0.5", "1,23.00", "12,345,678.90", "1,2345.00", "-",
                                         "", ",", "1,", "1.", ".5", "1.234,56", "123456789012345678.00", "00.10",
                                         "£1,234.56", "-£12.00", "£-12.00", "$1,150.00", "-$0.96", "£", "-£", "£.50",
                                         "£1,2345.00", "££1.00", "$£1.00", "£$1.00", "€12.00"].map { Array($0.utf8) }
                for _ in 0..<3000 {
                    inputs.append((0..<Int.random(in: 1...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
                }
                for input in inputs {
                    let fast = input.withUnsafeBytes { parser.parse($0) }
                    let general = input.withUnsafeBytes { parser.general($0).value }
                    #expect(fast == general, "\(String(decoding: input, as: UTF8.self)) digits \(digits) comma \(decimalComma)")
                }
            }
        }
    }
}
