import Dispatch
import RedistModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading a large XML file on both cores: a file whose root holds many
/// independent records (IATI's `<iati-activity>` elements) is cut into
/// pieces at record start tags, and each piece is parsed on its own (by the
/// scanner, or libxml2 when the scanner declines it), framed by the file's
/// header (declaration and root start tag) and the root's end tag. Three
/// pieces are in flight while the one before them is handed on, in file
/// order (so a thread that finishes a piece early always has the next one),
/// and memory stays bounded by four pieces whatever the file's size.
///
/// Lines and element paths are the file's own: each piece knows how many
/// lines and records come before it.
///
/// Cutting never changes what is read. A cut that is not between two
/// records at the top level (a record tag inside a comment, a CDATA section
/// or a deeper element) leaves the piece before it unbalanced, so that piece
/// fails; whenever a piece fails, the file is read again in one pass from
/// the start of that piece (everything before it was read correctly), and
/// that pass's result, error included, is the file's. The header is checked
/// the same way before any piece is parsed.
enum XMLPieces {
    /// Bytes per piece (the last piece may be up to twice this).
    nonisolated(unsafe) static var pieceBytes = 4 << 20
    /// Smaller files are read in one pass.
    nonisolated(unsafe) static var minimumFileBytes = 16 << 20

    /// What the planner found: the header, its root's end tag, and where
    /// each piece starts (at a record start tag).
    struct Plan {
        var header: [UInt8]
        var closing: [UInt8]
        var starts: [Int]
        var record: String

        /// Piece `i`, framed; with `toEnd`, running to the end of the file;
        /// `lines` and `records` before it when they are known.
        func piece(_ i: Int, toEnd: Bool = false, lines: Int = 0, records: Int32 = 0) -> XMLStream.Piece {
            let last = toEnd || i == starts.count - 1
            return XMLStream.Piece(header: i == 0 ? [] : header, start: i == 0 ? 0 : starts[i],
                                   end: last ? nil : starts[i + 1], closing: last ? [] : closing,
                                   lineOffset: lines, recordOffset: records)
        }
    }

    /// Plans the pieces of a plain file whose records are `<record …>`
    /// children of the root: the header is everything before the first
    /// record tag (in the first megabyte), and a piece starts at the first
    /// record tag after each `pieceBytes`. Nil when the file is better read
    /// in one pass (small, compressed, UTF-16, a DOCTYPE, no record tag
    /// where one is looked for).
    static func plan(path: String, record: String) -> Plan? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { _ = close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, Int(st.st_size) >= minimumFileBytes else { return nil }
        let size = Int(st.st_size)
        let tag = Array(("<" + record).utf8)
        let window = 1 << 20
        let block = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: window)
        defer { block.deallocate() }

        /// The first record tag at or after `from`, within a window: 64 KB
        /// first (a tag is usually within a few), then the whole megabyte.
        /// Planning reads before any piece starts, so it reads little.
        func nextRecord(from: Int) -> Int? {
            for span in [64 << 10, window] {
                let n = pread(fd, block.baseAddress, min(span, size - from), off_t(from))
                guard n > tag.count else { return nil }
                var i = 0
                while i + tag.count < n {
                    if block[i] == 0x3C && isRecordStart(block, at: i, tag) { return from + i }
                    i += 1
                }
                if n < span { return nil }
            }
            return nil
        }

        let n = pread(fd, block.baseAddress, min(window, size), 0)
        guard n > 4, !(block[0] == 0x1f && block[1] == 0x8b), block[0] != 0xFE, block[0] != 0xFF, block[0] != 0 else { return nil }
        guard let first = nextRecord(from: 0) else { return nil }
        let header = Array(block[0..<first])
        guard !header.isEmpty, let closing = closingTag(header) else { return nil }
        var starts = [first]
        var target = first + pieceBytes
        while target + pieceBytes / 2 < size, let next = nextRecord(from: target) {
            starts.append(next)
            target = next + pieceBytes
        }
        guard starts.count >= 2 else { return nil }
        return Plan(header: header, closing: closing, starts: starts, record: record)
    }

    @inline(__always)
    static func isRecordStart(_ block: UnsafeMutableBufferPointer<UInt8>, at i: Int, _ tag: [UInt8]) -> Bool {
        var k = 1
        while k < tag.count {
            if block[i + k] != tag[k] { return false }
            k += 1
        }
        let after = block[i + tag.count]
        return after == 0x20 || after == 0x3E || after == 0x0A || after == 0x0D || after == 0x09 || after == 0x2F
    }

    /// `</name>` for the root start tag the header ends with; nil when the
    /// header is not a declaration, comments and one start tag.
    static func closingTag(_ header: [UInt8]) -> [UInt8]? {
        var i = 0
        while i < header.count {
            guard header[i] == 0x3C, i + 1 < header.count else { i += 1; continue }
            let next = header[i + 1]
            if next == 0x3F || next == 0x21 {  // <? … ?> or <!-- … -->; a DOCTYPE is for the one-pass reader to refuse
                if next == 0x21 && !(i + 3 < header.count && header[i + 2] == 0x2D && header[i + 3] == 0x2D) { return nil }
                let end: [UInt8] = next == 0x3F ? [0x3F, 0x3E] : [0x2D, 0x2D, 0x3E]
                guard let j = find(end, in: header, from: i + 2) else { return nil }
                i = j + end.count
                continue
            }
            var j = i + 1
            while j < header.count, !XMLText.isSpace(header[j]), header[j] != 0x3E, header[j] != 0x2F { j += 1 }
            guard j > i + 1 else { return nil }
            return [0x3C, 0x2F] + header[(i + 1)..<j] + [0x3E]
        }
        return nil
    }

    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        var i = from
        while i + needle.count <= hay.count {
            if hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// What one piece's parse produced, to hand on in order. Its lines and
    /// element paths count from the piece's own start until `hand` moves
    /// them to the file's.
    final class Outcome: @unchecked Sendable {
        let records: RecordBuffer
        /// The sink the piece was read into: its findings, and how each came.
        private(set) var sink = RecordSink { _ in }
        var failed = false
        /// The piece's record start tags, counted in its bytes before it is
        /// parsed (nil when they were not); and the records before it, from
        /// the counts of the pieces before (nil when one of them was not
        /// counted), published once. (Lines are not counted ahead: the
        /// scanner counts them as it goes, and moving a record's line when it
        /// is handed on is one addition.)
        var counted: Int32?
        var before: Int32?
        private var published = false
        private let publication = DispatchSemaphore(value: 0)
        /// The line and record offsets the piece was parsed with.
        var used: (lines: Int, records: Int32) = (0, 0)

        /// Publishes `counted` and `before` (once; later calls do nothing).
        func publish() {
            guard !published else { return }
            published = true
            publication.signal()
        }

        /// The records up to the end of this piece, by count; waits until
        /// this piece has published them.
        func through() -> Int32? {
            publication.wait()
            publication.signal()
            guard let before, let counted else { return nil }
            return before + counted
        }
        /// Line breaks in the piece's bytes of the file, and records (the root's children) in it.
        var lines = 0
        var recordCount: Int32 = 0
        let done = DispatchSemaphore(value: 0)

        /// `expectedRecords`: room for this many records from the start
        /// (the previous piece's count), so the buffer need not grow.
        init(expectedRecords: Int, reusing spare: RecordBuffer?) {
            records = spare ?? RecordBuffer(capacity: expectedRecords)
        }

        /// A fresh sink that buffers records here, every finding kept (the
        /// sink they are handed to keeps what it keeps); records and
        /// findings of an earlier attempt are dropped.
        func buffer() -> RecordSink {
            records.removeAll()
            let records = self.records
            sink = RecordSink { (record: consuming SourceRecord) in records.append(record) }
            sink.keepPerCheck = .max
            sink.notesKinds = true
            return sink
        }
    }

    /// Parses the plan's pieces, three in flight, with `parse` (which reads one
    /// piece into a sink and says how many line breaks and records the
    /// piece's own bytes held, or throws `FileFailure`), handing each
    /// piece's records and findings to `sink` in file order. A piece that
    /// fails is read again with the rest of the file in one pass, straight
    /// into `sink`.
    static func run(_ plan: Plan, into sink: RecordSink,
                    parse: @Sendable @escaping (XMLStream.Piece, RecordSink, XMLStream.Engine) throws -> (lines: Int, records: Int32)) throws {
        // The header must end between top-level markup: framed on its own, it parses.
        let check = RecordSink { _ in }
        let headerRecords = try? parse(XMLStream.Piece(header: plan.header, start: plan.starts[0], end: plan.starts[0], closing: plan.closing), check, .libxml2).records
        guard headerRecords == 0 else {
            // Not a clean header (or one with children of the root before the first record, which every piece would repeat).
            _ = try parse(plan.piece(0, toEnd: true), sink, .libxml2)
            return
        }
        let headerLines = plan.header.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        // Three pieces are parsed while this thread hands on the one before them, in order.
        let queue = DispatchQueue(label: "redist.xml-pieces", attributes: .concurrent)
        let firstEngine = XMLStream.preferredEngine  // read here: a task's choice does not reach the queue's threads
        let count = plan.starts.count
        var outcomes: [Outcome?] = Array(repeating: nil, count: count)
        var launched = 0
        var expectedRecords = 1024
        // Handed-on pieces' record buffers, empty, for the next pieces (their memory is already mapped).
        var spare: [RecordBuffer] = []
        func launch() {
            let index = launched, outcome = Outcome(expectedRecords: expectedRecords, reusing: spare.popLast())
            outcomes[index] = outcome
            let previous = index > 0 ? outcomes[index - 1] : nil
            queue.async {
                defer { outcome.publish() }  // whatever happens, the next piece is not kept waiting
                // Before it is parsed, a scanned piece counts its records and
                // takes those before it from the pieces before: its element
                // paths are then the file's from the start, and need no
                // rewriting when it is handed on.
                var piece = plan.piece(index)
                piece.prepare = { stream in
                    if outcome.counted == nil { outcome.counted = stream.countInPiece(record: plan.record) }
                    if index == 0 {
                        outcome.before = 0
                    } else if outcome.before == nil {
                        outcome.before = previous?.through()
                    }
                    outcome.publish()
                    if let before = outcome.before {
                        outcome.used = (0, before)
                        stream.setOffsets(lines: 0, records: before)
                    }
                }
                // The scanner first; what it declines, libxml2 reads.
                var engine = firstEngine
                while true {
                    do {
                        (outcome.lines, outcome.recordCount) = try parse(piece, outcome.buffer(), engine)
                    } catch is XMLScanner.Declined where engine == .scanner {
                        engine = .libxml2
                        continue
                    } catch {
                        outcome.failed = true
                    }
                    break
                }
                outcome.done.signal()
            }
            launched += 1
        }
        while launched < min(3, count) { launch() }
        var linesBefore = 0  // line breaks before the current piece's first byte
        var recordsBefore: Int32 = 0
        for index in 0..<count {
            let outcome = outcomes[index]!
            outcome.done.wait()
            outcomes[index] = nil
            // A piece after the first carries the header's lines too.
            let lineShift = index == 0 ? 0 : linesBefore - headerLines
            if outcome.failed {
                for later in (index + 1)..<launched { outcomes[later]!.done.wait() }
                _ = try parse(plan.piece(index, toEnd: true, lines: lineShift, records: recordsBefore), sink, .libxml2)
                return
            }
            expectedRecords = max(expectedRecords, outcome.records.count + outcome.records.count / 4)
            if launched < count { launch() }
            // Moved only as far as the counts before parsing were wrong (a record tag in a comment, say).
            hand(outcome, to: sink, lines: lineShift - outcome.used.lines, records: recordsBefore - outcome.used.records, record: plan.record)
            spare.append(outcome.records)
            linesBefore += outcome.lines
            recordsBefore += outcome.recordCount
        }
    }

    /// A piece's records and findings into the file's sink, at the file's
    /// own lines and paths (`record` names the root's children whose
    /// ordinals move): loads as loads, rejects as rejects, skips as skips,
    /// reports as reports.
    static func hand(_ outcome: Outcome, to sink: RecordSink, lines: Int, records: Int32, record: String) {
        func shift(_ l: inout SourceLocation) {
            l.line += lines
            if records != 0, let p = l.path { l.path = shiftingOrdinal(p, of: record, by: records) }
        }
        // Records are moved out of the buffer, never copied.
        let shifting = lines != 0 || records != 0
        let amounts = outcome.sink.loadedAmounts
        var i = 0
        outcome.records.drain { (r: consuming SourceRecord) in
            let amount = amounts[i]
            i += 1
            guard shifting else {
                sink.load(r, amount: amount)
                return
            }
            var r = consume r
            switch consume r {
            case .movement(var m): shift(&m.location); r = .movement(consume m)
            case .grant(var g): shift(&g.location); r = .grant(consume g)
            case .member(var m): shift(&m.location); r = .member(consume m)
            case .balance(var b): shift(&b.location); r = .balance(consume b)
            }
            sink.load(r, amount: amount)
        }
        for (var d, kind) in zip(outcome.sink.diagnostics, outcome.sink.findingKinds) {
            shift(&d.location)
            switch kind {
            case .reject: sink.reject(d.location, check: d.check, d.message, amount: d.amount)
            case .skip: sink.skip(d.location, check: d.check, d.message, amount: d.amount)
            case .report: sink.report(d)
            }
        }
    }

    /// Records kept in order and handed on by moving them out: an array
    /// would copy each one (retaining its strings) to hand it on.
    final class RecordBuffer {
        private var base: UnsafeMutablePointer<SourceRecord>
        private var capacity: Int
        private(set) var count = 0

        init(capacity: Int = 1024) {
            self.capacity = max(capacity, 16)
            base = .allocate(capacity: self.capacity)
        }

        func append(_ record: consuming SourceRecord) {
            if count == capacity { base = movedToDoubled(base, count: count, capacity: &capacity) }
            (base + count).initialize(to: record)
            count += 1
        }

        /// Drops every record.
        func removeAll() {
            base.deinitialize(count: count)
            count = 0
        }

        /// Each record in order, moved out; the buffer is empty afterwards.
        func drain(_ body: (consuming SourceRecord) -> Void) {
            let n = count
            count = 0
            for i in 0..<n { body((base + i).move()) }
        }

        deinit {
            base.deinitialize(count: count)
            base.deallocate()
        }
    }

    /// `/root/record[3]/…` with the record's ordinal moved by `by`.
    static func shiftingOrdinal(_ path: String, of record: String, by: Int32) -> String {
        var path = path
        return path.withUTF8 { p -> String? in
            // The second segment: after "/" + root + "/".
            guard p.count > 1, p[0] == 0x2F, let second = p[1...].firstIndex(of: 0x2F),
                  let open = p[second...].firstIndex(of: 0x5B), let close = p[open...].firstIndex(of: 0x5D) else { return nil }
            var n: Int32 = 0
            for i in (open + 1)..<close {
                let d = p[i] &- 0x30
                guard d < 10 else { return nil }
                n = n * 10 + Int32(d)
            }
            var out = [UInt8]()
            out.reserveCapacity(p.count + 4)
            out.append(contentsOf: p[...open])
            out.append(contentsOf: String(n + by).utf8)
            out.append(contentsOf: p[close...])
            return String(decoding: out, as: UTF8.self)
        } ?? path
    }
}
