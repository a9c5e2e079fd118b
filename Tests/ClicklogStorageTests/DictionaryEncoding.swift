import ClicklogEvents
@testable import ClicklogStorage

/// Encodes `column` with the dictionary codec the way `BlockEncoder` does (string table, plan,
/// bytes), for the codec tests that decode it back.
func dictionaryEncoded(
    _ column: StringColumn, values: DictionaryStringCodec.Values
) -> (bytes: [UInt8], table: StringTable, plan: DictionaryStringCodec.Plan) {
    var table = StringTable()
    table.build(column)
    var plan = DictionaryStringCodec.Plan()
    var counts: [UInt32] = []
    DictionaryStringCodec.plan(table, counts: &counts, into: &plan)
    var out: [UInt8] = []
    DictionaryStringCodec.encode(column, table: table, plan: plan, values: values, into: &out)
    return (out, table, plan)
}
