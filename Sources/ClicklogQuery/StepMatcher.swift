import ClicklogEvents
import ClicklogStorage

/// Evaluates funnel steps on blocks as bit masks (bit i: step i + 1 matches), per distinct value
/// of a block's dictionaries rather than per event: one mask per event name, one per URL, one per
/// selector; a row's mask is the AND of its values' masks (and of its properties' mask when a
/// step has `prop.` conditions, the one per-row test).
struct StepMatcher: Sendable {
    let steps: [FunnelStep]
    private let eventNames: [[UInt8]]

    init(steps: [FunnelStep]) {
        self.steps = steps
        eventNames = steps.map { Array($0.event.utf8) }
    }

    var usesPath: Bool { steps.contains { $0.path != nil } }
    var usesSelector: Bool { steps.contains { $0.selector != nil } }
    var usesProps: Bool { steps.contains { !$0.propConditions.isEmpty } }

    /// For each event name in `dictionary`, the steps that name it.
    func eventMasks(_ dictionary: StringColumn) -> [UInt32] {
        (0..<dictionary.count).map { entry in
            if dictionary.isNull(entry) { return 0 }
            let name = dictionary.bytes[dictionary.range(of: entry)]
            var mask: UInt32 = 0
            for (i, event) in eventNames.enumerated() where name.elementsEqual(event) { mask |= 1 << UInt32(i) }
            return mask
        }
    }

    /// For each URL in `dictionary`, the steps whose `path=` glob its path matches (or that
    /// have none).
    func pathMasks(_ dictionary: StringColumn) -> [UInt32] {
        globMasks(dictionary, globs: steps.map(\.path), transform: URLParts.path)
    }

    func selectorMasks(_ dictionary: StringColumn) -> [UInt32] {
        globMasks(dictionary, globs: steps.map(\.selector), transform: { $0 })
    }

    private func globMasks(
        _ dictionary: StringColumn, globs: [Glob?], transform: (UnsafeRawBufferPointer) -> UnsafeRawBufferPointer
    ) -> [UInt32] {
        // Steps without a glob of this kind pass every value, null included.
        var free: UInt32 = 0
        for (i, glob) in globs.enumerated() where glob == nil { free |= 1 << UInt32(i) }
        return dictionary.bytes.withUnsafeBytes { bytes in
            (0..<dictionary.count).map { entry in
                if dictionary.isNull(entry) { return free }
                let value = transform(UnsafeRawBufferPointer(rebasing: bytes[dictionary.range(of: entry)]))
                var mask = free
                for (i, glob) in globs.enumerated() where glob?.matches(value) == true { mask |= 1 << UInt32(i) }
                return mask
            }
        }
    }

    /// The rows with a non-zero mask and their masks: the AND of the masks of each row's event
    /// name, URL and selector (per-dictionary-entry masks with the block's codes).
    static func rowMasks(
        _ selected: [Int32], events: ([UInt32], [UInt32]), urls: ([UInt32], [UInt32])?, selectors: ([UInt32], [UInt32])?
    ) -> ([Int32], [UInt32]) {
        var rows = [Int32](repeating: 0, count: selected.count)
        var masks = [UInt32](repeating: 0, count: selected.count)
        var kept = 0
        let empty: [UInt32] = []
        // Absent columns AND with all ones: index 0 of a one-entry table, code 0 for every row.
        let all: [UInt32] = [UInt32.max]
        let zeros = urls == nil || selectors == nil ? [UInt32](repeating: 0, count: (selected.last.map { Int($0) } ?? 0) + 1) : empty
        let (urlCodes, urlMasks) = urls ?? (zeros, all)
        let (selectorCodes, selectorMasks) = selectors ?? (zeros, all)
        selected.withUnsafeBufferPointer { selected in
            events.0.withUnsafeBufferPointer { eventCodes in
                events.1.withUnsafeBufferPointer { eventMasks in
                    urlCodes.withUnsafeBufferPointer { urlCodes in
                        urlMasks.withUnsafeBufferPointer { urlMasks in
                            selectorCodes.withUnsafeBufferPointer { selectorCodes in
                                selectorMasks.withUnsafeBufferPointer { selectorMasks in
                                    rows.withUnsafeMutableBufferPointer { rows in
                                        masks.withUnsafeMutableBufferPointer { masks in
                                            for row in selected {
                                                let r = Int(row)
                                                var mask = eventMasks[Int(eventCodes[r])]
                                                if mask == 0 { continue }
                                                mask &= urlMasks[Int(urlCodes[r])] & selectorMasks[Int(selectorCodes[r])]
                                                if mask == 0 { continue }
                                                rows[kept] = row
                                                masks[kept] = mask
                                                kept += 1
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        rows.removeLast(rows.count - kept)
        masks.removeLast(masks.count - kept)
        return (rows, masks)
    }

    /// The steps whose every `prop.` condition holds on `row` of `batch` (a batch with props).
    func propMask(_ batch: EventBatch, row: Int) -> UInt32 {
        var mask: UInt32 = 0
        let range = batch.propRange(of: row)
        for (i, step) in steps.enumerated() {
            var ok = true
            for condition in step.propConditions where ok {
                ok = Self.propValue(batch, range: range, key: condition.keyBytes).map { $0.elementsEqual(condition.valueBytes) } ?? false
            }
            if ok { mask |= 1 << UInt32(i) }
        }
        return mask
    }

    /// The stored text of property `key` in the props `range` of a batch; nil when absent or null.
    static func propValue(_ batch: EventBatch, range: Range<Int>, key: [UInt8]) -> ArraySlice<UInt8>? {
        for p in range where batch.propKeys.bytes[batch.propKeys.range(of: p)].elementsEqual(key) {
            if batch.propKinds[p] == PropKind.null.rawValue { return nil }
            return batch.propValues.bytes[batch.propValues.range(of: p)]
        }
        return nil
    }
}
