import Foundation
import Testing
@testable import TallyKit

@Suite struct TimestampsTests {
    @Test func canonicalFormAlwaysHasMilliseconds() {
        #expect(Timestamps.iso(Date(timeIntervalSince1970: 1_772_704_931.123)) == "2026-03-05T10:02:11.123Z")
        #expect(Timestamps.iso(Date(timeIntervalSince1970: 1_772_704_931)) == "2026-03-05T10:02:11.000Z")
        #expect(Timestamps.fromEpochMilliseconds(1_772_704_931_999) == "2026-03-05T10:02:11.999Z")
    }

    @Test func parsesOffsetsAndNaiveForms() {
        #expect(Timestamps.normalize("2026-03-05T11:02:11+01:00") == "2026-03-05T10:02:11.000Z")
        #expect(Timestamps.normalize("2026-03-05T05:02:11.5-05:00") == "2026-03-05T10:02:11.500Z")
        #expect(Timestamps.normalize("2026-03-05 10:02:11.123456") == "2026-03-05T10:02:11.123Z")
        #expect(Timestamps.normalize("2026-03-05T10:02Z") == "2026-03-05T10:02:00.000Z")
    }

    @Test func rejectsMalformed() {
        for text in ["", "2026-3-5", "2026-03-05T25:00:00Z", "2026-02-29", "2026-03-05T10:02:11Zjunk", "yesterday"] {
            #expect(Timestamps.parse(text) == nil, "\(text)")
        }
    }

    @Test func timestampsAreCanonical() {
        #expect(Timestamps.iso(Date(timeIntervalSince1970: 1_772_704_931.123_9)) == "2026-03-05T10:02:11.123Z")
        #expect(Timestamps.fromEpochMilliseconds(1_772_704_931_123) == "2026-03-05T10:02:11.123Z")
        #expect(Timestamps.fromEpochMilliseconds(-1) == "1969-12-31T23:59:59.999Z")
        #expect(Timestamps.normalize("2026-03-05T11:02:11+01:00") == "2026-03-05T10:02:11.000Z")
        #expect(Timestamps.normalize("2026-03-05 10:02:11.123456") == "2026-03-05T10:02:11.123Z")
        #expect(Timestamps.normalize("2026-03-05T05:02:11.1-0500") == "2026-03-05T10:02:11.100Z")
        #expect(Timestamps.normalize("2026-03-05T10:02Z") == "2026-03-05T10:02:00.000Z")
        #expect(Timestamps.normalize("2026-03-05") == nil)
        #expect(Timestamps.normalize("2026-02-30T10:00:00Z") == nil)
        #expect(Timestamps.normalize("2026-03-05T10:02:11Z junk") == nil)
        #expect(Timestamps.normalize("yesterday") == nil)
    }
}
