import Crypto
import Foundation
import Testing

/// A funder's grants against our ledger, from an IATI file as from a
/// 360Giving one, and the pack's paths as a funder can read them.
@Suite(.serialized) struct FunderPackGrantTests {
    /// A funder that publishes IATI only: its activity is the grant, with
    /// what was awarded, paid, spent and remains, and its dates.
    @Test func anIATIFunderFileGivesTheGrantAndItsDates() throws {
        let copy = try SampleCopy()
        try FileManager.default.removeItem(atPath: copy.data + "/funders/fellhouse-360giving.csv")
        let run = copy.run()
        #expect(run.status == 0, "\(run.log)")
        let html = text(copy.out + "/evidence/fellhouse-fund/index.html")
        #expect(html.contains("<code class=\"fund\">GB-CHC-9990203-RG-2023-01</code>"), "\(html)")
        #expect(html.contains("Runs 1 April 2023 to 30 September 2024"))
        #expect(html.contains("<td class=\"nowrap\">17 March 2023</td><td class=\"num\">£40,000.00</td><td class=\"num\">£40,000.00</td>"))
        #expect(!html.contains("We have no file from you"))
        #expect(text(copy.out + "/evidence/fellhouse-fund/manifest.json").contains("sample-data/funders/fellhouse-iati.xml"))
    }

    /// The same grant in the funder's 360Giving and IATI files is one row.
    @Test func aGrantBothFilesGiveIsShownOnce() throws {
        let dir = temporaryDirectory()
        _ = runPipeline(period: "2024-Q1", out: dir + "/out", warehouse: dir + "/w.sqlite")
        let html = text(dir + "/out/evidence/fellhouse-fund/index.html")
        #expect(html.contains("<code class=\"fund\">360G-FELLHOUSE-23-112</code>"))
        #expect(!html.contains("GB-CHC-9990203-RG-2023-01"))
    }

    /// Paths name files from the data's own folder, without the pipeline
    /// folder's `../`, the same in the page, the manifest and flows.csv; each
    /// still leads to the file whose SHA-256 the manifest gives.
    @Test func packPathsAreReadableAndStillLeadToTheFiles() throws {
        let dir = temporaryDirectory()
        _ = runPipeline(period: "2024-Q1", out: dir + "/out", warehouse: dir + "/w.sqlite")
        let pack = dir + "/out/evidence/tidewater-foundation"
        for name in ["index.html", "manifest.json", "flows.csv"] {
            #expect(!text(pack + "/" + name).contains("../"), "\(name) shows a ../ path")
        }
        struct Manifest: Decodable { struct Input: Decodable { var path: String; var sha256: String }; var inputs: [Input] }
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(read(pack + "/manifest.json")))
        #expect(!manifest.inputs.isEmpty)
        let html = text(pack + "/index.html")
        for input in manifest.inputs {
            #expect(input.path.hasPrefix("sample-data/"), "\(input.path)")
            #expect(SHA256.hash(data: read(Repo.root + "/" + input.path)).map { String(format: "%02x", $0) }.joined() == input.sha256)
            #expect(html.contains("<td class=\"path\">\(input.path)</td>"))
        }
        let flowFiles = Set(parseCSV(pack + "/flows.csv").dropFirst().compactMap { row in row.last?.split(separator: ":").first.map(String.init) }
            .filter { !$0.isEmpty })
        #expect(!flowFiles.isEmpty)
        #expect(flowFiles.isSubset(of: Set(manifest.inputs.map(\.path))), "\(flowFiles)")
    }
}
