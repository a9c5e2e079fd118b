import ClicklogEvents
import ClicklogStorage

extension BlockScanner {
    /// Columns to decode for `dimension`'s values.
    static func columns(for dimension: Dimension) -> ColumnSet { ColumnSet(dimension.column) }

    /// Decodes what `dimension` needs from the block: a dictionary column, or the props. Split
    /// from `dimensionValues` so a query reads every column before it aggregates anything.
    func readDimension(_ dimension: Dimension, block: ScanBlock, sites: DictionaryStrings?) throws -> DimensionColumn {
        switch dimension {
        case .prop: .props(try reader.read(block, columns: ColumnSet(.props)))
        case .site: sites.map { .strings($0) } ?? .constant(block.sites[0])
        default: .strings(try reader.readStrings(block, column: dimension.column))
        }
    }

    /// Interned value ids of `dimension` for `rows` (`Interner.none` where a row has no value).
    mutating func dimensionValues(
        _ dimension: Dimension, _ column: DimensionColumn, rows: [Int32], into interner: Interner
    ) throws -> [UInt32] {
        switch column {
        case let .constant(value):
            let id = interner.intern(value)
            return [UInt32](repeating: id, count: rows.count)
        case let .strings(strings):
            let ids = try entryValues(dimension, strings, rows: rows, into: interner)
            return rows.map { ids[Int(strings.codes[Int($0)])] }
        case let .props(batch):
            guard case let .prop(key) = dimension else { preconditionFailure("props read for \(dimension)") }
            let keyBytes = Array(key.utf8)
            var values = StringColumn()
            for row in rows {
                if let value = StepMatcher.propValue(batch, range: batch.propRange(of: Int(row)), key: keyBytes) {
                    values.append(contentsOf: value)
                } else {
                    values.appendNull()
                }
            }
            return try self.values(values, in: interner)
        }
    }
}

extension BlockScanner {
    /// Interned value ids of `dimension` for the entries of a block dictionary that `rows` use
    /// (`Interner.none` for the others and for entries without a value): one URL part or string
    /// per distinct value, never per event.
    mutating func entryValues(
        _ dimension: Dimension, _ strings: DictionaryStrings, rows: [Int32], into interner: Interner
    ) throws -> [UInt32] {
        let dictionary = strings.dictionary
        var wanted = [Bool](repeating: false, count: dictionary.count)
        strings.codes.withUnsafeBufferPointer { codes in
            for row in rows { wanted[Int(codes[Int(row)])] = true }
        }
        var values = StringColumn()
        dictionary.bytes.withUnsafeBytes { bytes in
            for entry in 0..<dictionary.count {
                if !dictionary.isNull(entry), wanted[entry],
                    let value = dimension.value(of: UnsafeRawBufferPointer(rebasing: bytes[dictionary.range(of: entry)])) {
                    values.append(value)
                } else {
                    values.appendNull()
                }
            }
        }
        return try self.values(values, in: interner)
    }
}

/// A block's decoded source of dimension values.
enum DimensionColumn {
    /// Every row has this value (the site of a one-site block).
    case constant(String)
    case strings(DictionaryStrings)
    case props(EventBatch)
}
