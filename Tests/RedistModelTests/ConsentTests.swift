import RedistModel
import Testing

/// Consent to be named, scoped and dated: one test per rule, and each fails closed.
@Suite struct ConsentTests {
    func day(_ y: Int, _ m: Int, _ d: Int) -> Day { Day(year: y, month: m, day: d)! }
    let tidewater = ConsentScope.Audience.funder(id: "GB-CHC-9990201", name: "Tidewater Foundation")
    let marlow = ConsentScope.Audience.funder(id: "GB-CHC-9990202", name: "Marlow Lane Trust")

    func member(consent: Bool = true, date: Day? = Day(year: 2023, month: 2, day: 14), scope: ConsentScope = .public,
                expires: Day? = nil) -> MemberRecord {
        MemberRecord(id: "360G-X-G001", name: "Harbour Voices", kind: .memberGroup, region: "North East", characteristics: [],
                     consentToBeNamed: consent, consentDate: date, consentScope: scope, consentExpires: expires,
                     location: SourceLocation(file: "members.csv", line: 2))
    }

    @Test func withoutConsentNoOneIsNamed() {
        let m = member(consent: false)
        for audience in [ConsentScope.Audience.trustees, tidewater, .public] { #expect(!m.mayBeNamed(to: audience, on: day(2024, 3, 31))) }
    }

    @Test func publicConsentNamesToEveryone() {
        let m = member(scope: .public)
        for audience in [ConsentScope.Audience.trustees, tidewater, marlow, .public] { #expect(m.mayBeNamed(to: audience, on: day(2024, 3, 31))) }
    }

    @Test func trusteesOnlyConsentNamesInNoPackAndNoOpenData() {
        let m = member(scope: .trustees)
        #expect(m.mayBeNamed(to: .trustees, on: day(2024, 3, 31)))
        #expect(!m.mayBeNamed(to: tidewater, on: day(2024, 3, 31)))
        #expect(!m.mayBeNamed(to: .public, on: day(2024, 3, 31)))
    }

    @Test func namedFundersOnlyByIdOrName() {
        let byId = member(scope: ConsentScope(text: "funders: GB-CHC-9990201")!)
        #expect(byId.mayBeNamed(to: tidewater, on: day(2024, 3, 31)))
        #expect(!byId.mayBeNamed(to: marlow, on: day(2024, 3, 31)))
        #expect(!byId.mayBeNamed(to: .public, on: day(2024, 3, 31)))
        #expect(byId.mayBeNamed(to: .trustees, on: day(2024, 3, 31)))
        let byName = member(scope: ConsentScope(text: "Funders: tidewater foundation; Someone Else")!)
        #expect(byName.mayBeNamed(to: tidewater, on: day(2024, 3, 31)))
        #expect(!byName.mayBeNamed(to: marlow, on: day(2024, 3, 31)))
    }

    @Test func consentCountsFromItsDateOnly() {
        let m = member(date: day(2024, 4, 2))
        #expect(!m.mayBeNamed(to: .public, on: day(2024, 3, 31)), "given after the period's end")
        #expect(m.mayBeNamed(to: .public, on: day(2024, 6, 30)))
    }

    @Test func consentWithoutADateNamesNoOne() {
        #expect(!member(date: nil).mayBeNamed(to: .public, on: day(2024, 3, 31)))
    }

    @Test func expiredConsentNamesNoOne() {
        let m = member(expires: day(2023, 12, 31))
        #expect(m.mayBeNamed(to: tidewater, on: day(2023, 12, 31)), "the expiry day itself still holds")
        #expect(!m.mayBeNamed(to: tidewater, on: day(2024, 3, 31)))
    }

    @Test func scopeTextIsOneOfThreeForms() {
        #expect(ConsentScope(text: "public") == .public)
        #expect(ConsentScope(text: " Trustees ") == .trustees)
        #expect(ConsentScope(text: "funders: A; b ;") == .funders(["a", "b"]))
        for bad in ["", "everyone", "funders:", "funders: ;", "GB-CHC-9990201", "yes"] { #expect(ConsentScope(text: bad) == nil, "\(bad)") }
        for s in [ConsentScope.public, .trustees, .funders(["gb-chc-1", "a trust"])] { #expect(ConsentScope(text: s.text) == s) }
    }
}
