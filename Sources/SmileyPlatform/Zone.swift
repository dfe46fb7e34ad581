import SmileyCore

/// The zone type now lives in SmileyCore (Time/Zone.swift); this name keeps code that imports
/// only SmileyPlatform compiling.
public typealias Zone = SmileyCore.Zone
