import Crypto
import Foundation
import RedistModel
import Testing
import ZIPFoundation

/// Evidence packs and open data: consent, people, other funders' money,
/// manifests and determinism, checked by searching every file written.
@Suite(.serialized) struct EvidencePackTests {
    static let dir = temporaryDirectory("evidence")
    static let out = dir + "/out"
    static let ran: Int32 = runPipeline(period: "2024-Q1", out: out, warehouse: dir + "/w.sqlite").status

    var members: [[String]] { parseCSV(Repo.root + "/sample-data/members.csv").dropFirst().filter { $0.count >= 6 } }

    /// Every file under the output folder, the zips' entries included, as text.
    func everyOutput() throws -> [(String, String)] {
        var files: [(String, String)] = []
        let enumerator = FileManager.default.enumerator(atPath: Self.out)!
        while let name = enumerator.nextObject() as? String {
            let path = Self.out + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            if name.hasSuffix(".zip") {
                let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
                for entry in archive {
                    var data = Data()
                    _ = try archive.extract(entry) { data.append($0) }
                    files.append((name + "!" + entry.path, String(decoding: data, as: UTF8.self)))
                }
            } else {
                files.append((name, text(path)))
            }
        }
        return files
    }

    @Test func runSucceedsAndWritesAPackPerFunderWithFlows() throws {
        #expect(Self.ran == 0)
        for slug in ["tidewater-foundation", "marlow-lane-trust", "fellhouse-fund", "brightwater-community-trust"] {
            for file in ["index.html", "grants.csv", "flows.csv", "manifest.json"] {
                #expect(FileManager.default.fileExists(atPath: "\(Self.out)/evidence/\(slug)/\(file)"), "\(slug)/\(file)")
            }
            #expect(FileManager.default.fileExists(atPath: "\(Self.out)/evidence/\(slug).zip"))
        }
    }

    @Test func noGroupIsNamedWithoutConsentAndNoPersonEver() throws {
        #expect(Self.ran == 0)
        let withheld = members.filter { $0[5] != "yes" }.map { $0[1] }
        #expect(withheld.count >= 20)
        let outputs = try everyOutput().filter { $0.0.hasPrefix("evidence/") || $0.0.hasPrefix("open-data/") }
        #expect(outputs.count >= 20)
        for (name, content) in outputs {
            for n in withheld { #expect(!content.contains(n), "\(n) is named in \(name)") }
        }
        let consenting = members.filter { $0[5] == "yes" && $0[2] == "member-group" }.map { $0[1] }
        let packs = outputs.filter { $0.0.hasSuffix("index.html") }.map(\.1).joined()
        #expect(consenting.contains { packs.contains($0) }, "consenting groups should be named somewhere")
    }

    @Test func aPackHoldsOnlyItsOwnFundersRestrictedFlows() throws {
        #expect(Self.ran == 0)
        let ownFunds = ["tidewater-foundation": ["TW-CC"], "marlow-lane-trust": ["ML-PEER"], "fellhouse-fund": ["POOL-RG"],
                        "brightwater-community-trust": ["POOL-RG"]]
        for (slug, funds) in ownFunds {
            let flows = parseCSV("\(Self.out)/evidence/\(slug)/flows.csv").dropFirst()
            #expect(!flows.isEmpty)
            for row in flows {
                #expect(funds.contains(row[1]) || (row[1] == "unrestricted" && row[2].hasPrefix("apportioned")), "\(slug): \(row)")
            }
        }
        // The pooled fund is shared, by largest remainder, so the two shares sum to each payment.
        let fell = parseCSV("\(Self.out)/evidence/fellhouse-fund/flows.csv").dropFirst()
        let bright = parseCSV("\(Self.out)/evidence/brightwater-community-trust/flows.csv").dropFirst()
        #expect(fell.count == bright.count)
        for (a, b) in zip(fell, bright) {
            let parser = AmountParser(digits: 2)
            #expect(parser.parse(a[6])! + parser.parse(b[6])! == parser.parse(a[5])!, "\(a[8])" as Comment)
        }
    }

    @Test func unrestrictedSpendingIsOnlyAnApportionedLabelledShare() throws {
        #expect(Self.ran == 0)
        let lottery = parseCSV("\(Self.out)/evidence/lanternfield-community-lottery/flows.csv").dropFirst()
        #expect(!lottery.isEmpty)
        for row in lottery {
            #expect(row[1] == "unrestricted" && row[2].hasPrefix("apportioned: "))
            #expect(row[7].isEmpty && row[8].isEmpty, "an apportioned share names no payment")
        }
        #expect(text("\(Self.out)/evidence/lanternfield-community-lottery/index.html").contains("apportioned"))
    }

    @Test func manifestHashesVerify() throws {
        #expect(Self.ran == 0)
        struct Manifest: Decodable {
            struct File: Decodable { var name: String; var sha256: String; var bytes: Int }
            var files: [File]
        }
        let slug = "tidewater-foundation"
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(read("\(Self.out)/evidence/\(slug)/manifest.json")))
        #expect(manifest.files.map(\.name) == ["index.html", "grants.csv", "flows.csv"])
        for f in manifest.files {
            let bytes = read("\(Self.out)/evidence/\(slug)/\(f.name)")
            #expect(bytes.count == f.bytes)
            #expect(SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() == f.sha256)
        }
        let archive = try Archive(url: URL(fileURLWithPath: "\(Self.out)/evidence/\(slug).zip"), accessMode: .read)
        #expect(archive.map(\.path).sorted() == ["flows.csv", "grants.csv", "index.html", "manifest.json"].map { "\(slug)/\($0)" })
    }

    /// A grant's planned dates, where the funder's file gives them: against
    /// the funder's grant in the pack, and after grants.csv's other columns.
    @Test func grantsCarryTheirPlannedDates() throws {
        #expect(Self.ran == 0)
        let html = text(Self.out + "/evidence/tidewater-foundation/index.html")
        #expect(html.contains("Runs 1 March 2023 to 28 February 2025 (24 months)"), "the Tidewater grant's planned dates")
        let grants = parseCSV(Self.out + "/evidence/tidewater-foundation/grants.csv")
        let header = try #require(grants.first)
        #expect(Array(header.suffix(4)) == ["funded_by_grant", "planned_start", "planned_end", "duration_months"])
        let rows = grants.dropFirst().filter { $0.count == header.count }
        #expect(rows.count >= 3)
        for row in rows {
            let start = try #require(Day(iso: row[12])), end = try #require(Day(iso: row[13]))
            #expect(start > (try #require(Day(iso: row[2]))) && end > start && ["12", "24"].contains(row[14]), "\(row)")
        }
    }

    @Test func packsAreByteIdenticalOnARerun() throws {
        #expect(Self.ran == 0)
        let again = Self.dir + "/again"
        #expect(runPipeline(period: "2024-Q1", out: again, warehouse: Self.dir + "/w.sqlite").status == 0)
        for file in ["evidence/tidewater-foundation.zip", "evidence/fellhouse-fund/index.html", "open-data/360giving.csv"] {
            #expect(read("\(Self.out)/\(file)") == read("\(again)/\(file)"), Comment(rawValue: file))
        }
    }

    @Test func openDataAnonymisesAndLinksUpstream() throws {
        #expect(Self.ran == 0)
        let rows = parseCSV("\(Self.out)/open-data/360giving.csv")
        let header = rows[0]
        #expect(header.prefix(4) == ["Identifier", "Title", "Description", "Currency"])
        let id = header.firstIndex(of: "Recipient Org:Identifier")!, related = header.firstIndex(of: "Related Activity")!
        let consenting = Set(members.filter { $0[5] == "yes" }.map { $0[0] })
        // Grants paid from a fund whose funder published its grant to us link to that grant.
        let register = parseCSV(Repo.root + "/sample-data/grants-out.csv")
        let fundColumn = register[0].firstIndex(of: "Fund")!
        let funded = Set(register.dropFirst().filter { ["TW-CC", "ML-PEER", "POOL-RG"].contains($0[fundColumn]) }.map { $0[0] })
        #expect(funded.count >= 20)
        for row in rows.dropFirst() {
            #expect(consenting.contains(row[id]) || row[id].contains("-ANON-"), "\(row[0])")
            if funded.contains(row[0]) {
                #expect(!row[related].isEmpty, "\(row[0]) has no link to the funder's grant")
            }
        }
        #expect(rows.dropFirst().contains { $0[id].contains("-ANON-") })
    }
}
