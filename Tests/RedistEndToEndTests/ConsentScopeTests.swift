import Foundation
import Testing

/// Each consent scope has a visible effect, and only within its dates: one
/// test per rule. A group's name is looked for in every file of every pack
/// (zips included), in open data, and in the trustees' report.
@Suite(.serialized) struct ConsentScopeTests {
    static let group = "Pendle Sisters Circle"

    /// The sample run with the member register's scope and expiry columns, one group's set as given.
    func run(scope: String, expires: String = "") throws -> SampleCopy {
        let copy = try SampleCopy()
        let toml = try String(contentsOfFile: copy.pipeline, encoding: .utf8)
        try toml.replacingOccurrences(of: "consent_date = \"Consent date\"",
                                      with: "consent_date = \"Consent date\"\nconsent_scope = \"Named to\"\nconsent_expires = \"Consent ends\"")
            .write(toFile: copy.pipeline, atomically: true, encoding: .utf8)
        try copy.edit("members.csv") { text in
            text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { i, line -> String in
                if i == 0 { return line + ",Named to,Consent ends" }
                if line.isEmpty { return String(line) }
                if line.contains(Self.group) { return line + ",\(scope),\(expires)" }
                return line + ",,"
            }.joined(separator: "\n")
        }
        let run = copy.run()
        #expect(run.status == 0, "\(run.log)")
        return copy
    }

    /// The packs (every file, zips opened) that name the group, by folder.
    func packsNaming(_ copy: SampleCopy) throws -> Set<String> {
        Set(try everyOutput(under: copy.out + "/evidence").filter { $0.1.contains(Self.group) }
            .map { String($0.0.split(whereSeparator: { $0 == "/" || $0 == "!" }).first ?? "").replacingOccurrences(of: ".zip", with: "") })
    }

    func trustees(_ copy: SampleCopy) -> String { text(copy.out + "/trustees.html") }
    func openData(_ copy: SampleCopy) -> String { text(copy.out + "/open-data/360giving.csv") }

    @Test func trusteesOnlyConsentNamesTheGroupToTheTrusteesAlone() throws {
        let copy = try run(scope: "trustees")
        #expect(trustees(copy).contains("<tr><th scope=\"row\">\(Self.group)</th>"))
        #expect(trustees(copy).contains("no one else (trustees only)"))
        #expect(try packsNaming(copy).isEmpty)
        #expect(!openData(copy).contains(Self.group))
    }

    @Test func funderScopedConsentNamesTheGroupInThatFundersPackOnly() throws {
        let copy = try run(scope: "funders: Tidewater Foundation")
        #expect(try packsNaming(copy) == ["tidewater-foundation"])
        #expect(!openData(copy).contains(Self.group))
        #expect(trustees(copy).contains("the evidence pack of Tidewater Foundation"))
    }

    @Test func publicConsentNamesTheGroupInOpenData() throws {
        let copy = try run(scope: "public")
        #expect(openData(copy).contains(Self.group))
        #expect(try packsNaming(copy).contains("tidewater-foundation"))
        #expect(trustees(copy).contains("anyone: open data and every funder&#39;s pack"))
    }

    @Test func expiredConsentNamesTheGroupNowhere() throws {
        let copy = try run(scope: "public", expires: "2023-12-31")
        #expect(!trustees(copy).contains(Self.group))
        #expect(try packsNaming(copy).isEmpty)
        #expect(!openData(copy).contains(Self.group))
    }

    /// A group that has not agreed is counted in the trustees' report, never listed.
    @Test func withoutConsentTheTrusteesSeeACount() throws {
        let copy = try run(scope: "public")
        let html = trustees(copy)
        #expect(!html.contains("Wearside Sisters Wellbeing Circle"))
        #expect(html.contains("agreed to be named to you; the other"))
    }
}
