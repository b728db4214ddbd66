using System.Diagnostics.Tracing;
using System.Globalization;

namespace ImOrleans.ActivationPause;

/// <summary>
/// Each time the runtime stopped the process for its collector, from its own events in this process: from the start
/// of suspending the threads (GCSuspendEEBegin) to the end of resuming them (GCRestartEEEnd).
/// </summary>
internal sealed class PauseListener : EventListener
{
    private const int RestartEEEnd = 3;
    private const int SuspendEEBegin = 9;
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private readonly List<TimeSpan> _pauses = [];
    private DateTime? _suspendedAt;
    private volatile bool _recording;

    public void Start() => _recording = true;

    public PauseWindow Stop()
    {
        _recording = false;
        lock (_pauses)
        {
            return new PauseWindow([.. _pauses]);
        }
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Informational, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventId == SuspendEEBegin)
        {
            _suspendedAt = e.TimeStamp;
        }
        else if (e.EventId == RestartEEEnd && _suspendedAt is { } begin)
        {
            _suspendedAt = null;
            if (_recording)
            {
                lock (_pauses)
                {
                    _pauses.Add(e.TimeStamp - begin);
                }
            }
        }
    }
}

internal sealed record PauseWindow(IReadOnlyList<TimeSpan> Pauses)
{
    public int Count => Pauses.Count;

    public TimeSpan Total => TimeSpan.FromTicks(Pauses.Sum(p => p.Ticks));

    public double MeanMs => Count == 0 ? 0 : Total.TotalMilliseconds / Count;

    public double MaxMs => Count == 0 ? 0 : Pauses.Max().TotalMilliseconds;

    public string Describe()
    {
        if (Count == 0)
        {
            return "none";
        }

        var sorted = Pauses.Order().ToArray();
        return string.Create(CultureInfo.InvariantCulture,
            $"{Count}, mean {MeanMs:F1} ms, median {sorted[sorted.Length / 2].TotalMilliseconds:F1} ms, max {MaxMs:F1} ms");
    }
}
