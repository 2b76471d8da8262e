import RedistModel

/// Small-number protection that keeps information: before any count is
/// suppressed with `[c]`, regions with fewer than `k` groups are merged
/// into one "other regions" row, and descriptions that fewer than `k`
/// groups give into one "other descriptions" column (a group counted there
/// once, however many of them it gives). Suppression then hides only what
/// is still too small.
enum ReachProtection {
    static let otherRegions = "other regions"
    static let otherDescriptions = "other descriptions"

    static func coarsened(_ groups: [MemberRecord?], minimum k: Int) -> [MemberRecord?] {
        guard k > 1 else { return groups }
        func region(_ g: MemberRecord?) -> String { g.map { $0.region.isEmpty ? "not recorded" : $0.region } ?? "not recorded" }
        var regionCount: [String: Int] = [:]
        for g in groups { regionCount[region(g), default: 0] += 1 }
        let smallRegions = Set(regionCount.filter { $0.value < k }.keys)
        var descriptionCount: [String: Int] = [:]
        for g in groups { for c in Set(g?.characteristics ?? []) { descriptionCount[c, default: 0] += 1 } }
        let smallDescriptions = Set(descriptionCount.filter { $0.value < k }.keys)
        // Merging one small region alone into "other" only renames it.
        let mergeRegions = smallRegions.count > 1
        let mergeDescriptions = smallDescriptions.count > 1
        guard mergeRegions || mergeDescriptions else { return groups }
        return groups.map { g -> MemberRecord? in
            guard var m = g else { return nil }
            if mergeRegions && smallRegions.contains(region(m)) { m.region = otherRegions }
            if mergeDescriptions {
                var seen = Set<String>()
                m.characteristics = m.characteristics.map { smallDescriptions.contains($0) ? otherDescriptions : $0 }.filter { seen.insert($0).inserted }
            }
            return m
        }
    }
}
