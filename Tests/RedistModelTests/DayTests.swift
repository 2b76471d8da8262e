import PropertyBased
import RedistModel
import Testing

@Suite("Day and date formats")
struct DayTests {
    @Test func impossibleDatesDoNotExist() {
        #expect(Day(year: 2024, month: 2, day: 29) != nil)
        #expect(Day(year: 2023, month: 2, day: 29) == nil)
        #expect(Day(year: 1900, month: 2, day: 29) == nil)
        #expect(Day(year: 2000, month: 2, day: 29) != nil)
        #expect(Day(year: 2023, month: 4, day: 31) == nil)
        #expect(Day(year: 2023, month: 13, day: 1) == nil)
        #expect(Day(year: 2023, month: 0, day: 1) == nil)
        #expect(Day(year: 2023, month: 1, day: 0) == nil)
        #expect(Day(year: 0, month: 1, day: 1) == nil)
    }

    @Test func isoTextWithOrWithoutATime() {
        #expect(Day(iso: "2023-04-01") == Day(year: 2023, month: 4, day: 1))
        #expect(Day(iso: "2020-11-03T00:00:00+00:00") == Day(year: 2020, month: 11, day: 3))
        #expect(Day(iso: "2020-01-23 08:26:29") == Day(year: 2020, month: 1, day: 23))
        for bad in ["2023-02-30", "2023-13-01", "2023-4-01", "2023/04/01", "20230401", "2023-04-01x", "", "2023-04-0", "２０２３-04-01"] {
            #expect(Day(iso: bad) == nil, "\(bad)")
        }
    }

    @Test func printsAsISOWithPadding() {
        #expect(Day(year: 2023, month: 4, day: 1)!.description == "2023-04-01")
        #expect(Day(year: 999, month: 12, day: 31)!.description == "0999-12-31")
    }

    @Test func dayArithmeticCrossesMonthsAndYears() {
        let epoch = Day(year: 1970, month: 1, day: 1)!
        #expect(epoch.ordinal == 0)
        #expect(Day(year: 2024, month: 3, day: 1)! - Day(year: 2024, month: 2, day: 28)! == 2)
        #expect(Day(year: 2023, month: 3, day: 1)! - Day(year: 2023, month: 2, day: 28)! == 1)
        #expect(Day(year: 2023, month: 12, day: 31)!.adding(days: 1) == Day(year: 2024, month: 1, day: 1))
        #expect(Day(year: 1969, month: 12, day: 31)!.ordinal == -1)
        #expect(Day(year: 2024, month: 1, day: 1)! < Day(year: 2024, month: 1, day: 2)!)
        #expect(Day(year: 2023, month: 12, day: 31)! < Day(year: 2024, month: 1, day: 1)!)
    }

    @Test func ordinalsRoundTrip() async {
        await propertyCheck(count: 500, input: Gen.int(in: -700_000...2_900_000)) { ordinal in
            let day = Day(ordinal: ordinal)
            #expect(day.ordinal == ordinal)
            #expect(Day(year: day.year, month: day.month, day: day.day) == day)
            #expect(day.adding(days: 1) - day == 1)
            #expect(Day(iso: day.description) == day)
        }
    }

    @Test(arguments: [
        (DateFormat.dayMonthYear, "31/03/2024", "2024-03-31"), (.dayMonthYear, "31.03.2024", "2024-03-31"),
        (.dayMonthYear, "1-4-2023", "2023-04-01"), (.dayMonthYear, "31/03/24", "2024-03-31"), (.dayMonthYear, " 05/06/2023 ", "2023-06-05"),
        (.monthDayYear, "03/31/2024", "2024-03-31"), (.monthDayYear, "8/10/2016", "2016-08-10"), (.monthDayYear, "11/01/2012", "2012-11-01"),
        (.iso, "2024-03-31", "2024-03-31"), (.iso, "2017-04-25T03:15:53", "2017-04-25"),
        (.dayMonthNameYear, "2 Sep 2022", "2022-09-02"), (.dayMonthNameYear, "07 Nov 2013", "2013-11-07"),
        (.dayMonthNameYear, "2 September 2022", "2022-09-02"), (.dayMonthNameYear, "2 sept 2022", "2022-09-02"),
        (.dayMonthNameYear, "2-Sep-2022", "2022-09-02"),
    ])
    func formatsReadTheirSpellings(format: DateFormat, text: String, iso: String) {
        #expect(format.parse(Substring(text))?.description == iso, "\(text) as \(format.rawValue)")
    }

    @Test(arguments: [
        (DateFormat.dayMonthYear, "31/02/2024"), (.dayMonthYear, "03/31/2024"), (.dayMonthYear, "2024/03/31"), (.dayMonthYear, "1/2/345"),
        (.dayMonthYear, "31/03"), (.dayMonthYear, ""), (.dayMonthYear, "aa/bb/cccc"), (.monthDayYear, "31/03/2024"),
        (.iso, "31/03/2024"), (.dayMonthNameYear, "2 Spe 2022"), (.dayMonthNameYear, "2 Septembre 2022"),
        (.dayMonthNameYear, "31 Feb 2023"), (.dayMonthNameYear, "2 Sep 22"), (.dayMonthNameYear, "Sep 2 2022"),
    ])
    func formatsRefuseOtherSpellingsAndImpossibleDates(format: DateFormat, text: String) {
        #expect(format.parse(Substring(text)) == nil, "\(text) as \(format.rawValue)")
    }

    @Test func everyFormatSaysWhatItExpects() {
        for format in DateFormat.allCases {
            #expect(format.expectation.hasPrefix("expected a date as \(format.rawValue)"))
        }
    }

    /// A time of day may follow any date format, as published files write one (`dd/mm/yyyy hh:mm`).
    @Test func aTimeMayFollowAnyFormat() {
        let cases: [(DateFormat, String, Day)] = [
            (.dayMonthYear, "31/03/2024 14:05", Day(year: 2024, month: 3, day: 31)!),
            (.dayMonthYear, "31/03/2024 14:05:09", Day(year: 2024, month: 3, day: 31)!),
            (.dayMonthYear, "01/04/2024T09:30:00+01:00", Day(year: 2024, month: 4, day: 1)!),
            (.monthDayYear, "3/31/2024 2:05:00 PM", Day(year: 2024, month: 3, day: 31)!),
            (.iso, "2024-03-31T14:05:00Z", Day(year: 2024, month: 3, day: 31)!),
            (.iso, "2024-03-31T13:25:56.478733084+02:00", Day(year: 2024, month: 3, day: 31)!),
            (.iso, "2000-09-08 21:18:41 +0200", Day(year: 2000, month: 9, day: 8)!),
            (.yearMonthDaySlashes, "2024/03/31 00:00", Day(year: 2024, month: 3, day: 31)!),
            (.dayMonthNameYear, "2 Sep 2022 10:00", Day(year: 2022, month: 9, day: 2)!),
        ]
        for (format, text, day) in cases { #expect(format.parse(Substring(text)) == day, "\(text)") }
        for (format, text) in [(DateFormat.dayMonthYear, "31/03/2024 25:00"), (.dayMonthYear, "31/03/2024 14:5"),
                               (.dayMonthYear, "31/03/2024 noon"), (.iso, "2024-03-31 garbage"), (.iso, "2024-03-31T14:05+25:00"),
                               (.monthDayYear, "3/31/2024 13:00 PM"), (.dayMonthNameYear, "2 Sep 2022 10")] {
            #expect(format.parse(Substring(text)) == nil, "\(text)")
        }
    }
}

