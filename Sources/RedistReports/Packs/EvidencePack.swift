import Crypto
import Foundation
import RedistCore
import RedistModel
import ZIPFoundation

/// A funder's evidence pack: `index.html`, `grants.csv`, `flows.csv` and
/// `manifest.json` in `evidence/<funder-slug>/`, and the same as a `.zip`.
/// Only the funder's own restricted flows are in it; unrestricted spending
/// appears only as an apportioned share, labelled so. Groups are named only
/// with consent; people never.
public struct EvidencePack {
    public let evidence: FunderEvidence
    public let data: Dataset
    public let pseudonymiser: Pseudonymiser

    public init(evidence: FunderEvidence, data: Dataset, pseudonymiser: Pseudonymiser) {
        self.evidence = evidence
        self.data = data
        self.pseudonymiser = pseudonymiser
    }

    var currency: Currency { data.pipeline.organisation.currency }
    func money(_ v: Int64) -> String { MoneyFormat.decimal(v, digits: currency.minorDigits) }

    /// Who may be named in this funder's pack, and what is written instead.
    var naming: NamingPolicy { NamingPolicy(.funderPack(evidence.funder), on: evidence.period.end) }

    public static let grantsHeader = ["identifier", "status", "award_date", "payment_date", "amount_awarded", "amount_disbursed",
                                      "fund", "programme", "recipient", "recipient_id", "region", "funded_by_grant",
                                      "planned_start", "planned_end", "duration_months"]
    public static let flowsHeader = ["date", "fund", "basis", "category", "direction", "amount", "funder_share", "counterparty",
                                     "transaction_id", "location"]

    func grantsCSV() -> [UInt8] {
        var csv = CSVWriter(header: Self.grantsHeader)
        let members = Dictionary(data.members.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let upstream = evidence.grantsIn.map(\.grant.identifier).joined(separator: ";")
        let naming = self.naming
        for g in evidence.grants.sorted(by: { ($0.paymentDate ?? $0.awardDate, $0.identifier) < ($1.paymentDate ?? $1.awardDate, $1.identifier) }) {
            let member = members[g.recipientId]
            let consent = naming.mayName(member)
            csv.row([g.identifier, g.paymentDate == nil ? "committed" : "paid", g.awardDate.description, g.paymentDate?.description ?? "",
                     money(g.amountAwarded.minorUnits), money(g.amountDisbursed?.minorUnits ?? 0), g.fund, g.programme,
                     consent ? (member?.name ?? g.recipientName) : NamingPolicy.memberGroup, consent ? g.recipientId : "",
                     consent ? (member?.region ?? g.beneficiaryLocation) : "", upstream,
                     g.plannedStart?.description ?? "", g.plannedEnd?.description ?? "", g.durationMonths.map(String.init) ?? ""])
        }
        return csv.bytes
    }

    /// The movements of the funder's funds in the period, streamed from the
    /// warehouse into `path` a megabyte at a time (a pack's memory does not
    /// grow with its flows); returns the file's SHA-256 and size.
    func writeFlows(to path: String) throws -> (sha256: String, bytes: Int) {
        let file = try ChunkedOutputFile(path: path)
        var hash = SHA256()
        var size = 0
        let chunk = 1 << 20
        func sink(_ bytes: [UInt8]) throws {
            hash.update(data: bytes)
            size += bytes.count
            try file.write(bytes)
        }
        var csv = CSVBytes(header: Self.flowsHeader, reserve: chunk + 64 * 1024)
        var scratch: [UInt8] = []
        let naming = self.naming
        // Per fund: its code and basis; per description of a counterparty: how it may be shown.
        var day = (number: Int.min, value: Day(ordinal: 0))
        // Rows of one fund come in runs: its share and basis are worked out once per run.
        var last = (fund: "\u{0}", share: (Int64(1), Int64(1)), basis: "")
        try data.eachFlow(of: evidence) { c in
            let fund = c.text(.fund)
            if fund != last.fund {
                let share = evidence.shares[fund] ?? (1, 1)
                last = (fund, share, share.0 == share.1 ? "restricted" : "pooled: \(money(share.0)) of \(money(share.1)) paid in")
            }
            let share = last.share
            let amount = Int64(c.amount.magnitude)
            let funderShare = share.0 == share.1 ? amount : Self.firstPart(of: amount, share.0, share.1 - share.0)
            if c.dayOrdinal != day.number { day = (c.dayOrdinal, Day(ordinal: c.dayOrdinal)) }
            csv.date(day.value)
            csv.field(fund)
            csv.field(last.basis)
            csv.field(c.category.rawValue)
            csv.plain(c.isOut ? "out" : "in")
            csv.amount(amount, digits: currency.minorDigits)
            if funderShare < 0 { csv.field(money(funderShare)) } else { csv.amount(funderShare, digits: currency.minorDigits) }
            if c.isIndividual { csv.field(NamingPolicy.person) }
            else if c.category == .retainedStaff { csv.field("") }
            else if let m = c.member { csv.field(naming.name(m)) }
            else if c.category.isRedistributed { csv.field(NamingPolicy.group) }
            else { c.withUTF8(.counterparty) { csv.field($0) } }
            scratch.removeAll(keepingCapacity: true)
            c.appendId(to: &scratch)
            csv.field(scratch)
            csv.packLocation(c, scratch: &scratch)
            csv.endRow()
            try csv.spill(atLeast: chunk, to: sink)
        }
        if let share = evidence.unrestrictedShare {
            for (category, amount) in evidence.apportioned.sorted(by: { $0.key < $1.key }) {
                for f in [evidence.period.end.description, "unrestricted", "apportioned: \(money(share.0)) of \(money(share.1)) unrestricted income",
                          category.rawValue, "out", "", money(amount), "", "", ""] { csv.field(f) }
                csv.endRow()
            }
        }
        try sink(csv.bytes)
        try file.commit()
        return (hash.finalize().hex, size)
    }

    /// `Apportion.largestRemainder(total:weights: [a, b])?[0] ?? 0` without the arrays, for a row at a time.
    static func firstPart(of total: Int64, _ a: Int64, _ b: Int64) -> Int64 {
        guard total >= 0, a >= 0, b >= 0, a + b > 0 else {
            return Apportion.largestRemainder(total: total, weights: [a, b])?[0] ?? 0
        }
        let sum = UInt64(a + b), magnitude = UInt64(total)
        let (q0, r0) = sum.dividingFullWidth(magnitude.multipliedFullWidth(by: UInt64(a)))
        let (q1, r1) = sum.dividingFullWidth(magnitude.multipliedFullWidth(by: UInt64(b)))
        // What is left over (at most one unit for two parts) goes to the larger remainder, ties to the first.
        let left = magnitude - q0 - q1
        return Int64(q0) + (left > 0 && r0 >= r1 ? 1 : 0)
    }

    /// Writes the pack and its zip; returns the files written. flows.csv
    /// goes straight to disk as it is laid out, and the zip reads it back
    /// from there, so a pack's memory does not grow with the ledger.
    public func write(to evidenceDirectory: String, templates: Templates) throws -> [String] {
        let dir = evidenceDirectory + "/" + evidence.slug
        let html = try templates.render(EvidenceReport(evidence: evidence, data: data).viewModel(templates), template: "evidence")
        let small: [(String, [UInt8])] = [("index.html", Array(html.utf8)), ("grants.csv", grantsCSV())]
        for (name, bytes) in small { try OutputFile.write(bytes, to: dir + "/" + name) }
        let flows = try writeFlows(to: dir + "/flows.csv")
        let listed = small.map { Manifest.File(name: $0.0, sha256: SHA256.hash(data: $0.1).hex, bytes: $0.1.count) }
            + [Manifest.File(name: "flows.csv", sha256: flows.sha256, bytes: flows.bytes)]
        let manifest = try self.manifest(listed)
        try OutputFile.write(manifest, to: dir + "/manifest.json")
        let entries: [ZipEntry] = small.map { .bytes($0.0, $0.1) } + [.file("flows.csv", dir + "/flows.csv"), .bytes("manifest.json", manifest)]
        try Self.zip(entries, to: evidenceDirectory + "/" + evidence.slug + ".zip", folder: evidence.slug,
                     date: data.asAt(evidence.period) ?? evidence.period.end)
        return ["index.html", "grants.csv", "flows.csv", "manifest.json"].map { dir + "/" + $0 } + [evidenceDirectory + "/" + evidence.slug + ".zip"]
    }

    struct Manifest: Encodable {
        struct File: Encodable { var name: String; var sha256: String; var bytes: Int }
        struct Input: Encodable { var source: String; var path: String; var sha256: String; var bytes: Int64 }
        var funder: [String: String]
        var period: [String: String]
        var generator: String
        var pipeline: String
        var files: [File]
        var inputs: [Input]
    }

    func manifest(_ files: [Manifest.File]) throws -> [UInt8] {
        let m = Manifest(
            funder: ["id": evidence.funder.id, "name": evidence.funder.name],
            period: ["label": evidence.period.label, "start": evidence.period.start.description, "end": evidence.period.end.description],
            generator: "redist \(RedistBuild.version)", pipeline: data.pipeline.name,
            files: files,
            inputs: EvidenceReport.inputs(evidence, data).map { Manifest.Input(source: $0.source, path: PackPath.shown($0.path), sha256: $0.sha256, bytes: $0.bytes) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(m)) + [0x0A]
    }

    private static let zipLock = NSLock()

    /// What goes into a pack's zip: bytes in memory, or a file already written.
    enum ZipEntry {
        case bytes(String, [UInt8])
        case file(String, String)
        var name: String {
            switch self {
            case .bytes(let name, _), .file(let name, _): return name
            }
        }
    }

    /// A zip with fixed timestamps and a fixed order, so it is byte-identical
    /// across runs. Written under a temporary name and renamed into place, as
    /// any output is, so a failure names the zip and the reason (a full disk,
    /// a folder that cannot be written) and leaves no half-made zip behind.
    static func zip(_ entries: [ZipEntry], to path: String, folder: String, date: Day) throws {
        // ZIPFoundation turns each entry's date into DOS form with gmtime(),
        // whose result is one buffer shared by the whole process: two zips
        // made at once (runs in parallel in one process) could mix their
        // dates' fields. One zip is made at a time.
        zipLock.lock()
        defer { zipLock.unlock() }
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        try? FileManager.default.removeItem(at: temporary)
        var keep = false
        defer { if !keep { try? FileManager.default.removeItem(at: temporary) } }
        let archive: Archive
        do { archive = try Archive(url: temporary, accessMode: .create) } catch { throw OutputError(path: path, reason: "cannot make a zip: \(error)") }
        var components = DateComponents()
        components.year = date.year
        components.month = date.month
        components.day = date.day
        components.hour = 12
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let modified = calendar.date(from: components)!
        for entry in entries.sorted(by: { $0.name < $1.name }) {
            do {
                switch entry {
                case .bytes(let name, let bytes):
                    try archive.addEntry(with: folder + "/" + name, type: .file, uncompressedSize: Int64(bytes.count), modificationDate: modified,
                                         compressionMethod: .deflate) { position, size in
                        Data(bytes[Int(position)..<Int(position) + size])
                    }
                case .file(let name, let file):
                    guard let handle = FileHandle(forReadingAtPath: file) else {
                        throw OutputError(path: path, reason: "cannot read \(file) back to add it to the zip")
                    }
                    defer { try? handle.close() }
                    let size = try handle.seekToEnd()
                    try archive.addEntry(with: folder + "/" + name, type: .file, uncompressedSize: Int64(size), modificationDate: modified,
                                         compressionMethod: .deflate) { position, count in
                        try handle.seek(toOffset: UInt64(position))
                        return try handle.read(upToCount: count) ?? Data()
                    }
                }
            } catch let e as OutputError {
                throw e
            } catch {
                throw OutputError(path: path, reason: "cannot add \(folder)/\(entry.name) to the zip: \(error)")
            }
        }
        guard rename(temporary.path, path) == 0 else { throw OutputFile.error(path) }
        keep = true
    }
}

/// The build's version, stated in manifests.
public enum RedistBuild {
    public static let version = "0.1.0"
}
