/// The sync's control vocabulary (progress, the lock, the control protocol and client, the final
/// report) lives in SmileySyncControl, which smileyctl links without HTTP; SmileySync's users get it
/// with SmileySync.
@_exported import SmileySyncControl
