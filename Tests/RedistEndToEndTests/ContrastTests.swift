import Foundation
@testable import RedistReports
import Testing

/// WCAG 2.2 AA contrast for every colour the reports draw with: 4.5:1 for
/// text, 3:1 for chart lines, markers and bar outlines. The palette is
/// checked as the charts use it, and the stylesheet as staff may edit it.
@Suite struct ContrastTests {
    @Test func contrastRatiosMatchTheWCAGFormula() throws {
        // Reference values from the WCAG definition of contrast ratio.
        #expect(abs(try #require(Palette.contrast("#000000", "#ffffff")) - 21) < 0.001)
        #expect(abs(try #require(Palette.contrast("#ffffff", "#ffffff")) - 1) < 0.001)
        #expect(abs(try #require(Palette.contrast("#767676", "#ffffff")) - 4.54) < 0.01)
        #expect(abs(try #require(Palette.contrast("#777777", "#ffffff")) - 4.48) < 0.01)
        #expect(Palette.contrast("#12436d", "#ffffff") == Palette.contrast("#ffffff", "#12436d"))
        #expect(Palette.contrast("#12g", "#ffffff") == nil)
    }

    @Test func everyPaletteColourMeetsItsMinimum() throws {
        for use in Palette.uses {
            let ratio = try #require(Palette.contrast(use.colour, use.on), "\(use.name): \(use.colour) is not #rrggbb")
            #expect(ratio >= use.minimum,
                    "\(use.name): \(use.colour) on \(use.on) is \(String(format: "%.2f", ratio)):1, needs \(use.minimum):1")
        }
    }

    /// Two series of one chart must differ by more than hue: in black and
    /// white they are told apart by line style and marker, but their
    /// colours should still not be near-identical in lightness.
    @Test func seriesColoursAreDistinctFromEachOtherAndFromTheGrid() throws {
        let series = [Palette.redistributed, Palette.retained]
        #expect(Set(series).count == series.count)
        for colour in series {
            #expect(try #require(Palette.contrast(colour, Palette.grid)) > 1.5, "\(colour) is too close to the grid lines")
        }
    }

    /// Every colour a rendered chart uses is one of the palette's, so none
    /// escapes this test.
    @Test func chartsDrawOnlyWithThePalette() throws {
        let ticks = ["Q1", "Q2", "Q3"].map { Charts.Tick(label: $0, sublabel: "x") }
        let lines = Charts.lines([
            Charts.Series(name: "a", values: [1, 2, nil], valueLabels: ["1", "2", ""], colour: Palette.redistributed, style: .solid, marker: .circle, pointLabels: .above, missingLabel: "none"),
            Charts.Series(name: "b", values: [0, 1, 2], valueLabels: ["0", "1", "2"], colour: Palette.retained, style: .dashed, marker: .square, pointLabels: .below),
            Charts.Series(name: "c", values: [3, 1, 0], valueLabels: ["3", "1", "0"], colour: Palette.unclassified, style: .dotted, marker: .triangle),
        ], ticks: ticks, axis: .count, title: "t", description: "d", id: "c")
        let bars = Charts.groupedBars([
            Charts.BarGroup(title: "in", bars: [Charts.Bar(label: "x", value: 5, valueLabel: "5")], hatched: false, colour: Palette.redistributed),
            Charts.BarGroup(title: "out", bars: [Charts.Bar(label: "y", value: 3, valueLabel: "3")], hatched: true, colour: Palette.retained),
        ], title: "t", description: "d", id: "b")
        let allowed = Set(Palette.uses.flatMap { [$0.colour, $0.on] })
        let regex = try NSRegularExpression(pattern: "#[0-9a-fA-F]{6}\\b")
        for svg in [lines, bars] {
            let ns = svg as NSString
            for match in regex.matches(in: svg, range: NSRange(location: 0, length: ns.length)) {
                let colour = ns.substring(with: match.range).lowercased()
                #expect(allowed.contains(colour), "\(colour) is drawn but not in Palette.uses, so its contrast is never checked")
            }
        }
    }

    /// The stylesheet staff can edit: its colour variables must keep AA
    /// contrast, and agree with the palette the charts are drawn with.
    @Test func stylesheetColoursMeetAA() throws {
        let css = text(Repo.templates + "/styles.mustache")
        let regex = try NSRegularExpression(pattern: "--([a-z-]+):\\s*(#[0-9a-fA-F]{6})")
        let ns = css as NSString
        var vars: [String: String] = [:]
        for m in regex.matches(in: css, range: NSRange(location: 0, length: ns.length)) {
            vars[ns.substring(with: m.range(at: 1))] = ns.substring(with: m.range(at: 2)).lowercased()
        }
        for name in ["ink", "muted", "line", "accent", "paper", "band"] {
            #expect(vars[name] != nil, "styles.mustache has no --\(name) colour")
        }
        guard let ink = vars["ink"], let muted = vars["muted"], let line = vars["line"], let accent = vars["accent"],
              let paper = vars["paper"], let band = vars["band"] else { return }
        func check(_ what: String, _ fg: String, _ bg: String, _ minimum: Double) throws {
            let ratio = try #require(Palette.contrast(fg, bg))
            #expect(ratio >= minimum, "\(what): \(fg) on \(bg) is \(String(format: "%.2f", ratio)):1, needs \(minimum):1")
        }
        try check("body text (--ink)", ink, paper, 4.5)
        try check("headline text on the band", ink, band, 4.5)
        try check("secondary text (--muted)", muted, paper, 4.5)
        try check("secondary text on the band", muted, band, 4.5)
        try check("table rules and boxes (--line)", line, paper, 3)
        try check("headline edge and focus outline (--accent)", accent, paper, 3)
        try check("headline edge on the band", accent, band, 3)
        #expect(ink == Palette.ink && muted == Palette.muted && line == Palette.grid && paper == Palette.paper && band == Palette.band
                && accent == Palette.redistributed, "styles.mustache and Palette in Charts.swift have drifted apart")
        // No other colour may be written straight into the stylesheet, where this test would not see it.
        let literal = try NSRegularExpression(pattern: "(?<!--[a-z-]{1,20}:\\s{0,3})#[0-9a-fA-F]{3,6}\\b")
        let stray = literal.matches(in: css, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range) }
        #expect(stray.isEmpty, "colours outside the :root variables: \(stray)")
    }
}
