import Foundation
import RedistModel
import Testing

/// A funder's pack never says what its own contents contradict, and the
/// trustees' report says the same about each funder as its pack.
@Suite(.serialized) struct FunderPackTruthTests {
    static let dir = temporaryDirectory("packtruth")
    static let out = dir + "/out"
    static let ran: (status: Int32, log: [String]) = runPipeline(period: "2024-Q1", out: out, warehouse: dir + "/w.sqlite")

    static func packs() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: out + "/evidence").filter { !$0.hasSuffix(".zip") }.sorted()
    }

    /// The lottery gives unrestricted money only: its pack speaks of an
    /// apportioned share, with a total row, and never of its restricted funds.
    @Test func anUnrestrictedFundersPackSpeaksOfItsShare() throws {
        #expect(Self.ran.status == 0)
        let html = text(Self.out + "/evidence/lanternfield-community-lottery/index.html")
        #expect(!html.isEmpty, "the lottery has a pack")
        #expect(!html.contains("your funds held"))
        #expect(!html.contains("restricted funds"))
        #expect(html.contains("Your apportioned share in all"))
        #expect(html.contains("in proportion to what each gave"))
    }

    /// A funder that paid nothing this quarter (Fellhouse paid its grant
    /// earlier in the year) is told so in words, never "You paid us £0.00";
    /// one that paid is told how much.
    @Test func aFunderThatPaidNothingThisQuarterIsToldSo() throws {
        #expect(Self.ran.status == 0)
        let fellhouse = text(Self.out + "/evidence/fellhouse-fund/index.html")
        #expect(!fellhouse.contains("You paid us £0.00"))
        #expect(fellhouse.contains("Nothing came in from you this quarter; you have paid us £40,000.00 so far."))
        let lottery = text(Self.out + "/evidence/lanternfield-community-lottery/index.html")
        #expect(lottery.contains("You paid us £20,000.00 this quarter (£75,000.00 so far)."))
    }

    /// A funder whose files were read is never told there is no file from it.
    @Test func aFunderWithAFileIsNeverToldThereIsNone() throws {
        #expect(Self.ran.status == 0)
        for (slug, file) in [("tidewater-foundation", "tidewater-360giving.csv"), ("marlow-lane-trust", "marlow-lane-360giving.csv"),
                             ("fellhouse-fund", "fellhouse-360giving.csv")] {
            let html = text(Self.out + "/evidence/\(slug)/index.html")
            #expect(!html.contains("We have no file from you"), "\(slug)")
            #expect(html.contains(file), "\(slug) names its own file")
        }
    }

    /// A pack lists only the files its figures draw on: never another
    /// funder's file, never the member register.
    @Test func aPackListsOnlyItsOwnInputs() throws {
        #expect(Self.ran.status == 0)
        let files = ["tidewater-360giving.csv", "marlow-lane-360giving.csv", "fellhouse-360giving.csv", "fellhouse-iati.xml"]
        for slug in try Self.packs() {
            let html = text(Self.out + "/evidence/\(slug)/index.html") + text(Self.out + "/evidence/\(slug)/manifest.json")
            #expect(!html.contains("members.csv"), "\(slug) lists the member register")
            for f in files where !f.hasPrefix(slug.split(separator: "-").first.map(String.init) ?? slug) {
                #expect(!html.contains(f), "\(slug) lists \(f)")
            }
            #expect(html.contains("exports/"), "\(slug) lists the ledger")
        }
    }

    /// The trustees' funders table and each pack agree on what came in from the funder.
    @Test func trusteesAndPacksAgreeOnWhatCameIn() throws {
        #expect(Self.ran.status == 0)
        let trustees = text(Self.out + "/trustees.html")
        for slug in try Self.packs() {
            let html = text(Self.out + "/evidence/\(slug)/index.html")
            let funder = try #require(html.range(of: "What your money did: ").map { html[$0.upperBound...].prefix { $0 != "<" } })
            // A pack says "Nothing came in from you" where the trustees' table says £0.00.
            let paid = html.contains("Nothing came in from you") || html.contains("Nothing has come in from you") ? "£0.00"
                : try #require(html.range(of: "You paid us ").map { String(html[$0.upperBound...].prefix { $0 != " " }) })
            #expect(trustees.contains("<tr><th scope=\"row\">\(funder)</th><td class=\"num\">\(paid)</td>"), "\(funder) \(paid)")
        }
    }

    /// A funder with no pack is named, with the reason, in quality.csv, on stderr and in the report.
    @Test func aFunderWithoutAPackIsListed() throws {
        let dir = temporaryDirectory()
        let run = runPipeline(period: "2023-Q2", out: dir + "/out", warehouse: dir + "/w.sqlite")
        #expect(run.status == 0)
        let quality = parseCSV(dir + "/out/quality.csv").filter { $0.count > 4 && $0[4] == "evidence.no-pack" }
        let packs = Set(try FileManager.default.contentsOfDirectory(atPath: dir + "/out/evidence"))
        let pipeline = try String(contentsOfFile: Repo.examplePipeline, encoding: .utf8)
        let funders = pipeline.components(separatedBy: "[[funder]]").dropFirst().compactMap { block -> String? in
            block.split(separator: "\n").first { $0.hasPrefix("name = ") }.map { String($0.dropFirst(8).dropLast()) }
        }
        let without = funders.filter { !packs.contains($0.lowercased().replacingOccurrences(of: " ", with: "-")) }
        #expect(quality.count == without.count, "\(without)")
        for f in without {
            #expect(quality.contains { $0[5].contains(f) && $0[5].contains("no money came in from it") })
            #expect(run.log.contains { $0.contains("note: funder \(f)") })
            #expect(text(dir + "/out/trustees.html").contains(f))
        }
    }

    /// A grant the funder's file records is set against the ledger: awarded, paid, spent, remaining.
    @Test func grantsAreSetAgainstTheLedger() throws {
        #expect(Self.ran.status == 0)
        let html = text(Self.out + "/evidence/tidewater-foundation/index.html")
        #expect(html.contains("Your grants to us, as your file records them"))
        #expect(html.contains("Paid to us to date") && html.contains("Spent to date") && html.contains("Remaining"))
    }
}
