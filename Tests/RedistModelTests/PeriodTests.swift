import RedistModel
import Testing

@Suite("Period and financial year")
struct PeriodTests {
    func day(_ y: Int, _ m: Int, _ d: Int) -> Day { Day(year: y, month: m, day: d)! }

    @Test func quartersYearsAndRanges() throws {
        let q = try #require(Period("2023-Q2"))
        #expect(q.start == day(2023, 4, 1) && q.end == day(2023, 6, 30) && q.label == "2023-Q2")
        let leap = try #require(Period("2024-Q1"))
        #expect(leap.end == day(2024, 3, 31))
        let q4 = try #require(Period("2023-Q4"))
        #expect(q4.start == day(2023, 10, 1) && q4.end == day(2023, 12, 31))
        let year = try #require(Period("2023"))
        #expect(year.start == day(2023, 1, 1) && year.end == day(2023, 12, 31) && year.label == "2023")
        let range = try #require(Period("2023-04-01..2023-06-30"))
        #expect(range.start == day(2023, 4, 1) && range.end == day(2023, 6, 30) && range.label == "2023-04-01..2023-06-30")
        let oneDay = try #require(Period(" 2023-04-01..2023-04-01 "))
        #expect(oneDay.start == oneDay.end)
    }

    @Test(arguments: ["", "2023-Q0", "2023-Q5", "2023Q2", "23-Q2", "0000", "-123", "12345", "abcd", "2023-06-30..2023-04-01",
                      "2023-04-01..", "..2023-04-01", "2023-4-1..2023-6-30", "2023-04-01..2023-06-31", "2023-04-01..2023-06-30T00",
                      "2023-04-01...2023-06-30", "2023-04-01"])
    func refusesWhatIsNotAPeriod(text: String) {
        #expect(Period(text) == nil, "\(text)")
    }

    @Test func containsIsInclusive() throws {
        let q = try #require(Period("2023-Q2"))
        #expect(q.contains(day(2023, 4, 1)))
        #expect(q.contains(day(2023, 6, 30)))
        #expect(!q.contains(day(2023, 3, 31)))
        #expect(!q.contains(day(2023, 7, 1)))
    }

    @Test func calendarQuarterIsOnlyForWholeQuarters() throws {
        #expect(Period("2023-Q3")!.calendarQuarter! == (2023, 3))
        #expect(Period("2023-07-01..2023-09-30")!.calendarQuarter! == (2023, 3))
        #expect(Period("2023-07-01..2023-09-29")!.calendarQuarter == nil)
        #expect(Period("2023-08-01..2023-10-31")!.calendarQuarter == nil)
        #expect(Period("2023")!.calendarQuarter == nil)
    }

    @Test func quartersEndingCrossTheYear() throws {
        let labels = Period("2024-Q1")!.quartersEnding(count: 4).map(\.label)
        #expect(labels == ["2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1"])
        // A range ending mid-quarter counts that quarter as the last.
        #expect(Period("2023-01-01..2023-05-15")!.quartersEnding(count: 2).map(\.label) == ["2023-Q1", "2023-Q2"])
        #expect(Period("2023")!.quartersEnding(count: 1).map(\.label) == ["2023-Q4"])
    }

    @Test func financialYearStartIsMonthAndDay() {
        #expect(FinancialYear(monthDay: "04-01") == FinancialYear(startMonth: 4, startDay: 1))
        for bad in ["4-1", "04/01", "13-01", "02-30", "02-29", "0401", "", "04-01-2023", "aa-bb"] {
            #expect(FinancialYear(monthDay: bad) == nil, "\(bad)")
        }
    }

    @Test func financialYearsAreNamedByTheirFirstYear() {
        let april = FinancialYear(startMonth: 4, startDay: 1)
        #expect(april.yearStart(containing: day(2024, 3, 31)) == day(2023, 4, 1))
        #expect(april.yearStart(containing: day(2024, 4, 1)) == day(2024, 4, 1))
        #expect(april.name(containing: day(2024, 3, 31)) == "2023/24")
        #expect(april.name(containing: day(2000, 1, 1)) == "1999/00")
        let calendar = FinancialYear(startMonth: 1, startDay: 1)
        #expect(calendar.name(containing: day(2023, 7, 1)) == "2023")
    }

    @Test func quarterLabelsFollowTheFinancialYear() {
        let april = FinancialYear(startMonth: 4, startDay: 1)
        #expect(april.quarterLabel(Period("2023-Q2")!) == "Q1 2023/24")
        #expect(april.quarterLabel(Period("2023-Q4")!) == "Q3 2023/24")
        #expect(april.quarterLabel(Period("2024-Q1")!) == "Q4 2023/24")
        #expect(april.quarterLabel(Period("2023")!) == nil)
        #expect(FinancialYear(startMonth: 1, startDay: 1).quarterLabel(Period("2023-Q3")!) == "Q3 2023")
        // A year starting in a month that is not a quarter's first has no quarter labels.
        #expect(FinancialYear(startMonth: 2, startDay: 1).quarterLabel(Period("2023-Q2")!) == nil)
        // Nor does the UK tax year, starting on 6 April.
        #expect(FinancialYear(startMonth: 4, startDay: 6).quarterLabel(Period("2023-Q2")!) == nil)
    }

    @Test func calendarFormsAcceptLowerCaseAndMonths() throws {
        let q = try #require(Period("2023-q2"))
        #expect(q.label == "2023-Q2" && q.start == day(2023, 4, 1) && q.end == day(2023, 6, 30))
        let may = try #require(Period("2023-05"))
        #expect(may.label == "2023-05" && may.start == day(2023, 5, 1) && may.end == day(2023, 5, 31))
        #expect(Period("2024-02")!.end == day(2024, 2, 29))
        for bad in ["2023-13", "2023-00", "2023-5", "2023-q5", "2023/24"] { #expect(Period(bad) == nil, "\(bad)") }
    }

    @Test func financialYearLabels() throws {
        let april = FinancialYear(startMonth: 4, startDay: 1)
        let year = try #require(Period("2023/24", financialYear: april))
        #expect(year.label == "2023/24" && year.start == day(2023, 4, 1) && year.end == day(2024, 3, 31))
        let q1 = try #require(Period("2023/24-Q1", financialYear: april))
        #expect(q1.label == "2023/24-Q1" && q1.start == day(2023, 4, 1) && q1.end == day(2023, 6, 30))
        let q4 = try #require(Period("2023/24-q4", financialYear: april))
        #expect(q4.start == day(2024, 1, 1) && q4.end == day(2024, 3, 31))
        // Calendar forms still work beside them.
        #expect(Period("2023-Q2", financialYear: april)?.label == "2023-Q2")
        for bad in ["2023/25", "2023/24-Q5", "2023/24-Q", "2023/2024", "23/24", "2023/24Q1"] {
            #expect(Period(bad, financialYear: april) == nil, "\(bad)")
        }
        // A year that starts on 1 January is named 2023, never 2023/24.
        #expect(Period("2023/24", financialYear: FinancialYear(startMonth: 1, startDay: 1)) == nil)
    }

    /// What the reports call a period is accepted back as the period.
    @Test func theReportsOwnNamesAreAcceptedBack() throws {
        let april = FinancialYear(startMonth: 4, startDay: 1)
        for text in ["2023-Q2", "2023-Q4", "2024-Q1", "2023-04-01..2023-05-15", "2023-04-01..2024-03-31"] {
            let p = Period(text)!
            let short = april.quarterLabel(p) ?? "\(p.start.day) \(Day.monthNames[p.start.month - 1])\(p.start.year == p.end.year ? "" : " \(p.start.year)") to \(p.end.day) \(Day.monthNames[p.end.month - 1]) \(p.end.year)"
            let back = try #require(Period(short, financialYear: april), "\(short)")
            #expect(back.start == p.start && back.end == p.end, "\(short)")
        }
        #expect(Period("Q1 2023/24", financialYear: april)?.label == "2023/24-Q1")
        #expect(Period("Q3 2023", financialYear: FinancialYear(startMonth: 1, startDay: 1))?.label == "2023-Q3")
    }
}
