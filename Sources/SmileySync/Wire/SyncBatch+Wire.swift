// The wire types live in SmileyWire; re-exported so that the uploader, the sync service and the
// tests that import SmileySync name them (BatchReceipt, Heartbeat, …) as before.
@_exported import SmileyWire
import NIOCore
import SmileyStore

extension SyncBatch {
    /// The `POST /v1/batches` body: encoded straight from the stored rows.
    public var wireBody: ByteBuffer {
        ByteBuffer(bytes: WireEncoder.encodeBatch(terminal: terminal, site: site, id: id,
                                                  samples: samples.lazy.map(\.wire)))
    }
}

extension BatchReceipt {
    /// Reads and checks a receipt for `batch`; the reason when it does not fit.
    public static func validate(_ body: ByteBuffer, for batch: SyncBatch) -> Result<BatchReceipt, ReceiptProblem> {
        validate(Array(body.readableBytesView), batch: batch.id, sampleCount: batch.samples.count)
    }
}
