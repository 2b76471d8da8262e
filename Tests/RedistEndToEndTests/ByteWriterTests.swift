@testable import RedistReports
import RedistModel
import Testing

/// The byte-level writers of the large files give exactly what the general ones give.
@Suite("Byte writers")
struct ByteWriterTests {
    @Test func firstPartIsLargestRemaindersFirstPart() {
        var seed: UInt64 = 0x9E3779B97F4A7C15
        func next(_ bound: Int64) -> Int64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int64((seed >> 33) % UInt64(bound))
        }
        for _ in 0..<20_000 {
            let total = next(10_000_000), a = next(1_000_000_000), b = next(1_000_000_000)
            let expected = Apportion.largestRemainder(total: total, weights: [a, b])?[0] ?? 0
            #expect(EvidencePack.firstPart(of: total, a, b) == expected, "total \(total), weights \(a), \(b)")
        }
        #expect(EvidencePack.firstPart(of: 5, 0, 0) == (Apportion.largestRemainder(total: 5, weights: [0, 0])?[0] ?? 0))
        #expect(EvidencePack.firstPart(of: 3, 1, 1) == 2)
    }

    @Test func fieldsAreNeutralisedAndQuotedAsCSVWriterDoes() {
        let fields = ["", "plain", "a,b", "say \"hi\"", "line\nbreak", "=SUM(A1)", "-12.50", "+3", "-", "@home", "-1,000",
                      "\tx", "Café", "=\"x\",y", ".5", "-.", "1.2.3"]
        var writer = CSVWriter(header: ["h"])
        var bytes = CSVBytes(header: ["h"])
        for f in fields {
            writer.row([f])
            bytes.field(f)
            bytes.endRow()
        }
        writer.row(["x", "2024-01-05", "12.34"])
        bytes.field("x")
        bytes.date(Day(iso: "2024-01-05")!)
        bytes.amount(1234, digits: 2)
        bytes.endRow()
        writer.row([MoneyFormat.decimal(7, digits: 2), MoneyFormat.decimal(100_000, digits: 0), MoneyFormat.decimal(5, digits: 3)])
        bytes.amount(7, digits: 2)
        bytes.amount(100_000, digits: 0)
        bytes.amount(5, digits: 3)
        bytes.endRow()
        #expect(bytes.bytes == writer.bytes)
    }
}
