#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RedistModel

/// A ledger row as the bytes of its text fields, handed to a sink that
/// totals or stores rows without needing values (`RecordSink(rows:)`), so
/// a row costs no `String` and no `Movement`. The bytes are valid UTF-8,
/// trimmed as `Movement`'s fields would be, and valid only during the call.
public struct MovementRow {
    public var date: Day
    public var amount: Money
    /// The file as shown to people, and the line where the row starts.
    public var file: String
    public var line: Int
    public var account: UnsafeRawBufferPointer
    public var accountName: UnsafeRawBufferPointer
    public var fund: UnsafeRawBufferPointer
    public var counterparty: UnsafeRawBufferPointer
    public var counterpartyId: UnsafeRawBufferPointer
    public var description: UnsafeRawBufferPointer
    public var reference: UnsafeRawBufferPointer
    public var nativeId: UnsafeRawBufferPointer

    public init(date: Day, amount: Money, file: String, line: Int, account: UnsafeRawBufferPointer,
                accountName: UnsafeRawBufferPointer, fund: UnsafeRawBufferPointer, counterparty: UnsafeRawBufferPointer,
                counterpartyId: UnsafeRawBufferPointer, description: UnsafeRawBufferPointer,
                reference: UnsafeRawBufferPointer, nativeId: UnsafeRawBufferPointer) {
        self.date = date
        self.amount = amount
        self.file = file
        self.line = line
        self.account = account
        self.accountName = accountName
        self.fund = fund
        self.counterparty = counterparty
        self.counterpartyId = counterpartyId
        self.description = description
        self.reference = reference
        self.nativeId = nativeId
    }

    /// The same row as a value, for sinks that keep records.
    public func movement() -> Movement {
        func s(_ b: UnsafeRawBufferPointer) -> String { String(decoding: b, as: UTF8.self) }
        return Movement(date: date, amount: amount, account: s(account), accountName: s(accountName), fund: s(fund),
                        counterparty: s(counterparty), counterpartyId: s(counterpartyId), description: s(description),
                        reference: s(reference), nativeId: s(nativeId), location: SourceLocation(file: file, line: line, column: 1))
    }
}

/// Distinct byte strings, each numbered once in order of first sight, so a
/// value that repeats on every row (an account, a fund, a contact) costs a
/// hash and a compare instead of a `String`. Pairs (an account's code and
/// name) are one key.
public final class ByteInterner {
    /// All state behind one pointer: the table is used once or more per
    /// row, and a class's stored `var`s would be checked for exclusive
    /// access at run time on every use.
    private struct State {
        var slots: UnsafeMutablePointer<Int32>      // entry + 1; 0 is empty
        var slotMask: Int
        var hashes: [UInt64] = []
        var ends: [Int] = [0]                        // entry i is storage[ends[i]..<ends[i + 1]]
        var storage: UnsafeMutablePointer<UInt8>
        var storageCapacity: Int
        var scratch: UnsafeMutablePointer<UInt8>
        var scratchCapacity = 256
        var count = 0
    }
    private let state: UnsafeMutablePointer<State>

    public var count: Int { state.pointee.count }

    public init() {
        let slots = UnsafeMutablePointer<Int32>.allocate(capacity: 1024)
        slots.initialize(repeating: 0, count: 1024)
        state = .allocate(capacity: 1)
        state.initialize(to: State(slots: slots, slotMask: 1023, storage: .allocate(capacity: 1 << 14),
                                   storageCapacity: 1 << 14, scratch: .allocate(capacity: 256)))
    }

    deinit {
        state.pointee.slots.deallocate()
        state.pointee.storage.deallocate()
        state.pointee.scratch.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// The number of `bytes`, and whether it was seen here for the first time.
    @inline(__always)
    public func intern(_ bytes: UnsafeRawBufferPointer) -> (index: Int, isNew: Bool) {
        Self.intern(bytes, state)
    }

    @inline(__always)
    private static func intern(_ bytes: UnsafeRawBufferPointer, _ t: UnsafeMutablePointer<State>) -> (index: Int, isNew: Bool) {
        let n = bytes.count
        let p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(t.pointee.scratch)
        let h = hash(p, n)
        let mask = t.pointee.slotMask
        let slots = t.pointee.slots
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[slot])
            if e == 0 { break }
            let i = e - 1
            if t.pointee.hashes[i] == h {
                let start = t.pointee.ends[i]
                if t.pointee.ends[i + 1] - start == n && (n == 0 || memcmp(t.pointee.storage + start, p, n) == 0) {
                    return (i, false)
                }
            }
            slot = (slot + 1) & mask
        }
        return (add(p, n, h, slot, t), true)
    }

    private static func add(_ p: UnsafePointer<UInt8>, _ n: Int, _ h: UInt64, _ slot: Int, _ t: UnsafeMutablePointer<State>) -> Int {
        let i = t.pointee.count
        let start = t.pointee.ends[i]
        if start + n > t.pointee.storageCapacity {
            var capacity = t.pointee.storageCapacity * 2
            while start + n > capacity { capacity *= 2 }
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            bigger.update(from: t.pointee.storage, count: start)
            t.pointee.storage.deallocate()
            t.pointee.storage = bigger
            t.pointee.storageCapacity = capacity
        }
        if n > 0 { (t.pointee.storage + start).update(from: p, count: n) }
        t.pointee.ends.append(start + n)
        t.pointee.hashes.append(h)
        t.pointee.count += 1
        t.pointee.slots[slot] = Int32(i + 1)
        if t.pointee.count * 2 > t.pointee.slotMask { grow(t) }
        return i
    }

    /// The number of the pair (`a`, `b`), as one key.
    public func intern(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> (index: Int, isNew: Bool) {
        let n = 4 + a.count + b.count
        if n > state.pointee.scratchCapacity {
            state.pointee.scratch.deallocate()
            state.pointee.scratchCapacity = max(n, state.pointee.scratchCapacity * 2)
            state.pointee.scratch = .allocate(capacity: state.pointee.scratchCapacity)
        }
        let scratch = UnsafeMutableRawPointer(state.pointee.scratch)
        scratch.storeBytes(of: UInt32(a.count).littleEndian, toByteOffset: 0, as: UInt32.self)
        if a.count > 0 { (scratch + 4).copyMemory(from: a.baseAddress!, byteCount: a.count) }
        if b.count > 0 { (scratch + 4 + a.count).copyMemory(from: b.baseAddress!, byteCount: b.count) }
        return intern(UnsafeRawBufferPointer(start: scratch, count: n))
    }

    public func intern(_ text: String) -> (index: Int, isNew: Bool) {
        var copy = text
        return copy.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    public func intern(_ a: String, _ b: String) -> (index: Int, isNew: Bool) {
        var x = a, y = b
        return x.withUTF8 { xa in y.withUTF8 { yb in intern(UnsafeRawBufferPointer(xa), UnsafeRawBufferPointer(yb)) } }
    }

    /// Entry `i`'s bytes as text.
    public func string(_ i: Int) -> String {
        let t = state.pointee
        return String(decoding: UnsafeBufferPointer(start: t.storage + t.ends[i], count: t.ends[i + 1] - t.ends[i]), as: UTF8.self)
    }

    /// Entry `i`, interned as a pair, as its two texts.
    public func pair(_ i: Int) -> (String, String) {
        let t = state.pointee
        let start = t.ends[i]
        let a = Int(UInt32(littleEndian: UnsafeRawPointer(t.storage + start).loadUnaligned(as: UInt32.self)))
        let first = String(decoding: UnsafeBufferPointer(start: t.storage + start + 4, count: a), as: UTF8.self)
        let second = String(decoding: UnsafeBufferPointer(start: t.storage + start + 4 + a, count: t.ends[i + 1] - start - 4 - a),
                            as: UTF8.self)
        return (first, second)
    }

    private static func grow(_ t: UnsafeMutablePointer<State>) {
        let size = (t.pointee.slotMask + 1) * 2
        t.pointee.slots.deallocate()
        let slots = UnsafeMutablePointer<Int32>.allocate(capacity: size)
        slots.initialize(repeating: 0, count: size)
        t.pointee.slots = slots
        t.pointee.slotMask = size - 1
        for i in 0..<t.pointee.count {
            var slot = Int(truncatingIfNeeded: t.pointee.hashes[i]) & (size - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = Int32(i + 1)
        }
    }

    /// Eight bytes at a time, mixed with multiplications (for the table only; not stored).
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h = UInt64(n) &* 0x9E37_79B9_7F4A_7C15
        var i = 0
        while i + 8 <= n {
            h = (h ^ UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        if i < n {
            var t: UInt64 = 0
            while i < n { t = (t << 8) | UInt64(p[i]); i += 1 }
            h = (h ^ t) &* 0x94D0_49BB_1331_11EB
        }
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }
}
