import PropertyBased
import RedistModel
import Testing

@Suite("Apportion and rounding")
struct ApportionTests {
    @Test func splitsInProportion() {
        #expect(Apportion.largestRemainder(total: 100, weights: [1, 1]) == [50, 50])
        #expect(Apportion.largestRemainder(total: 100, weights: [3, 1]) == [75, 25])
        #expect(Apportion.largestRemainder(total: 1_000, weights: [250, 250, 500]) == [250, 250, 500])
    }

    @Test func leftoverUnitsGoToTheLargestRemainders() {
        // 100 × 1/3 = 33.33 each: one unit left, and ties go to the earlier part.
        #expect(Apportion.largestRemainder(total: 100, weights: [1, 1, 1]) == [34, 33, 33])
        // 10 × (2, 3, 5)/10 exactly; 11 × (2, 3, 5)/10 = 2.2, 3.3, 5.5: the 5.5 gets the unit.
        #expect(Apportion.largestRemainder(total: 11, weights: [2, 3, 5]) == [2, 3, 6])
        // 7 × (1, 2)/3 = 2.33, 4.67.
        #expect(Apportion.largestRemainder(total: 7, weights: [1, 2]) == [2, 5])
    }

    @Test func negativeTotalsSplitAsTheirMagnitude() {
        #expect(Apportion.largestRemainder(total: -100, weights: [1, 1, 1]) == [-34, -33, -33])
        #expect(Apportion.largestRemainder(total: -7, weights: [1, 2]) == [-2, -5])
    }

    @Test func zeroAndNegativeWeightsGetNothing() {
        #expect(Apportion.largestRemainder(total: 100, weights: [0, 1]) == [0, 100])
        #expect(Apportion.largestRemainder(total: 100, weights: [-5, 1, 1]) == [0, 50, 50])
    }

    @Test func aTotalWithNowhereToGoIsNil() {
        #expect(Apportion.largestRemainder(total: 100, weights: [0, 0]) == nil)
        #expect(Apportion.largestRemainder(total: 100, weights: []) == nil)
        #expect(Apportion.largestRemainder(total: 0, weights: [0, 0]) == [0, 0])
        #expect(Apportion.largestRemainder(total: 0, weights: []) == [])
    }

    @Test func hugeAmountsDoNotOverflowTheProducts() {
        let parts = Apportion.largestRemainder(total: Int64.max / 2, weights: [Int64.max / 4, Int64.max / 4])
        #expect(parts?.reduce(0, +) == Int64.max / 2)
    }

    /// The parts always sum to the total, and each is within one unit of its exact share.
    @Test func partsAlwaysSumToTheTotal() async {
        await propertyCheck(count: 500, input: Gen.int64(in: -10_000_000_000...10_000_000_000),
                            Gen.int64(in: 0...1_000_000).array(of: 1...8)) { total, weights in
            guard let parts = Apportion.largestRemainder(total: total, weights: weights) else {
                #expect(weights.allSatisfy { $0 == 0 } && total != 0)
                return
            }
            #expect(parts.count == weights.count)
            #expect(parts.reduce(0, +) == total)
            let sum = weights.reduce(0, +)
            guard sum > 0 else {
                #expect(parts.allSatisfy { $0 == 0 })
                return
            }
            for (part, weight) in zip(parts, weights) {
                // |part × Σw − total × w| < Σw, computed without overflow.
                let exact = Double(total) * Double(weight) / Double(sum)
                #expect(abs(Double(part) - exact) < 1.000001, "\(part) for weight \(weight) of \(sum), total \(total)")
                if weight == 0 { #expect(part == 0) }
            }
        }
    }

    @Test(arguments: [
        (Int64(1), Int64(3), 4, "0.3333"), (2, 3, 4, "0.6667"), (1, 8, 2, "0.13"), (-1, 8, 2, "-0.13"), (1, -8, 2, "-0.13"),
        (0, 5, 4, "0.0000"), (5, 5, 4, "1.0000"), (39_440, 100_000, 4, "0.3944"), (1, 2, 0, "1"), (1, 3, 0, "0"),
    ])
    func ratiosRoundHalfAwayFromZero(numerator: Int64, denominator: Int64, places: Int, text: String) {
        #expect(Rounding.ratio(numerator, denominator, places: places) == text)
    }

    @Test func aRatioOfNothingIsNil() {
        #expect(Rounding.ratio(5, 0, places: 4) == nil)
    }

    @Test func wholeDivisionRoundsHalfAwayFromZero() {
        #expect(Rounding.divideHalfUp(5, 2) == 3)
        #expect(Rounding.divideHalfUp(-5, 2) == -3)
        #expect(Rounding.divideHalfUp(4, 3) == 1)
        #expect(Rounding.divideHalfUp(5, 3) == 2)
        #expect(Rounding.divideHalfUp(-1, 3) == 0)
        #expect(Rounding.divideHalfUp(3_944, 100) == 39)
    }
}
