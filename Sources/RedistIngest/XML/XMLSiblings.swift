/// How many children of each name every open element has had so far,
/// which gives each element its ordinal among its same-named siblings
/// (`transaction[2]` in an element path).
///
/// The counters are a stack: the children's counters of the element at
/// depth d are the entries `levelStart[d]..<levelStart[d + 1]` (the
/// document is depth 0), and an element's end pops its children's. A level
/// with few names is searched from its end (the common case: an IATI
/// activity has about twenty); a level with more than `linearLimit` names
/// is found through a hash index keyed by (depth, name), so an element
/// with thousands of distinct child names costs the same per child as one
/// with ten. Index slots are never deleted: a slot is believed only when
/// the entry it points at is in its level and has its name (names are
/// unique within a level), and the index is rebuilt from the live entries
/// when it fills, so its size follows the open levels, not the file.
struct XMLSiblings {
    /// Levels with at most this many names are searched linearly (a
    /// camt.053 entry has nine: with eight, every entry built an index).
    static let linearLimit = 16

    private(set) var names: UnsafeMutablePointer<XMLName?>
    private(set) var counts: UnsafeMutablePointer<Int32>
    private(set) var count = 0
    private var capacity = 256
    /// Where each depth's counters start; `levelStart[depth + 1]` is set on push.
    private let levelStart: UnsafeMutablePointer<Int>
    private let maxDepth: Int

    private struct Slot {
        var name: XMLName?
        var depth: Int32
        var index: Int32
    }
    private var slots: UnsafeMutablePointer<Slot>? = nil
    private var slotCapacity = 0
    /// Slots filled since the index was last rebuilt (live or stale).
    private var slotsUsed = 0

    /// Comparisons and index probes made, for tests: it grows with the
    /// number of elements, not with their square.
    private(set) var probes = 0

    init(maxDepth: Int) {
        self.maxDepth = maxDepth
        names = .allocate(capacity: capacity)
        counts = .allocate(capacity: capacity)
        levelStart = .allocate(capacity: maxDepth + 2)
        levelStart[0] = 0
    }

    func deallocate() {
        names.deallocate()
        counts.deallocate()
        levelStart.deallocate()
        slots?.deallocate()
    }

    /// Bytes held by the counters and the index.
    var bytesHeld: Int {
        capacity * (MemoryLayout<XMLName>.stride + MemoryLayout<Int32>.stride) + slotCapacity * MemoryLayout<Slot>.stride
    }

    /// A child named `name` starts under the element at `depth` (0: the
    /// document): its ordinal among its same-named siblings, the first
    /// counted from `firstOrdinal`. Opens the child's own level (depth + 1).
    @inline(__always)
    mutating func push(_ name: XMLName, depth: Int, firstOrdinal: Int32 = 1) -> Int32 {
        let first = levelStart[depth]
        let size = count - first
        var ordinal = firstOrdinal
        if size <= Self.linearLimit {
            // Names compared by address (they are never nil in the level).
            let key = Int(bitPattern: name)
            var i = count
            while i > first {
                i &-= 1
                if Int(bitPattern: names[i]) == key {
                    probes &+= count &- i
                    counts[i] += 1
                    levelStart[depth + 1] = count
                    return counts[i]
                }
            }
            probes &+= size
            append(name, ordinal)
            if size + 1 > Self.linearLimit { indexLevel(depth) }
        } else if let i = lookUp(name, depth: depth, first: first) {
            counts[i] += 1
            ordinal = counts[i]
        } else {
            append(name, ordinal)
            insert(name, depth: depth, index: count - 1)
        }
        levelStart[depth + 1] = count
        return ordinal
    }

    /// The element at `depth` ends: its children's counters go.
    @inline(__always)
    mutating func pop(depth: Int) {
        count = levelStart[depth]
    }

    private mutating func append(_ name: XMLName, _ ordinal: Int32) {
        if count == capacity {
            var c = capacity
            names = movedToDoubled(names, count: count, capacity: &c)
            c = capacity
            counts = movedToDoubled(counts, count: count, capacity: &c)
            capacity = c
        }
        names[count] = name
        counts[count] = ordinal
        count += 1
    }

    @inline(__always)
    private func slotIndex(_ name: XMLName, _ depth: Int) -> Int {
        let h = (UInt(bitPattern: name) &>> 3) &+ UInt(depth) &* 0x9E37_79B9
        return Int(truncatingIfNeeded: (h &* 0x9E37_79B9_7F4A_7C15) &>> 20) & (slotCapacity - 1)
    }

    /// The entry of `name` in the level at `depth`, through the index.
    private mutating func lookUp(_ name: XMLName, depth: Int, first: Int) -> Int? {
        guard let slots else { return nil }
        var s = slotIndex(name, depth)
        while true {
            probes += 1
            let slot = slots[s]
            guard let slotName = slot.name else { return nil }
            if slotName == name && Int(slot.depth) == depth {
                let i = Int(slot.index)
                // A stale slot points outside the level, or at another name.
                return i >= first && i < count && names[i] == name ? i : nil
            }
            s = (s + 1) & (slotCapacity - 1)
        }
    }

    /// Puts (depth, name) → index in the index, over a stale slot of the same key if there is one.
    private mutating func insert(_ name: XMLName, depth: Int, index: Int) {
        if slotsUsed * 2 >= slotCapacity { rebuild(top: depth) }
        var s = slotIndex(name, depth)
        while let slotName = slots![s].name {
            probes += 1
            if slotName == name && Int(slots![s].depth) == depth { break }
            s = (s + 1) & (slotCapacity - 1)
        }
        if slots![s].name == nil { slotsUsed += 1 }
        slots![s] = Slot(name: name, depth: Int32(depth), index: Int32(index))
    }

    /// A level has just outgrown the linear search: its entries go in the index.
    private mutating func indexLevel(_ depth: Int) {
        for i in levelStart[depth]..<count { insert(names[i]!, depth: depth, index: i) }
    }

    /// The entries of the open level at `d`, while a child of the element at `top` starts.
    private func level(_ d: Int, top: Int) -> Range<Int> {
        levelStart[d]..<(d == top ? count : levelStart[d + 1])
    }

    /// Empties the index and puts back the entries of the open levels
    /// (0...top) that use it, doubling it while they would fill more than a quarter.
    private mutating func rebuild(top: Int) {
        var live = 0
        for d in 0...top where level(d, top: top).count > Self.linearLimit { live += level(d, top: top).count }
        var wanted = max(slotCapacity, 64)
        while (live + 1) * 4 > wanted { wanted *= 2 }
        if wanted != slotCapacity || slots == nil {
            slots?.deallocate()
            slots = .allocate(capacity: wanted)
            slotCapacity = wanted
        }
        slots!.initialize(repeating: Slot(name: nil, depth: 0, index: 0), count: slotCapacity)
        slotsUsed = 0
        probes += slotCapacity
        for d in 0...top where level(d, top: top).count > Self.linearLimit {
            for i in level(d, top: top) { insertFresh(names[i]!, depth: d, index: i) }
        }
    }

    /// Insertion into an index just emptied (no stale slots, room assured).
    private mutating func insertFresh(_ name: XMLName, depth: Int, index: Int) {
        var s = slotIndex(name, depth)
        while slots![s].name != nil { s = (s + 1) & (slotCapacity - 1) }
        slots![s] = Slot(name: name, depth: Int32(depth), index: Int32(index))
        slotsUsed += 1
    }
}
