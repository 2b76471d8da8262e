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

    /// The movements of the funder's funds in the period, streamed from the warehouse.
    func flowsCSV() throws -> [UInt8] {
        var csv = CSVBytes(header: Self.flowsHeader, reserve: 1 << 16)
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
        }
        if let share = evidence.unrestrictedShare {
            for (category, amount) in evidence.apportioned.sorted(by: { $0.key < $1.key }) {
                for f in [evidence.period.end.description, "unrestricted", "apportioned: \(money(share.0)) of \(money(share.1)) unrestricted income",
                          category.rawValue, "out", "", money(amount), "", "", ""] { csv.field(f) }
                csv.endRow()
            }
        }
        return csv.bytes
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

    /// Writes the pack and its zip; returns the files written.
    public func write(to evidenceDirectory: String, templates: Templates) throws -> [String] {
        let dir = evidenceDirectory + "/" + evidence.slug
        let html = try templates.render(EvidenceReport(evidence: evidence, data: data).viewModel(templates), template: "evidence")
        let files: [(String, [UInt8])] = [("index.html", Array(html.utf8)), ("grants.csv", grantsCSV()), ("flows.csv", try flowsCSV())]
        let manifest = try self.manifest(files)
        let all = files + [("manifest.json", manifest)]
        for (name, bytes) in all { try OutputFile.write(bytes, to: dir + "/" + name) }
        try Self.zip(all, to: evidenceDirectory + "/" + evidence.slug + ".zip", folder: evidence.slug, date: data.asAt(evidence.period) ?? evidence.period.end)
        return all.map { dir + "/" + $0.0 } + [evidenceDirectory + "/" + evidence.slug + ".zip"]
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

    func manifest(_ files: [(String, [UInt8])]) throws -> [UInt8] {
        let m = Manifest(
            funder: ["id": evidence.funder.id, "name": evidence.funder.name],
            period: ["label": evidence.period.label, "start": evidence.period.start.description, "end": evidence.period.end.description],
            generator: "redist \(RedistBuild.version)", pipeline: data.pipeline.name,
            files: files.map { Manifest.File(name: $0.0, sha256: SHA256.hash(data: $0.1).hex, bytes: $0.1.count) },
            inputs: EvidenceReport.inputs(evidence, data).map { Manifest.Input(source: $0.source, path: PackPath.shown($0.path), sha256: $0.sha256, bytes: $0.bytes) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(m)) + [0x0A]
    }

    /// A zip with fixed timestamps and a fixed order, so it is byte-identical across runs.
    /// Made in memory and written as any output is, so a failure names the
    /// zip and the reason (a full disk, a folder that cannot be written).
    static func zip(_ files: [(String, [UInt8])], to path: String, folder: String, date: Day) throws {
        let archive: Archive
        do { archive = try Archive(accessMode: .create) } catch { throw OutputError(path: path, reason: "cannot make a zip: \(error)") }
        var components = DateComponents()
        components.year = date.year
        components.month = date.month
        components.day = date.day
        components.hour = 12
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let modified = calendar.date(from: components)!
        for (name, bytes) in files.sorted(by: { $0.0 < $1.0 }) {
            let data = Data(bytes)
            do {
                try archive.addEntry(with: folder + "/" + name, type: .file, uncompressedSize: Int64(data.count), modificationDate: modified,
                                     compressionMethod: .deflate) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            } catch {
                throw OutputError(path: path, reason: "cannot add \(folder)/\(name) to the zip: \(error)")
            }
        }
        guard let bytes = archive.data else { throw OutputError(path: path, reason: "the zip was not made in memory") }
        try OutputFile.write(Array(bytes), to: path)
    }
}

/// The build's version, stated in manifests.
public enum RedistBuild {
    public static let version = "0.1.0"
}
