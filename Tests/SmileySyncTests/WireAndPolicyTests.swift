import Foundation
import NIOCore
import SmileyCore
import SmileyTestSupport
import Testing
@testable import SmileyStore
@testable import SmileySync

@Suite("Stored batches on the wire, backoff, Retry-After, token file")
struct WireAndPolicyTests {
    func batch(_ samples: [UploadSample], id: UUID = UUID()) -> SyncBatch {
        SyncBatch(rowID: 1, id: id, state: .inFlight, attempts: 0, createdAtMs: 0, firstSample: 1, lastSample: 1, samples: samples)
    }

    func sample(_ survey: String = "checkout", misuse: MisuseReasonValue = .none, ms: Int64 = 1_795_338_902_123) -> UploadSample {
        UploadSample(rowID: 1, id: UUID(uuidString: "019A8F2E-1C3B-7D2A-9E4F-3B2A1C0D9E8F")!, terminal: "store-12 \"entrance\"",
                     site: "store-12", survey: survey, button: 3, buttonName: "very-happy", scale: 4, recordedAtMs: ms,
                     utcOffsetSeconds: 7200, clockSynchronized: true, misuse: misuse.value)
    }

    @Test("a stored batch encodes to the documented JSON, byte for byte the same every time")
    func encoding() throws {
        let id = UUID(uuidString: "0B5E0F5E-8D3C-4F61-9A55-2F3E1C7D9A10")!
        let one = batch([sample(), sample("line\nbreak\u{1}", misuse: .simultaneous)], id: id)
        let text = String(buffer: one.wireBody)
        #expect(text == #"{"terminal":"store-12 \"entrance\"","site":"store-12","batch":"0b5e0f5e-8d3c-4f61-9a55-2f3e1c7d9a10","samples":[{"id":"019a8f2e-1c3b-7d2a-9e4f-3b2a1c0d9e8f","survey":"checkout","button":3,"buttonName":"very-happy","scale":4,"recordedAt":"2026-11-22T09:15:02.123Z","utcOffsetSeconds":7200,"clockSynchronized":true,"misuse":null},{"id":"019a8f2e-1c3b-7d2a-9e4f-3b2a1c0d9e8f","survey":"line\nbreak\u0001","button":3,"buttonName":"very-happy","scale":4,"recordedAt":"2026-11-22T09:15:02.123Z","utcOffsetSeconds":7200,"clockSynchronized":true,"misuse":"simultaneous"}]}"#)
        #expect(one.wireBody == one.wireBody)
        // And it is JSON that any parser reads back.
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect((parsed?["samples"] as? [[String: Any]])?[1]["survey"] as? String == "line\nbreak\u{1}")
    }

    // The receipt rules are SmileyWireTests' (WireEncoderTests.receipts); ContractTests sends
    // through this client's receipt check (HTML and wrong receipts are retried).

    @Test("full-jitter backoff: the ceiling doubles from the initial wait up to the cap; every draw is within [0, ceiling]")
    func backoff() {
        let policy = BackoffPolicy(initial: .seconds(1), cap: .seconds(300))
        #expect((1...12).map { policy.ceiling(failures: $0) } == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300].map { .seconds($0) })
        #expect(policy.ceiling(failures: 10_000) == .seconds(300))
        var generator = SplitMix64(seed: 7)
        var draws: [Duration] = []
        for failures in 1...2000 {
            let delay = policy.delay(failures: failures % 12 + 1, using: &generator)
            #expect(delay >= .zero && delay <= policy.ceiling(failures: failures % 12 + 1))
            draws.append(delay)
        }
        // Jittered: not all the same.
        #expect(Set(draws).count > 1000)
    }

    @Test("Retry-After: seconds or an HTTP date; a past date is now; nonsense is ignored")
    func retryAfter() {
        let now: Int64 = 1_795_338_902_000
        #expect(RetryAfter.parse("120", nowMs: now) == .seconds(120))
        #expect(RetryAfter.parse(" 0 ", nowMs: now) == .zero)
        #expect(RetryAfter.parse("99999999999999999999", nowMs: now) == RetryAfter.longest)
        let date = Date(timeIntervalSince1970: Double(now) / 1000 + 90)
        #expect(RetryAfter.parse(RetryAfter.httpDateString(date), nowMs: now) == .seconds(90))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", nowMs: now) == .zero)
        #expect(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", nowMs: now) == .zero)
        #expect(RetryAfter.parse("soon", nowMs: now) == nil)
        #expect(RetryAfter.parse(nil, nowMs: now) == nil)
        #expect(RetryAfter.parse("-5", nowMs: now) == nil)
    }

    @Test("the token file must be the owner's alone; errors say what to do and never show the token")
    func tokenFile() throws {
        let folder = TemporaryFolder()
        let secret = "s3cr3t-" + UUID().uuidString
        let path = folder.write("token", secret + "\n", mode: 0o600)
        #expect(try TokenFile.read(path: path).value == secret)
        #expect("\(try TokenFile.read(path: path))" == "[token]")
        for (mode, who) in [(0o640, "its group"), (0o604, "others"), (0o644, "its group and others")] {
            chmod(path, mode_t(mode))
            do {
                _ = try TokenFile.read(path: path)
                Issue.record("mode \(String(mode, radix: 8)) accepted")
            } catch {
                #expect(error.description.contains("open to \(who)"))
                #expect(error.description.contains("chmod 600 \(path)"))
                #expect(!error.description.contains(secret))
                #expect(error.exitCode == 78)
            }
        }
        for (text, problem) in [("", "is empty"), ("a\nb\n", "has 2 lines"), ("has space", "characters a bearer token cannot have")] {
            let bad = folder.write("bad-\(problem.count)", text, mode: 0o600)
            #expect(throws: TokenFileError.self) { try TokenFile.read(path: bad) }
            do { _ = try TokenFile.read(path: bad) } catch { #expect(error.problem.contains(problem), "\(error)") }
        }
        #expect(throws: TokenFileError.self) { try TokenFile.read(path: folder.file("missing")) }
        #expect(Redactor(BearerToken(unchecked: secret)).scrub("Bearer \(secret) x") == "Bearer [token] x")
    }

    @Test("a FIFO, a device or a directory as token-file or ca-file is refused at once, naming what it is")
    func specialFilesRefused() throws {
        let folder = TemporaryFolder()
        let fifo = folder.file("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        for (path, kind) in [(fifo, "a FIFO"), ("/dev/zero", "a character device"), (folder.path, "a directory")] {
            do {
                _ = try TokenFile.read(path: path)
                Issue.record("\(path) was read as a token file")
            } catch {
                #expect(error.problem.contains("is not a regular file (\(kind))"), "\(error)")
            }
            do {
                _ = try UploadClient(endpoint: UploadEndpoint(baseURL: "https://127.0.0.1:1", token: BearerToken(unchecked: "t0ken-1234"),
                                                              caFile: path), logger: quietLogger)
                Issue.record("\(path) was loaded as a CA file")
            } catch {
                #expect(error.description.contains("upstream.ca-file \(path) is \(kind); expected a regular file"), "\(error)")
            }
        }
        let big = folder.write("big.token", String(repeating: "a", count: 20_000), mode: 0o600)
        #expect(throws: TokenFileError.self) { try TokenFile.read(path: big) }
    }

    @Test("the redactor finds the token in the encodings a receiver may echo it in")
    func redactorEncodings() throws {
        let secret = "s3cr3t/t0k+n=="
        let redactor = Redactor(BearerToken(unchecked: secret))
        let json = secret.replacingOccurrences(of: "/", with: "\\/")
        let percent = try #require(secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let hex = secret.utf8.map { String(format: "%02X", $0) }.joined()
        for prefix in ["", "B", "Be", "Bearer "] {
            let base64 = Data((prefix + secret + "!").utf8).base64EncodedString()
            let urlSafe = base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            for encoded in [base64, urlSafe] {
                let scrubbed = redactor.scrub("x \(encoded) y")
                #expect(scrubbed.contains("[token]"), "\(prefix): \(scrubbed)")
                #expect(!scrubbed.contains(String(encoded.dropFirst((prefix.count * 4 + 2) / 3 + 1).prefix(8))), "\(prefix): \(scrubbed)")
            }
        }
        for text in [json, percent, percent.lowercased(), hex, hex.lowercased()] {
            #expect(redactor.scrub("a \(text) b") == "a [token] b", "\(text)")
        }
        let unicodeEscaped = secret.unicodeScalars.map { String(format: "\\u%04x", $0.value) }.joined()
        #expect(redactor.scrub(#"{"e":"\#(unicodeEscaped)"}"#) == #"{"e":"[token]"}"#)
        #expect(redactor.scrub("nothing secret here") == "nothing secret here")
        #expect(redactor.scrub(#"a \"quoted\" \u00e9 \\"#) == #"a \"quoted\" \u00e9 \\"#)
        #expect(Redactor(nil).scrub("x") == "x")
    }
}

/// `MisuseReason?` spelled for test arguments.
enum MisuseReasonValue {
    case none, interval, simultaneous
    var value: MisuseReason? {
        switch self {
        case .none: nil
        case .interval: .interval
        case .simultaneous: .simultaneous
        }
    }
}

@Suite("Free disk space")
struct DiskSpaceTests {
    @Test("a small file system is reported low with a clear warning; a large one is not",
          .enabled(if: SmallDisk.canMount, "needs root to mount a small tmpfs"))
    func lowDisk() throws {
        let folder = TemporaryFolder()
        let disk = try SmallDisk(in: folder, name: "small", megabytes: 2)
        defer { disk.unmount() }
        let small = disk.path
        let low = DiskSpace.check(path: disk.file("smiley.sqlite"))
        #expect((low.freeBytes ?? 0) > 0 && (low.freeBytes ?? 0) <= 2 * 1024 * 1024)
        #expect(low.warning?.contains("low disk space for \(small)") == true)
        #expect(low.warning?.contains("unsynced ones are kept") == true)
        let roomy = DiskSpace.check(path: folder.file("smiley.sqlite"))
        #expect(roomy.warning == nil || (roomy.freeBytes ?? 0) < DiskSpace.lowBytes)
    }
}
