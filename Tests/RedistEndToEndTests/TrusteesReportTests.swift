import Foundation
@testable import RedistReports
import Testing

/// The trustees' report and the funders' index pages as a reader and a
/// screen reader meet them: structure (WCAG 2.2 AA), charts with text
/// alternatives and tables, quarters by financial year, plain-English
/// sentences, privacy and escaping. The browser checks (axe-core, the Nu
/// validator, screenshots and A4 PDFs) are in `make check-reports`.
@Suite(.serialized) struct TrusteesReportTests {
    static let dir = temporaryDirectory("trustees")
    static let out = dir + "/out"
    static let ran: Int32 = runPipeline(period: "2024-Q1", out: out, warehouse: dir + "/w.sqlite").status

    var trustees: String { text(Self.out + "/trustees.html") }
    var packs: [(String, String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Self.out + "/evidence")) ?? []
        return names.sorted().filter { !$0.hasSuffix(".zip") }.map { ($0, text(Self.out + "/evidence/\($0)/index.html")) }
    }

    func matches(_ pattern: String, _ s: String) -> [[String]] {
        let regex = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        let ns = s as NSString
        return regex.matches(in: s, range: NSRange(location: 0, length: ns.length)).map { m in
            (0..<m.numberOfRanges).map { m.range(at: $0).location == NSNotFound ? "" : ns.substring(with: m.range(at: $0)) }
        }
    }

    /// The structural rules both kinds of page must keep.
    func checkStructure(_ html: String, _ name: String) {
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en-GB\">"), "\(name): lang")
        #expect(matches("<title>[^<]+</title>", html).count == 1, "\(name): one non-empty <title>")
        // Headings in order: one h1, and no level skipped on the way down.
        let levels = matches("<h([1-6])[ >]", html).map { Int($0[1])! }
        #expect(levels.first == 1 && levels.filter { $0 == 1 }.count == 1, "\(name): one h1, first")
        for (a, b) in zip(levels, levels.dropFirst()) { #expect(b <= a + 1, "\(name): heading h\(a) is followed by h\(b)") }
        // Tables: a caption each, and scope on every header cell.
        let tables = matches("<table[^>]*>(.*?)</table>", html).map { $0[1] }
        #expect(!tables.isEmpty)
        for t in tables {
            #expect(t.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("<caption"), "\(name): a table without a caption: \(t.prefix(120))")
            for th in matches("<th( [^>]*)?>", t) {
                #expect(th[0].contains("scope=\"col\"") || th[0].contains("scope=\"row\"") || th[0].contains("scope=\"rowgroup\""), "\(name): \(th[0])")
            }
        }
        // Charts: an image role, a title and a description, each referenced.
        for svg in matches("<svg ([^>]*)>(.*?)</svg>", html) {
            #expect(svg[1].contains("role=\"img\""), "\(name): svg without role=img")
            let ids = matches("aria-labelledby=\"([^\"]+)\"", svg[1]).first?[1].split(separator: " ").map(String.init) ?? []
            #expect(ids.count == 2, "\(name): svg must name its title and description")
            for id in ids { #expect(svg[2].contains("id=\"\(id)\">") , "\(name): \(id) is referenced but missing") }
            #expect(matches("<title id=\"[^\"]+\">[^<]{3,}</title>", svg[2]).count == 1)
            #expect(matches("<desc id=\"[^\"]+\">[^<]{20,}</desc>", svg[2]).count == 1)
        }
        // Each chart: a sentence before it, and its data as a table after it
        // (straight after, or after the next chart that shares the table).
        let figures = html.components(separatedBy: "<figure class=\"chart\">")
        for (i, before) in figures.dropLast().enumerated() {
            #expect(before.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("</p>"), "\(name): chart \(i + 1) has no sentence before it")
            let after = figures[i + 1].components(separatedBy: "</figure>").dropFirst().joined(separator: "</figure>")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            // `after` runs up to the next chart: a sentence and then that chart, which the table follows.
            let nextFigureFirst = after.hasPrefix("<p>") && i + 2 < figures.count && !after.contains("<table") && !after.contains("<h2")
            #expect(after.hasPrefix("<table") || after.hasPrefix("<div class=\"wide\"") || nextFigureFirst, "\(name): chart \(i + 1) has no table after it")
        }
        // Self-contained: no script, no fetched resource, no colour-only styling hook.
        #expect(!html.contains("<script"), "\(name): script")
        #expect(!html.contains("<link") && !html.contains("<img") && !html.contains("@import"), "\(name): external resource")
        #expect(matches("(?:src|href)=\"https?:", html).isEmpty, "\(name): network resource")
        // Every id is unique.
        let idList = matches(" id=\"([^\"]+)\"", html).map { $0[1] }
        #expect(Set(idList).count == idList.count, "\(name): duplicate ids \(idList.filter { id in idList.filter { $0 == id }.count > 1 })")
        // A scrolling region can be reached by keyboard and has a name.
        for region in matches("<div class=\"wide\"[^>]*>", html) {
            #expect(region[0].contains("tabindex=\"0\"") && region[0].contains("aria-labelledby=") && region[0].contains("role=\"region\""), "\(name): \(region[0])")
        }
    }

    @Test func trusteesReportIsAccessibleInStructure() {
        #expect(Self.ran == 0)
        checkStructure(trustees, "trustees.html")
        #expect(matches("<svg ", trustees).count == 4, "where the money went, rate, amounts, reach")
    }

    @Test func evidencePagesAreAccessibleInStructure() {
        #expect(Self.ran == 0)
        #expect(!packs.isEmpty)
        for (name, html) in packs { checkStructure(html, name) }
    }

    @Test func trendShowsQuartersByFinancialYearAndByDates() {
        let html = trustees
        let rows = matches("<tr><th scope=\"row\">(Q[1-4] \\d{4}/\\d{2})</th><td>([A-Z][a-z]+ to [A-Z][a-z]+ \\d{4})</td>", html)
        #expect(rows.count >= 2 && rows.count <= 8, "the trend table lists up to eight quarters: \(rows.count)")
        #expect(rows.last?[1] == "Q4 2023/24" && rows.last?[2] == "January to March 2024")
        #expect(rows.first?[1] == "Q1 2023/24" && rows.first?[2] == "April to June 2023")
        #expect(html.contains(">Jan–Mar 2024</text>"), "the charts name the months too")
        #expect(html.contains("Report to trustees for Q4 2023/24 (1 January to 31 March 2024)"))
        // The year to date beside the quarter.
        #expect(html.contains("<th scope=\"col\" class=\"num\">Year to date</th>"))
        #expect(html.contains("So far this financial year (1 April 2023 to 31 March 2024)"))
    }

    @Test func everyFigureIsSaidInASentence() {
        let html = trustees
        #expect(matches("<p class=\"headline\">Of every £1 we spent this quarter, \\d{1,3}p reached groups directly\\.</p>", html).count == 1)
        for key in ["In Q4 2023/24, ", "In Q4 2023/24 we passed on £", "In Q4 2023/24, \\d+ groups? received money", "Of every £1 we spent this quarter"] {
            #expect(!matches(key, html).isEmpty, "no sentence matching \(key)")
        }
        // Headline figures: each value followed by what it means, as a sentence.
        let figures = matches("<li><span class=\"value\">([^<]+)</span> <span class=\"label\">([^<]+)</span></li>", html)
        #expect(figures.count >= 5)
        for f in figures { #expect(f[2].hasSuffix("."), "\(f[1]) needs a full sentence, not \(f[2])") }
        // The data-quality section says what is wrong and what to do.
        let quality = html.components(separatedBy: "id=\"quality-heading\"").last ?? ""
        #expect(quality.contains("What to do:"))
    }

    /// Counts by region or characteristic belong in suppressed tables in
    /// funders' packs, never in the trustees' report.
    @Test func noBreakdownByRegionOrCharacteristic() {
        let members = parseCSV(Repo.root + "/sample-data/members.csv").dropFirst().filter { $0.count >= 5 }
        let regions = Set(members.map { $0[3] }.filter { !$0.isEmpty })
        let characteristics = Set(members.flatMap { $0[4].split(separator: ";").map(String.init) }.filter { !$0.isEmpty })
        #expect(!regions.isEmpty)
        let html = trustees
        for word in regions.union(characteristics) where html.contains(word) { Issue.record("trustees.html mentions \(word)") }
        // A member group is named here only with its consent (a hosted project's fund carries its name, as the pipeline declares it).
        for name in members.filter({ $0[2] == "member-group" && $0[5] != "yes" }).map({ $0[1] }) {
            #expect(!html.contains(HTML.escape(name)), "trustees.html names the group \(name), which has not agreed")
        }
    }

    @Test func aPackWithNoRestrictedSpendingStillSaysSomething() {
        for (name, html) in packs {
            let headline = matches("<p class=\"headline\">([^<]*)</p>", html).first?[1] ?? ""
            #expect(headline.count > 20 && !headline.hasPrefix("–"), "\(name): \(headline)")
            #expect(!html.contains(" 0 groups"), "\(name): say 'no groups', not '0 groups'")
        }
    }

    /// Templates escape every value; only the charts, built and escaped in
    /// Swift, are placed raw.
    @Test func templatesEscapeEveryValueButTheCharts() throws {
        let raw = ["whereChart", "rateChart", "amountsChart", "reachChart", "spendingChart"]
        let files = try FileManager.default.contentsOfDirectory(atPath: Repo.templates).filter { $0.hasSuffix(".mustache") }
        #expect(files.count >= 8)
        for file in files {
            let template = text(Repo.templates + "/\(file)")
            for m in matches("\\{\\{(\\{|&)\\s*([^}]+?)\\s*\\}", template) {
                #expect(raw.contains(m[2]), "\(file) places {{\(m[1])\(m[2])}} unescaped")
            }
        }
        let templates = try Templates.load(directory: Repo.templates)
        let hostile = "<script>alert(1)</script> & \"Trust\""
        let html = try templates.render(["organisation": hostile, "this": hostile,
                                         "headline": ["inPence": true, "pence": hostile] as [String: Any],
                                         "pounds": ["redistributed": hostile]], template: "trustees")
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Trust&quot; reached groups directly."))
        // A chart's words are escaped once, by the chart.
        let words = try templates.chartWords("chart-where", ["periodShort": hostile])
        let svg = Charts.groupedBars([], title: try words["title"], description: "d", id: "x")
        #expect(svg.contains("Where the money went, &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Trust&quot;</title>"))
    }

    @Test func printStylesheetIsForA4() {
        let css = text(Repo.templates + "/styles.mustache")
        #expect(css.contains("@media print"))
        #expect(css.contains("size: A4"))
        // The summary is the first page on its own; the detail follows without a break before every section.
        #expect(css.contains("section.summary { break-after: page; }"))
        #expect(!css.contains("break-before: page"))
        #expect(css.contains("break-inside: avoid"))
        #expect(css.contains("thead { display: table-header-group; }"), "table headers repeat on each printed page")
    }
}
