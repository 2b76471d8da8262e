import Foundation
@testable import RedistCore
import Testing

/// The table that finds the rows of a file that may repeat, and the bitmap
/// it turns into past 1.5M rows: neither may ever miss a repeat.
@Suite("Occurrence filter")
struct OccurrenceFilterTests {
    static func key(_ i: Int) -> Int64 { Int64(bitPattern: UInt64(i) &* 0xD6E8_FEB8_6659_FD93 ^ 0x1234_5678) }

    @Test func tableNamesTheFirstRowOfARepeat() {
        var filter = IdentityFilter()
        defer { filter.free() }
        for i in 0..<10_000 { _ = filter.insert(Self.key(i), row: i) }
        #expect(filter.isExact)
        for i in stride(from: 0, to: 10_000, by: 97) {
            guard case .repeats(let first) = filter.insert(Self.key(i), row: 10_000 + i) else {
                Issue.record("key \(i) not seen again")
                return
            }
            #expect(first <= i)   // its own row, or an earlier row sharing its fingerprint
        }
    }

    @Test func bitmapKeepsEveryKeySeenBeforeAndAfterTheSwitch() {
        var filter = IdentityFilter()
        defer { filter.free() }
        let total = IdentityFilter.maxEntries + 50_000
        for i in 0..<total { _ = filter.insert(Self.key(i), row: i) }
        #expect(!filter.isExact)
        // Every key seen, in the table's time or the bitmap's, may repeat.
        for i in stride(from: 0, to: total, by: 331) {
            #expect(filter.insert(Self.key(i), row: total + i) == .mayRepeat)
        }
        // Keys never seen are mostly new (the bitmap is 2^27 bits).
        var new = 0
        for i in 0..<10_000 where filter.insert(Self.key(total * 2 + i), row: 0) == .new { new += 1 }
        #expect(new > 9_000)
    }
}
