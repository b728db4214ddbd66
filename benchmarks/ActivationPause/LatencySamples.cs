using System.Diagnostics;
using System.Globalization;

namespace ImOrleans.ActivationPause;

/// <summary>Every call's latency (Stopwatch ticks) while started, in a preallocated array; percentiles by sorting once.</summary>
internal sealed class LatencySamples(int capacity)
{
    private readonly long[] _samples = new long[capacity];
    private int _count;
    private volatile bool _recording;
    private long[]? _sorted;

    public int Count => Math.Min(Volatile.Read(ref _count), _samples.Length);

    public void Start() => _recording = true;

    public void Stop() => _recording = false;

    public void Record(long ticks)
    {
        if (!_recording)
        {
            return;
        }

        var index = Interlocked.Increment(ref _count) - 1;
        if (index < _samples.Length)
        {
            _samples[index] = ticks;
        }
    }

    public double Percentile(double percent)
    {
        _sorted ??= _samples[..Count].Order().ToArray();
        if (_sorted.Length == 0)
        {
            return 0;
        }

        var index = (int)Math.Ceiling(percent / 100 * _sorted.Length) - 1;
        return _sorted[Math.Clamp(index, 0, _sorted.Length - 1)] * 1000.0 / Stopwatch.Frequency;
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"p50 {Percentile(50):F2}, p95 {Percentile(95):F2}, p99 {Percentile(99):F2}, p99.9 {Percentile(99.9):F2}, max {Percentile(100):F2}");
}
