import Foundation
@testable import RedistReports
import Testing

/// The reports' wording belongs to the templates: staff change a sentence,
/// a chart's title or a plural there, re-run, and the report says it,
/// with no code touched.
@Suite(.serialized) struct TemplateWordingTests {
    static let dir = temporaryDirectory("wording")

    /// A copy of the shipped templates with some lines changed.
    func editedTemplates(_ name: String, _ edits: [String: [(String, String)]]) throws -> String {
        let folder = Self.dir + "/" + name
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: Repo.templates) where file.hasSuffix(".mustache") {
            var t = text(Repo.templates + "/" + file)
            for (old, new) in edits[file] ?? [] {
                #expect(t.contains(old), "\(file) no longer says \(old)")
                t = t.replacingOccurrences(of: old, with: new)
            }
            try t.write(toFile: folder + "/" + file, atomically: true, encoding: .utf8)
        }
        return folder
    }

    @Test func staffRewordSentencesChartsAndPluralsInTheTemplates() throws {
        let templates = try editedTemplates("edited", [
            "phrase-headline.mustache": [("reached groups directly.", "went straight to groups.")],
            "phrase-newcomers.mustache": [("of them for the first time", "of them new to us")],
            "trustees.mustache": [("for their expertise{{/fits.expertise}}.</p>", "for what they know{{/fits.expertise}}.</p>"),
                                  ("{{groupsReached.n}} groups{{/groupsReached.many}} received money {{this}}",
                                   "{{groupsReached.n}} collectives{{/groupsReached.many}} received money {{this}}")],
            "chart-where.mustache": [("title: Where the money went", "title: Where every pound went")],
            "chart-amounts.mustache": [("kept: Kept by us", "kept: Kept for our work")],
            "evidence.mustache": [("None of those groups was asked to write a report.", "No group wrote a report for it.")],
        ])
        let out = Self.dir + "/edited-out"
        let run = runPipeline(period: "2024-Q1", out: out, warehouse: Self.dir + "/edited.sqlite", templates: templates)
        #expect(run.status == 0)
        let html = text(out + "/trustees.html")
        #expect(html.contains("<p class=\"headline\">Of every £1 we spent this quarter, 41p went straight to groups.</p>"))
        #expect(html.contains(" collectives received money this quarter, "))
        #expect(html.contains("for what they know.</p>"))
        #expect(html.contains("none of them new to us") && !html.contains("none of them for the first time"))
        #expect(html.contains("<title id=\"where-title\">Where every pound went, Q4 2023/24</title>"))
        #expect(html.contains(">Kept for our work</text>"), "the line's direct label")
        let pack = text(out + "/evidence/tidewater-foundation/index.html")
        #expect(pack.contains("No group wrote a report for it."))
    }

    @Test func aChartTemplateWithoutALineSaysWhichLine() throws {
        let templates = try editedTemplates("broken", ["chart-rate.mustache": [("missing: no rate\n", "")]])
        let run = runPipeline(period: "2024-Q1", out: Self.dir + "/broken-out", warehouse: Self.dir + "/broken.sqlite", templates: templates)
        #expect(run.status != 0)
        #expect(run.log.contains { $0.contains("chart-rate.mustache: error: no line \"missing: …\"") }, "\(run.log)")
    }

    /// Exactly one case of each phrase applies, whatever the numbers.
    @Test func exactlyOneCaseOfEachPhraseApplies() {
        for all in 0...6 {
            for first in 0...all {
                let flags = Words.newcomers(first, of: all).cases
                #expect(flags.count == 6 && flags.filter { $0 }.count == 1, "\(first) of \(all)")
            }
        }
        for n in 0...3 {
            let c = Words.count(n)
            #expect([c.zero, c.one, c.many].filter { $0 }.count == 1)
            #expect(c.some == (n > 0) && c.n == String(n))
        }
    }

    func matches(_ pattern: String, _ s: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        let ns = s as NSString
        return regex.matches(in: s, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range) }
    }
}
