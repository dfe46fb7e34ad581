/// How long a measured step took over its runs (ms).
struct Timing {
    var first: Double
    var median: Double
    var max: Double
}
