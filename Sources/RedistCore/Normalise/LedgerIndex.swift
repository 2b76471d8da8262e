import Foundation
import RedistModel

/// Each scope's measures, worked out once per dataset on first use, and
/// shared by every `MeasureEngine` made from it; a dataset whose inputs
/// change gets a new one. The ledger itself stays in the warehouse.
final class LedgerIndex: @unchecked Sendable {
    private let lock = NSLock()
    private var memo = Memo()

    struct Memo {
        var organisation: [Period: ScopeMeasures] = [:]
        var fund: [FundPeriod: ScopeMeasures] = [:]
        var funder: [FundPeriod: ScopeMeasures] = [:]
    }
    struct FundPeriod: Hashable { var code: String; var period: Period }

    func remembered<K, V>(_ path: WritableKeyPath<Memo, [K: V]>, _ key: K, _ make: () -> V) -> V {
        lock.lock()
        if let v = memo[keyPath: path][key] { lock.unlock(); return v }
        lock.unlock()
        let v = make()
        lock.lock()
        memo[keyPath: path][key] = v
        lock.unlock()
        return v
    }
}
