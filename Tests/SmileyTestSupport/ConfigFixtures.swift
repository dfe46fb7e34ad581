/// Config files more than one suite reads.
public enum ConfigFixtures {
    /// Three independent mistakes (lines 1, 2 and 9), written in an order other than the one they are
    /// decoded in: the unit suite checks the diagnostics, the process suite `smileyd --check-config`.
    public static let threeMistakes = """
        retention-days: 0
        timezone: Europe/Helsinky
        buttons:
          - name: unhappy
            line: GPIO5
          - name: happy
            line: GPIO6
        press:
          debounse-ms: 40

        """
}
