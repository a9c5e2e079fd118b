import Testing
@testable import ClicklogStorage

struct QuarantineTests {
    @Test func recordsReadBackWithReasonAndTime() throws {
        try withDataDirectory { dir in
            let quarantine = try Quarantine(directory: dir)
            try quarantine.append(Array("{not json".utf8), reason: "malformed JSON at byte 1", time: 1_000)
            try quarantine.append([0xFF, 0x00, 0xC3], reason: "invalid UTF-8", time: 2_000)
            try quarantine.append([], reason: "", time: 3_000)
            try quarantine.sync()
            let (records, problems) = try QuarantineReader.read(directory: dir)
            #expect(problems.isEmpty)
            #expect(records.map(\.reason) == ["malformed JSON at byte 1", "invalid UTF-8", ""])
            #expect(records.map(\.time) == [1_000, 2_000, 3_000])
            #expect(records.map(\.raw) == [Array("{not json".utf8), [0xFF, 0x00, 0xC3], []])
        }
    }

    @Test func recordGoldenBytes() throws {
        try withDataDirectory { dir in
            let quarantine = try Quarantine(directory: dir)
            try quarantine.append(Array("x".utf8), reason: "r", time: 1)
            let bytes = try readFile(DataLayout(directory: dir).quarantine)
            #expect(bytes.hexString == "43 4C 51 52 1E 00 00 00 01 00 00 00 00 00 00 00 01 00 00 00 01 00 00 00 72 78 "
                + (withUnsafeBytes(of: CRC32C.checksum(Array(bytes[0..<26])).littleEndian) { Array($0) }).hexString)
        }
    }

    @Test func tornLastRecordIsCutOffOnOpen() throws {
        try withDataDirectory { dir in
            let quarantine = try Quarantine(directory: dir)
            try quarantine.append(Array("first".utf8), reason: "a", time: 1)
            try quarantine.append(Array("second".utf8), reason: "b", time: 2)
            try quarantine.sync()
            let path = DataLayout(directory: dir).quarantine
            let full = try readFile(path)
            let firstLength = Format.quarantineHeaderSize + 1 + 5 + 4
            for cut in (firstLength + 1)..<full.count {
                try writeFile(path, Array(full[0..<cut]))
                let reopened = try Quarantine(directory: dir)
                #expect(reopened.problems.map(\.offset) == [firstLength])
                #expect(try QuarantineReader.read(directory: dir).records.map(\.reason) == ["a"])
                try reopened.append(Array("third".utf8), reason: "c", time: 3)
                #expect(try QuarantineReader.read(directory: dir).records.map(\.reason) == ["a", "c"])
            }
        }
    }

    @Test func damagedRecordInTheMiddleIsSkipped() throws {
        try withDataDirectory { dir in
            let quarantine = try Quarantine(directory: dir)
            for i in 0..<3 { try quarantine.append(Array("message \(i)".utf8), reason: "r\(i)", time: Int64(i)) }
            let path = DataLayout(directory: dir).quarantine
            try flipByte(path, at: Format.quarantineHeaderSize + 40)
            let (records, problems) = try QuarantineReader.read(directory: dir)
            #expect(records.map(\.reason) == ["r0", "r2"])
            let recordLength = Format.quarantineHeaderSize + 2 + 9 + 4
            #expect(problems.count == 1 && problems.first?.offset == recordLength && problems.first?.length == recordLength)
        }
    }
}
